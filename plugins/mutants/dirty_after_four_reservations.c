/* dirty_after_four_reservations.c - breaks X-MODEL, only after several operations: the host
 * serves its first four committed reservations from fresh memory, then switches to a recycled
 * arena whose pages still hold the 0xCD fill of a debug heap instead of zeros. */
#include <string.h>

#include "mutant_support.h"

typedef struct {
  tvm_space space; /* first: the correct glue sees a tvm_space */
  int reservations;
} arena_target;

static vmc_target *arena_open(const char *options) {
  (void)options;
  return mutant_open_sized(sizeof(arena_target));
}

static vmc_hresult arena_allocate(vmc_target *t, uint64_t address, uint32_t size, uint32_t type, uint32_t protect,
                                  uint64_t *allocated_address) {
  arena_target *m = (arena_target *)t;
  const uint32_t kind = type & ~TVM_MEM_TOP_DOWN;
  const vmc_hresult hr = correct_allocate(t, address, size, type, protect, allocated_address);
  const int new_committed = hr == TVM_S_OK && (kind & TVM_MEM_COMMIT) && (address == 0 || (kind & TVM_MEM_RESERVE));
  if (!new_committed || ++m->reservations <= 4) return hr;
  tvm_region *r = tvm_region_at(&m->space, *allocated_address);
  for (uint64_t i = 0; r != NULL && i < r->pages; ++i) {
    uint8_t *bytes = tvm_page_bytes(&r->page[i]);
    if (bytes) memset(bytes, 0xCD, TVM_PAGE_SIZE);
  }
  return hr;
}

static const vmc_plugin_v1 plugin = {VMC_PLUGIN_ABI_VERSION, "mutant:dirty-after-four-reservations", arena_open,
                                     mutant_close, mutant_page_size, mutant_granularity, arena_allocate, correct_free,
                                     correct_write, correct_read, correct_query};
__attribute__((visibility("default"))) const vmc_plugin_v1 *vmc_plugin_v1_entry(void) { return &plugin; }
