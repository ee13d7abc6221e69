/* vmc_agent.h - what the Windows agent's parts share: the session, a target, the operations.
 *
 * vmc_agent.c is the protocol loop; raw.c maps every operation to one Win32 call; reference.c is
 * the conformant implementation (host allocation table, whole-range checks, page-by-page reads).
 * Both work on `session->process`: the agent's own process or the child it started.
 */
#ifndef VMC_AGENT_H
#define VMC_AGENT_H

#include <windows.h>
#include <stdlib.h>

typedef unsigned long long vmc_u64;
typedef LONG vmc_hr;

#define VMC_AGENT_MAX_LINE (16u << 20) /* 16 MiB: a write of 8 MiB in hex */
#define VMC_AGENT_MAX_DATA (8u << 20)

#define VMC_S_OK ((vmc_hr)0)
#define VMC_E_INVALIDARG ((vmc_hr)0x80070057L)
#define VMC_HR_NOT_ENOUGH_MEMORY ((vmc_hr)0x80070008L)
#define VMC_HR_INVALID_ADDRESS ((vmc_hr)0x800701E7L)
#define VMC_HR_PARTIAL_COPY ((vmc_hr)0x8007012BL)
#define VMC_HR_NOACCESS ((vmc_hr)0x800703E6L)
#define VMC_E_FAIL ((vmc_hr)0x80004005L)
#define VMC_HOST_E_INVALIDOPERATION ((vmc_hr)0x80131022L)
#define VMC_HOST_E_CLRNOTAVAILABLE ((vmc_hr)0x80131023L)

typedef struct vmc_session {
  int reference;                /* mode: 1 reference, 0 raw */
  HANDLE process;               /* the process whose memory the targets are */
  DWORD page, granularity;
  vmc_u64 process_foreign[3];   /* heap block, stack buffer, image buffer in that process */
  int dll;                      /* dll mode: VMC_DLL_*, 0 otherwise */
} vmc_session;

/* dll mode's interfaces (dll.c) and the operations one may provide. */
#define VMC_DLL_DATA_TARGET 1
#define VMC_DLL_MUTABLE_DATA_TARGET 2
#define VMC_DLL_JS_DATA_TARGET 3
#define VMC_DLL_HOST_MEMORY_MANAGER 4
enum { VMC_OP_ALLOCATE, VMC_OP_FREE, VMC_OP_WRITE, VMC_OP_READ, VMC_OP_QUERY };

typedef struct vmc_allocation {
  vmc_u64 base, size; /* a host reservation: [base, base + size) */
} vmc_allocation;

#define VMC_MAX_TARGETS 17        /* target numbers 1..16 live at once */
#define VMC_MAX_ALLOCATIONS 4096  /* host reservations per target */

typedef struct vmc_target {
  vmc_allocation allocations[VMC_MAX_ALLOCATIONS]; /* reference: the host table; raw: what to release at close */
  size_t count;
  vmc_u64 os_block;            /* memory allocated directly from the OS for this target (foreign) */
  int has_fault, clr_unavailable;
  vmc_hr fault;
  void *object;                /* dll mode: the COM object the factory returned for this target */
} vmc_target;

typedef struct vmc_foreign {
  vmc_u64 address, size;
  const char *what;
} vmc_foreign;

/* HRESULT_FROM_WIN32(GetLastError()) */
vmc_hr vmc_last_error(void);

vmc_target *vmc_open(vmc_session *s);
void vmc_close(vmc_session *s, vmc_target *t);
int vmc_foreign_memory(vmc_session *s, vmc_target *t, vmc_foreign *out, int max);
int vmc_inject_fault(vmc_session *s, vmc_target *t, vmc_hr hr);
vmc_hr vmc_allocate(vmc_session *s, vmc_target *t, vmc_u64 address, DWORD size, DWORD type, DWORD protect,
                    vmc_u64 *allocated);
vmc_hr vmc_free(vmc_session *s, vmc_target *t, vmc_u64 address, vmc_u64 size, DWORD type);
vmc_hr vmc_write(vmc_session *s, vmc_target *t, vmc_u64 address, const BYTE *data, DWORD n);
vmc_hr vmc_read(vmc_session *s, vmc_target *t, vmc_u64 address, BYTE *buffer, DWORD n, DWORD *got);
vmc_hr vmc_query(vmc_session *s, vmc_target *t, vmc_u64 address, MEMORY_BASIC_INFORMATION *m);

/* The modes. */
vmc_hr vmc_raw_allocate(vmc_session *s, vmc_target *t, vmc_u64 address, DWORD size, DWORD type, DWORD protect,
                        vmc_u64 *allocated);
vmc_hr vmc_raw_free(vmc_session *s, vmc_target *t, vmc_u64 address, vmc_u64 size, DWORD type);
vmc_hr vmc_raw_write(vmc_session *s, vmc_u64 address, const BYTE *data, DWORD n);
vmc_hr vmc_raw_read(vmc_session *s, vmc_u64 address, BYTE *buffer, DWORD n, DWORD *got);
vmc_hr vmc_ref_allocate(vmc_session *s, vmc_target *t, vmc_u64 address, DWORD size, DWORD type, DWORD protect,
                        vmc_u64 *allocated);
vmc_hr vmc_ref_free(vmc_session *s, vmc_target *t, vmc_u64 address, vmc_u64 size, DWORD type);
vmc_hr vmc_ref_write(vmc_session *s, vmc_target *t, vmc_u64 address, const BYTE *data, DWORD n);
vmc_hr vmc_ref_read(vmc_session *s, vmc_target *t, vmc_u64 address, BYTE *buffer, DWORD n, DWORD *got);

/* dll mode (dll.c): loads the DLL and finds its factory (0, with a message on stderr, if it cannot);
 * opens a target's object (NULL, or why not); whether the object provides an operation. */
int vmc_dll_load(vmc_session *s, const char *path, const char *interface_name, const char *symbol, const char *options);
const char *vmc_dll_interface(const vmc_session *s);
const char *vmc_dll_operations(const vmc_session *s); /* a JSON list of operation names */
const char *vmc_dll_open(vmc_session *s, vmc_target *t);
void vmc_dll_close(vmc_session *s, vmc_target *t);
int vmc_dll_has(const vmc_session *s, int op);
vmc_hr vmc_dll_allocate(vmc_session *s, vmc_target *t, vmc_u64 address, DWORD size, DWORD type, DWORD protect,
                        vmc_u64 *allocated);
vmc_hr vmc_dll_free(vmc_session *s, vmc_target *t, vmc_u64 address, vmc_u64 size, DWORD type);
vmc_hr vmc_dll_write(vmc_session *s, vmc_target *t, vmc_u64 address, const BYTE *data, DWORD n);
vmc_hr vmc_dll_read(vmc_session *s, vmc_target *t, vmc_u64 address, BYTE *buffer, DWORD n, DWORD *got);
vmc_hr vmc_dll_query(vmc_session *s, vmc_target *t, vmc_u64 address, MEMORY_BASIC_INFORMATION *m);

/* The host table (targets.c); 0 when full. */
int vmc_table_add(vmc_target *t, vmc_u64 base, vmc_u64 size);
void vmc_table_remove(vmc_target *t, size_t index);
/* Index of the host reservation holding `address`, or -1. */
long vmc_table_find(const vmc_target *t, vmc_u64 address);

#endif
