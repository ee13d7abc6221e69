// json_fields.cpp - JsonFields (vmconform/json_fields.hpp): typed, range-checked field access.
#include "vmconform/json_fields.hpp"

namespace vmc {

using nlohmann::json;

const json& JsonFields::field(const char* name, json::value_t type) const {
  const auto it = j.find(name);
  if (it == j.end()) throw FieldError(what + " without field \"" + name + "\"");
  const bool ok = it->type() == type ||
                  (type == json::value_t::number_unsigned && it->is_number_integer() && it->get<long long>() >= 0);
  if (!ok) throw FieldError("field \"" + std::string(name) + "\" of " + what + " has the wrong type");
  return *it;
}

std::string JsonFields::str(const char* name) const { return field(name, json::value_t::string).get<std::string>(); }

bool JsonFields::boolean(const char* name) const { return field(name, json::value_t::boolean).get<bool>(); }

std::uint64_t JsonFields::u64(const char* name) const {
  return field(name, json::value_t::number_unsigned).get<std::uint64_t>();
}

std::uint32_t JsonFields::u32(const char* name) const {
  const std::uint64_t v = u64(name);
  if (v > 0xFFFFFFFFu) throw FieldError("field \"" + std::string(name) + "\" of " + what + " is out of range");
  return static_cast<std::uint32_t>(v);
}

int JsonFields::count(const char* name) const {
  const std::uint64_t v = u64(name);
  if (v > 0x7FFFFFFF) throw FieldError("field \"" + std::string(name) + "\" of " + what + " is out of range");
  return static_cast<int>(v);
}

int json_count(const json& value, const std::string& what) {
  if (!value.is_number_integer() || value.get<long long>() < 0) throw FieldError(what + " is not a count");
  // get<int> would wrap: 2147483648 became a negative count, 4294967296 a count of 0.
  if (value.get<long long>() > 0x7FFFFFFF) throw FieldError(what + " is out of range");
  return value.get<int>();
}

}  // namespace vmc
