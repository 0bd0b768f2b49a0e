#include "sim/app/sweep_cli.hpp"

#include <cmath>
#include <cstdlib>
#include <iostream>

#include "sim/sweep/sweep.hpp"
#include "sim/sweep/sweep_plot.hpp"

namespace arraysim::app {

constexpr int kExitBadInput = 2;

namespace {
/// A number of seconds: finite and positive (CLI::PositiveNumber lets "nan" through, as NaN <= 0
/// is false, and "inf" means no timeout, which is leaving the option out).
CLI::Validator finite_positive_seconds() {
  return CLI::Validator(
      [](std::string& text) -> std::string {
        char* end = nullptr;
        const double v = std::strtod(text.c_str(), &end);
        if (text.empty() || end != text.c_str() + text.size() || !std::isfinite(v) || v <= 0)
          return "expected a positive number of seconds, got '" + text + "'";
        return "";
      },
      "SECONDS>0");
}
}  // namespace

void add_sweep_command(CLI::App& app, SweepCommand& c) {
  c.command = app.add_subcommand(
      "sweep",
      "Run a design-space sweep: every point is its own `arraysim run`, N at a time, resumable (docs/sweeps.md)");
  c.command->add_option("spec", c.spec,
                        "Sweep spec YAML: base experiment, axes, constraints, metrics, Pareto objectives");
  c.command->add_option("--out", c.out, "Output directory: results.csv, points/, runs/, plots/ (rerun to resume)");
  c.command->add_option("-j,--jobs", c.jobs, "Points simulated at a time (default 1)")->check(CLI::Range(1, 4096));
  c.command->add_option("--timeout-s", c.timeout_s, "Kill a point after this many seconds and record it as timeout")
      ->check(finite_positive_seconds());
  c.command->add_option("--shard", c.shard,
                        "Run only slice I of N (0-based): the points whose index modulo N is I. Default: from "
                        "SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT when set, else every point");
  c.command->add_flag("--retry-failed", c.retry_failed, "Run points recorded as failed or timeout again");
  c.command->add_flag("--force", c.force,
                      "Run into an --out directory that holds another spec's sweep (or a damaged sweep.json): its "
                      "results.csv and sweep.json are replaced; point records are kept and reused by configuration");
  c.command->add_flag("--no-plot", c.no_plot, "Do not plot the Pareto front at the end");
  c.command->add_flag("--run-plots", c.run_plots,
                      "Let every point's `arraysim run` draw its own plots too (by default they run with --no-plots)");
  c.command->add_option("--emit", c.emit,
                        "Write OUT/sweep.sbatch (slurm: a job array, one task per slice) or OUT/jobs.txt (jobs: one "
                        "command per slice, for GNU parallel) instead of running");
  c.command->add_option("--shards", c.shards, "Slices for --emit (default: one per point, at most 1000)")
      ->check(CLI::Range(1, 1000000));
  c.command
      ->add_option("--sbatch-option", c.sbatch_options,
                   "With --emit slurm: an sbatch option written into the job file as '#SBATCH OPTION', e.g. "
                   "--partition=gpu, --time=02:00:00, --account=proj, --mem=4G (repeatable)")
      ->allow_extra_args(false);

  c.merge = c.command->add_subcommand("merge", "Merge the outputs of shards (or partial runs) of one sweep into --out");
  c.merge->add_option("dirs", c.merge_dirs, "Sweep output directories")->required();
  c.merge->add_option("--out", c.merge_out, "Directory for the merged results.csv, points/ and sweep.json")->required();
  c.merge->add_flag("--no-plot", c.merge_no_plot, "Do not plot the Pareto front");

  c.plot = c.command->add_subcommand("plot", "Plot sweep results into DIR/plots (SVG and PNG)");
  c.plot->add_option("dir", c.plot_dir, "Sweep output directory")->required();
  c.plot->add_option("--x", c.x, "Column on the x axis: an axis (its name or key path) or a metric path");
  c.plot->add_option("--y", c.y, "Column on the y axis: a metric path or an axis");
  c.plot->add_option("--by", c.by,
                     "One series (colour and marker) per value of this axis; without --x/--y it colours the Pareto "
                     "plot's points");
  c.plot->add_option("--heatmap", c.heatmap,
                     "Draw this metric as a heatmap over the axes --x and --y (one cell per pair of values)");
  c.plot
      ->add_option("--where", c.where, "Plot only the points whose column equals the value: COLUMN=VALUE (repeatable)")
      ->allow_extra_args(false);
}

int run_sweep_command(const SweepCommand& c, const std::string& version, bool stderr_is_tty) {
  try {
    if (c.merge->parsed()) return sweep::merge_sweeps(c.merge_dirs, c.merge_out, !c.merge_no_plot);
    if (c.plot->parsed()) {
      if (c.x.empty() != c.y.empty())
        throw sweep::SweepInputError("sweep plot: give --x and --y together, or none for every plot");
      if (!c.heatmap.empty() && (c.x.empty() || !c.by.empty()))
        throw sweep::SweepInputError("sweep plot: --heatmap METRIC needs --x AXIS and --y AXIS (and takes no --by)");
      std::vector<sweep::SweepPlotRequest> req;
      if (!c.x.empty()) req.push_back({c.x, c.y, c.by, c.heatmap});
      const auto files = sweep::plot_sweep(c.plot_dir, req, c.where, c.x.empty() ? c.by : "");
      for (const auto& f : files) std::cout << "wrote " << f << "\n";
      if (files.empty()) std::cout << "sweep plot: nothing to plot (no ok point with numbers)\n";
      return 0;
    }
    if (c.spec.empty())
      throw sweep::SweepInputError("sweep: give a sweep spec (arraysim sweep SPEC.yaml --out DIR), or merge/plot");
    if (c.out.empty()) throw sweep::SweepInputError("sweep: --out DIR is required (where results.csv and the runs go)");
    sweep::SweepOptions o;
    o.spec_file = c.spec;
    o.out_dir = c.out;
    o.jobs = c.jobs;
    o.timeout_s = c.timeout_s;
    o.retry_failed = c.retry_failed;
    o.force = c.force;
    o.plot = !c.no_plot;
    o.run_plots = c.run_plots;
    o.progress = stderr_is_tty;
    o.exe = sweep::self_exe();
    o.version = version;
    if (!c.emit.empty()) {
      if (!c.shard.empty())
        throw sweep::SweepInputError("sweep: --emit writes every slice; it cannot be combined with --shard");
      sweep::emit_sweep({c.emit, c.shards, o, c.sbatch_options});
      return 0;
    }
    if (c.shards)
      throw sweep::SweepInputError("sweep: --shards only applies to --emit (a single slice is --shard I/N)");
    if (!c.sbatch_options.empty()) throw sweep::SweepInputError("sweep: --sbatch-option only applies to --emit slurm");
    if (!c.shard.empty()) o.shard = sweep::parse_shard(c.shard);
    return sweep::run_sweep(o);
  } catch (const sweep::SweepInputError& e) {
    std::cerr << "arraysim: " << e.what() << "\n";
    return kExitBadInput;
  }
}

}  // namespace arraysim::app
