#include "sim/stats/gnuplot.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <sstream>
#include <stdexcept>

#include "sim/util/process.hpp"
#include "sim/util/read_file.hpp"
#include "sim/util/write_atomically.hpp"

namespace arraysim::stats {
namespace fs = std::filesystem;

namespace {
/// `content` into the file `p` of the plot's private directory.
void write_text(const fs::path& p, const std::string& content) {
  util::write_atomically(p.string(), content, util::Durability::rename_only);
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
  if (!::mkdtemp(tmpl.data()))
    throw std::runtime_error(std::string("cannot create a temporary directory: ") + std::strerror(errno));
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

  util::ProcessSpec gp;
  gp.argv = {exe, "plot.gp"};
  gp.working_dir = work.string();
  gp.stderr_path = (work / "gnuplot.err").string();
  const util::ProcessExit end = util::wait_process(util::start_process(gp));
  std::string err;
  try {
    err = util::read_file(gp.stderr_path);
  } catch (const util::FileReadError&) {
  }
  std::error_code ec;
  const auto written = [&](const char* name) { return fs::file_size(work / name, ec) > 0 && !ec; };
  const bool ok = end.exited && end.exit_code == 0 && written("plot.svg") && written("plot.png");
  if (!ok) throw std::runtime_error("gnuplot failed on plot '" + plot.name + "': " + (err.empty() ? "no output" : err));
  fs::create_directories(dir, ec);
  if (ec) throw std::runtime_error("cannot create output directory '" + dir + "': " + ec.message());
  for (const char* ext : {".svg", ".png"}) {
    const std::string drawn = util::read_file((work / (std::string("plot") + ext)).string());
    util::write_atomically((fs::path(dir) / (plot.name + ext)).string(), drawn, util::Durability::rename_only);
  }
}

}  // namespace arraysim::stats
