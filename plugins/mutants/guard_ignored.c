/* guard_ignored.c - breaks AVM-PROTECT: the PAGE_GUARD modifier is dropped when pages are
 * committed, so guard pages can be read and written like plain pages (an emulator whose
 * protection map has no guard bit, like unicorn's UC_PROT_*). */
#include "mutant_support.h"

static vmc_hresult unguarded_allocate(vmc_target *t, uint64_t address, uint32_t size, uint32_t type,
                                      uint32_t protect, uint64_t *allocated_address) {
  if (tvm_valid_protection(protect)) protect &= ~TVM_PAGE_GUARD;
  return correct_allocate(t, address, size, type, protect, allocated_address);
}

VMC_MUTANT_PLUGIN("guard-ignored", unguarded_allocate, correct_free, correct_write, correct_read, correct_query)
