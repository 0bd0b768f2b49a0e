#pragma once
/// The compute side of the controller in values fidelity: a unit that takes folds, runs them on
/// real values cycle by cycle, and reports what it observed — when each fold read its last
/// operand value, when its last result came out — so that the cycle count emerges from the
/// hardware model instead of from the fold recurrence (which timing fidelity runs,
/// sim/hw/fold_sequencer.hpp). Implementations: the PE array's driver (array_driver.hpp) and the
/// vector unit's (lane_driver.hpp), both templated on the element types.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sim/hw/array_check.hpp"
#include "sim/plan/dataflow.hpp"
#include "sim/plan/plan.hpp"

namespace arraysim::hw {

/// Something a fold finished, observed in layer cycle `cycle`.
struct FoldEvent {
  plan::Operand op = plan::Operand::a;  ///< a, b: its last read of that operand; c: its last output
  std::int64_t fold = 0;
  std::int64_t cycle = 0;
  plan::FoldTiming timing;  ///< c: the fold's observed load start, stream start and last output
};

/// A compute unit in values fidelity. Cycles are layer cycles (0 = the layer's first cycle).
class ComputeUnit {
 public:
  virtual ~ComputeUnit() = default;
  /// Layer `p` starts: registers cleared, no fold in flight.
  virtual void begin_layer(const plan::LayerPlan& p) = 0;
  /// Whether a new fold may start in cycle `c`: the array's state allows it and the unit has
  /// nothing of an earlier fold left to feed where the new one enters.
  virtual bool accepts_fold(std::int64_t c) const = 0;
  /// Fold `f` of the layer's schedule starts in cycle `c` (its operands are in the scratchpads).
  virtual void start_fold(std::int64_t f, std::int64_t c) = 0;
  /// Output latency 1 (the RTL array): captures the bottom edge of the previous cycle, if the
  /// array was clocked in it. False when a mismatch stopped the run (see mismatch).
  virtual bool collect() = 0;
  /// One clock cycle `c`: feeds the edges, clocks the unit, captures what it emits. False when a
  /// mismatch stopped the run.
  virtual bool cycle(std::int64_t c) = 0;
  /// No fold in flight: every started fold has fed all its operands and emitted all its results.
  virtual bool idle() const = 0;
  /// Output elements written into the output buffers since the layer started.
  virtual std::int64_t outputs_written() const = 0;
  /// Co-simulation totals since the run started: (cycles, values) compared; (0, 0) otherwise.
  virtual std::pair<std::int64_t, std::int64_t> cosim_counts() const { return {0, 0}; }

  /// What happened since the controller last cleared it.
  std::vector<FoldEvent> events;
  /// Per fold of the layer: its observed load start, stream start and last output (layer cycles);
  /// filled only when the unit was built to record them (access traces), else empty.
  std::vector<plan::FoldTiming> timing;
  /// The first disagreement (co-simulation, or a result no fold expected); stops the run.
  std::optional<ArrayMismatch> mismatch;
  /// An internal inconsistency (two folds feeding one edge lane in one cycle); stops the run.
  std::string error;
  /// Traced state (VCD): operands entered, results left, the fold most recently fed.
  bool in_valid = false, out_valid = false;
  int fold_index = -1;
};

}  // namespace arraysim::hw
