/* tiny_vm_plugin.c - the example C plugin: the tiny simulated address space behind the
 * vmconform plugin ABI (vmconform/plugin.h).
 *
 * This is the whole glue a plugin needs: one function per table entry, each casting the opaque
 * vmc_target back to the implementation's own type, and the exported entry point returning a
 * static table. Every open() makes a new, independent address space; options are ignored. Each
 * operation holds the space's lock: a plugin is called from several threads at once.
 * Build it (it is part of the normal build: plugins/CMakeLists.txt) and run
 *   vmconform run --plugin build/dev/plugins/libvmc_example_c.so
 */
#include "tiny_vm.h"

static tvm_space *space(vmc_target *t) { return (tvm_space *)t; }

static vmc_target *tiny_open(const char *options) {
  (void)options;
  return (vmc_target *)tvm_create();
}
static void tiny_close(vmc_target *t) { tvm_destroy(space(t)); }
static uint32_t tiny_page_size(vmc_target *t) {
  (void)t;
  return TVM_PAGE_SIZE;
}
static uint32_t tiny_granularity(vmc_target *t) {
  (void)t;
  return TVM_GRANULARITY;
}
/* One lock per address space around each operation: the suite (X-LINEARIZABLE), like the CLR,
 * calls a target from several threads at once. */
#define LOCKED(t, call)                        \
  do {                                         \
    pthread_mutex_lock(&space(t)->lock);       \
    const vmc_hresult hr_ = (call);            \
    pthread_mutex_unlock(&space(t)->lock);     \
    return hr_;                                \
  } while (0)

static vmc_hresult tiny_allocate(vmc_target *t, uint64_t address, uint32_t size, uint32_t type,
                                 uint32_t protect, uint64_t *allocated_address) {
  LOCKED(t, tvm_allocate(space(t), address, size, type, protect, allocated_address));
}
static vmc_hresult tiny_free(vmc_target *t, uint64_t address, uint64_t size, uint32_t free_type) {
  LOCKED(t, tvm_free(space(t), address, size, free_type));
}
static vmc_hresult tiny_write(vmc_target *t, uint64_t address, const uint8_t *buffer, uint32_t n) {
  LOCKED(t, tvm_write(space(t), address, buffer, n));
}
static vmc_hresult tiny_read(vmc_target *t, uint64_t address, uint8_t *buffer, uint32_t n, uint32_t *bytes_read) {
  LOCKED(t, tvm_read(space(t), address, buffer, n, bytes_read));
}
static vmc_hresult tiny_query(vmc_target *t, uint64_t address, vmc_region_info *info) {
  LOCKED(t, tvm_query(space(t), address, info));
}

static const vmc_plugin_v1 plugin = {
    VMC_PLUGIN_ABI_VERSION, "example-c-tiny-vm", tiny_open,  tiny_close, tiny_page_size, tiny_granularity,
    tiny_allocate,          tiny_free,           tiny_write, tiny_read,  tiny_query,
};

__attribute__((visibility("default"))) const vmc_plugin_v1 *vmc_plugin_v1_entry(void) { return &plugin; }
