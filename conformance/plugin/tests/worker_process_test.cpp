// worker_process_test.cpp - WorkerProcess against real child processes (the fake worker of
// fake_worker.hpp): message lines in order, end of file, the captured output, exit statuses and
// signals, the deadline, the line limit, and a worker that leaves a child holding its pipe.
#include <gtest/gtest.h>

#include <signal.h>

#include <chrono>
#include <fstream>
#include <string>
#include <thread>

#include "fake_worker.hpp"
#include "vmconform/plugin/worker_process.hpp"

namespace vmc::plugin {
namespace {

using Event = WorkerProcess::Event;
using Clock = WorkerProcess::Clock;
constexpr std::size_t kMaxLine = 1000;

Clock::time_point in(double seconds) {
  return Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
}

/// A fake worker acting out `scenario`.
WorkerProcess start(const std::string& scenario) {
  WorkerProcess w = WorkerProcess::spawn(test::self_executable());
  EXPECT_TRUE(w.send(scenario + "\n"));
  return w;
}

/// The next message line, or what came instead: "<eof>", "<timeout>", "<too long>".
std::string next(WorkerProcess& w, double seconds = 30) {
  std::string line;
  switch (w.next_line(line, in(seconds), kMaxLine)) {
    case Event::line: return line;
    case Event::eof: return "<eof>";
    case Event::timeout: return "<timeout>";
    case Event::too_long: return "<too long>";
  }
  return "?";
}

/// True once process `pid` is gone or a zombie (waits up to 5 s).
bool dead(pid_t pid) {
  for (int i = 0; i < 500; ++i) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string pid_field, comm, state;
    if (!(stat >> pid_field >> comm >> state) || state == "Z" || state == "X") return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

TEST(WorkerProcess, ReturnsMessageLinesInOrderThenEndOfFile) {
  WorkerProcess w = start("echo");
  EXPECT_EQ(next(w), "one");
  EXPECT_EQ(next(w), "two");
  EXPECT_EQ(next(w), "<eof>");
  EXPECT_EQ(w.finish(in(30)).describe(), "exited with status 0");
}

TEST(WorkerProcess, KeepsWhatTheWorkerPrinted) {
  WorkerProcess w = start("echo");
  w.finish(in(30));
  EXPECT_NE(w.output_tail().find("to stdout"), std::string::npos) << w.output_tail();
  EXPECT_NE(w.output_tail().find("to stderr"), std::string::npos) << w.output_tail();
}

TEST(WorkerProcess, SendsTheRequestOnItsPipe) {
  WorkerProcess w = start("read-back");
  EXPECT_EQ(next(w), "got read-back");
}

TEST(WorkerProcess, NamesTheSignalThatKilledTheWorker) {
  WorkerProcess w = start("signal");
  EXPECT_EQ(next(w), "before");
  EXPECT_EQ(next(w), "<eof>");
  const ExitStatus status = w.finish(in(30));
  EXPECT_TRUE(status.signaled);
  EXPECT_EQ(status.signal, SIGTERM);
  EXPECT_EQ(status.describe().rfind("was killed by signal 15 (SIGTERM", 0), 0u) << status.describe();
}

TEST(WorkerProcess, NamesTheExitStatus) {
  WorkerProcess w = start("exit3");
  const ExitStatus status = w.finish(in(30));
  EXPECT_FALSE(status.signaled);
  EXPECT_EQ(status.exit_code, 3);
  EXPECT_EQ(status.describe(), "exited with status 3");
}

TEST(WorkerProcess, TimesOutAtTheDeadlineAndKillsTheWorker) {
  WorkerProcess w = start("hang");
  const auto started = Clock::now();
  EXPECT_EQ(next(w, 0.3), "<timeout>");
  EXPECT_GE(Clock::now() - started, std::chrono::milliseconds(250));
  const ExitStatus status = w.finish(Clock::now());
  EXPECT_TRUE(status.signaled);
  EXPECT_EQ(status.signal, SIGKILL);
}

TEST(WorkerProcess, RefusesALineOverTheLimit) {
  WorkerProcess w = start("long");
  EXPECT_EQ(next(w), "<too long>");
}

TEST(WorkerProcess, StopsWaitingForAWorkerThatIsGoneAndKillsWhatItLeftBehind) {
  WorkerProcess w = start("orphan");
  const std::string line = next(w);
  ASSERT_EQ(line.rfind("child ", 0), 0u) << line;
  const pid_t child = static_cast<pid_t>(std::stol(line.substr(6)));
  // The child still holds the message pipe: the end comes from the worker's exit, not from EOF.
  EXPECT_EQ(next(w), "<eof>");
  EXPECT_EQ(w.finish(in(30)).describe(), "exited with status 0");
  EXPECT_TRUE(dead(child)) << "the worker's child " << child << " outlived it";
}

TEST(WorkerProcess, CannotStartWhatDoesNotExist) {
  EXPECT_THROW(WorkerProcess::spawn("/nonexistent/vmconform"), std::runtime_error);
}

TEST(ExitStatus, DescribesSignalsAndExitCodes) {
  EXPECT_EQ((ExitStatus{true, SIGSEGV, 0}.describe()), "was killed by signal 11 (SIGSEGV: Segmentation fault)");
  EXPECT_EQ((ExitStatus{false, 0, 2}.describe()), "exited with status 2");
}

}  // namespace
}  // namespace vmc::plugin
