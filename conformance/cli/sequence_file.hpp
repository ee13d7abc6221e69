// sequence_file.hpp - the op-sequence file `vmconform replay` is given, read strictly.
//
// A replay of the wrong file must say so, never "0 ops, no divergence": an empty file, a text
// file without the "vmconform-opseq 1" header, bytes that are neither the text form nor the
// binary form (byte 0 the format version 0x01), a binary longer than the 256 ops the format
// reads (impl/opseq/FORMAT.md 2.2: the decoder would silently drop the rest) and a sequence of
// no op at all are UsageErrors saying what the file is. A UTF-8 byte-order mark before the
// text form's header is skipped (editors add it).
#pragma once

#include <cstddef>
#include <string>

#include "vmconform/opseq.hpp"

namespace vmc::cli {

/// The largest file replay reads: far above any text of 256 ops (a few KiB) or their binary form.
inline constexpr std::size_t kMaxSequenceFileBytes = 16u << 20;

struct SequenceFile {
  opseq::Sequence ops;
  bool text = false;      // the text form (else the binary form)
  bool had_bom = false;   // a UTF-8 byte-order mark was skipped
  std::size_t bytes = 0;  // the file's size
};

/// Reads the content of `name` (for messages); `text` forces the text form (--text). Throws
/// UsageError.
SequenceFile parse_sequence_file(const std::string& bytes, const std::string& name, bool text);
/// Reads the file `path` (a regular file of at most kMaxSequenceFileBytes) and parses it.
SequenceFile load_sequence_file(const std::string& path, bool text);

}  // namespace vmc::cli
