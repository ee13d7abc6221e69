// plugin_protocol.cpp - encodes and strictly decodes the worker protocol (../plugin/protocol.hpp).
//
// Decoding checks everything a message must carry (version, type, every field with its JSON
// type and range) and throws ProtocolError naming the first problem, so that a worker whose
// memory a plugin corrupted, or a plugin writing into the protocol pipe, is reported as a
// malformed message instead of being believed.
#include <nlohmann/json.hpp>

#include "../plugin/protocol.hpp"

namespace vmc::plugin {
namespace {

using nlohmann::json;

json parse_object(std::string_view line) {
  if (line.size() > kMaxMessageBytes) throw ProtocolError("message longer than " + std::to_string(kMaxMessageBytes) + " bytes");
  // nlohmann's parser takes a NUL byte for the end of the input and would ignore what follows it;
  // JSON text never holds a raw NUL (inside a string it is "\u0000").
  if (line.find('\0') != std::string_view::npos) throw ProtocolError("a NUL byte in the message");
  json j = json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) throw ProtocolError("not JSON");
  if (!j.is_object()) throw ProtocolError("not a JSON object");
  if (!j.contains("v") || !j["v"].is_number_integer()) throw ProtocolError("no protocol version field \"v\"");
  if (j["v"].get<long long>() != kProtocolVersion)
    throw ProtocolError("protocol version " + j["v"].dump() + ", expected " + std::to_string(kProtocolVersion));
  if (!j.contains("t") || !j["t"].is_string()) throw ProtocolError("no message type field \"t\"");
  return j;
}

/// Reads the fields of one object; `what` names it in errors ("a \"hello\" message").
struct Reader {
  const json& j;
  std::string what;
  const json& field(const char* name, json::value_t type) const {
    const auto it = j.find(name);
    if (it == j.end()) throw ProtocolError(what + " without field \"" + name + "\"");
    const bool ok = it->type() == type || (type == json::value_t::number_unsigned && it->is_number_integer() &&
                                           it->get<long long>() >= 0);
    if (!ok) throw ProtocolError("field \"" + std::string(name) + "\" of " + what + " has the wrong type");
    return *it;
  }
  std::string str(const char* name) const { return field(name, json::value_t::string).get<std::string>(); }
  std::uint64_t u64(const char* name) const { return field(name, json::value_t::number_unsigned).get<std::uint64_t>(); }
  std::uint32_t u32(const char* name) const {
    const std::uint64_t v = u64(name);
    if (v > 0xFFFFFFFFu) throw ProtocolError("field \"" + std::string(name) + "\" of " + what + " is out of range");
    return static_cast<std::uint32_t>(v);
  }
  int small_int(const char* name) const {
    const std::uint64_t v = u64(name);
    if (v > 0x7FFFFFFF) throw ProtocolError("field \"" + std::string(name) + "\" of " + what + " is out of range");
    return static_cast<int>(v);
  }
};

Reader reader(const json& j) { return Reader{j, "a \"" + j["t"].get<std::string>() + "\" message"}; }

json outcome_json(const PropertyOutcome& o) {
  return {{"name", o.name},       {"status", status_name(o.status)}, {"message", o.message},
          {"counterexample", o.counterexample}, {"cases", o.cases}, {"distribution", o.distribution}};
}

PropertyOutcome outcome_from(const json& oj) {
  const Reader j{oj, "the outcome of a result"};
  PropertyOutcome o;
  o.name = j.str("name");
  const std::string status = j.str("status");
  if (status == "pass") o.status = Status::pass;
  else if (status == "fail") o.status = Status::fail;
  else if (status == "skip") o.status = Status::skip;
  else throw ProtocolError("a result with status \"" + status + "\" (expected pass, fail or skip)");
  o.message = j.str("message");
  o.counterexample = j.str("counterexample");
  o.cases = j.small_int("cases");
  for (const auto& [label, count] : j.field("distribution", json::value_t::object).items()) {
    if (!count.is_number_integer() || count.get<long long>() < 0) throw ProtocolError("a distribution count is not a count");
    // get<int> would wrap: 2147483648 became a negative count, 4294967296 a count of 0.
    if (count.get<long long>() > 0x7FFFFFFF) throw ProtocolError("a distribution count is out of range");
    o.distribution[label] = count.get<int>();
  }
  return o;
}

}  // namespace

std::string encode(const Request& r) {
  json j{{"v", kProtocolVersion},
         {"t", r.kind == Request::Kind::probe ? "probe" : "run"},
         {"plugin", r.plugin},
         {"options", r.options},
         {"property", r.property},
         {"profile", profile_name(r.profile)},
         {"seed", r.seed},
         {"cases", r.cases}};
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

Request decode_request(std::string_view line) {
  const json parsed = parse_object(line);
  const Reader j = reader(parsed);
  Request r;
  const std::string t = parsed["t"].get<std::string>();
  if (t == "probe") r.kind = Request::Kind::probe;
  else if (t == "run") r.kind = Request::Kind::run;
  else throw ProtocolError("unknown request type \"" + t + "\"");
  r.plugin = j.str("plugin");
  r.options = j.str("options");
  r.property = j.str("property");
  const auto profile = parse_profile(j.str("profile"));
  if (!profile) throw ProtocolError("unknown profile in the request");
  r.profile = *profile;
  r.seed = j.u64("seed");
  r.cases = j.small_int("cases");
  return r;
}

std::string encode(const Message& m) {
  json j{{"v", kProtocolVersion}};
  if (const auto* h = std::get_if<Hello>(&m)) {
    j["t"] = "hello";
    j["name"] = h->name;
    j["page_size"] = h->page_size;
    j["granularity"] = h->granularity;
    j["query"] = h->query;
    j["situation"] = h->situation;
  } else if (const auto* c = std::get_if<CaseStart>(&m)) {
    j["t"] = "case";
    j["n"] = c->number;
  } else if (const auto* s = std::get_if<Step>(&m)) {
    j["t"] = "step";
    j["s"] = s->text;
  } else if (const auto* r = std::get_if<Result>(&m)) {
    j["t"] = "result";
    j["outcome"] = outcome_json(r->outcome);
  } else {
    const auto& e = std::get<Error>(m);
    j["t"] = "error";
    j["kind"] = e.kind;
    j["message"] = e.message;
  }
  // Replace invalid UTF-8 (a plugin's name, a message quoting bytes) instead of throwing.
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

Message decode_message(std::string_view line) {
  const json parsed = parse_object(line);
  const Reader j = reader(parsed);
  const std::string t = parsed["t"].get<std::string>();
  if (t == "hello") {
    Hello h;
    h.name = j.str("name");
    h.page_size = j.u32("page_size");
    h.granularity = j.u32("granularity");
    h.query = j.field("query", json::value_t::boolean).get<bool>();
    h.situation = j.str("situation");
    return h;
  }
  if (t == "case") return CaseStart{j.small_int("n")};
  if (t == "step") return Step{j.str("s")};
  if (t == "result") return Result{outcome_from(j.field("outcome", json::value_t::object))};
  if (t == "error") return Error{j.str("kind"), j.str("message")};
  throw ProtocolError("unknown message type \"" + t + "\"");
}

}  // namespace vmc::plugin
