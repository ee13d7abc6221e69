/* release_with_size.c - breaks VF-RELEASE-SIZE: MEM_RELEASE ignores dwSize instead of requiring
 * 0, and releases the whole reservation (the NT-layer behaviour leaking into the Win32 layer). */
#include "mutant_support.h"

static vmc_hresult sized_release(vmc_target *t, uint64_t address, uint64_t size, uint32_t type) {
  return correct_free(t, address, type == TVM_MEM_RELEASE ? 0 : size, type);
}

VMC_MUTANT_PLUGIN("release-with-size", correct_allocate, sized_release, correct_write, correct_read, correct_query)
