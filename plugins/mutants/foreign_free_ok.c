/* foreign_free_ok.c - breaks VF-FOREIGN: freeing memory the host never allocated (or already
 * released) returns S_OK and does nothing (speakeasy's VirtualFree, `rv = 1` after the loop). */
#include "mutant_support.h"

static vmc_hresult lenient_free(vmc_target *t, uint64_t address, uint64_t size, uint32_t type) {
  const vmc_hresult hr = correct_free(t, address, size, type);
  return hr == TVM_HOST_E_INVALIDOPERATION ? TVM_S_OK : hr;
}

VMC_MUTANT_PLUGIN("foreign-free-ok", correct_allocate, lenient_free, correct_write, correct_read, correct_query)
