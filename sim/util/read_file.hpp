#pragma once
/// Reading a whole file into memory: experiments, sweep specs, imported models and tables, ONNX
/// protobufs, a finished run's outputs. One place knows how a read fails and how that is said.
/// Only regular files are read: a named pipe, a device or a socket is refused before it is
/// opened for reading, so no input can block forever or stream without end.
#include <cstddef>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>

namespace arraysim::util {

/// A file that could not be read. what() is "PATH: REASON", or "PATH: cannot open: REASON" when
/// the file could not be opened; callers that place the file name in their own message use
/// path() and reason().
class FileReadError : public std::runtime_error {
 public:
  /// Why the read failed.
  enum class Problem { is_directory, not_regular, cannot_open, read_error, too_large };
  FileReadError(std::string path, Problem problem, std::string reason);
  /// The path as given to read_file.
  const std::string& path() const { return path_; }
  Problem problem() const { return problem_; }
  /// "is a directory, not a file"; "is a named pipe (FIFO), not a regular file" (and likewise a
  /// character device, a block device, a socket); the system's reason an open failed ("No such
  /// file or directory"); "read error"; "larger than N MiB" (N rounded down; "N bytes" below 1 MiB).
  const std::string& reason() const { return reason_; }

 private:
  std::string path_;
  Problem problem_;
  std::string reason_;
};

/// No limit on the size of the file read_file reads.
inline constexpr std::size_t kNoSizeLimit = std::numeric_limits<std::size_t>::max();

/// The bytes of the regular file at `path` (symbolic links followed), unchanged (text or binary).
/// Throws FileReadError when `path` is a directory, not a regular file, cannot be opened or read,
/// or holds more than `max_bytes` bytes (checked from its size before reading, and again while
/// reading a file that grows).
std::string read_file(const std::string& path, std::size_t max_bytes = kNoSizeLimit);

/// read_file, and remembers the file (by device and inode, so under any name) as an input of this
/// process's run: write_atomically refuses to replace it, so no output of a run overwrites the
/// experiment, model or table it was made from.
std::string read_input(const std::string& path, std::size_t max_bytes);

/// The path (as given to read_input) of the input of this run that `path` names, when it names
/// one (the same file, under any name); nullopt otherwise.
std::optional<std::string> run_input_at(const std::string& path);

/// "is a named pipe (FIFO), not a regular file", "is a directory, not a file", ... for the file
/// type bits of a stat(2) st_mode that is not a regular file; "" for a regular file.
std::string file_type_problem(unsigned st_mode);

}  // namespace arraysim::util
