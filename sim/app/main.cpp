/// The `arraysim` command line: run, check (and the subcommands later issues add).
/// Exit codes: 0 success, 1 a check failed (golden or analytic mismatch), 2 bad input.
#include <CLI/CLI.hpp>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <unistd.h>
#include <systemc>

#include "sim/app/dram_trace_cli.hpp"
#include "sim/app/compare_cli.hpp"
#include "sim/app/map_cli.hpp"
#include "sim/app/import_cli.hpp"
#include "sim/config/layer_select.hpp"
#include "sim/app/report_cli.hpp"
#include "sim/app/run.hpp"
#include "sim/app/run_outputs.hpp"
#include "sim/app/sweep_cli.hpp"
#include "sim/config/diagnostics.hpp"
#include "sim/config/experiment.hpp"
#include "sim/hw/array_check.hpp"
#include "sim/io/import.hpp"
#include "sim/stats/fields.hpp"
#include "sim/stats/stats_json.hpp"
#include "sim/stats/timeline.hpp"

namespace {

using namespace arraysim;

constexpr int kExitOk = 0, kExitCheckFailed = 1, kExitBadInput = 2;

/// `arraysim cosim`: the experiment through the SystemC and the RTL array in lock-step. Prints the
/// run's table, then `cosim: PASS  cycles compared N  values compared M` or the first mismatch
/// as `cosim: MISMATCH at cycle C row R col J: expected X got Y` plus a line naming the register
/// (exit 1). A golden or analytic mismatch also exits 1.
int run_cosim(const config::Experiment& exp, app::RunOptions ropt, app::RunOutputs& outputs) {
  ropt.cosim = true;
  stats::RunResult r;
  try {
    r = app::run_experiment(exp, ropt);
  } catch (const hw::ArrayMismatchError& e) {
    const hw::ArrayMismatch& m = e.mismatch();
    const bool edge = m.signal == "bottom" || m.signal == "valid";
    std::cout << m.line() << "\n"
              << "cosim: " << m.signal << " of " << (edge ? "the bottom edge at " : "") << "PE(" << m.row << ", "
              << m.col << ") in layer " << m.layer
              << " (expected: " << (m.signal == "valid" ? "the schedule" : "SystemC model") << ", got: RTL)\n";
    return kExitCheckFailed;
  }
  std::cout << stats::to_text(r);
  if (!ropt.out_dir.empty()) {
    outputs.remove_stale();
    std::cout << app::wrote_line(ropt.out_dir, app::write_outputs(ropt.out_dir, exp, r));
  }
  for (const auto& l : r.layers)
    for (const auto& m : l.mismatches)
      std::cerr << "golden mismatch: " << m.tensor << m.where << " (index " << m.index << "): expected " << m.expected
                << ", got " << m.got << "\n";
  std::cout << "cosim: PASS  cycles compared " << r.cosim_cycles << "  values compared " << r.cosim_values << "\n";
  return r.golden_match() == false || r.analytic_match() == false ? kExitCheckFailed : kExitOk;
}

/// `arraysim run` (and `cosim`) once the experiment is loaded and the output paths are checked:
/// simulates, prints the tables and writes the outputs. Returns the exit code.
int run_and_write(const CLI::App& run, const config::Experiment& exp, app::RunOptions ropt,
                  const std::string& trace_units, const std::string& trace_format, bool no_plots,
                  const stats::PlotOptions& plot_options, bool cosim, app::RunOutputs& outputs) {
  if (cosim) return run_cosim(exp, ropt, outputs);
  if (run.count("--layers")) ropt.layers = config::select_layers(exp.workload, ropt.layers_spec);
  if (!trace_units.empty() || run.count("--trace-format")) {
    try {
      ropt.trace = stats::parse_trace_request(trace_units, trace_format);
    } catch (const std::invalid_argument& e) {
      std::cerr << "arraysim: " << e.what() << "\n";
      return kExitBadInput;
    }
    if (ropt.out_dir.empty()) {
      std::cerr << "arraysim: --trace needs --out DIR (traces are written under DIR/traces/)\n";
      return kExitBadInput;
    }
  }
  const stats::RunResult r = app::run_experiment(exp, ropt);
  std::cout << stats::to_text(r);
  if (!ropt.out_dir.empty()) {
    outputs.remove_stale();
    std::cout << app::wrote_line(ropt.out_dir,
                                 app::write_outputs(ropt.out_dir, exp, r, !no_plots, ropt.trace, plot_options));
  }
  if (!ropt.dump_tensors_dir.empty())
    std::cout << "wrote " << r.dumped_tensors << " tensors to " << ropt.dump_tensors_dir << "/ (.npy)\n";
  if (!ropt.timeline_path.empty()) {
    stats::write_file(ropt.timeline_path, stats::to_chrome_trace(r));
    std::cout << "wrote " << ropt.timeline_path << " (open in https://ui.perfetto.dev or chrome://tracing)\n";
  }
  for (const auto& l : r.layers)
    for (const auto& m : l.mismatches)
      std::cerr << "golden mismatch: " << m.tensor << m.where << " (index " << m.index << "): expected " << m.expected
                << ", got " << m.got << "\n";
  if (r.golden_match() == false || r.analytic_match() == false) return kExitCheckFailed;
  return kExitOk;
}

/// `rc`, or kExitBadInput when standard output could not be written (a full disk, a closed
/// pipe): what was printed is lost, so the command did not do its job.
int check_stdout(int rc) {
  errno = 0;
  const bool flushed = std::fflush(stdout) == 0;
  if (flushed && !std::ferror(stdout)) return rc;
  std::cerr << "arraysim: error: cannot write to standard output: " << (errno ? std::strerror(errno) : "write error")
            << "\n";
  return kExitBadInput;
}

config::Experiment load(const std::string& file, const std::vector<std::string>& sets) {
  if (file.empty() || file == "builtin")
    return config::load_experiment_text(config::builtin_experiment_yaml(), "<built-in>", ".", sets);
  return config::load_experiment(file, sets);
}

int cli_main(int argc, char** argv) {
  CLI::App app{"arraysim: cycle-level SystemC simulator of systolic-array and vector DNN accelerators"};
  app.set_version_flag("--version", std::string("arraysim ") + ARRAYSIM_VERSION);
  app.require_subcommand(1);

  std::string file;
  std::vector<std::string> sets;
  app::RunOptions ropt;

  auto* run = app.add_subcommand("run", "Simulate an experiment and report cycles, utilization and golden checks");
  run->add_option("experiment", file, "Experiment YAML file ('builtin' or omitted: the built-in demo)");
  run->add_option("--set", sets, "Override a configuration value: key.path=value (repeatable)")->take_all();
  run->add_option("--out", ropt.out_dir, "Directory for stats.json, layers.csv, summary.txt, effective_config.yaml");
  run->add_flag("--dump-schedule", ropt.dump_schedule, "Print each layer's command stream");
  run->add_option("--vcd", ropt.vcd_path, "Write a VCD waveform of the accelerator to this file");
  run->add_option("--layers", ropt.layers_spec,
                  "Simulate only these layers, in network order: names and 0-based indices or ranges, e.g. 0-3,7,fc");
  run->add_option("--timeline", ropt.timeline_path,
                  "Write the run's timeline (DMA transfers, compute, stalls, layers per unit) as Chrome/Perfetto "
                  "trace-event JSON to this file");
  std::string trace_units, trace_format = "csv";
  run->add_option("--trace", trace_units,
                  "With --out: write access traces of these units under DIR/traces/: sram, dram or sram,dram");
  run->add_option("--trace-format", trace_format,
                  "Trace layout: csv (arraysim's, one row per access) or scalesim (SCALE-Sim's per-layer "
                  "IFMAP/FILTER/OFMAP SRAM and DRAM trace files)");
  bool no_plots = false;
  run->add_option("--input", ropt.input_npy,
                  "Values fidelity: the first layer's input tensor from this .npy file instead of seeded values");
  run->add_option("--dump-tensors", ropt.dump_tensors_dir,
                  "Values fidelity: write every layer's input, weight and simulated output as .npy files to this "
                  "new or empty directory");
  run->add_option("--only", ropt.dump_only, "With --dump-tensors: only these tensors, e.g. --only output")
      ->delimiter(',')
      ->check(CLI::IsMember({"input", "weight", "output"}));
  run->add_flag("--check-all", ropt.check_all,
                "With --graph: compare every operator's output with the golden graph, not only the graph's outputs");
  run->add_flag("--no-plots", no_plots, "With --out: skip the roofline, cycle-breakdown and utilization plots");
  stats::PlotOptions plot_options;
  run->add_option("--roofline-labels", plot_options.roofline_labels,
                  "With --out: label this many layers on the roofline, those with the most cycles (default 10)")
      ->check(CLI::Range(0, 100000));
  app::ImportFlags import_flags;  // SCALE-Sim or ONNX inputs instead of an experiment file
  app::add_import_flags(*run, import_flags);

  auto* check = app.add_subcommand("check", "Validate an experiment and print the effective configuration");
  check->add_option("experiment", file, "Experiment YAML file ('builtin': the built-in demo)")->required();
  check->add_option("--set", sets, "Override a configuration value: key.path=value (repeatable)")->take_all();

  auto* cosim = app.add_subcommand(
      "cosim",
      "Run the SystemC and the Verilated RTL PE array in lock-step on an experiment and compare every "
      "PE register, output and valid bit each cycle (needs a build with -DWITH_VERILATOR=ON)");
  cosim->add_option("experiment", file, "Experiment YAML file ('builtin': the built-in demo)")->required();
  cosim->add_option("--set", sets, "Override a configuration value: key.path=value (repeatable)")->take_all();
  cosim->add_option("--vcd", ropt.vcd_path, "Write the RTL array's waveform (Verilator VCD) to this file");
  cosim->add_option("--out", ropt.out_dir, "Directory for stats.json, layers.csv, summary.txt, effective_config.yaml");
  cosim->add_flag("--inject-rtl-fault", ropt.rtl_fault,
                  "Test aid: use the RTL built with a fault (4x4 only: PE(1,2) multiplies its streamed operand one "
                  "cycle late), so the comparison must fail");

  app::ImportCommand import_cmd;
  app::add_import_command(app, import_cmd);
  app::SweepCommand sweep_cmd;
  app::add_sweep_command(app, sweep_cmd);
  app::ReportCommand report_cmd;
  app::add_report_command(app, report_cmd);
  app::DramTraceCommand dram_trace_cmd;
  app::add_dram_trace_command(app, dram_trace_cmd);
  app::CompareCommand compare_cmd;
  app::add_compare_command(app, compare_cmd);
  app::MapCommand map_cmd;
  app::add_map_command(app, map_cmd);
  // Hidden (no group): the field tables of docs/outputs.md, printed from the declaration of the fields.
  auto* fields_cmd = app.add_subcommand("stats-fields", "Print the stats.json and layers.csv field tables")->group("");
  fields_cmd->add_flag("--markdown", "As Markdown, as docs/outputs.md holds them (the only format)")->required();

  // `--sbatch-option --partition=gpu`: the value is itself an option, which CLI11 would take for
  // one of arraysim's; glue it to its flag (`--sbatch-option=--partition=gpu`) before parsing.
  std::vector<std::string> args;  // reversed, as CLI11 takes them
  bool glued = false;
  for (int i = argc - 1; i > 0; --i) {
    const std::string a = argv[i];
    if (a == "--sbatch-option" && !args.empty()) {
      args.back() = a + "=" + args.back();
      glued = true;
      continue;
    }
    args.push_back(a);
  }
  try {
    if (glued) {
      app.name(argv[0]);
      app.parse(std::move(args));
    } else {
      app.parse(argc, argv);
    }
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? kExitOk : kExitBadInput;
  }

  ropt.progress = isatty(STDERR_FILENO) != 0;
  try {
    if (import_cmd.command->parsed()) return app::run_import_command(import_cmd);
    if (sweep_cmd.command->parsed()) return app::run_sweep_command(sweep_cmd, ARRAYSIM_VERSION, ropt.progress);
    if (report_cmd.command->parsed()) return app::run_report_command(report_cmd);
    if (dram_trace_cmd.command->parsed()) return app::run_dram_trace_command(dram_trace_cmd);
    if (compare_cmd.command->parsed()) return app::run_compare_command(compare_cmd);
    if (map_cmd.command->parsed()) return app::run_map_command(map_cmd, load(map_cmd.file, map_cmd.sets));
    if (fields_cmd->parsed()) {
      std::cout << stats::fields_markdown();
      return kExitOk;
    }
    const config::Experiment exp =
        run->parsed() && import_flags.any() ? app::load_imported(import_flags, file, sets) : load(file, sets);
    if (check->parsed()) {
      std::cout << config::effective_yaml(exp);
      return kExitOk;
    }
    // Every output path is checked before anything is simulated; whatever the run wrote is
    // removed again when it fails.
    const bool rtl_array = cosim->parsed() || exp.arch.array.impl == config::ArrayImpl::rtl;
    if (!ropt.dump_only.empty() && ropt.dump_tensors_dir.empty()) {
      std::cerr << "arraysim: --only needs --dump-tensors DIR (it selects the tensors written there)\n";
      return kExitBadInput;
    }
    app::RunOutputs outputs(ropt.out_dir, ropt.timeline_path, app::vcd_file(ropt.vcd_path, rtl_array),
                            ropt.dump_tensors_dir);
    outputs.check();
    try {
      return run_and_write(*run, exp, ropt, trace_units, trace_format, no_plots, plot_options, cosim->parsed(),
                           outputs);
    } catch (...) {
      outputs.roll_back();
      throw;
    }
  } catch (const config::ConfigError& e) {
    std::cerr << e.what() << "\n";
    return kExitBadInput;
  } catch (const io::ImportError& e) {
    std::cerr << e.what() << "\n";
    return kExitBadInput;
  } catch (const hw::ArrayMismatchError& e) {
    // arch.array.impl: rtl: the RTL's valid outputs disagree with the schedule.
    std::cerr << "arraysim: " << e.what() << "\n";
    return kExitCheckFailed;
  } catch (const config::LayerSpecError& e) {
    std::cerr << "arraysim: " << e.what() << "\n";
    return kExitBadInput;
  } catch (const std::exception& e) {
    std::cerr << "arraysim: error: " << e.what() << "\n";
    return kExitBadInput;
  }
}

}  // namespace

int sc_main(int argc, char** argv) { return check_stdout(cli_main(argc, argv)); }

/// Replaces libsystemc's main so that its banner is off before the kernel prints it.
int main(int argc, char** argv) {
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
  return sc_core::sc_elab_and_sim(argc, argv);
}
