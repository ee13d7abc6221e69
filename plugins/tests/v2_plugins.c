/* v2_plugins.c - plugins of ABI version 2 for the gate, one per -D switch.
 *
 * Partial data targets over this process's memory, which the suite arranges for them:
 *   WRITE_ONLY     write_virtual alone (the suite reads the memory back through its own arranger);
 *   READ_ONLY      read_virtual alone (the suite writes the memory it checks reads of);
 *   PARTIAL_WRITE  write_virtual and read_virtual, with a realistic bug: it writes page by page and
 *                  stops at the first page it cannot write, so a failed write leaves a prefix
 *                  written - WV-ATOMIC must catch it on the arranged committed/reserved/no-access
 *                  boundaries.
 * The tiny VM (every operation) with host-fault injection:
 *   INJECT         a correct inject_free_failure: VF-EFAIL-STICKY is checked and passes;
 *   INJECT_ONCE    after an injected E_FAIL only the next call fails (the host recovers): VF-EFAIL-STICKY
 *                  must fail.
 * Tables the loader refuses (exit 2): BAD_ABI (abi_version 3), BAD_SIZE (struct_size too small),
 * BAD_HALF (allocate without free), BAD_NOTHING (no operation), BAD_NO_LOCATION (write only, no
 * memory_process), BAD_ELSEWHERE (write only, memory_process says VMC_MEMORY_ELSEWHERE), BAD_PAGE
 * (write only, page size 0x10000 where the suite arranges 0x1000 pages).
 * Each variant uses only some of the functions below, hence MAYBE_UNUSED. */
#define _GNU_SOURCE /* process_vm_readv */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "mutant_support.h"

#define HR_NOACCESS ((vmc_hresult)0x800703E6u)
#define HR_PARTIAL_COPY ((vmc_hresult)0x8007012Bu)
#define PAGE 0x1000u
#define MAYBE_UNUSED __attribute__((unused))

/* ---- data targets over this process (/proc/self/maps, /proc/self/mem, process_vm_readv) ---- */

typedef struct {
  int mem;
} self_target;

MAYBE_UNUSED static vmc_target *self_open(const char *options) {
  (void)options;
  self_target *s = calloc(1, sizeof *s);
  if (s == NULL) return NULL;
  s->mem = open("/proc/self/mem", O_RDWR | O_CLOEXEC);
  if (s->mem < 0) {
    free(s);
    return NULL;
  }
  return (vmc_target *)s;
}
MAYBE_UNUSED static void self_close(vmc_target *t) {
  close(((self_target *)t)->mem);
  free(t);
}
MAYBE_UNUSED static int64_t this_process(vmc_target *t) {
  (void)t;
  return VMC_MEMORY_THIS_PROCESS;
}

/* Bytes from address (at most n) in consecutive mappings whose permissions hold one of any_of. */
MAYBE_UNUSED static uint64_t accessible(uint64_t address, uint64_t n, const char *any_of) {
  FILE *maps = fopen("/proc/self/maps", "r");
  if (maps == NULL) return 0;
  uint64_t at = address;
  const uint64_t end = address + n;
  char line[512];
  while (at < end && fgets(line, sizeof line, maps) != NULL) {
    unsigned long long low = 0, high = 0;
    char perms[8] = {0};
    if (sscanf(line, "%llx-%llx %7s", &low, &high, perms) != 3 || high <= at) continue;
    if (low > at || strpbrk(perms, any_of) == NULL) break;
    at = high < end ? high : end;
  }
  fclose(maps);
  return at - address;
}

MAYBE_UNUSED static vmc_hresult checked_write(vmc_target *t, uint64_t address, const uint8_t *buffer, uint32_t n) {
  if (n == 0) return 0;
  if (accessible(address, n, "wx") < n) return HR_NOACCESS; /* the whole range first */
  return pwrite(((self_target *)t)->mem, buffer, n, (off_t)address) == (ssize_t)n ? 0 : HR_NOACCESS;
}

MAYBE_UNUSED static vmc_hresult page_by_page_write(vmc_target *t, uint64_t address, const uint8_t *buffer, uint32_t n) {
  uint32_t done = 0;
  while (done < n) { /* the bug: each page is checked only when its turn comes */
    const uint64_t at = address + done;
    uint32_t chunk = PAGE - (uint32_t)(at % PAGE);
    if (chunk > n - done) chunk = n - done;
    if (accessible(at, chunk, "wx") < chunk) return HR_NOACCESS;
    if (pwrite(((self_target *)t)->mem, buffer + done, chunk, (off_t)at) != (ssize_t)chunk) return HR_NOACCESS;
    done += chunk;
  }
  return 0;
}

MAYBE_UNUSED static vmc_hresult prefix_read(vmc_target *t, uint64_t address, uint8_t *buffer, uint32_t n, uint32_t *bytes_read) {
  (void)t;
  *bytes_read = 0;
  if (n == 0) return 0;
  /* One remote iovec per page: process_vm_readv stops at the first page it cannot read. */
  struct iovec local = {buffer, n};
  struct iovec remote[64];
  uint32_t done = 0;
  while (done < n) {
    int count = 0;
    uint32_t batch = 0;
    while (count < 64 && done + batch < n) {
      const uint64_t at = address + done + batch;
      uint32_t chunk = PAGE - (uint32_t)(at % PAGE);
      if (chunk > n - done - batch) chunk = n - done - batch;
      remote[count].iov_base = (void *)(uintptr_t)at;
      remote[count].iov_len = chunk;
      ++count;
      batch += chunk;
    }
    local.iov_base = buffer + done;
    local.iov_len = batch;
    const ssize_t got = process_vm_readv(getpid(), &local, 1, remote, (unsigned long)count, 0);
    if (got > 0) done += (uint32_t)got;
    if (got != (ssize_t)batch) break;
  }
  *bytes_read = done;
  return done > 0 ? 0 : HR_PARTIAL_COPY;
}

/* ---- the tiny VM with host-fault injection ---- */

typedef struct {
  tvm_space space; /* first: the correct glue sees a tvm_space */
  int has_fault;
  vmc_hresult fault;
  int failed; /* an injected E_FAIL was returned */
} faulty_target;

MAYBE_UNUSED static vmc_target *faulty_open(const char *options) {
  (void)options;
  return mutant_open_sized(sizeof(faulty_target));
}
MAYBE_UNUSED static int32_t faulty_inject(vmc_target *t, vmc_hresult code) {
  faulty_target *f = (faulty_target *)t;
  if (code == 0) return 1; /* the question: yes, it can */
  f->has_fault = 1;
  f->fault = code;
  return 1;
}
MAYBE_UNUSED static vmc_hresult faulty_free(vmc_target *t, uint64_t address, uint64_t size, uint32_t type) {
  faulty_target *f = (faulty_target *)t;
  if (f->failed) {
#if defined(INJECT_ONCE)
    f->failed = 0; /* the bug: the host recovers after one failure */
#endif
    return (vmc_hresult)0x80131023u; /* HOST_E_CLRNOTAVAILABLE */
  }
  if (f->has_fault) {
    f->has_fault = 0;
    if (f->fault == (vmc_hresult)0x80004005u) f->failed = 1; /* E_FAIL: the CLR is no longer usable */
    return f->fault;
  }
  return correct_free(t, address, size, type);
}

/* ---- the tables ---- */

#if defined(INJECT) || defined(INJECT_ONCE)
#define V2_OPEN faulty_open
#define V2_CLOSE mutant_close
#else
#define V2_OPEN self_open
#define V2_CLOSE self_close
#endif

static const vmc_plugin_v2 plugin = {
#if defined(BAD_ABI)
    3u,
#else
    VMC_PLUGIN_ABI_VERSION_2,
#endif
#if defined(BAD_SIZE)
    16u,
#else
    sizeof(vmc_plugin_v2),
#endif
    "v2-test",
#if defined(WRITE_ONLY) || defined(PARTIAL_WRITE)
    "ICorDebugMutableDataTarget",
#elif defined(READ_ONLY)
    "ICorDebugDataTarget",
#else
    NULL,
#endif
    V2_OPEN,
    V2_CLOSE,
#if defined(BAD_PAGE)
    mutant_granularity, /* 0x10000: not the page size the suite arranges */
#else
    NULL,
#endif
    NULL,
#if defined(BAD_NO_LOCATION) || defined(INJECT) || defined(INJECT_ONCE) || defined(BAD_HALF) || defined(BAD_NOTHING)
    NULL,
#elif defined(BAD_ELSEWHERE)
    NULL, /* replaced below */
#else
    this_process,
#endif
#if defined(INJECT) || defined(INJECT_ONCE) || defined(BAD_HALF)
    correct_allocate,
#else
    NULL,
#endif
#if defined(INJECT) || defined(INJECT_ONCE)
    faulty_free,
#else
    NULL,
#endif
#if defined(WRITE_ONLY) || defined(BAD_NO_LOCATION) || defined(BAD_ELSEWHERE) || defined(BAD_PAGE) || \
    defined(BAD_ABI) || defined(BAD_SIZE)
    checked_write,
#elif defined(PARTIAL_WRITE)
    page_by_page_write,
#elif defined(INJECT) || defined(INJECT_ONCE)
    correct_write,
#else
    NULL,
#endif
#if defined(READ_ONLY) || defined(PARTIAL_WRITE)
    prefix_read,
#elif defined(INJECT) || defined(INJECT_ONCE)
    correct_read,
#else
    NULL,
#endif
#if defined(INJECT) || defined(INJECT_ONCE)
    correct_query,
    faulty_inject,
#else
    NULL,
    NULL,
#endif
};

#if defined(BAD_ELSEWHERE)
MAYBE_UNUSED static int64_t elsewhere(vmc_target *t) {
  (void)t;
  return VMC_MEMORY_ELSEWHERE;
}
#endif

__attribute__((visibility("default"))) const vmc_plugin_v2 *vmc_plugin_v2_entry(void) {
#if defined(BAD_ELSEWHERE)
  static vmc_plugin_v2 copy;
  copy = plugin;
  copy.memory_process = elsewhere;
  return &copy;
#else
  return &plugin;
#endif
}
