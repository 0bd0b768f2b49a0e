#pragma once
/// The accelerator top: a controller with its load and store DMA engines, a PE array and the
/// DRAM (a TLM-2.0 target), run over a sequence of layers in one SystemC elaboration.
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "models/ir/layer.hpp"
#include "models/ir/tensor.hpp"
#include "sim/config/experiment.hpp"
#include "sim/sched/schedule.hpp"
#include "sim/sched/vector_mapping.hpp"
#include "sim/stats/report.hpp"

namespace arraysim::hw {

/// One layer as the hardware sees it: the layer (for the DMA's address generator), its tiled
/// fold schedule and, for values fidelity, its input and weight tensors, which the run places in
/// DRAM before the layer starts.
struct LayerProgram {
  std::string name;
  ir::Layer layer;
  sched::Schedule schedule;
  const ir::LayerOperands* operands = nullptr;  ///< values fidelity; null in timing fidelity
  /// Vector unit (arch.array.type: vector): the mapping and, per fold of `schedule`, its steps'
  /// counts and cycles (sched::count_vector_schedule). Unused for a systolic array.
  config::VectorMapping vector_mapping;
  std::vector<sched::VectorCounts> vector_folds;
};

/// What the hardware measured for one layer.
struct LayerCounters {
  std::int64_t start_cycle = 0;     ///< first cycle of the layer, from the start of the run
  std::int64_t total_cycles = 0;    ///< first cycle of the layer to its last output stored, inclusive
  std::int64_t compute_cycles = 0;  ///< total_cycles - stall_cycles
  std::int64_t stall_cycles = 0;    ///< cycles a fold waited for its operands or buffers, plus the final store
  std::int64_t folds = 0;
  std::int64_t outputs_written = 0;      ///< output elements written by the array (values fidelity)
  stats::OperandWords array_read_words, array_write_words;  ///< array-side scratchpad words
  std::int64_t vector_steps = 0;                 ///< vector unit: steps executed
  std::int64_t stall_read_bandwidth_cycles = 0;  ///< vector unit: Σ (cycles per step − 1)
  std::int64_t relayout_words = 0;               ///< vector unit: words loaded transposed
  stats::MemoryResult memory;            ///< traffic, stall causes, DRAM statistics
  std::vector<stats::TimelineEvent> timeline;  ///< SimulateOptions::record_timeline
  std::vector<stats::AccessRecord> accesses;          ///< SimulateOptions::trace_*
  /// The layer's output tensor in the accumulator type, read back from DRAM (values fidelity).
  ir::Tensor output;
  /// Co-simulation (SimulateOptions::cosim): cycles compared, and values compared (every PE
  /// register, the bottom edge and its valid bits, per cycle); 0 otherwise.
  std::int64_t compared_cycles = 0, compared_values = 0;
};

/// Options of one simulation.
struct SimulateOptions {
  config::Fidelity fidelity = config::Fidelity::values;
  std::string vcd_path;      ///< empty: no waveform
  /// Called when layer `index` (of the `layers` given to simulate) starts, from inside the
  /// simulation at the layer boundary (never per cycle); empty: not called. sim/app uses it for
  /// the progress line.
  std::function<void(std::size_t index)> on_layer_start;
  std::int64_t max_cycles = std::int64_t{1} << 40;
  std::int64_t fault_pe_row = -1, fault_pe_col = -1;  ///< stuck-at-0 multiplier (test aid)
  /// Run the SystemC array and the Verilated RTL array in lock-step and compare them every cycle
  /// (arraysim cosim); simulate() throws ArrayMismatchError (sim/hw/array_check.hpp) at the first
  /// difference. Needs what arch.array.impl: rtl needs (check_array_impl).
  bool cosim = false;
  /// Test aid: use the fault-injected RTL build (RtlBuildInfo::fault_*) instead of the normal one.
  bool rtl_fault = false;
  bool record_timeline = false;  ///< fill LayerCounters::timeline
  bool trace_dram = false;       ///< record DRAM bursts in LayerCounters::accesses
  bool trace_sram = false;       ///< record scratchpad accesses (DMA and array) in LayerCounters::accesses
};

/// What this build's Verilated RTL array offers (sim/rtl_bridge, built WITH_VERILATOR).
struct RtlBuildInfo {
  bool available = false;  ///< false: built without Verilator
  std::vector<std::pair<std::int64_t, std::int64_t>> sizes;  ///< (rows, cols) of every normal build
  /// The fault-injected build: its size and the PE whose multiplier sees its operand a cycle late.
  std::int64_t fault_rows = 0, fault_cols = 0, fault_row = -1, fault_col = -1;
};
RtlBuildInfo rtl_build_info();

/// Checks, before anything is elaborated, that the array implementation `arch` asks for
/// (arch.array.impl: rtl) or that `opt.cosim` needs can run in this build: Verilator present, a
/// built size, int8 operands with int32 accumulators, values fidelity. Throws std::invalid_argument
/// with one line naming the setting and the fix. simulate() calls it too.
void check_array_impl(const config::ArchConfig& arch, const SimulateOptions& opt);

/// Elaborates the accelerator for `arch`, runs every layer in order, returns per-layer counters.
/// Call at most once per process (one SystemC elaboration).
std::vector<LayerCounters> simulate(const config::ArchConfig& arch, const std::vector<LayerProgram>& layers,
                                    const SimulateOptions& opt);

}  // namespace arraysim::hw
