#include "sim/util/process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>
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

std::string run_forked(const std::function<std::string()>& work) {
  int fds[2];
  if (::pipe(fds) != 0) throw std::runtime_error(std::string("cannot start a process: pipe: ") + std::strerror(errno));
  std::cout.flush(), std::cerr.flush();
  const pid_t pid = ::fork();
  if (pid < 0) {
    const int err = errno;
    ::close(fds[0]), ::close(fds[1]);
    throw std::runtime_error(std::string("cannot start a process: fork: ") + std::strerror(err));
  }
  if (pid == 0) {
    ::close(fds[0]);
    // The first byte says whether the rest is the result (0) or an error text (1).
    std::string out;
    try {
      out = std::string(1, '\0') + work();
    } catch (const std::exception& e) {
      out = std::string(1, '\1') + e.what();
    }
    for (std::size_t done = 0; done < out.size();) {
      const ssize_t n = ::write(fds[1], out.data() + done, out.size() - done);
      if (n <= 0 && errno != EINTR) ::_exit(3);
      if (n > 0) done += static_cast<std::size_t>(n);
    }
    ::_exit(0);  // no destructors, no atexit handlers: they belong to the parent
  }
  ::close(fds[1]);
  std::string text;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(fds[0], buf, sizeof buf);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      break;
    }
    text.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fds[0]);
  const ProcessExit e = wait_process(pid);
  if (!e.exited) throw std::runtime_error("a child process ended by signal " + std::to_string(e.signal));
  if (text.empty() || e.exit_code != 0)
    throw std::runtime_error("a child process exited with " + std::to_string(e.exit_code) + " and no result");
  if (text[0] != '\0') throw std::runtime_error(text.substr(1));
  return text.substr(1);
}

}  // namespace arraysim::util
