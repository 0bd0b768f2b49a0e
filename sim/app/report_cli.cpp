#include "sim/app/report_cli.hpp"

#include <filesystem>
#include <iostream>

#include "sim/app/run.hpp"
#include "sim/stats/html_report.hpp"
#include "sim/stats/plots.hpp"
#include "sim/stats/report.hpp"
#include "sim/stats/scalesim_report.hpp"
#include "sim/stats/stats_json.hpp"
#include "sim/util/read_file.hpp"

namespace arraysim::app {

namespace {
/// The content of RUN_DIR/name, or empty when it cannot be read.
std::string read_optional(const std::string& dir, const std::string& name) {
  try {
    return util::read_file((std::filesystem::path(dir) / name).string());
  } catch (const util::FileReadError&) {
    return {};
  }
}
}  // namespace

void add_report_command(CLI::App& app, ReportCommand& c) {
  c.command = app.add_subcommand(
      "report",
      "Regenerate summary.txt, SCALE-Sim's reports and the plots of a finished run from its stats.json, without "
      "simulating");
  c.command->add_option("run_dir", c.run_dir, "The --out directory of an arraysim run")->required();
  c.command->add_flag("--html", c.html,
                      "Also write RUN_DIR/report.html: one self-contained page with sortable tables, the plots as "
                      "inline SVG and the effective configuration");
  c.command
      ->add_option("--roofline-labels", c.roofline_labels,
                   "Label this many layers on the roofline, those with the most cycles (default 10)")
      ->check(CLI::Range(0, 100000));
}

int run_report_command(const ReportCommand& c) {
  const stats::RunResult r = stats::read_run_dir(c.run_dir);
  const std::string summary = stats::to_text(r);
  std::vector<std::pair<std::string, std::string>> files{{"summary.txt", summary}};
  for (auto& f : stats::scalesim_reports(r)) files.push_back(std::move(f));
  std::vector<std::string> written;
  for (const auto& f : files) written.push_back(f.first);
  stats::write_files(c.run_dir, files);
  std::cout << summary;
  stats::PlotOptions po;
  po.roofline_labels = c.roofline_labels;
  const stats::PlotOutcome p = stats::write_plots(c.run_dir, r, po);
  if (!p.warning.empty()) std::cerr << "arraysim: warning: " << p.warning << "\n";
  written.insert(written.end(), p.written.begin(), p.written.end());
  if (c.html) {
    stats::HtmlInputs in;
    in.effective_config = read_optional(c.run_dir, "effective_config.yaml");
    for (const std::string& f : p.written)
      if (f.size() > 4 && f.compare(f.size() - 4, 4, ".svg") == 0)
        in.plots.emplace_back(f.substr(0, f.size() - 4), read_optional(c.run_dir, f));
    in.plots_note = p.warning;
    stats::write_files(c.run_dir, {{"report.html", stats::html_report(r, in)}});
    written.push_back("report.html");
  }
  std::cout << wrote_line(c.run_dir, written);
  return 0;
}

}  // namespace arraysim::app
