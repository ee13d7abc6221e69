// unicorn_primitives.hpp - VmPrimitives over a unicorn engine's guest memory (the `unicorn` backend).
//
// Windows API emulators (speakeasy, qiling, sogen...) implement VirtualAlloc and friends over an
// emulator's memory; unicorn is the engine most of them use. UnicornEngine owns one x86-64 engine
// (uc_open) with two guest regions mapped at creation the way an emulator maps a program - an
// image and a stack - that the host never allocated (foreign memory). UnicornPrimitives maps the
// region table's POSIX-like primitives onto uc_mem_map / uc_mem_unmap / uc_mem_protect /
// uc_mem_read / uc_mem_write: a reservation is a UC_PROT_NONE mapping, a commit a uc_mem_protect,
// a discard an unmap and map again (fresh guest pages are zero), and "the OS picks" is a
// first-fit search of the free gaps between the engine's regions. Errors become errno values
// (a mapping over another one: EEXIST), as RegionTableTarget expects. Mappings are at most 64 MiB
// (unicorn copies a whole region to split it; unicorn_primitives.cpp).
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "vm_primitives.hpp"
#include "vmconform/target.hpp"

struct uc_struct;

namespace vmc {

class UnicornEngine {
 public:
  UnicornEngine();  // throws std::runtime_error if the engine cannot be opened
  ~UnicornEngine();
  UnicornEngine(const UnicornEngine&) = delete;
  UnicornEngine& operator=(const UnicornEngine&) = delete;
  uc_struct* uc() const { return uc_; }
  /// The guest's image and stack, mapped outside any host table.
  std::vector<ForeignMemory> guest_memory() const;
  /// A page-aligned address where `size` bytes are unmapped: first fit from 0x10000000, on
  /// `alignment` boundaries; 0 if there is none below the top of the user address space.
  std::uint64_t find_free(std::uint64_t size, std::uint64_t alignment) const;

 private:
  uc_struct* uc_ = nullptr;
};

/// Unicorn's error as an errno value (UC_ERR_MAP: EEXIST, UC_ERR_NOMEM: ENOMEM, else EINVAL).
int errno_from_uc(int uc_error);

class UnicornPrimitives final : public VmPrimitives {
 public:
  explicit UnicornPrimitives(UnicornEngine& engine) : engine_(engine) {}
  std::uint32_t os_page_size() const override { return 0x1000; }
  std::uint64_t map_none(std::uint64_t address, std::uint64_t size, bool fixed, int* error) override;
  std::uint64_t map_with(std::uint64_t address, std::uint64_t size, bool fixed, int prot, int* error) override;
  int protect(std::uint64_t address, std::uint64_t size, int prot) override;
  int discard(std::uint64_t address, std::uint64_t size) override;
  int unmap(std::uint64_t address, std::uint64_t size) override;
  std::size_t read(std::uint64_t address, void* buffer, std::size_t n) override;
  std::size_t write(std::uint64_t address, const void* buffer, std::size_t n) override;

 private:
  UnicornEngine& engine_;
};

}  // namespace vmc
