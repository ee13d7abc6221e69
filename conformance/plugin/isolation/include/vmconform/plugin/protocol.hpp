// protocol.hpp - the messages between `vmconform run --plugin` and its worker processes.
//
// Newline-delimited JSON, one object per line, every object carrying "v" (the protocol version,
// kProtocolVersion) and "t" (its type). The parent sends one request per worker ("probe": load
// and check the plugin; "run": run one property; "replay": run one op sequence against the
// model, for `vmconform replay --plugin`); the worker answers with "hello" once the plugin is
// loaded, "case" whenever a property case opens a fresh target, "step" before every call into
// the plugin (so the last call before a crash is known), then one "result" (a property's), one
// "replayed" (a sequence's) or one "error". Anything else - bad JSON, a missing field, another version, an unknown type, a line
// longer than kMaxMessageBytes - is a ProtocolError: the parent reports a malformed message
// and never trusts the worker again. conformance/plugin/PROTOCOL.md describes every field; a
// result's outcome has the one JSON encoding of a PropertyOutcome (vmconform/outcome.hpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "vmconform/catalogue.hpp"
#include "vmconform/outcome.hpp"

namespace vmc::plugin {

inline constexpr int kProtocolVersion = 1;
inline constexpr std::size_t kMaxMessageBytes = 4u << 20;  // one result with a long counterexample fits

struct ProtocolError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Parent -> worker: what to do.
struct Request {
  enum class Kind { probe, run, replay };
  Kind kind = Kind::run;
  std::string plugin;   // path of the shared object
  std::string options;  // --plugin-options
  std::string property; // run: the PropertyDef name
  std::string sequence; // replay: the op sequence in its text form (impl/opseq/FORMAT.md)
  Profile profile = Profile::win32;
  std::uint64_t seed = 1;
  int cases = 100;
  int depth = 1;  // RunOptions::depth (0 = --quick); absent in a request = 1
};

/// Worker -> parent: the plugin is loaded and its table checked.
struct Hello {
  std::string name;  // the plugin's name field
  std::uint32_t page_size = 0, granularity = 0;
  bool query = false;     // query_virtual is present
  std::string situation;  // probe only: where the target lives and which foreign memory exists
  // Optional fields (absent in a message: a version-1 plugin's values), set by the probe:
  int abi = 1;                          // the plugin ABI version of its table
  std::string interface{};              // its interface_name ("" when none)
  std::vector<std::string> operations{  // the documented operations it provides
      "WriteVirtual", "ReadVirtual", "AllocateVirtualMemory", "VirtualFree"};
  std::string arranged_by{};  // who provides the missing operations, in words ("" when none is missing)
  bool fault_injection = false;  // inject_free_failure is present
};
/// A property case opened a fresh target (number counts the targets of this property).
struct CaseStart {
  int number = 0;
};
/// The call about to be made into the plugin, in the op-sequence text form (impl/opseq/FORMAT.md).
struct Step {
  std::string text;
};
struct Result {
  PropertyOutcome outcome;
};
/// A replayed sequence ran to its end: the first divergence from the model (rule "" when there
/// was none), or the exception the target interface threw, and the trace of every op run.
struct Replayed {
  std::string rule;     // the broken rule, "" = no divergence
  std::string message;  // the divergence
  int step = 0;         // 1-based op of the divergence or of the exception; 0 = the final check
  std::string error;    // the plugin broke the target interface (what was thrown), "" = it did not
  std::vector<std::string> trace;  // "op -> what the plugin returned", one per op run
};
/// The worker could not do what was asked. kind: "load" (not a shared object), "abi" (not a
/// plugin, wrong version, missing function, unusable page size), "open" (open() returned
/// NULL), "request" (a malformed request), "internal".
struct Error {
  std::string kind, message;
};
using Message = std::variant<Hello, CaseStart, Step, Result, Replayed, Error>;

std::string encode(const Request& r);  // one line, without the newline
Request decode_request(std::string_view line);
std::string encode(const Message& m);
Message decode_message(std::string_view line);

}  // namespace vmc::plugin
