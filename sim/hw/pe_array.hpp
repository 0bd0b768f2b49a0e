#pragma once
/// The PE-array interface and the SystemC model of the systolic array.
///
/// The array is driven one clock cycle at a time through its edges: values entering the left
/// column and the top row, two control strobes, and the values leaving the bottom row. The
/// SystemC model below and the Verilated RTL array implement the same contract, documented
/// cycle by cycle in docs/timing.md.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
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
  /// Per row / column: `left` / `top` carries data, not a bubble; the flag travels with the value
  /// through the array (valid bits). nullptr: all bubbles.
  const std::uint8_t* left_valid = nullptr;
  const std::uint8_t* top_valid = nullptr;
};

/// Edge outputs of one cycle.
template <class TAcc> struct ArrayOut {
  const TAcc* bottom = nullptr;  ///< cols values leaving the bottom row (WS/IS psums, OS drained results)
  /// Per column: bottom[j] is a result (the valid bit that travelled with it, as the RTL's
  /// bottom_valid). Every implementation sets it; the controller captures exactly these.
  const std::uint8_t* valid = nullptr;
};

/// OS: one cycle of every accumulator, bottom-up in place. PE(i, j) shifts (takes the
/// accumulator above as it was before this cycle; row 0 takes 0) while column j's drain position
/// `drain[j]` is in [0, i] (−1: the column does not drain); otherwise it accumulates
/// a(i, j)·b(i, j). The `a` registers of row i are a[i·2C + a_base + j] (a mirrored ring, see
/// SystolicArray), the `b` registers b[((b_base + i) mod R)·C + j].
template <class TIn, class TAcc>
ARRAYSIM_VECTOR_CLONES void os_step_all(TAcc* acc, const TIn* __restrict a, const TIn* __restrict b,
                                        const std::int32_t* __restrict drain, std::int64_t R, std::int64_t C,
                                        std::int64_t a_base, std::int64_t b_base) {
  for (std::int64_t i = R - 1; i >= 0; --i) {
    TAcc* __restrict ar = acc + i * C;
    const TIn* __restrict arow = a + i * 2 * C + a_base;
    std::int64_t bi = b_base + i;
    if (bi >= R) bi -= R;
    const TIn* __restrict br = b + bi * C;
    const std::uint32_t row = static_cast<std::uint32_t>(i);
    if (i > 0) {
      const TAcc* __restrict up = acc + (i - 1) * C;
      for (std::int64_t j = 0; j < C; ++j) {
        const TAcc m = mac(ar[j], arow[j], br[j]);
        ar[j] = static_cast<std::uint32_t>(drain[j]) <= row ? up[j] : m;
      }
    } else {
      for (std::int64_t j = 0; j < C; ++j) {
        const TAcc m = mac(ar[j], arow[j], br[j]);
        ar[j] = drain[j] == 0 ? TAcc{} : m;
      }
    }
  }
}

/// OS valid results, the flags' counterpart of os_step_all: a PE holds a valid result once it
/// multiplied two valid operands; while it shifts it takes the flag above (row 0: none). `drain`
/// as there, as unsigned positions of type D with "no drain" the largest value; D is 8 bits when
/// R < 255 (so that the comparison vectorises with the flags), else 16 bits.
template <class D>
ARRAYSIM_VECTOR_CLONES void os_valid_step_all(std::uint8_t* p, const std::uint8_t* __restrict a,
                                              const std::uint8_t* __restrict b, const D* __restrict drain,
                                              std::int64_t R, std::int64_t C, std::int64_t a_base,
                                              std::int64_t b_base) {
  for (std::int64_t i = R - 1; i >= 0; --i) {
    std::uint8_t* __restrict pr = p + i * C;
    const std::uint8_t* __restrict arow = a + i * 2 * C + a_base;
    std::int64_t bi = b_base + i;
    if (bi >= R) bi -= R;
    const std::uint8_t* __restrict br = b + bi * C;
    const D row = static_cast<D>(i);
    // Branch-free select (vectorises): sh = all ones where the PE shifts.
    if (i > 0) {
      const std::uint8_t* __restrict up = p + (i - 1) * C;
      for (std::int64_t j = 0; j < C; ++j) {
        const std::uint8_t sh = static_cast<std::uint8_t>(-static_cast<int>(drain[j] <= row));
        pr[j] = static_cast<std::uint8_t>((up[j] & sh) | ((pr[j] | (arow[j] & br[j])) & ~sh));
      }
    } else {
      for (std::int64_t j = 0; j < C; ++j) {
        const std::uint8_t sh = static_cast<std::uint8_t>(-static_cast<int>(drain[j] == 0));
        pr[j] = static_cast<std::uint8_t>((pr[j] | (arow[j] & br[j])) & ~sh);
      }
    }
  }
}

/// Stationary-mode partial sums of the whole array, bottom-up in place:
/// p(i, j) = p(i-1, j) [old] + a(i, j)·w(i, j), p(-1, j) = 0. `a` as in os_step_all.
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

/// WS/IS valid partial sums of the whole array, the counterpart of ws_psum_all on flags:
/// p(i, j) = p(i-1, j) [old] | (a(i, j) & w(i, j)), p(-1, j) = 0; `a` as in os_step_all.
ARRAYSIM_VECTOR_CLONES inline void ws_valid_all(std::uint8_t* __restrict p, const std::uint8_t* __restrict a,
                                                const std::uint8_t* __restrict w, std::int64_t R, std::int64_t C,
                                                std::int64_t a_base) {
  for (std::int64_t i = R - 1; i >= 0; --i) {
    std::uint8_t* __restrict pr = p + i * C;
    const std::uint8_t* __restrict wr = w + i * C;
    const std::uint8_t* __restrict arow = a + i * 2 * C + a_base;
    if (i > 0) {
      const std::uint8_t* __restrict up = p + (i - 1) * C;
      for (std::int64_t j = 0; j < C; ++j) pr[j] = up[j] | (arow[j] & wr[j]);
    } else {
      for (std::int64_t j = 0; j < C; ++j) pr[j] = arow[j] & wr[j];
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
  /// Whether the array's registers let a new fold start in this cycle (docs/timing.md), read
  /// from their valid bits as the RTL holds them. OS: PE(0,0) holds no result still to be
  /// drained (the next fold's wave then never meets a PE before it is free). WS/IS: no stationary
  /// load is running and no valid streamed value in row 0 still has a valid stationary value
  /// ahead of it (row 0 has done its last MAC, so its stationary register may be overwritten).
  /// The controller adds what only it knows: whether it still feeds row 0 itself.
  virtual bool accepts_fold() const = 0;
  /// WS/IS: a stationary load is running (its `rows` cycles are not over).
  virtual bool loading() const = 0;
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
  /// The type an operand register is traced as (see trace_a_).
  using TraceValue = std::conditional_t<std::is_integral_v<TIn>, int, TIn>;

 public:
  SystolicArray(sc_core::sc_module_name name, std::int64_t rows, std::int64_t cols, ArrayMode mode)
      : PeArray<TIn, TAcc>(name, rows, cols, mode), R_(rows), C_(cols) {
    a_.assign(static_cast<std::size_t>(R_ * 2 * C_), TIn{});
    b_.assign(static_cast<std::size_t>(R_ * C_), TIn{});
    w_.assign(static_cast<std::size_t>(R_ * C_), TIn{});
    acc_.assign(static_cast<std::size_t>(R_ * C_), TAcc{});
    out_.assign(static_cast<std::size_t>(C_), TAcc{});
    drain_pos_.assign(static_cast<std::size_t>(C_), -1);
    drain8_.assign(static_cast<std::size_t>(C_), 0xff);
    drain16_.assign(static_cast<std::size_t>(C_), 0xffff);
    trace_a_.assign(static_cast<std::size_t>(R_ * C_), TraceValue{});
    trace_v_.assign(static_cast<std::size_t>(R_ * C_), TraceValue{});
    av_.assign(a_.size(), 0);
    bv_.assign(b_.size(), 0);
    wv_.assign(w_.size(), 0);
    pv_.assign(acc_.size(), 0);
    wlen_.assign(static_cast<std::size_t>(R_), 0);
    a_ext_.assign(static_cast<std::size_t>(R_), 0);
    wprefix_.assign(static_cast<std::size_t>(R_), 1);
    out_valid_.assign(static_cast<std::size_t>(C_), 0);
  }

  void reset() override {
    std::fill(a_.begin(), a_.end(), TIn{});
    std::fill(b_.begin(), b_.end(), TIn{});
    std::fill(w_.begin(), w_.end(), TIn{});
    std::fill(acc_.begin(), acc_.end(), TAcc{});
    for (auto* v : {&av_, &bv_, &wv_, &pv_}) std::fill(v->begin(), v->end(), 0);
    std::fill(wlen_.begin(), wlen_.end(), 0);
    std::fill(a_ext_.begin(), a_ext_.end(), 0);
    std::fill(wprefix_.begin(), wprefix_.end(), 1);
    std::fill(drain_pos_.begin(), drain_pos_.end(), -1);
    a_base_ = b_base_ = 0;
    load_pos_ = -1;
    if (tracing_) refresh_trace();
  }

  void step(const ArrayIn<TIn>& in, ArrayOut<TAcc>& out) override {
    if (this->mode_ == ArrayMode::stationary)
      step_stationary(in);
    else
      step_output_stationary(in);
    const std::size_t bottom = static_cast<std::size_t>((R_ - 1) * C_);
    out.bottom = this->mode_ == ArrayMode::stationary ? &acc_[bottom] : out_.data();
    out.valid = this->mode_ == ArrayMode::stationary ? &pv_[bottom] : out_valid_.data();
    if (tracing_) refresh_trace();
  }

  bool accepts_fold() const override {
    if (this->mode_ == ArrayMode::output_stationary) return !pv_[0];
    if (load_pos_ >= 0) return false;
    // A valid value in row 0, column j, would meet the stationary value of column j+1 next cycle.
    for (std::int64_t j = 0; j + 1 < C_; ++j)
      if (a_valid(0, j) && wv_[idx(0, j + 1)]) return false;
    return true;
  }
  bool loading() const override { return load_pos_ >= 0; }

  /// Register contents of PE(i, j) as the hardware holds them after the last step.
  TIn a_reg(std::int64_t i, std::int64_t j) const { return a_[aidx(i, j)]; }
  TIn b_reg(std::int64_t i, std::int64_t j) const { return b_[idx((b_base_ + i) % R_, j)]; }
  TIn w_reg(std::int64_t i, std::int64_t j) const { return w_[idx(i, j)]; }
  TAcc acc_reg(std::int64_t i, std::int64_t j) const { return acc_[idx(i, j)]; }
  /// Valid bits of PE(i, j) (rtl/pe_array.sv's av_q, vv_q, pv_q): the streamed operand, the
  /// vertical operand (OS b, WS/IS w), the sum (OS: the accumulator holds a result; WS/IS: the
  /// partial sum carries one).
  bool a_valid(std::int64_t i, std::int64_t j) const { return av_[aidx(i, j)] != 0; }
  bool v_valid(std::int64_t i, std::int64_t j) const {
    return (this->mode_ == ArrayMode::output_stationary ? bv_[idx((b_base_ + i) % R_, j)] : wv_[idx(i, j)]) != 0;
  }
  bool sum_valid(std::int64_t i, std::int64_t j) const { return pv_[idx(i, j)] != 0; }

  /// Traces copies of the registers (refreshed after every step), so that the VCD shows what the
  /// rings hold in logical positions and every operand type has a matching sc_trace overload.
  void trace(sc_core::sc_trace_file* tf) override {
    tracing_ = true;
    refresh_trace();
    const std::string base = this->name();
    const bool os = this->mode_ == ArrayMode::output_stationary;
    for (std::int64_t i = 0; i < R_; ++i)
      for (std::int64_t j = 0; j < C_; ++j) {
        const std::string pe = base + ".pe_" + std::to_string(i) + "_" + std::to_string(j);
        trace_value(tf, trace_a_[idx(i, j)], pe + ".a");
        trace_value(tf, trace_v_[idx(i, j)], pe + (os ? ".b" : ".w"));
        sc_core::sc_trace(tf, acc_[idx(i, j)], pe + (os ? ".acc" : ".psum"));
      }
  }

 private:
  std::size_t idx(std::int64_t i, std::int64_t j) const { return static_cast<std::size_t>(i * C_ + j); }
  /// Slot of PE(i, j)'s `a` register in its row's ring.
  std::size_t aidx(std::int64_t i, std::int64_t j) const { return static_cast<std::size_t>(i * 2 * C_ + a_base_ + j); }

  /// Shifts `a` and its valid flags one column right: the ring base moves left and column 0 takes
  /// the left edge. Each row's ring has 2C slots and every value is written at p and p + C, so
  /// the C registers of a row are always the contiguous slots [a_base, a_base + C).
  void shift_a(const TIn* left, const std::uint8_t* left_valid) {
    a_base_ = (a_base_ + C_ - 1) % C_;
    for (std::int64_t i = 0; i < R_; ++i) {
      const std::size_t slot = static_cast<std::size_t>(i * 2 * C_ + a_base_);
      a_[slot] = a_[slot + static_cast<std::size_t>(C_)] = left ? left[i] : TIn{};
      const bool v = left_valid && left_valid[i];
      av_[slot] = av_[slot + static_cast<std::size_t>(C_)] = v ? 1 : 0;
      std::int64_t& ext = a_ext_[static_cast<std::size_t>(i)];  // valid flags moved one column on
      ext = ext > 0 ? std::min(C_, ext + 1) : (v ? 1 : 0);
    }
  }

  void step_stationary(const ArrayIn<TIn>& in) {
    // Stationary load: rows 0..load_pos shift down one row, row 0 takes the top edge. Row i thus
    // shifts during cycles [L+i, L+R-1] and ends holding the (R-1-i)-th value fed at the top.
    if (in.load_start) load_pos_ = 0;
    const bool loading = load_pos_ >= 0;
    if (loading) {
      wlen_before_ = wlen_;
      wprefix_before_ = wprefix_;
      if (std::find(wprefix_.begin(), wprefix_.end(), 0) != wprefix_.end()) wv_before_ = wv_;
      for (std::int64_t i = load_pos_; i >= 1; --i) {
        std::memcpy(&w_[idx(i, 0)], &w_[idx(i - 1, 0)], sizeof(TIn) * static_cast<std::size_t>(C_));
        std::memcpy(&wv_[idx(i, 0)], &wv_[idx(i - 1, 0)], static_cast<std::size_t>(C_));
        wlen_[static_cast<std::size_t>(i)] = wlen_[static_cast<std::size_t>(i - 1)];
        wprefix_[static_cast<std::size_t>(i)] = wprefix_[static_cast<std::size_t>(i - 1)];
      }
      for (std::int64_t j = 0; j < C_; ++j) {
        w_[idx(0, j)] = in.top ? in.top[j] : TIn{};
        wv_[idx(0, j)] = in.top_valid && in.top_valid[j] ? 1 : 0;
      }
      const std::uint8_t* row0 = &wv_[0];
      const std::int64_t len = std::find(row0, row0 + C_, 0) - row0;
      wlen_[0] = len;
      wprefix_[0] = std::find(row0 + len, row0 + C_, 1) == row0 + C_;
      if (++load_pos_ == R_) load_pos_ = -1;
    }
    shift_a(in.left, in.left_valid);
    // A streamed value's valid flag enters PE(i, j), j > 0, only while the PE holds a valid
    // stationary value (before this cycle's load): a fold's operands stop at its last used
    // column, so they never meet the next fold's stationary values in the columns it adds.
    gate_a_valid(loading ? wlen_before_ : wlen_, loading ? wprefix_before_ : wprefix_, loading ? wv_before_ : wv_);
    // Partial sums move down: bottom-up in place, so row i reads row i-1's value of the last cycle.
    const std::int64_t fr = this->fault_row_, fc = this->fault_col_;
    const bool faulty = fr >= 0 && fr < R_ && fc >= 0 && fc < C_;
    const TAcc above = faulty && fr > 0 ? acc_[idx(fr - 1, fc)] : TAcc{};
    ws_psum_all(acc_.data(), a_.data(), w_.data(), R_, C_, a_base_);
    if (faulty) acc_[idx(fr, fc)] = above;  // the stuck multiplier adds nothing to the psum passing by
    ws_valid_all(pv_.data(), av_.data(), wv_.data(), R_, C_, a_base_);
  }

  /// av(i, j) &= w(i, j) for j ≥ 1 (w: the stationary flags before this cycle's load, given per row
  /// by their count of leading valid flags `len` and whether that prefix is all, `prefix`). A
  /// prefix row clears just the columns from max(1, len) on that may hold a valid flag (a_ext_);
  /// any other row ANDs every column. Both slots of the mirrored ring are written.
  void gate_a_valid(const std::vector<std::int64_t>& len, const std::vector<std::uint8_t>& prefix,
                    const std::vector<std::uint8_t>& w) {
    for (std::int64_t i = 0; i < R_; ++i) {
      const std::size_t r = static_cast<std::size_t>(i);
      std::uint8_t* ring = &av_[static_cast<std::size_t>(i * 2 * C_)];
      if (!prefix[r]) {
        for (std::int64_t j = 1; j < C_; ++j) set_a_valid(ring, j, ring[a_base_ + j] & w[idx(i, j)]);
        continue;
      }
      const std::int64_t from = std::max<std::int64_t>(1, len[r]);
      for (std::int64_t j = from; j < a_ext_[r]; ++j) set_a_valid(ring, j, 0);
      a_ext_[r] = std::min(a_ext_[r], from);
    }
  }
  /// Writes logical column j of a row's `av` ring (both slots).
  void set_a_valid(std::uint8_t* ring, std::int64_t j, std::uint8_t v) {
    const std::int64_t slot = a_base_ + j;
    ring[slot] = ring[slot < C_ ? slot + C_ : slot - C_] = v;
  }

  void step_output_stationary(const ArrayIn<TIn>& in) {
    shift_a(in.left, in.left_valid);
    // `b` moves down one row: the ring base moves up and row 0 takes the top edge.
    b_base_ = (b_base_ + R_ - 1) % R_;
    for (std::int64_t j = 0; j < C_; ++j) {
      b_[idx(b_base_, j)] = in.top ? in.top[j] : TIn{};
      bv_[idx(b_base_, j)] = in.top_valid && in.top_valid[j] ? 1 : 0;
    }
    if (in.drain_start)
      for (std::int64_t j = 0; j < C_; ++j)
        if (in.drain_start[j]) drain_pos_[static_cast<std::size_t>(j)] = 0;
    // The bottom row emits its accumulator before this cycle's shift, valid while its column
    // drains a result.
    std::memcpy(out_.data(), &acc_[idx(R_ - 1, 0)], sizeof(TAcc) * static_cast<std::size_t>(C_));
    for (std::int64_t j = 0; j < C_; ++j)
      out_valid_[static_cast<std::size_t>(j)] = drain_pos_[static_cast<std::size_t>(j)] >= 0 && pv_[idx(R_ - 1, j)];
    // PE(i, j) shifts (takes the accumulator above; row 0 takes 0) while column j's drain position
    // is in [0, i]; otherwise it accumulates a·b. Its valid flag does the same: a PE holds a
    // valid result once it multiplied two valid operands.
    const std::int64_t fr = this->fault_row_, fc = this->fault_col_;
    const bool faulty = fr >= 0 && fr < R_ && fc >= 0 && fc < C_;
    const TAcc before = faulty ? acc_[idx(fr, fc)] : TAcc{};
    os_step_all(acc_.data(), a_.data(), b_.data(), drain_pos_.data(), R_, C_, a_base_, b_base_);
    if (R_ < 255) {
      for (std::int64_t j = 0; j < C_; ++j) {
        const std::int32_t d = drain_pos_[static_cast<std::size_t>(j)];
        drain8_[static_cast<std::size_t>(j)] = d < 0 ? 0xff : static_cast<std::uint8_t>(d);
      }
      os_valid_step_all(pv_.data(), av_.data(), bv_.data(), drain8_.data(), R_, C_, a_base_, b_base_);
    } else {
      for (std::int64_t j = 0; j < C_; ++j) {
        const std::int32_t d = drain_pos_[static_cast<std::size_t>(j)];
        drain16_[static_cast<std::size_t>(j)] = d < 0 ? 0xffff : static_cast<std::uint16_t>(d);
      }
      os_valid_step_all(pv_.data(), av_.data(), bv_.data(), drain16_.data(), R_, C_, a_base_, b_base_);
    }
    // The stuck multiplier adds nothing (it still shifts when its column drains).
    if (faulty && !(drain_pos_[static_cast<std::size_t>(fc)] >= 0 && drain_pos_[static_cast<std::size_t>(fc)] <= fr))
      acc_[idx(fr, fc)] = before;
    for (std::int64_t j = 0; j < C_; ++j) {
      std::int32_t& p = drain_pos_[static_cast<std::size_t>(j)];
      if (p >= 0 && ++p == R_) p = -1;
    }
  }

  void refresh_trace() {
    const bool os = this->mode_ == ArrayMode::output_stationary;
    for (std::int64_t i = 0; i < R_; ++i)
      for (std::int64_t j = 0; j < C_; ++j) {
        trace_a_[idx(i, j)] = static_cast<TraceValue>(a_reg(i, j));
        trace_v_[idx(i, j)] = static_cast<TraceValue>(os ? b_reg(i, j) : w_reg(i, j));
      }
  }
  /// One operand register in the VCD, as wide as the operand type.
  static void trace_value(sc_core::sc_trace_file* tf, const TraceValue& v, const std::string& name) {
    if constexpr (std::is_integral_v<TIn>)
      sc_core::sc_trace(tf, v, name, static_cast<int>(8 * sizeof(TIn)));
    else
      sc_core::sc_trace(tf, v, name);
  }

  std::int64_t R_, C_;
  std::vector<TIn> a_, b_, w_;
  std::vector<TAcc> acc_, out_;
  /// Valid flags (1 = valid), laid out exactly as the registers they belong to: `av_` as `a_`
  /// (mirrored ring), `bv_` as `b_` (ring of rows), `wv_` as `w_`, `pv_` as `acc_`.
  std::vector<std::uint8_t> av_, bv_, wv_, pv_;
  std::vector<std::uint8_t> wv_before_;  ///< WS/IS: wv_ before this cycle's load shift (non-prefix rows only)
  /// WS/IS, per row: leading valid stationary flags, whether they are all of the row's valid
  /// flags (a prefix), both before this cycle's load; and a bound on the streamed flags: logical
  /// columns [0, a_ext_) may hold a valid one.
  std::vector<std::int64_t> wlen_, wlen_before_, a_ext_;
  std::vector<std::uint8_t> wprefix_, wprefix_before_;
  std::vector<std::uint8_t> out_valid_;  ///< OS: bottom-edge valid flags of the last step
  std::vector<std::int32_t> drain_pos_;  ///< per column: cycles since its drain started, -1 if idle
  std::vector<std::uint8_t> drain8_;     ///< drain_pos_ as 8 bits (0xff: idle), for the flags' kernel, R < 255
  std::vector<std::uint16_t> drain16_;   ///< drain_pos_ as 16 bits (0xffff: idle), R ≥ 255
  std::int64_t a_base_ = 0, b_base_ = 0;
  std::int64_t load_pos_ = -1;  ///< cycles since the stationary load started, -1 if idle
  bool tracing_ = false;
  /// The VCD copies: `a` and the vertical register (OS `b`, WS/IS `w`) of every PE in logical
  /// positions. Integer operands are held as int: sc_trace has no signed-char overload, and an
  /// int8 register would bind to a temporary int that the trace file then reads after it died.
  std::vector<TraceValue> trace_a_, trace_v_;
};

/// Builds a PE array with int8 operands and int32 accumulators in place of the configured
/// implementation (SimulateOptions::array): rows×cols, `mode`, the controller's clock `period`.
class PeArrayFactory {
 public:
  virtual ~PeArrayFactory() = default;
  virtual std::unique_ptr<PeArray<std::int8_t, std::int32_t>> make(const char* name, std::int64_t rows,
                                                                   std::int64_t cols, ArrayMode mode,
                                                                   sc_core::sc_time period) = 0;
};

}  // namespace arraysim::hw
