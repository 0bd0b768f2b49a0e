#include "sim/util/read_file.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace arraysim::util {

FileReadError::FileReadError(std::string path, Problem problem, std::string reason)
    : std::runtime_error(path + ": " + (problem == Problem::cannot_open ? "cannot open: " : "") + reason),
      path_(std::move(path)),
      problem_(problem),
      reason_(std::move(reason)) {}

std::string read_file(const std::string& path, std::size_t max_bytes) {
  using Problem = FileReadError::Problem;
  std::error_code ec;
  // An ifstream opens a directory without complaint and then reads nothing.
  if (std::filesystem::is_directory(path, ec))
    throw FileReadError(path, Problem::is_directory, "is a directory, not a file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw FileReadError(path, Problem::cannot_open, std::strerror(errno));
  std::string bytes;
  char buf[65536];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    bytes.append(buf, static_cast<std::size_t>(in.gcount()));
    if (bytes.size() > max_bytes)
      throw FileReadError(path, Problem::too_large, "larger than " + std::to_string(max_bytes >> 20) + " MiB");
  }
  if (in.bad()) throw FileReadError(path, Problem::read_error, "read error");
  return bytes;
}

}  // namespace arraysim::util
