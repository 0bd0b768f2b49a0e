#include "tests/support.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <sys/wait.h>
#include <unistd.h>

#include "sim/util/read_file.hpp"

namespace arraysim::test {

std::string src_path(const std::string& rel) { return std::string(ARRAYSIM_SOURCE_DIR) + "/" + rel; }

std::string read_text(const std::string& f) {
  try {
    return util::read_file(f);
  } catch (const util::FileReadError&) {
    return "";
  }
}

std::string write_text(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

CliResult run_cli(const std::string& args) { return run_shell(std::string(ARRAYSIM_BINARY) + " " + args); }

CliResult run_shell(const std::string& command) {
  TempDir tmp;
  const std::string out = tmp.path() + "/out", err = tmp.path() + "/err";
  const std::string cmd = command + " >" + out + " 2>" + err;
  const int status = std::system(cmd.c_str());
  CliResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = read_text(out);
  r.err = read_text(err);
  return r;
}

std::size_t svg_points(const std::string& svg) {
  std::size_t n = 0;
  const std::string use = "<use xlink:href='#gpPt";
  for (std::size_t at = svg.find(use); at != std::string::npos; at = svg.find(use, at + 1))
    if (svg.compare(svg.find(' ', at + 5), 12, " transform='") == 0) ++n;
  return n;
}

TempDir::TempDir() {
  std::string tmpl = std::filesystem::temp_directory_path().string() + "/arraysim-test-XXXXXX";
  if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

}  // namespace arraysim::test
