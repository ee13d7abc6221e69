/* tiny_vm.h - a tiny simulated address space with Win32 reservation semantics, in plain C.
 *
 * The example C plugin (tiny_vm_plugin.c) exposes it through the vmconform plugin ABI; the
 * mutant plugins (plugins/mutants/) reuse it and break exactly one thing each. An address space
 * is a list of reservations; each reservation has one record per page (reserved or committed,
 * its protection, and its bytes, allocated on first write so untouched pages read as zero).
 * Nothing here touches real memory: addresses are numbers in [0x10000, 0x7FFFFFFEFFFF], so a
 * target is private to the process that opened it. Every operation follows the win32 profile
 * of spec/profiles.md, in the order the reference model checks its arguments.
 */
#ifndef VMCONFORM_TINY_VM_H
#define VMCONFORM_TINY_VM_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "vmconform/plugin.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Vocabulary (the Win32 values). */
#define TVM_MEM_COMMIT 0x1000u
#define TVM_MEM_RESERVE 0x2000u
#define TVM_MEM_DECOMMIT 0x4000u
#define TVM_MEM_RELEASE 0x8000u
#define TVM_MEM_FREE 0x10000u
#define TVM_MEM_PRIVATE 0x20000u
#define TVM_MEM_RESET 0x80000u
#define TVM_MEM_TOP_DOWN 0x100000u
#define TVM_PAGE_NOACCESS 0x01u
#define TVM_PAGE_READONLY 0x02u
#define TVM_PAGE_READWRITE 0x04u
#define TVM_PAGE_EXECUTE 0x10u
#define TVM_PAGE_EXECUTE_READ 0x20u
#define TVM_PAGE_EXECUTE_READWRITE 0x40u
#define TVM_PAGE_GUARD 0x100u
#define TVM_PAGE_NOCACHE 0x200u
#define TVM_PAGE_WRITECOMBINE 0x400u

#define TVM_S_OK ((vmc_hresult)0)
#define TVM_E_POINTER ((vmc_hresult)0x80004003u)
#define TVM_E_FAIL ((vmc_hresult)0x80004005u)
#define TVM_E_INVALIDARG ((vmc_hresult)0x80070057u)           /* ERROR_INVALID_PARAMETER */
#define TVM_HR_NOT_ENOUGH_MEMORY ((vmc_hresult)0x80070008u)
#define TVM_HR_INVALID_ADDRESS ((vmc_hresult)0x800701E7u)     /* ERROR_INVALID_ADDRESS */
#define TVM_HR_PARTIAL_COPY ((vmc_hresult)0x8007012Bu)        /* ERROR_PARTIAL_COPY */
#define TVM_HR_NOACCESS ((vmc_hresult)0x800703E6u)            /* ERROR_NOACCESS */
#define TVM_HOST_E_INVALIDOPERATION ((vmc_hresult)0x80131022u)

#define TVM_PAGE_SIZE 0x1000u
#define TVM_GRANULARITY 0x10000u
#define TVM_LOWEST 0x10000ull
#define TVM_HIGHEST 0x00007FFFFFFEFFFFull /* last usable byte */

typedef struct tvm_page {
  int committed;     /* 0: reserved only */
  uint32_t protect;  /* the protection while committed, 0 while reserved */
  uint8_t *bytes;    /* TVM_PAGE_SIZE bytes, or NULL while the page reads as zero */
} tvm_page;

typedef struct tvm_region {
  uint64_t base;  /* granularity-aligned */
  uint64_t pages; /* the reservation is [base, base + pages * TVM_PAGE_SIZE) */
  uint32_t allocation_protect;
  tvm_page *page;
} tvm_region;

typedef struct tvm_space {
  tvm_region *regions; /* unordered */
  size_t count, capacity;
  /* The tvm_* operations are not thread-safe; a caller that may be called from several threads
   * at once (every plugin: the CLR calls its host from any thread, X-LINEARIZABLE checks it)
   * holds this lock around each one, as tiny_vm_plugin.c does. */
  pthread_mutex_t lock;
  /* Preemption points: called, when set, where a real host's thread can lose the CPU in the
   * middle of an operation (between the pages of a copy, between choosing an address and
   * recording the reservation, between dropping a reservation's memory and unlinking it). NULL
   * in the tiny VM; the concurrency mutants set it to sched_yield so that their races show on a
   * machine with few cores. */
  void (*preempt)(void);
} tvm_space;

tvm_space *tvm_create(void);
void tvm_destroy(tvm_space *s);

/* The operations, with the signatures of the plugin ABI. */
vmc_hresult tvm_allocate(tvm_space *s, uint64_t address, uint32_t size, uint32_t type,
                         uint32_t protect, uint64_t *allocated_address);
vmc_hresult tvm_free(tvm_space *s, uint64_t address, uint64_t size, uint32_t free_type);
vmc_hresult tvm_write(tvm_space *s, uint64_t address, const uint8_t *buffer, uint32_t n);
vmc_hresult tvm_read(tvm_space *s, uint64_t address, uint8_t *buffer, uint32_t n,
                     uint32_t *bytes_read);
vmc_hresult tvm_query(tvm_space *s, uint64_t address, vmc_region_info *info);

/* Building blocks (also used by the mutants). */
uint64_t tvm_page_down(uint64_t a);
tvm_region *tvm_region_at(tvm_space *s, uint64_t address); /* NULL outside every reservation */
tvm_page *tvm_page_at(tvm_space *s, uint64_t address);     /* NULL outside every reservation */
int tvm_valid_protection(uint32_t protect);
int tvm_page_readable(const tvm_page *p);
int tvm_page_writable(const tvm_page *p); /* win32: RW, ERW, and code pages (re-protected) */
/* The page's bytes for writing (allocated, zeroed, on first use); NULL if out of memory. */
uint8_t *tvm_page_bytes(tvm_page *p);
/* Decommits pages [first, first + count) of r: their bytes are dropped. */
void tvm_decommit_pages(tvm_region *r, uint64_t first, uint64_t count);

#ifdef __cplusplus
}
#endif

#endif /* VMCONFORM_TINY_VM_H */
