#pragma once
/// Child processes (POSIX fork and exec): gnuplot for every plot, and one `arraysim run` per
/// sweep point. The child starts from a clean state: stdin from /dev/null, stdout and stderr into
/// files, no blocked signals, SIGCHLD at its default.
#include <sys/types.h>

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace arraysim::util {

/// A program to start as a child process.
struct ProcessSpec {
  std::vector<std::string> argv;  ///< argv[0]: the executable's path (PATH is not searched)
  std::string working_dir;        ///< directory the child runs in; empty: the caller's
  std::string stdout_path;        ///< created or truncated for the child's stdout; empty: /dev/null
  std::string stderr_path;        ///< created or truncated for the child's stderr; empty: /dev/null
  /// The child gets SIGKILL when the calling process ends, however it ends (Linux
  /// PR_SET_PDEATHSIG), so no child outlives a killed parent.
  bool die_with_parent = false;
};

/// How a child process ended.
struct ProcessExit {
  bool exited = false;  ///< ended by exit(); else by a signal
  int exit_code = 0;    ///< when exited
  int signal = 0;       ///< when ended by a signal
};

/// Starts `spec` and returns the child's pid. The output files are opened relative to the
/// caller's directory, before the child changes to `working_dir`. Throws std::runtime_error
/// "cannot start a process: fork: REASON" when fork fails; a child that cannot open its files,
/// change directory or execute argv[0] writes the reason to its stderr (the file when it could be
/// opened) and exits with 127.
pid_t start_process(const ProcessSpec& spec);

/// Waits until the child `pid` ends and reaps it; retries when a signal interrupts the wait. A
/// pid that is not a child of this process (already reaped) counts as killed by SIGKILL.
ProcessExit wait_process(pid_t pid);

/// Runs `work` in a forked child of this process (no exec: the child has everything the parent
/// had, which is the point: it can elaborate a SystemC design the parent must not) and returns
/// the text it returned. Throws std::runtime_error with the child's error text when `work` threw,
/// or naming the signal or exit code when the child ended otherwise.
std::string run_forked(const std::function<std::string()>& work);

/// Reaps the child `pid` if it has ended; nullopt while it runs. A pid that is not a child of
/// this process counts as killed by SIGKILL.
std::optional<ProcessExit> poll_process(pid_t pid);

}  // namespace arraysim::util
