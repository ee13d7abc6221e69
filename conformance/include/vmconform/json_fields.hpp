// json_fields.hpp - strict reading of the fields of one JSON object.
//
// For input that must not be believed unless it is exactly what was promised (the plugin worker
// protocol, written by a process a plugin may have corrupted): every accessor checks that the
// field exists with the JSON type asked for and, for numbers, the range, and throws FieldError
// naming the field and the object ("field \"cases\" of a \"case\" message has the wrong type").
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <stdexcept>
#include <string>

namespace vmc {

struct FieldError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct JsonFields {
  const nlohmann::json& j;  // an object
  std::string what;         // names it in errors: "a \"hello\" message"

  bool has(const char* name) const { return j.contains(name); }
  const nlohmann::json& field(const char* name, nlohmann::json::value_t type) const;
  std::string str(const char* name) const;
  bool boolean(const char* name) const;
  std::uint64_t u64(const char* name) const;
  std::uint32_t u32(const char* name) const;
  /// 0 .. 2^31-1: a count.
  int count(const char* name) const;
};

/// A JSON number as a count (0 .. 2^31-1), or FieldError with `what` in the message.
int json_count(const nlohmann::json& value, const std::string& what);

}  // namespace vmc
