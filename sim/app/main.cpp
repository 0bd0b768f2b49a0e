/// The `arraysim` command line: run, check (and the subcommands later issues add).
/// Exit codes: 0 success, 1 a check failed (golden or analytic mismatch), 2 bad input.
#include <CLI/CLI.hpp>

#include <cstdlib>
#include <iostream>
#include <unistd.h>
#include <systemc>

#include "sim/app/run.hpp"
#include "sim/config/diagnostics.hpp"
#include "sim/config/experiment.hpp"

namespace {

using namespace arraysim;

constexpr int kExitOk = 0, kExitCheckFailed = 1, kExitBadInput = 2;

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

  auto* check = app.add_subcommand("check", "Validate an experiment and print the effective configuration");
  check->add_option("experiment", file, "Experiment YAML file ('builtin': the built-in demo)")->required();
  check->add_option("--set", sets, "Override a configuration value: key.path=value (repeatable)")->take_all();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? kExitOk : kExitBadInput;
  }

  ropt.progress = isatty(STDERR_FILENO) != 0;
  try {
    const config::Experiment exp = load(file, sets);
    if (check->parsed()) {
      std::cout << config::effective_yaml(exp);
      return kExitOk;
    }
    const stats::RunResult r = app::run_experiment(exp, ropt);
    std::cout << stats::to_text(r);
    if (!ropt.out_dir.empty()) {
      app::write_outputs(ropt.out_dir, exp, r);
      std::cout << "wrote " << ropt.out_dir << "/{stats.json,layers.csv,summary.txt,effective_config.yaml}\n";
    }
    for (const auto& l : r.layers)
      for (const auto& m : l.mismatches)
        std::cerr << "golden mismatch: " << m.tensor << m.where << " (index " << m.index << "): expected "
                  << m.expected << ", got " << m.got << "\n";
    if (r.golden_match() == false || r.analytic_match() == false) return kExitCheckFailed;
    return kExitOk;
  } catch (const config::ConfigError& e) {
    std::cerr << e.what() << "\n";
    return kExitBadInput;
  } catch (const std::exception& e) {
    std::cerr << "arraysim: error: " << e.what() << "\n";
    return kExitBadInput;
  }
}

}  // namespace

int sc_main(int argc, char** argv) { return cli_main(argc, argv); }

/// Replaces libsystemc's main so that its banner is off before the kernel prints it.
int main(int argc, char** argv) {
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
  return sc_core::sc_elab_and_sim(argc, argv);
}
