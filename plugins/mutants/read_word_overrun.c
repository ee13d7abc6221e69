/* read_word_overrun.c - corrupts the caller's memory: ReadVirtual copies whole 8-byte words
 * (as a PTRACE_PEEKDATA loop does) and stores the last word even when the request ends in the
 * middle of it, writing up to 7 bytes past the end of the caller's buffer. */
#include "mutant_support.h"

static vmc_hresult word_read(vmc_target *t, uint64_t address, uint8_t *buffer, uint32_t n, uint32_t *bytes_read) {
  const vmc_hresult hr = correct_read(t, address, buffer, n, bytes_read);
  if (hr != TVM_S_OK || buffer == NULL || bytes_read == NULL || *bytes_read == 0 || *bytes_read % 8 == 0) return hr;
  uint8_t word[8];
  const uint32_t last = *bytes_read / 8 * 8;
  uint32_t got = 0;
  if (correct_read(t, address + last, word, 8, &got) == TVM_S_OK)
    for (uint32_t i = 0; i < got; ++i) buffer[last + i] = word[i]; /* past bytes_requested */
  return hr;
}

VMC_MUTANT_PLUGIN("read-word-overrun", correct_allocate, correct_free, correct_write, word_read, correct_query)
