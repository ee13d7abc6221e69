/* misbehaving.c - plugins that attack the worker instead of returning wrong answers, one per -D
 * switch, to check that isolation turns each into a failed property and the run goes on:
 * GARBAGE writes junk into every file descriptor (the protocol pipe among them), ABORT calls
 * abort(), SPAWN leaves a child process behind that keeps the worker's pipes open and then
 * crashes - each in a write of exactly 3 bytes -, and EXIT calls exit(0) in a MEM_DECOMMIT of a
 * range; DEADLOCK never returns from a long write while holding the lock (below). None of them
 * misbehaves while vmconform probes the plugin, only in properties. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mutant_support.h"

#if !defined(DEADLOCK)
static vmc_hresult writing(vmc_target *t, uint64_t address, const uint8_t *buffer, uint32_t n) {
#if defined(GARBAGE)
  if (n == 3) {
    static const char junk[] = "}{ not json \xff\xfe\n{\"v\":1,\"t\":\"result\"}\n";
    for (int fd = 3; fd < 1024; ++fd)
      if (write(fd, junk, sizeof junk - 1) < 0) continue;
  }
#endif
#if defined(ABORT)
  if (n == 3) abort();
#endif
#if defined(SPAWN)
  if (n == 3) {
    if (fork() == 0) {
      sleep(30); /* holds every inherited descriptor open */
      _exit(0);
    }
    raise(SIGSEGV);
  }
#endif
  return correct_write(t, address, buffer, n);
}
#endif

static vmc_hresult freeing(vmc_target *t, uint64_t address, uint64_t size, uint32_t type) {
#if defined(EXIT)
  if (type == TVM_MEM_DECOMMIT && size != 0) exit(0);
#endif
  return correct_free(t, address, size, type);
}

#if defined(DEADLOCK)
/* DEADLOCK: every call holds the tiny VM's lock, and a write of 0x801 to 0x1fff bytes never
 * returns and never lets it go: every other thread then waits for the lock forever. */
static vmc_hresult deadlock_write(vmc_target *t, uint64_t address, const uint8_t *buffer, uint32_t n) {
  pthread_mutex_lock(&MUTANT_SPACE(t)->lock);
  if (n > 0x800 && n < 0x2000) /* not the setup's whole-reservation writes */
    for (;;) pause();
  const vmc_hresult hr = correct_write(t, address, buffer, n);
  pthread_mutex_unlock(&MUTANT_SPACE(t)->lock);
  return hr;
}
static vmc_hresult locked_allocate(vmc_target *t, uint64_t a, uint32_t size, uint32_t type, uint32_t protect,
                                   uint64_t *out) {
  VMC_MUTANT_LOCKED_(t, correct_allocate(t, a, size, type, protect, out));
}
static vmc_hresult locked_free(vmc_target *t, uint64_t a, uint64_t size, uint32_t type) {
  VMC_MUTANT_LOCKED_(t, freeing(t, a, size, type));
}
static vmc_hresult locked_read(vmc_target *t, uint64_t a, uint8_t *b, uint32_t n, uint32_t *r) {
  VMC_MUTANT_LOCKED_(t, correct_read(t, a, b, n, r));
}
static vmc_hresult locked_query(vmc_target *t, uint64_t a, vmc_region_info *i) {
  VMC_MUTANT_LOCKED_(t, correct_query(t, a, i));
}
static const vmc_plugin_v1 plugin = {VMC_PLUGIN_ABI_VERSION, "misbehaving", mutant_open, mutant_close, mutant_page_size,
                                     mutant_granularity, locked_allocate, locked_free, deadlock_write, locked_read,
                                     locked_query};
#else
static const vmc_plugin_v1 plugin = {VMC_PLUGIN_ABI_VERSION, "misbehaving", mutant_open, mutant_close, mutant_page_size,
                                     mutant_granularity, correct_allocate, freeing, writing, correct_read, correct_query};
#endif
__attribute__((visibility("default"))) const vmc_plugin_v1 *vmc_plugin_v1_entry(void) { return &plugin; }
