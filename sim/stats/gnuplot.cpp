#include "sim/stats/gnuplot.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace arraysim::stats {
namespace fs = std::filesystem;

namespace {
void write_text(const fs::path& p, const std::string& content) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << content;
  if (!out.flush()) throw std::runtime_error("cannot write '" + p.string() + "': " + std::strerror(errno));
}

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}
}  // namespace

std::string gnuplot_path() {
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path ? path : "/usr/bin:/bin");
  for (std::string d; std::getline(dirs, d, ':');) {
    const fs::path p = fs::path(d.empty() ? "." : d) / "gnuplot";
    if (::access(p.c_str(), X_OK) == 0) return p.string();
  }
  return {};
}

std::string gnuplot_quote(const std::string& text) {
  std::string q = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') q += '\\';
    q += c;
  }
  return q + "\"";
}

void render_plot(const std::string& dir, const Plot& plot) {
  const std::string exe = gnuplot_path();
  if (exe.empty()) throw std::runtime_error("gnuplot not found on PATH (Debian package gnuplot-nox)");
  std::string tmpl = (fs::temp_directory_path() / "arraysim-plot-XXXXXX").string();
  if (!::mkdtemp(tmpl.data())) throw std::runtime_error(std::string("cannot create a temporary directory: ") + std::strerror(errno));
  const fs::path work(tmpl);
  struct Cleanup {
    fs::path p;
    ~Cleanup() {
      std::error_code ec;
      fs::remove_all(p, ec);
    }
  } cleanup{work};

  for (const auto& [name, content] : plot.data_files) write_text(work / name, content);
  const std::string size = std::to_string(plot.width_px) + "," + std::to_string(plot.height_px);
  std::string script = "set encoding utf8\n";
  script += "set terminal svg size " + size + " dynamic enhanced font 'sans,11' background rgb 'white'\n";
  script += "set output 'plot.svg'\n" + plot.script + "\nset output\n";
  script += "set terminal pngcairo size " + size + " enhanced font 'sans,10' background rgb 'white'\n";
  script += "set output 'plot.png'\nreplot\nset output\n";
  write_text(work / "plot.gp", script);

  // The child would otherwise write out a copy of the caller's unflushed stdio buffers.
  std::fflush(nullptr);
  const pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error(std::string("cannot start gnuplot: ") + std::strerror(errno));
  if (pid == 0) {
    if (::chdir(work.c_str()) != 0) ::_exit(127);
    const std::string err = (work / "gnuplot.err").string();
    if (!std::freopen(err.c_str(), "w", stderr)) ::_exit(127);
    if (!std::freopen("/dev/null", "w", stdout)) ::_exit(127);
    ::execl(exe.c_str(), "gnuplot", "plot.gp", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  const std::string err = read_text(work / "gnuplot.err");
  const bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0 && fs::exists(work / "plot.svg") &&
                  fs::exists(work / "plot.png") && fs::file_size(work / "plot.svg") > 0 &&
                  fs::file_size(work / "plot.png") > 0;
  if (!ok) throw std::runtime_error("gnuplot failed on plot '" + plot.name + "': " + (err.empty() ? "no output" : err));
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw std::runtime_error("cannot create output directory '" + dir + "': " + ec.message());
  for (const char* ext : {".svg", ".png"}) {
    const fs::path final_path = fs::path(dir) / (plot.name + ext);
    const fs::path tmp = fs::path(dir) / ("." + plot.name + ext + ".tmp");
    fs::copy_file(work / (std::string("plot") + ext), tmp, fs::copy_options::overwrite_existing, ec);
    if (!ec) fs::rename(tmp, final_path, ec);
    if (ec) throw std::runtime_error("cannot write '" + final_path.string() + "': " + ec.message());
  }
}

}  // namespace arraysim::stats
