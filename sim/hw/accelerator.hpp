#pragma once
/// The accelerator top: the controller, the memory engine (DMA threads, tile buffers), the
/// compute unit (a PE array or the vector unit's lanes) and the DRAM behind a TLM-2.0 socket,
/// run over a sequence of planned layers in one SystemC elaboration (docs/architecture.md).
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "models/ir/layer.hpp"
#include "models/ir/tensor.hpp"
#include "sim/config/experiment.hpp"
#include "sim/hw/controller.hpp"
#include "sim/hw/recorder.hpp"
#include "sim/plan/plan.hpp"

namespace arraysim::hw {

class DramFactory;     // sim/hw/dram.hpp
class PeArrayFactory;  // sim/hw/pe_array.hpp

/// Options of one simulation.
struct SimulateOptions {
  config::Fidelity fidelity = config::Fidelity::values;
  std::string vcd_path;  ///< empty: no waveform
  /// Called when layer `index` (of the `layers` given to simulate) starts, from inside the
  /// simulation at the layer boundary (never per cycle); empty: not called. sim/app uses it for
  /// the progress line.
  std::function<void(std::size_t index)> on_layer_start;
  /// Called before each layer starts (PrepareLayerFn, sim/hw/controller.hpp); empty: not called.
  PrepareLayerFn prepare_layer;
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
  /// Builds the memory target the DMA is bound to instead of make_dram(arch.dram): any TLM-2.0
  /// target with b_transport and transport_dbg (docs/memory.md). Null: the configured model.
  std::shared_ptr<DramFactory> dram;
  /// Builds the PE array (int8 operands, int32 accumulators) instead of arch.array.impl: any
  /// implementation of the PeArray contract. Null: the configured one.
  std::shared_ptr<PeArrayFactory> array;
};

/// What this build's Verilated RTL array offers (sim/rtl_bridge, built WITH_VERILATOR).
struct RtlBuildInfo {
  bool available = false;                                    ///< false: built without Verilator
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
