/* reserved_write.c - breaks WV-UNWRITABLE: the write path only checks that every page lies in
 * a reservation, so writes into reserved-but-uncommitted pages succeed (a simulator that backs
 * whole reservations with memory and checks "allocated" instead of "committed"). */
#include "mutant_support.h"

static int allocated_and_writable_or_reserved(const tvm_page *p) {
  return p != NULL && (!p->committed || tvm_page_writable(p));
}

static vmc_hresult reserved_write(vmc_target *t, uint64_t address, const uint8_t *buffer, uint32_t n) {
  tvm_space *s = MUTANT_SPACE(t);
  const uint64_t last = address + n - 1;
  if (n == 0 || buffer == NULL || last < address) return correct_write(t, address, buffer, n);
  for (uint64_t p = tvm_page_down(address); p <= last && p >= tvm_page_down(address); p += TVM_PAGE_SIZE)
    if (!allocated_and_writable_or_reserved(tvm_page_at(s, p))) return TVM_HR_NOACCESS;
  for (uint32_t done = 0; done < n;) {
    const uint64_t at = address + done;
    const uint32_t in_page = (uint32_t)(at % TVM_PAGE_SIZE);
    const uint32_t chunk = n - done < TVM_PAGE_SIZE - in_page ? n - done : TVM_PAGE_SIZE - in_page;
    uint8_t *bytes = tvm_page_bytes(tvm_page_at(s, at));
    if (bytes == NULL) return TVM_HR_NOT_ENOUGH_MEMORY;
    for (uint32_t i = 0; i < chunk; ++i) bytes[in_page + i] = buffer[done + i];
    done += chunk;
  }
  return TVM_S_OK;
}

VMC_MUTANT_PLUGIN("reserved-write", correct_allocate, correct_free, reserved_write, correct_read, correct_query)
