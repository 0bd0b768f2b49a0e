#pragma once
/// An experiment: architecture + workload + simulation options, loaded from YAML with
/// `--set key.path=value` overrides, validated completely before anything runs.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "models/ir/graph.hpp"
#include "models/ir/layer.hpp"
#include "sim/config/arch_config.hpp"
#include "sim/config/diagnostics.hpp"

namespace arraysim::config {

/// values: every PE register holds real data; timing: the same schedule without data.
enum class Fidelity { values, timing };
std::string to_string(Fidelity f);

/// `sim.fidelity: auto` (the default) picks values fidelity for workloads of at most this many
/// multiply-accumulates (counted over the layers that run) and timing fidelity above.
constexpr std::int64_t kAutoFidelityMaxMacs = 50'000'000;
/// The fidelity `auto` resolves to for `macs` multiply-accumulates.
Fidelity auto_fidelity(std::int64_t macs);

struct SimOptions {
  /// The fidelity that runs. With `fidelity_auto` it is resolved from the whole workload's MACs at
  /// load time (and again from the selected layers' MACs by `arraysim run --layers`).
  Fidelity fidelity = Fidelity::values;
  bool fidelity_auto = false;                       ///< `sim.fidelity: auto` was given (or defaulted)
  bool check_golden = true;                         ///< compare outputs with models/golden (values fidelity only)
  bool check_analytic = true;                       ///< compare cycles with models/analytic
  std::int64_t max_cycles = std::int64_t{1} << 40;  ///< cycles a layer may take (checked before and during the run)
  /// Host memory a run may need, in MiB: the estimate of sim/plan/resources is checked against it
  /// before anything large is allocated.
  std::int64_t max_memory_mib = 16384;
  /// Test aid: {row, col} of a PE whose multiplier is stuck at 0; {-1, -1} = none.
  std::int64_t fault_pe_row = -1, fault_pe_col = -1;
};

/// A whole graph as the workload (`arraysim run --model F.onnx --arch A.yaml --graph`,
/// docs/graph.md): its GEMM-like operators are the experiment's workload layers, the rest run on
/// the post-processing unit, tensors flow from operator to operator.
struct GraphWorkload {
  std::shared_ptr<const ir::Graph> graph;
  /// Per workload layer: the index in graph->ops() of the operator it runs.
  std::vector<std::size_t> layer_op;
  /// The convolutions arch.lowering's Winograd transform serves: graph->ops() index -> m (2 or 4).
  /// Each runs as α² = (m + 2)² consecutive GEMM layers NAME.winograd[k] (docs/transforms.md).
  std::map<std::size_t, int> winograd;
};

struct Experiment {
  std::string name;
  std::string source;  ///< the experiment file as given ("<built-in>" for the default)
  ArchConfig arch;
  ir::Network workload;
  /// Per layer of `workload`: its own mapping (workload.layers.I.mapping, docs/mapping.md), empty
  /// when it has none; the mapper applies it over arch.mapping.
  std::vector<MappingConfig> layer_mappings;
  SimOptions sim;
  /// Set for a whole-graph workload; `workload` then holds its GEMM-like operators.
  std::optional<GraphWorkload> graph;
  /// Where some keys that checks after loading name were given (arch.array.type, .rows, .cols,
  /// .impl, .input_dtype, sim.fidelity, sim.fault_stuck_pe): FILE:LINE:COL for their errors. An
  /// absent key is located at its mapping.
  std::map<std::string, Location> key_locations;
  /// key_locations' entry for `key_path`, or the experiment file's first line.
  Location locate(const std::string& key_path) const;
};

/// Loads an experiment file. `arch:` and `workload:` may be paths (relative to the experiment
/// file) or inline mappings. Overrides are "key.path=value" with a YAML value; list elements are
/// addressed by index (workload.layers.0.m=64). Throws ConfigError listing every problem.
Experiment load_experiment(const std::string& path, const std::vector<std::string>& overrides = {});
/// Same, from YAML text; `display_name` names it in messages, `base_dir` resolves relative paths.
Experiment load_experiment_text(const std::string& text, const std::string& display_name, const std::string& base_dir,
                                const std::vector<std::string>& overrides = {});

/// Loads an architecture file alone (what an experiment's `arch:` names), with overrides
/// "key.path=value" relative to it (`dram.refresh=false`; an `arch.` prefix is accepted too).
/// Messages name its keys as an experiment's (`arch.dram.refresh`). Throws ConfigError.
/// `banked_dram`: the architecture must have a banked DRAM model (an error at arch.dram.model
/// otherwise).
ArchConfig load_arch(const std::string& path, const std::vector<std::string>& overrides = {}, bool banked_dram = false);

/// The built-in default experiment (what `make demo` runs): a small convolution and a GEMM on
/// an 8x8 output-stationary int8 array.
const char* builtin_experiment_yaml();

/// The fully resolved configuration, every default written out (effective_config.yaml).
std::string effective_yaml(const Experiment& e);

}  // namespace arraysim::config
