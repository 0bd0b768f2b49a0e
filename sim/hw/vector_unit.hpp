#pragma once
/// The vector unit's compute part: L MAC lanes with their registers (lane accumulators, held and
/// broadcast operand registers) and the pipelined cross-lane adder tree, clocked by the
/// controller through its driver (sim/hw/lane_driver.hpp); the memory engine runs the DMA and the
/// scratchpad tiles exactly as for the systolic array (docs/vector.md).
#include <cstdint>
#include <deque>
#include <vector>

#include "sim/config/arch_config.hpp"
#include "sim/hw/arith.hpp"
#include "sim/hw/compute_unit.hpp"
#include "sim/lower/dram_layout.hpp"
#include "sim/plan/schedule.hpp"
#include "sim/plan/vector_mapping.hpp"

namespace arraysim::hw {

/// Words of a tile block whose loop across the lanes is not contiguous in DRAM: the DMA writes
/// such a block into the scratchpad transposed, lane dimension contiguous (docs/vector.md,
/// "Strided accesses"), and they are counted as relayout words. `op` 0: A block [m][k], 1: B
/// block [k][n]. Decided from the address generator: lane-neighbour addresses one element apart.
std::int64_t relayout_words(lower::AddressGen& addr, config::GemmLoop parallel, int op, const plan::Tile& t,
                            std::int64_t elem_bytes);

/// L lanes executing the steps of one fold after another with real values. The operand blocks
/// are the tile's scratchpad halves: A [m][k], B [k][n], C [m][n] row-major over the tile.
template <class TIn, class TAcc> class VectorLanes {
 public:
  /// `unit.lanes` ≥ 1; the adder tree adds a step's products `reduction_latency` cycles after the step.
  VectorLanes(const plan::VectorUnitShape& unit, std::int64_t reduction_latency)
      : unit_(unit), latency_(reduction_latency) {
    a_reg_.assign(static_cast<std::size_t>(unit.lanes), TIn{});
    b_reg_.assign(static_cast<std::size_t>(unit.lanes), TIn{});
    acc_.assign(static_cast<std::size_t>(unit.lanes), TAcc{});
  }

  /// Fold `fold` (`fo` of tile `t`) starts in cycle `start` under mapping `map` (each layer has
  /// its own): its steps run back to back. The previous fold's steps must be over (stepping()).
  void begin_fold(const config::VectorMapping& map, const plan::Fold& fo, const plan::Tile& t, const TIn* a,
                  const TIn* b, TAcc* c, std::int64_t start, std::int64_t fold) {
    map_ = map;
    fold_ = fold;
    steps_.clear();
    plan::for_each_vector_step(map_, unit_, fo.m_len, fo.n_len, fo.k_len, fo.accumulate,
                               [this](const plan::VectorStep& s) { steps_.push_back(s); });
    next_ = 0;
    step_end_ = start + (steps_.empty() ? 0 : steps_[0].cycles) - 1;
    a_ = a, b_ = b, c_ = c;
    accumulate_ = fo.accumulate;
    dm_ = fo.m0 - t.m0, dn_ = fo.n0 - t.n0, dk_ = fo.k0 - t.k0;
    k_len_ = t.k_len, n_len_ = t.n_len;
  }

  /// One clock cycle `c`: the step that completes in `c` does its MACs (its operands were read
  /// during its cycles), then the adder tree delivers the sums due in `c`. What a fold finished in
  /// `c` goes to `events`: after its last step, its last reads of A and B (and its last output
  /// unless the adder tree still holds its sums); after the tree's last sum of it, its last output.
  void cycle(std::int64_t c, std::vector<FoldEvent>& events) {
    if (next_ < steps_.size() && c == step_end_) {
      execute(steps_[next_], c);
      if (++next_ < steps_.size()) {
        step_end_ += steps_[next_].cycles;
      } else {
        events.push_back({plan::Operand::a, fold_, c});
        events.push_back({plan::Operand::b, fold_, c});
        if (tree_folds_.empty() || tree_folds_.back().first != fold_) events.push_back({plan::Operand::c, fold_, c});
      }
    }
    while (!tree_.empty() && tree_.front().due <= c) {
      const TreeSum sum = tree_.front();
      tree_.pop_front();
      apply_tree(sum);
      // A fold's last output: its last sum left the tree and its steps are over.
      if (--tree_folds_.front().second == 0) {
        tree_folds_.pop_front();
        if (sum.fold != fold_ || next_ == steps_.size()) events.push_back({plan::Operand::c, sum.fold, c});
      }
    }
  }
  /// True while the current fold has steps left or the tree holds sums.
  bool busy() const { return next_ < steps_.size() || !tree_.empty(); }
  /// True while the current fold has steps left (a new fold cannot start).
  bool stepping() const { return next_ < steps_.size(); }
  std::int64_t outputs_written() const { return outputs_written_; }
  std::int64_t macs() const { return macs_; }

 private:
  /// A sum leaving the adder tree in cycle `due` for C[m][n] of a fold's block.
  struct TreeSum {
    std::int64_t due;
    TAcc* c;
    TAcc value;
    bool first, last, held, accumulate;
    std::int64_t fold;
  };

  void execute(const plan::VectorStep& s, std::int64_t c) {
    using config::GemmLoop;
    const GemmLoop p = map_.parallel;
    const std::int64_t jm = p == GemmLoop::m, jn = p == GemmLoop::n, jk = p == GemmLoop::k;
    TAcc sum{};
    for (std::int64_t j = 0; j < s.lanes; ++j) {
      const std::int64_t m = dm_ + s.m + jm * j, n = dn_ + s.n + jn * j, k = dk_ + s.k + jk * j;
      const std::size_t lj = static_cast<std::size_t>(j);
      // A register lane holds the operand while it is held (or broadcast); read only when the step reads it.
      if (s.read_a) a_reg_[lj] = a_[m * k_len_ + k];
      if (s.read_b) b_reg_[lj] = b_[k * n_len_ + n];
      // Exact in TAcc; every sum below wraps like the accumulator registers (sim/hw/arith.hpp).
      const TAcc prod = static_cast<TAcc>(static_cast<TAcc>(a_reg_[lj]) * static_cast<TAcc>(b_reg_[lj]));
      ++macs_;
      if (p == GemmLoop::k) {
        sum = j == 0 ? prod : add_acc(sum, prod);
        continue;
      }
      TAcc& dst = c_[m * n_len_ + n];
      if (s.c_held) {
        if (s.c_first) acc_[lj] = accumulate_ ? dst : TAcc{};
        acc_[lj] = add_acc(acc_[lj], prod);
        if (s.c_last) dst = acc_[lj], ++outputs_written_;
      } else {
        dst = s.c_first && !accumulate_ ? prod : add_acc(dst, prod);
        ++outputs_written_;
      }
    }
    if (p == GemmLoop::k) {
      tree_.push_back({c + latency_, &c_[(dm_ + s.m) * n_len_ + dn_ + s.n], sum, s.c_first, s.c_last, s.c_held,
                       accumulate_, fold_});
      if (tree_folds_.empty() || tree_folds_.back().first != fold_) tree_folds_.emplace_back(fold_, 0);
      ++tree_folds_.back().second;
    }
  }

  void apply_tree(const TreeSum& t) {
    if (t.held) {
      if (t.first) tree_acc_ = t.accumulate ? *t.c : TAcc{};
      tree_acc_ = add_acc(tree_acc_, t.value);
      if (t.last) *t.c = tree_acc_, ++outputs_written_;
    } else {
      *t.c = t.first && !t.accumulate ? t.value : add_acc(*t.c, t.value);
      ++outputs_written_;
    }
  }

  config::VectorMapping map_;
  plan::VectorUnitShape unit_;
  std::int64_t latency_;
  std::vector<plan::VectorStep> steps_;  ///< the current fold's steps
  std::size_t next_ = 0;                 ///< next step to complete
  std::int64_t step_end_ = 0;            ///< absolute cycle in which steps_[next_] completes
  const TIn* a_ = nullptr;
  const TIn* b_ = nullptr;
  TAcc* c_ = nullptr;
  bool accumulate_ = false;
  std::int64_t dm_ = 0, dn_ = 0, dk_ = 0, k_len_ = 0, n_len_ = 0;
  std::vector<TIn> a_reg_, b_reg_;  ///< operand registers, one word per lane (a broadcast fills all)
  std::vector<TAcc> acc_;           ///< lane accumulators
  TAcc tree_acc_{};                 ///< the accumulator behind the adder tree (parallel k)
  std::deque<TreeSum> tree_;        ///< sums in flight through the pipelined tree
  /// (fold, sums of it in the tree), oldest first (the tree delivers in order).
  std::deque<std::pair<std::int64_t, std::int64_t>> tree_folds_;
  std::int64_t fold_ = -1;  ///< the fold whose steps run
  std::int64_t outputs_written_ = 0, macs_ = 0;
};

}  // namespace arraysim::hw
