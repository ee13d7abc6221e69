// corpus_coverage.cpp - the coverage table a fuzz corpus reaches: every input of the given
// corpus directories (binary op sequences, as libFuzzer stores them) is decoded and run through
// the differential checker against the reference model (backend `sim`, profile win32) with a
// coverage tracker, and the merged table is printed (conformance/coverage, spec/coverage.md).
// The fuzz benchmark (fuzz/bench_fuzz.sh) reports it for the shipped corpus and for the corpus
// a campaign grew, and ctest `fuzz.corpus_coverage` requires the shipped corpus to miss no cell.
// Usage: vmconform_corpus_coverage [--every-cell] [--require-all] DIR...; exit 0, 1 when
// --require-all is given and a cell was missed, 2 on a directory that cannot be read.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "vmconform/coverage.hpp"
#include "vmconform/differential.hpp"

namespace fs = std::filesystem;

int main(int argc, char** argv) {
  bool every_cell = false, require_all = false;
  std::vector<fs::path> dirs;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--every-cell") every_cell = true;
    else if (arg == "--require-all") require_all = true;
    else dirs.emplace_back(arg);
  }
  if (dirs.empty()) {
    std::fprintf(stderr, "usage: vmconform_corpus_coverage [--every-cell] CORPUS_DIR...\n");
    return 2;
  }
  vmc::coverage::Counts counts;
  counts.unreachable.emplace("history.1000-calls",
                             "one fuzz input holds at most 256 ops (op-sequence format, version 1)");
  std::size_t inputs = 0, ops = 0;
  for (const fs::path& dir : dirs) {
    std::error_code ec;
    fs::directory_iterator it(dir, ec);
    if (ec) {
      std::fprintf(stderr, "vmconform_corpus_coverage: cannot read %s: %s\n", dir.c_str(), ec.message().c_str());
      return 2;
    }
    for (const auto& entry : it) {
      if (!entry.is_regular_file()) continue;
      std::ifstream in(entry.path(), std::ios::binary);
      const std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      const vmc::opseq::Sequence s = vmc::opseq::decode(bytes);
      vmc::ReferenceModel sim;
      vmc::Differential differential(sim, vmc::Profile::win32);
      vmc::coverage::Tracker tracker(counts);
      differential.track_coverage(&tracker);
      for (const vmc::opseq::Op& op : s)
        if (differential.step(op)) break;  // the model never diverges from itself; stop if it does
      ++inputs;
      ops += s.size();
    }
  }
  std::printf("corpus coverage: %zu inputs, %zu ops, on the reference model (sim, win32)\n%s", inputs, ops,
              vmc::coverage::render(counts, every_cell).c_str());
  return require_all && !counts.missed().empty() ? 1 : 0;
}
