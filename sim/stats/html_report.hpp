#pragma once
/// `arraysim report RUN_DIR --html`: the run as one self-contained HTML page (docs/outputs.md):
/// run totals, sortable tables per layer (cycles and checks, stalls by cause and DRAM traffic,
/// energy), the plots as inline SVG and the effective configuration. It loads nothing from
/// anywhere, so it opens offline and can be mailed as one file.
#include <string>
#include <utility>
#include <vector>

#include "sim/stats/report.hpp"

namespace arraysim::stats {

/// What the page shows besides the stats.
struct HtmlInputs {
  std::string effective_config;  ///< effective_config.yaml as written by the run; empty: not shown
  /// (title, SVG document) of each plot, inlined in this order; the XML prologue before `<svg` is dropped.
  std::vector<std::pair<std::string, std::string>> plots;
  std::string plots_note;  ///< shown instead of the plots when there are none (e.g. no gnuplot)
};

/// The page. Tables: `layers`, `stalls`, `energy` (when the run has an energy table), each a
/// `<table class="sortable">` whose column headers sort the layer rows (a small inline script;
/// numeric cells sort by their exact value in `data-v`); the run's total is the table's `<tfoot>`.
std::string html_report(const RunResult& r, const HtmlInputs& in);

/// `text` with &, <, >, " and ' written as character references.
std::string html_escape(const std::string& text);

}  // namespace arraysim::stats
