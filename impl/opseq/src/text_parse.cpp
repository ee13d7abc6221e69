// text_parse.cpp - the text form -> Sequence, with line-numbered errors.
//
// Reads what text_write.cpp prints, plus the conveniences a person editing a file wants:
// '#' comments, blank lines, fields in any order, numbers in decimal or hex, flag values as
// NAME|NAME|0x.. and bare numbers as zero-based addresses. It is strict about everything
// else (unknown ops or fields, missing or repeated fields, out-of-range numbers, trailing
// tokens) and only returns sequences that encode() accepts. Grammar: impl/opseq/FORMAT.md.
#include <array>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "names.hpp"
#include "vmconform/opseq.hpp"

namespace vmc::opseq {
namespace {

struct Fail {
  std::string message;
};

std::string quoted(std::string_view s) { return "'" + std::string(s) + "'"; }

std::vector<std::string_view> tokens_of(std::string_view line) {
  if (const auto hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) ++i;
    std::size_t j = i;
    while (j < line.size() && line[j] != ' ' && line[j] != '\t' && line[j] != '\r') ++j;
    if (j > i) out.push_back(line.substr(i, j - i));
    i = j;
  }
  return out;
}

/// A signed value given as sign + magnitude text, checked against int32.
std::int32_t signed_value(bool negative, std::string_view magnitude, std::string_view what) {
  const auto m = detail::parse_u64(magnitude);
  const std::uint64_t limit = negative ? 0x80000000ull : 0x7FFFFFFFull;
  if (!m || *m > limit)
    throw Fail{"bad " + std::string(what) + " " + quoted(magnitude) +
               " (expected a decimal or 0x hex number within a signed 32-bit range)"};
  const std::int64_t v = static_cast<std::int64_t>(*m);
  return static_cast<std::int32_t>(negative ? -v : v);
}

std::uint8_t index_value(std::string_view digits, std::string_view token) {
  const auto v = detail::parse_u64(digits);
  if (digits.empty() || digits.find_first_not_of("0123456789") != std::string_view::npos || !v ||
      *v > 255)
    throw Fail{"bad index in address " + quoted(token) + " (expected a decimal 0..255)"};
  return static_cast<std::uint8_t>(*v);
}

AddrRef parse_addr(std::string_view token) {
  const std::string syntax =
      " (expected 0, rN, end(rN) or fN, then optionally +pN/-pN (r and end only), then "
      "optionally +OFFSET/-OFFSET)";
  AddrRef a;
  std::string_view rest;
  auto digits_end = [](std::string_view s, std::size_t from) {
    const std::size_t e = s.find_first_not_of("0123456789", from);
    return e == std::string_view::npos ? s.size() : e;
  };
  if (token.starts_with("end(r")) {
    const std::size_t close = token.find(')');
    if (close == std::string_view::npos) throw Fail{"missing ')' in address " + quoted(token)};
    a.kind = AddrRef::Kind::region_end;
    a.index = index_value(token.substr(5, close - 5), token);
    rest = token.substr(close + 1);
  } else if (token.starts_with("r") || token.starts_with("f")) {
    const std::size_t e = digits_end(token, 1);
    a.kind = token[0] == 'r' ? AddrRef::Kind::region : AddrRef::Kind::foreign;
    a.index = index_value(token.substr(1, e - 1), token);
    rest = token.substr(e);
  } else if (token == "0" || token.starts_with("0+") || token.starts_with("0-")) {
    rest = token.substr(1);
  } else if (token.starts_with("-")) {  // a bare number: 0 plus that offset
    a.offset = signed_value(true, token.substr(1), "address");
    return a;
  } else if (detail::parse_u64(token)) {
    a.offset = signed_value(false, token, "address");
    return a;
  } else {
    throw Fail{"bad address " + quoted(token) + syntax};
  }
  if (rest.size() >= 2 && (rest[0] == '+' || rest[0] == '-') && rest[1] == 'p') {
    if (a.kind != AddrRef::Kind::region && a.kind != AddrRef::Kind::region_end)
      throw Fail{"a page term (+pN) is only allowed after rN or end(rN), in " + quoted(token)};
    const std::size_t e = rest.find_first_of("+-", 2);
    const std::string_view pages = rest.substr(2, e == std::string_view::npos ? e : e - 2);
    a.page = signed_value(rest[0] == '-', pages, "page count");
    rest = e == std::string_view::npos ? std::string_view{} : rest.substr(e);
  }
  if (!rest.empty()) {
    if (rest[0] != '+' && rest[0] != '-') throw Fail{"bad address " + quoted(token) + syntax};
    a.offset = signed_value(rest[0] == '-', rest.substr(1), "offset");
  }
  return a;
}

/// The key=value fields of one line: each allowed key exactly once.
class Fields {
 public:
  Fields(std::string_view op, std::span<const std::string_view> tokens,
         std::initializer_list<std::string_view> keys)
      : op_(op), keys_(keys) {
    for (std::string_view t : tokens) {
      const std::size_t eq = t.find('=');
      if (eq == std::string_view::npos)
        throw Fail{"unexpected " + quoted(t) + " after " + op_ + " (expected key=value)"};
      const std::string_view key = t.substr(0, eq);
      bool known = false;
      for (std::string_view k : keys_) known = known || k == key;
      if (!known) throw Fail{"unknown field " + quoted(key) + " for " + op_ + expected()};
      for (const auto& [k, v] : values_)
        if (k == key) throw Fail{"field " + quoted(key) + " given twice"};
      values_.emplace_back(key, t.substr(eq + 1));
    }
  }

  std::string_view get(std::string_view key) const {
    for (const auto& [k, v] : values_)
      if (k == key) return v;
    throw Fail{"missing field '" + std::string(key) + "=' for " + op_ + expected()};
  }

  bool has(std::string_view key) const {
    for (const auto& [k, v] : values_)
      if (k == key) return true;
    return false;
  }

  std::uint64_t number(std::string_view key, std::uint64_t max) const {
    const std::string_view text = get(key);
    const auto v = detail::parse_u64(text);
    if (!v) throw Fail{"bad number " + quoted(text) + " for " + std::string(key) +
                       " (expected decimal or 0x hex)"};
    if (*v > max)
      throw Fail{std::string(key) + "=" + std::string(text) + " is out of range (at most " +
                 detail::hex_text(max) + ")"};
    return *v;
  }

  std::uint32_t flags(std::string_view key, std::span<const detail::Name> names,
                      std::string_view family) const {
    const std::string_view text = get(key);
    const auto v = detail::parse_flags(text, names);
    if (!v)
      throw Fail{"bad value " + quoted(text) + " for " + std::string(key) + " (expected " +
                 std::string(family) + "_* names and 32-bit numbers joined by '|')"};
    return *v;
  }

 private:
  std::string expected() const {
    std::string s = " (expected ";
    for (std::size_t i = 0; i < keys_.size(); ++i) s += (i ? ", " : "") + std::string(keys_[i]);
    return s + ")";
  }

  std::string op_;
  std::vector<std::string_view> keys_;
  std::vector<std::pair<std::string_view, std::string_view>> values_;
};

constexpr std::uint64_t kU32 = std::numeric_limits<std::uint32_t>::max();
constexpr std::uint64_t kU64 = std::numeric_limits<std::uint64_t>::max();

Op parse_op(const std::vector<std::string_view>& t) {
  const std::string_view name = t[0];
  Op op;
  if (name == "inject-fault") {
    op.kind = OpKind::inject_fault;
    if (t.size() < 2) throw Fail{"missing fault code after inject-fault (e.g. E_FAIL)"};
    const auto hr = detail::parse_hresult(t[1]);
    if (!hr)
      throw Fail{"bad fault code " + quoted(t[1]) +
                 " (expected an HRESULT name such as E_FAIL or a 32-bit number)"};
    if (t.size() > 2) throw Fail{"unexpected " + quoted(t[2]) + " after the fault code"};
    op.fault = *hr;
    return op;
  }
  static constexpr std::array<std::string_view, 5> kNames = {"alloc", "free", "write", "read",
                                                             "free-foreign"};
  bool known = false;
  for (std::string_view n : kNames) known = known || n == name;
  if (!known)
    throw Fail{"unknown operation " + quoted(name) +
               " (expected alloc, free, write, read, free-foreign or inject-fault)"};
  if (t.size() < 2) throw Fail{"missing address after " + std::string(name)};
  op.addr = parse_addr(t[1]);
  const std::span<const std::string_view> rest(t.data() + 2, t.size() - 2);
  const auto mem = detail::mem_names();
  if (name == "alloc") {
    const Fields f(name, rest, {"size", "type", "protect"});
    op.kind = OpKind::alloc;
    op.size = static_cast<std::uint32_t>(f.number("size", kU32));
    op.type = f.flags("type", mem, "MEM");
    op.protect = f.flags("protect", detail::page_names(), "PAGE");
  } else if (name == "free") {
    const Fields f(name, rest, {"size", "type"});
    op.kind = OpKind::free;
    op.free_size = f.number("size", kU64);
    op.type = f.flags("type", mem, "MEM");
  } else if (name == "write") {
    const Fields f(name, rest, {"len", "pattern"});
    op.kind = OpKind::write;
    op.length = static_cast<std::uint32_t>(f.number("len", kMaxLength));
    op.pattern = static_cast<std::uint8_t>(f.number("pattern", 0xFF));
  } else if (name == "read") {
    const Fields f(name, rest, {"len"});
    op.kind = OpKind::read;
    op.length = static_cast<std::uint32_t>(f.number("len", kMaxLength));
  } else {  // free-foreign
    if (op.addr.kind != AddrRef::Kind::foreign)
      throw Fail{"free-foreign needs a foreign address fN[+/-OFFSET], not " + quoted(t[1])};
    const Fields f(name, rest, {"size", "type"});
    op.kind = OpKind::free_foreign;
    op.free_size = f.has("size") ? f.number("size", kU64) : 0;  // optional, default 0
    op.type = f.flags("type", mem, "MEM");
  }
  return op;
}

}  // namespace

std::variant<Sequence, ParseError> parse_text(std::string_view text) {
  Sequence s;
  bool header = false;
  int line_no = 0;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t nl = text.find('\n', start);
    const std::string_view line =
        text.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start);
    start = nl == std::string_view::npos ? text.size() + 1 : nl + 1;
    ++line_no;
    const auto t = tokens_of(line);
    if (t.empty()) continue;
    try {
      if (!header) {
        if (t[0] != "vmconform-opseq")
          throw Fail{"missing header: the first line must be 'vmconform-opseq 1'"};
        if (t.size() < 2 || t[1] != "1")
          throw Fail{"unsupported format version " + (t.size() < 2 ? "''" : quoted(t[1])) +
                     " (this reader knows 'vmconform-opseq 1')"};
        if (t.size() > 2) throw Fail{"unexpected " + quoted(t[2]) + " after the header"};
        header = true;
        continue;
      }
      if (s.size() == kMaxOps)
        throw Fail{"too many operations (the format holds at most " + std::to_string(kMaxOps) +
                   ")"};
      s.push_back(parse_op(t));
    } catch (const Fail& f) {
      return ParseError{line_no, f.message};
    }
  }
  if (!header) return ParseError{1, "empty input: expected the header line 'vmconform-opseq 1'"};
  return s;
}

}  // namespace vmc::opseq
