#pragma once
/// The PE array's driver in values fidelity: it feeds the array's edges from the scratchpad
/// halves as the dataflow object describes (plan::Dataflow::feed), gives the control strobes
/// (stationary load, OS drain), and captures exactly the results the array flags valid into the
/// output halves, in the order the dataflow names (plan::Dataflow::capture). When a fold may start
/// and when its results are complete are read from the array (PeArray::accepts_fold, the valid
/// bits), never from the fold recurrence: the cycle count of a values run is the hardware's.
#include <algorithm>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "sim/hw/compute_unit.hpp"
#include "sim/hw/pe_array.hpp"
#include "sim/hw/scratchpad.hpp"

namespace arraysim::hw {

template <class TIn, class TAcc> class ArrayDriver final : public ComputeUnit {
 public:
  /// `record_timing`: keep every fold's observed timing in `timing` (access traces; it grows with
  /// the folds). Without it only the folds in flight are held.
  ArrayDriver(PeArray<TIn, TAcc>& array, Scratchpads<TIn, TAcc>& buffers, bool record_timing)
      : array_(array),
        buffers_(buffers),
        R_(array.rows()),
        C_(array.cols()),
        latency_(array.output_latency()),
        record_(record_timing) {
    left_.assign(static_cast<std::size_t>(R_), TIn{});
    top_.assign(static_cast<std::size_t>(C_), TIn{});
    left_valid_.assign(static_cast<std::size_t>(R_), 0);
    top_valid_.assign(static_cast<std::size_t>(C_), 0);
    drain_.assign(static_cast<std::size_t>(C_), 0);
    fifo_.resize(static_cast<std::size_t>(C_));
  }

  void begin_layer(const plan::LayerPlan& p) override {
    s_ = &p.schedule;
    df_ = &plan::dataflow(s_->dataflow);
    array_.reset();
    active_.clear();
    for (auto& q : fifo_) q.clear();
    timing.assign(record_ ? static_cast<std::size_t>(s_->fold_count) : 0, plan::FoldTiming{});
    events.clear();
    outputs_written_ = 0;
    stepped_ = false;
    progress_cycle_ = 0;
  }

  bool accepts_fold(std::int64_t c) const override {
    // The controller knows what the array cannot: whether it still feeds row 0 itself.
    for (const Active& a : active_)
      if (a.stream_start < 0 || c < a.stream_start + a.feed.left.start + a.feed.left.length) return false;
    return array_.accepts_fold();
  }

  void start_fold(std::int64_t f, std::int64_t c) override {
    const plan::Fold fo = s_->fold(f);
    const plan::Tile& t = s_->tiles[static_cast<std::size_t>(s_->tile_of(f))];
    Active a;
    a.f = f;
    a.feed = df_->feed(fo, t, R_);
    a.load_start = c;
    a.stream_start = a.feed.top_is_load ? -1 : c;  // a stationary fold streams once its load is over
    a.left_src = source(a.feed.left.op, t);
    a.top_src = source(a.feed.top.op, t);
    a.left_total = a.feed.left.lanes * a.feed.left.length;
    a.top_total = a.feed.top.lanes * a.feed.top.length;
    a.cols_used = fo.cols_used;
    const plan::FoldCapture cap = df_->capture(fo, t);
    a.columns_left = cap.columns;
    active_.push_back(a);
    for (std::int64_t j = 0; j < cap.columns; ++j)
      fifo_[static_cast<std::size_t>(j)].push_back(Pending{f, cap, 0, buffers_.c(t.c_slot), fo.accumulate});
  }

  bool collect() override {
    if (latency_ != 1 || !stepped_) return true;
    stepped_ = false;
    ArrayOut<TAcc> out;
    array_.collect(out);
    if (const CosimStatus* st = array_.cosim_status(); st && st->mismatch) {
      mismatch = *st->mismatch;
      return false;
    }
    return capture(last_step_, out) && retire();
  }

  bool cycle(std::int64_t c) override {
    // A stationary fold's stream starts in the first cycle after its load is over.
    for (Active& a : active_)
      if (a.stream_start < 0 && c > a.load_start && !array_.loading()) a.stream_start = c;
    std::fill(left_.begin(), left_.end(), TIn{});
    std::fill(top_.begin(), top_.end(), TIn{});
    std::fill(left_valid_.begin(), left_valid_.end(), 0);
    std::fill(top_valid_.begin(), top_valid_.end(), 0);
    std::fill(drain_.begin(), drain_.end(), 0);
    ArrayIn<TIn> in;
    in.left = left_.data(), in.top = top_.data(), in.drain_start = drain_.data();
    in.left_valid = left_valid_.data(), in.top_valid = top_valid_.data();
    bool any_in = false;
    for (Active& a : active_) {
      if (a.feed.top_is_load) {
        if (c == a.load_start) in.load_start = true;
        if (!feed(a, a.feed.top, a.load_start, a.top_src, top_, top_valid_, a.top_fed, a.top_total, c)) return false;
      }
      if (a.stream_start < 0) continue;
      const std::int64_t fed = a.left_fed;
      if (!feed(a, a.feed.left, a.stream_start, a.left_src, left_, left_valid_, a.left_fed, a.left_total, c))
        return false;
      if (!a.feed.top_is_load &&
          !feed(a, a.feed.top, a.stream_start, a.top_src, top_, top_valid_, a.top_fed, a.top_total, c))
        return false;
      if (a.left_fed > fed) any_in = true, fold_index = static_cast<int>(a.f);
      // OS: column j drains from stream_start + drain_after + j.
      if (a.feed.drain_after >= 0) {
        const std::int64_t j = c - (a.stream_start + a.feed.drain_after);
        if (j >= 0 && j < a.cols_used) drain_[static_cast<std::size_t>(j)] = 1;
      }
    }
    in_valid = any_in;
    ArrayOut<TAcc> out;
    array_.step(in, out);
    stepped_ = true;
    last_step_ = c;
    if (latency_ == 0 && !(capture(c, out) && retire())) return false;
    return watchdog(c);
  }

  bool idle() const override { return active_.empty(); }
  std::int64_t outputs_written() const override { return outputs_written_; }
  std::pair<std::int64_t, std::int64_t> cosim_counts() const override {
    const CosimStatus* st = array_.cosim_status();
    return st ? std::make_pair(st->cycles, st->values) : std::make_pair(std::int64_t{0}, std::int64_t{0});
  }

 private:
  /// A fold in flight: its edge streams and how much of each it has fed.
  struct Active {
    std::int64_t f = 0;
    plan::FoldFeed feed;
    std::int64_t load_start = 0, stream_start = -1;
    const TIn* left_src = nullptr;
    const TIn* top_src = nullptr;
    std::int64_t left_fed = 0, top_fed = 0, left_total = 0, top_total = 0;
    std::int64_t cols_used = 0;
    std::int64_t columns_left = 0;  ///< columns that still owe results
    bool fed() const { return left_fed == left_total && top_fed == top_total; }
  };
  /// Results a fold still owes one column, in the order they leave it.
  struct Pending {
    std::int64_t f;
    plan::FoldCapture cap;
    std::int64_t taken;  ///< results captured so far in this column
    TAcc* c;             ///< the fold's output half
    bool accumulate;
  };

  /// The fold in flight with index f (it is, while a column owes its results).
  Active& active(std::int64_t f) {
    return *std::find_if(active_.begin(), active_.end(), [f](const Active& a) { return a.f == f; });
  }

  const TIn* source(plan::Operand op, const plan::Tile& t) {
    return op == plan::Operand::a ? buffers_.a(t.a_slot) : buffers_.b(t.b_slot);
  }

  /// Puts stream `e` (origin: the absolute cycle its `start` counts from) on an edge for cycle
  /// `c`; `fed` counts the values it has fed. When the last one goes in, the fold's last read of
  /// that operand is an event. False on an internal collision.
  bool feed(const Active& a, const plan::EdgeStream& e, std::int64_t origin, const TIn* src, std::vector<TIn>& edge,
            std::vector<std::uint8_t>& valid, std::int64_t& fed, std::int64_t total, std::int64_t c) {
    if (fed == total) return true;
    const std::int64_t t0 = e.reversed ? origin + e.start - c : c - origin - e.start;
    std::int64_t p_lo = 0, p_hi = e.lanes - 1;  // lanes fed this cycle
    if (e.skew == 0 || e.reversed) {
      if (t0 < 0 || t0 >= e.length) return true;
    } else {  // skew 1: lane p gets t = t0 − p
      p_lo = std::max<std::int64_t>(0, t0 - e.length + 1);
      p_hi = std::min(e.lanes - 1, t0);
    }
    for (std::int64_t p = p_lo; p <= p_hi; ++p) {
      const std::int64_t t = e.skew == 0 || e.reversed ? t0 : t0 - p;
      const std::size_t lane = static_cast<std::size_t>(p);
      if (valid[lane]) {
        error = "internal: two folds feed lane " + std::to_string(p) + " of an array edge in layer cycle " +
                std::to_string(c) + " (fold " + std::to_string(a.f) + ")";
        return false;
      }
      edge[lane] = src[e.base + p * e.lane_stride + t * e.time_stride];
      valid[lane] = 1;
    }
    if (p_hi >= p_lo) {
      progress_cycle_ = c;
      fed += p_hi - p_lo + 1;
      if (fed == total) events.push_back({e.op, a.f, c});
    }
    return true;
  }

  /// Writes what the array flags valid at the bottom in cycle `c` into the output halves: the
  /// next result each column owes, in the dataflow's order.
  bool capture(std::int64_t c, const ArrayOut<TAcc>& out) {
    bool any = false;
    for (std::int64_t j = 0; j < C_; ++j) {
      if (!out.valid[j]) continue;
      std::deque<Pending>& q = fifo_[static_cast<std::size_t>(j)];
      if (q.empty()) {
        ArrayMismatch m;
        m.cycle = c, m.row = R_ - 1, m.col = j, m.signal = "valid", m.expected = 0, m.got = 1;
        mismatch = std::move(m);
        return false;
      }
      Pending& p = q.front();
      TAcc& dst = p.c[p.cap.base + j * p.cap.lane_stride + p.taken * p.cap.seq_stride];
      dst = p.accumulate ? add_acc(dst, out.bottom[j]) : out.bottom[j];
      ++outputs_written_;
      any = true;
      if (++p.taken == p.cap.per_column) {
        const std::int64_t f = p.f;
        q.pop_front();
        Active& a = active(f);
        if (--a.columns_left == 0) {
          const plan::FoldTiming ft{a.load_start, a.stream_start, c};
          if (record_) timing[static_cast<std::size_t>(f)] = ft;
          events.push_back({plan::Operand::c, f, c, ft});
        }
      }
    }
    out_valid = any;
    if (any) progress_cycle_ = c;
    return true;
  }

  /// Drops folds that have fed everything and emitted every result.
  bool retire() {
    active_.erase(
        std::remove_if(active_.begin(), active_.end(), [](const Active& a) { return a.fed() && a.columns_left == 0; }),
        active_.end());
    return true;
  }

  /// A fold that has fed everything must see its results within the array's depth and width:
  /// a result that never comes (a valid bit the array dropped) is a mismatch, not a hang.
  bool watchdog(std::int64_t c) {
    bool waiting = false;
    for (const Active& a : active_) {
      if (!a.fed()) return true;
      waiting = true;
    }
    if (!waiting || c - progress_cycle_ <= 2 * (R_ + C_) + 8) return true;
    for (std::int64_t j = 0; j < C_; ++j)
      if (!fifo_[static_cast<std::size_t>(j)].empty()) {
        ArrayMismatch m;
        m.cycle = c, m.row = R_ - 1, m.col = j, m.signal = "valid", m.expected = 1, m.got = 0;
        mismatch = std::move(m);
        return false;
      }
    return true;
  }

  PeArray<TIn, TAcc>& array_;
  Scratchpads<TIn, TAcc>& buffers_;
  const std::int64_t R_, C_;
  const int latency_;  ///< 0 or 1, see PeArray::output_latency
  const plan::Schedule* s_ = nullptr;
  const plan::Dataflow* df_ = nullptr;
  std::vector<Active> active_;
  std::vector<std::deque<Pending>> fifo_;  ///< per column: the folds whose results it still owes
  const bool record_;                      ///< fill `timing` for every fold (access traces)
  std::vector<TIn> left_, top_;
  std::vector<std::uint8_t> left_valid_, top_valid_, drain_;
  std::int64_t outputs_written_ = 0;
  bool stepped_ = false;  ///< latency 1: clocked in `last_step_`, not yet collected
  std::int64_t last_step_ = 0;
  std::int64_t progress_cycle_ = 0;  ///< the last cycle a value went in or a result came out
};

}  // namespace arraysim::hw
