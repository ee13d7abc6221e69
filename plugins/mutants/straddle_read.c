/* straddle_read.c - breaks RV-FIRST-BYTE, only across page boundaries: a read that continues into
 * the next page resumes one byte too far, so every byte after the boundary is its neighbour's
 * (an off-by-one in the offset of the second chunk of a page-by-page copy). */
#include "mutant_support.h"

static vmc_hresult straddle_read(vmc_target *t, uint64_t address, uint8_t *buffer, uint32_t n, uint32_t *bytes_read) {
  const vmc_hresult hr = correct_read(t, address, buffer, n, bytes_read);
  if (hr != TVM_S_OK || bytes_read == NULL) return hr;
  const uint32_t first_chunk = TVM_PAGE_SIZE - (uint32_t)(address % TVM_PAGE_SIZE);
  if (*bytes_read <= first_chunk) return hr;
  uint32_t again = 0; /* the rest, read from one byte further on */
  correct_read(t, address + first_chunk + 1, buffer + first_chunk, *bytes_read - first_chunk, &again);
  return hr;
}

VMC_MUTANT_PLUGIN("straddle-read", correct_allocate, correct_free, correct_write, straddle_read, correct_query)
