/// Validation of arch.array.impl: rtl and co-simulation requests, and (in a build without
/// Verilator) the stand-ins for sim/rtl_bridge's functions.
#include "sim/hw/rtl_array.hpp"

#include <stdexcept>

#include "sim/hw/accelerator.hpp"

namespace arraysim::hw {

namespace {
std::string size_name(std::int64_t r, std::int64_t c) { return std::to_string(r) + "x" + std::to_string(c); }
}  // namespace

void check_array_impl(const config::ArchConfig& arch, const SimulateOptions& opt) {
  const config::ArrayConfig& a = arch.array;
  if (a.impl != config::ArrayImpl::rtl && !opt.cosim) return;
  // What asked for the RTL array, for the messages.
  const std::string who = opt.cosim ? "arraysim cosim" : "arch.array.impl: rtl";
  const std::string the_rtl = "the RTL array (" + who + ")";
  const RtlBuildInfo info = rtl_build_info();
  if (!info.available)
    throw std::invalid_argument(who +
                                " needs the Verilated RTL array, which this build does not include: "
                                "rebuild with cmake -DWITH_VERILATOR=ON (make test does)");
  if (a.type != config::ArrayType::systolic)
    throw std::invalid_argument("arch.array.type: " + the_rtl + " is systolic; there is no RTL vector unit");
  if (opt.rtl_fault) {
    if (a.rows != info.fault_rows || a.cols != info.fault_cols)
      throw std::invalid_argument("arch.array.rows/cols: the fault-injected RTL is built for " +
                                  size_name(info.fault_rows, info.fault_cols) + " only, not " +
                                  size_name(a.rows, a.cols));
  } else {
    bool built = false;
    std::string sizes;
    for (const auto& [r, c] : info.sizes) {
      built = built || (r == a.rows && c == a.cols);
      sizes += (sizes.empty() ? "" : ", ") + size_name(r, c);
    }
    if (!built)
      throw std::invalid_argument("arch.array.rows/cols: " + the_rtl + " is not built for " +
                                  size_name(a.rows, a.cols) + "; built sizes: " + sizes +
                                  " (add sizes to the CMake list ARRAYSIM_RTL_SIZES)");
  }
  if (a.input_dtype != ir::DType::int8 || a.weight_dtype != ir::DType::int8 || a.accumulator_dtype != ir::DType::int32)
    throw std::invalid_argument("arch.array.input_dtype: " + the_rtl +
                                " multiplies int8 x int8 into int32 accumulators, not " +
                                ir::dtype_name(a.input_dtype) + " x " + ir::dtype_name(a.weight_dtype) + " into " +
                                ir::dtype_name(a.accumulator_dtype) + "; use impl: systemc for other types");
  if (opt.fidelity != config::Fidelity::values)
    throw std::invalid_argument("sim.fidelity: " + the_rtl +
                                " needs values fidelity (timing fidelity moves no data through the array)");
  if (opt.fault_pe_row >= 0 && !opt.cosim)
    throw std::invalid_argument(
        "sim.fault_stuck_pe: the stuck multiplier is a fault of the SystemC model; with "
        "arch.array.impl: rtl use arraysim cosim (it applies to the SystemC side)");
}

#ifndef ARRAYSIM_HAVE_RTL
// Built without Verilator: check_array_impl() stops every request before these are reached.
RtlBuildInfo rtl_build_info() { return {}; }

std::unique_ptr<PeArray<std::int8_t, std::int32_t>> make_rtl_array(const char*, const RtlArraySpec&) {
  throw std::logic_error("make_rtl_array: built without Verilator (-DWITH_VERILATOR=ON)");
}

std::unique_ptr<PeArray<std::int8_t, std::int32_t>> make_cosim_array(const char*, const RtlArraySpec&) {
  throw std::logic_error("make_cosim_array: built without Verilator (-DWITH_VERILATOR=ON)");
}
#endif

}  // namespace arraysim::hw
