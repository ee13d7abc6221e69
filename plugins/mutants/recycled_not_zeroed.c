/* recycled_not_zeroed.c - breaks AVM-ZERO: pages that are decommitted or released go to a free
 * list with their bytes, and the next commit of the same address hands them out again without
 * zeroing them (qiling's recycled chunks). */
#include <string.h>

#include "mutant_support.h"

typedef struct {
  tvm_space space; /* first: the correct glue sees a tvm_space */
  page_stash freed;
} recycling_target;

static vmc_target *recycling_open(const char *options) {
  (void)options;
  return mutant_open_sized(sizeof(recycling_target));
}

static void recycling_close(vmc_target *t) {
  stash_clear(&((recycling_target *)t)->freed);
  mutant_close(t);
}

static vmc_hresult recycling_free(vmc_target *t, uint64_t address, uint64_t size, uint32_t type) {
  recycling_target *m = (recycling_target *)t;
  tvm_region *r = tvm_region_at(&m->space, address);
  if (r == NULL) return correct_free(t, address, size, type);
  /* Keep every committed page of the reservation; what the call frees stays on the list. */
  page_stash before = {0};
  for (uint64_t i = 0; i < r->pages; ++i)
    if (r->page[i].committed) stash_put(&before, r->base + i * TVM_PAGE_SIZE, r->page[i].bytes);
  const vmc_hresult hr = correct_free(t, address, size, type);
  if (hr == TVM_S_OK)
    for (size_t i = 0; i < before.count; ++i) {
      const tvm_page *p = tvm_page_at(&m->space, before.address[i]);
      if (p == NULL || !p->committed) stash_put(&m->freed, before.address[i], before.bytes[i]);
    }
  stash_clear(&before);
  return hr;
}

static vmc_hresult recycling_allocate(vmc_target *t, uint64_t address, uint32_t size, uint32_t type,
                                      uint32_t protect, uint64_t *allocated_address) {
  recycling_target *m = (recycling_target *)t;
  page_stash was_committed = {0};
  const uint64_t first = tvm_page_down(address), end = tvm_page_down(address + size + TVM_PAGE_SIZE - 1);
  for (uint64_t p = first; address != 0 && p < end && p >= first; p += TVM_PAGE_SIZE) {
    const tvm_page *page = tvm_page_at(&m->space, p);
    if (page != NULL && page->committed) stash_put(&was_committed, p, NULL);
  }
  const vmc_hresult hr = correct_allocate(t, address, size, type, protect, allocated_address);
  const tvm_region *r = hr == TVM_S_OK ? tvm_region_at(&m->space, *allocated_address) : NULL;
  if (r != NULL && (type & TVM_MEM_COMMIT)) {
    const int whole = address == 0 || (type & TVM_MEM_RESERVE); /* a new reservation: all its pages */
    const uint64_t from = whole ? r->base : first, to = whole ? r->base + r->pages * TVM_PAGE_SIZE : end;
    for (uint64_t p = from; p < to; p += TVM_PAGE_SIZE) {
      const uint8_t *old = stash_find(&m->freed, p);
      if (old == NULL || stash_find(&was_committed, p)) continue; /* only pages committed just now */
      uint8_t *bytes = tvm_page_bytes(tvm_page_at(&m->space, p));
      if (bytes) memcpy(bytes, old, TVM_PAGE_SIZE);
    }
  }
  stash_clear(&was_committed);
  return hr;
}

static const vmc_plugin_v1 plugin = {VMC_PLUGIN_ABI_VERSION, "mutant:recycled-not-zeroed", recycling_open,
                                     recycling_close, mutant_page_size, mutant_granularity, recycling_allocate,
                                     recycling_free, correct_write, correct_read, correct_query};
__attribute__((visibility("default"))) const vmc_plugin_v1 *vmc_plugin_v1_entry(void) { return &plugin; }
