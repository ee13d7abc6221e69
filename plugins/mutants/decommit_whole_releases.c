/* decommit_whole_releases.c - breaks VF-DECOMMIT-WHOLE: MEM_DECOMMIT with size 0 at the base is
 * treated as a release, so the reservation disappears instead of staying reserved. */
#include "mutant_support.h"

static vmc_hresult releasing_decommit(vmc_target *t, uint64_t address, uint64_t size, uint32_t type) {
  if (type == TVM_MEM_DECOMMIT && size == 0) return correct_free(t, address, 0, TVM_MEM_RELEASE);
  return correct_free(t, address, size, type);
}

VMC_MUTANT_PLUGIN("decommit-whole-releases", correct_allocate, releasing_decommit, correct_write, correct_read,
                  correct_query)
