#pragma once
/// SCALE-Sim's three report files, written from a run's stats (docs/import.md, "SCALE-Sim's
/// reports"): COMPUTE_REPORT.csv, BANDWIDTH_REPORT.csv and DETAILED_ACCESS_REPORT.csv with
/// SCALE-Sim v2's column names, column order and meanings, one row per layer that ran.
#include <string>
#include <utility>
#include <vector>

#include "sim/stats/report.hpp"

namespace arraysim::stats {

/// The names of the three report files, in the order scalesim_reports returns them.
const std::vector<std::string>& scalesim_report_names();

/// (file name, content) of the three reports of `r`. Rows are `LayerID, value, ..., value,` as
/// SCALE-Sim writes them (comma and space between cells, a trailing comma); LayerID is the
/// layer's 0-based position among the layers that ran. Bandwidths are in words (elements of the
/// operand's type, the accumulator type for outputs) per cycle; a value that was not measured
/// (e.g. the access windows of a vector unit) is an empty cell.
std::vector<std::pair<std::string, std::string>> scalesim_reports(const RunResult& r);

}  // namespace arraysim::stats
