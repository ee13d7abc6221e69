// protocol.cpp - encodes and strictly decodes the worker protocol (vmconform/plugin/protocol.hpp).
//
// Decoding checks everything a message must carry (version, type, every field with its JSON
// type and range, read through vmc::JsonFields) and throws ProtocolError naming the first
// problem, so that a worker whose memory a plugin corrupted, or a plugin writing into the
// protocol pipe, is reported as a malformed message instead of being believed. A result's
// outcome has the one encoding of a PropertyOutcome (vmconform/outcome.hpp), as in report.json.
#include "vmconform/plugin/protocol.hpp"

#include <nlohmann/json.hpp>

#include "vmconform/json_fields.hpp"
#include "vmconform/outcome.hpp"

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

/// The fields of a message whose version and type parse_object() checked; FieldError on a problem.
JsonFields fields(const json& j) { return JsonFields{j, "a \"" + j["t"].get<std::string>() + "\" message"}; }

Request request_from(const json& parsed) {
  const JsonFields j = fields(parsed);
  Request r;
  const std::string t = parsed["t"].get<std::string>();
  if (t == "probe") r.kind = Request::Kind::probe;
  else if (t == "run") r.kind = Request::Kind::run;
  else if (t == "replay") r.kind = Request::Kind::replay;
  else throw ProtocolError("unknown request type \"" + t + "\"");
  r.plugin = j.str("plugin");
  r.options = j.str("options");
  r.property = j.str("property");
  const auto profile = parse_profile(j.str("profile"));
  if (!profile) throw ProtocolError("unknown profile in the request");
  r.profile = *profile;
  r.seed = j.u64("seed");
  r.cases = j.count("cases");
  if (j.has("depth")) r.depth = j.count("depth");
  if (r.kind == Request::Kind::replay) r.sequence = j.str("sequence");
  return r;
}

Message message_from(const json& parsed) {
  const JsonFields j = fields(parsed);
  const std::string t = parsed["t"].get<std::string>();
  if (t == "hello") {
    Hello h;
    h.name = j.str("name");
    h.page_size = j.u32("page_size");
    h.granularity = j.u32("granularity");
    h.query = j.boolean("query");
    h.situation = j.str("situation");
    if (j.has("abi")) h.abi = j.count("abi");
    if (j.has("interface")) h.interface = j.str("interface");
    if (j.has("arranged_by")) h.arranged_by = j.str("arranged_by");
    if (j.has("fault_injection")) h.fault_injection = j.boolean("fault_injection");
    if (j.has("operations")) {
      h.operations.clear();
      for (const json& op : j.field("operations", json::value_t::array)) {
        if (!op.is_string()) throw ProtocolError("field \"operations\" of a \"hello\" message holds a non-string");
        h.operations.push_back(op.get<std::string>());
      }
    }
    return h;
  }
  if (t == "case") return CaseStart{j.count("n")};
  if (t == "step") return Step{j.str("s")};
  if (t == "result") return Result{outcome_from_json(j.field("outcome", json::value_t::object))};
  if (t == "replayed") {
    Replayed r;
    r.rule = j.str("rule");
    r.message = j.str("message");
    r.step = j.count("step");
    r.error = j.str("error");
    for (const json& line : j.field("trace", json::value_t::array)) {
      if (!line.is_string()) throw ProtocolError("a trace line of a \"replayed\" message is not a string");
      r.trace.push_back(line.get<std::string>());
    }
    return r;
  }
  if (t == "error") return Error{j.str("kind"), j.str("message")};
  throw ProtocolError("unknown message type \"" + t + "\"");
}

/// Parses `line` and reads it with `read`; every problem is a ProtocolError.
template <typename T>
T decode(std::string_view line, T (*read)(const json&)) {
  const json parsed = parse_object(line);
  try {
    return read(parsed);
  } catch (const FieldError& e) {
    throw ProtocolError(e.what());
  }
}

}  // namespace

std::string encode(const Request& r) {
  json j{{"v", kProtocolVersion},
         {"t", r.kind == Request::Kind::probe ? "probe" : r.kind == Request::Kind::run ? "run" : "replay"},
         {"plugin", r.plugin},
         {"options", r.options},
         {"property", r.property},
         {"profile", profile_name(r.profile)},
         {"seed", r.seed},
         {"cases", r.cases},
         {"depth", r.depth}};
  if (r.kind == Request::Kind::replay) j["sequence"] = r.sequence;
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

Request decode_request(std::string_view line) { return decode(line, request_from); }

std::string encode(const Message& m) {
  json j{{"v", kProtocolVersion}};
  if (const auto* h = std::get_if<Hello>(&m)) {
    j["t"] = "hello";
    j["name"] = h->name;
    j["page_size"] = h->page_size;
    j["granularity"] = h->granularity;
    j["query"] = h->query;
    j["situation"] = h->situation;
    j["abi"] = h->abi;
    j["interface"] = h->interface;
    j["operations"] = h->operations;
    j["arranged_by"] = h->arranged_by;
    j["fault_injection"] = h->fault_injection;
  } else if (const auto* c = std::get_if<CaseStart>(&m)) {
    j["t"] = "case";
    j["n"] = c->number;
  } else if (const auto* s = std::get_if<Step>(&m)) {
    j["t"] = "step";
    j["s"] = s->text;
  } else if (const auto* r = std::get_if<Result>(&m)) {
    j["t"] = "result";
    j["outcome"] = outcome_json(r->outcome);
  } else if (const auto* p = std::get_if<Replayed>(&m)) {
    j["t"] = "replayed";
    j["rule"] = p->rule;
    j["message"] = p->message;
    j["step"] = p->step;
    j["error"] = p->error;
    j["trace"] = p->trace;
  } else {
    const auto& e = std::get<Error>(m);
    j["t"] = "error";
    j["kind"] = e.kind;
    j["message"] = e.message;
  }
  // Replace invalid UTF-8 (a plugin's name, a message quoting bytes) instead of throwing.
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

Message decode_message(std::string_view line) { return decode(line, message_from); }

}  // namespace vmc::plugin
