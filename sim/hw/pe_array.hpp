#pragma once
/// The PE-array interface and the SystemC model of the systolic array.
///
/// The array is driven one clock cycle at a time through its edges: values entering the left
/// column and the top row, two control strobes, and the values leaving the bottom row. The
/// SystemC model below and the Verilated RTL array implement the same contract, documented
/// cycle by cycle in docs/timing.md.
#include <cstdint>
#include <cstring>
#include <string>
#include <systemc>
#include <type_traits>
#include <vector>

#include "sim/hw/arith.hpp"
#include "sim/hw/array_check.hpp"

/// Hot loops are compiled for AVX2 and for the baseline x86-64 ISA; the loader picks the best the
/// host supports (GCC function multi-versioning), so one binary runs everywhere.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_ADDRESS__)
#define ARRAYSIM_VECTOR_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define ARRAYSIM_VECTOR_CLONES
#endif

namespace arraysim::hw {

/// Which operand stays in the PEs. `stationary` serves WS (weights) and IS (inputs).
enum class ArrayMode { output_stationary, stationary };

/// Edge inputs of one cycle. Bubbles are zeros: a zero operand adds nothing to any sum.
template <class TIn> struct ArrayIn {
  const TIn* left = nullptr;  ///< rows values entering column 0 of each row (streamed operand)
  const TIn* top = nullptr;   ///< cols values entering row 0 of each column (OS: B; WS/IS: stationary load)
  bool load_start = false;    ///< WS/IS: a stationary load starts this cycle (lasts `rows` cycles)
  const std::uint8_t* drain_start = nullptr;  ///< OS: per column, its accumulators start draining this cycle
  /// Per row / column: `left` / `top` carries data, not a bubble. Only the RTL array uses them
  /// (its valid bits); the SystemC model ignores them. nullptr: all bubbles.
  const std::uint8_t* left_valid = nullptr;
  const std::uint8_t* top_valid = nullptr;
};

/// Edge outputs of one cycle.
template <class TAcc> struct ArrayOut {
  const TAcc* bottom = nullptr;  ///< cols values leaving the bottom row (WS/IS psums, OS drained results)
  /// Per column: the array flags bottom[j] as a result (the RTL's bottom_valid); nullptr when the
  /// implementation has no valid outputs (the SystemC model: the schedule alone says what is valid).
  const std::uint8_t* valid = nullptr;
};

/// OS multiply-accumulate of the whole array: acc(i, j) += a(i, j)·b(i, j). The `a` registers of
/// row i are a[i·2C + a_base + j] (a mirrored ring, see SystolicArray), the `b` registers
/// b[((b_base + i) mod R)·C + j].
template <class TIn, class TAcc>
ARRAYSIM_VECTOR_CLONES void os_mac_all(TAcc* __restrict acc, const TIn* __restrict a, const TIn* __restrict b,
                                       std::int64_t R, std::int64_t C, std::int64_t a_base, std::int64_t b_base) {
  for (std::int64_t i = 0; i < R; ++i) {
    TAcc* __restrict ar = acc + i * C;
    const TIn* __restrict arow = a + i * 2 * C + a_base;
    std::int64_t bi = b_base + i;
    if (bi >= R) bi -= R;
    const TIn* __restrict br = b + bi * C;
    for (std::int64_t j = 0; j < C; ++j) ar[j] = mac(ar[j], arow[j], br[j]);
  }
}

/// Stationary-mode partial sums of the whole array, bottom-up in place:
/// p(i, j) = p(i-1, j) [old] + a(i, j)·w(i, j), p(-1, j) = 0. `a` as in os_mac_all.
template <class TIn, class TAcc>
ARRAYSIM_VECTOR_CLONES void ws_psum_all(TAcc* __restrict p, const TIn* __restrict a, const TIn* __restrict w,
                                        std::int64_t R, std::int64_t C, std::int64_t a_base) {
  for (std::int64_t i = R - 1; i >= 0; --i) {
    TAcc* __restrict pr = p + i * C;
    const TIn* __restrict wr = w + i * C;
    const TIn* __restrict arow = a + i * 2 * C + a_base;
    if (i > 0) {
      const TAcc* __restrict up = p + (i - 1) * C;
      for (std::int64_t j = 0; j < C; ++j) pr[j] = mac(up[j], arow[j], wr[j]);
    } else {
      for (std::int64_t j = 0; j < C; ++j) pr[j] = mac(TAcc{}, arow[j], wr[j]);
    }
  }
}

/// The interface every PE-array implementation offers the controller.
template <class TIn, class TAcc> class PeArray : public sc_core::sc_module {
 public:
  PeArray(sc_core::sc_module_name name, std::int64_t rows, std::int64_t cols, ArrayMode mode)
      : sc_core::sc_module(name), rows_(rows), cols_(cols), mode_(mode) {}
  std::int64_t rows() const { return rows_; }
  std::int64_t cols() const { return cols_; }
  ArrayMode mode() const { return mode_; }
  /// Clears every register (start of a layer).
  virtual void reset() = 0;
  /// Advances the array by one clock cycle.
  virtual void step(const ArrayIn<TIn>& in, ArrayOut<TAcc>& out) = 0;
  /// Adds the PE registers to a VCD (called before simulation starts).
  virtual void trace(sc_core::sc_trace_file*) {}

  /// Output latency in controller activations. 0: step() returns the cycle's bottom edge in
  /// `out` (the SystemC model). 1: the cycle happens on a clock edge after step() returns (the
  /// Verilated array, whose pins are SystemC signals), so step() leaves `out` empty and the
  /// controller reads that cycle's bottom edge with collect() at its next activation, before the
  /// next step(). Either way cycle numbers are array cycles: one step() per cycle.
  virtual int output_latency() const { return 0; }
  /// Latency 1 only: the bottom edge (and valid bits) of the cycle of the last step().
  virtual void collect(ArrayOut<TAcc>& out) { out = ArrayOut<TAcc>{}; }
  /// Co-simulation (the SystemC and the RTL array in lock-step): comparisons so far and the first
  /// mismatch, updated by collect(); nullptr for a single implementation.
  virtual const CosimStatus* cosim_status() const { return nullptr; }
  /// Arrays with their own waveform writer (the Verilated array) start it here, after the first
  /// delta cycle (sc_start(SC_ZERO_TIME)); returns false when the array has none (use trace()).
  virtual bool open_waveform(const std::string& /*path*/) { return false; }
  /// Test aid: the multiplier of PE(row, col) outputs 0 from now on (checks that checks fail).
  void inject_stuck_multiplier(std::int64_t row, std::int64_t col) { fault_row_ = row, fault_col_ = col; }

 protected:
  std::int64_t rows_, cols_;
  ArrayMode mode_;
  std::int64_t fault_row_ = -1, fault_col_ = -1;
};

/// The SystemC model: one R×C array as contiguous register files (structure of arrays), updated
/// by one call per cycle. Registers per PE: `a` (operand moving right), `b` (OS: operand moving
/// down), `w` (WS/IS: stationary operand), `acc` (OS accumulator / WS-IS partial sum moving down).
///
/// Moving registers are stored as rings: `a` rotates over columns and `b` over rows, so a shift of
/// the whole array is one index update; a_reg(i, j) and b_reg(i, j) give the register contents.
template <class TIn, class TAcc> class SystolicArray final : public PeArray<TIn, TAcc> {
 public:
  SystolicArray(sc_core::sc_module_name name, std::int64_t rows, std::int64_t cols, ArrayMode mode)
      : PeArray<TIn, TAcc>(name, rows, cols, mode), R_(rows), C_(cols) {
    a_.assign(static_cast<std::size_t>(R_ * 2 * C_), TIn{});
    b_.assign(static_cast<std::size_t>(R_ * C_), TIn{});
    w_.assign(static_cast<std::size_t>(R_ * C_), TIn{});
    acc_.assign(static_cast<std::size_t>(R_ * C_), TAcc{});
    out_.assign(static_cast<std::size_t>(C_), TAcc{});
    drain_pos_.assign(static_cast<std::size_t>(C_), -1);
    trace_a_.assign(static_cast<std::size_t>(R_ * C_), TIn{});
    trace_b_.assign(static_cast<std::size_t>(R_ * C_), TIn{});
  }

  void reset() override {
    std::fill(a_.begin(), a_.end(), TIn{});
    std::fill(b_.begin(), b_.end(), TIn{});
    std::fill(w_.begin(), w_.end(), TIn{});
    std::fill(acc_.begin(), acc_.end(), TAcc{});
    std::fill(drain_pos_.begin(), drain_pos_.end(), -1);
    a_base_ = b_base_ = 0;
    load_pos_ = -1;
  }

  void step(const ArrayIn<TIn>& in, ArrayOut<TAcc>& out) override {
    if (this->mode_ == ArrayMode::stationary) step_stationary(in);
    else step_output_stationary(in);
    out.bottom = this->mode_ == ArrayMode::stationary ? &acc_[static_cast<std::size_t>((R_ - 1) * C_)] : out_.data();
    if (tracing_) refresh_trace();
  }

  /// Register contents of PE(i, j) as the hardware holds them after the last step.
  TIn a_reg(std::int64_t i, std::int64_t j) const { return a_[static_cast<std::size_t>(i * 2 * C_ + a_base_ + j)]; }
  TIn b_reg(std::int64_t i, std::int64_t j) const { return b_[idx((b_base_ + i) % R_, j)]; }
  TIn w_reg(std::int64_t i, std::int64_t j) const { return w_[idx(i, j)]; }
  TAcc acc_reg(std::int64_t i, std::int64_t j) const { return acc_[idx(i, j)]; }

  void trace(sc_core::sc_trace_file* tf) override {
    tracing_ = true;
    const std::string base = this->name();
    for (std::int64_t i = 0; i < R_; ++i)
      for (std::int64_t j = 0; j < C_; ++j) {
        const std::string pe = base + ".pe_" + std::to_string(i) + "_" + std::to_string(j);
        sc_core::sc_trace(tf, trace_a_[idx(i, j)], pe + ".a");
        if (this->mode_ == ArrayMode::output_stationary) sc_core::sc_trace(tf, trace_b_[idx(i, j)], pe + ".b");
        else sc_core::sc_trace(tf, w_[idx(i, j)], pe + ".w");
        sc_core::sc_trace(tf, acc_[idx(i, j)], pe + (this->mode_ == ArrayMode::stationary ? ".psum" : ".acc"));
      }
  }

 private:
  std::size_t idx(std::int64_t i, std::int64_t j) const { return static_cast<std::size_t>(i * C_ + j); }

  /// Shifts `a` one column right: the ring base moves left and column 0 takes the left edge.
  /// Each row's ring has 2C slots and every value is written at p and p + C, so the C registers of
  /// a row are always the contiguous slots [a_base, a_base + C).
  void shift_a(const TIn* left) {
    a_base_ = (a_base_ + C_ - 1) % C_;
    for (std::int64_t i = 0; i < R_; ++i) {
      const TIn v = left ? left[i] : TIn{};
      a_[static_cast<std::size_t>(i * 2 * C_ + a_base_)] = v;
      a_[static_cast<std::size_t>(i * 2 * C_ + a_base_ + C_)] = v;
    }
  }

  void step_stationary(const ArrayIn<TIn>& in) {
    // Stationary load: rows 0..load_pos shift down one row, row 0 takes the top edge. Row i thus
    // shifts during cycles [L+i, L+R-1] and ends holding the (R-1-i)-th value fed at the top.
    if (in.load_start) load_pos_ = 0;
    if (load_pos_ >= 0) {
      for (std::int64_t i = load_pos_; i >= 1; --i)
        std::memcpy(&w_[idx(i, 0)], &w_[idx(i - 1, 0)], sizeof(TIn) * static_cast<std::size_t>(C_));
      for (std::int64_t j = 0; j < C_; ++j) w_[idx(0, j)] = in.top ? in.top[j] : TIn{};
      if (++load_pos_ == R_) load_pos_ = -1;
    }
    shift_a(in.left);
    // Partial sums move down: bottom-up in place, so row i reads row i-1's value of the last cycle.
    const std::int64_t fr = this->fault_row_, fc = this->fault_col_;
    const bool faulty = fr >= 0 && fr < R_ && fc >= 0 && fc < C_;
    const TAcc above = faulty && fr > 0 ? acc_[idx(fr - 1, fc)] : TAcc{};
    ws_psum_all(acc_.data(), a_.data(), w_.data(), R_, C_, a_base_);
    if (faulty) acc_[idx(fr, fc)] = above;  // the stuck multiplier adds nothing to the psum passing by
  }

  void step_output_stationary(const ArrayIn<TIn>& in) {
    shift_a(in.left);
    // `b` moves down one row: the ring base moves up and row 0 takes the top edge.
    b_base_ = (b_base_ + R_ - 1) % R_;
    for (std::int64_t j = 0; j < C_; ++j) b_[idx(b_base_, j)] = in.top ? in.top[j] : TIn{};
    if (in.drain_start)
      for (std::int64_t j = 0; j < C_; ++j)
        if (in.drain_start[j]) drain_pos_[static_cast<std::size_t>(j)] = 0;
    // The bottom row emits its accumulator before this cycle's shift.
    std::memcpy(out_.data(), &acc_[idx(R_ - 1, 0)], sizeof(TAcc) * static_cast<std::size_t>(C_));
    // PE(i, j) shifts (takes the accumulator above; row 0 takes 0) while column j's drain position
    // is in [0, i]; otherwise it accumulates a·b. Every PE first multiplies-accumulates (one
    // vectorisable pass), then the few draining columns overwrite their shifting rows with the
    // value held above them in the previous cycle.
    draining_.clear();
    for (std::int64_t j = 0; j < C_; ++j)
      if (drain_pos_[static_cast<std::size_t>(j)] >= 0) draining_.push_back(j);
    // Old accumulators of the draining columns (a shift reads the value above from last cycle).
    saved_.resize(draining_.size() * static_cast<std::size_t>(R_));
    for (std::size_t d = 0; d < draining_.size(); ++d)
      for (std::int64_t i = 0; i < R_; ++i) saved_[d * static_cast<std::size_t>(R_) + static_cast<std::size_t>(i)] = acc_[idx(i, draining_[d])];
    const std::int64_t fr = this->fault_row_, fc = this->fault_col_;
    const bool faulty = fr >= 0 && fr < R_ && fc >= 0 && fc < C_;
    const TAcc before = faulty ? acc_[idx(fr, fc)] : TAcc{};
    os_mac_all(acc_.data(), a_.data(), b_.data(), R_, C_, a_base_, b_base_);
    if (faulty) acc_[idx(fr, fc)] = before;  // the stuck multiplier adds nothing
    for (std::size_t d = 0; d < draining_.size(); ++d) {
      const std::int64_t j = draining_[d];
      const TAcc* old = &saved_[d * static_cast<std::size_t>(R_)];
      for (std::int64_t i = drain_pos_[static_cast<std::size_t>(j)]; i < R_; ++i)
        acc_[idx(i, j)] = i > 0 ? old[i - 1] : TAcc{};
    }
    for (std::int64_t j = 0; j < C_; ++j) {
      std::int32_t& p = drain_pos_[static_cast<std::size_t>(j)];
      if (p >= 0 && ++p == R_) p = -1;
    }
  }

  void refresh_trace() {
    for (std::int64_t i = 0; i < R_; ++i)
      for (std::int64_t j = 0; j < C_; ++j) {
        trace_a_[idx(i, j)] = a_reg(i, j);
        trace_b_[idx(i, j)] = b_reg(i, j);
      }
  }

  std::int64_t R_, C_;
  std::vector<TIn> a_, b_, w_;
  std::vector<TAcc> acc_, out_;
  std::vector<std::int32_t> drain_pos_;  ///< per column: cycles since its drain started, -1 if idle
  std::vector<std::int64_t> draining_;   ///< columns with a drain in progress (this cycle)
  std::vector<TAcc> saved_;              ///< their accumulators before this cycle
  std::int64_t a_base_ = 0, b_base_ = 0;
  std::int64_t load_pos_ = -1;  ///< cycles since the stationary load started, -1 if idle
  bool tracing_ = false;
  std::vector<TIn> trace_a_, trace_b_;  ///< logical copies of the rings, for VCD only
};

}  // namespace arraysim::hw
