#include "sim/io/import.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sys/stat.h>
#include <unistd.h>

namespace arraysim::io {
namespace fs = std::filesystem;

ImportError::ImportError(const std::vector<std::string>& lines) : std::runtime_error(join(lines)), lines_(lines) {}

std::string ImportError::join(const std::vector<std::string>& lines) {
  std::string s;
  for (const auto& l : lines) s += (s.empty() ? "" : "\n") + l;
  return s;
}

std::optional<Origin> OriginMap::find(const std::string& key_path) const {
  std::string p = key_path;
  for (;;) {
    const auto it = map_.find(p);
    if (it != map_.end()) return it->second;
    if (p.empty()) return std::nullopt;
    const auto dot = p.rfind('.');
    p = dot == std::string::npos ? std::string() : p.substr(0, dot);
  }
}

config::Experiment load_generated(const GeneratedExperiment& g, const std::vector<std::string>& overrides) {
  try {
    return config::load_experiment_text(g.yaml, g.display_name, g.base_dir, overrides);
  } catch (const config::ConfigError& e) {
    std::vector<config::ConfigIssue> issues;
    std::vector<std::string> lines;
    bool located = true;  // every issue has a line and column
    for (config::ConfigIssue issue : e.issues()) {
      if (issue.loc.file == g.display_name) {
        // Key paths in messages are escaped (\x20 for a space); the generated ones never need it.
        const std::string path = issue.key_path == "(top-level)" ? "" : issue.key_path;
        if (const auto o = g.origins.find(path)) {
          if (!o->element.empty()) {
            located = false;
            lines.push_back(o->loc.file + ": " + o->element + ": " + issue.key_path + ": " + issue.message);
            continue;
          }
          issue.loc = o->loc;
        }
      }
      lines.push_back(issue.str());
      issues.push_back(std::move(issue));
    }
    if (!located) throw ImportError(lines);
    throw config::ConfigError(std::move(issues));
  }
}

void write_file_atomically(const std::string& path, const std::string& text) {
  const fs::path target(path);
  const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  std::string tmpl = (dir / ("." + target.filename().string() + ".tmp-XXXXXX")).string();
  const int fd = mkstemp(tmpl.data());
  if (fd < 0) throw std::runtime_error("cannot write '" + path + "': " + std::strerror(errno));
  const auto fail = [&](const std::string& why) {
    std::error_code ec;
    fs::remove(tmpl, ec);
    throw std::runtime_error("cannot write '" + path + "': " + why);
  };
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      const std::string why = std::strerror(errno);
      ::close(fd);
      fail(why);
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) fail(std::strerror(errno));
  // mkstemp creates the file 0600; give it the permissions an ordinary new file would get.
  const mode_t mask = ::umask(0);
  ::umask(mask);
  std::error_code ec;
  fs::permissions(tmpl, static_cast<fs::perms>(0666 & ~mask), ec);
  if (std::rename(tmpl.c_str(), path.c_str()) != 0) fail(std::strerror(errno));
}

std::string read_input_file(const std::string& path, const std::string& what, std::size_t max_bytes) {
  const auto fail = [&](const std::string& why) {
    config::Diagnostics d;
    d.add({path, 1, 1}, "(file)", "cannot read " + what + ": " + why);
    d.throw_if_any();
  };
  std::error_code ec;
  if (fs::is_directory(path, ec)) fail("is a directory, not a file");
  std::ifstream in(path, std::ios::binary);
  if (!in) fail(std::strerror(errno));
  std::string text;
  char buf[65536];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    text.append(buf, static_cast<std::size_t>(in.gcount()));
    if (text.size() > max_bytes) fail("larger than " + std::to_string(max_bytes >> 20) + " MiB");
  }
  if (in.bad()) fail("read error");
  return text;
}

}  // namespace arraysim::io
