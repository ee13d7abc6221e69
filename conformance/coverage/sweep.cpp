// sweep.cpp - the coverage sweep (coverage_sweep.hpp): one small block of ops per cell or group
// of cells, written in the op-sequence text form so that each block reads as what it does.
//
// Conventions inside a block: `r0` is the block's newest reservation, `r1` the one before; every
// block releases what it reserves, so the live count stays small and a later block's references
// can only reach released ranges. Sizes, offsets and patterns come from the seed.
#include <algorithm>
#include <stdexcept>

#include "coverage_names.hpp"
#include "vmconform/coverage_sweep.hpp"

namespace vmc::coverage {
namespace {

/// SplitMix64: the sweep depends on nothing but its seed.
struct Rng {
  std::uint64_t state;
  std::uint64_t next() {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  std::uint64_t below(std::uint64_t n) { return n == 0 ? 0 : next() % n; }
  std::uint64_t between(std::uint64_t lo, std::uint64_t hi) { return lo + below(hi - lo + 1); }
};

std::string num(std::uint64_t v) { return v < 10 ? std::to_string(v) : hex(v); }
std::string type_text(std::uint32_t t) { return alloc_type_name(t); }
std::string prot_text(std::uint32_t p) { return protect_name(p); }

/// Ops joined in the order written: `<<` sequences its operands left to right (C++17), where `+`
/// and a call's arguments do not, so a block built with it draws from the Rng in the same order
/// under every compiler (GCC and Clang evaluate `a() + b()` in different orders).
struct Text {
  std::string s;
  Text& operator<<(const std::string& more) {
    s += more;
    return *this;
  }
};

struct Blocks {
  std::uint32_t p, g;  // page size, granularity
  Rng rng;
  std::vector<opseq::Sequence> out;
  opseq::Sequence efail;  // the block that makes the host unusable: always last

  opseq::Sequence parse(const std::string& text) const {
    auto parsed = opseq::parse_text("vmconform-opseq 1\n" + text);
    if (auto* e = std::get_if<opseq::ParseError>(&parsed))
      throw std::logic_error("coverage sweep block, line " + std::to_string(e->line - 1) + ": " + e->message + "\n" + text);
    return std::get<opseq::Sequence>(parsed);
  }
  void add(const std::string& text) { out.push_back(parse(text)); }
  void add(const Text& text) { add(text.s); }

  std::string alloc(const std::string& at, std::uint64_t size, std::uint32_t type, std::uint32_t protect = PAGE_READWRITE) {
    return "alloc " + at + " size=" + num(size) + " type=" + type_text(type) + " protect=" + prot_text(protect) + "\n";
  }
  std::string release(const std::string& at) { return "free " + at + " size=0 type=MEM_RELEASE\n"; }
  std::string decommit(const std::string& at, std::uint64_t size) {
    return "free " + at + " size=" + num(size) + " type=MEM_DECOMMIT\n";
  }
  std::string write(const std::string& at, std::uint64_t length) {
    return "write " + at + " len=" + num(length) + " pattern=" + num(rng.between(1, 255)) + "\n";
  }
  std::string read(const std::string& at, std::uint64_t length) { return "read " + at + " len=" + num(length) + "\n"; }
  /// `r0+p{page}+0x{offset}` and friends.
  static std::string at(const std::string& base, std::int64_t page, std::int64_t offset = 0) {
    std::string s = base;
    if (page > 0) s += "+p" + std::to_string(page);
    if (page < 0) s += "-p" + std::to_string(-page);
    if (offset > 0) s += "+" + hex(static_cast<std::uint64_t>(offset));
    if (offset < 0) s += "-" + hex(static_cast<std::uint64_t>(-offset));
    return s;
  }
  std::uint64_t pages(std::uint64_t lo, std::uint64_t hi) { return rng.between(lo, hi) * p; }
  std::uint64_t small_offset() { return rng.between(1, 0xF0); }

  // ---- alloc-kinds (and access): every type x protection x address ------------------------
  void alloc_kinds() {
    for (const AllocKind& k : coverage::alloc_kinds())
      for (std::uint32_t protect : valid_protections())
        for (bool explicit_address : {false, true}) {
          const std::uint64_t whole = pages(1, 4);
          const std::uint64_t size = whole - (rng.below(2) ? 0 : rng.between(1, p - 1));
          const bool commits = k.type & MEM_COMMIT;
          const bool reserves = k.type & MEM_RESERVE;
          std::string b;
          if (!explicit_address) {
            b += alloc("0", size, k.type, protect);
          } else if (reserves) {  // at a range released just before (reuse.explicit too)
            b += alloc("0", size, MEM_RESERVE) + release("r0") + alloc("r0", size, k.type, protect);
          } else {  // a commit of pages of a reservation (at most 4 pages from page 0 or 1 of 8)
            b += alloc("0", 8 * std::uint64_t{p}, MEM_RESERVE) +
                 alloc(at("r0", static_cast<std::int64_t>(rng.below(2))), size, k.type, protect);
          }
          if (commits) {  // the access cells: a write and a read on the page (they may fail)
            const std::string on = at("r0", 0, rng.below(2) ? 0 : small_offset());
            const std::uint64_t wlen = rng.between(1, 64);
            b += write(on, wlen);
            const std::uint64_t rlen = rng.between(1, 64);
            b += read(on, rlen);
          }
          add(b + release("r0"));
        }
    add(Text{} << alloc("0", pages(2, 3), MEM_COMMIT | MEM_RESERVE) << write("r0", 64) << alloc("r0", p, MEM_RESET)
               << read("r0", 64) << release("r0"));
  }

  // ---- access: pages holding data, given each base protection, read and written -------------
  void access() {
    for (std::uint32_t protect : base_protections()) {
      const std::uint64_t off = small_offset();
      Text b;
      b << alloc("0", 2 * std::uint64_t{p}, MEM_COMMIT | MEM_RESERVE) << write("r0", 2 * std::uint64_t{p})
        << alloc("r0", p, MEM_COMMIT, protect) << read(at("r0", 0, off), rng.between(1, 64));
      const std::uint64_t wlen = rng.between(1, 64);
      b << write(at("r0", 0, off), wlen) << read(at("r0", 0, off), p) << release("r0");
      add(b);
    }
  }

  // ---- sizes -------------------------------------------------------------------------------
  void sizes() {
    const std::uint64_t k = rng.between(1, 3);
    for (std::uint64_t size : {k * p - 1, k * p, k * p + 1, k * g - 1, k * g, k * g + 1})
      add(alloc("0", size, rng.below(2) ? MEM_RESERVE : MEM_COMMIT | MEM_RESERVE) + release("r0"));
    add(alloc("0", 0xFFFFFFFFull - rng.below(p - 1), MEM_RESERVE) + release("r0"));
    const std::uint64_t region = 20 * std::uint64_t{p};
    std::string b = alloc("0", region, MEM_COMMIT | MEM_RESERVE);
    for (std::uint64_t length : {std::uint64_t{0}, std::uint64_t{1}, k * p - 1, k * p, k * p + 1, 16 * std::uint64_t{p} + rng.below(p)}) {
      b += write(at("r0", 0, rng.below(2) ? 0 : small_offset()), length);
      b += read(at("r0", 0, small_offset()), length);
    }
    add(b + release("r0"));
  }

  // ---- ranges: write, read, commit and decommit over every shape --------------------------
  std::string op_over(const char* op, const std::string& from, std::uint64_t length) {
    const std::string o = op;
    if (o == "write") return write(from, length);
    if (o == "read") return read(from, length);
    if (o == "commit") return alloc(from, length, MEM_COMMIT, rng.below(2) ? PAGE_READWRITE : PAGE_READONLY);
    return decommit(from, length);
  }
  void ranges() {
    const std::uint64_t granule_pages = g / p;
    for (const char* op : {"write", "read", "commit", "decommit"}) {
      const std::uint64_t off = small_offset();
      // inside one page; across committed pages
      add(Text{} << alloc("0", pages(2, 3), MEM_COMMIT | MEM_RESERVE)
                 << op_over(op, at("r0", 0, off), rng.between(1, p - off - 1)) << release("r0"));
      add(alloc("0", 4 * std::uint64_t{p}, MEM_COMMIT | MEM_RESERVE) + op_over(op, at("r0", 0, off), 2 * std::uint64_t{p}) +
          release("r0"));
      // committed -> reserved, reserved -> committed (pages 0-1 committed, 2-3 reserved; or the reverse)
      add(alloc("0", 4 * std::uint64_t{p}, MEM_RESERVE) + alloc("r0", 2 * std::uint64_t{p}, MEM_COMMIT) +
          op_over(op, at("r0", 1, off), 2 * std::uint64_t{p}) + release("r0"));
      add(alloc("0", 4 * std::uint64_t{p}, MEM_RESERVE) + alloc(at("r0", 2), 2 * std::uint64_t{p}, MEM_COMMIT) +
          op_over(op, at("r0", 1, off), 2 * std::uint64_t{p}) + release("r0"));
      // past the end of a reservation (its granule tail is free)
      add(Text{} << alloc("0", pages(1, 3), MEM_COMMIT | MEM_RESERVE)
                 << op_over(op, at("end(r0)", 0, -static_cast<std::int64_t>(off)), 2 * off) << release("r0"));
      // into the adjacent reservation: A is whole granules, B starts at its end (three tries of
      // each: a backend whose address space holds other mappings may refuse B, decision D-OCCUPIED)
      for (std::uint32_t second : {MEM_COMMIT | MEM_RESERVE, std::uint32_t{MEM_RESERVE}, MEM_COMMIT | MEM_RESERVE,
                                   std::uint32_t{MEM_RESERVE}, MEM_COMMIT | MEM_RESERVE, std::uint32_t{MEM_RESERVE}})
        add(alloc("0", g, MEM_COMMIT | MEM_RESERVE) + alloc("end(r0)", g, second) +
            op_over(op, at("end(r1)", 0, -static_cast<std::int64_t>(off)), 2 * off) + release("r0") + release("r1"));
      // across free memory into another reservation: A is one page, B starts one granule later
      add(alloc("0", p, MEM_COMMIT | MEM_RESERVE) + alloc(at("r0", static_cast<std::int64_t>(granule_pages)), p, MEM_COMMIT | MEM_RESERVE) +
          op_over(op, at("end(r1)", 0, -static_cast<std::int64_t>(off)), g - p + 2 * off) + release("r0") + release("r1"));
    }
  }

  // ---- decommit, release of mixed reservations, recommit read back --------------------------
  void decommits() {
    const std::uint64_t six = 6 * std::uint64_t{p};
    add(Text{} << alloc("0", six, MEM_COMMIT | MEM_RESERVE) << write("r0", six) << decommit(at("r0", 1, small_offset()), 1)
               << decommit(at("r0", 2), 2 * std::uint64_t{p}) << alloc(at("r0", 1), 3 * std::uint64_t{p}, MEM_COMMIT)
               << read(at("r0", 1), p) << read(at("r0", 2), p) << read(at("r0", 3), p) << decommit(at("r0", 4), p)
               << release("r0"));
    add(alloc("0", six, MEM_COMMIT | MEM_RESERVE) + write("r0", 64) + decommit("r0", 0) + alloc("r0", p, MEM_COMMIT) +
        read("r0", 64) + decommit("r0", six) + release("r0"));
  }

  // ---- reuse after release -----------------------------------------------------------------
  void reuse() {
    const std::uint64_t size = pages(2, 4);
    add(alloc("0", size, MEM_COMMIT | MEM_RESERVE) + write("r0", 32) + release("r0") +
        alloc("0", size, MEM_COMMIT | MEM_RESERVE) + read("r0", 32) + release("r0"));
    add(alloc("0", size, MEM_COMMIT | MEM_RESERVE) + release("r0") + alloc("0", size - p, MEM_COMMIT | MEM_RESERVE) +
        release("r0"));
    add(alloc("0", size, MEM_COMMIT | MEM_RESERVE) + release("r0") + alloc("0", size + p + 1, MEM_COMMIT | MEM_RESERVE) +
        release("r0"));
  }

  // ---- many live reservations ----------------------------------------------------------------
  void history() {
    const int live = 66 + static_cast<int>(rng.below(8));
    std::string b;
    for (int i = 0; i < live; ++i) b += alloc("0", p, i % 2 ? MEM_RESERVE : MEM_COMMIT | MEM_RESERVE);
    const std::string reserved = "r" + std::to_string(rng.below(32) * 2 + 1);
    b += write(at(reserved, 0, small_offset()), 16);
    b += read("r1", 16);
    // The op-sequence text form caps a text at 256 ops: the releases are parsed on their own and
    // joined to the same block (a block is never split).
    std::string r;
    for (int i = 0; i < live; ++i) r += release("r" + std::to_string(i));
    opseq::Sequence block = parse(b), releases = parse(r);
    block.insert(block.end(), releases.begin(), releases.end());
    out.push_back(std::move(block));
  }

  // ---- every failure path ------------------------------------------------------------------
  void failures() {
    add(alloc("0", p, 0) + alloc("0", 0, MEM_COMMIT | MEM_RESERVE) + alloc("0", p, MEM_COMMIT | MEM_RESERVE, 0) +
        alloc("0+0x1000", p, MEM_COMMIT | MEM_RESERVE) + alloc("0", p, MEM_RESET));
    add(alloc("0", 2 * std::uint64_t{p}, MEM_RESERVE) + alloc(at("r0", 1), p, MEM_RESERVE) +   // conflict
        alloc("r0", p, MEM_RESERVE, 0) +                                                            // conflict + protection
        alloc(at("end(r0)", static_cast<std::int64_t>(g / p) * 2), p, MEM_COMMIT) +                 // commit outside
        release("r0") + alloc("r0", p, MEM_RESET));                                                 // reset outside
    add(alloc("0", p, MEM_RESERVE | MEM_WRITE_WATCH) + alloc("0", p, MEM_COMMIT | MEM_RESERVE) + release("r0") +
        release("r1"));
    add(alloc("0", 2 * std::uint64_t{p}, MEM_COMMIT | MEM_RESERVE) + "free r0 size=0 type=0\n" +
        "free r0 size=1 type=MEM_RELEASE\n" + release("0+0x5000") + release(at("end(r0)", 0, 0x10)) +
        release(at("r0", 1)) + decommit(at("r0", 1), 0) + decommit(at("r0", 1), g) +
        "free r0-0x8 size=1 type=MEM_RELEASE\n" + "free-foreign f0 type=MEM_RELEASE\n" + release("r0") + release("r0"));
    // write and read failures: page 1 NOACCESS, page 2 guard, page 3 reserved, page 0 read-only
    add(Text{} << alloc("0", 4 * std::uint64_t{p}, MEM_COMMIT | MEM_RESERVE) << alloc(at("r0", 1), p, MEM_COMMIT, PAGE_NOACCESS)
               << alloc(at("r0", 2), p, MEM_COMMIT, PAGE_READWRITE | PAGE_GUARD) << decommit(at("r0", 3), p)
               << write(at("r0", 1, small_offset()), 4) << read(at("r0", 1, small_offset()), 4)
               << write(at("r0", 2, small_offset()), 4) << read(at("r0", 2, small_offset()), 4)
               << write(at("r0", 3, small_offset()), 4) << read(at("r0", 3, small_offset()), 4)
               << alloc("r0", p, MEM_COMMIT, PAGE_READONLY) << write(at("r0", 0, small_offset()), 4)
               << write(at("end(r0)", 0, 0x10), 4) << read(at("end(r0)", 0, 0x10), 4) << write("0+0x2000", 4)
               << read("0+0x2000", 4) << write("0-0x10", 0x20) << release("r0") << write("r0", 4) << read("r0", 4));
    // host failures, each followed by the free it fails, then the real release
    for (const char* fault : {"HOST_E_TIMEOUT", "HOST_E_NOT_OWNER", "HOST_E_ABANDONED", "HOST_E_CLRNOTAVAILABLE"})
      add(alloc("0", p, MEM_RESERVE) + "inject-fault " + fault + "\n" + release("r0") + release("r0"));
    efail = parse(alloc("0", p, MEM_RESERVE) + "inject-fault E_FAIL\n" + release("r0") + release("r0"));
  }
};

Blocks build(std::uint64_t seed, std::uint32_t page, std::uint32_t granularity) {
  Blocks b{page, granularity, Rng{seed ^ 0x5EEDC0FFEEull}, {}, {}};
  b.alloc_kinds();
  b.access();
  b.sizes();
  b.ranges();
  b.decommits();
  b.reuse();
  b.history();
  b.failures();
  // Shuffle (Fisher-Yates).
  for (std::size_t i = b.out.size(); i > 1; --i) std::swap(b.out[i - 1], b.out[b.rng.below(i)]);
  return b;
}

bool is_efail(const opseq::Op& op) { return op.kind == opseq::OpKind::inject_fault && op.fault == E_FAIL; }

}  // namespace

std::vector<opseq::Sequence> sweep_blocks(std::uint64_t seed, std::uint32_t page, std::uint32_t granularity) {
  Blocks b = build(seed, page, granularity);
  b.out.push_back(std::move(b.efail));
  return std::move(b.out);
}

opseq::Sequence sweep(std::uint64_t seed, std::uint32_t page, std::uint32_t granularity) {
  return interleave(seed, {}, page, granularity);
}

opseq::Sequence interleave(std::uint64_t seed, const opseq::Sequence& random, std::uint32_t page,
                           std::uint32_t granularity) {
  Blocks b = build(seed, page, granularity);
  // The random ops up to their first E_FAIL injection take the blocks between them; after it
  // every VirtualFree fails, so the rest of the random ops and the E_FAIL block come last.
  const auto efail_at = std::find_if(random.begin(), random.end(), is_efail);
  const std::size_t before = static_cast<std::size_t>(efail_at - random.begin());
  std::vector<std::size_t> cut(b.out.size());
  for (std::size_t& c : cut) c = b.rng.below(before + 1);
  std::sort(cut.begin(), cut.end());
  opseq::Sequence out;
  std::size_t next_block = 0;
  for (std::size_t i = 0; i <= before; ++i) {
    while (next_block < b.out.size() && cut[next_block] == i) {
      out.insert(out.end(), b.out[next_block].begin(), b.out[next_block].end());
      ++next_block;
    }
    if (i < before) out.push_back(random[i]);
  }
  out.insert(out.end(), efail_at, random.end());
  out.insert(out.end(), b.efail.begin(), b.efail.end());
  return out;
}

}  // namespace vmc::coverage
