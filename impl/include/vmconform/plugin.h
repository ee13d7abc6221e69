/* plugin.h - the C ABI through which vmconform checks a third-party implementation.
 *
 * A plugin is a shared object that exports one function returning a table of function pointers.
 * ABI version 1 (vmc_plugin_v1_entry, below first) requires the three documented operations
 * (AllocateVirtualMemory, VirtualFree, WriteVirtual) and ReadVirtual to observe memory; ABI
 * version 2 (vmc_plugin_v2_entry, below second) makes every operation optional, so a debugger's
 * data target (WriteVirtual and ReadVirtual only), a CLR host's memory manager (VirtualAlloc,
 * VirtualFree and VirtualQuery, no ReadVirtual) or a script debugger's data target is checked as
 * it is: the suite arranges memory itself where the plugin says its memory lives, and the rules of
 * the operations a plugin lacks are skipped with that reason. `vmconform run --plugin libyours.so`
 * loads it in an isolated worker process, reads which version it exports, opens a fresh target for
 * every test case and runs the conformance suite and the state machine against it
 * (plugins/README.md). The contract is plain C (usable from C and C++), has no dependency on the
 * rest of vmconform, and only ever grows through a new ABI version; a version-1 plugin keeps
 * working unchanged, compiled against this header or an older one. C++ implementers of the COM
 * interfaces themselves use vmconform/com/adapters.hpp, which defines a version-2 entry for them.
 */
#ifndef VMCONFORM_PLUGIN_H
#define VMCONFORM_PLUGIN_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The version a vmc_plugin_v1 table reports (unchanged since version 1, so a version-1 plugin
 * recompiled against this header still says 1); vmconform refuses a v1 table reporting another one. */
#define VMC_PLUGIN_ABI_VERSION 1u
#define VMC_PLUGIN_ABI_VERSION_1 1u
/* The version a vmc_plugin_v2 table reports. */
#define VMC_PLUGIN_ABI_VERSION_2 2u

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

/* The one symbol a version-1 plugin exports: */
const vmc_plugin_v1 *vmc_plugin_v1_entry(void);

/* ---- ABI version 2 -----------------------------------------------------------------------
 *
 * Every operation is optional; a table provides what its implementation has:
 *
 * | provides                                   | e.g.                              | the suite                    |
 * |--------------------------------------------|-----------------------------------|------------------------------|
 * | write_virtual and/or read_virtual only     | ICorDebug(Mutable)DataTarget      | arranges memory itself       |
 * | allocate_virtual_memory + virtual_free     | IHostMemoryManager (no read)      | observes memory itself       |
 * | all four                                   | IJsDebugDataTarget, an emulator   | checks all, as for version 1 |
 *
 * Rules (spec/rules.json) whose operation a plugin lacks are `skip`, never `pass`, with the reason
 * ("WriteVirtual and ReadVirtual only: AllocateVirtualMemory not provided"); the report names the
 * interface that was checked and how many rules applied. The X- rules (any operation) apply to
 * every plugin: they check the plugin's operations together with the suite's.
 *
 * Memory arranged by the suite. A plugin without allocate_virtual_memory and virtual_free says
 * where its memory lives with memory_process(): in the process that loaded it
 * (VMC_MEMORY_THIS_PROCESS: the worker process of `vmconform run`), or in process N (N > 0,
 * typically the pid=N of its options). The suite then reserves, commits, protects (by committing
 * again with another protection), decommits and releases memory there itself, with the code of
 * its `native` backend (this process: mmap, mprotect, madvise, munmap behind a Win32 region table)
 * or of its `process` backend (process N: the same calls injected with ptrace, after attaching to
 * it), in the page size 0x1000 and allocation granularity 0x10000, and hands the plugin's
 * write_virtual and read_virtual addresses in that memory: committed pages of every protection,
 * reserved-only pages, PAGE_NOACCESS and PAGE_GUARD pages (PROT_NONE), decommitted and released
 * ranges, the boundaries between them, and adjacent reservations. Every WriteVirtual and
 * ReadVirtual rule is set up that way, and the state machine (X-MODEL) sends its allocation and
 * free steps to the suite and its write and read steps to the plugin.
 *
 * Memory observed by the suite. A plugin with allocate_virtual_memory and virtual_free but
 * without write_virtual or read_virtual (a CLR host's memory manager) must also say where its
 * memory lives; the suite then writes (to set up) and reads (to observe) that memory itself,
 * through /proc/PID/maps and /proc/PID/mem, as Win32 would: a page is readable when it is mapped
 * readable, writable when it is mapped writable or executable (WriteProcessMemory writes code
 * pages), so a plugin maps its protections the natural way (PAGE_NOACCESS, PAGE_GUARD and
 * reserved pages PROT_NONE; PAGE_READONLY PROT_READ; PAGE_EXECUTE(_READ) PROT_READ|PROT_EXEC...).
 *
 * Host-fault injection. A plugin with virtual_free may provide inject_free_failure(t, code): the
 * next virtual_free on t returns `code` and does nothing else, and after an injected E_FAIL the
 * target behaves as the rules require of a host that returned E_FAIL (VF-EFAIL-STICKY: every later
 * virtual_free returns HOST_E_CLRNOTAVAILABLE). VF-EFAIL-STICKY is then checked instead of skipped,
 * and the state machine injects host failures (E_FAIL, HOST_E_TIMEOUT, ...). The suite first calls
 * it with code 0 (S_OK) as a question: return nonzero if injection works on t, doing nothing.
 *
 * Loading: vmconform looks for vmc_plugin_v2_entry first, then vmc_plugin_v1_entry. It refuses
 * (exit 2, with the reason) a v2 table whose abi_version is not 2, whose struct_size is smaller
 * than the version-2 table, without open or close, with only one of allocate_virtual_memory and
 * virtual_free, with none of allocate_virtual_memory, write_virtual and read_virtual, lacking an
 * operation without memory_process, with inject_free_failure but no virtual_free, whose
 * memory_process() returns VMC_MEMORY_ELSEWHERE (or less) while an operation is missing, or whose
 * page size or granularity (when the suite arranges memory) is not 0x1000 / 0x10000. */

/* memory_process() results: */
#define VMC_MEMORY_THIS_PROCESS 0  /* the memory of the process that loaded the plugin */
#define VMC_MEMORY_ELSEWHERE (-1)  /* an address space the suite cannot reach (an emulator, a
                                    * dump, a simulation): the plugin must provide every operation */
/* any value N > 0: the memory of process N (the suite attaches to it with ptrace to arrange memory) */

typedef struct vmc_plugin_v2 {
  uint32_t abi_version; /* VMC_PLUGIN_ABI_VERSION_2 */
  uint32_t struct_size; /* sizeof(vmc_plugin_v2): later versions only append fields */
  const char *name;     /* shown in reports, e.g. "my-debugger-data-target" */
  /* The interface the table stands for, shown in reports, e.g. "ICorDebugMutableDataTarget";
   * NULL: the report lists the operations provided. */
  const char *interface_name;
  /* Required. As in version 1: a fresh, independent target per test case; NULL on failure. */
  vmc_target *(*open)(const char *options);
  void (*close)(vmc_target *t);
  /* Page size and allocation granularity; NULL means 0x1000 and 0x10000 (the values of the memory
   * the suite arranges, which a plugin without allocate_virtual_memory must report if it has them). */
  uint32_t (*page_size)(vmc_target *t);
  uint32_t (*allocation_granularity)(vmc_target *t);
  /* Where t's memory lives: VMC_MEMORY_THIS_PROCESS, a process id > 0, or VMC_MEMORY_ELSEWHERE.
   * NULL means VMC_MEMORY_ELSEWHERE. Required when an operation below is NULL. With every
   * operation present it tells the suite which foreign memory exists (rule VF-FOREIGN) instead of
   * the probes version 1 needs (plugins/README.md). */
  int64_t (*memory_process)(vmc_target *t);
  /* The operations, exactly as in version 1; each may be NULL (allocate_virtual_memory and
   * virtual_free together). */
  vmc_hresult (*allocate_virtual_memory)(vmc_target *t, uint64_t address, uint32_t size,
      uint32_t allocation_type, uint32_t page_protection, uint64_t *allocated_address);
  vmc_hresult (*virtual_free)(vmc_target *t, uint64_t address, uint64_t size, uint32_t free_type);
  vmc_hresult (*write_virtual)(vmc_target *t, uint64_t address, const uint8_t *buffer,
      uint32_t bytes_requested);
  vmc_hresult (*read_virtual)(vmc_target *t, uint64_t address, uint8_t *buffer,
      uint32_t bytes_requested, uint32_t *bytes_read);
  vmc_hresult (*query_virtual)(vmc_target *t, uint64_t address, vmc_region_info *info);
  /* Host-fault injection (see above); NULL: VF-EFAIL-STICKY is skipped with that reason. */
  int32_t (*inject_free_failure)(vmc_target *t, vmc_hresult code);
} vmc_plugin_v2;

/* The one symbol a version-2 plugin exports (a plugin may export both; version 2 is used): */
const vmc_plugin_v2 *vmc_plugin_v2_entry(void);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* VMCONFORM_PLUGIN_H */
