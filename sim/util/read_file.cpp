#include "sim/util/read_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <map>
#include <mutex>
#include <utility>

namespace arraysim::util {

namespace {

/// The inputs read_input has read in this process: (device, inode) -> the path first given
/// (a sweep loads its base experiment once per point: each file is kept once).
struct InputRegistry {
  std::mutex mutex;
  std::map<std::pair<dev_t, ino_t>, std::string> files;
};
InputRegistry& inputs() {
  static InputRegistry r;
  return r;
}

/// "larger than N MiB" (or "N bytes" for limits below 1 MiB).
std::string limit_text(std::size_t max_bytes) {
  if (max_bytes < (std::size_t{1} << 20)) return "larger than " + std::to_string(max_bytes) + " bytes";
  return "larger than " + std::to_string(max_bytes >> 20) + " MiB";
}

/// Closes a descriptor when it goes out of scope.
struct Fd {
  int fd;
  ~Fd() { ::close(fd); }
};

}  // namespace

FileReadError::FileReadError(std::string path, Problem problem, std::string reason)
    : std::runtime_error(path + ": " + (problem == Problem::cannot_open ? "cannot open: " : "") + reason),
      path_(std::move(path)),
      problem_(problem),
      reason_(std::move(reason)) {}

std::string file_type_problem(unsigned st_mode) {
  const mode_t m = static_cast<mode_t>(st_mode);
  if (S_ISREG(m)) return "";
  if (S_ISDIR(m)) return "is a directory, not a file";
  if (S_ISFIFO(m)) return "is a named pipe (FIFO), not a regular file";
  if (S_ISCHR(m)) return "is a character device, not a regular file";
  if (S_ISBLK(m)) return "is a block device, not a regular file";
  if (S_ISSOCK(m)) return "is a socket, not a regular file";
  return "is not a regular file";
}

std::string read_file(const std::string& path, std::size_t max_bytes) {
  using Problem = FileReadError::Problem;
  const auto check_type = [&](const struct stat& st) {
    const std::string why = file_type_problem(st.st_mode);
    if (!why.empty())
      throw FileReadError(path, S_ISDIR(st.st_mode) ? Problem::is_directory : Problem::not_regular, why);
    if (static_cast<std::uint64_t>(st.st_size) > max_bytes)
      throw FileReadError(path, Problem::too_large, limit_text(max_bytes));
  };
  // The type is checked before opening (opening a FIFO for reading waits for a writer), and again
  // on the open descriptor (the name may have been replaced in between). O_NONBLOCK keeps even
  // that open from waiting; it changes nothing for a regular file.
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) throw FileReadError(path, Problem::cannot_open, std::strerror(errno));
  check_type(st);
  const Fd f{::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC)};
  if (f.fd < 0) throw FileReadError(path, Problem::cannot_open, std::strerror(errno));
  if (::fstat(f.fd, &st) != 0) throw FileReadError(path, Problem::read_error, std::strerror(errno));
  check_type(st);
  std::string bytes;
  bytes.reserve(static_cast<std::size_t>(st.st_size));
  char buf[65536];
  for (;;) {
    const ssize_t n = ::read(f.fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw FileReadError(path, Problem::read_error, "read error: " + std::string(std::strerror(errno)));
    if (n == 0) break;
    bytes.append(buf, static_cast<std::size_t>(n));
    if (bytes.size() > max_bytes) throw FileReadError(path, Problem::too_large, limit_text(max_bytes));
  }
  return bytes;
}

std::string read_input(const std::string& path, std::size_t max_bytes) {
  std::string bytes = read_file(path, max_bytes);
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0) {
    InputRegistry& r = inputs();
    const std::lock_guard<std::mutex> lock(r.mutex);
    r.files.emplace(std::make_pair(st.st_dev, st.st_ino), path);
  }
  return bytes;
}

std::optional<std::string> run_input_at(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  InputRegistry& r = inputs();
  const std::lock_guard<std::mutex> lock(r.mutex);
  const auto it = r.files.find(std::make_pair(st.st_dev, st.st_ino));
  if (it == r.files.end()) return std::nullopt;
  return it->second;
}

}  // namespace arraysim::util
