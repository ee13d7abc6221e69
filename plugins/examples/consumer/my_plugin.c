/* my_plugin.c - the plugin of the consumer example: what an implementer's own project holds, the
 * ABI glue (vmconform/plugin.h, found through find_package(vmconform)) over the implementation
 * under test. The implementation here is the C example's tiny simulated address space
 * (../c/tiny_vm.c); in a real project it is your emulator, debugger or host.
 *
 * MY_PLUGIN_PARTIAL_WRITE plants a bug for the negative check of ctest install.consumer: the
 * write goes page by page and stops at the first page it cannot write, leaving the pages before
 * it written (WV-ATOMIC), so the consumer's vmconform tests must fail.
 */
#include <vmconform/plugin.h>

#include "tiny_vm.h"

static tvm_space *space(vmc_target *t) { return (tvm_space *)t; }

/* A plugin is called from several threads at once; the tiny VM is not thread-safe. */
#define LOCKED(t, call)                    \
  do {                                     \
    pthread_mutex_lock(&space(t)->lock);   \
    const vmc_hresult hr_ = (call);        \
    pthread_mutex_unlock(&space(t)->lock); \
    return hr_;                            \
  } while (0)

static vmc_target *my_open(const char *options) {
  (void)options;
  return (vmc_target *)tvm_create();
}
static void my_close(vmc_target *t) { tvm_destroy(space(t)); }
static uint32_t my_page_size(vmc_target *t) {
  (void)t;
  return TVM_PAGE_SIZE;
}
static uint32_t my_granularity(vmc_target *t) {
  (void)t;
  return TVM_GRANULARITY;
}
static vmc_hresult my_allocate(vmc_target *t, uint64_t address, uint32_t size, uint32_t type, uint32_t protect,
                               uint64_t *allocated_address) {
  LOCKED(t, tvm_allocate(space(t), address, size, type, protect, allocated_address));
}
static vmc_hresult my_free(vmc_target *t, uint64_t address, uint64_t size, uint32_t free_type) {
  LOCKED(t, tvm_free(space(t), address, size, free_type));
}
#ifdef MY_PLUGIN_PARTIAL_WRITE
static vmc_hresult partial_write(tvm_space *s, uint64_t address, const uint8_t *buffer, uint32_t n) {
  uint32_t done = 0;
  while (done < n) {
    const uint32_t room = TVM_PAGE_SIZE - (uint32_t)((address + done) % TVM_PAGE_SIZE);
    const uint32_t chunk = n - done < room ? n - done : room;
    const vmc_hresult hr = tvm_write(s, address + done, buffer + done, chunk);
    if (hr != TVM_S_OK) return done > 0 ? TVM_HR_PARTIAL_COPY : hr;
    done += chunk;
  }
  return TVM_S_OK;
}
static vmc_hresult my_write(vmc_target *t, uint64_t address, const uint8_t *buffer, uint32_t n) {
  LOCKED(t, partial_write(space(t), address, buffer, n));
}
#else
static vmc_hresult my_write(vmc_target *t, uint64_t address, const uint8_t *buffer, uint32_t n) {
  LOCKED(t, tvm_write(space(t), address, buffer, n));
}
#endif
static vmc_hresult my_read(vmc_target *t, uint64_t address, uint8_t *buffer, uint32_t n, uint32_t *bytes_read) {
  LOCKED(t, tvm_read(space(t), address, buffer, n, bytes_read));
}
static vmc_hresult my_query(vmc_target *t, uint64_t address, vmc_region_info *info) {
  LOCKED(t, tvm_query(space(t), address, info));
}

static const vmc_plugin_v1 plugin = {.abi_version = VMC_PLUGIN_ABI_VERSION,
                                     .name = "consumer-example",
                                     .open = my_open,
                                     .close = my_close,
                                     .page_size = my_page_size,
                                     .allocation_granularity = my_granularity,
                                     .allocate_virtual_memory = my_allocate,
                                     .virtual_free = my_free,
                                     .write_virtual = my_write,
                                     .read_virtual = my_read,
                                     .query_virtual = my_query};

__attribute__((visibility("default"))) const vmc_plugin_v1 *vmc_plugin_v1_entry(void) { return &plugin; }
