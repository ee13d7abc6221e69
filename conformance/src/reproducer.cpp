// reproducer.cpp - the reproducer command lines and their quoting (vmconform/reproducer.hpp).
#include "vmconform/reproducer.hpp"

#include <iomanip>
#include <sstream>

namespace vmc {

std::string shell_quote(const std::string& s) {
  constexpr const char* kSafe = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./=:,+";
  if (!s.empty() && s.find_first_not_of(kSafe) == std::string::npos) return s;
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string seconds_text(double seconds) {
  std::ostringstream o;
  o << std::setprecision(15) << seconds;  // 2 -> "2", 0.5 -> "0.5", no digit of a typed value lost
  return o.str();
}

std::string subject_arguments(const Subject& s) {
  if (s.kind == Subject::Kind::agent)
    return "--agent " + shell_quote(s.name) +
           (s.agent_start_attempts != Subject{}.agent_start_attempts
                ? " --agent-start-attempts " + std::to_string(s.agent_start_attempts)
                : std::string());
  const bool plugin = s.kind == Subject::Kind::plugin;
  std::string out = (plugin ? "--plugin " : "--backend ") + shell_quote(s.name);
  if (!s.options.empty()) out += (plugin ? " --plugin-options " : " --backend-options ") + shell_quote(s.options);
  return out;
}

std::string reproducer(const RunOptions& o, const std::string& rule_id) {
  std::string cmd = "vmconform run " + subject_arguments(o.subject) + " --profile " + profile_name(o.profile) +
                    " --seed " + std::to_string(o.seed) + " --cases " + std::to_string(o.cases);
  if (o.subject.kind != Subject::Kind::backend && o.subject.timeout_seconds != Subject{}.timeout_seconds)
    cmd += " --timeout " + seconds_text(o.subject.timeout_seconds);
  if (o.depth != 1) cmd += o.depth == 0 ? std::string(" --quick") : " --depth " + std::to_string(o.depth);
  return cmd + " --rule " + rule_id;
}

std::string replay_reproducer(const std::string& file, const Subject& s, Profile profile, const std::string& program) {
  return program + " replay " + shell_quote(file) + " " + subject_arguments(s) + " --profile " + profile_name(profile);
}

}  // namespace vmc
