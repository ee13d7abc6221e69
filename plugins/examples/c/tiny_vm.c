/* tiny_vm.c - the tiny simulated address space: AllocateVirtualMemory, VirtualFree,
 * WriteVirtual, ReadVirtual and a VirtualQuery over a list of reservations.
 *
 * Each function checks its arguments in the order Windows does (type, size, protection,
 * address; then host state, ownership, base, range) and returns the HRESULT a COM wrapper
 * around the Win32 call returns, so it passes both profiles of the suite. The system's address
 * choice is first fit from TVM_FIRST_CHOICE, which makes runs reproducible.
 */
#include "tiny_vm.h"

#include <stdlib.h>
#include <string.h>

#define TVM_FIRST_CHOICE 0x10000000ull

uint64_t tvm_page_down(uint64_t a) { return a - a % TVM_PAGE_SIZE; }
static uint64_t granule_down(uint64_t a) { return a - a % TVM_GRANULARITY; }
static uint64_t granule_up(uint64_t a) { return granule_down(a + TVM_GRANULARITY - 1); }
static uint64_t region_end(const tvm_region *r) { return r->base + r->pages * TVM_PAGE_SIZE; }

tvm_space *tvm_create(void) {
  tvm_space *s = calloc(1, sizeof(tvm_space));
  if (s != NULL) pthread_mutex_init(&s->lock, NULL);
  return s;
}

static void drop_region(tvm_region *r) {
  tvm_decommit_pages(r, 0, r->pages);
  free(r->page);
}

void tvm_destroy(tvm_space *s) {
  if (s == NULL) return;
  for (size_t i = 0; i < s->count; ++i) drop_region(&s->regions[i]);
  free(s->regions);
  pthread_mutex_destroy(&s->lock);
  free(s);
}

tvm_region *tvm_region_at(tvm_space *s, uint64_t address) {
  for (size_t i = 0; i < s->count; ++i)
    if (address >= s->regions[i].base && address < region_end(&s->regions[i])) return &s->regions[i];
  return NULL;
}

tvm_page *tvm_page_at(tvm_space *s, uint64_t address) {
  tvm_region *r = tvm_region_at(s, address);
  return r == NULL ? NULL : &r->page[(address - r->base) / TVM_PAGE_SIZE];
}

int tvm_valid_protection(uint32_t protect) {
  const uint32_t base = protect & 0xFFu, mods = protect & ~0xFFu;
  const int guard = (mods & TVM_PAGE_GUARD) != 0, nocache = (mods & TVM_PAGE_NOCACHE) != 0,
            wcombine = (mods & TVM_PAGE_WRITECOMBINE) != 0;
  if (base != TVM_PAGE_NOACCESS && base != TVM_PAGE_READONLY && base != TVM_PAGE_READWRITE &&
      base != TVM_PAGE_EXECUTE && base != TVM_PAGE_EXECUTE_READ && base != TVM_PAGE_EXECUTE_READWRITE)
    return 0; /* zero, several base bits, or a WRITECOPY value */
  if (mods & ~(TVM_PAGE_GUARD | TVM_PAGE_NOCACHE | TVM_PAGE_WRITECOMBINE)) return 0;
  if (base == TVM_PAGE_NOACCESS && mods != 0) return 0;
  if (guard && (nocache || wcombine)) return 0;
  return !(nocache && wcombine);
}

int tvm_page_readable(const tvm_page *p) {
  if (p == NULL || !p->committed || (p->protect & TVM_PAGE_GUARD)) return 0;
  return (p->protect & 0xFFu) != TVM_PAGE_NOACCESS;
}

int tvm_page_writable(const tvm_page *p) {
  if (p == NULL || !p->committed || (p->protect & TVM_PAGE_GUARD)) return 0;
  const uint32_t base = p->protect & 0xFFu;
  return base == TVM_PAGE_READWRITE || base == TVM_PAGE_EXECUTE_READWRITE || base == TVM_PAGE_EXECUTE ||
         base == TVM_PAGE_EXECUTE_READ;
}

uint8_t *tvm_page_bytes(tvm_page *p) {
  if (p->bytes == NULL) p->bytes = calloc(1, TVM_PAGE_SIZE);
  return p->bytes;
}

void tvm_decommit_pages(tvm_region *r, uint64_t first, uint64_t count) {
  for (uint64_t i = first; i < first + count; ++i) {
    free(r->page[i].bytes);
    r->page[i].bytes = NULL;
    r->page[i].committed = 0;
    r->page[i].protect = 0;
  }
}

/* Does [base, end) overlap a reservation, or the rest of a reservation's last granule? */
static int conflicts(const tvm_space *s, uint64_t base, uint64_t end) {
  for (size_t i = 0; i < s->count; ++i) {
    const tvm_region *r = &s->regions[i];
    if (base < granule_up(region_end(r)) && r->base < end) return 1;
  }
  return 0;
}

static void preemption_point(const tvm_space *s) {
  if (s->preempt) s->preempt();
}

static vmc_hresult reserve(tvm_space *s, uint64_t base, uint64_t size, int commit, uint32_t protect,
                           uint64_t *allocated_address) {
  if (conflicts(s, base, base + size)) return TVM_HR_INVALID_ADDRESS;
  preemption_point(s);
  if (s->count == s->capacity) {
    const size_t capacity = s->capacity ? 2 * s->capacity : 8;
    tvm_region *grown = realloc(s->regions, capacity * sizeof(tvm_region));
    if (grown == NULL) return TVM_HR_NOT_ENOUGH_MEMORY;
    s->regions = grown;
    s->capacity = capacity;
  }
  tvm_region r = {base, size / TVM_PAGE_SIZE, protect, NULL};
  r.page = calloc(r.pages, sizeof(tvm_page));
  if (r.page == NULL) return TVM_HR_NOT_ENOUGH_MEMORY;
  for (uint64_t i = 0; commit && i < r.pages; ++i) {
    r.page[i].committed = 1;
    r.page[i].protect = protect;
  }
  s->regions[s->count++] = r;
  *allocated_address = base;
  return TVM_S_OK;
}

static vmc_hresult commit_existing(tvm_space *s, uint64_t address, uint32_t size, uint32_t protect,
                                   uint64_t *allocated_address) {
  const uint64_t first = tvm_page_down(address);
  const uint64_t end = tvm_page_down(address + size + TVM_PAGE_SIZE - 1);
  tvm_region *r = tvm_region_at(s, first);
  if (r == NULL || end > region_end(r)) return TVM_HR_INVALID_ADDRESS; /* not inside one reservation */
  for (uint64_t i = (first - r->base) / TVM_PAGE_SIZE; i < (end - r->base) / TVM_PAGE_SIZE; ++i) {
    if (!r->page[i].committed) { /* newly committed pages read as zero */
      free(r->page[i].bytes);
      r->page[i].bytes = NULL;
    }
    r->page[i].committed = 1; /* committed pages keep their bytes; the new protection applies */
    r->page[i].protect = protect;
  }
  *allocated_address = first;
  return TVM_S_OK;
}

vmc_hresult tvm_allocate(tvm_space *s, uint64_t address, uint32_t size, uint32_t type, uint32_t protect,
                         uint64_t *allocated_address) {
  if (allocated_address == NULL) return TVM_E_POINTER;
  *allocated_address = 0;
  const uint32_t kind = type & ~TVM_MEM_TOP_DOWN;
  if (type & ~(TVM_MEM_COMMIT | TVM_MEM_RESERVE | TVM_MEM_RESET | TVM_MEM_TOP_DOWN)) return TVM_E_INVALIDARG;
  if (kind != TVM_MEM_COMMIT && kind != TVM_MEM_RESERVE && kind != (TVM_MEM_COMMIT | TVM_MEM_RESERVE) &&
      kind != TVM_MEM_RESET)
    return TVM_E_INVALIDARG;
  if (kind == TVM_MEM_RESET && type != TVM_MEM_RESET) return TVM_E_INVALIDARG;
  if (size == 0 || !tvm_valid_protection(protect)) return TVM_E_INVALIDARG;
  if (address != 0 &&
      (address < TVM_LOWEST || address + size - 1 > TVM_HIGHEST || address + size < address))
    return TVM_E_INVALIDARG;

  const uint64_t first = tvm_page_down(address);
  const uint64_t end = tvm_page_down(address + size + TVM_PAGE_SIZE - 1);
  if (kind == TVM_MEM_RESET) { /* pages keep their state; their bytes may be kept */
    if (address == 0) return TVM_E_INVALIDARG;
    const tvm_region *r = tvm_region_at(s, first);
    if (r == NULL || end > region_end(r)) return TVM_HR_INVALID_ADDRESS;
    *allocated_address = first;
    return TVM_S_OK;
  }
  const int commit = (kind & TVM_MEM_COMMIT) != 0;
  if (address == 0) { /* the system chooses: first fit, granule by granule */
    const uint64_t rounded = tvm_page_down((uint64_t)size + TVM_PAGE_SIZE - 1);
    for (uint64_t b = TVM_FIRST_CHOICE; b + rounded - 1 <= TVM_HIGHEST; b += TVM_GRANULARITY)
      if (!conflicts(s, b, b + rounded)) return reserve(s, b, rounded, commit, protect, allocated_address);
    return TVM_HR_NOT_ENOUGH_MEMORY;
  }
  if (kind & TVM_MEM_RESERVE) /* from the granule holding address to the page holding its end */
    return reserve(s, granule_down(address), end - granule_down(address), commit, protect, allocated_address);
  return commit_existing(s, address, size, protect, allocated_address);
}

vmc_hresult tvm_free(tvm_space *s, uint64_t address, uint64_t size, uint32_t free_type) {
  if (free_type != TVM_MEM_DECOMMIT && free_type != TVM_MEM_RELEASE) return TVM_E_INVALIDARG;
  if (free_type == TVM_MEM_RELEASE && size != 0) return TVM_E_INVALIDARG;
  tvm_region *r = tvm_region_at(s, address);
  if (r == NULL) return TVM_HOST_E_INVALIDOPERATION; /* not allocated through this host */
  const int in_first_page = tvm_page_down(address) == r->base;
  if (free_type == TVM_MEM_RELEASE) {
    if (!in_first_page) return TVM_HR_INVALID_ADDRESS;
    drop_region(r);
    preemption_point(s);
    *r = s->regions[--s->count];
    return TVM_S_OK;
  }
  if (size == 0) {
    if (!in_first_page) return TVM_HR_INVALID_ADDRESS;
    tvm_decommit_pages(r, 0, r->pages);
    return TVM_S_OK;
  }
  if (address + size < address) return TVM_E_INVALIDARG;
  const uint64_t first = tvm_page_down(address);
  const uint64_t end = tvm_page_down(address + size + TVM_PAGE_SIZE - 1);
  if (end < first || end > region_end(r)) return TVM_E_INVALIDARG; /* runs past the reservation */
  tvm_decommit_pages(r, (first - r->base) / TVM_PAGE_SIZE, (end - first) / TVM_PAGE_SIZE);
  return TVM_S_OK;
}

vmc_hresult tvm_write(tvm_space *s, uint64_t address, const uint8_t *buffer, uint32_t n) {
  if (n == 0) return TVM_S_OK;
  if (buffer == NULL) return TVM_E_POINTER;
  const uint64_t last = address + n - 1;
  if (last < address) return TVM_HR_NOACCESS;
  /* All or nothing: every page must be writable, and have its storage, before a byte is copied. */
  for (uint64_t p = tvm_page_down(address); p <= last && p >= tvm_page_down(address); p += TVM_PAGE_SIZE)
    if (!tvm_page_writable(tvm_page_at(s, p))) return TVM_HR_NOACCESS;
  for (uint64_t p = tvm_page_down(address); p <= last && p >= tvm_page_down(address); p += TVM_PAGE_SIZE)
    if (tvm_page_bytes(tvm_page_at(s, p)) == NULL) return TVM_HR_NOT_ENOUGH_MEMORY;
  for (uint64_t done = 0; done < n;) {
    const uint64_t at = address + done, in_page = at % TVM_PAGE_SIZE;
    const uint64_t chunk = (n - done < TVM_PAGE_SIZE - in_page) ? n - done : TVM_PAGE_SIZE - in_page;
    memcpy(tvm_page_at(s, at)->bytes + in_page, buffer + done, chunk);
    done += chunk;
    preemption_point(s);
  }
  return TVM_S_OK;
}

vmc_hresult tvm_read(tvm_space *s, uint64_t address, uint8_t *buffer, uint32_t n, uint32_t *bytes_read) {
  if (bytes_read == NULL) return TVM_E_POINTER;
  *bytes_read = 0;
  if (n == 0) return TVM_S_OK;
  if (buffer == NULL) return TVM_E_POINTER;
  uint32_t done = 0;
  while (done < n) {
    const uint64_t at = address + done, in_page = at % TVM_PAGE_SIZE;
    if (at < address) break; /* wrapped around */
    const tvm_page *p = tvm_page_at(s, at);
    if (!tvm_page_readable(p)) break;
    const uint32_t chunk = (n - done < TVM_PAGE_SIZE - in_page) ? n - done : (uint32_t)(TVM_PAGE_SIZE - in_page);
    if (p->bytes) memcpy(buffer + done, p->bytes + in_page, chunk);
    else memset(buffer + done, 0, chunk);
    done += chunk;
    preemption_point(s);
  }
  if (done == 0) return TVM_HR_PARTIAL_COPY; /* the first byte is unreadable */
  *bytes_read = done;                        /* the whole readable prefix */
  return TVM_S_OK;
}

vmc_hresult tvm_query(tvm_space *s, uint64_t address, vmc_region_info *info) {
  if (info == NULL) return TVM_E_POINTER;
  if (address > TVM_HIGHEST) return TVM_E_INVALIDARG;
  const uint64_t page = tvm_page_down(address);
  memset(info, 0, sizeof *info);
  info->base_address = page;
  const tvm_region *r = tvm_region_at(s, page);
  if (r == NULL) { /* free up to the next reservation */
    uint64_t end = TVM_HIGHEST + 1;
    for (size_t i = 0; i < s->count; ++i)
      if (s->regions[i].base > page && s->regions[i].base < end) end = s->regions[i].base;
    info->region_size = end - page;
    info->state = TVM_MEM_FREE;
    info->protect = TVM_PAGE_NOACCESS;
    return TVM_S_OK;
  }
  const uint64_t first = (page - r->base) / TVM_PAGE_SIZE;
  uint64_t last = first + 1;
  while (last < r->pages && r->page[last].committed == r->page[first].committed &&
         r->page[last].protect == r->page[first].protect)
    ++last;
  info->allocation_base = r->base;
  info->allocation_protect = r->allocation_protect;
  info->region_size = (last - first) * TVM_PAGE_SIZE;
  info->state = r->page[first].committed ? TVM_MEM_COMMIT : TVM_MEM_RESERVE;
  info->protect = r->page[first].protect;
  info->type = TVM_MEM_PRIVATE;
  return TVM_S_OK;
}
