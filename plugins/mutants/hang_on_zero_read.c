/* hang_on_zero_read.c - a plugin that hangs, breaking RV-ZERO-LENGTH: ReadVirtual retries until
 * at least one byte has been read (to ride out short reads of a live process), so a read of zero
 * bytes never returns. */
#include "mutant_support.h"

static vmc_hresult retrying_read(vmc_target *t, uint64_t address, uint8_t *buffer, uint32_t n, uint32_t *bytes_read) {
  vmc_hresult hr;
  do {
    hr = correct_read(t, address, buffer, n, bytes_read);
  } while (hr == TVM_S_OK && bytes_read != NULL && *bytes_read == 0);
  return hr;
}

VMC_MUTANT_PLUGIN("hang-on-zero-read", correct_allocate, correct_free, correct_write, retrying_read, correct_query)
