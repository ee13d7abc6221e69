/* shared_space.c - a correct plugin whose targets are several hosts of ONE simulated process.
 *
 * Every open() attaches a new host to the same tiny VM address space (created on the first open,
 * destroyed on the last close), the way a debugger opens several data targets on one process.
 * A host owns the reservations it made: VirtualFree of another host's memory is
 * HOST_E_INVALIDOPERATION, a commit inside it is ERROR_INVALID_ADDRESS, and close() releases the
 * host's own reservations. It checks the plugin path's "outside the worker, shared address
 * space" situation: VF-FOREIGN then frees memory of a second target too.
 */
#include <stdlib.h>

#include "tiny_vm.h"

struct vmc_target {
  uint64_t *base; /* the reservations this host made */
  size_t count;
};

static tvm_space *process;  /* the one simulated process */
static int hosts;

static int owns(const vmc_target *h, uint64_t address) {
  const tvm_region *r = tvm_region_at(process, address);
  for (size_t i = 0; r != NULL && i < h->count; ++i)
    if (h->base[i] == r->base) return 1;
  return 0;
}

static void forget(vmc_target *h, uint64_t base) {
  for (size_t i = 0; i < h->count; ++i)
    if (h->base[i] == base) {
      h->base[i] = h->base[--h->count];
      return;
    }
}

static vmc_target *shared_open(const char *options) {
  (void)options;
  if (process == NULL && (process = tvm_create()) == NULL) return NULL;
  vmc_target *h = calloc(1, sizeof *h);
  if (h != NULL) ++hosts;
  return h;
}

static void shared_close(vmc_target *h) {
  for (size_t i = 0; i < h->count; ++i) tvm_free(process, h->base[i], 0, TVM_MEM_RELEASE);
  free(h->base);
  free(h);
  if (--hosts == 0) {
    tvm_destroy(process);
    process = NULL;
  }
}

static uint32_t shared_page_size(vmc_target *h) {
  (void)h;
  return TVM_PAGE_SIZE;
}
static uint32_t shared_granularity(vmc_target *h) {
  (void)h;
  return TVM_GRANULARITY;
}

static vmc_hresult shared_allocate(vmc_target *h, uint64_t address, uint32_t size, uint32_t type, uint32_t protect,
                                   uint64_t *allocated_address) {
  const uint32_t kind = type & ~TVM_MEM_TOP_DOWN;
  if (address != 0 && !(kind & TVM_MEM_RESERVE) && tvm_region_at(process, tvm_page_down(address)) != NULL &&
      !owns(h, tvm_page_down(address))) {
    /* Another host's reservation: the same answer as for memory nobody reserved. */
    tvm_space *nothing = tvm_create();
    const vmc_hresult hr = nothing ? tvm_allocate(nothing, address, size, type, protect, allocated_address)
                                   : TVM_HR_NOT_ENOUGH_MEMORY;
    tvm_destroy(nothing);
    return hr;
  }
  const vmc_hresult hr = tvm_allocate(process, address, size, type, protect, allocated_address);
  if (hr == TVM_S_OK && kind != TVM_MEM_RESET && (address == 0 || (kind & TVM_MEM_RESERVE))) {
    uint64_t *grown = realloc(h->base, (h->count + 1) * sizeof *grown);
    if (grown == NULL) {
      tvm_free(process, *allocated_address, 0, TVM_MEM_RELEASE);
      *allocated_address = 0;
      return TVM_HR_NOT_ENOUGH_MEMORY;
    }
    h->base = grown;
    h->base[h->count++] = *allocated_address;
  }
  return hr;
}

static vmc_hresult shared_free(vmc_target *h, uint64_t address, uint64_t size, uint32_t type) {
  if (!owns(h, address)) { /* argument errors first, then "not allocated through this host" */
    tvm_space *nothing = tvm_create();
    const vmc_hresult hr = nothing ? tvm_free(nothing, address, size, type) : TVM_HOST_E_INVALIDOPERATION;
    tvm_destroy(nothing);
    return hr;
  }
  const uint64_t base = tvm_region_at(process, address)->base;
  const vmc_hresult hr = tvm_free(process, address, size, type);
  if (hr == TVM_S_OK && type == TVM_MEM_RELEASE) forget(h, base);
  return hr;
}

static vmc_hresult shared_write(vmc_target *h, uint64_t address, const uint8_t *buffer, uint32_t n) {
  (void)h;
  return tvm_write(process, address, buffer, n);
}
static vmc_hresult shared_read(vmc_target *h, uint64_t address, uint8_t *buffer, uint32_t n, uint32_t *bytes_read) {
  (void)h;
  return tvm_read(process, address, buffer, n, bytes_read);
}
static vmc_hresult shared_query(vmc_target *h, uint64_t address, vmc_region_info *info) {
  (void)h;
  return tvm_query(process, address, info);
}

static const vmc_plugin_v1 plugin = {VMC_PLUGIN_ABI_VERSION, "shared-space", shared_open, shared_close,
                                     shared_page_size, shared_granularity, shared_allocate, shared_free,
                                     shared_write, shared_read, shared_query};
__attribute__((visibility("default"))) const vmc_plugin_v1 *vmc_plugin_v1_entry(void) { return &plugin; }
