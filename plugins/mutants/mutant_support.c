/* mutant_support.c - the correct glue every mutant starts from (mutant_support.h). */
#include "mutant_support.h"

#include <stdlib.h>
#include <string.h>

vmc_target *mutant_open_sized(size_t size) {
  tvm_space *s = calloc(1, size);
  if (s != NULL) pthread_mutex_init(&s->lock, NULL);
  return (vmc_target *)s;
}

void stash_put(page_stash *s, uint64_t page, const uint8_t *bytes) {
  size_t i = 0;
  while (i < s->count && s->address[i] != page) ++i;
  if (i == s->count) {
    uint64_t *a = realloc(s->address, (s->count + 1) * sizeof *a);
    if (a == NULL) return;
    s->address = a;
    uint8_t **b = realloc(s->bytes, (s->count + 1) * sizeof *b);
    if (b == NULL) return;
    s->bytes = b;
    s->address[i] = page;
    s->bytes[i] = NULL;
    ++s->count;
  }
  if (s->bytes[i] == NULL) s->bytes[i] = malloc(TVM_PAGE_SIZE);
  if (s->bytes[i] == NULL) return;
  if (bytes) memcpy(s->bytes[i], bytes, TVM_PAGE_SIZE);
  else memset(s->bytes[i], 0, TVM_PAGE_SIZE);
}

const uint8_t *stash_find(const page_stash *s, uint64_t page) {
  for (size_t i = 0; i < s->count; ++i)
    if (s->address[i] == page) return s->bytes[i];
  return NULL;
}

void stash_clear(page_stash *s) {
  for (size_t i = 0; i < s->count; ++i) free(s->bytes[i]);
  free(s->address);
  free(s->bytes);
  s->address = NULL;
  s->bytes = NULL;
  s->count = 0;
}

vmc_target *mutant_open(const char *options) {
  (void)options;
  return (vmc_target *)tvm_create();
}
void mutant_close(vmc_target *t) { tvm_destroy(MUTANT_SPACE(t)); }
uint32_t mutant_page_size(vmc_target *t) {
  (void)t;
  return TVM_PAGE_SIZE;
}
uint32_t mutant_granularity(vmc_target *t) {
  (void)t;
  return TVM_GRANULARITY;
}
vmc_hresult correct_allocate(vmc_target *t, uint64_t address, uint32_t size, uint32_t type, uint32_t protect,
                             uint64_t *allocated_address) {
  return tvm_allocate(MUTANT_SPACE(t), address, size, type, protect, allocated_address);
}
vmc_hresult correct_free(vmc_target *t, uint64_t address, uint64_t size, uint32_t free_type) {
  return tvm_free(MUTANT_SPACE(t), address, size, free_type);
}
vmc_hresult correct_write(vmc_target *t, uint64_t address, const uint8_t *buffer, uint32_t n) {
  return tvm_write(MUTANT_SPACE(t), address, buffer, n);
}
vmc_hresult correct_read(vmc_target *t, uint64_t address, uint8_t *buffer, uint32_t n, uint32_t *bytes_read) {
  return tvm_read(MUTANT_SPACE(t), address, buffer, n, bytes_read);
}
vmc_hresult correct_query(vmc_target *t, uint64_t address, vmc_region_info *info) {
  return tvm_query(MUTANT_SPACE(t), address, info);
}
