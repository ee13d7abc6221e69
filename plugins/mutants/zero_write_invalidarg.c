/* zero_write_invalidarg.c - breaks WV-ZERO-LENGTH-WRITABLE: a write of zero bytes is rejected with
 * E_INVALIDARG (the PAL's WriteProcessMemory: nSize == 0 -> ERROR_INVALID_PARAMETER). */
#include "mutant_support.h"

static vmc_hresult picky_write(vmc_target *t, uint64_t address, const uint8_t *buffer, uint32_t n) {
  return n == 0 ? TVM_E_INVALIDARG : correct_write(t, address, buffer, n);
}

VMC_MUTANT_PLUGIN("zero-write-invalidarg", correct_allocate, correct_free, picky_write, correct_read, correct_query)
