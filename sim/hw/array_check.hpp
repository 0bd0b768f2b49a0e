#pragma once
/// Co-simulation results: what was compared between the SystemC array and the Verilated RTL
/// array, and the first disagreement (no SystemC here, so sim/app can use it).
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

namespace arraysim::hw {

/// The first disagreement of a co-simulation. `signal` names the register or edge:
/// "a" (streamed operand), "b" (OS vertical operand), "w" (WS/IS stationary operand), "acc" (OS
/// accumulator), "psum" (WS/IS partial sum), "bottom" (value leaving the array), "valid" (the
/// RTL's bottom_valid against the cycles the schedule captures an output). PE registers are
/// reported at their PE (row, col); "bottom" and "valid" at the bottom row (row = rows - 1).
struct ArrayMismatch {
  std::string layer;       ///< layer name
  std::int64_t cycle = 0;  ///< layer cycle (0 = the layer's first cycle, as in docs/timing.md)
  std::int64_t row = 0, col = 0;
  std::string signal;
  std::int64_t expected = 0;  ///< the SystemC model's value (for "valid": the schedule's)
  std::int64_t got = 0;       ///< the RTL's value
  /// `cosim: MISMATCH at cycle C row R col J: expected X got Y` (the line `arraysim cosim` prints).
  std::string line() const {
    return "cosim: MISMATCH at cycle " + std::to_string(cycle) + " row " + std::to_string(row) + " col " +
           std::to_string(col) + ": expected " + std::to_string(expected) + " got " + std::to_string(got);
  }
};

/// Running totals of a co-simulating array: cycles compared, values compared (PE registers,
/// bottom-edge values and valid bits) and the first mismatch, if any.
struct CosimStatus {
  std::int64_t cycles = 0;
  std::int64_t values = 0;
  std::optional<ArrayMismatch> mismatch;
};

/// Thrown by hw::simulate() when the RTL array disagrees with the SystemC model (co-simulation)
/// or its valid outputs disagree with the schedule. The simulation stops at the first one.
class ArrayMismatchError : public std::runtime_error {
 public:
  explicit ArrayMismatchError(ArrayMismatch m)
      : std::runtime_error(m.line() + " (" + m.signal + ", layer " + m.layer + ")"), mismatch_(std::move(m)) {}
  const ArrayMismatch& mismatch() const { return mismatch_; }

 private:
  ArrayMismatch mismatch_;
};

}  // namespace arraysim::hw
