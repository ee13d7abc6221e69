// ptrace_thread.hpp - a private thread that issues every ptrace request for one tracee.
//
// Linux ties a tracee to the thread that attached it (ptrace from any other thread fails with
// ESRCH) and ties PR_SET_PDEATHSIG to the thread that forked. The suite may create a factory
// on one thread and use its targets on another, so each Tracee owns one of these threads: the
// fork, the attach, every injected system call and the final detach run on it, and callers
// block until their job is done. The thread blocks every asynchronous signal, so the
// emergency handler (emergency_cleanup.hpp) never runs in the middle of an injection.
#pragma once

#include <pthread.h>
#include <signal.h>

#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace vmc::process {

class PtraceThread {
 public:
  PtraceThread() : thread_([this] { loop(); }) {}
  PtraceThread(const PtraceThread&) = delete;
  PtraceThread& operator=(const PtraceThread&) = delete;
  ~PtraceThread() {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    wake_.notify_all();
    thread_.join();
  }

  /// Runs `job` on the ptrace thread and waits for it. Jobs must not throw.
  void run(const std::function<void()>& job) {
    std::unique_lock lock(mutex_);
    done_.wait(lock, [this] { return job_ == nullptr; });  // one caller at a time
    job_ = &job;
    wake_.notify_all();
    done_.wait(lock, [this, &job] { return job_ != &job; });
  }

 private:
  void loop() {
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, nullptr);
    std::unique_lock lock(mutex_);
    for (;;) {
      wake_.wait(lock, [this] { return stop_ || job_ != nullptr; });
      if (job_ != nullptr) {
        const std::function<void()>* job = job_;
        lock.unlock();
        (*job)();
        lock.lock();
        job_ = nullptr;
        done_.notify_all();
        continue;
      }
      if (stop_) return;
    }
  }

  std::mutex mutex_;
  std::condition_variable wake_, done_;
  const std::function<void()>* job_ = nullptr;
  bool stop_ = false;
  std::thread thread_;  // last: starts after the members it uses exist
};

}  // namespace vmc::process
