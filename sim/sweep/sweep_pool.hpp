#pragma once
/// Child processes of a sweep: each point is one `arraysim run` process (SystemC elaborates once
/// per process), started by sim/util/process.hpp. A child gets SIGKILL when the sweep dies (so a
/// killed sweep leaves no simulation running behind it), and when it outlives its timeout.
#include <signal.h>
#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

#include "sim/util/process.hpp"

namespace arraysim::sweep {

/// How a process of the pool ended.
struct ProcessOutcome : util::ProcessExit {
  bool timed_out = false;  ///< killed by the pool after its timeout
  double wall_s = 0;       ///< from start to end, seconds
};

/// Runs processes, each with an optional timeout, and reports them as they end. While a pool
/// exists, SIGCHLD is blocked in the calling thread (wait() takes it with sigtimedwait), so use one
/// pool at a time from one thread.
class ProcessPool {
 public:
  /// `timeout_s` <= 0: no timeout.
  explicit ProcessPool(double timeout_s);
  /// Kills (SIGKILL) and reaps the processes still running, restores the signal mask.
  ~ProcessPool();
  ProcessPool(const ProcessPool&) = delete;
  ProcessPool& operator=(const ProcessPool&) = delete;

  /// Starts a process tagged `id`; it dies with the calling process (`die_with_parent` is set
  /// whatever `spec` says). Throws std::runtime_error when fork() fails; an executable that cannot
  /// be run exits 127 with the reason on its stderr file.
  void start(std::size_t id, const util::ProcessSpec& spec);
  /// Processes still running.
  std::size_t running() const { return children_.size(); }
  /// Waits until at least one process ends or `max_wait_s` seconds pass; kills processes past
  /// their timeout. Returns the processes that ended, with their ids.
  std::vector<std::pair<std::size_t, ProcessOutcome>> wait(double max_wait_s);

 private:
  struct Child {
    pid_t pid;
    std::size_t id;
    std::chrono::steady_clock::time_point start;
    bool timed_out = false;
  };
  std::vector<std::pair<std::size_t, ProcessOutcome>> reap();
  double timeout_s_;
  std::vector<Child> children_;
  sigset_t old_mask_;
  struct sigaction old_action_;
};

}  // namespace arraysim::sweep
