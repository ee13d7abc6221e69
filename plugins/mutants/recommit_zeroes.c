/* recommit_zeroes.c - breaks AVM-RECOMMIT-KEEPS: committing pages that are already committed
 * replaces them with fresh zero pages (a commit implemented as mmap(MAP_FIXED) over the range). */
#include <stdlib.h>

#include "mutant_support.h"

static vmc_hresult zeroing_commit(vmc_target *t, uint64_t address, uint32_t size, uint32_t type, uint32_t protect,
                                  uint64_t *allocated_address) {
  const vmc_hresult hr = correct_allocate(t, address, size, type, protect, allocated_address);
  if (hr != TVM_S_OK || address == 0 || type != TVM_MEM_COMMIT) return hr;
  const uint64_t end = tvm_page_down(address + size + TVM_PAGE_SIZE - 1);
  for (uint64_t p = tvm_page_down(address); p < end; p += TVM_PAGE_SIZE) {
    tvm_page *page = tvm_page_at(MUTANT_SPACE(t), p);
    free(page->bytes);
    page->bytes = NULL;
  }
  return hr;
}

VMC_MUTANT_PLUGIN("recommit-zeroes", zeroing_commit, correct_free, correct_write, correct_read, correct_query)
