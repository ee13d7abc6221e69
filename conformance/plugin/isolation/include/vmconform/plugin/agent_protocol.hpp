// agent_protocol.hpp - the requests the host sends an agent and strict decoding of its responses.
//
// The agent protocol (spec/agent-protocol.md, schema "vmconform-agent/1") is newline-delimited
// JSON over an agent's stdin and stdout: every request carries "id" and "op", every response the
// id it answers. encode_request() renders a request; decode_response() checks a response line
// against the request it answers - JSON object, the same id, every field the op needs with its
// type and range, hex strings for addresses, HRESULTs and bytes, no read longer than asked - and
// throws AgentProtocolError naming the first problem (an `{"error": ...}` answer is an
// AgentRefusal). The host never believes anything else; the fuzz target fuzz_agent_protocol
// feeds it arbitrary lines.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "vmconform/target.hpp"

namespace vmc::plugin {

inline constexpr const char* kAgentSchema = "vmconform-agent/1";
inline constexpr std::size_t kMaxAgentLineBytes = 64u << 20;

/// A response the host cannot trust (the run reports it as a malformed response).
struct AgentProtocolError : std::runtime_error {
  using std::runtime_error::runtime_error;
};
/// An `{"id": N, "error": "..."}` response: the agent says it cannot handle the request.
struct AgentRefusal : std::runtime_error {
  using std::runtime_error::runtime_error;
};

enum class AgentOp { hello, open, allocate, free, write, read, query, foreign, fault, close, bye };
const char* agent_op_name(AgentOp op);

struct AgentRequest {
  std::uint64_t id = 1;
  AgentOp op = AgentOp::hello;
  int target = 0;                 // every op but hello, open and bye
  std::uint64_t address = 0;      // allocate, free, write, read, query
  std::uint64_t size = 0;         // allocate, read (32 bits), free (64 bits)
  std::uint32_t type = 0;         // allocate, free
  std::uint32_t protect = 0;      // allocate
  hresult hr = 0;                 // fault
  const std::uint8_t* data = nullptr;  // write
  std::uint32_t length = 0;            // write
};

struct AgentHello {
  std::string name;
  std::uint32_t page_size = 0, granularity = 0;
  bool query = false, fault_injection = false;
  /// The optional fields of a partial implementation (spec/agent-protocol.md, "Partial
  /// implementations"): the operations that are the implementation's own (all four when absent),
  /// the interface it stands for, and who answers the requests of the others.
  bool allocate = true, free = true, write = true, read = true;
  std::string interface, arranged_by;
};

/// One response, decoded for the op it answers; only that op's fields are set.
struct AgentResponse {
  std::uint64_t id = 0;
  AgentHello hello;                     // hello
  int target = 0;                       // open
  hresult hr = 0;                       // allocate, free, write, read, query
  std::uint64_t address = 0;            // allocate
  std::vector<std::uint8_t> data;       // read
  RegionInfo region;                    // query (when hr succeeded)
  std::vector<ForeignMemory> foreign;   // foreign
  bool injected = false;                // fault
};

/// One line, without the newline.
std::string encode_request(const AgentRequest& r);
/// Checks `line` as the response to `request`; throws AgentProtocolError or AgentRefusal.
AgentResponse decode_response(std::string_view line, const AgentRequest& request);

/// "0x1f" (lower case, no leading zeros); HRESULTs as "0x%08x".
std::string hex64(std::uint64_t v);
std::string hex_hresult(hresult hr);

}  // namespace vmc::plugin
