#pragma once
/// `arraysim map EXPERIMENT [--layers SPEC] [--top N]`: the mapper's best mappings of each layer,
/// without simulating the run (docs/mapping.md). Compiled into the arraysim executable (CLI11).
#include <CLI/CLI.hpp>

#include <cstddef>
#include <string>
#include <vector>

#include "sim/config/experiment.hpp"

namespace arraysim::app {

/// The parsed `map` subcommand.
struct MapCommand {
  CLI::App* command = nullptr;
  std::string file;               ///< the experiment ('builtin': the built-in demo)
  std::vector<std::string> sets;  ///< --set overrides
  std::string layers_spec;        ///< --layers
  std::size_t top = 5;            ///< --top: candidates printed per layer
};

/// Adds `map EXPERIMENT` to `app`.
void add_map_command(CLI::App& app, MapCommand& c);

/// Plans the selected layers of `e` (the mapper confirms with the cycle model as a run does) and
/// prints map_text for each systolic layer. Returns 0; configuration errors are thrown.
int run_map_command(const MapCommand& c, const config::Experiment& e);

}  // namespace arraysim::app
