/* decommit_off_by_one.c - breaks VF-DECOMMIT-RANGE: the end of a MEM_DECOMMIT range is rounded
 * down instead of up, so the page holding the last byte stays committed whenever
 * address + size is not a page boundary. */
#include "mutant_support.h"

static vmc_hresult short_decommit(vmc_target *t, uint64_t address, uint64_t size, uint32_t type) {
  tvm_region *r = tvm_region_at(MUTANT_SPACE(t), address);
  const uint64_t first = tvm_page_down(address), end = tvm_page_down(address + size + TVM_PAGE_SIZE - 1);
  if (type != TVM_MEM_DECOMMIT || size == 0 || r == NULL || address + size < address || end < first ||
      end > r->base + r->pages * TVM_PAGE_SIZE)
    return correct_free(t, address, size, type); /* everything else, including every failure, is right */
  const uint64_t short_end = tvm_page_down(address + size); /* should round up */
  if (short_end > first) tvm_decommit_pages(r, (first - r->base) / TVM_PAGE_SIZE, (short_end - first) / TVM_PAGE_SIZE);
  return TVM_S_OK;
}

VMC_MUTANT_PLUGIN("decommit-off-by-one", correct_allocate, short_decommit, correct_write, correct_read, correct_query)
