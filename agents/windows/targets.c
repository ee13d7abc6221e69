/* targets.c - the Windows agent's targets: open and close, the host table, foreign memory, host
 * faults, and the dispatch of every operation to its mode (raw.c or reference.c).
 *
 * Targets live in a fixed pool (the agent allocates nothing while it serves requests). A target's
 * table holds its host reservations; `close` releases each of them and the block it allocated
 * directly from the OS, so the next target starts from an address space holding none of them.
 */
#include "vmc_agent.h"

#include <string.h>

static vmc_target g_pool[VMC_MAX_TARGETS];
static int g_used[VMC_MAX_TARGETS];

vmc_hr vmc_last_error(void) {
  DWORD e = GetLastError();
  return e == 0 ? VMC_E_FAIL : (vmc_hr)(0x80070000UL | (e & 0xFFFF));
}

int vmc_table_add(vmc_target *t, vmc_u64 base, vmc_u64 size) {
  if (t->count == VMC_MAX_ALLOCATIONS) return 0;
  t->allocations[t->count].base = base;
  t->allocations[t->count].size = size;
  ++t->count;
  return 1;
}

void vmc_table_remove(vmc_target *t, size_t index) { t->allocations[index] = t->allocations[--t->count]; }

long vmc_table_find(const vmc_target *t, vmc_u64 address) {
  for (size_t i = 0; i < t->count; ++i)
    if (address >= t->allocations[i].base && address - t->allocations[i].base < t->allocations[i].size) return (long)i;
  return -1;
}

vmc_target *vmc_open(vmc_session *s) {
  for (int i = 1; i < VMC_MAX_TARGETS; ++i)
    if (!g_used[i]) {
      g_used[i] = 1;
      vmc_target *t = &g_pool[i];
      t->count = 0;
      t->has_fault = t->clr_unavailable = 0;
      t->object = NULL;
      /* Two pages allocated directly from the OS, not through the host: foreign to it. */
      t->os_block = (vmc_u64)(ULONG_PTR)VirtualAllocEx(s->process, NULL, 0x2000, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE);
      return t;
    }
  return NULL;
}

void vmc_close(vmc_session *s, vmc_target *t) {
  if (s->dll) vmc_dll_close(s, t); /* its object releases what it still holds, if it does */
  for (size_t i = 0; i < t->count; ++i)
    VirtualFreeEx(s->process, (LPVOID)(ULONG_PTR)t->allocations[i].base, 0, MEM_RELEASE);
  t->count = 0;
  if (t->os_block) VirtualFreeEx(s->process, (LPVOID)(ULONG_PTR)t->os_block, 0, MEM_RELEASE);
  t->os_block = 0;
  g_used[t - g_pool] = 0;
}

int vmc_foreign_memory(vmc_session *s, vmc_target *t, vmc_foreign *out, int max) {
  int n = 0;
  if (t->os_block && n < max) out[n++] = (vmc_foreign){t->os_block, 0x2000, "memory allocated directly with VirtualAlloc"};
  if (s->process_foreign[0] && n < max) out[n++] = (vmc_foreign){s->process_foreign[0], 256, "a block of a private heap"};
  if (s->process_foreign[1] && n < max) out[n++] = (vmc_foreign){s->process_foreign[1], 256, "the stack of a thread"};
  if (s->process_foreign[2] && n < max) out[n++] = (vmc_foreign){s->process_foreign[2], 256, "the program's image (.data)"};
  return n;
}

int vmc_inject_fault(vmc_session *s, vmc_target *t, vmc_hr hr) {
  if (!s->reference || s->dll) return 0; /* raw: nothing but Win32 calls; dll: the interfaces have none */
  t->has_fault = 1;
  t->fault = hr;
  return 1;
}

vmc_hr vmc_allocate(vmc_session *s, vmc_target *t, vmc_u64 address, DWORD size, DWORD type, DWORD protect,
                    vmc_u64 *allocated) {
  if (vmc_dll_has(s, VMC_OP_ALLOCATE)) return vmc_dll_allocate(s, t, address, size, type, protect, allocated);
  return s->reference ? vmc_ref_allocate(s, t, address, size, type, protect, allocated)
                      : vmc_raw_allocate(s, t, address, size, type, protect, allocated);
}

vmc_hr vmc_free(vmc_session *s, vmc_target *t, vmc_u64 address, vmc_u64 size, DWORD type) {
  if (vmc_dll_has(s, VMC_OP_FREE)) return vmc_dll_free(s, t, address, size, type);
  return s->reference ? vmc_ref_free(s, t, address, size, type) : vmc_raw_free(s, t, address, size, type);
}

vmc_hr vmc_write(vmc_session *s, vmc_target *t, vmc_u64 address, const BYTE *data, DWORD n) {
  if (vmc_dll_has(s, VMC_OP_WRITE)) return vmc_dll_write(s, t, address, data, n);
  return s->reference ? vmc_ref_write(s, t, address, data, n) : vmc_raw_write(s, address, data, n);
}

vmc_hr vmc_read(vmc_session *s, vmc_target *t, vmc_u64 address, BYTE *buffer, DWORD n, DWORD *got) {
  if (vmc_dll_has(s, VMC_OP_READ)) return vmc_dll_read(s, t, address, buffer, n, got);
  return s->reference ? vmc_ref_read(s, t, address, buffer, n, got) : vmc_raw_read(s, address, buffer, n, got);
}

vmc_hr vmc_query(vmc_session *s, vmc_target *t, vmc_u64 address, MEMORY_BASIC_INFORMATION *m) {
  if (vmc_dll_has(s, VMC_OP_QUERY)) return vmc_dll_query(s, t, address, m);
  memset(m, 0, sizeof *m);
  if (VirtualQueryEx(s->process, (LPCVOID)(ULONG_PTR)address, m, sizeof *m) == 0) return vmc_last_error();
  return VMC_S_OK;
}
