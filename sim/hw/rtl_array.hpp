#pragma once
/// The Verilated RTL array (rtl/pe_array.sv) as a PeArray: the factory functions the accelerator
/// calls. sim/rtl_bridge defines them in a build WITH_VERILATOR; without Verilator,
/// sim/hw/rtl_array.cpp defines stubs that throw (check_array_impl() rejects such runs earlier).
/// The RTL computes int8 x int8 products into int32 accumulators, so only that type pair exists.
#include <cstdint>
#include <memory>
#include <systemc>

#include "sim/hw/pe_array.hpp"

namespace arraysim::hw {

/// One RTL array instance: its size (one of rtl_build_info().sizes), dataflow mode and clock.
struct RtlArraySpec {
  std::int64_t rows = 0, cols = 0;
  ArrayMode mode = ArrayMode::output_stationary;
  sc_core::sc_time period;  ///< the controller's clock period (one array cycle)
  bool fault = false;       ///< the fault-injected build (rtl_build_info().fault_*)
  bool trace = false;       ///< a waveform will be opened (Verilated::traceEverOn before construction)
  std::int64_t stuck_row = -1, stuck_col = -1;  ///< co-simulation: the SystemC model's stuck multiplier
};

/// The Verilated array alone (arch.array.impl: rtl). Output latency 1 (see PeArray::output_latency).
std::unique_ptr<PeArray<std::int8_t, std::int32_t>> make_rtl_array(const char* name, const RtlArraySpec& spec);

/// The SystemC model and the Verilated array in lock-step (arraysim cosim): every step() goes to
/// both, every collect() compares all PE registers and the bottom edge and records the first
/// mismatch in cosim_status(); the outputs it returns are the RTL's.
std::unique_ptr<PeArray<std::int8_t, std::int32_t>> make_cosim_array(const char* name, const RtlArraySpec& spec);

}  // namespace arraysim::hw
