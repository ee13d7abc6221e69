// calls.cpp - call wrappers with sentinels, observation through ReadVirtual, and failure text.
#include "vmconform/calls.hpp"

#include <rapidcheck.h>

#include <algorithm>

namespace vmc {

std::string AllocCall::show() const {
  return "AllocateVirtualMemory(address=" + hex(address) + ", size=" + hex(size) +
         ", type=" + alloc_type_name(type) + ", protect=" + protect_name(protect) +
         ") returned " + hresult_name(hr) + ", *pAllocatedAddress=" +
         (allocated == kAddressSentinel ? std::string("untouched") : hex(allocated));
}

std::string FreeCall::show() const {
  return "VirtualFree(address=" + hex(address) + ", size=" + hex(size) +
         ", type=" + alloc_type_name(type) + ") returned " + hresult_name(hr);
}

std::string WriteCall::show() const {
  return "WriteVirtual(address=" + hex(address) + ", bytesRequested=" + hex(length) +
         ") returned " + hresult_name(hr) + (buffer_changed ? ", and modified pBuffer" : "");
}

std::string ReadCall::show() const {
  return "ReadVirtual(address=" + hex(address) + ", bytesRequested=" + hex(length) +
         ") returned " + hresult_name(hr) + ", *pBytesRead=" +
         (bytes_read == kCountSentinel ? std::string("untouched") : hex(bytes_read)) +
         (calls > 1 ? " (in " + std::to_string(calls) + " calls after short reads)" : std::string());
}

AllocCall alloc(Target& t, std::uint64_t address, std::uint32_t size, std::uint32_t type,
                std::uint32_t protect) {
  AllocCall c{address, size, type, protect, 0, kAddressSentinel};
  c.hr = t.allocate_virtual_memory(address, size, type, protect, &c.allocated);
  return c;
}

FreeCall vfree(Target& t, std::uint64_t address, std::uint64_t size, std::uint32_t type) {
  FreeCall c{address, size, type, 0};
  c.hr = t.virtual_free(address, size, type);
  return c;
}

WriteCall write(Target& t, std::uint64_t address, const std::vector<std::uint8_t>& data) {
  std::vector<std::uint8_t> buffer = data;  // the callee sees a copy we can compare after
  WriteCall c{address, static_cast<std::uint32_t>(data.size()), 0, false};
  c.hr = t.write_virtual(address, buffer.data(), c.length);
  c.buffer_changed = buffer != data;
  return c;
}

ReadCall read(Target& t, std::uint64_t address, std::uint32_t length) {
  std::vector<std::uint8_t> buffer(length, 0xA5);
  ReadCall c{address, length, 0, kCountSentinel, {}};
  c.hr = t.read_virtual(address, buffer.data(), length, &c.bytes_read);
  if (c.bytes_read <= length) buffer.resize(c.bytes_read);
  c.data = std::move(buffer);
  return c;
}

ReadCall read_fully(Target& t, std::uint64_t address, std::uint32_t length) {
  ReadCall c = read(t, address, length);
  while (c.hr == S_OK && c.bytes_read > 0 && c.bytes_read < length) {
    const ReadCall more = read(t, address + c.bytes_read, length - c.bytes_read);
    ++c.calls;
    if (more.hr != S_OK || more.bytes_read == 0 || more.bytes_read > more.length) break;
    c.data.insert(c.data.end(), more.data.begin(), more.data.end());
    c.bytes_read += more.bytes_read;
  }
  return c;
}

void fail(const CaseEnv& env, const std::string& what) { RC_FAIL("[" + env.rule + "] " + what); }

void check(const CaseEnv& env, bool ok, const std::string& what) {
  if (!ok) fail(env, what);
}

AllocCall must_alloc(const CaseEnv& env, std::uint64_t address, std::uint32_t size,
                     std::uint32_t type, std::uint32_t protect) {
  AllocCall c = alloc(env.target, address, size, type, protect);
  check(env, c.hr == S_OK && c.allocated != kAddressSentinel,
        "setup failed: " + c.show());
  return c;
}

void must_free(const CaseEnv& env, std::uint64_t address, std::uint64_t size, std::uint32_t type) {
  FreeCall c = vfree(env.target, address, size, type);
  check(env, c.hr == S_OK, "setup failed: " + c.show());
}

void must_write(const CaseEnv& env, std::uint64_t address, const std::vector<std::uint8_t>& data) {
  WriteCall c = write(env.target, address, data);
  check(env, c.hr == S_OK, "setup failed: " + c.show());
}

Observation observe(Target& t, std::uint64_t address, std::uint64_t size, std::uint32_t page) {
  Observation out;
  for (std::uint64_t p = address; p < address + size; p += page) {
    PageObservation obs;
    ReadCall rd = read_fully(t, p, page);
    // Looking must not change what is seen: a page whose first read fails is read once more, so
    // a guard page whose guard that read consumed (a one-shot guard, which the documented profile
    // allows: decision D-GUARD) looks the same to every later observation.
    if (failed(rd.hr) || rd.bytes_read == 0 || rd.bytes_read == kCountSentinel) rd = read_fully(t, p, page);
    obs.readable = succeeded(rd.hr) && rd.bytes_read > 0 && rd.bytes_read != kCountSentinel;
    if (obs.readable) obs.bytes = std::move(rd.data);
    out[p] = std::move(obs);
  }
  return out;
}

std::string diff(const Observation& before, const Observation& after) {
  for (const auto& [page, b] : before) {
    auto it = after.find(page);
    if (it == after.end()) return "page " + hex(page) + " was not observed after";
    const PageObservation& a = it->second;
    if (a.readable != b.readable)
      return "page " + hex(page) + (b.readable ? " was readable and is not any more"
                                               : " was unreadable and is now readable");
    for (std::size_t i = 0; i < std::min(a.bytes.size(), b.bytes.size()); ++i)
      if (a.bytes[i] != b.bytes[i])
        return "byte " + hex(page + i) + " was " + hex(b.bytes[i]) + ", now " + hex(a.bytes[i]);
    if (a.bytes.size() != b.bytes.size())
      return "page " + hex(page) + " readable bytes went from " + hex(b.bytes.size()) + " to " +
             hex(a.bytes.size());
  }
  return "";
}

std::vector<std::uint8_t> pattern_data(std::uint8_t seed, std::uint32_t length) {
  std::vector<std::uint8_t> out(length);
  std::uint32_t x = seed * 2654435761u + 1;
  for (std::uint32_t i = 0; i < length; ++i) {
    x = x * 1103515245u + 12345u;
    out[i] = static_cast<std::uint8_t>((x >> 16) | 1);  // never zero: zero is "untouched"
  }
  return out;
}

bool failure_accepted(const CaseEnv& env, hresult hr, std::initializer_list<hresult> allowed) {
  if (!failed(hr)) return false;
  if (env.profile == Profile::documented) return true;
  return std::find(allowed.begin(), allowed.end(), hr) != allowed.end();
}

}  // namespace vmc
