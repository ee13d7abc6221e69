// fuzz_worker_protocol.cpp - libFuzzer target for the plugin worker protocol's decoders
// (vmconform/plugin/protocol.hpp, conformance/plugin/PROTOCOL.md): a worker hosts an untrusted
// plugin that can write anything into the message pipe, and the parent trusts only what decode_message accepts,
// catching nothing but vmc::plugin::ProtocolError. The input is one line, given to both
// decode_request and decode_message: each returns a value or throws ProtocolError with a
// message; any other exception, or a crash, is a bug. An accepted line must also hold no NUL
// byte, keep the decoders' range promises (counts and numbers not negative, a known result
// status), not be both a request and a message, and round-trip: encode never throws on a
// decoded value and decode(encode(decode(x))) == decode(x), field by field.
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "vmconform/plugin/protocol.hpp"

namespace {

using namespace vmc::plugin;

[[noreturn]] void broken(const std::string& what, std::string_view line) {
  std::string shown;  // printable ASCII, so that the report stays one line
  for (const unsigned char c : line.substr(0, 200)) shown += c >= 0x20 && c < 0x7F ? static_cast<char>(c) : '?';
  std::fprintf(stderr, "==vmconform== worker protocol: %s\n==vmconform== input (%zu bytes): %s%s\n", what.c_str(),
               line.size(), shown.c_str(), line.size() > 200 ? "..." : "");
  std::abort();
}

bool same(const Request& a, const Request& b) {
  return a.kind == b.kind && a.plugin == b.plugin && a.options == b.options && a.property == b.property &&
         a.profile == b.profile && a.seed == b.seed && a.cases == b.cases && a.sequence == b.sequence;
}

bool same(const Message& a, const Message& b) {
  if (a.index() != b.index()) return false;
  if (const auto* h = std::get_if<Hello>(&a)) {
    const auto& g = std::get<Hello>(b);
    return h->name == g.name && h->page_size == g.page_size && h->granularity == g.granularity &&
           h->query == g.query && h->situation == g.situation;
  }
  if (const auto* c = std::get_if<CaseStart>(&a)) return c->number == std::get<CaseStart>(b).number;
  if (const auto* s = std::get_if<Step>(&a)) return s->text == std::get<Step>(b).text;
  if (const auto* r = std::get_if<Result>(&a)) {
    const vmc::PropertyOutcome &o = r->outcome, &p = std::get<Result>(b).outcome;
    return o.name == p.name && o.status == p.status && o.message == p.message && o.counterexample == p.counterexample &&
           o.cases == p.cases && o.distribution == p.distribution;
  }
  if (const auto* r = std::get_if<Replayed>(&a)) {
    const auto& q = std::get<Replayed>(b);
    return r->rule == q.rule && r->message == q.message && r->step == q.step && r->error == q.error &&
           r->trace == q.trace;
  }
  const auto &e = std::get<Error>(a), &f = std::get<Error>(b);
  return e.kind == f.kind && e.message == f.message;
}

/// Runs one decoder; nullopt when it threw ProtocolError (with a message), abort on anything else.
template <typename T, typename Decode>
std::optional<T> decoded(Decode decode, const char* name, std::string_view line) {
  try {
    return decode(line);
  } catch (const ProtocolError& e) {
    if (std::string_view(e.what()).empty()) broken(std::string(name) + " threw ProtocolError without a message", line);
  } catch (const std::exception& e) {
    broken(std::string(name) + " threw something other than ProtocolError: " + e.what(), line);
  } catch (...) {
    broken(std::string(name) + " threw something that is not a std::exception", line);
  }
  return std::nullopt;
}

/// encode(v) decodes to v again; abort otherwise.
template <typename T, typename Decode>
void round_trip(const T& value, Decode decode, const char* name, std::string_view line) {
  std::string again;
  try {
    again = encode(value);
  } catch (const std::exception& e) {
    broken(std::string("encode threw on what ") + name + " accepted: " + e.what(), line);
  }
  try {
    if (!same(decode(again), value)) broken(std::string(name) + "(encode(" + name + "(x))) != " + name + "(x): " + again, line);
  } catch (const std::exception& e) {
    broken(std::string(name) + " refused encode(" + name + "(x)): " + e.what() + ": " + again, line);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 64 * 1024) return 0;
  const std::string_view line(reinterpret_cast<const char*>(data), size);

  // JSON has no raw NUL byte (nlohmann's parser stops at one, ignoring the rest of the line).
  const bool nul = line.find('\0') != std::string_view::npos;
  const auto request = decoded<Request>([](std::string_view l) { return decode_request(l); }, "decode_request", line);
  if (request) {
    if (nul) broken("decode_request accepted a line with a NUL byte", line);
    if (request->cases < 0) broken("decode_request accepted a negative case count", line);
    round_trip(*request, [](std::string_view l) { return decode_request(l); }, "decode_request", line);
  }

  const auto message = decoded<Message>([](std::string_view l) { return decode_message(l); }, "decode_message", line);
  if (message) {
    if (request) broken("the line is both a request and a message", line);
    if (nul) broken("decode_message accepted a line with a NUL byte", line);
    if (const auto* c = std::get_if<CaseStart>(&*message); c && c->number < 0)
      broken("decode_message accepted a negative target number", line);
    if (const auto* r = std::get_if<Result>(&*message)) {
      const vmc::PropertyOutcome& o = r->outcome;
      if (o.status != vmc::Status::pass && o.status != vmc::Status::fail && o.status != vmc::Status::skip)
        broken("decode_message accepted a result status other than pass, fail or skip", line);
      if (o.cases < 0) broken("decode_message accepted a negative case count", line);
      for (const auto& [label, count] : o.distribution)
        if (count < 0) broken("decode_message accepted a negative distribution count for \"" + label + "\"", line);
    }
    round_trip(*message, [](std::string_view l) { return decode_message(l); }, "decode_message", line);
  }
  return 0;
}
