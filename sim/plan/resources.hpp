#pragma once
/// What a run needs of the host, estimated from the plan before anything large is allocated, and
/// checked against `sim.max_memory_mib` and `sim.max_cycles` (docs/config.md, "Limits"): a run
/// that cannot fit is refused with the estimate instead of ending in std::bad_alloc or running
/// for hours past its cycle limit.
#include <cstdint>
#include <string>
#include <vector>

#include "sim/config/experiment.hpp"
#include "sim/plan/plan.hpp"

namespace arraysim::plan {

/// The dominant host allocations of a run, in bytes (an estimate from below: what grows with the
/// workload, not the fixed cost of the simulator).
struct MemoryEstimate {
  std::int64_t operands_bytes = 0;  ///< values: every selected layer's input and weight tensors
  std::int64_t layer_bytes = 0;     ///< the largest layer's own: DRAM image, outputs, tiles, traces
  std::string layer;                ///< that layer's name
  std::int64_t total_bytes() const { return operands_bytes + layer_bytes; }
};

/// The estimate for running `plan` of `e` (values fidelity holds operands and a DRAM image;
/// `trace_sram` and `trace_dram` add their records).
MemoryEstimate estimate_memory(const config::Experiment& e, const ExperimentPlan& plan, bool trace_sram,
                               bool trace_dram);

/// The fewest cycles layer `l` can take on `arch`: its MACs over the PEs (systolic) or lanes
/// (vector), rounded up; no schedule does better, since a PE or lane does at most one MAC a cycle.
std::int64_t min_cycles(const config::ArchConfig& arch, const ir::Layer& l);

/// Throws config::ConfigError at `sim.max_cycles` when layer `l` needs more cycles than it allows
/// (min_cycles); make_plan calls it before it maps the layer.
void check_min_cycles(const config::Experiment& e, const ir::Layer& l);

/// Throws config::ConfigError at `sim.max_cycles` when a layer needs more cycles than it allows
/// (min_cycles), and at `sim.max_memory_mib` when estimate_memory exceeds it.
void check_resources(const config::Experiment& e, const ExperimentPlan& plan, bool trace_sram, bool trace_dram);

/// Throws config::ConfigError at `sim.max_memory_mib` when the part of estimate_memory that no
/// mapping changes (values fidelity: operands, each layer's DRAM image and result) of the workload
/// layers `layers` exceeds it; make_plan calls it before it searches mappings, so that a run too
/// large for the host is refused in milliseconds, not after the search.
void check_data_memory(const config::Experiment& e, const std::vector<std::size_t>& layers, config::Fidelity fidelity);

/// Throws config::ConfigError at `sim.max_memory_mib` when the tiles of layer `layer` (`dims` cut
/// into `tile`) would not fit in it; called before the schedule is built.
void check_tile_count(const config::Experiment& e, const std::string& layer, const ir::GemmDims& dims,
                      const TileShape& tile);

}  // namespace arraysim::plan
