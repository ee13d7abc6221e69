// fuzz_opseq_decode.cpp - libFuzzer target for the binary decoder: decode never fails, its result
// re-encodes (encode(decode(x)) decodes to the same sequence and is a fixed point), and the text
// form round-trips (parse_text(to_text(s)) == s). Any broken promise is a crash.
#include <span>
#include <variant>

#include "fuzz_support.hpp"

namespace {
[[noreturn]] void broken(const std::string& what, const vmc::opseq::Sequence& s) {
  vmc::fuzz::crash("op-sequence format: " + what, "FORMAT", "see impl/opseq/FORMAT.md sections 2.5 and 7", s);
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const vmc::opseq::Sequence s = vmc::opseq::decode(std::span<const std::uint8_t>(data, size));
  if (s.size() > vmc::opseq::kMaxOps) broken("decode returned more than kMaxOps ops", s);
  std::vector<std::uint8_t> bytes;
  try {
    bytes = vmc::opseq::encode(s);
  } catch (const std::exception& e) {
    broken(std::string("encode refused a decoded sequence: ") + e.what(), s);
  }
  if (vmc::opseq::decode(bytes) != s) broken("decode(encode(decode(x))) != decode(x)", s);
  if (vmc::opseq::encode(vmc::opseq::decode(bytes)) != bytes) broken("encode(decode(x)) is not a normal form", s);
  for (const vmc::opseq::Op& op : s)
    if (vmc::opseq::canonical(op) != op) broken("decode produced a non-canonical op: " + vmc::opseq::to_text(op), s);
  const std::string text = vmc::opseq::to_text(s);
  const auto parsed = vmc::opseq::parse_text(text);
  if (const auto* e = std::get_if<vmc::opseq::ParseError>(&parsed))
    broken("parse_text(to_text(s)) failed on line " + std::to_string(e->line) + ": " + e->message, s);
  if (std::get<vmc::opseq::Sequence>(parsed) != s) broken("parse_text(to_text(s)) != s", s);
  return 0;
}
