#pragma once
/// Plots through gnuplot (Debian's gnuplot-nox), written as SVG and PNG side by side. Every plot
/// of arraysim (run reports, sweeps) goes through render_plot, so one place knows the terminals.
#include <string>
#include <utility>
#include <vector>

namespace arraysim::stats {

/// A plot: gnuplot commands without `set terminal`/`set output`, and the data files they read,
/// named relative to the working directory gnuplot runs in (e.g. `plot "points.dat" using 1:2`).
struct Plot {
  std::string name;    ///< output base name: NAME.svg and NAME.png
  std::string script;  ///< gnuplot commands, ending with one `plot`/`splot` command
  std::vector<std::pair<std::string, std::string>> data_files;  ///< (file name, content)
  int width_px = 900, height_px = 560;
};

/// The gnuplot executable found on PATH, or empty when there is none.
std::string gnuplot_path();

/// Runs gnuplot on `plot` in a private temporary directory and moves DIR/NAME.svg and DIR/NAME.png
/// into `dir` (created if needed) only when both were written: a failed plot leaves no file behind.
/// Throws std::runtime_error with gnuplot's own error output when gnuplot is missing or fails.
void render_plot(const std::string& dir, const Plot& plot);

/// `text` quoted for a gnuplot string literal (double quotes, backslashes and quotes escaped).
std::string gnuplot_quote(const std::string& text);

}  // namespace arraysim::stats
