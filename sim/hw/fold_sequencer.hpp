#pragma once
/// Timing fidelity: the fold recurrence of docs/timing.md (and docs/vector.md for the lanes),
/// one evaluation per fold. The controller asks when the array lets the next fold start, starts
/// it then or later (when its operands arrive later), and the sequencer says when that fold reads
/// its last operands and emits its last output. Values fidelity does not use it: there the array
/// driver observes the same instants from the hardware model (sim/hw/array_driver.hpp).
#include <cstdint>
#include <vector>

#include "sim/plan/dataflow.hpp"
#include "sim/plan/plan.hpp"

namespace arraysim::hw {

class FoldSequencer {
 public:
  /// `rows`: the array's rows (systolic); `reduction_latency_cycles`: the vector unit's adder tree.
  /// `record_timing`: keep every fold's timing (access traces; it grows with the folds).
  FoldSequencer(std::int64_t rows, std::int64_t reduction_latency_cycles, bool record_timing)
      : rows_(rows), tree_latency_(reduction_latency_cycles), record_(record_timing) {}

  /// Layer `p` starts: no fold started, the first may start in layer cycle 0.
  void begin_layer(const plan::LayerPlan& p);
  /// The earliest layer cycle at which the next fold may start (the recurrence's natural start).
  std::int64_t next_start() const { return next_start_; }
  /// Fold `f` starts in layer cycle `start` (≥ next_start()): its step, all in layer cycles.
  plan::FoldStep start(std::int64_t f, std::int64_t start);
  /// The latest last output of the folds started so far (−1 before the first).
  std::int64_t last_output() const { return last_output_; }
  /// Per fold: its timing (valid for started folds; empty unless recording).
  const std::vector<plan::FoldTiming>& timing() const { return timing_; }

 private:
  std::int64_t rows_, tree_latency_;
  bool record_;
  const plan::LayerPlan* plan_ = nullptr;
  const plan::Dataflow* df_ = nullptr;
  std::int64_t next_start_ = 0, last_output_ = -1;
  std::vector<plan::FoldTiming> timing_;
};

}  // namespace arraysim::hw
