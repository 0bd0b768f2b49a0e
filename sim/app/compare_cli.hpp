#pragma once
/// `arraysim compare RUN_A RUN_B [--plot DIR]`: two finished runs side by side, per layer and in
/// total (docs/outputs.md). Compiled into the arraysim executable (it needs CLI11).
#include <CLI/CLI.hpp>

#include <string>

namespace arraysim::app {

/// The parsed `compare` subcommand.
struct CompareCommand {
  CLI::App* command = nullptr;
  std::string run_a, run_b;  ///< the --out directories of two `arraysim run`s
  std::string plot_dir;      ///< --plot DIR: write DIR/compare.{svg,png}; empty: no plot
};

/// Adds `compare RUN_A RUN_B` to `app`.
void add_compare_command(CLI::App& app, CompareCommand& c);

/// Reads both runs, prints the comparison and with --plot draws the ratios. Returns 0 (a
/// difference is what the command reports, not a failure); throws stats::RunDirError with one
/// line for a missing or unreadable run directory, std::runtime_error when the plot fails.
int run_compare_command(const CompareCommand& c);

}  // namespace arraysim::app
