// differential.cpp - the side-by-side checker: backend vs reference model, one op at a time.
//
// Each op runs on the backend first, then on the model (snapshotted, so that a choice the
// profile allows can be adopted or rolled back), then the two results are compared and the
// pages the op touched are read back on both sides. The first difference is reported with the
// rule it breaks.
#include "vmconform/differential.hpp"

#include <algorithm>
#include <string_view>

namespace vmc {
namespace {

constexpr std::uint64_t kSentinel64 = 0xdeadbeefdeadbeefull;
constexpr std::uint32_t kSentinel32 = 0xdeadbeefu;
/// Allocation types the suite does not cover (decision D-SCOPE): a backend may refuse or honour them.
constexpr std::uint32_t kOutOfScopeTypes = MEM_WRITE_WATCH | MEM_LARGE_PAGES | MEM_PHYSICAL | MEM_RESET_UNDO;

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

std::uint64_t round_down(std::uint64_t v, std::uint64_t to) { return v - v % to; }

std::string results(hresult sut, hresult model) {
  return "backend returned " + hresult_name(sut) + ", model returned " + hresult_name(model);
}

}  // namespace

Differential::Differential(Target& sut, Profile profile, Options options)
    : sut_(sut), profile_(profile), options_(options), model_([&] {
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

void Differential::track_coverage(coverage::Tracker* tracker) {
  coverage_ = tracker;
  if (coverage_ && tracker_.foreign().empty()) coverage_->no_foreign_memory();
}

std::optional<Divergence> Differential::step(const opseq::Op& op) { return step_at(op, tracker_.resolve(op.addr)); }

std::optional<Divergence> Differential::step_at(const opseq::Op& op, std::uint64_t address) {
  steps_.push_back(StepRecord{op, address, 0, 0});
  if (coverage_) {  // judged in the model's state before the op
    switch (op.kind) {
      case opseq::OpKind::alloc: coverage_->allocate(model_, address, op.size, op.type, op.protect); break;
      case opseq::OpKind::free:
      case opseq::OpKind::free_foreign:
        coverage_->free(model_, address, op.free_size, op.type, op.kind == opseq::OpKind::free_foreign);
        break;
      case opseq::OpKind::write: coverage_->write(model_, address, op.length); break;
      case opseq::OpKind::read: coverage_->read(model_, address, op.length); break;
      case opseq::OpKind::inject_fault: break;  // after the backend says whether it can
    }
  }
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

// ---------------------------------------------------------------------------------------
// Access through the data target, with the choices the profile leaves open
// ---------------------------------------------------------------------------------------
namespace {
using Access = Differential::Access;
Access either(Access a, Access b) { return a == b ? a : Access::maybe; }
std::uint32_t base_protection(std::uint32_t protect) { return protect & 0xFF; }
}  // namespace

Differential::Access Differential::readability(std::uint64_t page) const {
  const ReferenceModel::PageView v = model_.page_at(page);
  if (!v.allocated || v.state != PageState::committed) return Access::no;
  const bool documented = profile_ == Profile::documented;
  const auto under = [&](std::uint32_t protect) {
    if (protect & PAGE_GUARD) return Access::no;  // D-GUARD
    if (base_protection(protect) == PAGE_NOACCESS) return Access::no;
    if (base_protection(protect) == PAGE_EXECUTE) return documented ? Access::maybe : Access::yes;  // D-EXEC-READ
    return Access::yes;
  };
  Access a = under(v.protect);
  if ((v.protect & PAGE_GUARD) && guard_hits_.count(page)) a = either(a, under(v.protect & ~PAGE_GUARD));  // D-GUARD
  return a;
}

Differential::Access Differential::writability(std::uint64_t page) const {
  const ReferenceModel::PageView v = model_.page_at(page);
  if (!v.allocated || v.state != PageState::committed) return Access::no;
  const bool documented = profile_ == Profile::documented;
  const auto under = [&](std::uint32_t protect) {
    if (protect & PAGE_GUARD) return Access::no;  // D-GUARD
    switch (base_protection(protect)) {
      case PAGE_READWRITE:
      case PAGE_EXECUTE_READWRITE: return Access::yes;
      case PAGE_READONLY: return documented ? Access::maybe : Access::no;  // D-READONLY-WRITE
      case PAGE_EXECUTE:
      case PAGE_EXECUTE_READ: return documented ? Access::maybe : Access::yes;  // D-EXEC-WRITE
      default: return Access::no;
    }
  };
  Access a = under(v.protect);
  if ((v.protect & PAGE_GUARD) && guard_hits_.count(page)) a = either(a, under(v.protect & ~PAGE_GUARD));  // D-GUARD
  return a;
}

void Differential::touched(std::uint64_t page) {
  // D-GUARD, both profiles: an access through the data target may have consumed the guard.
  const ReferenceModel::PageView v = model_.page_at(page);
  if (v.allocated && v.state == PageState::committed && (v.protect & PAGE_GUARD)) guard_hits_.insert(page);
}

void Differential::settle_accessible(std::uint64_t page) {
  if (guard_hits_.erase(page) == 0) return;
  const ReferenceModel::PageView v = model_.page_at(page);
  if (v.protect & PAGE_GUARD) model_.adopt_protection(page, v.protect & ~PAGE_GUARD);  // D-GUARD: one-shot
}

void Differential::forget_guard_hits(std::uint64_t from, std::uint64_t to) {
  guard_hits_.erase(guard_hits_.lower_bound(from), to < from ? guard_hits_.end() : guard_hits_.lower_bound(to));
}

bool Differential::failure_accepted(hresult sut, const std::vector<Violation>& broken) const {
  if (!failed(sut)) return false;
  // D-AVM-CODES: the code of MEM_RESET at address 0 is not established; any failure is accepted.
  if (profile_ == Profile::win32)
    return std::any_of(broken.begin(), broken.end(), [&](const Violation& v) {
      return v.code == sut || std::string_view(v.what) == "reset-at-zero";
    });
  // documented: any failure, but HOST_E_INVALIDOPERATION is exact when foreign memory is all
  // that is wrong with the call (VF-FOREIGN names the code).
  const bool only_foreign = std::all_of(broken.begin(), broken.end(),
                                        [](const Violation& v) { return std::string_view(v.rule) == "VF-FOREIGN"; });
  return !only_foreign || sut == HOST_E_INVALIDOPERATION;
}

namespace {
std::string accepted_codes(const std::vector<Violation>& broken) {
  std::string out;
  for (const Violation& v : broken) {
    const std::string code = hresult_name(v.code);
    if (out.find(code) != std::string::npos) continue;
    out += (out.empty() ? "" : " or ") + code;
  }
  return out;
}
}  // namespace

std::optional<Divergence> Differential::compare_pages(std::uint64_t address, std::uint64_t length,
                                                      const char* rule, const char* after) {
  if (!options_.observe_pages) return std::nullopt;
  const std::uint32_t p = model_.page_size();
  const std::uint64_t first = round_down(address, p);
  std::uint64_t end = address + std::max<std::uint64_t>(length, 1);
  if (end < address) end = ~0ull;
  const std::uint64_t pages = (end - first + p - 1) / p;
  for (std::uint64_t i = 0; i < pages; ++i) {
    if (pages > 16 && i == 8) i = pages - 8;  // sample the ends of long ranges
    const std::uint64_t page = first + i * p;
    const Access expected = readability(page);
    const std::uint32_t ns = read_page_into(sut_, page, sut_page_.data(), p);
    touched(page);  // this very read may have consumed a guard (D-GUARD)
    const auto differ = [&](bool backend_readable) {
      return Divergence{rule, std::string(after) + ": page " + hex(page) + " is " +
                                  (backend_readable ? "readable" : "unreadable") + " on the backend, " +
                                  (backend_readable ? "unreadable" : "readable") + " in the model"};
    };
    if (ns == 0) {
      if (expected == Access::yes) return differ(false);
      continue;  // unreadable on both sides, or a page the profile lets be either (D-EXEC-READ)
    }
    // D-NONHOST: a data target reads whatever the process holds outside host memory, above 64 KiB.
    if (expected == Access::no && page >= 0x10000 && !model_.page_at(page).allocated && sut_.reads_beyond_host())
      continue;
    if (expected == Access::no) return differ(true);
    settle_accessible(page);
    const std::uint32_t nm = read_page_into(model_, page, model_page_.data(), p);
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
  std::uint64_t out_s = kSentinel64, out_m = kSentinel64;
  const hresult hr_s = sut_.allocate_virtual_memory(address, op.size, op.type, op.protect, &out_s);
  steps_.back().result = hr_s;
  steps_.back().out = out_s;
  const std::uint32_t p = model_.page_size();
  // Refusing the call must change nothing: the reservation holding `address`, or the range.
  const auto unchanged_after_failure = [&](const ReferenceModel& before) {
    const Allocation* a = before.allocation_containing(address);
    return compare_pages(a ? a->base : address, a ? a->size : op.size, "AVM-NO-EFFECT-ON-FAIL",
                         "after the failed call");
  };
  // D-SCOPE: the out-of-scope allocation types may be refused or honoured. A backend that honours
  // one is checked as the in-scope request it amounts to (MEM_RESET_UNDO alone as MEM_RESET).
  const std::uint32_t out_of_scope = op.type & kOutOfScopeTypes;
  if (out_of_scope != 0 && failed(hr_s)) return unchanged_after_failure(model_);
  std::uint32_t type = op.type & ~out_of_scope;
  if ((out_of_scope & MEM_RESET_UNDO) && type == 0) type = MEM_RESET;
  const std::uint32_t kind = type & ~MEM_TOP_DOWN;
  const bool system_choice = address == 0 && kind != MEM_RESET;
  // A rollback (adopting the backend's refusal) is only ever needed when the backend failed, so
  // only then is the model copied; everything else is read from it before the operation.
  std::optional<ReferenceModel> before;
  if (failed(hr_s)) before = model_;
  const ReferenceModel::PageView at_address = model_.page_at(round_down(address, p));
  const std::vector<Violation> broken = model_.allocation_violations(address, op.size, type, op.protect);
  hresult hr_m;
  if (system_choice && hr_s == S_OK) {
    hr_m = model_.allocate_at_system_choice(out_s, op.size, type, op.protect, &out_m);
    if (hr_m == E_UNEXPECTED)
      return Divergence{"AVM-BASE", "the system chose " + hex(out_s) + ", which is not a multiple of the granularity " +
                                        hex(model_.allocation_granularity()) + " or overlaps a live allocation"};
  } else {
    hr_m = model_.allocate_virtual_memory(address, op.size, type, op.protect, &out_m);
  }
  const std::uint64_t first = round_down(address, p);
  const std::uint64_t range_end = round_down(address + op.size + p - 1, p);
  if (hr_m == S_OK && failed(hr_s)) {
    const bool documented = profile_ == Profile::documented;
    const bool oom = hr_s == E_OUTOFMEMORY || hr_s == HR_NOT_ENOUGH_MEMORY;
    const bool occupied = !system_choice && (kind & MEM_RESERVE) && (hr_s == HR_INVALID_ADDRESS || documented);
    // D-COMMIT-NULL: the documents promise a one-step reservation for MEM_COMMIT|MEM_RESERVE only.
    const bool commit_null = documented && system_choice && kind == MEM_COMMIT;
    // D-RESET-RESERVED: the documents say nothing of MEM_RESET on pages that are not committed.
    bool reset_uncommitted = false;
    if (documented && kind == MEM_RESET)
      for (std::uint64_t page = first; page < range_end && !reset_uncommitted; page += p)
        reset_uncommitted = before->page_at(page).state != PageState::committed;
    // D-SCOPE: a MEM_PHYSICAL reservation is for AWE mappings; VirtualAlloc need not commit it.
    const bool physical = kind == MEM_COMMIT && std::any_of(physical_.begin(), physical_.end(), [&](const opseq::Handle& h) {
      return address >= h.base && address - h.base < h.size;
    });
    if ((system_choice && oom) || occupied) {  // the backend's address space is fuller than the model's
      if (occupied && coverage_) coverage_->occupied_refusal(address);
      // Roll back and remember nothing: only the backend knows which part of the range is taken
      // (marking the whole range would reject a later, smaller reservation in its free part, a
      // false positive the fuzzers found). A later refusal there is tolerated by this same branch.
      model_ = *before;
      return std::nullopt;
    }
    if (commit_null || reset_uncommitted || physical) {
      model_ = *before;
      return unchanged_after_failure(model_);
    }
    const std::string rule = kind == MEM_RESET ? "AVM-RESET" : kind == MEM_COMMIT && address != 0 ? "AVM-COMMIT-RESERVED" : "AVM-STATUS";
    return Divergence{rule, "the call should succeed: " + results(hr_s, hr_m)};
  }
  if (hr_s == S_OK && failed(hr_m)) {
    const std::string rule = broken.empty() ? "AVM-STATUS" : broken.front().rule;
    return Divergence{rule, "the call should fail: " + results(hr_s, hr_m)};
  }
  if (succeeded(hr_s) && hr_s != S_OK) return Divergence{"AVM-STATUS", "success must be S_OK: " + results(hr_s, hr_m)};
  if (failed(hr_s)) {
    const bool code_ok = broken.empty() ? status_equivalent(hr_s, hr_m) : failure_accepted(hr_s, broken);
    if (!code_ok)  // only the win32 profile names codes for AllocateVirtualMemory
      return Divergence{"AVM-CODE", results(hr_s, hr_m) + " (accepted: " + accepted_codes(broken) + ")"};
    if (profile_ == Profile::win32 && out_s != 0)
      return Divergence{"AVM-CODE", results(hr_s, hr_m) + ", *pAllocatedAddress=" + hex(out_s) + " (expected 0)"};
    return unchanged_after_failure(*before);
  }
  if (!system_choice && out_s != out_m)
    return Divergence{"AVM-BASE", "*pAllocatedAddress is " + hex(out_s) + ", expected " + hex(out_m)};
  const bool new_reservation = tracker_.record_alloc(address, op.size, type, S_OK, out_m);
  if (new_reservation && (out_of_scope & MEM_PHYSICAL)) physical_.push_back(tracker_.handles().back());
  const std::uint64_t from = new_reservation ? out_m : first;
  const std::uint64_t end = new_reservation ? out_m + tracker_.handles().back().size : range_end;
  if (kind == MEM_RESET) {  // D-RESET-CONTENTS: each page may keep its bytes or become zero: adopt zeroed pages
    for (std::uint64_t page = from; page < end && options_.observe_pages; page += p) {
      const std::uint32_t ns = read_page_into(sut_, page, sut_page_.data(), p);
      touched(page);
      const std::uint32_t nm = read_page_into(model_, page, model_page_.data(), p);
      const bool zeroed = ns == p && std::all_of(sut_page_.begin(), sut_page_.end(), [](std::uint8_t b) { return b == 0; });
      if (zeroed && nm == p && sut_page_ != model_page_) model_.adopt_bytes(page, sut_page_);
      if (end - from > 64 * std::uint64_t{p} && page == from + 8 * std::uint64_t{p}) page = end - 9 * std::uint64_t{p};
    }
    return compare_pages(from, end - from, "AVM-RESET", "after MEM_RESET (pages keep their bytes or become zero)");
  }
  forget_guard_hits(from, end);  // the pages were (re)committed: any guard on them is fresh
  // A new reservation's pages are fresh; a commit at an address is fresh unless already committed.
  const bool fresh = new_reservation || !(at_address.allocated && at_address.state == PageState::committed);
  return compare_pages(from, end - from,
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
  // The host's own state (E_FAIL stickiness, an injected fault) comes before every rule.
  const bool host_state = model_.clr_unavailable() || model_.host_fault_pending();
  const std::vector<Violation> broken =
      host_state ? std::vector<Violation>{} : model_.free_violations(address, op.free_size, op.type);
  const hresult hr_m = model_.virtual_free(address, op.free_size, op.type);
  const bool release = op.type == MEM_RELEASE;
  const bool documented = profile_ == Profile::documented;
  if (hr_m == S_OK && failed(hr_s) && documented && a && address != a->base &&
      round_down(address, model_.page_size()) == a->base && (release || op.free_size == 0)) {
    model_ = *before;  // D-FIRST-PAGE: the documented profile also accepts refusing a non-base address
    return compare_pages(a->base, a->size, "X-NO-EFFECT-ON-FAIL", "after the refused free");
  }
  if (hr_s == S_OK && documented && broken.size() == 1 && std::string_view(broken[0].rule) == "VF-DECOMMIT-WHOLE") {
    // D-DECOMMIT-NOT-AT-BASE: the documents decommit "the pages holding a byte of [address,
    // address+0)", none; S_OK is accepted when it changes nothing.
    return compare_pages(a->base, a->size, "VF-DECOMMIT-WHOLE", "after a size-0 decommit beyond the first page");
  }
  if (hr_s == S_OK && failed(hr_m)) {
    std::string rule = broken.empty() ? "X-NO-EFFECT-ON-FAIL" : broken.front().rule;  // an injected host failure
    if (hr_m == HOST_E_CLRNOTAVAILABLE) rule = "VF-EFAIL-STICKY";
    return Divergence{rule, "the call should fail: " + results(hr_s, hr_m)};
  }
  if (hr_m == S_OK && hr_s != S_OK) {
    const std::string rule = succeeded(hr_s) ? "VF-STATUS" : release ? "VF-RELEASE-WHOLE"
                             : op.free_size == 0 ? "VF-DECOMMIT-WHOLE" : "VF-DECOMMIT-RANGE";
    return Divergence{rule, "the call should succeed with S_OK: " + results(hr_s, hr_m)};
  }
  if (failed(hr_m)) {
    if (hr_s == E_FAIL && hr_m != E_FAIL) return Divergence{"VF-NO-EFAIL", results(hr_s, hr_m)};
    if (hr_m == HOST_E_CLRNOTAVAILABLE && hr_s != hr_m) return Divergence{"VF-EFAIL-STICKY", results(hr_s, hr_m)};
    if (host_state) {
      if (!status_equivalent(hr_s, hr_m)) return Divergence{"VF-CODE", results(hr_s, hr_m)};
    } else if (!failure_accepted(hr_s, broken)) {
      const bool only_foreign = broken.size() == 1 && std::string_view(broken[0].rule) == "VF-FOREIGN";
      return Divergence{only_foreign ? "VF-FOREIGN" : "VF-CODE",
                        results(hr_s, hr_m) + " (accepted: " + accepted_codes(broken) + ")"};
    }
  }
  if (!a) return std::nullopt;
  if (hr_m == S_OK && (release || op.free_size == 0)) forget_guard_hits(a->base, a->base + a->size);
  if (hr_m == S_OK && !release && op.free_size != 0)  // exactly the decommitted pages
    forget_guard_hits(round_down(address, model_.page_size()), address + op.free_size);
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
  if (op.length == 0) {  // D-ZERO-WRITE: S_OK is established in committed writable memory only
    if (profile_ == Profile::win32 && hr_s != S_OK && address != 0) {
      const ReferenceModel::PageView v = model_.page_at(round_down(address, model_.page_size()));
      const std::uint32_t base = v.protect & 0xFF;
      if (v.allocated && v.state == PageState::committed && !(v.protect & PAGE_GUARD) &&
          (base == PAGE_READWRITE || base == PAGE_EXECUTE_READWRITE))
        return Divergence{"WV-ZERO-LENGTH-WRITABLE", results(hr_s, S_OK)};
    }
    return std::nullopt;
  }
  // What the profile allows on the pages of the range, as the model sees them before the write.
  const std::uint32_t p = model_.page_size();
  const bool wraps = address + op.length - 1 < address;
  Access access = wraps ? Access::no : Access::yes;
  bool any_readonly = false, any_exec = false;
  std::vector<std::uint64_t> range_pages;
  for (std::uint64_t page = round_down(address, p); !wraps && page <= address + op.length - 1; page += p) {
    range_pages.push_back(page);
    const Access a = writability(page);
    access = a == Access::no || access == Access::no ? Access::no : a == Access::maybe ? Access::maybe : access;
    const ReferenceModel::PageView v = model_.page_at(page);
    const bool usable = v.allocated && v.state == PageState::committed && !(v.protect & PAGE_GUARD);
    any_readonly |= usable && (v.protect & 0xFF) == PAGE_READONLY;
    any_exec |= usable && ((v.protect & 0xFF) == PAGE_EXECUTE || (v.protect & 0xFF) == PAGE_EXECUTE_READ);
    if (page + p < page) break;
  }
  // D-EXEC-WRITE: WriteProcessMemory makes writable only the region holding the start address,
  // so Windows writes code pages only when the whole range is one run of one protection; a range
  // that mixes a PAGE_EXECUTE(_READ) page with pages of another protection may fail (all or
  // nothing still holds: WV-ATOMIC), in both profiles.
  if (any_exec && access == Access::yes && !wraps) {
    const ReferenceModel::PageView first_view = model_.page_at(range_pages.front());
    const bool one_run = std::all_of(range_pages.begin(), range_pages.end(), [&](std::uint64_t page) {
      const ReferenceModel::PageView v = model_.page_at(page);
      return v.protect == first_view.protect && v.allocation_base == first_view.allocation_base;
    });
    if (!one_run) access = Access::maybe;
  }
  for (std::uint64_t page : range_pages) touched(page);  // the backend may have hit a guard
  const hresult hr_m = access == Access::no ? HR_NOACCESS : S_OK;  // what the model expects (win32 code)
  if (succeeded(hr_s) && hr_s != S_OK) return Divergence{"WV-STATUS", "success must be S_OK: " + results(hr_s, hr_m)};
  // The range is refused only because of a PAGE_READONLY page: every page is committed and
  // accessible, and at least one is read-only (WV-READONLY, WV-CODE-READONLY).
  const auto readonly_only = [&] {
    return any_readonly && std::all_of(range_pages.begin(), range_pages.end(), [&](std::uint64_t page) {
      const ReferenceModel::PageView v = model_.page_at(page);
      return v.allocated && v.state == PageState::committed && !(v.protect & PAGE_GUARD) && (v.protect & 0xFF) != PAGE_NOACCESS;
    });
  };
  if (hr_s == S_OK && access == Access::no)
    return Divergence{readonly_only() ? "WV-READONLY" : "WV-UNWRITABLE", "the write should fail: " + results(hr_s, hr_m)};
  if (failed(hr_s) && access == Access::yes)
    return Divergence{any_exec ? "WV-EXEC" : "WV-ROUNDTRIP", "the write should succeed: " + results(hr_s, hr_m)};
  if (failed(hr_s)) {
    // D-WV-CODE: the code is established for a read-only target only; any failure elsewhere.
    if (profile_ == Profile::win32 && readonly_only() && hr_s != HR_NOACCESS && hr_s != HR_PARTIAL_COPY)
      return Divergence{"WV-CODE-READONLY", results(hr_s, hr_m)};
    return compare_pages(address, op.length, "WV-ATOMIC", "after the failed write");
  }
  // Success: every page was writable on the backend (a consumed guard is adopted: D-GUARD), and
  // every byte landed (a read-only or code page written where the profile allows it:
  // D-READONLY-WRITE, D-EXEC-WRITE).
  for (std::uint64_t page : range_pages) settle_accessible(page);
  if (model_.write_virtual(address, data.data(), op.length) != S_OK) model_.adopt_bytes(address, data);
  return compare_pages(address, op.length, "WV-ROUNDTRIP", "after the write");
}

std::optional<Divergence> Differential::read(const opseq::Op& op, std::uint64_t address) {
  std::vector<std::uint8_t> bs(op.length, 0xA5), bm(op.length, 0x5A);  // exact size (see write)
  std::uint32_t ns = kSentinel32, nm = kSentinel32;
  const hresult hr_s = sut_.read_virtual(address, bs.data(), op.length, &ns);
  steps_.back().result = hr_s;
  steps_.back().out = ns;
  if (op.length == 0) {  // D-ZERO-READ
    if (profile_ == Profile::win32 && (hr_s != S_OK || ns != 0))
      return Divergence{"RV-ZERO-LENGTH", results(hr_s, S_OK) + ", *pBytesRead=" + hex(ns)};
    return std::nullopt;
  }
  // The pages of the range in order, with what the profile allows on each (before the read).
  const std::uint32_t p = model_.page_size();
  std::vector<std::pair<std::uint64_t, Access>> range;
  const std::uint64_t last = address + op.length - 1;
  const bool wraps = last < address;  // then the range runs to the end of the address space
  for (std::uint64_t page = round_down(address, p);; page += p) {
    range.emplace_back(page, readability(page));
    if (page + p < page || (!wraps && page + p > last)) break;
  }
  for (const auto& [page, access] : range) touched(page);  // the backend may have hit a guard
  const Access first = range.front().second;
  const hresult hr_first = first == Access::no ? HR_PARTIAL_COPY : S_OK;  // what the model expects
  if (first == Access::no) {
    if (!failed(hr_s)) return Divergence{"RV-FAIL", "the first byte is unreadable: " + results(hr_s, hr_first)};
    return std::nullopt;
  }
  if (failed(hr_s)) {
    if (first == Access::yes)
      return Divergence{"RV-FIRST-BYTE", "the first byte is readable: " + results(hr_s, hr_first) + ", *pBytesRead=" + hex(ns)};
    return std::nullopt;  // a page the profile lets be unreadable (D-EXEC-READ, D-GUARD)
  }
  if (hr_s != S_OK || ns == 0 || ns > op.length)
    return Divergence{"RV-FIRST-BYTE", "the first byte is readable: " + results(hr_s, hr_first) + ", *pBytesRead=" + hex(ns)};
  // The most the backend may read (up to the first page that cannot be read) and, in win32,
  // exactly what it must read (D-READ-PREFIX).
  std::uint64_t most = 0;
  for (const auto& [page, access] : range) {
    if (access == Access::no) break;
    most = page + p - address;
  }
  most = std::min<std::uint64_t>(most, op.length);
  if (ns > most) return Divergence{"RV-FIRST-BYTE", "*pBytesRead " + hex(ns) + " exceeds the readable prefix " + hex(most)};
  for (const auto& [page, access] : range)
    if (page < address + ns) settle_accessible(page);  // D-GUARD: these pages were readable
  const hresult hr_m = model_.read_virtual(address, bm.data(), op.length, &nm);
  if (profile_ == Profile::win32 && ns != nm)
    return Divergence{"RV-PREFIX", "*pBytesRead is " + hex(ns) + ", the readable prefix is " + hex(nm)};
  if (failed(hr_m) || nm < ns)
    return Divergence{"RV-FIRST-BYTE", "*pBytesRead " + hex(ns) + " exceeds the readable prefix " + hex(succeeded(hr_m) ? nm : 0)};
  for (std::uint32_t i = 0; i < ns; ++i)
    if (bs[i] != bm[i])
      return Divergence{"X-MODEL", "byte " + hex(address + i) + " reads " + hex(bs[i]) + " on the backend, " +
                                       hex(bm[i]) + " in the model"};
  return std::nullopt;
}

std::optional<Divergence> Differential::inject(const opseq::Op& op) {
  const bool injected = sut_.inject_host_fault(op.fault);
  if (coverage_) coverage_->inject_fault(op.fault, injected);
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
