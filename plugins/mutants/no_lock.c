/* no_lock.c - mutant plugin "no-lock": the correct tiny VM with no lock at all.
 *
 * Every operation is right on its own; called from several threads at once, two allocations pick
 * the same free granule, a release unlinks a reservation while another thread walks the table,
 * a write and a read of the same bytes interleave. Sequentially correct, concurrently wrong:
 * X-LINEARIZABLE must catch it. The tiny VM's preemption points (tiny_vm.h) yield the CPU, as a
 * real host's page faults and system calls do, so that the races show on a 2-core machine.
 */
#include <sched.h>

#include "mutant_support.h"

static void yield(void) { sched_yield(); }

static vmc_target *open_yielding(const char *options) {
  vmc_target *t = mutant_open(options);
  if (t != NULL) MUTANT_SPACE(t)->preempt = yield;
  return t;
}

static const vmc_plugin_v1 no_lock_plugin = {VMC_PLUGIN_ABI_VERSION, "mutant:no-lock", open_yielding, mutant_close,
                                             mutant_page_size, mutant_granularity, correct_allocate, correct_free,
                                             correct_write, correct_read, correct_query};
__attribute__((visibility("default"))) const vmc_plugin_v1 *vmc_plugin_v1_entry(void) { return &no_lock_plugin; }
