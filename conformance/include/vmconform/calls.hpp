// calls.hpp - calling a target the way Wine's tests do, and failing with everything known.
//
// Each wrapper pre-fills out-parameters with sentinels (0xdeadbeef...), calls the target and
// returns a record that can show itself: operation, arguments, return value and every
// out-parameter. `fail` ends the current property case with a message that starts with the
// rule ID; the runner appends the seed and the one-line reproducer.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "vmconform/property.hpp"

namespace vmc {

inline constexpr std::uint64_t kAddressSentinel = 0xdeadbeefdeadbeefull;
inline constexpr std::uint32_t kCountSentinel = 0xdeadbeefu;

struct AllocCall {
  std::uint64_t address;
  std::uint32_t size, type, protect;
  hresult hr;
  std::uint64_t allocated;  // out-parameter (sentinel if untouched)
  std::string show() const;
};
struct FreeCall {
  std::uint64_t address, size;
  std::uint32_t type;
  hresult hr;
  std::string show() const;
};
struct WriteCall {
  std::uint64_t address;
  std::uint32_t length;
  hresult hr;
  bool buffer_changed;  // the caller's [in] buffer was modified
  std::string show() const;
};
struct ReadCall {
  std::uint64_t address;
  std::uint32_t length;
  hresult hr;
  std::uint32_t bytes_read;  // out-parameter (sentinel if untouched)
  std::vector<std::uint8_t> data;  // the first bytes_read bytes (when plausible)
  std::uint32_t calls = 1;         // ReadVirtual calls made (read_fully: more after short reads)
  std::string show() const;
};

AllocCall alloc(Target& t, std::uint64_t address, std::uint32_t size, std::uint32_t type,
                std::uint32_t protect);
FreeCall vfree(Target& t, std::uint64_t address, std::uint64_t size, std::uint32_t type);
WriteCall write(Target& t, std::uint64_t address, const std::vector<std::uint8_t>& data);
ReadCall read(Target& t, std::uint64_t address, std::uint32_t length);
/// Observing contents (not testing ReadVirtual itself): reads again after each short read,
/// which the documented profile allows (RV-FIRST-BYTE), until `length` bytes, a failure or a
/// zero count. hr is the first call's; bytes_read and data cover every call.
ReadCall read_fully(Target& t, std::uint64_t address, std::uint32_t length);

/// Ends the case: "[RULE] what".
[[noreturn]] void fail(const CaseEnv& env, const std::string& what);
/// Ends the case if `ok` is false.
void check(const CaseEnv& env, bool ok, const std::string& what);
/// A setup step that must succeed for the property to mean anything.
AllocCall must_alloc(const CaseEnv& env, std::uint64_t address, std::uint32_t size,
                     std::uint32_t type, std::uint32_t protect);
void must_free(const CaseEnv& env, std::uint64_t address, std::uint64_t size, std::uint32_t type);
void must_write(const CaseEnv& env, std::uint64_t address, const std::vector<std::uint8_t>& data);

/// Per-page observation through ReadVirtual only: readable or not, and the bytes.
struct PageObservation {
  bool readable = false;
  std::vector<std::uint8_t> bytes;
  bool operator==(const PageObservation&) const = default;
};
using Observation = std::map<std::uint64_t, PageObservation>;  // page address -> page
/// Observes every page of [address, address+size) (page-aligned). A page whose read fails is
/// read once more, so that observing does not change what is observed (a one-shot guard page).
Observation observe(Target& t, std::uint64_t address, std::uint64_t size, std::uint32_t page);
/// "" if equal, else the first difference in words.
std::string diff(const Observation& before, const Observation& after);

/// Position-dependent, non-zero-heavy bytes: pattern_data(0x41, 5) != pattern_data(0x42, 5).
std::vector<std::uint8_t> pattern_data(std::uint8_t seed, std::uint32_t length);

/// True when `hr` is one of `allowed` (win32 profile) or any failure (documented profile).
bool failure_accepted(const CaseEnv& env, hresult hr, std::initializer_list<hresult> allowed);

}  // namespace vmc
