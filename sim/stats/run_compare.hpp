#pragma once
/// Two finished runs side by side (`arraysim compare RUN_A RUN_B`, docs/outputs.md): per layer and
/// in total, cycles, stall cycles, DRAM traffic and energy of A and B, their difference B − A and
/// their ratio B / A; and a plot of the per-layer ratios.
#include <optional>
#include <string>
#include <vector>

#include "sim/stats/gnuplot.hpp"
#include "sim/stats/report.hpp"

namespace arraysim::stats {

/// One compared quantity for one row (a layer or the total): A's and B's values, each empty when
/// that run has no such layer or did not measure it.
struct ComparedValue {
  std::optional<double> a, b;
  /// B − A; empty unless both are known.
  std::optional<double> delta() const;
  /// B / A; empty unless both are known and A is not 0.
  std::optional<double> ratio() const;
};

/// The quantities compared, in report order.
struct ComparedMetric {
  std::string name;                   ///< e.g. "cycles", "DRAM bytes (read + written)"
  bool integer;                       ///< printed without decimals (cycles, bytes); else 3 decimals
  std::vector<ComparedValue> layers;  ///< one per RunComparison::layers entry
  ComparedValue total;
};

/// Two runs aligned layer by layer: a layer of A is matched with B's layer of the same name (the
/// k-th of that name with the k-th); A's layers come first in A's order, then those only B has.
struct RunComparison {
  std::string a_label, b_label;         ///< how the runs are named in the text (their directories)
  std::string a_arch, b_arch;           ///< their architecture names
  std::vector<std::string> layers;      ///< layer names in row order
  std::vector<std::string> only_in;     ///< per row: "" (both), "A" or "B"
  std::vector<ComparedMetric> metrics;  ///< cycles, stall cycles, DRAM bytes, energy (nJ)
};

/// Compares `a` with `b`; the labels name them in the text.
RunComparison compare_runs(const RunResult& a, const RunResult& b, const std::string& a_label,
                           const std::string& b_label);

/// The comparison as aligned text: a header naming A and B, then per metric its name and a table
/// of layers with columns A, B, B−A and B/A, and the total. "-" marks a value that is not known.
std::string comparison_text(const RunComparison& c);

/// compare.{svg,png}: per layer the ratio B / A of each metric (log scale), a line at 1. Empty
/// when no layer has a ratio.
std::optional<Plot> comparison_plot(const RunComparison& c);

}  // namespace arraysim::stats
