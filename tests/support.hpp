#pragma once
/// Helpers shared by the tests: source paths, running the CLI, temporary directories.
#include <cstddef>
#include <string>

namespace arraysim::test {

/// Absolute path of a file in the source tree, e.g. src_path("tests/data/bad_configs/x.yaml").
std::string src_path(const std::string& rel);

/// The whole content of a file ("" when it cannot be read).
std::string read_text(const std::string& path);

/// Writes `text` to `path` as it is (created or truncated); returns `path`.
std::string write_text(const std::string& path, const std::string& text);

/// Result of running the arraysim binary.
struct CliResult {
  int exit_code = -1;
  std::string out;  ///< stdout
  std::string err;  ///< stderr
};
/// Runs `arraysim ARGS` (args are passed through /bin/sh; quote as needed).
CliResult run_cli(const std::string& args);

/// Runs a /bin/sh command line, its output redirected like run_cli's (so in `a && b` only b's
/// stdout and stderr are captured).
CliResult run_shell(const std::string& command);

/// Point elements of gnuplot's svg terminal: one `<use xlink:href='#gpPtN' transform=...>` each
/// (a plot's points; key entries of point styles add one each too).
std::size_t svg_points(const std::string& svg);

/// A fresh empty directory under the build tree, removed at destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace arraysim::test
