#pragma once
/// The vector unit's driver in values fidelity: it hands each fold to the lanes with its tile's
/// scratchpad halves and reports what the lanes observed (docs/vector.md). A new fold starts once
/// the lanes have no step of the previous one left; its results are complete when its last step
/// ran and the adder tree delivered its last sum.
#include <cstdint>
#include <vector>

#include "sim/hw/compute_unit.hpp"
#include "sim/hw/scratchpad.hpp"
#include "sim/hw/vector_unit.hpp"

namespace arraysim::hw {

template <class TIn, class TAcc> class LaneDriver final : public ComputeUnit {
 public:
  /// `record_timing`: keep every fold's timing in `timing` (access traces).
  LaneDriver(VectorLanes<TIn, TAcc>& lanes, Scratchpads<TIn, TAcc>& buffers, bool record_timing)
      : lanes_(lanes), buffers_(buffers), record_(record_timing) {}

  void begin_layer(const plan::LayerPlan& p) override {
    plan_ = &p;
    timing.assign(record_ ? static_cast<std::size_t>(p.schedule.fold_count) : 0, plan::FoldTiming{});
    events.clear();
    written_before_ = lanes_.outputs_written();
    in_flight_ = 0;
  }
  bool accepts_fold(std::int64_t /*c*/) const override { return !lanes_.stepping(); }

  void start_fold(std::int64_t f, std::int64_t c) override {
    const plan::Schedule& s = plan_->schedule;
    const plan::Fold fo = s.fold(f);
    const plan::Tile& t = s.tiles[static_cast<std::size_t>(s.tile_of(f))];
    lanes_.begin_fold(plan_->vector_mapping, fo, t, buffers_.a(t.a_slot), buffers_.b(t.b_slot), buffers_.c(t.c_slot), c,
                      f);
    if (record_) timing[static_cast<std::size_t>(f)].load_start = timing[static_cast<std::size_t>(f)].stream_start = c;
    fold_index = static_cast<int>(f);
    ++in_flight_;
  }

  bool collect() override { return true; }

  bool cycle(std::int64_t c) override {
    const std::size_t first = events.size();
    lanes_.cycle(c, events);
    for (std::size_t i = first; i < events.size(); ++i)
      if (events[i].op == plan::Operand::c) {
        if (record_) timing[static_cast<std::size_t>(events[i].fold)].last_output = c;
        --in_flight_;
      }
    in_valid = out_valid = lanes_.busy();
    return true;
  }

  bool idle() const override { return in_flight_ == 0; }
  std::int64_t outputs_written() const override { return lanes_.outputs_written() - written_before_; }

 private:
  VectorLanes<TIn, TAcc>& lanes_;
  Scratchpads<TIn, TAcc>& buffers_;
  const plan::LayerPlan* plan_ = nullptr;
  std::int64_t written_before_ = 0;  ///< the lanes' outputs of earlier layers
  std::int64_t in_flight_ = 0;       ///< folds started whose last output has not come out
  const bool record_;                ///< fill `timing` (access traces)
};

}  // namespace arraysim::hw
