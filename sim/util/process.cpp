#include "sim/util/process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

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

}  // namespace arraysim::util
