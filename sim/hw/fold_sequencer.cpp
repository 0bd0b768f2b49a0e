#include "sim/hw/fold_sequencer.hpp"

#include <algorithm>

namespace arraysim::hw {

void FoldSequencer::begin_layer(const plan::LayerPlan& p) {
  plan_ = &p;
  df_ = p.vector ? nullptr : &plan::dataflow(p.schedule.dataflow);
  next_start_ = 0;
  last_output_ = -1;
  timing_.assign(record_ ? static_cast<std::size_t>(p.schedule.fold_count) : 0, plan::FoldTiming{});
}

plan::FoldStep FoldSequencer::start(std::int64_t f, std::int64_t start) {
  const std::size_t i = static_cast<std::size_t>(f);
  plan::FoldStep step;
  if (df_) {
    step = df_->step(plan_->schedule.fold(f), start, rows_);
  } else {
    // The lanes run the fold's steps back to back from its start; the last output is written in
    // its last step's cycle, or the adder tree's latency later (parallel k).
    const std::int64_t cycles = plan_->vector_folds[i].cycles;
    const std::int64_t tree = plan_->vector_mapping.parallel == config::GemmLoop::k ? tree_latency_ : 0;
    step.timing.load_start = step.timing.stream_start = start;
    step.timing.last_output = start + cycles - 1 + tree;
    step.next_start = start + cycles;
    step.last_read_a = step.last_read_b = start + cycles - 1;
  }
  if (record_) timing_[i] = step.timing;
  next_start_ = step.next_start;
  last_output_ = std::max(last_output_, step.timing.last_output);
  return step;
}

}  // namespace arraysim::hw
