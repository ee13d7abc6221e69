// terminal.cpp - colours and progress for people (terminal.hpp).
#include "terminal.hpp"

#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include "command.hpp"
#include "vmconform/human.hpp"

namespace vmc::cli {

Style Style::detect(const std::string& choice, int fd) {
  Style s;
  s.terminal = ::isatty(fd) == 1;
  if (choice == "always") s.color = true;
  else if (choice == "never") s.color = false;
  else if (choice == "auto") {
    const char* no_color = std::getenv("NO_COLOR");
    const char* term = std::getenv("TERM");
    s.color = s.terminal && (no_color == nullptr || *no_color == '\0') && !(term && std::string(term) == "dumb");
  } else {
    throw UsageError("--color takes auto, always or never, not '" + choice + "'");
  }
  return s;
}

std::string Style::status(Status st, const std::string& text) const {
  if (!color) return text;
  const char* code = "";
  switch (st) {
    case Status::pass: code = "32"; break;
    case Status::fail: case Status::xpass: code = "1;31"; break;
    case Status::xfail: code = "33"; break;
    case Status::skip: code = "90"; break;
  }
  return std::string("\033[") + code + "m" + text + "\033[0m";
}

std::string Style::bold(const std::string& text) const { return color ? "\033[1m" + text + "\033[0m" : text; }
std::string Style::dim(const std::string& text) const { return color ? "\033[2m" + text + "\033[0m" : text; }

void ProgressDisplay::operator()(const Progress& p) {
  if (p.rules > 0) {  // a property starts or ends: the rule's place in the run
    current_ = p;
  } else {  // a case of the current property starts
    current_.case_number = p.case_number;
    current_.cases = p.cases;
  }
  if (!style_.terminal) {
    if (p.rules > 0 && !p.done && p.case_number == 0)
      std::cerr << "[" << p.rule << "/" << p.rules << "] " << p.rule_id << "  " << p.property << std::endl;
    return;
  }
  draw(p.rules > 0);
}

void ProgressDisplay::draw(bool force) {
  const auto now = std::chrono::steady_clock::now();
  if (!force && now - last_draw_ < std::chrono::milliseconds(100)) return;  // a few redraws a second
  last_draw_ = now;
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  std::string line = "[" + std::to_string(current_.rule) + "/" + std::to_string(current_.rules) + "] " +
                     current_.rule_id + "  " + current_.property;
  if (current_.case_number > current_.cases && current_.cases > 0)
    line += "  shrinking a failure";
  else if (current_.case_number > 0)
    line += "  case " + std::to_string(current_.case_number) + "/" + std::to_string(current_.cases);
  line += "  " + duration_text(elapsed);
  std::cerr << "\r\033[K" << style_.dim(line) << std::flush;
  drawn_ = true;
}

void ProgressDisplay::finish() {
  if (drawn_) std::cerr << "\r\033[K" << std::flush;
  drawn_ = false;
}

}  // namespace vmc::cli
