/* bad_tables.c - plugins whose tables the loader must refuse (exit 2), one per -D switch:
 * BAD_ABI (abi_version 2), BAD_MISSING (write_virtual and read_virtual NULL), BAD_OPEN (open()
 * returns NULL), BAD_PAGE (page_size() returns 3000), BAD_ENTRY (the entry returns NULL). The
 * functions behind the table are the tiny VM's, so only the one defect is wrong. */
#include "mutant_support.h"

#if defined(BAD_OPEN)
static vmc_target *null_open(const char *options) {
  (void)options;
  return NULL;
}
#endif
#if defined(BAD_PAGE)
static uint32_t odd_page_size(vmc_target *t) {
  (void)t;
  return 3000;
}
#endif

static const vmc_plugin_v1 plugin = {
#if defined(BAD_ABI)
    2u,
#else
    VMC_PLUGIN_ABI_VERSION,
#endif
    "bad-table",
#if defined(BAD_OPEN)
    null_open,
#else
    mutant_open,
#endif
    mutant_close,
#if defined(BAD_PAGE)
    odd_page_size,
#else
    mutant_page_size,
#endif
    mutant_granularity,
    correct_allocate,
    correct_free,
#if defined(BAD_MISSING)
    NULL,
    NULL,
#else
    correct_write,
    correct_read,
#endif
    correct_query,
};

__attribute__((visibility("default"))) const vmc_plugin_v1 *vmc_plugin_v1_entry(void) {
#if defined(BAD_ENTRY)
  return plugin.name == NULL ? &plugin : NULL; /* always NULL */
#else
  return &plugin;
#endif
}
