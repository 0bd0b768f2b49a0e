#include "sim/sweep/sweep_pool.hpp"

#include <algorithm>
#include <cmath>
#include <ctime>

#include "sim/util/process.hpp"

namespace arraysim::sweep {
namespace {

using Clock = std::chrono::steady_clock;

/// Longest sleep between checks for ended processes, seconds.
constexpr double kMaxNapS = 0.05;

void on_sigchld(int) {}  // a handler (not SIG_IGN) keeps SIGCHLD pending for sigtimedwait

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

}  // namespace

ProcessPool::ProcessPool(double timeout_s) : timeout_s_(timeout_s) {
  struct sigaction sa {};
  sa.sa_handler = on_sigchld;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  ::sigaction(SIGCHLD, &sa, &old_action_);
  sigset_t block;
  sigemptyset(&block);
  sigaddset(&block, SIGCHLD);
  ::pthread_sigmask(SIG_BLOCK, &block, &old_mask_);
}

ProcessPool::~ProcessPool() {
  for (const Child& c : children_) ::kill(c.pid, SIGKILL);
  for (const Child& c : children_) util::wait_process(c.pid);
  ::pthread_sigmask(SIG_SETMASK, &old_mask_, nullptr);
  ::sigaction(SIGCHLD, &old_action_, nullptr);
}

void ProcessPool::start(std::size_t id, const util::ProcessSpec& spec) {
  util::ProcessSpec child = spec;
  child.die_with_parent = true;  // a killed sweep leaves no simulation running behind it
  children_.push_back({util::start_process(child), id, Clock::now(), false});
}

std::vector<std::pair<std::size_t, ProcessOutcome>> ProcessPool::reap() {
  std::vector<std::pair<std::size_t, ProcessOutcome>> done;
  for (auto it = children_.begin(); it != children_.end();) {
    const std::optional<util::ProcessExit> end = util::poll_process(it->pid);
    if (!end) {
      ++it;
      continue;
    }
    ProcessOutcome o;
    static_cast<util::ProcessExit&>(o) = *end;
    o.wall_s = seconds_since(it->start);
    o.timed_out = it->timed_out;
    done.emplace_back(it->id, o);
    it = children_.erase(it);
  }
  return done;
}

std::vector<std::pair<std::size_t, ProcessOutcome>> ProcessPool::wait(double max_wait_s) {
  const Clock::time_point until = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                                     std::chrono::duration<double>(std::max(0.0, max_wait_s)));
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  for (;;) {
    // Kill what outlived its timeout; it is reaped below or on a later call.
    double next_deadline_s = 1e9;
    if (timeout_s_ > 0) {
      for (Child& c : children_) {
        const double left = timeout_s_ - seconds_since(c.start);
        if (left <= 0 && !c.timed_out) {
          ::kill(c.pid, SIGKILL);
          c.timed_out = true;
        } else if (!c.timed_out) {
          next_deadline_s = std::min(next_deadline_s, left);
        }
      }
    }
    auto done = reap();
    if (!done.empty()) return done;
    const double left = std::chrono::duration<double>(until - Clock::now()).count();
    if (left <= 0 || children_.empty()) return done;
    // SIGCHLD normally ends the nap at once; the cap bounds the delay should another thread of
    // the process take the signal.
    const double nap = std::max(1e-4, std::min({left, next_deadline_s, kMaxNapS}));
    timespec ts;
    ts.tv_sec = static_cast<time_t>(nap);
    ts.tv_nsec = static_cast<long>((nap - std::floor(nap)) * 1e9);
    ::sigtimedwait(&chld, nullptr, &ts);  // returns on SIGCHLD, on timeout, or EINTR
  }
}

}  // namespace arraysim::sweep
