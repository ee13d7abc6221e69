/* crash_on_span.c - a plugin that crashes (SIGSEGV) on some input, breaking VF-SPAN: MEM_DECOMMIT
 * does not check that its range ends inside the reservation and walks the page records one by
 * one; past the end of the reservation the lookup returns NULL, which it dereferences. */
#include <stdlib.h>

#include "mutant_support.h"

static vmc_hresult crashing_decommit(vmc_target *t, uint64_t address, uint64_t size, uint32_t type) {
  tvm_space *s = MUTANT_SPACE(t);
  if (type != TVM_MEM_DECOMMIT || size == 0 || tvm_region_at(s, address) == NULL)
    return correct_free(t, address, size, type);
  if (address + size < address) return TVM_E_INVALIDARG;
  const uint64_t end = tvm_page_down(address + size + TVM_PAGE_SIZE - 1);
  for (uint64_t p = tvm_page_down(address); p < end; p += TVM_PAGE_SIZE) {
    tvm_page *volatile page = tvm_page_at(s, p); /* NULL past the end of the reservation */
    free(page->bytes);
    page->bytes = NULL;
    page->committed = 0;
    page->protect = 0;
  }
  return TVM_S_OK;
}

VMC_MUTANT_PLUGIN("crash-on-span", correct_allocate, crashing_decommit, correct_write, correct_read, correct_query)
