/* no_size_rounding.c - breaks AVM-ROUND: an allocation the system places is exactly `size` bytes
 * long; the rest of its last page can be neither read nor written (an emulator that maps the
 * requested size instead of whole pages, as qiling's VirtualAlloc hook does). */
#include "mutant_support.h"

typedef struct {
  tvm_space space; /* first: the correct glue sees a tvm_space */
  uint64_t base[64], end[64]; /* allocations whose usable end is not a page boundary */
  size_t count;
} exact_target;

static vmc_target *exact_open(const char *options) {
  (void)options;
  return mutant_open_sized(sizeof(exact_target));
}

/* The exact end of the allocation holding `address`, or 0 if it was rounded as it should be. */
static uint64_t exact_end(exact_target *m, uint64_t address) {
  const tvm_region *r = tvm_region_at(&m->space, address);
  for (size_t i = 0; r != NULL && i < m->count; ++i)
    if (m->base[i] == r->base) return m->end[i];
  return 0;
}

static vmc_hresult exact_allocate(vmc_target *t, uint64_t address, uint32_t size, uint32_t type, uint32_t protect,
                                  uint64_t *allocated_address) {
  exact_target *m = (exact_target *)t;
  const vmc_hresult hr = correct_allocate(t, address, size, type, protect, allocated_address);
  if (hr == TVM_S_OK && address == 0 && size % TVM_PAGE_SIZE != 0 && m->count < 64) {
    m->base[m->count] = *allocated_address;
    m->end[m->count++] = *allocated_address + size;
  }
  return hr;
}

static vmc_hresult exact_free(vmc_target *t, uint64_t address, uint64_t size, uint32_t type) {
  exact_target *m = (exact_target *)t;
  const tvm_region *r = tvm_region_at(&m->space, address);
  const uint64_t base = r ? r->base : 0;
  const vmc_hresult hr = correct_free(t, address, size, type);
  if (hr == TVM_S_OK && type == TVM_MEM_RELEASE)
    for (size_t i = 0; i < m->count; ++i)
      if (m->base[i] == base) {
        m->base[i] = m->base[--m->count];
        m->end[i] = m->end[m->count];
        break;
      }
  return hr;
}

static vmc_hresult exact_write(vmc_target *t, uint64_t address, const uint8_t *buffer, uint32_t n) {
  exact_target *m = (exact_target *)t;
  const uint64_t limit = n ? exact_end(m, address + n - 1) : 0;
  if (limit != 0 && address + n > limit) return TVM_HR_NOACCESS; /* past the unrounded end */
  return correct_write(t, address, buffer, n);
}

static vmc_hresult exact_read(vmc_target *t, uint64_t address, uint8_t *buffer, uint32_t n, uint32_t *bytes_read) {
  exact_target *m = (exact_target *)t;
  const uint64_t limit = exact_end(m, address);
  if (limit != 0 && address >= limit && n != 0 && bytes_read != NULL && buffer != NULL) {
    *bytes_read = 0;
    return TVM_HR_PARTIAL_COPY;
  }
  const vmc_hresult hr = correct_read(t, address, buffer, n, bytes_read);
  if (hr == TVM_S_OK && limit != 0 && bytes_read != NULL && address + *bytes_read > limit)
    *bytes_read = (uint32_t)(limit - address);
  return hr;
}

static const vmc_plugin_v1 plugin = {VMC_PLUGIN_ABI_VERSION, "mutant:no-size-rounding", exact_open, mutant_close,
                                     mutant_page_size, mutant_granularity, exact_allocate, exact_free, exact_write,
                                     exact_read, correct_query};
__attribute__((visibility("default"))) const vmc_plugin_v1 *vmc_plugin_v1_entry(void) { return &plugin; }
