/* s_false_write.c - breaks WV-STATUS: a write that had to be split across pages succeeds but
 * returns S_FALSE ("completed in several pieces"), which callers testing `hr == S_OK` treat as a
 * failure. */
#include "mutant_support.h"

#define S_FALSE ((vmc_hresult)1)

static vmc_hresult chunky_write(vmc_target *t, uint64_t address, const uint8_t *buffer, uint32_t n) {
  const vmc_hresult hr = correct_write(t, address, buffer, n);
  const int split = n > 0 && tvm_page_down(address) != tvm_page_down(address + n - 1);
  return hr == TVM_S_OK && split ? S_FALSE : hr;
}

VMC_MUTANT_PLUGIN("s-false-write", correct_allocate, correct_free, chunky_write, correct_read, correct_query)
