#pragma once
/// Plots of sweep results (`arraysim sweep plot`, docs/sweeps.md "Pareto front and plots"):
/// any metric or axis against any other, optionally one series per value of a third column, and
/// the Pareto front. Read from DIR/results.csv and DIR/sweep.json; written to DIR/plots/NAME.svg
/// and NAME.png through gnuplot (stats::render_plot).
#include <string>
#include <vector>

namespace arraysim::sweep {

/// One plot: `y` against `x`, one series per value of `by` (empty: one series). Each is a
/// results.csv column: an axis or a metric.
struct SweepPlotRequest {
  std::string x, y, by;
};

/// Renders one plot per request; with no request, the Pareto front (when the sweep has
/// objectives) and every metric against every axis. Returns the files written. Throws
/// SweepInputError for an unknown column or a column without numbers, std::runtime_error when
/// gnuplot fails.
std::vector<std::string> plot_sweep(const std::string& dir, const std::vector<SweepPlotRequest>& requests);

/// The Pareto front of a sweep with two or more objectives: one plot per pair of objectives
/// (`pareto` for two objectives, `pareto_A_vs_B` for more), every ok point in grey and the points
/// of the front (over all objectives) in red. Returns the files written.
std::vector<std::string> plot_pareto(const std::string& dir);

}  // namespace arraysim::sweep
