/* interior_release.c - breaks VF-RELEASE-BASE: MEM_RELEASE finds the reservation holding the
 * address, not the one starting there, so an interior address releases the whole reservation
 * (the PAL's VirtualFree through VIRTUALFindRegionInformation). */
#include "mutant_support.h"

static vmc_hresult interior_free(vmc_target *t, uint64_t address, uint64_t size, uint32_t type) {
  const tvm_region *r = tvm_region_at(MUTANT_SPACE(t), address);
  if (type == TVM_MEM_RELEASE && size == 0 && r != NULL) return correct_free(t, r->base, 0, TVM_MEM_RELEASE);
  return correct_free(t, address, size, type);
}

VMC_MUTANT_PLUGIN("interior-release", correct_allocate, interior_free, correct_write, correct_read, correct_query)
