#pragma once
/// The plots of a run directory (docs/outputs.md), drawn by gnuplot through render_plot:
/// roofline, per-layer cycle breakdown and, when the simulator recorded a timeline, PE-array
/// utilization over time.
#include <optional>
#include <string>
#include <vector>

#include "sim/stats/gnuplot.hpp"
#include "sim/stats/report.hpp"

namespace arraysim::stats {

/// A layer's place on the roofline.
struct RooflinePoint {
  std::string layer;
  double intensity_macs_per_byte = 0;  ///< x
  double attained_macs_per_cycle = 0;  ///< y: macs / total_cycles
  bool compulsory = false;             ///< x from compulsory traffic (the layer counted no DRAM bytes)
  std::int64_t cycles = 0;             ///< the layer's total_cycles (which layers get labels)
};

/// One point per layer with cycles and MACs: x is the measured operational intensity (MACs per
/// DRAM byte read or written) or, when the layer moved no DRAM bytes (ideal memory), its
/// compulsory intensity (macs / compulsory_dram_bytes). Layers with neither are left out.
std::vector<RooflinePoint> roofline_points(const RunResult& r);

/// Options of the run plots.
struct PlotOptions {
  /// The roofline labels at most this many layers, those with the most cycles; the others are
  /// smaller unlabelled dots. 0: none labelled.
  int roofline_labels = 10;
};

/// roofline.{svg,png}: log-log; compute roof at pe_count MACs per cycle, bandwidth slope
/// dram_bytes_per_cycle × intensity (absent with ideal DRAM); every layer a point (filled circle:
/// measured traffic, open circle: compulsory traffic). The `opt.roofline_labels` layers with the
/// most cycles are labelled, once per distinct position ("NAME +N more"); the rest are small dots.
Plot roofline_plot(const RunResult& r, const PlotOptions& opt = {});

/// cycle_breakdown.{svg,png}: per layer a stacked bar of compute cycles and stall cycles by
/// cause. Empty when no layer has cycles.
std::optional<Plot> cycle_breakdown_plot(const RunResult& r);

/// utilization.{svg,png}: PE-array utilization over time (utilization_over_time, 200 buckets) with
/// the layer boundaries. Empty unless the simulator recorded a timeline with pe_array spans.
std::optional<Plot> utilization_plot(const RunResult& r);

/// Every file name write_plots may write into a run directory (NAME.svg and NAME.png of each
/// plot above), for removing the plots of an earlier run.
const std::vector<std::string>& plot_file_names();

/// What write_plots did.
struct PlotOutcome {
  std::vector<std::string> written;  ///< file names written into the directory
  std::string warning;               ///< one line when some plot was not written (e.g. no gnuplot)
};

/// Renders every plot of `r` into `dir`. Never throws for a plotting problem: a missing or failing
/// gnuplot becomes PlotOutcome::warning and the other plots are still attempted.
PlotOutcome write_plots(const std::string& dir, const RunResult& r, const PlotOptions& opt = {});

}  // namespace arraysim::stats
