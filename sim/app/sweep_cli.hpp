#pragma once
/// The command-line side of sweeps (docs/sweeps.md): `arraysim sweep SPEC ...`,
/// `arraysim sweep merge DIR... --out DIR` and `arraysim sweep plot DIR ...`. Compiled into the
/// arraysim executable (it needs CLI11).
#include <CLI/CLI.hpp>

#include <cstddef>
#include <string>
#include <vector>

namespace arraysim::app {

/// The parsed options of the sweep command and its subcommands.
struct SweepCommand {
  CLI::App* command = nullptr;
  CLI::App* merge = nullptr;
  CLI::App* plot = nullptr;
  std::string spec, out;
  std::size_t jobs = 1;
  double timeout_s = 0;
  std::string shard, emit;
  std::size_t shards = 0;
  bool retry_failed = false, no_plot = false, run_plots = false, force = false;
  std::vector<std::string> merge_dirs;
  std::string merge_out;
  bool merge_no_plot = false;
  std::string plot_dir, x, y, by, heatmap;
  std::vector<std::string> where;           ///< sweep plot --where COLUMN=VALUE (repeatable)
  std::vector<std::string> sbatch_options;  ///< --sbatch-option (repeatable): extra #SBATCH lines
};

/// Adds `sweep` (with `merge` and `plot`) to the arraysim command line.
void add_sweep_command(CLI::App& app, SweepCommand& c);

/// Runs the parsed sweep command; returns the exit code (0 every point ok, 1 some point failed or
/// missing, 2 bad input). Throws config::ConfigError for a bad spec (main prints it, exit 2) and
/// std::runtime_error for I/O failures.
int run_sweep_command(const SweepCommand& c, const std::string& version, bool stderr_is_tty);

}  // namespace arraysim::app
