#include "sim/util/write_atomically.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <stdexcept>

#include "sim/util/read_file.hpp"

namespace arraysim::util {
namespace fs = std::filesystem;

namespace {
/// What marks a temporary file of write_atomically: `.NAME` + this + six random characters.
constexpr const char* kTemporaryInfix = ".tmp-";
/// Symbolic links followed before giving up (Linux's own limit for one path lookup).
constexpr int kMaxLinks = 40;

std::function<int(const std::string&)>& write_fault() {
  static std::function<int(const std::string&)> hook;
  return hook;
}

[[noreturn]] void refuse(const std::string& path, const std::string& why) {
  throw std::runtime_error("cannot write '" + path + "': " + why);
}
}  // namespace

std::string output_target(const std::string& path) {
  std::string p = path;
  for (int links = 0;; ++links) {
    struct stat st {};
    if (::lstat(p.c_str(), &st) != 0) break;  // a new path (or one the write will fail on, saying why)
    if (S_ISLNK(st.st_mode)) {
      if (links == kMaxLinks) refuse(path, "too many levels of symbolic links");
      std::error_code ec;
      const fs::path to = fs::read_symlink(p, ec);
      if (ec) refuse(path, ec.message());
      p = (to.is_absolute() ? to : fs::path(p).parent_path() / to).string();
      continue;
    }
    const std::string why = file_type_problem(st.st_mode);
    if (!why.empty()) {
      // "is a directory, not a file" -> "it is a directory, not a regular file; ..."
      const std::string kind = why.substr(3, why.find(',') - 3);
      refuse(path, "it is " + kind + ", not a regular file; outputs go to regular files or new paths");
    }
    if (const auto input = run_input_at(p))
      refuse(path, "it is an input of this run ('" + *input + "'); choose another output path");
    break;
  }
  return p;
}

void write_atomically(const std::string& path, const std::string& text, Durability durability) {
  const std::string target_path = output_target(path);
  const fs::path target(target_path);
  const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  std::string tmpl = (dir / ("." + target.filename().string() + kTemporaryInfix + "XXXXXX")).string();
  const int fd = ::mkstemp(tmpl.data());
  if (fd < 0) refuse(path, std::strerror(errno));
  const auto fail = [&](const std::string& why) {
    ::unlink(tmpl.c_str());
    refuse(path, why);
  };
  const auto fail_closing = [&](int err) {
    ::close(fd);
    fail(std::strerror(err));
  };
  if (write_fault())
    if (const int err = write_fault()(target_path)) fail_closing(err);
  for (std::size_t done = 0; done < text.size();) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail_closing(errno);
    done += static_cast<std::size_t>(n);
  }
  // mkstemp creates the file 0600: a replaced file keeps its mode, a new one gets the mode an
  // ordinary new file gets.
  struct stat old {};
  if (::stat(target_path.c_str(), &old) == 0) {
    ::fchmod(fd, old.st_mode & 07777);
  } else {
    const mode_t mask = ::umask(0);
    ::umask(mask);
    ::fchmod(fd, 0666 & ~mask);
  }
  if (durability == Durability::fsync && ::fsync(fd) != 0) fail_closing(errno);
  if (::close(fd) != 0) fail(std::strerror(errno));
  if (std::rename(tmpl.c_str(), target_path.c_str()) != 0) fail(std::strerror(errno));
}

void remove_stale_temporaries(const std::string& dir) {
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.size() > 1 && name[0] == '.' && name.find(kTemporaryInfix) != std::string::npos)
      fs::remove(it->path(), ec);
  }
}

void set_write_fault(std::function<int(const std::string& target)> hook) { write_fault() = std::move(hook); }

}  // namespace arraysim::util
