// differential.cpp - the side-by-side checker: backend vs reference model, one op at a time.
//
// Each op runs on the backend first, then on the model (snapshotted, so that a choice the
// profile allows can be adopted or rolled back), then the two results are compared and the
// pages the op touched are read back on both sides. The first difference is reported with the
// rule it breaks.
#include "vmconform/differential.hpp"

#include <algorithm>

namespace vmc {
namespace {

constexpr std::uint64_t kSentinel64 = 0xdeadbeefdeadbeefull;
constexpr std::uint32_t kSentinel32 = 0xdeadbeefu;

/// Reads one page completely into `buffer` (looping over short reads, which ReadVirtual
/// allows); the number of bytes read, 0 when the page is unreadable.
std::uint32_t read_page_into(Target& t, std::uint64_t page, std::uint8_t* buffer, std::uint32_t size) {
  std::uint32_t done = 0;
  while (done < size) {
    std::uint32_t n = 0;
    const hresult hr = t.read_virtual(page + done, buffer + done, size - done, &n);
    if (failed(hr) || n == 0 || n > size - done) break;
    done += n;
  }
  return done;
}

struct PageRead {
  bool readable = false;
  std::vector<std::uint8_t> bytes;
};

PageRead read_page(Target& t, std::uint64_t page, std::uint32_t size) {
  PageRead out;
  out.bytes.assign(size, 0);
  out.bytes.resize(read_page_into(t, page, out.bytes.data(), size));
  out.readable = !out.bytes.empty();
  return out;
}

std::uint64_t round_down(std::uint64_t v, std::uint64_t to) { return v - v % to; }

bool all_zero(const std::vector<std::uint8_t>& v) {
  return std::all_of(v.begin(), v.end(), [](std::uint8_t b) { return b == 0; });
}

std::string results(hresult sut, hresult model) {
  return "backend returned " + hresult_name(sut) + ", model returned " + hresult_name(model);
}

}  // namespace

Differential::Differential(Target& sut, Profile profile)
    : sut_(sut), profile_(profile), model_([&] {
        ModelConfig c;
        c.page_size = sut.page_size();
        c.allocation_granularity = sut.allocation_granularity();
        c.foreign_image = false;
        return c;
      }()),
      tracker_(model_.page_size()) {
  std::vector<opseq::ForeignSample> foreign;
  for (const ForeignMemory& f : sut_.foreign_memory()) foreign.push_back({f.address, f.size});
  tracker_.set_foreign(std::move(foreign));
  sut_page_.assign(model_.page_size(), 0);
  model_page_.assign(model_.page_size(), 0);
}

std::vector<std::string> Differential::log() const {
  std::vector<std::string> lines;
  for (const StepRecord& r : steps_) {
    std::string line = opseq::to_text(r.op) + "   # address " + hex(r.address);
    switch (r.op.kind) {
      case opseq::OpKind::alloc: line += " -> " + hresult_name(r.result) + " *allocated=" + hex(r.out); break;
      case opseq::OpKind::read: line += " -> " + hresult_name(r.result) + " *read=" + hex(r.out); break;
      case opseq::OpKind::inject_fault:
        line += r.result == 0 ? " -> injected" : " -> not supported (skipped on both sides)";
        break;
      default: line += " -> " + hresult_name(r.result); break;
    }
    lines.push_back(std::move(line));
  }
  return lines;
}

bool Differential::status_equivalent(hresult sut, hresult model) const {
  if (model == S_OK) return sut == S_OK;
  if (!failed(sut)) return false;
  return profile_ == Profile::documented || sut == model;
}

std::optional<Divergence> Differential::run(const opseq::Sequence& ops) {
  steps_.reserve(steps_.size() + ops.size());
  for (const opseq::Op& op : ops)
    if (auto d = step(op)) return d;
  return final_check();
}

std::optional<Divergence> Differential::step(const opseq::Op& op) {
  const std::uint64_t address = tracker_.resolve(op.addr);
  steps_.push_back(StepRecord{op, address, 0, 0});
  std::optional<Divergence> d;
  switch (op.kind) {
    case opseq::OpKind::alloc: d = alloc(op, address); break;
    case opseq::OpKind::free:
    case opseq::OpKind::free_foreign: d = free(op, address); break;
    case opseq::OpKind::write: d = write(op, address); break;
    case opseq::OpKind::read: d = read(op, address); break;
    case opseq::OpKind::inject_fault: d = inject(op); break;
  }
  if (d) d->message = "step " + std::to_string(steps_.size()) + " `" + opseq::to_text(op) + "` at " + hex(address) +
                      ": " + d->message;
  return d;
}

std::optional<Divergence> Differential::compare_pages(std::uint64_t address, std::uint64_t length,
                                                      const char* rule, const char* after) {
  const std::uint32_t p = model_.page_size();
  const std::uint64_t first = round_down(address, p);
  std::uint64_t end = address + std::max<std::uint64_t>(length, 1);
  if (end < address) end = ~0ull;
  const std::uint64_t pages = (end - first + p - 1) / p;
  for (std::uint64_t i = 0; i < pages; ++i) {
    if (pages > 16 && i == 8) i = pages - 8;  // sample the ends of long ranges
    const std::uint64_t page = first + i * p;
    const std::uint32_t ns = read_page_into(sut_, page, sut_page_.data(), p);
    const std::uint32_t nm = read_page_into(model_, page, model_page_.data(), p);
    if ((ns > 0) != (nm > 0))
      return Divergence{rule, std::string(after) + ": page " + hex(page) + " is " + (ns > 0 ? "readable" : "unreadable") +
                                  " on the backend, " + (nm > 0 ? "readable" : "unreadable") + " in the model"};
    // The common case is one memcmp of equal pages, with no per-byte loop.
    if (ns == nm && std::equal(sut_page_.begin(), sut_page_.begin() + ns, model_page_.begin())) continue;
    for (std::uint32_t b = 0; b < std::min(ns, nm); ++b)
      if (sut_page_[b] != model_page_[b])
        return Divergence{rule, std::string(after) + ": byte " + hex(page + b) + " is " + hex(sut_page_[b]) +
                                    " on the backend, " + hex(model_page_[b]) + " in the model"};
    return Divergence{rule, std::string(after) + ": page " + hex(page) + " reads " + hex(ns) + " bytes on the backend, " +
                                hex(nm) + " in the model"};
  }
  return std::nullopt;
}

std::optional<Divergence> Differential::alloc(const opseq::Op& op, std::uint64_t address) {
  const std::uint32_t kind = op.type & ~MEM_TOP_DOWN;
  const bool system_choice = address == 0 && kind != MEM_RESET;
  std::uint64_t out_s = kSentinel64, out_m = kSentinel64;
  const hresult hr_s = sut_.allocate_virtual_memory(address, op.size, op.type, op.protect, &out_s);
  steps_.back().result = hr_s;
  steps_.back().out = out_s;
  // A rollback (adopting the backend's refusal) is only ever needed when the backend failed, so
  // only then is the model copied; everything else is read from it before the operation.
  std::optional<ReferenceModel> before;
  if (failed(hr_s)) before = model_;
  const ReferenceModel::PageView at_address = model_.page_at(round_down(address, model_.page_size()));
  hresult hr_m;
  if (system_choice && hr_s == S_OK) {
    hr_m = model_.allocate_at_system_choice(out_s, op.size, op.type, op.protect, &out_m);
    if (hr_m == E_UNEXPECTED)
      return Divergence{"AVM-BASE", "the system chose " + hex(out_s) + ", which is not a multiple of the granularity " +
                                        hex(model_.allocation_granularity()) + " or overlaps a live allocation"};
  } else {
    hr_m = model_.allocate_virtual_memory(address, op.size, op.type, op.protect, &out_m);
  }
  const std::uint32_t p = model_.page_size();
  if (hr_m == S_OK && failed(hr_s)) {
    const bool oom = hr_s == E_OUTOFMEMORY || hr_s == HR_NOT_ENOUGH_MEMORY;
    const bool occupied = !system_choice && (kind & MEM_RESERVE) &&
                          (hr_s == HR_INVALID_ADDRESS || profile_ == Profile::documented);
    if ((system_choice && oom) || occupied) {  // the backend's address space is fuller than the model's
      // Roll back and remember nothing: only the backend knows which part of the range is taken
      // (marking the whole range would reject a later, smaller reservation in its free part, a
      // false positive the fuzzers found). A later refusal there is tolerated by this same branch.
      model_ = *before;
      return std::nullopt;
    }
    const std::string rule = kind == MEM_RESET ? "AVM-RESET" : kind == MEM_COMMIT && address != 0 ? "AVM-COMMIT-RESERVED" : "AVM-STATUS";
    return Divergence{rule, "the call should succeed: " + results(hr_s, hr_m)};
  }
  if (hr_s == S_OK && failed(hr_m)) {
    const std::string rule = hr_m == E_INVALIDARG ? "AVM-INVALID" : kind == MEM_COMMIT ? "AVM-COMMIT-RESERVED" : "AVM-INVALID";
    return Divergence{rule, "the call should fail: " + results(hr_s, hr_m)};
  }
  if (succeeded(hr_s) && hr_s != S_OK) return Divergence{"AVM-STATUS", "success must be S_OK: " + results(hr_s, hr_m)};
  if (failed(hr_s)) {
    if (profile_ == Profile::win32 && (hr_s != hr_m || out_s != 0))
      return Divergence{"AVM-CODE", results(hr_s, hr_m) + ", *pAllocatedAddress=" + hex(out_s) + " (expected 0)"};
    const Allocation* a = before->allocation_containing(address);
    const std::uint64_t from = a ? a->base : address, len = a ? a->size : op.size;
    return compare_pages(from, len, "AVM-NO-EFFECT-ON-FAIL", "after the failed call");
  }
  if (!system_choice && out_s != out_m)
    return Divergence{"AVM-BASE", "*pAllocatedAddress is " + hex(out_s) + ", expected " + hex(out_m)};
  const bool reserved = tracker_.record_alloc(address, op.size, op.type, S_OK, out_m);
  const std::uint64_t first = round_down(kind == MEM_RESET || !(kind & MEM_RESERVE) ? address : out_m, p);
  const std::uint64_t end = reserved ? out_m + tracker_.handles().back().size : round_down(address + op.size + p - 1, p);
  if (kind == MEM_RESET) {  // each page may keep its bytes or become zero: adopt zeroed pages
    for (std::uint64_t page = first; page < end; page += p) {
      const PageRead s = read_page(sut_, page, p), m = read_page(model_, page, p);
      if (s.readable == m.readable && s.bytes != m.bytes && all_zero(s.bytes) && s.bytes.size() == p)
        model_.adopt_bytes(page, s.bytes);
      if (end - first > 64 * std::uint64_t{p} && page == first + 8 * std::uint64_t{p}) page = end - 9 * std::uint64_t{p};
    }
    return compare_pages(first, end - first, "AVM-RESET", "after MEM_RESET (pages keep their bytes or become zero)");
  }
  // A new reservation's pages are fresh; a commit at an address is fresh unless already committed.
  const bool fresh = system_choice || (kind & MEM_RESERVE) ||
                     !(at_address.allocated && at_address.state == PageState::committed);
  return compare_pages(first, end - first,
                       kind == MEM_RESERVE ? "AVM-RESERVE-ONLY" : fresh ? "AVM-ZERO" : "AVM-RECOMMIT-KEEPS",
                       "after the allocation");
}

std::optional<Divergence> Differential::free(const opseq::Op& op, std::uint64_t address) {
  const hresult hr_s = sut_.virtual_free(address, op.free_size, op.type);
  steps_.back().result = hr_s;
  std::optional<ReferenceModel> before;  // for a rollback, only possible when the backend failed
  if (failed(hr_s)) before = model_;
  struct Span {
    std::uint64_t base, size;
  };
  std::optional<Span> a;  // the reservation holding `address` before the call
  if (const Allocation* held = model_.allocation_containing(address)) a = Span{held->base, held->size};
  const hresult hr_m = model_.virtual_free(address, op.free_size, op.type);
  const bool release = op.type == MEM_RELEASE;
  if (hr_m == S_OK && failed(hr_s) && profile_ == Profile::documented && a && address != a->base &&
      round_down(address, model_.page_size()) == a->base && (release || op.free_size == 0)) {
    model_ = *before;  // D-FIRST-PAGE: the documented profile also accepts refusing a non-base address
    return std::nullopt;
  }
  if (hr_s == S_OK && failed(hr_m)) {
    std::string rule = "VF-STATUS";
    if (hr_m == HOST_E_INVALIDOPERATION) rule = "VF-FOREIGN";
    else if (hr_m == HOST_E_CLRNOTAVAILABLE) rule = "VF-EFAIL-STICKY";
    else if (op.type != MEM_RELEASE && op.type != MEM_DECOMMIT) rule = "VF-FREE-TYPE";
    else if (release && op.free_size != 0) rule = "VF-RELEASE-SIZE";
    else if (hr_m == HR_INVALID_ADDRESS) rule = release ? "VF-RELEASE-BASE" : "VF-DECOMMIT-WHOLE";
    else if (hr_m == E_INVALIDARG) rule = "VF-SPAN";
    else rule = "X-NO-EFFECT-ON-FAIL";  // an injected host failure
    return Divergence{rule, "the call should fail: " + results(hr_s, hr_m)};
  }
  if (hr_m == S_OK && hr_s != S_OK) {
    const std::string rule = succeeded(hr_s) ? "VF-STATUS" : release ? "VF-RELEASE-WHOLE"
                             : op.free_size == 0 ? "VF-DECOMMIT-WHOLE" : "VF-DECOMMIT-RANGE";
    return Divergence{rule, "the call should succeed with S_OK: " + results(hr_s, hr_m)};
  }
  if (failed(hr_m)) {
    if (hr_s == E_FAIL && hr_m != E_FAIL) return Divergence{"VF-NO-EFAIL", results(hr_s, hr_m)};
    if (hr_m == HOST_E_INVALIDOPERATION && hr_s != hr_m) return Divergence{"VF-FOREIGN", results(hr_s, hr_m)};
    if (hr_m == HOST_E_CLRNOTAVAILABLE && hr_s != hr_m) return Divergence{"VF-EFAIL-STICKY", results(hr_s, hr_m)};
    if (!status_equivalent(hr_s, hr_m)) return Divergence{"VF-CODE", results(hr_s, hr_m)};
  }
  if (!a) return std::nullopt;
  const char* rule = failed(hr_m) ? "X-NO-EFFECT-ON-FAIL"
                           : release    ? "VF-RELEASE-WHOLE"
                           : op.free_size == 0 ? "VF-DECOMMIT-WHOLE" : "VF-DECOMMIT-RANGE";
  return compare_pages(a->base, a->size, rule, failed(hr_m) ? "after the failed free" : "after the free");
}

std::optional<Divergence> Differential::write(const opseq::Op& op, std::uint64_t address) {
  const std::vector<std::uint8_t> data = opseq::pattern_bytes(op.pattern, op.length);
  // Buffers handed to the backend are allocated at their exact size, never reused: under ASan a
  // backend that touches a byte past them is then caught.
  std::vector<std::uint8_t> buffer = data;
  const hresult hr_s = sut_.write_virtual(address, buffer.data(), op.length);
  steps_.back().result = hr_s;
  if (buffer != data) return Divergence{"WV-BUFFER-CONST", "WriteVirtual modified the caller's buffer"};
  std::optional<ReferenceModel> before;  // for a rollback, only possible when the backend failed
  if (failed(hr_s)) before = model_;
  // Pages of the range, as the model sees them before the write.
  const std::uint32_t p = model_.page_size();
  bool any_readonly = false, any_exec = false, all_accessible = true;
  for (std::uint64_t page = round_down(address, p);
       op.length > 0 && page <= address + op.length - 1 && page >= round_down(address, p); page += p) {
    const auto v = model_.page_at(page);
    const std::uint32_t base = v.protect & 0xFF;
    if (!v.allocated || v.state != PageState::committed || base == PAGE_NOACCESS || (v.protect & PAGE_GUARD))
      all_accessible = false;
    any_readonly |= base == PAGE_READONLY;
    any_exec |= base == PAGE_EXECUTE || base == PAGE_EXECUTE_READ;
    if (page + p < page) break;
  }
  const hresult hr_m = model_.write_virtual(address, data.data(), op.length);
  if (op.length == 0) {
    if (profile_ == Profile::win32 && hr_s != S_OK) return Divergence{"WV-ZERO-LENGTH", results(hr_s, hr_m)};
    return std::nullopt;
  }
  if (profile_ == Profile::documented) {
    if (failed(hr_m) && hr_s == S_OK && all_accessible && any_readonly) {
      model_.adopt_bytes(address, data);  // D-READONLY-WRITE: the documented profile allows it
      return compare_pages(address, op.length, "WV-ROUNDTRIP", "after the write");
    }
    if (hr_m == S_OK && failed(hr_s) && any_exec) {
      model_ = *before;  // D-EXEC-WRITE: the documented profile allows refusing code pages
      return compare_pages(address, op.length, "WV-ATOMIC", "after the failed write");
    }
  }
  if (hr_s == S_OK && failed(hr_m))
    return Divergence{any_readonly && all_accessible ? "WV-READONLY" : "WV-UNWRITABLE", "the write should fail: " + results(hr_s, hr_m)};
  if (succeeded(hr_s) && hr_s != S_OK) return Divergence{"WV-STATUS", "success must be S_OK: " + results(hr_s, hr_m)};
  if (hr_m == S_OK && failed(hr_s))
    return Divergence{any_exec ? "WV-EXEC" : "WV-ROUNDTRIP", "the write should succeed: " + results(hr_s, hr_m)};
  if (failed(hr_s) && profile_ == Profile::win32 && hr_s != HR_NOACCESS && hr_s != HR_PARTIAL_COPY)
    return Divergence{"WV-CODE", results(hr_s, hr_m)};
  return compare_pages(address, op.length, failed(hr_s) ? "WV-ATOMIC" : "WV-ROUNDTRIP",
                       failed(hr_s) ? "after the failed write" : "after the write");
}

std::optional<Divergence> Differential::read(const opseq::Op& op, std::uint64_t address) {
  std::vector<std::uint8_t> bs(op.length, 0xA5), bm(op.length, 0x5A);  // exact size (see write)
  std::uint32_t ns = kSentinel32, nm = kSentinel32;
  const hresult hr_s = sut_.read_virtual(address, bs.data(), op.length, &ns);
  const hresult hr_m = model_.read_virtual(address, bm.data(), op.length, &nm);
  steps_.back().result = hr_s;
  steps_.back().out = ns;
  if (op.length == 0) {
    if (profile_ == Profile::win32 && (hr_s != S_OK || ns != 0))
      return Divergence{"RV-ZERO-LENGTH", results(hr_s, hr_m) + ", *pBytesRead=" + hex(ns)};
    return std::nullopt;
  }
  if (failed(hr_m)) {
    if (!failed(hr_s)) return Divergence{"RV-FAIL", "the first byte is unreadable: " + results(hr_s, hr_m)};
    return std::nullopt;
  }
  if (hr_s != S_OK || ns == 0 || ns > op.length)
    return Divergence{"RV-FIRST-BYTE", "the first byte is readable: " + results(hr_s, hr_m) + ", *pBytesRead=" + hex(ns)};
  if (profile_ == Profile::win32 && ns != nm)
    return Divergence{"RV-PREFIX", "*pBytesRead is " + hex(ns) + ", the readable prefix is " + hex(nm)};
  if (ns > nm) return Divergence{"RV-FIRST-BYTE", "*pBytesRead " + hex(ns) + " exceeds the readable prefix " + hex(nm)};
  for (std::uint32_t i = 0; i < ns; ++i)
    if (bs[i] != bm[i])
      return Divergence{"X-MODEL", "byte " + hex(address + i) + " reads " + hex(bs[i]) + " on the backend, " +
                                       hex(bm[i]) + " in the model"};
  return std::nullopt;
}

std::optional<Divergence> Differential::inject(const opseq::Op& op) {
  const bool injected = sut_.inject_host_fault(op.fault);
  if (injected) model_.inject_host_fault(op.fault);
  steps_.back().result = injected ? 0 : 1;
  return std::nullopt;
}

std::optional<Divergence> Differential::final_check() {
  for (const opseq::Handle& h : tracker_.handles())
    if (auto d = compare_pages(h.base, h.size, "X-MODEL", "at the end of the sequence")) return d;
  return std::nullopt;
}

}  // namespace vmc
