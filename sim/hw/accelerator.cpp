#include "sim/hw/accelerator.hpp"

#include <memory>
#include <stdexcept>
#include <sysc/tracing/sc_tracing_ids.h>
#include <systemc>
#include <type_traits>

#include "sim/hw/array_driver.hpp"
#include "sim/hw/dma.hpp"
#include "sim/hw/dram.hpp"
#include "sim/hw/lane_driver.hpp"
#include "sim/hw/pe_array.hpp"
#include "sim/hw/rtl_array.hpp"
#include "sim/hw/sanitizer_stack.hpp"
#include "sim/hw/scratchpad.hpp"
#include "sim/hw/vector_unit.hpp"

namespace arraysim::hw {
namespace {

/// The PE-array implementation: the SystemC model, the Verilated RTL array (arch.array.impl: rtl,
/// int8/int32 only) or both in lock-step (opt.cosim). check_array_impl() has vetted the choice.
template <class TIn, class TAcc>
std::unique_ptr<PeArray<TIn, TAcc>> make_pe_array(const char* name, const config::ArchConfig& arch, ArrayMode mode,
                                                  const SimulateOptions& opt, sc_core::sc_time period) {
  const config::ArrayConfig& a = arch.array;
  if constexpr (std::is_same_v<TIn, std::int8_t> && std::is_same_v<TAcc, std::int32_t>) {
    if (opt.array) return opt.array->make(name, a.rows, a.cols, mode, period);
  }
  const config::ArrayImpl impl = opt.cosim ? config::ArrayImpl::rtl : a.impl;
  switch (impl) {
    case config::ArrayImpl::systemc: {
      auto array = std::make_unique<SystolicArray<TIn, TAcc>>(name, a.rows, a.cols, mode);
      if (opt.fault_pe_row >= 0) array->inject_stuck_multiplier(opt.fault_pe_row, opt.fault_pe_col);
      return array;
    }
    case config::ArrayImpl::rtl:
      if constexpr (std::is_same_v<TIn, std::int8_t> && std::is_same_v<TAcc, std::int32_t>) {
        RtlArraySpec spec;
        spec.rows = a.rows, spec.cols = a.cols, spec.mode = mode, spec.period = period;
        spec.fault = opt.rtl_fault, spec.trace = !opt.vcd_path.empty();
        spec.stuck_row = opt.fault_pe_row, spec.stuck_col = opt.fault_pe_col;
        return opt.cosim ? make_cosim_array(name, spec) : make_rtl_array(name, spec);
      }
      break;
  }
  throw std::logic_error("make_pe_array: no such array implementation for this data type");
}

/// The accelerator top. It owns its parts; the DMA's initiator socket is bound to the memory
/// target's socket, which is all the rest of the accelerator sees of the DRAM. Values fidelity
/// adds the tile buffers and a compute unit driver; timing fidelity the fold sequencer.
template <class TIn, class TAcc> class Accelerator : public sc_core::sc_module {
 public:
  Accelerator(sc_core::sc_module_name name, const config::ArchConfig& arch, const std::vector<LayerProgram>& layers,
              const SimulateOptions& opt)
      : sc_core::sc_module(name),
        recorder(layers.size(), Recorder::Options{opt.record_timeline, opt.trace_dram, opt.trace_sram}) {
    const sc_core::sc_time period(1000.0 / arch.clock_mhz, sc_core::SC_NS);
    const bool values = opt.fidelity == config::Fidelity::values;
    dram = opt.dram ? opt.dram->make("dram", period) : make_dram("dram", arch.dram, arch.clock_mhz, period);
    dma = std::make_unique<Dma>("dma", arch.dram.burst_bytes, period);
    dma->socket.bind(*dram.socket);
    if (values)
      tile_buffers = std::make_unique<Scratchpads<TIn, TAcc>>(arch.array.input_dtype, arch.array.weight_dtype);
    memory_engine = std::make_unique<MemoryEngine>("memory_engine", arch, *dma, recorder, tile_buffers.get(), period);
    if (arch.array.type == config::ArrayType::systolic) {
      const ArrayMode mode =
          plan::dataflow(arch.array.dataflow).stationary() ? ArrayMode::stationary : ArrayMode::output_stationary;
      pe_array = make_pe_array<TIn, TAcc>("pe_array", arch, mode, opt, period);
      if (values) compute = std::make_unique<ArrayDriver<TIn, TAcc>>(*pe_array, *tile_buffers, opt.trace_sram);
    } else if (values) {
      lanes =
          std::make_unique<VectorLanes<TIn, TAcc>>(plan::vector_unit_shape(arch), arch.array.reduction_latency_cycles);
      compute = std::make_unique<LaneDriver<TIn, TAcc>>(*lanes, *tile_buffers, opt.trace_sram);
    }
    if (!values)
      sequencer = std::make_unique<FoldSequencer>(arch.array.rows, arch.array.reduction_latency_cycles, opt.trace_sram);
    post_processor = std::make_unique<PostProcessor>("post_processor", arch, *dma, recorder, period);
    controller = std::make_unique<Controller>("controller", arch, layers, period, *memory_engine, recorder,
                                              compute.get(), sequencer.get(), opt.on_layer_start, opt.max_cycles,
                                              post_processor.get(), opt.prepare_layer);
  }
  Recorder recorder;
  DramTarget dram;
  std::unique_ptr<Dma> dma;
  std::unique_ptr<Scratchpads<TIn, TAcc>> tile_buffers;  ///< values fidelity
  std::unique_ptr<MemoryEngine> memory_engine;
  std::unique_ptr<PeArray<TIn, TAcc>> pe_array;   ///< systolic
  std::unique_ptr<VectorLanes<TIn, TAcc>> lanes;  ///< vector, values fidelity
  std::unique_ptr<ComputeUnit> compute;           ///< values fidelity
  std::unique_ptr<FoldSequencer> sequencer;       ///< timing fidelity
  std::unique_ptr<PostProcessor> post_processor;  ///< a graph's non-GEMM operators
  std::unique_ptr<Controller> controller;
};

template <class TIn, class TAcc>
std::vector<LayerCounters> run_typed(const config::ArchConfig& arch, const std::vector<LayerProgram>& layers,
                                     const SimulateOptions& opt) {
  Accelerator<TIn, TAcc> acc("accelerator", arch, layers, opt);
  sc_core::sc_trace_file* tf = nullptr;
  // The Verilated array writes its own waveform (Verilator's VCD writer, which opens only after
  // the first delta cycle); the SystemC model is traced by the SystemC VCD writer.
  const bool rtl_vcd = !opt.vcd_path.empty() && (opt.cosim || arch.array.impl == config::ArrayImpl::rtl);
  if (rtl_vcd) {
    start_simulation(sc_core::SC_ZERO_TIME);
    acc.pe_array->open_waveform(opt.vcd_path);
  } else if (!opt.vcd_path.empty()) {
    std::string base = opt.vcd_path;
    if (base.size() > 4 && base.compare(base.size() - 4, 4, ".vcd") == 0) base.resize(base.size() - 4);
    tf = sc_core::sc_create_vcd_trace_file(base.c_str());
    // Setting the unit is reported as an "Info: (I703)" line on stdout; the unit is ours to choose.
    sc_core::sc_report_handler::set_actions(sc_core::SC_ID_TRACING_TIMESCALE_UNIT_, sc_core::SC_DO_NOTHING);
    tf->set_time_unit(1.0, sc_core::SC_PS);
    acc.controller->trace(tf);
    if (acc.pe_array && arch.array.rows <= 16 && arch.array.cols <= 16) acc.pe_array->trace(tf);
  }
  start_simulation();
  if (tf) {
    // The VCD writer records a time step's values when time moves on: one more (idle) cycle
    // records the last cycle's.
    start_simulation(sc_core::sc_time(1000.0 / arch.clock_mhz, sc_core::SC_NS));
    sc_core::sc_close_vcd_trace_file(tf);
  }
  if (!acc.controller->error().empty()) throw std::runtime_error(acc.controller->error());
  if (acc.controller->mismatch()) throw ArrayMismatchError(*acc.controller->mismatch());
  if (!acc.controller->finished())
    throw std::runtime_error(
        "internal: the simulation stopped before every layer ended (nothing left to wake the controller)");
  return std::move(acc.recorder.counters());
}

}  // namespace

std::vector<LayerCounters> simulate(const config::ArchConfig& arch, const std::vector<LayerProgram>& layers,
                                    const SimulateOptions& opt) {
  check_array_impl(arch, opt);
  const ir::DType in = ir::dtype_bytes(arch.array.weight_dtype) > ir::dtype_bytes(arch.array.input_dtype)
                           ? arch.array.weight_dtype
                           : arch.array.input_dtype;
  const ir::DType acc = arch.array.accumulator_dtype;
  using ir::DType;
  // fp32 and the narrow floats (bf16, fp16, fp8_e4m3, fp8_e5m2): the tile buffers decode the
  // narrow formats to fp32 exactly, and the PEs and lanes multiply and accumulate in fp32.
  if (!ir::is_integer(in) && acc == DType::fp32) return run_typed<float, float>(arch, layers, opt);
  if (in == DType::int8 && acc == DType::int32) return run_typed<std::int8_t, std::int32_t>(arch, layers, opt);
  if (in == DType::int8 && acc == DType::int64) return run_typed<std::int8_t, std::int64_t>(arch, layers, opt);
  if (in == DType::int16 && acc == DType::int64) return run_typed<std::int16_t, std::int64_t>(arch, layers, opt);
  if (in == DType::int32 && acc == DType::int64) return run_typed<std::int32_t, std::int64_t>(arch, layers, opt);
  throw std::runtime_error("no array model for input " + ir::dtype_name(in) + " with accumulator " +
                           ir::dtype_name(acc));
}

}  // namespace arraysim::hw
