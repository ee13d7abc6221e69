/* phantom_write.c - breaks WV-UNWRITABLE: a write the target refuses is reported as S_OK
 * although no byte landed (a wrapper that trusts a default-constructed "success" status, as
 * LLDBServices::WriteVirtual does for an invalid process). */
#include "mutant_support.h"

static vmc_hresult phantom_write(vmc_target *t, uint64_t address, const uint8_t *buffer, uint32_t n) {
  const vmc_hresult hr = correct_write(t, address, buffer, n);
  return hr == TVM_HR_NOACCESS ? TVM_S_OK : hr;
}

VMC_MUTANT_PLUGIN("phantom-write", correct_allocate, correct_free, phantom_write, correct_read, correct_query)
