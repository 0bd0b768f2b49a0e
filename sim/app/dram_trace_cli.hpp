#pragma once
/// `arraysim dram-trace --arch ARCH.yaml TRACE [--out DIR]`: the command-line wiring of the DRAM
/// trace replay (sim/hw/dram_trace.hpp, docs/memory.md). Compiled into the arraysim executable
/// (it needs CLI11).
#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace arraysim::app {

/// The parsed `dram-trace` subcommand.
struct DramTraceCommand {
  CLI::App* command = nullptr;
  std::string arch_file;          ///< --arch: an architecture file with a banked DRAM model
  std::string trace_file;         ///< the trace (Ramulator, DRAMSys .stl or arraysim dram.csv)
  std::string out_dir;            ///< --out: where dram_trace.json goes (empty: none)
  std::vector<std::string> sets;  ///< --set overrides of the architecture
};

/// Adds `dram-trace` to `app`.
void add_dram_trace_command(CLI::App& app, DramTraceCommand& c);

/// Loads the architecture and the trace, replays it, prints the result and writes
/// DIR/dram_trace.json. Returns the exit code: 0, or 2 with one line on stderr for a bad
/// architecture, trace or model.
int run_dram_trace_command(const DramTraceCommand& c);

}  // namespace arraysim::app
