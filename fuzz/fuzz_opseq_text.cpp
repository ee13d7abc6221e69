// fuzz_opseq_text.cpp - libFuzzer target for the text parser: parse_text on arbitrary bytes
// returns a sequence or a ParseError (line >= 1) and never crashes; a parsed sequence is
// encodable, and both to_text/parse_text and encode/decode round-trip it.
#include <string_view>
#include <variant>

#include "fuzz_support.hpp"

namespace {
[[noreturn]] void broken(const std::string& what, const vmc::opseq::Sequence& s) {
  vmc::fuzz::crash("op-sequence text form: " + what, "FORMAT", "see impl/opseq/FORMAT.md section 7", s);
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 64 * 1024) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto parsed = vmc::opseq::parse_text(text);
  if (const auto* e = std::get_if<vmc::opseq::ParseError>(&parsed)) {
    if (e->line < 1) broken("a ParseError with line " + std::to_string(e->line), {});
    if (e->message.empty()) broken("a ParseError without a message", {});
    return 0;
  }
  const vmc::opseq::Sequence& s = std::get<vmc::opseq::Sequence>(parsed);
  if (s.size() > vmc::opseq::kMaxOps) broken("more than kMaxOps ops parsed", s);
  const auto again = vmc::opseq::parse_text(vmc::opseq::to_text(s));
  if (!std::holds_alternative<vmc::opseq::Sequence>(again) || std::get<vmc::opseq::Sequence>(again) != s)
    broken("parse_text(to_text(s)) != s", s);
  try {
    if (vmc::opseq::decode(vmc::opseq::encode(s)) != s) broken("decode(encode(s)) != s", s);
  } catch (const std::invalid_argument& e) {
    broken(std::string("a parsed sequence is not encodable: ") + e.what(), s);
  }
  return 0;
}
