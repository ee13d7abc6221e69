// fuzz_agent_protocol.cpp - libFuzzer target for the agent protocol's response decoder
// (vmconform/plugin/agent_protocol.hpp, spec/agent-protocol.md): an agent is another program
// that can print anything on its stdout, and the host believes only what decode_response accepts,
// catching nothing but AgentProtocolError and AgentRefusal. The input is one response line,
// decoded as the answer to every op's request (id 7; a read of 16 bytes): each returns a value or
// throws one of those two with a message; any other exception, or a crash, is a bug. An accepted
// response must keep the decoder's promises: the request's id, a read no longer than asked, a
// hello whose page size and granularity are powers of two with the page no larger, a target
// number of at least 1, and at most 64 foreign regions.
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <string_view>

#include "vmconform/plugin/agent_protocol.hpp"

namespace {

using namespace vmc::plugin;

[[noreturn]] void broken(const std::string& what, std::string_view line) {
  std::string shown;  // printable ASCII, so that the report stays one line
  for (const unsigned char c : line.substr(0, 200)) shown += c >= 0x20 && c < 0x7F ? static_cast<char>(c) : '?';
  std::fprintf(stderr, "==vmconform== agent protocol: %s\n==vmconform== input (%zu bytes): %s%s\n", what.c_str(),
               line.size(), shown.c_str(), line.size() > 200 ? "..." : "");
  std::abort();
}

bool power_of_two(std::uint32_t v) { return v != 0 && (v & (v - 1)) == 0; }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view line(reinterpret_cast<const char*>(data), size);
  for (int op = 0; op <= static_cast<int>(AgentOp::bye); ++op) {
    AgentRequest request;
    request.id = 7;
    request.op = static_cast<AgentOp>(op);
    request.target = 1;
    request.size = 16;
    AgentResponse r;
    try {
      r = decode_response(line, request);
    } catch (const AgentProtocolError& e) {
      if (std::string(e.what()).empty()) broken("AgentProtocolError without a message", line);
      continue;
    } catch (const AgentRefusal&) {
      continue;
    } catch (const std::exception& e) {
      broken(std::string("decode_response threw ") + e.what() + " for op " + agent_op_name(request.op), line);
    }
    if (r.id != request.id) broken("accepted a response with another id", line);
    if (r.data.size() > request.size) broken("accepted a read longer than asked", line);
    if (request.op == AgentOp::hello &&
        (!power_of_two(r.hello.page_size) || !power_of_two(r.hello.granularity) || r.hello.page_size > r.hello.granularity))
      broken("accepted a hello with an unusable page size or granularity", line);
    if (request.op == AgentOp::open && r.target < 1) broken("accepted a target number below 1", line);
    if (r.foreign.size() > 64) broken("accepted more than 64 foreign regions", line);
  }
  // Encoding never throws, and what the host sends is one line.
  AgentRequest w;
  w.op = AgentOp::write;
  w.data = data;
  w.length = static_cast<std::uint32_t>(size < 4096 ? size : 4096);
  if (encode_request(w).find('\n') != std::string::npos) broken("a request with a newline in it", line);
  return 0;
}
