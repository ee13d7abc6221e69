// sequence_file.cpp - reading the file of `vmconform replay` (sequence_file.hpp).
#include "sequence_file.hpp"

#include <cstdio>
#include <sstream>
#include <variant>

#include "command.hpp"
#include "vmconform/files.hpp"

namespace vmc::cli {
namespace {

constexpr char kHeader[] = "vmconform-opseq";

/// True if the first line that is neither blank nor a comment is the text form's header.
bool has_text_header(const std::string& bytes) {
  std::istringstream in(bytes);
  for (std::string line; std::getline(in, line);) {
    const auto first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos || line[first] == '#') continue;
    return line.compare(first, sizeof kHeader - 1, kHeader) == 0;
  }
  return false;
}

/// Printable text: no control byte but tab, CR and LF (UTF-8 beyond ASCII allowed).
bool looks_like_text(const std::string& bytes) {
  for (unsigned char c : bytes)
    if ((c < 0x20 && c != '\t' && c != '\r' && c != '\n') || c == 0x7F) return false;
  return true;
}

std::string byte_hex(unsigned char c) {
  char b[8];
  std::snprintf(b, sizeof b, "0x%02x", c);
  return b;
}

}  // namespace

SequenceFile parse_sequence_file(const std::string& content, const std::string& name, bool text) {
  SequenceFile f;
  f.bytes = content.size();
  if (content.empty()) throw UsageError(name + " is empty: there is no op sequence to replay");
  std::string bytes = content;
  if (bytes.rfind("\xEF\xBB\xBF", 0) == 0) {
    bytes.erase(0, 3);
    f.had_bom = true;
  }
  f.text = text || has_text_header(bytes);
  if (f.text) {
    auto parsed = opseq::parse_text(bytes);
    if (const auto* e = std::get_if<opseq::ParseError>(&parsed))
      throw UsageError(name + ":" + std::to_string(e->line) + ": " + e->message);
    f.ops = std::move(std::get<opseq::Sequence>(parsed));
  } else if (f.had_bom || looks_like_text(bytes)) {
    throw UsageError(name + " is text without the \"vmconform-opseq 1\" header line that starts op-sequence text "
                            "(impl/opseq/FORMAT.md, section 7): add it, or pass --text to read it as op-sequence text");
  } else if (static_cast<unsigned char>(bytes[0]) != opseq::kFormatVersion) {
    throw UsageError(name + " is neither op-sequence text (no \"vmconform-opseq 1\" header) nor the binary form (byte 0 "
                            "is " + byte_hex(static_cast<unsigned char>(bytes[0])) + ", not the format version 0x01)");
  } else {
    const std::span<const std::uint8_t> raw(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
    std::size_t used = 0;
    f.ops = opseq::decode(raw, used);
    {
      if (used < bytes.size())
        throw UsageError(name + " holds " + std::to_string(bytes.size()) + " bytes, but the binary form ends after " +
                         std::to_string(opseq::kMaxOps) + " ops (" + std::to_string(used) +
                         " bytes here; impl/opseq/FORMAT.md 2.2): the other " + std::to_string(bytes.size() - used) +
                         " bytes would be ignored. Not a fuzzer input of this format?");
    }
  }
  if (f.ops.empty()) throw UsageError(name + " holds no op: there is nothing to replay");
  return f;
}

SequenceFile load_sequence_file(const std::string& path, bool text) {
  std::string content;
  try {
    content = read_input_file(path, "op-sequence file", kMaxSequenceFileBytes);
  } catch (const FileError& e) {
    throw UsageError(e.what());
  }
  return parse_sequence_file(content, path, text);
}

}  // namespace vmc::cli
