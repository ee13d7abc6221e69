/* raw.c - the agent's raw mode: every operation is one Win32 call on the session's process.
 *
 * This is how real data targets are written (the .NET runtime's local data target writes with one
 * WriteProcessMemory call and returns HRESULT_FROM_WIN32(GetLastError())). The answer is whatever
 * Win32 says; the list of successful reservations serves only to release them at `close`.
 */
#include "vmc_agent.h"

vmc_hr vmc_raw_allocate(vmc_session *s, vmc_target *t, vmc_u64 address, DWORD size, DWORD type, DWORD protect,
                        vmc_u64 *allocated) {
  SetLastError(0);
  LPVOID p = VirtualAllocEx(s->process, (LPVOID)(ULONG_PTR)address, size, type, protect);
  *allocated = (vmc_u64)(ULONG_PTR)p;
  if (p == NULL) return vmc_last_error();
  if ((type & MEM_RESERVE) || address == 0) { /* a new reservation: remember its base for close */
    MEMORY_BASIC_INFORMATION m;
    if (VirtualQueryEx(s->process, p, &m, sizeof m) && vmc_table_find(t, (vmc_u64)(ULONG_PTR)m.AllocationBase) < 0)
      vmc_table_add(t, (vmc_u64)(ULONG_PTR)m.AllocationBase, 1);
  }
  return VMC_S_OK;
}

vmc_hr vmc_raw_free(vmc_session *s, vmc_target *t, vmc_u64 address, vmc_u64 size, DWORD type) {
  SetLastError(0);
  if (!VirtualFreeEx(s->process, (LPVOID)(ULONG_PTR)address, (SIZE_T)size, type)) return vmc_last_error();
  if (type == MEM_RELEASE) /* forget it, wherever in the list it was */
    for (size_t i = 0; i < t->count; ++i) {
      MEMORY_BASIC_INFORMATION m;
      if (VirtualQueryEx(s->process, (LPCVOID)(ULONG_PTR)t->allocations[i].base, &m, sizeof m) && m.State == MEM_FREE) {
        vmc_table_remove(t, i);
        break;
      }
    }
  return VMC_S_OK;
}

vmc_hr vmc_raw_write(vmc_session *s, vmc_u64 address, const BYTE *data, DWORD n) {
  SIZE_T written = 0;
  SetLastError(0);
  if (!WriteProcessMemory(s->process, (LPVOID)(ULONG_PTR)address, data, n, &written)) return vmc_last_error();
  return VMC_S_OK;
}

vmc_hr vmc_raw_read(vmc_session *s, vmc_u64 address, BYTE *buffer, DWORD n, DWORD *got) {
  SIZE_T done = 0;
  SetLastError(0);
  BOOL ok = ReadProcessMemory(s->process, (LPCVOID)(ULONG_PTR)address, buffer, n, &done);
  *got = (DWORD)(done > n ? n : done);
  return ok ? VMC_S_OK : vmc_last_error();
}
