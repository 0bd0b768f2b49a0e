#pragma once
/// Design-space sweeps (docs/sweeps.md): plan the points of a spec, run each as its own
/// `arraysim run` process N at a time, record every finished point so that a rerun resumes, merge
/// the outputs of shards, and emit Slurm and GNU parallel command lists.
/// Bad input throws config::ConfigError (or SweepInputError) before anything is written.
#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/sweep/sweep_spec.hpp"

namespace arraysim::sweep {

/// Bad command-line input to a sweep command (a malformed --shard, a directory that is not a
/// sweep's output, ...): one line, exit 2.
class SweepInputError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// One deterministic slice of a sweep: point i belongs to shard `i % count`.
struct Shard {
  std::size_t index = 0;  ///< 0-based, < count
  std::size_t count = 1;
};

/// Parses "I/N" (0 <= I < N). Throws SweepInputError.
Shard parse_shard(const std::string& text);
/// The shard of a Slurm array task: SLURM_ARRAY_TASK_ID - SLURM_ARRAY_TASK_MIN (0 when unset) of
/// SLURM_ARRAY_TASK_COUNT; nullopt when ID or COUNT is unset. Throws SweepInputError for values
/// that are not a valid slice.
std::optional<Shard> shard_from_slurm_env();

/// A point to run: its place in the sweep, its `--set` overrides and its key.
struct PlannedPoint {
  SweepPoint point;
  std::vector<std::string> overrides;
  std::string key;
};

/// What a sweep command works on: the spec, every point, and this shard's points with keys.
struct SweepPlan {
  SweepSpec spec;
  std::size_t total_points = 0;      ///< points of the whole sweep (every shard)
  std::vector<PlannedPoint> points;  ///< this shard's points, in sweep order
  Shard shard;
  std::string sweep_id;  ///< SHA-256 over the version, the spec's meaning and the base configuration
  std::string version;   ///< arraysim version the keys were made with
  /// Layers in the stats.json of a point of the base experiment (the spec's `layers` applied):
  /// the indices `layers.I.` metric paths may use.
  std::size_t base_layers = 0;
};

/// Loads the spec, enumerates the points, loads the configuration of each point of `shard` (which
/// checks it completely) and computes its key. Throws config::ConfigError, with problems of a
/// point's configuration reported at the axis value that caused them.
SweepPlan plan_sweep(const std::string& spec_file, const Shard& shard, const std::string& version);

/// Checks every metric path against the declaration of stats.json's fields (sim/stats/fields.hpp),
/// without simulating: `layers.I.` paths against the base experiment's layer count. Throws
/// config::ConfigError at the metric's line, with a did-you-mean when a field is close.
void check_metric_paths(const SweepPlan& plan);

/// Options of `arraysim sweep SPEC`.
struct SweepOptions {
  std::string spec_file;
  std::string out_dir;
  std::size_t jobs = 1;        ///< points run at a time
  double timeout_s = 0;        ///< per point; <= 0: none
  std::optional<Shard> shard;  ///< nullopt: the whole sweep (or the Slurm array task's slice)
  bool retry_failed = false;   ///< run failed and timed-out points again
  /// Run into a directory whose sweep.json names another spec file or is damaged (else refused).
  bool force = false;
  bool plot = true;        ///< plot the Pareto front at the end (not for a shard)
  bool run_plots = false;  ///< let each `arraysim run` draw its own plots (else --no-plots)
  bool progress = false;   ///< progress bar on stderr
  std::string exe;         ///< the arraysim executable the points run with
  std::string version;     ///< ARRAYSIM_VERSION
};

/// Runs a sweep; prints a one-line summary on stdout. Returns 0 when every point of the slice is
/// ok, 1 when some failed or timed out. Throws config::ConfigError / SweepInputError for bad input
/// (nothing written) and std::runtime_error for I/O failures.
int run_sweep(const SweepOptions& opt);

/// `arraysim sweep merge DIR... --out OUT`: the union of the finished points of sweep outputs of
/// the same sweep (shards, or partial runs), written to OUT as a sweep output (results.csv,
/// points/, sweep.json); run directories stay where they are. Returns 0 when every point of the
/// sweep is present and ok, 1 otherwise.
int merge_sweeps(const std::vector<std::string>& dirs, const std::string& out_dir, bool plot);

/// Options of `arraysim sweep SPEC --emit slurm|jobs`.
struct EmitOptions {
  std::string kind;        ///< "slurm" or "jobs"
  std::size_t shards = 0;  ///< 0: min(points, 1000)
  SweepOptions sweep;      ///< spec, out dir, -j, --timeout-s, --retry-failed, exe, version
  /// slurm: sbatch options written as `#SBATCH OPTION` lines after arraysim's own, e.g.
  /// `--partition=gpu`. Each starts with `-` and holds no line break.
  std::vector<std::string> sbatch_options;
};

/// Writes OUT/sweep.sbatch (a Slurm job array: task I runs shard I into OUT/shards/I) or
/// OUT/jobs.txt (one shard command per line, for GNU parallel) and prints how to run and merge.
void emit_sweep(const EmitOptions& opt);

/// Path of the running executable (/proc/self/exe).
std::string self_exe();

}  // namespace arraysim::sweep
