#pragma once
/// Reading a whole file into memory: experiments, sweep specs, imported models and tables, ONNX
/// protobufs, a finished run's outputs. One place knows how a read fails and how that is said.
#include <cstddef>
#include <limits>
#include <stdexcept>
#include <string>

namespace arraysim::util {

/// A file that could not be read. what() is "PATH: REASON", or "PATH: cannot open: REASON" when
/// the file could not be opened; callers that place the file name in their own message use
/// path() and reason().
class FileReadError : public std::runtime_error {
 public:
  /// Why the read failed.
  enum class Problem { is_directory, cannot_open, read_error, too_large };
  FileReadError(std::string path, Problem problem, std::string reason);
  /// The path as given to read_file.
  const std::string& path() const { return path_; }
  Problem problem() const { return problem_; }
  /// "is a directory, not a file"; the system's reason an open failed ("No such file or
  /// directory"); "read error"; "larger than N MiB".
  const std::string& reason() const { return reason_; }

 private:
  std::string path_;
  Problem problem_;
  std::string reason_;
};

/// No limit on the size of the file read_file reads.
inline constexpr std::size_t kNoSizeLimit = std::numeric_limits<std::size_t>::max();

/// The bytes of the file at `path`, unchanged (text or binary). Throws FileReadError when `path`
/// is a directory, cannot be opened or read, or holds more than `max_bytes` bytes (the reason
/// then names the limit in MiB, rounded down).
std::string read_file(const std::string& path, std::size_t max_bytes = kNoSizeLimit);

}  // namespace arraysim::util
