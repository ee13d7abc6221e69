// agent_protocol.cpp - encodes agent requests and strictly decodes responses
// (vmconform/plugin/agent_protocol.hpp, spec/agent-protocol.md).
#include "vmconform/plugin/agent_protocol.hpp"

#include <nlohmann/json.hpp>

#include <cstdio>

#include "vmconform/json_fields.hpp"

namespace vmc::plugin {
namespace {

using nlohmann::json;

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/// "0x..." with 1 to 16 hex digits.
std::uint64_t parse_hex64(const JsonFields& j, const char* name) {
  const std::string s = j.str(name);
  if (s.size() < 3 || s.size() > 18 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X'))
    throw FieldError("field \"" + std::string(name) + "\" of " + j.what + " is not a hex string \"0x...\" of 64 bits");
  std::uint64_t v = 0;
  for (std::size_t i = 2; i < s.size(); ++i) {
    const int d = hex_digit(s[i]);
    if (d < 0) throw FieldError("field \"" + std::string(name) + "\" of " + j.what + " is not a hex string");
    v = v << 4 | static_cast<std::uint64_t>(d);
  }
  return v;
}

hresult parse_hr(const JsonFields& j, const char* name) {
  const std::uint64_t v = parse_hex64(j, name);
  if (v > 0xFFFFFFFFu) throw FieldError("field \"" + std::string(name) + "\" of " + j.what + " is not a 32-bit HRESULT");
  return static_cast<hresult>(static_cast<std::uint32_t>(v));
}

std::vector<std::uint8_t> parse_bytes(const JsonFields& j, const char* name, std::size_t limit) {
  const std::string s = j.str(name);
  if (s.size() % 2 != 0) throw FieldError("field \"" + std::string(name) + "\" of " + j.what + " has an odd number of hex digits");
  if (s.size() / 2 > limit)
    throw FieldError("field \"" + std::string(name) + "\" of " + j.what + " holds " + std::to_string(s.size() / 2) +
                     " bytes, more than the " + std::to_string(limit) + " asked for");
  std::vector<std::uint8_t> out(s.size() / 2);
  for (std::size_t i = 0; i < out.size(); ++i) {
    const int hi = hex_digit(s[2 * i]), lo = hex_digit(s[2 * i + 1]);
    if (hi < 0 || lo < 0) throw FieldError("field \"" + std::string(name) + "\" of " + j.what + " is not hex bytes");
    out[i] = static_cast<std::uint8_t>(hi << 4 | lo);
  }
  return out;
}

bool power_of_two(std::uint32_t v) { return v != 0 && (v & (v - 1)) == 0; }

}  // namespace

const char* agent_op_name(AgentOp op) {
  switch (op) {
    case AgentOp::hello: return "hello";
    case AgentOp::open: return "open";
    case AgentOp::allocate: return "allocate";
    case AgentOp::free: return "free";
    case AgentOp::write: return "write";
    case AgentOp::read: return "read";
    case AgentOp::query: return "query";
    case AgentOp::foreign: return "foreign";
    case AgentOp::fault: return "fault";
    case AgentOp::close: return "close";
    case AgentOp::bye: return "bye";
  }
  return "?";
}

std::string hex64(std::uint64_t v) {
  char b[24];
  std::snprintf(b, sizeof b, "0x%llx", static_cast<unsigned long long>(v));
  return b;
}

std::string hex_hresult(hresult hr) {
  char b[16];
  std::snprintf(b, sizeof b, "0x%08x", static_cast<unsigned>(static_cast<std::uint32_t>(hr)));
  return b;
}

std::string encode_request(const AgentRequest& r) {
  // Written by hand: a 1 MiB write is 2 MiB of hex, and this runs for every call of the suite.
  std::string s = "{\"id\":" + std::to_string(r.id) + ",\"op\":\"" + agent_op_name(r.op) + "\"";
  const auto field = [&s](const char* name, const std::string& value, bool quoted) {
    s += ",\"";
    s += name;
    s += quoted ? "\":\"" : "\":";
    s += value;
    if (quoted) s += '"';
  };
  switch (r.op) {
    case AgentOp::hello: field("protocol", kAgentSchema, true); break;
    case AgentOp::open:
    case AgentOp::bye: break;
    default: field("target", std::to_string(r.target), false); break;
  }
  switch (r.op) {
    case AgentOp::allocate:
      field("address", hex64(r.address), true);
      field("size", std::to_string(r.size), false);
      field("type", std::to_string(r.type), false);
      field("protect", std::to_string(r.protect), false);
      break;
    case AgentOp::free:
      field("address", hex64(r.address), true);
      field("size", hex64(r.size), true);
      field("type", std::to_string(r.type), false);
      break;
    case AgentOp::write: {
      field("address", hex64(r.address), true);
      static constexpr char kDigits[] = "0123456789abcdef";
      s += ",\"data\":\"";
      s.reserve(s.size() + 2 * std::size_t{r.length} + 2);
      for (std::uint32_t i = 0; i < r.length; ++i) {
        s += kDigits[r.data[i] >> 4];
        s += kDigits[r.data[i] & 0xF];
      }
      s += '"';
      break;
    }
    case AgentOp::read:
      field("address", hex64(r.address), true);
      field("size", std::to_string(r.size), false);
      break;
    case AgentOp::query: field("address", hex64(r.address), true); break;
    case AgentOp::fault: field("hr", hex_hresult(r.hr), true); break;
    default: break;
  }
  return s + "}";
}

AgentResponse decode_response(std::string_view line, const AgentRequest& request) {
  if (line.size() > kMaxAgentLineBytes) throw AgentProtocolError("a line longer than 64 MiB");
  if (line.find('\0') != std::string_view::npos) throw AgentProtocolError("a NUL byte in the line");
  const json j = json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) throw AgentProtocolError("not JSON");
  if (!j.is_object()) throw AgentProtocolError("not a JSON object");
  const std::string what = std::string("the response to \"") + agent_op_name(request.op) + "\"";
  const JsonFields f{j, what};
  AgentResponse r;
  try {
    r.id = f.u64("id");
    if (r.id != request.id)
      throw AgentProtocolError("out of order: the response has id " + std::to_string(r.id) + ", the request " +
                               std::to_string(request.id));
    if (f.has("error")) throw AgentRefusal(f.has("error") && j["error"].is_string() ? j["error"].get<std::string>()
                                                                                     : j["error"].dump());
    switch (request.op) {
      case AgentOp::hello: {
        const std::string protocol = f.str("protocol");
        if (protocol != kAgentSchema)
          throw AgentProtocolError("the agent speaks \"" + protocol.substr(0, 60) + "\", not " + kAgentSchema);
        r.hello.name = f.str("name");
        r.hello.page_size = f.u32("page_size");
        r.hello.granularity = f.u32("granularity");
        r.hello.query = f.boolean("query");
        r.hello.fault_injection = f.boolean("fault_injection");
        if (f.has("interface")) r.hello.interface = f.str("interface");
        if (f.has("arranged_by")) r.hello.arranged_by = f.str("arranged_by");
        if (f.has("operations")) {
          r.hello.allocate = r.hello.free = r.hello.write = r.hello.read = false;
          for (const json& op : f.field("operations", json::value_t::array)) {
            const std::string name = op.is_string() ? op.get<std::string>() : op.dump();
            bool* slot = name == "AllocateVirtualMemory" ? &r.hello.allocate
                         : name == "VirtualFree"         ? &r.hello.free
                         : name == "WriteVirtual"        ? &r.hello.write
                         : name == "ReadVirtual"         ? &r.hello.read
                                                         : nullptr;
            if (slot == nullptr)
              throw AgentProtocolError("\"operations\" names \"" + name.substr(0, 60) +
                                       "\", not one of AllocateVirtualMemory, VirtualFree, WriteVirtual, ReadVirtual");
            *slot = true;
          }
          if (!(r.hello.allocate || r.hello.free || r.hello.write || r.hello.read))
            throw AgentProtocolError("\"operations\" is empty: an agent implements at least one operation");
        }
        if (!power_of_two(r.hello.page_size) || !power_of_two(r.hello.granularity) ||
            r.hello.granularity < r.hello.page_size)
          throw AgentProtocolError("page_size and granularity must be powers of two, the page no larger than the granularity");
        break;
      }
      case AgentOp::open:
        r.target = f.count("target");
        if (r.target < 1) throw AgentProtocolError("target numbers start at 1");
        break;
      case AgentOp::allocate:
        r.hr = parse_hr(f, "hr");
        r.address = parse_hex64(f, "address");
        break;
      case AgentOp::free:
      case AgentOp::write: r.hr = parse_hr(f, "hr"); break;
      case AgentOp::read:
        r.hr = parse_hr(f, "hr");
        r.data = parse_bytes(f, "data", request.size);
        break;
      case AgentOp::query:
        r.hr = parse_hr(f, "hr");
        if (succeeded(r.hr)) {
          r.region.base_address = parse_hex64(f, "base");
          r.region.allocation_base = parse_hex64(f, "allocation_base");
          r.region.region_size = parse_hex64(f, "region_size");
          r.region.allocation_protect = f.u32("allocation_protect");
          r.region.state = f.u32("state");
          r.region.protect = f.u32("protect");
          r.region.type = f.u32("type");
        }
        break;
      case AgentOp::foreign: {
        const json& regions = f.field("regions", json::value_t::array);
        if (regions.size() > 64) throw AgentProtocolError("more than 64 foreign regions");
        for (const json& one : regions) {
          if (!one.is_object()) throw AgentProtocolError("a foreign region that is not an object");
          const JsonFields g{one, "a foreign region"};
          r.foreign.push_back(ForeignMemory{parse_hex64(g, "address"), parse_hex64(g, "size"), g.str("what")});
        }
        break;
      }
      case AgentOp::fault: r.injected = f.boolean("injected"); break;
      case AgentOp::close:
      case AgentOp::bye: break;
    }
  } catch (const FieldError& e) {
    throw AgentProtocolError(e.what());
  }
  return r;
}

}  // namespace vmc::plugin
