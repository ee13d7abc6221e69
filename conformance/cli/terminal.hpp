// terminal.hpp - what the command line prints for people: colour or not, and the run's progress.
//
// Style decides once per command whether output may carry ANSI colours: `--color=always` yes,
// `--color=never` no, `--color=auto` (the default) only when the stream is a terminal and the
// NO_COLOR environment variable is unset or empty (https://no-color.org). ProgressDisplay shows a
// run's progress on stderr: on a terminal, one line rewritten in place ("[12/40] WV-ATOMIC
// WvAtomic... case 37/100, 1.2 s"), with the case counter of long properties; otherwise one
// plain line per property ("[12/40] WV-ATOMIC WvAtomicFailedWriteChangesNothing"), nothing
// rewritten, nothing coloured.
#pragma once

#include <chrono>
#include <string>

#include "vmconform/runner.hpp"

namespace vmc::cli {

struct Style {
  bool color = false;     // ANSI colours on the stream
  bool terminal = false;  // the stream is a terminal (progress lines are rewritten in place)
  /// `choice` is "auto", "always" or "never" (UsageError otherwise); `fd` is the stream.
  static Style detect(const std::string& choice, int fd);
  /// `text` in the colour of a status (pass green, fail and xpass red, xfail yellow, skip
  /// grey), or as it is without colour.
  std::string status(Status s, const std::string& text) const;
  std::string bold(const std::string& text) const;
  std::string dim(const std::string& text) const;
};

/// The --color option's values, for the option table and the completion script.
inline constexpr const char* kColorChoices[] = {"auto", "always", "never"};

class ProgressDisplay {
 public:
  explicit ProgressDisplay(Style style) : style_(style), start_(std::chrono::steady_clock::now()) {}
  ~ProgressDisplay() { finish(); }
  void operator()(const Progress& p);
  /// Clears a line left on the terminal (before the summary is printed).
  void finish();

 private:
  void draw(bool force);
  Style style_;
  std::chrono::steady_clock::time_point start_, last_draw_{};
  Progress current_;
  bool drawn_ = false;
};

}  // namespace vmc::cli
