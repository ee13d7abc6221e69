/* host_shim.h - what com_objects.cpp needs from Win32 and from the agent's reference implementation,
 * behind plain C functions: com_objects.cpp includes vmconform/com/interfaces.h alone (windows.h
 * defines REFIID and `interface` as macros, which the header's own declarations cannot share a
 * translation unit with unless VMC_COM_HAVE_TYPES and the SDK's COM headers are used instead). */
#ifndef VMC_HOST_SHIM_H
#define VMC_HOST_SHIM_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* VirtualQuery of this process: 1 and the run of pages holding `address` (its end, state and
 * protection), or 0 if the query fails. */
int shim_query(uint64_t address, uint64_t *run_end, uint32_t *state, uint32_t *protect);
/* WriteProcessMemory on this process (it makes code pages writable for the copy): 1 if all n bytes were written. */
int shim_write(uint64_t address, const void *data, uint32_t n);
/* VirtualQuery into a caller's MEMORY_BASIC_INFORMATION: the bytes written (0: failed, see shim_last_error). */
uint64_t shim_query_into(uint64_t address, void *buffer, uint64_t length);
int32_t shim_last_error(void); /* HRESULT_FROM_WIN32(GetLastError()) */

/* A host over the agent's reference implementation (reference.c), on this process. */
typedef struct shim_host shim_host;
shim_host *shim_host_new(void);
void shim_host_delete(shim_host *h); /* releases what it still holds */
int32_t shim_allocate(shim_host *h, uint64_t address, uint32_t size, uint32_t type, uint32_t protect, uint64_t *out);
int32_t shim_free(shim_host *h, uint64_t address, uint64_t size, uint32_t type);
int32_t shim_write_host(shim_host *h, uint64_t address, const uint8_t *data, uint32_t n);
int32_t shim_read_host(shim_host *h, uint64_t address, uint8_t *buffer, uint32_t n, uint32_t *got);

#define SHIM_MEM_COMMIT 0x1000u
#define SHIM_HR_NOACCESS ((int32_t)0x800703E6)

#ifdef __cplusplus
}
#endif
#endif
