#pragma once
/// Plots of sweep results (`arraysim sweep plot`, docs/sweeps.md "Pareto front and plots"):
/// any metric or axis against any other, optionally one series per value of a third column, and
/// the Pareto front. Read from DIR/results.csv and DIR/sweep.json; written to DIR/plots/NAME.svg
/// and NAME.png through gnuplot (stats::render_plot).
#include <string>
#include <vector>

namespace arraysim::sweep {

/// One plot: `y` against `x`, one series per value of `by` (empty: one series), each with its own
/// colour and marker. Each is a results.csv column: an axis (by its name or its key path) or a
/// metric. With `z`: a heatmap of the metric `z` over the axes `x` and `y`, one cell per pair of
/// their values, each cell labelled with its value.
struct SweepPlotRequest {
  std::string x, y, by;
  std::string z;
};

/// Which points a plot shows: only the ok points whose column equals the value, for every
/// `COLUMN=VALUE` (an axis by name or key, or a metric; numbers compare as numbers).
using SweepWhere = std::vector<std::string>;

/// Renders one plot per request; with no request, the Pareto front (when the sweep has
/// objectives; its points coloured by `pareto_by` when given) and every metric against every
/// axis. Returns the files written. Throws SweepInputError for an unknown column, a column
/// without numbers, a malformed `where`, or a heatmap cell that several points fall into (pin the
/// other axes with `where`); std::runtime_error when gnuplot fails.
std::vector<std::string> plot_sweep(const std::string& dir, const std::vector<SweepPlotRequest>& requests,
                                    const SweepWhere& where = {}, const std::string& pareto_by = "");

/// The Pareto front of a sweep with two or more objectives: one plot per pair of objectives
/// (`pareto` for two objectives, `pareto_A_vs_B` for more), every ok point in grey (or coloured
/// and marked by the value of the axis `by`) and the points of the front (over all objectives) in
/// red, each labelled with its axis values. Returns the files written.
std::vector<std::string> plot_pareto(const std::string& dir, const std::string& by = "", const SweepWhere& where = {});

}  // namespace arraysim::sweep
