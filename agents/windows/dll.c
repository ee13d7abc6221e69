/* dll.c - the Windows agent's `dll` mode: a user's Windows implementation, checked unchanged.
 *
 * `vmc_agent.exe dll self --dll PATH --interface NAME --factory SYMBOL [--options STRING]` loads
 * PATH (LoadLibrary), finds the exported factory SYMBOL, `void *SYMBOL(const char *options)`, which
 * returns a COM object with one reference implementing NAME, and calls it once per target (`open`;
 * the object is Released at `close`). The object works on the agent's own process (self): its
 * memory is this process's, as a debugger's local data target or a CLR host's memory manager is.
 * The interfaces are called through their vtables, in the documented method order of
 * impl/include/vmconform/com/interfaces.h (the same layout as the Windows SDK's headers):
 *
 * - ICorDebugMutableDataTarget: `write` <- WriteVirtual(address, data, n), `read` <-
 *   ReadVirtual(address, buffer, n, &read); allocate, free and query are the agent's reference
 *   mode (reference.c) in this process: the memory the data target is checked on.
 *   ICorDebugDataTarget: the same without WriteVirtual (the agent's reference write arranges the
 *   bytes; the WriteVirtual rules are skipped).
 * - IJsDebugDataTarget: `allocate` <- AllocateVirtualMemory, `free` <- FreeVirtualMemory (a 64-bit
 *   size above 0xFFFFFFFF is passed as 0xFFFFFFFF, as the plugin adapter does), `write` <-
 *   WriteMemory (E_JsDEBUG_INVALID_MEMORY_ADDRESS answered as HRESULT_FROM_WIN32(ERROR_NOACCESS),
 *   the code WV-CODE-READONLY expects), `read` <- ReadMemory(JsDebugAllowPartialRead); `query` is
 *   VirtualQuery's view of this process.
 * - IHostMemoryManager: `allocate` <- VirtualAlloc(eProcessCritical), `free` <- VirtualFree,
 *   `query` <- VirtualQuery (S_OK with no information answered as E_INVALIDARG); `write` and
 *   `read` are the agent's reference mode, on the reservations the manager made (the agent keeps
 *   their table from the answers, so that it writes and reads host memory only).
 *
 * `hello` names the operations that are the object's own (spec/agent-protocol.md, "Partial
 * implementations"); the suite skips the rules of the others. No host-fault injection (the
 * interfaces have none).
 */
#include "vmc_agent.h"

#include <stdio.h>
#include <string.h>

typedef void *(*vmc_factory)(const char *options);
typedef struct vmc_com {
  void **vtbl;
} vmc_com;
#define VMC_SLOT(object, i) (((vmc_com *)(object))->vtbl[i])

typedef ULONG(WINAPI *release_fn)(void *self);
typedef HRESULT(WINAPI *query_interface_fn)(void *self, const GUID *iid, void **out);
/* ICorDebugDataTarget (3 GetPlatform, 4 ReadVirtual, 5 GetThreadContext), ICorDebugMutableDataTarget (6 WriteVirtual) */
typedef HRESULT(WINAPI *read_virtual_fn)(void *self, ULONG64 address, BYTE *buffer, ULONG32 n, ULONG32 *read);
typedef HRESULT(WINAPI *write_virtual_fn)(void *self, ULONG64 address, const BYTE *buffer, ULONG32 n);
/* IJsDebugDataTarget: 3 ReadMemory, 4 WriteMemory, 5 AllocateVirtualMemory, 6 FreeVirtualMemory */
typedef HRESULT(WINAPI *js_read_fn)(void *self, UINT64 address, int flags, BYTE *buffer, DWORD n, DWORD *read);
typedef HRESULT(WINAPI *js_write_fn)(void *self, UINT64 address, BYTE *buffer, DWORD n);
typedef HRESULT(WINAPI *js_allocate_fn)(void *self, UINT64 address, DWORD size, DWORD type, DWORD protect, UINT64 *out);
typedef HRESULT(WINAPI *js_free_fn)(void *self, UINT64 address, DWORD size, DWORD type);
/* IHostMemoryManager: 3 CreateMalloc, 4 VirtualAlloc, 5 VirtualFree, 6 VirtualQuery */
typedef HRESULT(WINAPI *hmm_alloc_fn)(void *self, void *address, SIZE_T size, DWORD type, DWORD protect, int critical,
                                      void **out);
typedef HRESULT(WINAPI *hmm_free_fn)(void *self, void *address, SIZE_T size, DWORD type);
typedef HRESULT(WINAPI *hmm_query_fn)(void *self, void *address, void *buffer, SIZE_T length, SIZE_T *result);

static const GUID kIids[] = {
    {0xFE06DC28, 0x49FB, 0x4636, {0xA4, 0xA3, 0xE8, 0x0D, 0xB4, 0xAE, 0x11, 0x6C}}, /* ICorDebugDataTarget */
    {0xA1B8A756, 0x3CB6, 0x4CCB, {0x97, 0x9F, 0x3D, 0xF9, 0x99, 0x67, 0x3A, 0x59}}, /* ICorDebugMutableDataTarget */
    {0x53B28977, 0x53A1, 0x48E5, {0x90, 0x00, 0x5D, 0x0D, 0xFA, 0x89, 0x39, 0x31}}, /* IJsDebugDataTarget */
    {0x7BC698D1, 0xF9E3, 0x4460, {0x9C, 0xDE, 0xD0, 0x42, 0x48, 0xE9, 0xFA, 0x25}}, /* IHostMemoryManager */
};
static const char *const kNames[] = {"ICorDebugDataTarget", "ICorDebugMutableDataTarget", "IJsDebugDataTarget",
                                     "IHostMemoryManager"};
static const char *const kOperations[] = {
    "[\"ReadVirtual\"]", "[\"WriteVirtual\",\"ReadVirtual\"]",
    "[\"AllocateVirtualMemory\",\"VirtualFree\",\"WriteVirtual\",\"ReadVirtual\"]",
    "[\"AllocateVirtualMemory\",\"VirtualFree\"]"};

static vmc_factory g_factory;
static const char *g_options = "";

int vmc_dll_load(vmc_session *s, const char *path, const char *interface_name, const char *symbol, const char *options) {
  s->dll = 0;
  for (int i = 0; i < 4; ++i)
    if (strcmp(interface_name, kNames[i]) == 0) s->dll = VMC_DLL_DATA_TARGET + i;
  if (s->dll == 0) {
    fprintf(stderr, "vmc_agent: --interface %s: not one of ICorDebugDataTarget, ICorDebugMutableDataTarget, "
                    "IJsDebugDataTarget, IHostMemoryManager\n", interface_name);
    return 0;
  }
  HMODULE module = LoadLibraryA(path);
  if (module == NULL) {
    fprintf(stderr, "vmc_agent: cannot load %s (error %lu)\n", path, GetLastError());
    return 0;
  }
  g_factory = (vmc_factory)(void (*)(void))GetProcAddress(module, symbol);
  if (g_factory == NULL) {
    fprintf(stderr, "vmc_agent: %s exports no %s (error %lu)\n", path, symbol, GetLastError());
    return 0;
  }
  g_options = options;
  s->reference = 1; /* what the object does not provide, the reference mode does */
  return 1;
}

const char *vmc_dll_interface(const vmc_session *s) { return kNames[s->dll - VMC_DLL_DATA_TARGET]; }
const char *vmc_dll_operations(const vmc_session *s) { return kOperations[s->dll - VMC_DLL_DATA_TARGET]; }

const char *vmc_dll_open(vmc_session *s, vmc_target *t) {
  static char why[160];
  t->object = g_factory(g_options);
  if (t->object == NULL) return "the factory returned NULL";
  void *same = NULL;
  const HRESULT hr = ((query_interface_fn)VMC_SLOT(t->object, 0))(t->object, &kIids[s->dll - VMC_DLL_DATA_TARGET], &same);
  if (hr < 0 || same == NULL) {
    snprintf(why, sizeof why, "the object does not implement %s (QueryInterface returned 0x%08lx)",
             vmc_dll_interface(s), (unsigned long)hr);
    ((release_fn)VMC_SLOT(t->object, 2))(t->object);
    t->object = NULL;
    return why;
  }
  ((release_fn)VMC_SLOT(same, 2))(same);
  return NULL;
}

void vmc_dll_close(vmc_session *s, vmc_target *t) {
  (void)s;
  if (t->object != NULL) ((release_fn)VMC_SLOT(t->object, 2))(t->object);
  t->object = NULL;
}

int vmc_dll_has(const vmc_session *s, int op) {
  switch (s->dll) {
    case VMC_DLL_DATA_TARGET: return op == VMC_OP_READ;
    case VMC_DLL_MUTABLE_DATA_TARGET: return op == VMC_OP_READ || op == VMC_OP_WRITE;
    case VMC_DLL_JS_DATA_TARGET: return op != VMC_OP_QUERY;
    case VMC_DLL_HOST_MEMORY_MANAGER: return op == VMC_OP_ALLOCATE || op == VMC_OP_FREE || op == VMC_OP_QUERY;
    default: return 0;
  }
}

/* The reservation holding `address` in this process: its base and size, from VirtualQuery. */
static void reservation_of(vmc_u64 address, vmc_u64 *base, vmc_u64 *size) {
  MEMORY_BASIC_INFORMATION m;
  *base = *size = 0;
  if (!VirtualQuery((LPCVOID)(ULONG_PTR)address, &m, sizeof m) || m.State == MEM_FREE) return;
  *base = (vmc_u64)(ULONG_PTR)m.AllocationBase;
  vmc_u64 at = *base;
  while (VirtualQuery((LPCVOID)(ULONG_PTR)at, &m, sizeof m) && m.State != MEM_FREE &&
         (vmc_u64)(ULONG_PTR)m.AllocationBase == *base)
    at = (vmc_u64)(ULONG_PTR)m.BaseAddress + m.RegionSize;
  *size = at - *base;
}

vmc_hr vmc_dll_allocate(vmc_session *s, vmc_target *t, vmc_u64 address, DWORD size, DWORD type, DWORD protect,
                        vmc_u64 *allocated) {
  *allocated = 0;
  if (s->dll == VMC_DLL_JS_DATA_TARGET) {
    UINT64 out = 0;
    const HRESULT hr = ((js_allocate_fn)VMC_SLOT(t->object, 5))(t->object, address, size, type, protect, &out);
    *allocated = out;
    return hr;
  }
  void *out = NULL;
  const HRESULT hr = ((hmm_alloc_fn)VMC_SLOT(t->object, 4))(t->object, (void *)(ULONG_PTR)address, size, type,
                                                            protect, 2 /* eProcessCritical */, &out);
  *allocated = (vmc_u64)(ULONG_PTR)out;
  if (hr >= 0 && out != NULL && vmc_table_find(t, *allocated) < 0) { /* a new reservation: host memory */
    vmc_u64 base, bytes;
    reservation_of(*allocated, &base, &bytes);
    if (bytes) vmc_table_add(t, base, bytes);
  }
  return hr;
}

vmc_hr vmc_dll_free(vmc_session *s, vmc_target *t, vmc_u64 address, vmc_u64 size, DWORD type) {
  if (s->dll == VMC_DLL_JS_DATA_TARGET)
    return ((js_free_fn)VMC_SLOT(t->object, 6))(t->object, address, size > 0xFFFFFFFFull ? 0xFFFFFFFFu : (DWORD)size,
                                                type);
  const HRESULT hr = ((hmm_free_fn)VMC_SLOT(t->object, 5))(t->object, (void *)(ULONG_PTR)address, (SIZE_T)size, type);
  if (hr >= 0 && (type & MEM_RELEASE)) {
    const long i = vmc_table_find(t, address);
    if (i >= 0) {
      vmc_u64 base, bytes;
      reservation_of(t->allocations[i].base, &base, &bytes);
      if (bytes == 0) vmc_table_remove(t, (size_t)i); /* released indeed */
    }
  }
  return hr;
}

vmc_hr vmc_dll_write(vmc_session *s, vmc_target *t, vmc_u64 address, const BYTE *data, DWORD n) {
  if (s->dll == VMC_DLL_JS_DATA_TARGET) {
    const HRESULT hr = ((js_write_fn)VMC_SLOT(t->object, 4))(t->object, address, (BYTE *)data, n);
    return hr == (HRESULT)0x8DC70005L ? VMC_HR_NOACCESS : hr; /* E_JsDEBUG_INVALID_MEMORY_ADDRESS */
  }
  return ((write_virtual_fn)VMC_SLOT(t->object, 6))(t->object, address, data, n);
}

vmc_hr vmc_dll_read(vmc_session *s, vmc_target *t, vmc_u64 address, BYTE *buffer, DWORD n, DWORD *got) {
  if (s->dll == VMC_DLL_JS_DATA_TARGET) {
    DWORD read = 0;
    const HRESULT hr = ((js_read_fn)VMC_SLOT(t->object, 3))(t->object, address, 1 /* JsDebugAllowPartialRead */,
                                                           buffer, n, &read);
    *got = read > VMC_AGENT_MAX_DATA ? VMC_AGENT_MAX_DATA : read; /* more than n: the host says so */
    return hr;
  }
  ULONG32 read = 0;
  const HRESULT hr = ((read_virtual_fn)VMC_SLOT(t->object, 4))(t->object, address, buffer, n, &read);
  *got = read > VMC_AGENT_MAX_DATA ? VMC_AGENT_MAX_DATA : read; /* more than n: the host says so */
  return hr;
}

vmc_hr vmc_dll_query(vmc_session *s, vmc_target *t, vmc_u64 address, MEMORY_BASIC_INFORMATION *m) {
  (void)s;
  SIZE_T result = 0;
  memset(m, 0, sizeof *m);
  const HRESULT hr = ((hmm_query_fn)VMC_SLOT(t->object, 6))(t->object, (void *)(ULONG_PTR)address, m, sizeof *m, &result);
  if (hr >= 0 && result == 0) return VMC_E_INVALIDARG;
  return hr;
}
