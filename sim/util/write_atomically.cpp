#include "sim/util/write_atomically.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <stdexcept>

namespace arraysim::util {
namespace fs = std::filesystem;

namespace {
/// What marks a temporary file of write_atomically: `.NAME` + this + six random characters.
constexpr const char* kTemporaryInfix = ".tmp-";
}  // namespace

void write_atomically(const std::string& path, const std::string& text, Durability durability) {
  const fs::path target(path);
  const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  std::string tmpl = (dir / ("." + target.filename().string() + kTemporaryInfix + "XXXXXX")).string();
  const int fd = ::mkstemp(tmpl.data());
  if (fd < 0) throw std::runtime_error("cannot write '" + path + "': " + std::strerror(errno));
  const auto fail = [&](const std::string& why) {
    ::unlink(tmpl.c_str());
    throw std::runtime_error("cannot write '" + path + "': " + why);
  };
  for (std::size_t done = 0; done < text.size();) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const std::string why = std::strerror(errno);
      ::close(fd);
      fail(why);
    }
    done += static_cast<std::size_t>(n);
  }
  // mkstemp creates the file 0600; give it the mode an ordinary new file gets.
  const mode_t mask = ::umask(0);
  ::umask(mask);
  ::fchmod(fd, 0666 & ~mask);
  if (durability == Durability::fsync && ::fsync(fd) != 0) {
    const std::string why = std::strerror(errno);
    ::close(fd);
    fail(why);
  }
  if (::close(fd) != 0) fail(std::strerror(errno));
  if (std::rename(tmpl.c_str(), path.c_str()) != 0) fail(std::strerror(errno));
}

void remove_stale_temporaries(const std::string& dir) {
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.size() > 1 && name[0] == '.' && name.find(kTemporaryInfix) != std::string::npos)
      fs::remove(it->path(), ec);
  }
}

}  // namespace arraysim::util
