/* plugin.h - the C ABI through which vmconform checks a third-party implementation.
 *
 * A plugin is a shared object that exports one function, vmc_plugin_v1_entry(), returning a
 * table of function pointers: the three documented operations (AllocateVirtualMemory,
 * VirtualFree, WriteVirtual), ReadVirtual to observe memory, and optionally a VirtualQuery-like
 * query. `vmconform run --plugin libyours.so` loads it in an isolated worker process, opens a
 * fresh target for every test case and runs the whole conformance suite and the state machine
 * against it (plugins/README.md). The contract is plain C (usable from C and C++), has no
 * dependency on the rest of vmconform, and only ever grows through a new ABI version.
 */
#ifndef VMCONFORM_PLUGIN_H
#define VMCONFORM_PLUGIN_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The version of the table below; vmconform refuses a plugin reporting another one. */
#define VMC_PLUGIN_ABI_VERSION 1u

/* HRESULT: S_OK == 0, failures have the top bit set (spec/rules.json names the exact codes). */
typedef int32_t vmc_hresult;

/* One target: an address space reached through the operations below. Opaque to vmconform;
 * the plugin defines it. */
typedef struct vmc_target vmc_target;

/* As VirtualQuery's MEMORY_BASIC_INFORMATION (state MEM_COMMIT/MEM_RESERVE/MEM_FREE, type
 * MEM_PRIVATE for host allocations). */
typedef struct vmc_region_info {
  uint64_t base_address, allocation_base, region_size;
  uint32_t allocation_protect, state, protect, type;
} vmc_region_info;

/* Every pointer except query_virtual is required. Addresses and sizes are those of the
 * documented methods; memory observed through read_virtual is the truth the suite checks. */
typedef struct vmc_plugin_v1 {
  uint32_t abi_version; /* VMC_PLUGIN_ABI_VERSION */
  const char *name;     /* shown in reports, e.g. "my-emulator" */
  /* Opens a fresh, independent target (one per test case). `options` is the string given
   * with --plugin-options, "" when none. Returns NULL on failure. */
  vmc_target *(*open)(const char *options);
  /* Releases the target and everything it still holds. */
  void (*close)(vmc_target *t);
  /* Page size and allocation granularity of the target (typically 0x1000 and 0x10000). */
  uint32_t (*page_size)(vmc_target *t);
  uint32_t (*allocation_granularity)(vmc_target *t);
  /* IJsDebugDataTarget::AllocateVirtualMemory: reserve and/or commit; address 0 lets the
   * system choose; *allocated_address receives the base. */
  vmc_hresult (*allocate_virtual_memory)(vmc_target *t, uint64_t address, uint32_t size,
      uint32_t allocation_type, uint32_t page_protection, uint64_t *allocated_address);
  /* IHostMemoryManager::VirtualFree: MEM_DECOMMIT or MEM_RELEASE; memory the host did not
   * allocate returns HOST_E_INVALIDOPERATION (0x80131022). */
  vmc_hresult (*virtual_free)(vmc_target *t, uint64_t address, uint64_t size, uint32_t free_type);
  /* ICorDebugMutableDataTarget::WriteVirtual: all bytes or none. */
  vmc_hresult (*write_virtual)(vmc_target *t, uint64_t address, const uint8_t *buffer,
      uint32_t bytes_requested);
  /* ICorDebugDataTarget::ReadVirtual: may read a prefix; *bytes_read receives its length. */
  vmc_hresult (*read_virtual)(vmc_target *t, uint64_t address, uint8_t *buffer,
      uint32_t bytes_requested, uint32_t *bytes_read);
  /* VirtualQuery-like description of the region holding `address`. May be NULL. */
  vmc_hresult (*query_virtual)(vmc_target *t, uint64_t address, vmc_region_info *info); /* may be NULL */
} vmc_plugin_v1;

/* The one symbol a plugin exports: */
const vmc_plugin_v1 *vmc_plugin_v1_entry(void);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* VMCONFORM_PLUGIN_H */
