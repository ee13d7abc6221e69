// standalone_fuzz_main.cpp - the standalone main linked into every fuzz target when libFuzzer is not
// (VMCONFORM_FUZZ_LINKMAIN=ON, the default), so every build has the targets and ctest can replay
// the corpora without clang. Runs LLVMFuzzerTestOneInput once on each file argument and on every
// regular file of each directory argument (sorted, not recursive), printing what it ran.
// Arguments starting with '-' are libFuzzer flags and are ignored (so `-runs=0 DIR` works with
// both mains). Exit status: 0 when every input ran, 1 when an argument cannot be read; a failing
// input aborts, as under libFuzzer.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);
extern "C" __attribute__((weak)) int LLVMFuzzerInitialize(int* argc, char*** argv);

namespace {

bool run_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  const std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // An exactly-sized heap copy, so that AddressSanitizer sees a read past the end.
  std::vector<std::uint8_t> input(bytes.begin(), bytes.end());
  std::printf("replay: %s (%zu bytes)\n", path.c_str(), input.size());
  std::fflush(stdout);
  std::uint8_t none = 0;  // libFuzzer never passes a null pointer, even for an empty input
  LLVMFuzzerTestOneInput(input.empty() ? &none : input.data(), input.size());
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (LLVMFuzzerInitialize != nullptr) LLVMFuzzerInitialize(&argc, &argv);
  std::size_t ran = 0;
  int status = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.empty() || arg[0] == '-') continue;
    std::error_code ec;
    std::vector<std::filesystem::path> files;
    if (std::filesystem::is_directory(arg, ec)) {
      for (const auto& entry : std::filesystem::directory_iterator(arg, ec))
        if (entry.is_regular_file()) files.push_back(entry.path());
      std::sort(files.begin(), files.end());
    } else {
      files.push_back(arg);
    }
    for (const auto& f : files) {
      if (run_file(f)) {
        ++ran;
      } else {
        std::fprintf(stderr, "replay: cannot read %s\n", f.c_str());
        status = 1;
      }
    }
  }
  std::printf("replay: ran %zu input(s) through %s (standalone fuzz main, not libFuzzer)\n", ran, argv[0]);
  return status;
}
