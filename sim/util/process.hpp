#pragma once
/// Child processes (POSIX fork and exec): gnuplot for every plot, and one `arraysim run` per
/// sweep point. The child starts from a clean state: stdin from /dev/null, stdout and stderr into
/// files, no blocked signals, SIGCHLD at its default.
///
/// run_isolated runs a function of this program in a forked child (no exec) under resource
/// limits: for library code that may crash, hang or allocate without bound on hostile input
/// (libonnx's shape inference).
#include <sys/types.h>

#include <cstdint>
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

/// Reaps the child `pid` if it has ended; nullopt while it runs. A pid that is not a child of
/// this process counts as killed by SIGKILL.
std::optional<ProcessExit> poll_process(pid_t pid);

/// The bounds of a run_isolated child. Zero leaves a bound out.
struct IsolationLimits {
  /// Address space the child may map beyond what it inherits (RLIMIT_AS, set to the parent's
  /// size plus this; a sanitizer's reserved shadow is inherited, so the bound works under it too).
  std::uint64_t memory_bytes = 0;
  std::uint64_t cpu_time_s = 0;      ///< RLIMIT_CPU: SIGXCPU past it
  std::uint64_t wall_time_s = 0;     ///< the parent kills the child (SIGKILL) past it
  std::size_t max_result_bytes = 0;  ///< a longer result kills the child
};

/// How a run_isolated child ended.
struct IsolatedResult {
  enum class Status {
    returned,  ///< `text` is the function's result
    threw,     ///< the function threw a std::exception; `text` is its what() (at most 4096 bytes)
    failed,    ///< `text` says why: "crashed with SIGSEGV", "took more than 5 s", ...
  };
  Status status = Status::failed;
  std::string text;
};

/// Runs `work` in a forked child and returns what it returned, through a pipe. The child has
/// stdin, stdout and stderr on /dev/null, every signal at its default action (so a crash is the
/// child's death, not a handler of the parent's), no core dump, the bounds of `limits`, and ends
/// with _exit (no atexit handler, no flush of the parent's stdio buffers); it dies with the
/// parent. The child is always reaped, the pipe always closed. A child that runs out of memory
/// (std::bad_alloc) fails with "ran out of memory (more than N MiB)". Throws std::runtime_error
/// "cannot start a process: fork: REASON" (or pipe) when the child cannot be started.
IsolatedResult run_isolated(const std::function<std::string()>& work, const IsolationLimits& limits);

/// run_isolated without bounds, for work of arraysim's own that must run in another process (the
/// child can elaborate a SystemC design the parent must not: the mapper's confirmation runs).
/// Returns what `work` returned; throws std::runtime_error with its error text when it threw, or
/// saying how the child ended otherwise.
std::string run_forked(const std::function<std::string()>& work);

}  // namespace arraysim::util
