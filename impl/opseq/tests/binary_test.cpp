// binary_test.cpp - tests of the binary format: decoder totality, caps, truncation, exact
// round trips through encode(), encoder refusals, and the byte-exact examples of FORMAT.md.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <cctype>
#include <cstdint>
#include <fstream>
#include <limits>
#include <random>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "generators.hpp"
#include "vmconform/constants.hpp"
#include "vmconform/opseq.hpp"

namespace vmc::opseq {
namespace {

using Bytes = std::vector<std::uint8_t>;

/// Everything decode() promises about its output, for any input.
void expect_well_formed(const Sequence& s) {
  EXPECT_LE(s.size(), kMaxOps);
  for (const Op& op : s) {
    EXPECT_EQ(canonical(op), op);
    EXPECT_LE(op.length, kMaxLength);
  }
}

Op alloc(AddrRef a, std::uint32_t size, std::uint32_t type, std::uint32_t protect) {
  Op o;
  o.kind = OpKind::alloc;
  o.addr = a;
  o.size = size;
  o.type = type;
  o.protect = protect;
  return o;
}

TEST(Binary, EmptyOrWrongVersionDecodesToNothing) {
  EXPECT_TRUE(decode({}).empty());
  for (int v = 0; v < 256; ++v) {
    if (v == kFormatVersion) continue;
    const Bytes b = {static_cast<std::uint8_t>(v), 0, 0, 0, 0, 0};
    EXPECT_TRUE(decode(b).empty()) << "version byte " << v;
  }
  EXPECT_TRUE(decode(Bytes{kFormatVersion}).empty());
}

RC_GTEST_PROP(Binary, DecodeIsTotal, ()) {
  const Bytes b = *testgen::input_bytes();
  const Sequence s = decode(b);
  RC_ASSERT(s.size() <= kMaxOps);
  RC_ASSERT(s.size() <= b.size());  // every op consumes at least its opcode byte
  for (const Op& op : s) RC_ASSERT(canonical(op) == op);
}

TEST(Binary, DecodeIsTotalOnManyRandomInputs) {
  std::mt19937_64 rng(12345);
  for (int round = 0; round < 20000; ++round) {
    const std::size_t n = rng() % (round % 100 == 0 ? 5000 : 64);
    Bytes b(n);
    for (auto& x : b) x = static_cast<std::uint8_t>(rng());
    if (!b.empty() && rng() % 8 != 0) b[0] = kFormatVersion;
    expect_well_formed(decode(b));
    if (HasFailure()) return;
  }
}

TEST(Binary, AtMostMaxOpsAreDecoded) {
  Bytes b(1 + 3 * kMaxOps, 5);  // 05 05 = inject-fault E_OUTOFMEMORY, two bytes an op
  b[0] = kFormatVersion;
  const Sequence s = decode(b);
  EXPECT_EQ(s.size(), kMaxOps);
  expect_well_formed(s);
}

TEST(Binary, LengthsAreClamped) {
  // write r0, length escape 0xFFFFFFFF
  const Bytes b = {1, 2, 1, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 7};
  const Sequence s = decode(b);
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].kind, OpKind::write);
  EXPECT_EQ(s[0].length, kMaxLength);
  EXPECT_EQ(s[0].pattern, 7);
}

TEST(Binary, TruncatedOpReadsMissingBytesAsZero) {
  // write opcode and a region address byte, nothing else.
  Sequence s = decode(Bytes{1, 2, 1});
  ASSERT_EQ(s.size(), 1u);
  Op w;
  w.kind = OpKind::write;
  w.addr.kind = AddrRef::Kind::region;
  EXPECT_EQ(s[0], w);
  // A lone opcode 6 is alloc (6 mod 6) with every field from zero bytes.
  s = decode(Bytes{1, 6});
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0], alloc({}, 0, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE));
  // An sv escape cut short: the raw i32 is what is there, zero-extended.
  s = decode(Bytes{1, 3, 1, 0x80, 0x34, 0x12});
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].addr.page, 0x1234);
}

RC_GTEST_PROP(Binary, PrefixesDecodeToPrefixes, ()) {
  const Sequence s = *testgen::sequence();
  const Bytes b = encode(s);
  const std::size_t cut = *rc::gen::inRange<std::size_t>(0, b.size() + 1);
  const Sequence d = decode(std::span(b).first(cut));
  RC_ASSERT(d.size() <= s.size());
  // All but the last decoded op are complete, so they are the original ops.
  for (std::size_t i = 0; i + 1 < d.size(); ++i) RC_ASSERT(d[i] == s[i]);
}

RC_GTEST_PROP(Binary, EncodeThenDecodeIsIdentity, ()) {
  const Sequence s = *testgen::sequence();
  RC_ASSERT(decode(encode(s)) == s);
}

RC_GTEST_PROP(Binary, ReencodingADecodedInputIsStable, ()) {
  const Sequence s = decode(*testgen::input_bytes());
  const Bytes again = encode(s);
  RC_ASSERT(decode(again) == s);
  RC_ASSERT(encode(decode(again)) == again);  // the encoder's output is a normal form
}

RC_GTEST_PROP(Binary, CanonicalIsIdempotentAndEncodable, ()) {
  Op raw;
  raw.kind = static_cast<OpKind>(*rc::gen::arbitrary<std::uint8_t>());
  raw.addr.kind = static_cast<AddrRef::Kind>(*rc::gen::arbitrary<std::uint8_t>());
  raw.addr.index = *rc::gen::arbitrary<std::uint8_t>();
  raw.addr.page = *rc::gen::arbitrary<std::int32_t>();
  raw.addr.offset = *rc::gen::arbitrary<std::int32_t>();
  raw.size = *rc::gen::arbitrary<std::uint32_t>();
  raw.free_size = *rc::gen::arbitrary<std::uint64_t>();
  raw.type = *rc::gen::arbitrary<std::uint32_t>();
  raw.protect = *rc::gen::arbitrary<std::uint32_t>();
  raw.length = *rc::gen::arbitrary<std::uint32_t>();
  raw.pattern = *rc::gen::arbitrary<std::uint8_t>();
  raw.fault = *rc::gen::arbitrary<std::int32_t>();
  const Op c = canonical(raw);
  RC_ASSERT(canonical(c) == c);
  RC_ASSERT(decode(encode({c})) == Sequence{c});
}

TEST(Binary, EncodeRefusesWhatItCannotCarry) {
  Op w;
  w.kind = OpKind::write;
  w.length = kMaxLength + 1;
  EXPECT_THROW(encode({w}), std::invalid_argument);

  Op r;
  r.kind = OpKind::read;
  r.pattern = 3;  // read does not use a pattern
  EXPECT_THROW(encode({r}), std::invalid_argument);

  Op z = alloc({}, 0x1000, MEM_RESERVE, PAGE_NOACCESS);
  z.addr.page = 1;  // an address of kind zero has no page
  EXPECT_THROW(encode({z}), std::invalid_argument);

  Op ff;
  ff.kind = OpKind::free_foreign;
  ff.addr.kind = AddrRef::Kind::region;
  EXPECT_THROW(encode({ff}), std::invalid_argument);

  Op bad;
  bad.kind = static_cast<OpKind>(6);
  EXPECT_THROW(encode({bad}), std::invalid_argument);

  EXPECT_THROW(encode(Sequence(kMaxOps + 1)), std::invalid_argument);
  EXPECT_NO_THROW(encode(Sequence(kMaxOps)));
}

TEST(Binary, EscapesReachTheExtremes) {
  using L32 = std::numeric_limits<std::int32_t>;
  Sequence s;
  Op a = alloc({AddrRef::Kind::region_end, 255, L32::min(), L32::max()}, 0xFFFFFFFF,
               0xDEADBEEF, 0xFFFFFFFF);
  s.push_back(a);
  Op f;
  f.kind = OpKind::free;
  f.addr = {AddrRef::Kind::foreign, 63, 0, L32::min()};
  f.free_size = ~std::uint64_t{0};
  f.type = 0x80000000;
  s.push_back(f);
  Op w;
  w.kind = OpKind::write;
  w.addr = {AddrRef::Kind::region, 62, -128, 128};
  w.length = kMaxLength;
  w.pattern = 0xFF;
  s.push_back(w);
  Op ff;
  ff.kind = OpKind::free_foreign;
  ff.addr = {AddrRef::Kind::foreign, 255, 0, -129};
  ff.type = 0x12345;
  s.push_back(ff);
  Op i;
  i.kind = OpKind::inject_fault;
  i.fault = L32::min();
  s.push_back(i);
  EXPECT_EQ(decode(encode(s)), s);
}

// The worked examples of impl/opseq/FORMAT.md section 4, byte for byte.
const Bytes kExampleOne = {0x01,                                            // version
                           0x00, 0x00, 0x00, 0x00, 0x01, 0x01, 0x00, 0x00,  // alloc
                           0x02, 0x01, 0x01, 0xFF, 0x00, 0x02, 0x41,        // write
                           0x03, 0x01, 0x00, 0x00, 0x02, 0x00,              // read
                           0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,        // free
                           0x04, 0x00, 0x10, 0x00, 0x00, 0x00,              // free-foreign
                           0x05, 0x00};                                     // inject-fault

const Bytes kExampleTwo = {
    0x01,                                                              // version
    0x02, 0xFD, 0x46, 0x80, 0xC8, 0x00, 0x00, 0x00, 0x80, 0xBB, 0xDC,  // write: addr
    0xFE, 0xFF, 0xFF, 0x00, 0x00, 0x11, 0x00, 0xFF,                    // len, pattern
    0x01, 0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,  // free: addr, size
    0xFF, 0xFF, 0x07, 0x00, 0x80, 0x10, 0x00,                          // free type escape
    0x05, 0x07, 0x57, 0x00, 0x07, 0x80};                               // inject-fault

TEST(Binary, FormatDocumentExampleOne) {
  Sequence s;
  s.push_back(alloc({}, 0x1001, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE));
  Op w;
  w.kind = OpKind::write;
  w.addr = {AddrRef::Kind::region, 0, 1, -1};
  w.length = 2;
  w.pattern = 0x41;
  s.push_back(w);
  Op r;
  r.kind = OpKind::read;
  r.addr = {AddrRef::Kind::region, 0, 0, 0};
  r.length = 0x2000;
  s.push_back(r);
  Op f;
  f.kind = OpKind::free;
  f.addr = {AddrRef::Kind::region, 0, 0, 0};
  f.type = MEM_RELEASE;
  s.push_back(f);
  Op ff;
  ff.kind = OpKind::free_foreign;
  ff.addr = {AddrRef::Kind::foreign, 0, 0, 0x10};
  ff.type = MEM_RELEASE;
  s.push_back(ff);
  Op i;
  i.kind = OpKind::inject_fault;
  i.fault = E_FAIL;
  s.push_back(i);
  EXPECT_EQ(encode(s), kExampleOne);
  EXPECT_EQ(decode(kExampleOne), s);
}

TEST(Binary, FormatDocumentExampleTwo) {
  Sequence s;
  Op w;
  w.kind = OpKind::write;
  w.addr = {AddrRef::Kind::region, 70, 200, -0x12345};
  w.length = kMaxLength;
  w.pattern = 0xFF;
  s.push_back(w);
  Op f;
  f.kind = OpKind::free;
  f.addr = {AddrRef::Kind::region_end, 2, -1, -1};
  f.free_size = ~std::uint64_t{0};
  f.type = MEM_RELEASE | MEM_TOP_DOWN;
  s.push_back(f);
  Op i;
  i.kind = OpKind::inject_fault;
  i.fault = E_INVALIDARG;
  s.push_back(i);
  EXPECT_EQ(encode(s), kExampleTwo);
  EXPECT_EQ(decode(kExampleTwo), s);
}

/// The hex bytes that start the lines of the code block after `heading` in FORMAT.md.
Bytes document_example(const std::string& doc, const std::string& heading) {
  Bytes out;
  std::size_t pos = doc.find(heading);
  if (pos == std::string::npos) return out;
  pos = doc.find("```", pos);
  const std::size_t end = doc.find("```", pos + 3);
  std::istringstream block(doc.substr(pos + 3, end - pos - 3));
  std::string line;
  while (std::getline(block, line)) {
    std::istringstream words(line);
    std::string w;
    while (words >> w && w.size() == 2 && std::isxdigit(static_cast<unsigned char>(w[0])) &&
           std::isxdigit(static_cast<unsigned char>(w[1])))
      out.push_back(static_cast<std::uint8_t>(std::stoul(w, nullptr, 16)));
  }
  return out;
}

TEST(Binary, FormatDocumentShowsTheseBytes) {
  std::ifstream in(VMCONFORM_OPSEQ_FORMAT_DOC);
  std::ostringstream doc;
  doc << in.rdbuf();
  ASSERT_FALSE(doc.str().empty()) << VMCONFORM_OPSEQ_FORMAT_DOC;
  EXPECT_EQ(document_example(doc.str(), "**Example 1**"), kExampleOne);
  EXPECT_EQ(document_example(doc.str(), "**Example 2**"), kExampleTwo);
}

TEST(Binary, SizesOneMutationFromAPageMultiple) {
  // alloc 0 size=(pages, delta): 01 00 | 00 00 00 | pages delta | 00 00
  auto size_of = [](std::uint8_t pages, std::uint8_t delta) {
    const Sequence s = decode(Bytes{1, 0, 0, 0, 0, pages, delta, 0, 0});
    return s.at(0).size;
  };
  EXPECT_EQ(size_of(1, 0xFF), 0xFFFu);
  EXPECT_EQ(size_of(1, 0x00), 0x1000u);
  EXPECT_EQ(size_of(1, 0x01), 0x1001u);
  EXPECT_EQ(size_of(16, 0x00), 0x10000u);
  EXPECT_EQ(size_of(0, 0xFF), 0xFFFFFFFFu);  // wraps modulo 2^32
}

}  // namespace
}  // namespace vmc::opseq
