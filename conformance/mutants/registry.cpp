// registry.cpp - the list of mutants (vmc::mutants, vmc::find_mutant).
//
// The list is built once, on first use, from the add_*_mutants function of each mutants file,
// grouped by operation: WriteVirtual, ReadVirtual, AllocateVirtualMemory, VirtualFree, then
// the cross-operation rules, then the mutants of single classes of the coverage table, then the
// concurrency mutants (X-LINEARIZABLE). Building it on first use (not in a static initialiser of another
// file) keeps it safe to call from other static initialisers, such as the registration of the
// "mutant:<name>" backends.
#include "mutant_support.hpp"

namespace vmc {

const std::vector<MutantInfo>& mutants() {
  static const std::vector<MutantInfo> all = [] {
    std::vector<MutantInfo> out;
    mutant_support::add_write_mutants(out);
    mutant_support::add_read_mutants(out);
    mutant_support::add_alloc_mutants(out);
    mutant_support::add_free_mutants(out);
    mutant_support::add_cross_mutants(out);
    mutant_support::add_coverage_mutants(out);
    mutant_support::add_concurrency_mutants(out);
    return out;
  }();
  return all;
}

const MutantInfo* find_mutant(const std::string& name) {
  for (const MutantInfo& m : mutants())
    if (m.name == name) return &m;
  return nullptr;
}

}  // namespace vmc
