#pragma once
/// Axis ticks for gnuplot in engineering notation (`1.05M` rather than gnuplot's `1.04858×10⁶`):
/// the tick positions and their labels are computed here and given to gnuplot as an explicit
/// tick list, with the axis range that holds them.
#include <string>
#include <vector>

namespace arraysim::stats {

/// `v` with 3 significant digits and an SI suffix for |v| ≥ 1000: 950, 1.05k, 1.05M, 2G, 3.5T;
/// below 1000 the shortest of up to 3 significant digits (0.25, 12.5, 0.000123); 0 is `0`.
std::string eng_number(double v);

/// Tick positions over [lo, hi]: linear: the multiples of a step of 1, 2 or 5 × 10^k that give
/// 4 to 10 ticks; logarithmic: the powers of `base` in the range (every other one, or sparser,
/// when there would be more than 10), never fewer than 2 positions.
std::vector<double> tick_positions(double lo, double hi, bool log, int base);

/// `set AXIStics (...)` at tick_positions(lo, hi, log, base) labelled by eng_number, for an axis
/// whose range is set elsewhere.
std::string eng_tics(const std::string& axis, double lo, double hi, bool log, int base = 10);

/// gnuplot commands for one axis ("x", "y", "cb"): `set logscale AXIS BASE` when `log`, the range
/// [lo, hi] widened by a margin (5% of the span; a factor of 1.3 on a log axis), and `set AXIStics
/// (...)` at tick_positions labelled by eng_number. `lo` ≤ `hi`; a log axis needs lo > 0.
std::string eng_axis(const std::string& axis, double lo, double hi, bool log, int base = 10);

}  // namespace arraysim::stats
