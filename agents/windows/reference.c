/* reference.c - the agent's reference mode: vmconform's conformant implementation over Win32.
 *
 * What a host should copy to implement the three operations on Windows (or Wine) so that they
 * pass both profiles of the suite:
 * - a table of the host's allocations: VirtualFree of anything outside it is
 *   HOST_E_INVALIDOPERATION (VF-FOREIGN), and reads and writes reach host memory only (D-NONHOST);
 * - arguments checked in the win32 profile's order (type, size, protection, address, then the
 *   host's state, ownership, base and range) before any Win32 call, so that every failure has the
 *   win32 code and no effect, whatever the layer below would have done;
 * - WriteVirtual: the whole range checked with VirtualQueryEx first (committed, writable or
 *   executable, no guard), then one WriteProcessMemory, with PAGE_EXECUTE / PAGE_EXECUTE_READ
 *   pages made writable for the copy and put back, so a write is all-or-nothing (WV-ATOMIC) even
 *   where WriteProcessMemory itself is not;
 * - ReadVirtual: region by region (VirtualQueryEx, then ReadProcessMemory of the readable run),
 *   returning the whole readable prefix (RV-PREFIX) instead of ReadProcessMemory's all-or-nothing
 *   ERROR_PARTIAL_COPY, and never touching a PAGE_GUARD page (D-GUARD);
 * - host-fault injection and E_FAIL stickiness (VF-EFAIL-STICKY).
 */
#include "vmc_agent.h"

static vmc_u64 down(vmc_u64 a, vmc_u64 n) { return a - a % n; }

static int valid_protection(DWORD p) {
  const DWORD base = p & 0xFF, mods = p & ~0xFFu;
  const int guard = (mods & PAGE_GUARD) != 0, nocache = (mods & PAGE_NOCACHE) != 0,
            wcombine = (mods & PAGE_WRITECOMBINE) != 0;
  if (base != PAGE_NOACCESS && base != PAGE_READONLY && base != PAGE_READWRITE && base != PAGE_EXECUTE &&
      base != PAGE_EXECUTE_READ && base != PAGE_EXECUTE_READWRITE)
    return 0;
  if (mods & ~(DWORD)(PAGE_GUARD | PAGE_NOCACHE | PAGE_WRITECOMBINE)) return 0;
  if (base == PAGE_NOACCESS && mods != 0) return 0;
  if (guard && (nocache || wcombine)) return 0;
  return !(nocache && wcombine);
}

static int writable(DWORD protect) {
  if (protect & PAGE_GUARD) return 0;
  const DWORD base = protect & 0xFF;
  return base == PAGE_READWRITE || base == PAGE_EXECUTE_READWRITE || base == PAGE_EXECUTE || base == PAGE_EXECUTE_READ;
}

static int readable(DWORD protect) {
  if (protect & PAGE_GUARD) return 0;
  const DWORD base = protect & 0xFF;
  return base == PAGE_READONLY || base == PAGE_READWRITE || base == PAGE_EXECUTE_READWRITE || base == PAGE_EXECUTE ||
         base == PAGE_EXECUTE_READ;
}

/* Does [base, end) overlap a host reservation or the rest of its last granule? */
static int conflicts(const vmc_session *s, const vmc_target *t, vmc_u64 base, vmc_u64 end) {
  for (size_t i = 0; i < t->count; ++i) {
    const vmc_allocation *a = &t->allocations[i];
    const vmc_u64 tail = down(a->base + a->size + s->granularity - 1, s->granularity);
    if (base < tail && a->base < end) return 1;
  }
  return 0;
}

/* MEM_RESET on the committed runs of [first, end) only: Windows accepts reserved pages in the
 * range (D-RESET-RESERVED), but the contents of a reset page are only advice either way. */
static void reset_committed(vmc_session *s, vmc_u64 first, vmc_u64 end, DWORD protect) {
  for (vmc_u64 a = first; a < end;) {
    MEMORY_BASIC_INFORMATION m;
    if (!VirtualQueryEx(s->process, (LPCVOID)(ULONG_PTR)a, &m, sizeof m)) return;
    vmc_u64 run_end = (vmc_u64)(ULONG_PTR)m.BaseAddress + m.RegionSize;
    if (run_end > end) run_end = end;
    if (m.State == MEM_COMMIT) VirtualAllocEx(s->process, (LPVOID)(ULONG_PTR)a, (SIZE_T)(run_end - a), MEM_RESET, protect);
    a = run_end;
  }
}

vmc_hr vmc_ref_allocate(vmc_session *s, vmc_target *t, vmc_u64 address, DWORD size, DWORD type, DWORD protect,
                        vmc_u64 *allocated) {
  const vmc_u64 P = s->page, G = s->granularity;
  *allocated = 0;
  const DWORD kind = type & ~(DWORD)MEM_TOP_DOWN;
  if (type & ~(DWORD)(MEM_COMMIT | MEM_RESERVE | MEM_RESET | MEM_TOP_DOWN)) return VMC_E_INVALIDARG;
  if (kind != MEM_COMMIT && kind != MEM_RESERVE && kind != (MEM_COMMIT | MEM_RESERVE) && kind != MEM_RESET)
    return VMC_E_INVALIDARG;
  if (kind == MEM_RESET && type != MEM_RESET) return VMC_E_INVALIDARG;
  if (size == 0 || !valid_protection(protect)) return VMC_E_INVALIDARG;
  if (address != 0 && (address < 0x10000 || address + size - 1 > 0x7FFFFFFEFFFFull || address + size < address))
    return VMC_E_INVALIDARG;
  const vmc_u64 first = down(address, P), end = down(address + size + P - 1, P);
  if (kind == MEM_RESET) {
    if (address == 0) return VMC_E_INVALIDARG;
    const long i = vmc_table_find(t, first);
    if (i < 0 || end > t->allocations[i].base + t->allocations[i].size) return VMC_HR_INVALID_ADDRESS;
    reset_committed(s, first, end, protect);
    *allocated = first;
    return VMC_S_OK;
  }
  if (address == 0) { /* the system chooses; MEM_COMMIT alone reserves too (D-COMMIT-NULL) */
    LPVOID p = VirtualAllocEx(s->process, NULL, size, kind | MEM_RESERVE | (type & MEM_TOP_DOWN), protect);
    if (p == NULL) return vmc_last_error();
    if (!vmc_table_add(t, (vmc_u64)(ULONG_PTR)p, down((vmc_u64)size + P - 1, P))) {
      VirtualFreeEx(s->process, p, 0, MEM_RELEASE);
      return VMC_HR_NOT_ENOUGH_MEMORY;
    }
    *allocated = (vmc_u64)(ULONG_PTR)p;
    return VMC_S_OK;
  }
  if (kind & MEM_RESERVE) { /* from the granule holding address to the page holding its end */
    const vmc_u64 base = down(address, G);
    if (conflicts(s, t, base, end)) return VMC_HR_INVALID_ADDRESS;
    LPVOID p = VirtualAllocEx(s->process, (LPVOID)(ULONG_PTR)base, (SIZE_T)(end - base), kind, protect);
    if (p == NULL) return vmc_last_error(); /* something the host does not know is there (D-OCCUPIED) */
    if (!vmc_table_add(t, base, end - base)) {
      VirtualFreeEx(s->process, p, 0, MEM_RELEASE);
      return VMC_HR_NOT_ENOUGH_MEMORY;
    }
    *allocated = base;
    return VMC_S_OK;
  }
  const long i = vmc_table_find(t, first); /* MEM_COMMIT inside one host reservation */
  if (i < 0 || end > t->allocations[i].base + t->allocations[i].size) return VMC_HR_INVALID_ADDRESS;
  if (!VirtualAllocEx(s->process, (LPVOID)(ULONG_PTR)first, (SIZE_T)(end - first), MEM_COMMIT, protect))
    return vmc_last_error();
  /* Committed pages take the new protection (D-RECOMMIT-PROT), whatever the commit did to them. */
  DWORD old;
  VirtualProtectEx(s->process, (LPVOID)(ULONG_PTR)first, (SIZE_T)(end - first), protect, &old);
  *allocated = first;
  return VMC_S_OK;
}

vmc_hr vmc_ref_free(vmc_session *s, vmc_target *t, vmc_u64 address, vmc_u64 size, DWORD type) {
  const vmc_u64 P = s->page;
  if (t->clr_unavailable) return VMC_HOST_E_CLRNOTAVAILABLE;
  if (t->has_fault) { /* an injected host failure changes nothing */
    t->has_fault = 0;
    if (t->fault == VMC_E_FAIL) t->clr_unavailable = 1;
    return t->fault;
  }
  if (type != MEM_DECOMMIT && type != MEM_RELEASE) return VMC_E_INVALIDARG;
  if (type == MEM_RELEASE && size != 0) return VMC_E_INVALIDARG;
  const long i = vmc_table_find(t, address);
  if (i < 0) return VMC_HOST_E_INVALIDOPERATION; /* not allocated through this host */
  const vmc_allocation a = t->allocations[i];
  const int in_first_page = down(address, P) == a.base;
  if (type == MEM_RELEASE) {
    if (!in_first_page) return VMC_HR_INVALID_ADDRESS;
    if (!VirtualFreeEx(s->process, (LPVOID)(ULONG_PTR)a.base, 0, MEM_RELEASE)) return vmc_last_error();
    vmc_table_remove(t, (size_t)i);
    return VMC_S_OK;
  }
  vmc_u64 first = a.base, end = a.base + a.size;
  if (size == 0) {
    if (!in_first_page) return VMC_HR_INVALID_ADDRESS;
  } else {
    if (address + size < address) return VMC_E_INVALIDARG;
    first = down(address, P);
    end = down(address + size + P - 1, P);
    if (end < first || end > a.base + a.size) return VMC_E_INVALIDARG; /* runs past the reservation */
  }
  if (!VirtualFreeEx(s->process, (LPVOID)(ULONG_PTR)first, (SIZE_T)(end - first), MEM_DECOMMIT)) return vmc_last_error();
  return VMC_S_OK;
}

vmc_hr vmc_ref_write(vmc_session *s, vmc_target *t, vmc_u64 address, const BYTE *data, DWORD n) {
  if (n == 0) return VMC_S_OK;
  const vmc_u64 last = address + n - 1;
  if (last < address) return VMC_HR_NOACCESS;
  /* Every page of the range: host memory, committed, writable (an executable page counts: it is
   * made writable for the copy), no guard. Nothing is written unless all of them are. */
  enum { kMaxRuns = 64 };
  vmc_u64 exec_base[kMaxRuns], exec_size[kMaxRuns];
  DWORD exec_protect[kMaxRuns];
  int exec_runs = 0;
  for (vmc_u64 a = down(address, s->page); a <= last;) {
    if (vmc_table_find(t, a) < 0) return VMC_HR_NOACCESS;
    MEMORY_BASIC_INFORMATION m;
    if (!VirtualQueryEx(s->process, (LPCVOID)(ULONG_PTR)a, &m, sizeof m)) return VMC_HR_NOACCESS;
    if (m.State != MEM_COMMIT || !writable(m.Protect)) return VMC_HR_NOACCESS;
    const vmc_u64 run_end = (vmc_u64)(ULONG_PTR)m.BaseAddress + m.RegionSize;
    const DWORD base = m.Protect & 0xFF;
    if (base == PAGE_EXECUTE || base == PAGE_EXECUTE_READ) {
      if (exec_runs == kMaxRuns) return VMC_HR_NOACCESS;
      exec_base[exec_runs] = a;
      exec_size[exec_runs] = (run_end > last + 1 ? down(last, s->page) + s->page : run_end) - a;
      exec_protect[exec_runs++] = m.Protect;
    }
    if (run_end <= a) return VMC_HR_NOACCESS;
    a = run_end;
  }
  DWORD old;
  for (int r = 0; r < exec_runs; ++r)
    VirtualProtectEx(s->process, (LPVOID)(ULONG_PTR)exec_base[r], (SIZE_T)exec_size[r], PAGE_EXECUTE_READWRITE, &old);
  SIZE_T written = 0;
  const BOOL ok = WriteProcessMemory(s->process, (LPVOID)(ULONG_PTR)address, data, n, &written);
  const vmc_hr hr = ok ? VMC_S_OK : vmc_last_error();
  for (int r = 0; r < exec_runs; ++r)
    VirtualProtectEx(s->process, (LPVOID)(ULONG_PTR)exec_base[r], (SIZE_T)exec_size[r], exec_protect[r], &old);
  if (exec_runs) FlushInstructionCache(s->process, (LPCVOID)(ULONG_PTR)address, n);
  return hr;
}

vmc_hr vmc_ref_read(vmc_session *s, vmc_target *t, vmc_u64 address, BYTE *buffer, DWORD n, DWORD *got) {
  *got = 0;
  if (n == 0) return VMC_S_OK;
  DWORD done = 0;
  while (done < n) {
    const vmc_u64 at = address + done;
    if (at < address) break; /* wrapped around */
    const long i = vmc_table_find(t, at);
    if (i < 0) break;
    MEMORY_BASIC_INFORMATION m;
    if (!VirtualQueryEx(s->process, (LPCVOID)(ULONG_PTR)at, &m, sizeof m)) break;
    if (m.State != MEM_COMMIT || !readable(m.Protect)) break;
    vmc_u64 run_end = (vmc_u64)(ULONG_PTR)m.BaseAddress + m.RegionSize;
    const vmc_u64 host_end = t->allocations[i].base + t->allocations[i].size;
    if (run_end > host_end) run_end = host_end;
    const DWORD chunk = (DWORD)((vmc_u64)(n - done) < run_end - at ? (vmc_u64)(n - done) : run_end - at);
    SIZE_T copied = 0;
    if (!ReadProcessMemory(s->process, (LPCVOID)(ULONG_PTR)at, buffer + done, chunk, &copied)) break;
    done += chunk;
  }
  if (done == 0) return VMC_HR_PARTIAL_COPY; /* the first byte is unreadable */
  *got = done;
  return VMC_S_OK;
}
