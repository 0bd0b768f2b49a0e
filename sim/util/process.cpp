#include "sim/util/process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstring>
#include <fstream>
#include <new>
#include <stdexcept>
#include <thread>

#if defined(__SANITIZE_ADDRESS__)
#define ARRAYSIM_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define ARRAYSIM_ASAN 1
#endif
#endif
#ifdef ARRAYSIM_ASAN
#include <sanitizer/common_interface_defs.h>
#endif

namespace arraysim::util {
namespace {

/// Writes "WHAT PATH: REASON" to fd 2 without allocating and exits 127 (between fork and exec).
[[noreturn]] void child_fail(const char* what, const char* path) {
  const char* why = std::strerror(errno);
  for (const char* s : {what, path, ": ", why, "\n"}) {
    const ssize_t ignored = ::write(2, s, std::strlen(s));
    (void)ignored;
  }
  ::_exit(127);
}

/// `path` opened for writing (created or truncated) onto descriptor `fd`; /dev/null when empty.
void redirect_output(const std::string& path, int fd) {
  const char* p = path.empty() ? "/dev/null" : path.c_str();
  const int f = ::open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (f < 0 || ::dup2(f, fd) < 0) child_fail("cannot open ", p);
}

/// A waitpid result as a ProcessExit; a failed wait (no such child) as SIGKILL.
ProcessExit exit_of(pid_t r, int status) {
  ProcessExit e;
  if (r > 0 && WIFEXITED(status)) {
    e.exited = true;
    e.exit_code = WEXITSTATUS(status);
  } else if (r > 0 && WIFSIGNALED(status)) {
    e.signal = WTERMSIG(status);
  } else {
    e.signal = SIGKILL;  // waitpid failed (ECHILD): the process is gone
  }
  return e;
}

/// run_isolated's child: exit codes besides 0, and the first byte of its result.
constexpr int kExitOutOfMemory = 3;
constexpr int kExitUnknownException = 4;
constexpr int kExitCannotWrite = 5;
constexpr char kTagReturned = 'R';
constexpr char kTagThrew = 'E';
constexpr std::size_t kMaxWhatBytes = 4096;

/// This process's mapped address space in bytes (/proc/self/statm), 0 when unknown.
std::uint64_t address_space_bytes() {
  std::ifstream f("/proc/self/statm");
  std::uint64_t pages = 0;
  if (!(f >> pages)) return 0;
  return pages * static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
}

/// Lowers a resource limit (never above the hard limit the process has).
void lower_limit(int resource, rlim_t soft, rlim_t hard) {
  rlimit now{};
  if (::getrlimit(resource, &now) != 0) return;
  if (now.rlim_max != RLIM_INFINITY) hard = std::min(hard, now.rlim_max);
  const rlimit l{std::min(soft, hard), hard};
  ::setrlimit(resource, &l);
}

bool write_all(int fd, const char* p, std::size_t n) {
  while (n > 0) {
    const ssize_t w = ::write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    p += w;
    n -= static_cast<std::size_t>(w);
  }
  return true;
}

/// The child of run_isolated: writes a tag and the result (or the exception's message) to `out`.
[[noreturn]] void isolated_child(const std::function<std::string()>& work, const IsolationLimits& limits,
                                 std::uint64_t inherited_bytes, int out, pid_t parent) {
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() != parent) ::_exit(127);  // the parent died before prctl took effect
  // The parent's handlers (a sanitizer's, a fuzzer's) would report the child's crash as the
  // parent's: the child dies of its signals instead, and the parent reports that.
  for (int s = 1; s < NSIG; ++s)
    if (s != SIGKILL && s != SIGSTOP) ::signal(s, SIG_DFL);
  sigset_t none;
  sigemptyset(&none);
  ::pthread_sigmask(SIG_SETMASK, &none, nullptr);
#ifdef ARRAYSIM_ASAN
  __sanitizer_set_death_callback(nullptr);
#endif
  // Library code may print; the parent's output stays the parent's. Other descriptors are closed
  // so that the child holds no pipe of the parent's open. (The pipe is 0, 1 or 2 when the parent
  // runs with those closed: it moves first.)
  if (out < 3 && (out = ::fcntl(out, F_DUPFD_CLOEXEC, 3)) < 0) ::_exit(kExitCannotWrite);
  const int null = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  for (int fd = 0; fd < 3 && null >= 0; ++fd) ::dup2(null, fd);
  if (out > 3) ::close_range(3, static_cast<unsigned>(out) - 1, 0);
  ::close_range(static_cast<unsigned>(out) + 1, ~0U, 0);

  lower_limit(RLIMIT_CORE, 0, 0);
  if (limits.cpu_time_s > 0) lower_limit(RLIMIT_CPU, limits.cpu_time_s, limits.cpu_time_s + 1);
  if (limits.memory_bytes > 0 && inherited_bytes > 0)
    lower_limit(RLIMIT_AS, inherited_bytes + limits.memory_bytes, inherited_bytes + limits.memory_bytes);

  char tag = kTagReturned;
  std::string text;
  try {
    try {
      text = work();
    } catch (const std::bad_alloc&) {
      throw;
    } catch (const std::exception& e) {
      tag = kTagThrew;
      text.assign(e.what(), std::min(std::strlen(e.what()), kMaxWhatBytes));
    }
  } catch (const std::bad_alloc&) {
    ::_exit(kExitOutOfMemory);
  } catch (...) {
    ::_exit(kExitUnknownException);
  }
  if (!write_all(out, &tag, 1) || !write_all(out, text.data(), text.size())) ::_exit(kExitCannotWrite);
  ::_exit(0);
}

/// "SIGSEGV", or "signal N" for a signal without a name.
std::string signal_name(int s) {
  const char* abbrev = ::sigabbrev_np(s);
  return abbrev ? std::string("SIG") + abbrev : "signal " + std::to_string(s);
}

/// Reaps `pid`, killing it first if it still runs at `deadline` (a child that closed its end of
/// the pipe but does not end).
ProcessExit reap_by(pid_t pid, std::chrono::steady_clock::time_point deadline) {
  if (deadline == std::chrono::steady_clock::time_point::max()) return wait_process(pid);
  for (;;) {
    if (const std::optional<ProcessExit> e = poll_process(pid)) return *e;
    if (std::chrono::steady_clock::now() >= deadline) {
      ::kill(pid, SIGKILL);
      return wait_process(pid);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

}  // namespace

pid_t start_process(const ProcessSpec& spec) {
  // Everything the child needs is prepared here: it must not allocate between fork and exec.
  std::vector<char*> argv;
  for (const std::string& a : spec.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error(std::string("cannot start a process: fork: ") + std::strerror(errno));
  if (pid != 0) return pid;
  // The child.
  if (spec.die_with_parent) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);  // the parent died before prctl took effect
  }
  ::signal(SIGCHLD, SIG_DFL);
  sigset_t none;
  sigemptyset(&none);
  ::pthread_sigmask(SIG_SETMASK, &none, nullptr);
  redirect_output(spec.stderr_path, 2);
  redirect_output(spec.stdout_path, 1);
  const int in = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (in >= 0) ::dup2(in, 0);
  if (!spec.working_dir.empty() && ::chdir(spec.working_dir.c_str()) != 0)
    child_fail("cannot change to directory ", spec.working_dir.c_str());
  ::execv(argv[0], argv.data());
  child_fail("cannot run ", argv[0]);
}

ProcessExit wait_process(pid_t pid) {
  int status = 0;
  pid_t r;
  while ((r = ::waitpid(pid, &status, 0)) < 0 && errno == EINTR) {
  }
  return exit_of(r, status);
}

std::optional<ProcessExit> poll_process(pid_t pid) {
  int status = 0;
  const pid_t r = ::waitpid(pid, &status, WNOHANG);
  if (r == 0 || (r < 0 && errno == EINTR)) return std::nullopt;
  return exit_of(r, status);
}

IsolatedResult run_isolated(const std::function<std::string()>& work, const IsolationLimits& limits) {
  using Clock = std::chrono::steady_clock;
  const std::uint64_t inherited_bytes = limits.memory_bytes > 0 ? address_space_bytes() : 0;
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0)
    throw std::runtime_error(std::string("cannot start a process: pipe: ") + std::strerror(errno));
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) {
    const int err = errno;
    ::close(fds[0]);
    ::close(fds[1]);
    throw std::runtime_error(std::string("cannot start a process: fork: ") + std::strerror(err));
  }
  if (pid == 0) {
    ::close(fds[0]);
    isolated_child(work, limits, inherited_bytes, fds[1], parent);
  }
  ::close(fds[1]);
  // Whatever happens here (an exception included), the pipe is closed and the child reaped.
  struct Child {
    pid_t pid;
    int fd;
    bool reaped = false;
    ~Child() {
      if (fd >= 0) ::close(fd);
      if (!reaped) {
        ::kill(pid, SIGKILL);
        wait_process(pid);
      }
    }
  } child{pid, fds[0]};

  const Clock::time_point start = Clock::now();
  const Clock::time_point deadline =
      limits.wall_time_s > 0 ? start + std::chrono::seconds(limits.wall_time_s) : Clock::time_point::max();
  std::string data;
  std::string stopped;  // why the parent stopped reading before the end
  std::vector<char> buffer(1 << 16);
  for (;;) {
    int timeout_ms = -1;
    if (limits.wall_time_s > 0) {
      const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()).count();
      if (left <= 0) {
        stopped = "took more than " + std::to_string(limits.wall_time_s) + " s";
        break;
      }
      timeout_ms = static_cast<int>(std::min<long long>(left, INT_MAX));
    }
    pollfd p{child.fd, POLLIN, 0};
    const int ready = ::poll(&p, 1, timeout_ms);
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) {
      stopped = std::string("could not be read: poll: ") + std::strerror(errno);
      break;
    }
    if (ready == 0) continue;  // the deadline is checked above
    const ssize_t n = ::read(child.fd, buffer.data(), buffer.size());
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n < 0) {
      stopped = std::string("could not be read: ") + std::strerror(errno);
      break;
    }
    if (n == 0) break;
    // One byte more than the bound: the tag.
    if (limits.max_result_bytes > 0 && data.size() + static_cast<std::size_t>(n) > limits.max_result_bytes + 1) {
      stopped = "gave a result larger than " + std::to_string(limits.max_result_bytes) + " bytes";
      break;
    }
    data.append(buffer.data(), static_cast<std::size_t>(n));
  }
  if (!stopped.empty()) ::kill(pid, SIGKILL);
  ::close(child.fd);
  child.fd = -1;
  // The child closes the pipe when it ends; the deadline (at least a second to end in) bounds one
  // that closed it otherwise.
  const ProcessExit e =
      reap_by(pid, deadline == Clock::time_point::max() ? deadline
                                                        : std::max(deadline, Clock::now() + std::chrono::seconds(1)));
  child.reaped = true;

  IsolatedResult r;
  if (!stopped.empty()) {
    r.text = stopped;
  } else if (!e.exited) {
    r.text = e.signal == SIGXCPU ? "used more than " + std::to_string(limits.cpu_time_s) + " s of CPU time"
                                 : "crashed with " + signal_name(e.signal);
  } else if (e.exit_code == kExitOutOfMemory) {
    r.text = "ran out of memory (more than " + std::to_string(limits.memory_bytes >> 20) + " MiB)";
  } else if (e.exit_code != 0) {
    r.text = "ended with exit code " + std::to_string(e.exit_code);
  } else if (data.empty() || (data[0] != kTagReturned && data[0] != kTagThrew)) {
    r.text = "ended without a result";
  } else {
    r.status = data[0] == kTagReturned ? IsolatedResult::Status::returned : IsolatedResult::Status::threw;
    r.text = data.substr(1);
  }
  return r;
}

std::string run_forked(const std::function<std::string()>& work) {
  const IsolatedResult r = run_isolated(work, IsolationLimits{});
  if (r.status == IsolatedResult::Status::returned) return r.text;
  throw std::runtime_error(r.status == IsolatedResult::Status::threw ? r.text : "a child process " + r.text);
}

}  // namespace arraysim::util
