/* release_before_unlink.c - mutant plugin "release-before-unlink": MEM_RELEASE drops the
 * reservation's memory before it removes the reservation from the table.
 *
 * The release frees every page's bytes under the lock, releases the lock (unmapping takes time),
 * then takes it again to remove the reservation from the table. A reader in between finds the
 * reservation still there, committed, reading zeros where its bytes were: no order of the calls
 * explains that. Every other operation is the correct one under the lock.
 */
#include <sched.h>
#include <stdlib.h>

#include "mutant_support.h"

static vmc_hresult unmap_then_unlink(vmc_target *t, uint64_t address, uint64_t size, uint32_t type) {
  tvm_space *s = MUTANT_SPACE(t);
  pthread_mutex_lock(&s->lock);
  tvm_region *r = tvm_region_at(s, address);
  if (type != TVM_MEM_RELEASE || size != 0 || r == NULL || tvm_page_down(address) != r->base) {
    const vmc_hresult hr = correct_free(t, address, size, type);
    pthread_mutex_unlock(&s->lock);
    return hr;
  }
  const uint64_t base = r->base;
  for (uint64_t i = 0; i < r->pages; ++i) { /* "unmap" the memory first */
    free(r->page[i].bytes);
    r->page[i].bytes = NULL;
  }
  pthread_mutex_unlock(&s->lock); /* the bug: the table still lists the reservation */
  sched_yield();
  pthread_mutex_lock(&s->lock);
  const vmc_hresult hr = correct_free(t, base, 0, TVM_MEM_RELEASE);
  pthread_mutex_unlock(&s->lock);
  return hr;
}

static vmc_hresult locked_allocate(vmc_target *t, uint64_t a, uint32_t size, uint32_t type, uint32_t protect,
                                   uint64_t *out) {
  VMC_MUTANT_LOCKED_(t, correct_allocate(t, a, size, type, protect, out));
}
static vmc_hresult locked_write(vmc_target *t, uint64_t a, const uint8_t *b, uint32_t n) {
  VMC_MUTANT_LOCKED_(t, correct_write(t, a, b, n));
}
static vmc_hresult locked_read(vmc_target *t, uint64_t a, uint8_t *b, uint32_t n, uint32_t *r) {
  VMC_MUTANT_LOCKED_(t, correct_read(t, a, b, n, r));
}
static vmc_hresult locked_query(vmc_target *t, uint64_t a, vmc_region_info *i) {
  VMC_MUTANT_LOCKED_(t, correct_query(t, a, i));
}

VMC_MUTANT_PLUGIN_AS_IS("release-before-unlink", locked_allocate, unmap_then_unlink, locked_write, locked_read,
                        locked_query)
