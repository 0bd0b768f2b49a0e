#pragma once
/// Running one experiment: lower, simulate, check against golden and analytic, report.
#include <cstddef>
#include <string>
#include <vector>

#include "sim/config/experiment.hpp"
#include "sim/plan/plan.hpp"
#include "sim/stats/plots.hpp"
#include "sim/stats/report.hpp"
#include "sim/stats/traces.hpp"

namespace arraysim::app {

struct RunOptions {
  std::string out_dir;         ///< where stats.json etc. go; empty: write nothing
  bool dump_schedule = false;  ///< print each layer's command stream to stdout
  std::string vcd_path;        ///< VCD trace file; empty: none
  bool progress = true;        ///< progress line on stderr when it is a terminal
  /// Indices of the layers to simulate, in network order (select_layers); empty: every layer.
  std::vector<std::size_t> layers;
  std::string layers_spec;  ///< the --layers text, for the reports; empty: every layer
  /// Run the SystemC and the Verilated RTL array in lock-step (`arraysim cosim`): simulate()
  /// throws hw::ArrayMismatchError at the first difference; RunResult::cosim_* count the checks.
  bool cosim = false;
  bool rtl_fault = false;  ///< test aid: the fault-injected RTL build (cosim must fail)
  /// `--timeline FILE`: the run's Chrome/Perfetto trace-event timeline goes there
  /// (sim/stats/timeline.hpp); the simulator records RunResult::timeline when this is set.
  std::string timeline_path;
  /// `--trace sram,dram` and `--trace-format csv|scalesim`: access traces written under the run
  /// directory (traces/README.md); the simulator records RunResult::accesses when set.
  stats::TraceRequest trace;
  /// `--dump-tensors DIR` (values fidelity): every layer's input, weight and simulated output as
  /// .npy files in DIR (docs/outputs.md); empty: none. `dump_only`: only these of input, weight,
  /// output (empty: all three).
  std::string dump_tensors_dir;
  std::vector<std::string> dump_only;
  /// `--input FILE.npy` (values fidelity): the input tensor of the workload's first layer, instead
  /// of seeded random values; empty: seeded.
  std::string input_npy;
  /// `--check-all` (a whole graph, values fidelity): compare every operator's output with the
  /// golden graph, not only the graph's outputs.
  bool check_all = false;
};

/// The cycle model's total cycles of each requested (layer, mapping) in timing fidelity, simulated
/// in a forked child process (the mapper's confirmation, docs/mapping.md), each stopping at
/// `max_cycles` (sim.max_cycles).
std::vector<std::int64_t> confirm_mappings(const config::ArchConfig& arch,
                                           const std::vector<plan::ConfirmRequest>& requests, std::int64_t max_cycles);

/// Runs every layer of the experiment. At most one call per process (SystemC elaborates once).
/// Throws ConfigError for inputs the model cannot run and std::runtime_error for I/O failures.
stats::RunResult run_experiment(const config::Experiment& e, const RunOptions& opt);

/// Writes effective_config.yaml, stats.json, layers.csv, summary.txt, SCALE-Sim's three reports,
/// timeline.json (when the simulator recorded a timeline) and the plots into `dir`. Plots that
/// cannot be drawn (no gnuplot) cost one warning line on stderr, not the run. `plots` false
/// (`--no-plots`): no plots. `trace`: the access traces to write under dir/traces/
/// (traces/README.md). Returns what it wrote, relative to `dir` in writing order, with the
/// traces as the one entry `traces/`.
std::vector<std::string> write_outputs(const std::string& dir, const config::Experiment& e, const stats::RunResult& r,
                                       bool plots = true, const stats::TraceRequest& trace = {},
                                       const stats::PlotOptions& plot_options = {});

/// The line that tells what a command wrote: `wrote DIR/{a,b,...}` and a line break.
std::string wrote_line(const std::string& dir, const std::vector<std::string>& names);

}  // namespace arraysim::app
