/* mutant_support.h - what every mutant plugin shares: the correct glue over the tiny VM and a
 * macro that exports a plugin table with the mutant's own functions in place of some of it.
 *
 * A mutant is the correct tiny VM (plugins/examples/c/tiny_vm.c) with exactly one realistic
 * bug. Its .c file defines the broken operation, usually by calling the correct one and then
 * doing what a buggy implementation does, and ends with VMC_MUTANT_PLUGIN naming the five
 * operations it exports. plugins/mutants/mutants.json declares the rule each one must fail.
 */
#ifndef VMCONFORM_MUTANT_SUPPORT_H
#define VMCONFORM_MUTANT_SUPPORT_H

#include <pthread.h>

#include "tiny_vm.h"

#define MUTANT_SPACE(t) ((tvm_space *)(t))

vmc_target *mutant_open(const char *options);
void mutant_close(vmc_target *t);
uint32_t mutant_page_size(vmc_target *t);
uint32_t mutant_granularity(vmc_target *t);
vmc_hresult correct_allocate(vmc_target *t, uint64_t address, uint32_t size, uint32_t type, uint32_t protect,
                             uint64_t *allocated_address);
vmc_hresult correct_free(vmc_target *t, uint64_t address, uint64_t size, uint32_t free_type);
vmc_hresult correct_write(vmc_target *t, uint64_t address, const uint8_t *buffer, uint32_t n);
vmc_hresult correct_read(vmc_target *t, uint64_t address, uint8_t *buffer, uint32_t n, uint32_t *bytes_read);
vmc_hresult correct_query(vmc_target *t, uint64_t address, vmc_region_info *info);

/* A mutant with state of its own defines a struct whose first member is the tvm_space, opens it
 * with mutant_open_sized(sizeof(struct)) and releases its own state before mutant_close (which
 * frees the struct: tvm_destroy frees the space with free()). */
vmc_target *mutant_open_sized(size_t size);

/* Bytes of whole pages kept aside by address, for the mutants that recycle memory. */
typedef struct page_stash {
  uint64_t *address;
  uint8_t **bytes;
  size_t count;
} page_stash;
void stash_put(page_stash *s, uint64_t page, const uint8_t *bytes); /* bytes may be NULL (zero page) */
const uint8_t *stash_find(const page_stash *s, uint64_t page);      /* NULL if absent */
void stash_clear(page_stash *s);

/* Exports the plugin table; NAME is the mutant's name as mutants.json lists it. Each operation
 * runs under the space's lock (a mutant's bug is sequential: the suite calls a plugin from several
 * threads at once, X-LINEARIZABLE). VMC_MUTANT_PLUGIN_AS_IS exports the functions unwrapped, for
 * the mutants whose bug is their locking. */
#define VMC_MUTANT_PLUGIN_AS_IS(NAME, ALLOCATE, FREE, WRITE, READ, QUERY)                                     \
  static const vmc_plugin_v1 mutant_plugin = {VMC_PLUGIN_ABI_VERSION, "mutant:" NAME, mutant_open, mutant_close, \
                                              mutant_page_size, mutant_granularity, ALLOCATE, FREE, WRITE, READ,  \
                                              QUERY};                                                            \
  __attribute__((visibility("default"))) const vmc_plugin_v1 *vmc_plugin_v1_entry(void) { return &mutant_plugin; }

#define VMC_MUTANT_LOCKED_(t, call)                 \
  do {                                              \
    pthread_mutex_lock(&MUTANT_SPACE(t)->lock);     \
    const vmc_hresult hr_ = (call);                 \
    pthread_mutex_unlock(&MUTANT_SPACE(t)->lock);   \
    return hr_;                                     \
  } while (0)

#define VMC_MUTANT_PLUGIN(NAME, ALLOCATE, FREE, WRITE, READ, QUERY)                                               \
  static vmc_hresult locked_allocate(vmc_target *t, uint64_t a, uint32_t s, uint32_t ty, uint32_t p, uint64_t *o) { \
    VMC_MUTANT_LOCKED_(t, ALLOCATE(t, a, s, ty, p, o));                                                           \
  }                                                                                                               \
  static vmc_hresult locked_free(vmc_target *t, uint64_t a, uint64_t s, uint32_t ty) {                            \
    VMC_MUTANT_LOCKED_(t, FREE(t, a, s, ty));                                                                     \
  }                                                                                                               \
  static vmc_hresult locked_write(vmc_target *t, uint64_t a, const uint8_t *b, uint32_t n) {                      \
    VMC_MUTANT_LOCKED_(t, WRITE(t, a, b, n));                                                                     \
  }                                                                                                               \
  static vmc_hresult locked_read(vmc_target *t, uint64_t a, uint8_t *b, uint32_t n, uint32_t *r) {                \
    VMC_MUTANT_LOCKED_(t, READ(t, a, b, n, r));                                                                   \
  }                                                                                                               \
  static vmc_hresult locked_query(vmc_target *t, uint64_t a, vmc_region_info *i) {                                \
    VMC_MUTANT_LOCKED_(t, QUERY(t, a, i));                                                                        \
  }                                                                                                               \
  VMC_MUTANT_PLUGIN_AS_IS(NAME, locked_allocate, locked_free, locked_write, locked_read, locked_query)

#endif /* VMCONFORM_MUTANT_SUPPORT_H */
