#include "sim/app/compare_cli.hpp"

#include <iostream>

#include "sim/app/run.hpp"
#include "sim/stats/run_compare.hpp"
#include "sim/stats/stats_json.hpp"

namespace arraysim::app {

void add_compare_command(CLI::App& app, CompareCommand& c) {
  c.command = app.add_subcommand("compare",
                                 "Compare two finished runs per layer and in total: cycles, stall cycles, DRAM "
                                 "traffic and energy of A and B, B-A and B/A");
  c.command->add_option("run_a", c.run_a, "The --out directory of the first run (A)")->required();
  c.command->add_option("run_b", c.run_b, "The --out directory of the second run (B)")->required();
  c.command->add_option("--plot", c.plot_dir, "Write the per-layer ratios B/A as DIR/compare.svg and compare.png");
}

int run_compare_command(const CompareCommand& c) {
  const stats::RunResult a = stats::read_run_dir(c.run_a), b = stats::read_run_dir(c.run_b);
  const stats::RunComparison cmp = stats::compare_runs(a, b, c.run_a, c.run_b);
  std::cout << stats::comparison_text(cmp);
  if (c.plot_dir.empty()) return 0;
  const std::optional<stats::Plot> plot = stats::comparison_plot(cmp);
  if (!plot) {
    std::cout << "compare: no plot (no layer of both runs has a ratio)\n";
    return 0;
  }
  stats::render_plot(c.plot_dir, *plot);
  std::cout << wrote_line(c.plot_dir, {"compare.svg", "compare.png"});
  return 0;
}

}  // namespace arraysim::app
