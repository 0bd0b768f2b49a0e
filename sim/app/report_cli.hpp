#pragma once
/// `arraysim report RUN_DIR`: the summary and plots of a finished run, regenerated from its
/// stats.json (and timeline.json) without simulating again (docs/outputs.md). Compiled into the
/// arraysim executable (it needs CLI11).
#include <CLI/CLI.hpp>

#include <string>

namespace arraysim::app {

/// The parsed `report` subcommand.
struct ReportCommand {
  CLI::App* command = nullptr;
  std::string run_dir;       ///< the --out directory of `arraysim run`
  bool html = false;         ///< --html: also write RUN_DIR/report.html
  int roofline_labels = 10;  ///< --roofline-labels (stats::PlotOptions)
};

/// Adds `report RUN_DIR` to `app`.
void add_report_command(CLI::App& app, ReportCommand& c);

/// Reads the run, rewrites RUN_DIR/summary.txt, SCALE-Sim's three reports, the plots and with
/// --html RUN_DIR/report.html, prints the summary (and a one-line warning on stderr when plots
/// could not be drawn) and what it wrote. Returns the exit code (0); throws stats::RunDirError
/// with one line for a missing or unreadable run directory.
int run_report_command(const ReportCommand& c);

}  // namespace arraysim::app
