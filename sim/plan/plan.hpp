#pragma once
/// The planning stage: experiment → per-layer plan (the GEMM view, scratchpad tiles, fold
/// schedule, vector mapping, and the closed form's prediction), as plain data that can be printed
/// (`--dump-schedule`) and tested without SystemC. The simulator (sim/hw) executes a plan; the
/// checks compare its cycles with the prediction stored here.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "models/ir/layer.hpp"
#include "sim/config/experiment.hpp"
#include "sim/plan/mapper.hpp"
#include "sim/plan/schedule.hpp"
#include "sim/plan/vector_mapping.hpp"
#include "sim/plan/vector_op.hpp"

namespace arraysim::plan {

/// One layer's plan.
struct LayerPlan {
  std::size_t workload_index = 0;  ///< position in the workload (seeds its operands)
  ir::Layer layer;
  ir::GemmDims dims;    ///< the layer as G GEMMs
  Schedule schedule;    ///< scratchpad tiles and array folds
  bool vector = false;  ///< runs on the vector unit (arch.array.type: vector)
  /// Vector unit only: the mapping that runs (chosen when arch.array.mapping is auto) and, per
  /// fold of `schedule`, its step counts and cycles.
  config::VectorMapping vector_mapping;
  std::vector<VectorCounts> vector_folds;
  /// Closed-form cycles with ideal memory (models/analytic): equal to the simulated cycles with
  /// ideal memory or when no fold waited for memory, a lower bound otherwise.
  std::int64_t analytic_cycles = 0;
  /// Systolic array: what the mapper considered and chose (docs/mapping.md).
  std::optional<MappingChoice> mapping_choice;
  /// SCALE-Sim v2's stall-free cycles for the same GEMM on the array (analytic::scalesim_v2_cycles).
  std::int64_t scalesim_v2_cycles = 0;
  /// A graph's non-GEMM operator on the post-processing unit (docs/graph.md): set instead of a
  /// GEMM schedule; `layer` then only carries its name.
  std::optional<VectorOpPlan> post;
  /// A GEMM whose output the post-processing unit takes on chip (a fused chain follows): its
  /// output blocks are handed over instead of stored to DRAM.
  bool store_on_chip = false;
  /// Host work the simulation of this layer costs, in arbitrary units (progress bars): folds in
  /// timing fidelity, simulated cycles in values fidelity.
  double host_work = 0;
};

/// One mapping of one layer for the cycle model to confirm.
struct ConfirmRequest {
  const ir::Layer* layer = nullptr;
  Mapping mapping;
};
/// Runs the cycle model (timing fidelity) on each request and returns their total cycles, in order.
using ConfirmFn = std::function<std::vector<std::int64_t>(const std::vector<ConfirmRequest>& requests)>;

/// What to plan: which layers (indices into the workload, in order; empty: all), whether the RTL
/// array runs (for it, `sim.fidelity: auto` means values), how many of each layer's best mappings
/// to keep (`arraysim map --top`), and the cycle model for confirming mappings (empty: none).
struct PlanOptions {
  std::vector<std::size_t> layers;
  bool rtl = false;
  std::size_t top = 1;
  ConfirmFn confirm;
};

/// The plan of a whole experiment.
struct ExperimentPlan {
  config::Fidelity fidelity = config::Fidelity::values;  ///< the fidelity that runs (auto resolved)
  bool fidelity_auto = false;                            ///< sim.fidelity was auto
  std::vector<LayerPlan> layers;                         ///< the selected layers, in workload order
};

/// Plans every selected layer of `e`. Throws config::ConfigError when a scratchpad cannot hold
/// one tile of a layer (at its size_kib, naming what one tile needs) and std::invalid_argument
/// when a vector mapping cannot keep what it hoists in the register file.
ExperimentPlan make_plan(const config::Experiment& e, const PlanOptions& opt);

/// The scratchpad budgets of `arch`: bytes one tile may occupy and element sizes.
TileBudget tile_budget(const config::ArchConfig& arch);
/// The vector unit's shape and scratchpad ports (arch.array.type: vector).
VectorUnitShape vector_unit_shape(const config::ArchConfig& arch);

/// The plan of layer `l` on `arch`'s systolic array under mapping `m`: its schedule and closed forms.
LayerPlan plan_systolic_layer(const config::ArchConfig& arch, const ir::Layer& l, const Mapping& m);

/// `--dump-schedule` text of one layer: "layer NAME: " and its schedule, then the vector mapping.
std::string to_string(const LayerPlan& p);

}  // namespace arraysim::plan
