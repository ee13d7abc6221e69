// text_test.cpp - tests of the text form: round trips, the golden example files, the
// address syntax and line-numbered parse errors.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <variant>
#include <vector>

#include "generators.hpp"
#include "vmconform/constants.hpp"
#include "vmconform/opseq.hpp"

namespace vmc::opseq {
namespace {

std::string read_file(const std::string& name) {
  std::ifstream in(std::string(VMCONFORM_OPSEQ_GOLDEN_DIR) + "/" + name, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<std::uint8_t> from_hex(const std::string& text) {
  std::vector<std::uint8_t> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    line = line.substr(0, line.find('#'));
    std::istringstream words(line);
    std::string w;
    while (words >> w) out.push_back(static_cast<std::uint8_t>(std::stoul(w, nullptr, 16)));
  }
  return out;
}

Sequence parsed(std::string_view text) {
  auto r = parse_text(text);
  if (auto* e = std::get_if<ParseError>(&r)) {
    ADD_FAILURE() << "line " << e->line << ": " << e->message << "\n" << text;
    return {};
  }
  return std::get<Sequence>(r);
}

RC_GTEST_PROP(Text, RoundTripsGeneratedSequences, ()) {
  const Sequence s = *testgen::sequence();
  const std::string text = to_text(s);
  const auto r = parse_text(text);
  RC_ASSERT(std::holds_alternative<Sequence>(r));
  RC_ASSERT(std::get<Sequence>(r) == s);
}

RC_GTEST_PROP(Text, RoundTripsDecodedBytes, ()) {
  const Sequence s = decode(*testgen::input_bytes());
  const auto r = parse_text(to_text(s));
  RC_ASSERT(std::holds_alternative<Sequence>(r));
  RC_ASSERT(std::get<Sequence>(r) == s);
}

TEST(Text, GoldenExampleRoundTrips) {
  const std::string source = read_file("example.opseq");
  const std::string canonical_text = read_file("example.canonical.opseq");
  ASSERT_FALSE(source.empty());
  const Sequence s = parsed(source);
  ASSERT_EQ(s.size(), 16u);
  EXPECT_EQ(to_text(s), canonical_text);
  EXPECT_EQ(parsed(canonical_text), s);
  const auto bytes = from_hex(read_file("example.hex"));
  EXPECT_EQ(encode(s), bytes);
  EXPECT_EQ(decode(bytes), s);
}

TEST(Text, PrintsTheDocumentedLines) {
  Op a;
  a.kind = OpKind::alloc;
  a.size = 0x1001;
  a.type = MEM_COMMIT | MEM_RESERVE;
  a.protect = PAGE_READWRITE;
  EXPECT_EQ(to_text(a), "alloc 0 size=0x1001 type=MEM_COMMIT|MEM_RESERVE protect=PAGE_READWRITE");
  Op w;
  w.kind = OpKind::write;
  w.addr = {AddrRef::Kind::region, 0, 1, -1};
  w.length = 2;
  w.pattern = 0x41;
  EXPECT_EQ(to_text(w), "write r0+p1-0x1 len=2 pattern=0x41");
  Op f;
  f.kind = OpKind::free;
  f.addr.kind = AddrRef::Kind::region;
  f.type = MEM_RELEASE;
  EXPECT_EQ(to_text(f), "free r0 size=0 type=MEM_RELEASE");
  Op i;
  i.kind = OpKind::inject_fault;
  i.fault = E_FAIL;
  EXPECT_EQ(to_text(i), "inject-fault E_FAIL");
  i.fault = 0x1234;
  EXPECT_EQ(to_text(i), "inject-fault 0x00001234");
  Op ff;
  ff.kind = OpKind::free_foreign;
  ff.addr = {AddrRef::Kind::foreign, 0, 0, 0x10};
  ff.type = MEM_RELEASE;
  EXPECT_EQ(to_text(ff), "free-foreign f0+0x10 type=MEM_RELEASE");  // size 0 is not printed
  ff.free_size = 0x1000;
  ff.type = MEM_DECOMMIT;
  EXPECT_EQ(to_text(ff), "free-foreign f0+0x10 size=0x1000 type=MEM_DECOMMIT");
  EXPECT_EQ(to_text(Sequence{}), "vmconform-opseq 1\n");
}

TEST(Text, AddressSyntax) {
  using K = AddrRef::Kind;
  EXPECT_EQ(to_text(AddrRef{K::region, 0, 1, 0xff}), "r0+p1+0xff");
  EXPECT_EQ(to_text(AddrRef{K::region_end, 2, -1, -1}), "end(r2)-p1-0x1");
  EXPECT_EQ(to_text(AddrRef{K::foreign, 0, 0, 0x10}), "f0+0x10");
  EXPECT_EQ(to_text(AddrRef{}), "0");
  EXPECT_EQ(to_text(AddrRef{K::zero, 0, 0, 0x1000}), "0+0x1000");
  EXPECT_EQ(to_text(AddrRef{K::region, 255, INT32_MIN, INT32_MIN}),
            "r255-p2147483648-0x80000000");
  // Accepted spellings that print differently.
  const Sequence s = parsed(
      "vmconform-opseq 1\n"
      "read 0x1000 len=1\n"
      "read -16 len=1\n"
      "read r1+p0x10+16 len=1\n");
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s[0].addr, (AddrRef{K::zero, 0, 0, 0x1000}));
  EXPECT_EQ(s[1].addr, (AddrRef{K::zero, 0, 0, -16}));
  EXPECT_EQ(s[2].addr, (AddrRef{K::region, 1, 16, 16}));
}

struct BadInput {
  const char* text;
  int line;
  const char* message_part;
};

TEST(Text, ErrorsCarryLineNumbers) {
  const BadInput cases[] = {
      {"", 1, "empty input"},
      {"# only a comment\n\n", 1, "empty input"},
      {"alloc 0 size=1 type=0 protect=0\n", 1, "missing header"},
      {"vmconform-opseq 2\n", 1, "unsupported format version '2'"},
      {"vmconform-opseq 1 extra\n", 1, "unexpected 'extra'"},
      {"vmconform-opseq 1\n\n# c\nallc 0\n", 4, "unknown operation 'allc'"},
      {"vmconform-opseq 1\nread r0 len=zz\n", 2, "bad number 'zz'"},
      {"vmconform-opseq 1\nread r0 len=-1\n", 2, "bad number '-1'"},
      {"vmconform-opseq 1\nread r0\n", 2, "missing field 'len='"},
      {"vmconform-opseq 1\nread\n", 2, "missing address"},
      {"vmconform-opseq 1\nread r0 len=1 len=2\n", 2, "given twice"},
      {"vmconform-opseq 1\nread r0 len=1 size=2\n", 2, "unknown field 'size'"},
      {"vmconform-opseq 1\nread r0 len=1 garbage\n", 2, "unexpected 'garbage'"},
      {"vmconform-opseq 1\ninject-fault E_FAIL garbage\n", 2, "unexpected 'garbage'"},
      {"vmconform-opseq 1\ninject-fault E_WHATEVER\n", 2, "bad fault code"},
      {"vmconform-opseq 1\ninject-fault\n", 2, "missing fault code"},
      {"vmconform-opseq 1\nread q7 len=1\n", 2, "bad address 'q7'"},
      {"vmconform-opseq 1\nread r256 len=1\n", 2, "bad index"},
      {"vmconform-opseq 1\nread end(r1 len=1\n", 2, "missing ')'"},
      {"vmconform-opseq 1\nread f0+p1 len=1\n", 2, "page term"},
      {"vmconform-opseq 1\nread r0+0x80000000 len=1\n", 2, "bad offset"},
      {"vmconform-opseq 1\nread r0*2 len=1\n", 2, "bad address"},
      {"vmconform-opseq 1\nread r0 len=0x110001\n", 2, "out of range"},
      {"vmconform-opseq 1\nwrite r0 len=1 pattern=256\n", 2, "out of range"},
      {"vmconform-opseq 1\nalloc 0 size=0x100000000 type=0 protect=0\n", 2, "out of range"},
      {"vmconform-opseq 1\nalloc 0 size=1 type=PAGE_READWRITE protect=0\n", 2, "bad value"},
      {"vmconform-opseq 1\nalloc 0 size=1 type=MEM_COMMIT| protect=0\n", 2, "bad value"},
      {"vmconform-opseq 1\nfree-foreign r0 type=MEM_RELEASE\n", 2, "foreign address"},
  };
  for (const BadInput& c : cases) {
    const auto r = parse_text(c.text);
    const auto* e = std::get_if<ParseError>(&r);
    ASSERT_NE(e, nullptr) << c.text;
    EXPECT_EQ(e->line, c.line) << c.text << " -> " << e->message;
    EXPECT_NE(e->message.find(c.message_part), std::string::npos)
        << c.text << " -> " << e->message;
  }
}

TEST(Text, TooManyOpsIsAnError) {
  std::string text = "vmconform-opseq 1\n";
  for (std::size_t i = 0; i < kMaxOps; ++i) text += "inject-fault E_FAIL\n";
  EXPECT_EQ(parsed(text).size(), kMaxOps);
  text += "inject-fault E_FAIL\n";
  const auto r = parse_text(text);
  ASSERT_TRUE(std::holds_alternative<ParseError>(r));
  EXPECT_EQ(std::get<ParseError>(r).line, static_cast<int>(kMaxOps) + 2);
}

TEST(Text, CrLfAndTabsAreWhitespace) {
  const Sequence s = parsed("vmconform-opseq 1\r\n\tread\tr0\tlen=1\r\n");
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].length, 1u);
}

}  // namespace
}  // namespace vmc::opseq
