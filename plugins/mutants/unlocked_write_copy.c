/* unlocked_write_copy.c - mutant plugin "unlocked-write-copy": WriteVirtual holds the table lock
 * for its range check but copies the bytes after releasing it.
 *
 * Checking every page and fetching each page's storage happen under the lock; the copy, which
 * may be long, does not block other callers. A read of the same bytes can then see half of the
 * write (a torn write), and a decommit racing the copy drops bytes the write reported as written.
 * Every other operation is the correct one under the lock.
 */
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "mutant_support.h"

static vmc_hresult copy_outside_lock(vmc_target *t, uint64_t address, const uint8_t *buffer, uint32_t n) {
  tvm_space *s = MUTANT_SPACE(t);
  if (n == 0) return TVM_S_OK;
  if (buffer == NULL) return TVM_E_POINTER;
  const uint64_t last = address + n - 1;
  if (last < address) return TVM_HR_NOACCESS;
  const uint64_t first = tvm_page_down(address);
  const size_t pages = (size_t)((tvm_page_down(last) - first) / TVM_PAGE_SIZE + 1);
  uint8_t **storage = calloc(pages, sizeof *storage);
  if (storage == NULL) return TVM_HR_NOT_ENOUGH_MEMORY;
  pthread_mutex_lock(&s->lock);
  for (size_t i = 0; i < pages; ++i) {
    tvm_page *p = tvm_page_at(s, first + i * TVM_PAGE_SIZE);
    if (!tvm_page_writable(p) || (storage[i] = tvm_page_bytes(p)) == NULL) {
      pthread_mutex_unlock(&s->lock);
      free(storage);
      return TVM_HR_NOACCESS;
    }
  }
  pthread_mutex_unlock(&s->lock); /* the bug: the copy below is not covered */
  for (uint64_t done = 0; done < n;) {
    const uint64_t at = address + done, in_page = at % TVM_PAGE_SIZE;
    const uint64_t chunk = (n - done < TVM_PAGE_SIZE - in_page) ? n - done : TVM_PAGE_SIZE - in_page;
    memcpy(storage[(tvm_page_down(at) - first) / TVM_PAGE_SIZE] + in_page, buffer + done, chunk);
    done += chunk;
    sched_yield(); /* a long copy: other threads run between its pages */
  }
  free(storage);
  return TVM_S_OK;
}

static vmc_hresult locked_allocate(vmc_target *t, uint64_t a, uint32_t size, uint32_t type, uint32_t protect,
                                   uint64_t *out) {
  VMC_MUTANT_LOCKED_(t, correct_allocate(t, a, size, type, protect, out));
}
static vmc_hresult locked_free(vmc_target *t, uint64_t a, uint64_t size, uint32_t type) {
  VMC_MUTANT_LOCKED_(t, correct_free(t, a, size, type));
}
static vmc_hresult locked_read(vmc_target *t, uint64_t a, uint8_t *b, uint32_t n, uint32_t *r) {
  VMC_MUTANT_LOCKED_(t, correct_read(t, a, b, n, r));
}
static vmc_hresult locked_query(vmc_target *t, uint64_t a, vmc_region_info *i) {
  VMC_MUTANT_LOCKED_(t, correct_query(t, a, i));
}

VMC_MUTANT_PLUGIN_AS_IS("unlocked-write-copy", locked_allocate, locked_free, copy_outside_lock, locked_read,
                        locked_query)
