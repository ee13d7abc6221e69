/* host_shim.c - host_shim.h over Win32 and reference.c (see the header for why it is separate). */
#include "host_shim.h"

#include <string.h>

#include "../vmc_agent.h"

int shim_query(uint64_t address, uint64_t *run_end, uint32_t *state, uint32_t *protect) {
  MEMORY_BASIC_INFORMATION m;
  if (!VirtualQuery((LPCVOID)(ULONG_PTR)address, &m, sizeof m)) return 0;
  *run_end = (uint64_t)(ULONG_PTR)m.BaseAddress + m.RegionSize;
  *state = m.State;
  *protect = m.Protect;
  return 1;
}

int shim_write(uint64_t address, const void *data, uint32_t n) {
  SIZE_T written = 0;
  return WriteProcessMemory(GetCurrentProcess(), (LPVOID)(ULONG_PTR)address, data, n, &written) && written == n;
}

uint64_t shim_query_into(uint64_t address, void *buffer, uint64_t length) {
  return VirtualQuery((LPCVOID)(ULONG_PTR)address, (PMEMORY_BASIC_INFORMATION)buffer, (SIZE_T)length);
}

int32_t shim_last_error(void) { return vmc_last_error(); }

struct shim_host {
  vmc_session session;
  vmc_target target;
};

shim_host *shim_host_new(void) {
  shim_host *h = (shim_host *)calloc(1, sizeof *h);
  if (h == NULL) return NULL;
  h->session.reference = 1;
  h->session.process = GetCurrentProcess();
  SYSTEM_INFO si;
  GetSystemInfo(&si);
  h->session.page = si.dwPageSize;
  h->session.granularity = si.dwAllocationGranularity;
  return h;
}

void shim_host_delete(shim_host *h) {
  if (h == NULL) return;
  for (size_t i = 0; i < h->target.count; ++i)
    VirtualFree((LPVOID)(ULONG_PTR)h->target.allocations[i].base, 0, MEM_RELEASE);
  free(h);
}

int32_t shim_allocate(shim_host *h, uint64_t address, uint32_t size, uint32_t type, uint32_t protect, uint64_t *out) {
  vmc_u64 allocated = 0;
  const vmc_hr hr = vmc_ref_allocate(&h->session, &h->target, address, size, type, protect, &allocated);
  *out = allocated;
  return hr;
}

int32_t shim_free(shim_host *h, uint64_t address, uint64_t size, uint32_t type) {
  return vmc_ref_free(&h->session, &h->target, address, size, type);
}

int32_t shim_write_host(shim_host *h, uint64_t address, const uint8_t *data, uint32_t n) {
  return vmc_ref_write(&h->session, &h->target, address, data, n);
}

int32_t shim_read_host(shim_host *h, uint64_t address, uint8_t *buffer, uint32_t n, uint32_t *got) {
  DWORD read = 0;
  const vmc_hr hr = vmc_ref_read(&h->session, &h->target, address, buffer, n, &read);
  *got = read;
  return hr;
}
