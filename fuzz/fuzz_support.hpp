// fuzz_support.hpp - what the op-sequence fuzz targets share: the input caps, the factory of
// the backend under test and the crash report. An input over a cap is skipped whole, never
// truncated, so `vmconform replay` of any input runs exactly what the fuzzer ran. A divergence
// (or a broken invariant, or an exception out of the backend, such as a plugin's read past the
// caller's buffer) prints the rule, the message and the sequence in the op-sequence text form
// (impl/opseq/FORMAT.md) to stderr, then aborts: that is the crash libFuzzer saves.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "vmconform/backend_registry.hpp"
#include "vmconform/differential.hpp"
#include "vmconform/opseq.hpp"
#include "vmconform/opseq_mutator.hpp"
#include "vmconform/splitmix64.hpp"

/// libFuzzer's own byte mutation (with its dictionary); absent when the standalone main links.
extern "C" std::size_t LLVMFuzzerMutate(std::uint8_t* data, std::size_t size, std::size_t max_size)
    __attribute__((weak));

namespace vmc::fuzz {

/// Larger inputs are skipped: 64 ops fit in well under 1 KiB (bench: -max_len=640).
inline constexpr std::size_t kMaxInputBytes = 4096;
/// Default cap on the bytes one input writes plus reads (the sum of its write and read lengths).
/// Moving bytes dominates the cost of an execution, so fuzzing keeps it small; the corpus replay
/// tests raise it with VMCONFORM_FUZZ_MAX_BYTES=2228224 (a maximum-length write and its
/// read-back) so that the maximum-length seeds run too. An input that runs under a small cap runs
/// identically under a larger one, so every crash reproduces with `vmconform replay`.
inline constexpr std::uint64_t kDefaultMaxBytesMoved = 16 * 1024;

inline std::uint64_t max_bytes_moved() {
  static const std::uint64_t cap = [] {
    const char* v = std::getenv("VMCONFORM_FUZZ_MAX_BYTES");
    return v != nullptr && *v != '\0' ? std::strtoull(v, nullptr, 0) : kDefaultMaxBytesMoved;
  }();
  return cap;
}

/// The sequence an input stands for, or nothing if the input is over a cap.
inline std::optional<opseq::Sequence> decode_capped(const std::uint8_t* data, std::size_t size) {
  if (size > kMaxInputBytes) return std::nullopt;
  opseq::Sequence s = opseq::decode(std::span<const std::uint8_t>(data, size));
  std::uint64_t moved = 0;
  for (const opseq::Op& op : s)
    if (op.kind == opseq::OpKind::write || op.kind == opseq::OpKind::read) moved += op.length;
  if (moved > max_bytes_moved()) return std::nullopt;
  return s;
}

/// VMCONFORM_FUZZ_MUTATOR=bytes leaves every mutation and cross-over to libFuzzer (to measure what
/// the structure-aware ones bring, by hand: reports/benchmarks/fuzz.md); read once, a setting of the
/// whole run.
inline bool bytes_only() {
  static const bool only = [] {
    const char* v = std::getenv("VMCONFORM_FUZZ_MUTATOR");
    return v != nullptr && std::string(v) == "bytes";
  }();
  return only;
}

/// Encodes `s` into `out` (room for `max_size` bytes), dropping ops from the front until it fits
/// (most edits add at the end, and region references count back from the op that makes them, so
/// the newest ops keep their meaning). Returns the size written, or nothing if no op fits.
inline std::optional<std::size_t> encode_into(opseq::Sequence s, std::uint8_t* out, std::size_t max_size) {
  std::vector<std::uint8_t> bytes = opseq::encode(s);
  while (bytes.size() > max_size && !s.empty()) {
    s.erase(s.begin(), s.begin() + static_cast<std::ptrdiff_t>(s.size() / 4 + 1));
    bytes = opseq::encode(s);
  }
  if (bytes.size() > max_size) return std::nullopt;
  std::copy(bytes.begin(), bytes.end(), out);
  return bytes.size();
}

/// The op-sequence targets' custom mutator: one time in four libFuzzer's byte mutations (they
/// keep the dictionary and the odd encodings in play), otherwise a structure-aware mutation of the
/// decoded sequence (opseq_mutator.hpp), encoded again by encode_into. Deterministic in
/// (data, seed), as libFuzzer requires.
inline std::size_t custom_mutate(std::uint8_t* data, std::size_t size, std::size_t max_size, unsigned seed) {
  SplitMix64 rng{seed};
  if (LLVMFuzzerMutate != nullptr && (bytes_only() || rng.below(4) == 0)) return LLVMFuzzerMutate(data, size, max_size);
  const opseq::Sequence s = opseq::mutate(opseq::decode(std::span<const std::uint8_t>(data, size)), rng.next());
  if (const std::optional<std::size_t> n = encode_into(s, data, max_size)) return *n;
  return LLVMFuzzerMutate != nullptr ? LLVMFuzzerMutate(data, size, max_size) : size;
}

/// Two inputs' sequences spliced at op boundaries (opseq::cross_over), encoded by encode_into.
inline std::size_t custom_cross_over(const std::uint8_t* data1, std::size_t size1, const std::uint8_t* data2,
                                     std::size_t size2, std::uint8_t* out, std::size_t max_out, unsigned seed) {
  if (bytes_only()) return 0;  // no cross-over of ours: a mutation fails and libFuzzer picks another
  const opseq::Sequence s = opseq::cross_over(opseq::decode(std::span<const std::uint8_t>(data1, size1)),
                                              opseq::decode(std::span<const std::uint8_t>(data2, size2)), seed);
  return encode_into(s, out, max_out).value_or(0);
}

/// Prints what went wrong and the sequence, then aborts (libFuzzer saves the input).
[[noreturn]] inline void crash(const std::string& where, const std::string& rule, const std::string& message,
                               const opseq::Sequence& s) {
  std::fprintf(stderr, "\n==vmconform== %s\n==vmconform== rule: %s\n==vmconform== %s\n%s==vmconform== end\n",
               where.c_str(), rule.c_str(), message.c_str(), opseq::to_text(s).c_str());
  std::fflush(stderr);
  std::abort();
}

/// Factories whose make() is cheap are made fresh for every input (their case counter would
/// otherwise make inputs depend on each other); `process` and `raw-*` start a traced child,
/// so their caller keeps one factory for the whole run (each input still gets a fresh target).
inline bool factory_is_expensive(const std::string& backend) {
  return backend == "process" || backend.rfind("raw-", 0) == 0;
}

inline std::unique_ptr<TargetFactory> make_factory(const std::string& backend) {
  const BackendInfo* info = find_backend(backend);
  if (info == nullptr) {
    std::fprintf(stderr, "==vmconform== unknown backend '%s' (see vmconform list-backends)\n", backend.c_str());
    std::abort();
  }
  return info->make_factory(BackendOptions{});
}

/// Runs `s` on a fresh target of `factory` and on the model (win32 profile); a divergence crashes,
/// and so does an exception (a plugin whose open() fails, or that writes outside a read buffer).
inline void check_differential(TargetFactory& factory, const opseq::Sequence& s) {
  std::optional<Divergence> d;
  try {
    std::unique_ptr<Target> target = factory.make();
    Differential differential(*target, Profile::win32);
    d = differential.run(s);
  } catch (const std::exception& e) {
    if (const std::string failure = factory.failure(); !failure.empty())
      crash("target failure: backend " + factory.name(), "none", failure, s);
    crash("exception: backend " + factory.name() + " vs the reference model (profile win32)", "none", e.what(), s);
  }
  // A target that stopped answering (an agent that exited, hung or sent garbage) is the finding,
  // whatever the divergence it caused says.
  if (const std::string failure = factory.failure(); !failure.empty())
    crash("target failure: backend " + factory.name() + " (the divergence is not a conformance finding)",
          "none", failure, s);
  if (d)
    crash("divergence: backend " + factory.name() + " vs the reference model (profile win32)", d->rule, d->message, s);
}

}  // namespace vmc::fuzz

/// The custom mutator and cross-over of an op-sequence fuzz target (one line in its file).
#define VMC_FUZZ_OPSEQ_MUTATOR()                                                                             \
  extern "C" std::size_t LLVMFuzzerCustomMutator(std::uint8_t* data, std::size_t size, std::size_t max_size, \
                                                 unsigned seed) {                                            \
    return vmc::fuzz::custom_mutate(data, size, max_size, seed);                                             \
  }                                                                                                          \
  extern "C" std::size_t LLVMFuzzerCustomCrossOver(const std::uint8_t* data1, std::size_t size1,            \
                                                   const std::uint8_t* data2, std::size_t size2,            \
                                                   std::uint8_t* out, std::size_t max_out, unsigned seed) { \
    return vmc::fuzz::custom_cross_over(data1, size1, data2, size2, out, max_out, seed);                     \
  }
