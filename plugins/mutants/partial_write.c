/* partial_write.c - breaks WV-ATOMIC: a copy loop that writes page by page and stops at the
 * first page it cannot write, leaving the bytes before it written, then reports
 * ERROR_PARTIAL_COPY (the old PAL WriteProcessMemory, ReactOS's chunked copy). */
#include "mutant_support.h"

static vmc_hresult partial_write(vmc_target *t, uint64_t address, const uint8_t *buffer, uint32_t n) {
  uint32_t done = 0;
  while (done < n) {
    const uint64_t at = address + done;
    const uint32_t room = TVM_PAGE_SIZE - (uint32_t)(at % TVM_PAGE_SIZE);
    const uint32_t chunk = n - done < room ? n - done : room;
    const vmc_hresult hr = correct_write(t, at, buffer + done, chunk);
    if (hr != TVM_S_OK) return done > 0 ? TVM_HR_PARTIAL_COPY : hr;
    done += chunk;
  }
  return TVM_S_OK;
}

VMC_MUTANT_PLUGIN("partial-write", correct_allocate, correct_free, partial_write, correct_read, correct_query)
