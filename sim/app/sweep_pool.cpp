#include "sim/app/sweep_pool.hpp"

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <ctime>
#include <stdexcept>

namespace arraysim::app {
namespace {

using Clock = std::chrono::steady_clock;

/// Longest sleep between checks for ended processes, seconds.
constexpr double kMaxNapS = 0.05;

void on_sigchld(int) {}  // a handler (not SIG_IGN) keeps SIGCHLD pending for sigtimedwait

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

/// Writes a message to fd 2 without allocating (between fork and exec).
void child_fail(const char* what, const char* path) {
  const char* why = std::strerror(errno);
  for (const char* s : {what, path, ": ", why, "\n"}) {
    const ssize_t ignored = ::write(2, s, std::strlen(s));
    (void)ignored;
  }
  ::_exit(127);
}

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
  for (const Child& c : children_) {
    int status = 0;
    while (::waitpid(c.pid, &status, 0) < 0 && errno == EINTR) {
    }
  }
  ::pthread_sigmask(SIG_SETMASK, &old_mask_, nullptr);
  ::sigaction(SIGCHLD, &old_action_, nullptr);
}

void ProcessPool::start(std::size_t id, const ProcessSpec& spec) {
  std::vector<char*> argv;
  for (const std::string& a : spec.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error(std::string("cannot start a process: fork: ") + std::strerror(errno));
  if (pid == 0) {
    // The child: die with the sweep, default signal state, output to the files, then exec.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);  // the sweep died before prctl took effect
    ::signal(SIGCHLD, SIG_DFL);
    ::pthread_sigmask(SIG_SETMASK, &old_mask_, nullptr);
    const int out = ::open(spec.stdout_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    const int err = ::open(spec.stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (err < 0 || ::dup2(err, 2) < 0) child_fail("cannot open ", spec.stderr_path.c_str());
    if (out < 0 || ::dup2(out, 1) < 0) child_fail("cannot open ", spec.stdout_path.c_str());
    const int in = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (in >= 0) ::dup2(in, 0);
    ::execv(argv[0], argv.data());
    child_fail("cannot run ", argv[0]);
  }
  children_.push_back({pid, id, Clock::now(), false});
}

std::vector<std::pair<std::size_t, ProcessOutcome>> ProcessPool::reap() {
  std::vector<std::pair<std::size_t, ProcessOutcome>> done;
  for (auto it = children_.begin(); it != children_.end();) {
    int status = 0;
    const pid_t r = ::waitpid(it->pid, &status, WNOHANG);
    if (r == 0 || (r < 0 && errno == EINTR)) {
      ++it;
      continue;
    }
    ProcessOutcome o;
    o.wall_s = seconds_since(it->start);
    o.timed_out = it->timed_out;
    if (r > 0 && WIFEXITED(status)) {
      o.exited = true;
      o.exit_code = WEXITSTATUS(status);
    } else if (r > 0 && WIFSIGNALED(status)) {
      o.signal = WTERMSIG(status);
    } else {
      o.signal = SIGKILL;  // waitpid failed (ECHILD): the process is gone
    }
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

}  // namespace arraysim::app
