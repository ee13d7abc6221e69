/* region_table_overflow.c - breaks X-MODEL, only after several operations: the host keeps its
 * reservations in a four-slot table, and a fifth live reservation silently evicts the oldest,
 * which then reads as free memory and can no longer be freed. */
#include "mutant_support.h"

typedef struct {
  tvm_space space; /* first: the correct glue sees a tvm_space */
  uint64_t slot[5];
  size_t used;
} table_target;

static vmc_target *table_open(const char *options) {
  (void)options;
  return mutant_open_sized(sizeof(table_target));
}

static vmc_hresult table_allocate(vmc_target *t, uint64_t address, uint32_t size, uint32_t type, uint32_t protect,
                                  uint64_t *allocated_address) {
  table_target *m = (table_target *)t;
  const uint32_t kind = type & ~TVM_MEM_TOP_DOWN;
  const vmc_hresult hr = correct_allocate(t, address, size, type, protect, allocated_address);
  if (hr != TVM_S_OK || kind == TVM_MEM_RESET || !(address == 0 || (kind & TVM_MEM_RESERVE))) return hr;
  m->slot[m->used++] = *allocated_address;
  if (m->used == 5) { /* the table is full: the oldest entry is overwritten */
    tvm_free(&m->space, m->slot[0], 0, TVM_MEM_RELEASE);
    for (size_t i = 1; i < 5; ++i) m->slot[i - 1] = m->slot[i];
    m->used = 4;
  }
  return hr;
}

static vmc_hresult table_free(vmc_target *t, uint64_t address, uint64_t size, uint32_t type) {
  table_target *m = (table_target *)t;
  const tvm_region *r = tvm_region_at(&m->space, address);
  const uint64_t base = r ? r->base : 0;
  const vmc_hresult hr = correct_free(t, address, size, type);
  if (hr == TVM_S_OK && type == TVM_MEM_RELEASE)
    for (size_t i = 0; i < m->used; ++i)
      if (m->slot[i] == base) {
        for (size_t j = i + 1; j < m->used; ++j) m->slot[j - 1] = m->slot[j];
        --m->used;
        break;
      }
  return hr;
}

static const vmc_plugin_v1 plugin = {VMC_PLUGIN_ABI_VERSION, "mutant:region-table-overflow", table_open,
                                     mutant_close, mutant_page_size, mutant_granularity, table_allocate, table_free,
                                     correct_write, correct_read, correct_query};
__attribute__((visibility("default"))) const vmc_plugin_v1 *vmc_plugin_v1_entry(void) { return &plugin; }
