// reference_model.hpp - the simulated address space that is the oracle (backend `sim`).
//
// Written for clarity (like WebAssembly's reference interpreter): each public
// operation reads as the rules in spec/rules.json, in the order the rules are checked, and
// each failure names its rule in a comment. The model implements the `win32` profile's
// choices; where the `documented` profile allows more, the checker (conformance/) accepts
// the alternative and tells the model to adopt it (adopt_* below). Memory is sparse: a
// host allocation is a run-length map of page states, and only its pages that hold a non-zero
// byte store data (in the allocation), so reserving 1 TiB costs a few hundred bytes. Speed
// is a concern of the data structures only (AllocationTable below): an operation among 100,000
// allocations costs a few cache misses, so long tests and fuzzing can use the model freely.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "vmconform/flat_map.hpp"
#include "vmconform/page_bytes.hpp"
#include "vmconform/target.hpp"

namespace vmc {

enum class PageState : std::uint8_t { reserved, committed };

struct ModelConfig {
  std::uint32_t page_size = 0x1000;
  std::uint32_t allocation_granularity = 0x10000;
  std::uint64_t seed = 1;  // drives the system's address choice
  std::uint64_t lowest_address = 0x10000;
  std::uint64_t highest_address = 0x00007FFFFFFEFFFFull;  // last usable byte
  /// Start with a simulated executable image mapped at 0x400000 (foreign memory for
  /// VF-FOREIGN). The differential checker turns it off: there the backend's own foreign
  /// memory is what matters, and the model must not refuse an address the backend chose.
  bool foreign_image = true;
};

/// One rule a call breaks, with the code the model returns for it (the win32 profile's code).
/// A call may break several rules at once; then the code of any of them is correct, in both
/// profiles (decision D-ERROR-PRECEDENCE): the model returns the first one's, the checker
/// accepts them all.
struct Violation {
  const char* rule;  // a rule ID of spec/rules.json
  hresult code;
  const char* what;  // which check, in a word: "type", "size", "protection", "conflict", "foreign"...
  bool operator==(const Violation&) const = default;
};

/// One host allocation (a reservation made through AllocateVirtualMemory).
struct Allocation {
  std::uint64_t base = 0;
  std::uint64_t size = 0;  // page multiple
  std::uint32_t allocation_protect = 0;
  /// Run-length map: first page index of a run -> (state, protection) of the run. Every page
  /// of the allocation belongs to exactly one run; adjacent runs differ. A FlatMap (flat_map.hpp)
  /// whose one inline entry holds the single run of most allocations inside the allocation.
  struct Run {
    PageState state;
    std::uint32_t protect;
    bool operator==(const Run&) const = default;
  };
  FlatMap<std::uint64_t, Run, 1> runs;
  /// The bytes of its pages that hold a non-zero byte: page index -> page_size bytes; a page
  /// without an entry reads as zero. Only committed pages store bytes. The bytes are shared
  /// between copies of the model (the checker snapshots it before some operations) and copied
  /// on the first write to a shared page (ReferenceModel::own_page); page_bytes.hpp. A FlatMap
  /// with one inline entry: a region's first stored page is found inside the allocation.
  FlatMap<std::uint64_t, PageBytes, 1> pages;
};

/// The live allocations of a model, by base (what allocations() shows the checker, the fuzzers
/// and the tests), found by address in a few cache misses among 100,000 of them.
///
/// Each allocation is stored as a (base, allocation) record of its own on the heap, which never
/// moves while the allocation lives (the model and the checker hold Allocation pointers). Its
/// runs and first stored page are inside the record (FlatMap), so reading a region visits its
/// record and its bytes; and as a record is allocated when its region is, the bytes written soon
/// after usually lie in the same 4 KiB page of memory (one TLB miss for both). (Records kept
/// densely in chunks of their own were measured slower for read_64/write_64 at 100,000 regions:
/// the record and its bytes then cost a TLB miss each.)
///
/// The index: the sorted list of (base, end, record) cut into blocks of at most kMaxBlock
/// entries (a B-tree of depth two); it alone keeps the allocations in base order and owns the
/// records. A lookup binary-searches the blocks' first bases, a small array that stays in cache,
/// then scans one block, a single allocation of a few cache lines; inserting or erasing shifts
/// the entries of one block, and a full block is split in two. A copy of the table copies the
/// records in base order and indexes them anew.
///
/// Each index entry also remembers one stored page of its allocation (the model tells it which:
/// remember_page). A lookup that lands in that page prefetches the page's bytes while the record
/// is on its way, so that the two arrive together rather than one after the other: reading or
/// writing 64 bytes of one region among 100,000 then waits for one memory access, not two
/// (reports/benchmarks/model-lookup.md). It is only a hint to the processor; check_index checks
/// that it names a page the allocation stores.
///
/// Reads like a std::map<std::uint64_t, Allocation> (begin/end in base order, find, at,
/// upper_bound, size, empty; entries with .first and .second); only insert and erase change
/// it. Unlike a std::map's, its iterators are invalidated by every insert and erase (pointers to
/// the allocations are not).
class AllocationTable {
 public:
  /// (base, allocation), as in a std::map<std::uint64_t, Allocation>.
  using value_type = std::pair<std::uint64_t, Allocation>;

  /// Walks the index in base order.
  class const_iterator {
   public:
    using iterator_category = std::bidirectional_iterator_tag;
    using value_type = AllocationTable::value_type;
    using difference_type = std::ptrdiff_t;
    using pointer = const value_type*;
    using reference = const value_type&;

    const_iterator() = default;
    reference operator*() const { return *table_->blocks_[block_][index_].record; }
    pointer operator->() const { return table_->blocks_[block_][index_].record.get(); }
    const_iterator& operator++() {
      if (++index_ == table_->blocks_[block_].size()) {
        ++block_;
        index_ = 0;
      }
      return *this;
    }
    const_iterator& operator--() {
      if (index_ == 0) {
        --block_;
        index_ = table_->blocks_[block_].size();
      }
      --index_;
      return *this;
    }
    const_iterator operator++(int) {
      const_iterator before = *this;
      ++*this;
      return before;
    }
    const_iterator operator--(int) {
      const_iterator before = *this;
      --*this;
      return before;
    }
    bool operator==(const const_iterator&) const = default;

   private:
    friend class AllocationTable;
    const_iterator(const AllocationTable* table, std::size_t block, std::size_t index)
        : table_(table), block_(block), index_(index) {}
    const AllocationTable* table_ = nullptr;
    std::size_t block_ = 0;  // blocks_.size() (and index_ 0) at the end
    std::size_t index_ = 0;
  };
  using iterator = const_iterator;

  /// `page_size`: the model's page size, for remember_page.
  explicit AllocationTable(std::uint32_t page_size = 0x1000) : page_size_(page_size) {}
  AllocationTable(const AllocationTable& other);
  AllocationTable& operator=(const AllocationTable& other);
  /// A move takes the records, which stay where they are (and pointers to them valid); the
  /// moved-from table is empty.
  AllocationTable(AllocationTable&& other) noexcept { take(other); }
  AllocationTable& operator=(AllocationTable&& other) noexcept;

  const_iterator begin() const { return {this, 0, 0}; }
  const_iterator end() const { return {this, blocks_.size(), 0}; }
  /// The allocation at `base`, or end().
  const_iterator find(std::uint64_t base) const;
  /// The allocation at `base`; throws std::out_of_range if there is none.
  const Allocation& at(std::uint64_t base) const;
  /// The first allocation whose base is above `address`, or end().
  const_iterator upper_bound(std::uint64_t address) const;
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  /// The allocation with the greatest base <= address, or nullptr.
  const Allocation* last_at_or_before(std::uint64_t address) const;
  Allocation* last_at_or_before(std::uint64_t address) {
    return const_cast<Allocation*>(std::as_const(*this).last_at_or_before(address));
  }
  /// The allocation holding `address`, or nullptr. Answered from the index (which knows each
  /// allocation's bounds), so an address outside every allocation costs no visit of one.
  const Allocation* containing(std::uint64_t address) const;
  /// The end (base + size) of the allocation last_at_or_before(address) returns, or 0 if there is
  /// none; from the index alone (checking that a range is free need not visit the allocation).
  std::uint64_t end_of_last_at_or_before(std::uint64_t address) const;
  /// The allocation with the least base > address, or nullptr.
  const Allocation* first_after(std::uint64_t address) const;
  /// Adds `a`; no live allocation may have its base.
  Allocation& insert(Allocation a);
  /// Removes the allocation at `base`, if there is one.
  void erase(std::uint64_t base);
  /// The allocation at `base` stores the bytes of the page at address `page` in the PageBytes
  /// block `block` (PageBytes::block()); nullptr: remember no page of it. A lookup that lands in
  /// that page prefetches them (PageBytes::prefetch). The model calls this whenever it stores a
  /// page's bytes anew, and forgets the page when it drops stored bytes.
  void remember_page(std::uint64_t base, std::uint64_t page, const void* block);
  /// Checks that the index lists every live record once, in base order, with its bounds;
  /// describes the first mismatch.
  std::optional<std::string> check_index() const;

 private:
  static constexpr std::size_t kMaxBlock = 128;
  static constexpr std::size_t kNone = static_cast<std::size_t>(-1);
  struct Entry {
    std::uint64_t base;
    std::uint64_t end;                   // base + size of the allocation (its size never changes)
    std::unique_ptr<value_type> record;  // the allocation (never null)
    std::uint64_t page = 0;              // remember_page: the address of a stored page...
    const void* page_block = nullptr;    // ... and its PageBytes block (nullptr: none)
  };
  using Block = std::vector<Entry>;  // sorted by base, never empty
  /// The last block whose first base is <= address, or kNone.
  std::size_t block_for(std::uint64_t address) const;
  /// The position in the index of the allocation with the greatest base <= address, or end().
  const_iterator position_at_or_before(std::uint64_t address) const;
  const Entry& entry(const_iterator at) const { return blocks_[at.block_][at.index_]; }
  /// This table drops its own records and takes `other`'s records and index; `other` is left
  /// empty.
  void take(AllocationTable& other) noexcept;

  std::vector<Block> blocks_;               // in base order
  std::vector<std::uint64_t> first_bases_;  // first_bases_[i] == blocks_[i].front().base
  std::size_t size_ = 0;                    // live allocations
  std::uint32_t page_size_ = 0x1000;
};

class ReferenceModel final : public Target {
 public:
  explicit ReferenceModel(ModelConfig config = {});

  std::uint32_t page_size() const override { return config_.page_size; }
  std::uint32_t allocation_granularity() const override { return config_.allocation_granularity; }

  hresult allocate_virtual_memory(std::uint64_t address, std::uint32_t size,
                                  std::uint32_t allocation_type, std::uint32_t page_protection,
                                  std::uint64_t* allocated_address) override;
  hresult virtual_free(std::uint64_t address, std::uint64_t size,
                       std::uint32_t free_type) override;
  hresult write_virtual(std::uint64_t address, const std::uint8_t* buffer,
                        std::uint32_t bytes_requested) override;
  hresult read_virtual(std::uint64_t address, std::uint8_t* buffer,
                       std::uint32_t bytes_requested, std::uint32_t* bytes_read) override;
  bool has_query() const override { return true; }
  hresult query_virtual(std::uint64_t address, RegionInfo* info) override;
  std::vector<ForeignMemory> foreign_memory() override;
  bool inject_host_fault(hresult code) override;

  /// Every rule AllocateVirtualMemory(address, size, type, protect) would break in the model's
  /// current state, in the order the model checks them (it returns the first one's code); empty
  /// when the call is valid. Running out of addresses at address 0 is not a rule violation
  /// (HRESULT_FROM_WIN32(ERROR_NOT_ENOUGH_MEMORY), AVM-BASE) and is not listed.
  std::vector<Violation> allocation_violations(std::uint64_t address, std::uint32_t size,
                                               std::uint32_t allocation_type,
                                               std::uint32_t page_protection) const;
  /// Every rule VirtualFree(address, size, free_type) would break, as above. The host's own
  /// state (E_FAIL stickiness, an injected fault) comes before every rule and is not listed.
  std::vector<Violation> free_violations(std::uint64_t address, std::uint64_t size,
                                         std::uint32_t free_type) const;

  // --- adoption: the checker accepts a behaviour the profile allows and the model follows.
  /// AllocateVirtualMemory with address 0, but the system's choice is `chosen_base` (the
  /// backend's). Fails like the real call would if `chosen_base` is not acceptable.
  hresult allocate_at_system_choice(std::uint64_t chosen_base, std::uint32_t size,
                                    std::uint32_t allocation_type, std::uint32_t page_protection,
                                    std::uint64_t* allocated_address);
  /// The backend's address space holds something the model does not know about here
  /// (another library's mapping): later reservations overlapping it conflict.
  void occupy(std::uint64_t address, std::uint64_t size);
  /// Store bytes as they are on the backend (after an allowed alternative such as a write to a
  /// read-only page in the documented profile, or MEM_RESET discarding a page).
  void adopt_bytes(std::uint64_t address, const std::vector<std::uint8_t>& bytes);
  /// Give one committed page another protection, as the backend shows it (a guard page whose
  /// guard an access through the data target consumed, decision D-GUARD, documented profile).
  void adopt_protection(std::uint64_t page, std::uint32_t protect);

  // --- introspection for the checker, the fuzzers and the invariant check ----------------
  struct PageView {
    bool allocated = false;  // inside a live host allocation
    std::uint64_t allocation_base = 0;
    PageState state = PageState::reserved;
    std::uint32_t protect = 0;
  };
  PageView page_at(std::uint64_t address) const;
  bool readable(std::uint64_t address) const;
  /// Writable in the win32 profile (documented-profile alternatives are the checker's job).
  bool writable(std::uint64_t address) const;
  const AllocationTable& allocations() const { return allocations_; }
  const Allocation* allocation_containing(std::uint64_t address) const;
  bool clr_unavailable() const { return clr_unavailable_; }
  /// True when the next VirtualFree returns an injected host fault.
  bool host_fault_pending() const { return pending_fault_.has_value(); }
  /// Number of pages that store bytes, in every allocation.
  std::size_t stored_pages() const;
  /// Checks the model's internal invariants; returns a description of the first broken one.
  std::optional<std::string> check_invariants() const;
  const ModelConfig& config() const { return config_; }

 private:
  std::uint64_t round_down(std::uint64_t v, std::uint64_t to) const { return v - v % to; }
  std::uint64_t page_index(const Allocation& a, std::uint64_t address) const {
    return (address - a.base) / config_.page_size;
  }
  Allocation* find_allocation(std::uint64_t address);
  /// The allocation holding `address`, trying `hint` first: a page-by-page loop passes the
  /// previous page's allocation, so a range inside one allocation costs one lookup.
  const Allocation* find_allocation(std::uint64_t address, const Allocation* hint) const;
  Allocation* find_allocation(std::uint64_t address, Allocation* hint);
  bool range_conflicts(std::uint64_t base, std::uint64_t end) const;
  std::optional<std::uint64_t> choose_base(std::uint64_t size);
  hresult reserve(std::uint64_t base, std::uint64_t size, bool commit, std::uint32_t protect,
                  std::uint64_t* allocated_address);
  hresult commit_existing(std::uint64_t address, std::uint32_t size, std::uint32_t protect,
                          std::uint64_t* allocated_address);
  hresult reset(std::uint64_t address, std::uint32_t size, std::uint64_t* allocated_address);
  void set_pages(Allocation& a, std::uint64_t first, std::uint64_t count, Allocation::Run run);
  Allocation::Run run_at(const Allocation& a, std::uint64_t page) const;
  void drop_bytes(std::uint64_t first_page_address, std::uint64_t count);
  /// What page_at says of `address`, which lies in `a`.
  PageView view_of(const Allocation& a, std::uint64_t address) const;
  /// The page_size stored bytes of the page at address `page` of `a`, or nullptr if it stores
  /// none (it reads as zero).
  const std::uint8_t* stored_bytes(const Allocation& a, std::uint64_t page) const;
  /// The page_size stored bytes of page `index` of `a`, for writing: created (zero) if absent,
  /// unshared if shared with a copy of the model.
  std::uint8_t* own_page(Allocation& a, std::uint64_t index);

  /// SplitMix64 (Steele, Lea, Flood 2014): the whole generator is one 64-bit word, so a model
  /// is cheap to make and to copy (the fuzzers make one per input, the checker copies it).
  struct SplitMix64 {
    std::uint64_t state;
    std::uint64_t operator()() {
      std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
      z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
      z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
      return z ^ (z >> 31);
    }
  };

  ModelConfig config_;
  SplitMix64 rng_;
  AllocationTable allocations_;  // by base (constructed with the page size)
  std::map<std::uint64_t, std::uint64_t> occupied_;  // foreign ranges: base -> size
  std::optional<hresult> pending_fault_;
  bool clr_unavailable_ = false;
};

/// True if `protect` is a protection AllocateVirtualMemory accepts (one base value, legal
/// modifiers) - rule AVM-INVALID.
bool valid_page_protection(std::uint32_t protect);

}  // namespace vmc
