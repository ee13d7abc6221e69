/* not_a_plugin.c - a shared object that exports no vmc_plugin_v1_entry: the loader must refuse
 * it with "not a vmconform plugin" (exit 2). */
__attribute__((visibility("default"))) int vmc_some_other_library_function(void) { return 42; }
