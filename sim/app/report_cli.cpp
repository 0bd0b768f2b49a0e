#include "sim/app/report_cli.hpp"

#include <iostream>

#include "sim/stats/plots.hpp"
#include "sim/stats/report.hpp"
#include "sim/stats/stats_json.hpp"

namespace arraysim::app {

void add_report_command(CLI::App& app, ReportCommand& c) {
  c.command = app.add_subcommand(
      "report", "Regenerate summary.txt and the plots of a finished run from its stats.json, without simulating");
  c.command->add_option("run_dir", c.run_dir, "The --out directory of an arraysim run")->required();
}

int run_report_command(const ReportCommand& c) {
  const stats::RunResult r = stats::read_run_dir(c.run_dir);
  const std::string summary = stats::to_text(r);
  stats::write_files(c.run_dir, {{"summary.txt", summary}});
  std::cout << summary;
  const stats::PlotOutcome p = stats::write_plots(c.run_dir, r);
  if (!p.warning.empty()) std::cerr << "arraysim: warning: " << p.warning << "\n";
  std::cout << "wrote " << c.run_dir << "/{summary.txt";
  for (const std::string& f : p.written) std::cout << "," << f;
  std::cout << "}\n";
  return 0;
}

}  // namespace arraysim::app
