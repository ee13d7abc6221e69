/* efail_bad_args.c - breaks VF-NO-EFAIL: ordinary argument errors of VirtualFree (a bad free
 * type or size, an address beyond the first page, a range past the end) return E_FAIL, which
 * tells the CLR the host is broken for good. */
#include "mutant_support.h"

static vmc_hresult efail_free(vmc_target *t, uint64_t address, uint64_t size, uint32_t type) {
  const vmc_hresult hr = correct_free(t, address, size, type);
  return hr == TVM_E_INVALIDARG || hr == TVM_HR_INVALID_ADDRESS ? TVM_E_FAIL : hr;
}

VMC_MUTANT_PLUGIN("efail-bad-args", correct_allocate, efail_free, correct_write, correct_read, correct_query)
