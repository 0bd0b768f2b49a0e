#pragma once
/// The Verilated RTL array (rtl/pe_array.sv, `--sc --pins-bv 2`) behind the PeArray interface,
/// and the co-simulation pair that runs it in lock-step with the SystemC model.
///
/// How a cycle happens (rtl/README.md, "Bridge"): the controller's step() writes the cycle's
/// edge values to the SystemC signals bound to the model's pins and schedules a rising clock
/// edge half a period later; the model updates its registers on that edge; the controller's next
/// activation, one period after the step, reads the bottom edge with collect(). The Verilated
/// array therefore has output latency 1 (PeArray::output_latency), which the controller honours,
/// and its cycle numbers are the SystemC model's. The falling edge coincides with the next
/// step's input writes, so the model evaluates twice per cycle.
#include <verilated.h>
#include <verilated_vcd_sc.h>

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <systemc>

#include "sim/hw/pe_array.hpp"

namespace arraysim::hw::rtl {

/// What every Verilated size offers besides PeArray: its PE registers after the last clock edge,
/// read straight from the model's state (rtl/pe_array.sv marks a_q, v_q, acc_q public_flat_rd).
class RtlArray : public PeArray<std::int8_t, std::int32_t> {
 public:
  using PeArray<std::int8_t, std::int32_t>::PeArray;
  int output_latency() const override { return 1; }
  /// Streamed operand of PE(i, j).
  virtual std::int8_t a_reg(std::int64_t i, std::int64_t j) const = 0;
  /// Vertical operand of PE(i, j): OS `b`, WS/IS stationary `w`.
  virtual std::int8_t v_reg(std::int64_t i, std::int64_t j) const = 0;
  /// OS accumulator / WS-IS partial sum of PE(i, j).
  virtual std::int32_t acc_reg(std::int64_t i, std::int64_t j) const = 0;
};

/// One Verilated size: `Model` is the Verilator class (Vpe_array_RxC) of an R x C array.
template <class Model, int R, int C> class VerilatedArray final : public RtlArray {
 public:
  SC_HAS_PROCESS(VerilatedArray);
  /// `trace`: a waveform will be opened with open_waveform() (Verilator must know before the
  /// model exists).
  VerilatedArray(sc_core::sc_module_name name, ArrayMode mode, sc_core::sc_time period, bool trace)
      : RtlArray(name, R, C, mode),
        clk_("clk", false),
        clear_("clear", false),
        os_mode_("os_mode", mode == ArrayMode::output_stationary),
        load_start_("load_start", false),
        left_("left"),
        left_valid_("left_valid"),
        top_("top"),
        top_valid_("top_valid"),
        drain_start_("drain_start"),
        bottom_("bottom"),
        bottom_valid_("bottom_valid") {
    if (trace) Verilated::traceEverOn(true);
    model_ = std::make_unique<Model>("model");
    model_->clk(clk_);
    model_->clear(clear_);
    model_->os_mode(os_mode_);
    model_->load_start(load_start_);
    model_->left(left_);
    model_->left_valid(left_valid_);
    model_->top(top_);
    model_->top_valid(top_valid_);
    model_->drain_start(drain_start_);
    model_->bottom(bottom_);
    model_->bottom_valid(bottom_valid_);
    // Rising edge half a period after the step; with a very short period both edges fall into
    // delta cycles of the same time (never into the next step's period).
    half_period_ = period / 2.0;
    if (!(half_period_ < period)) half_period_ = sc_core::SC_ZERO_TIME;
    SC_METHOD(drive_clock);
    sensitive << rise_ << fall_;
    dont_initialize();
  }

  /// Flushes and closes the waveform. The VerilatedVcdSc object stays registered with the SystemC
  /// kernel (its sc_trace_file base is private, so it cannot be unregistered) and is not deleted:
  /// a closed writer ignores the kernel's further calls, as in Verilator's own examples.
  ~VerilatedArray() override {
    if (vcd_) vcd_->close();
  }

  /// The next cycle starts from all-zero registers (the `clear` pin).
  void reset() override { clear_next_ = true; }

  void step(const ArrayIn<std::int8_t>& in, ArrayOut<std::int32_t>& out) override {
    clear_.write(clear_next_);
    clear_next_ = false;
    load_start_.write(in.load_start);
    left_.write(pack_bytes<R>(left_bits_, in.left));
    left_valid_.write(pack_flags<R>(left_valid_bits_, in.left_valid));
    top_.write(pack_bytes<C>(top_bits_, in.top));
    top_valid_.write(pack_flags<C>(top_valid_bits_, in.top_valid));
    drain_start_.write(pack_flags<C>(drain_bits_, in.drain_start));
    rise_.notify(half_period_);
    out = ArrayOut<std::int32_t>{};  // output latency 1: see collect()
  }

  void collect(ArrayOut<std::int32_t>& out) override {
    const sc_dt::sc_bv<C* 32>& b = bottom_.read();
    const sc_dt::sc_bv<C>& v = bottom_valid_.read();
    for (int j = 0; j < C; ++j) {
      bottom_buf_[static_cast<std::size_t>(j)] = static_cast<std::int32_t>(static_cast<std::uint32_t>(b.get_word(j)));
      valid_buf_[static_cast<std::size_t>(j)] = v.get_bit(j) ? 1 : 0;
    }
    out.bottom = bottom_buf_.data();
    out.valid = valid_buf_.data();
  }

  bool open_waveform(const std::string& path) override {
    vcd_ = new VerilatedVcdSc;
    model_->trace(vcd_, 99);
    vcd_->open(path.c_str());
    return true;
  }

  std::int8_t a_reg(std::int64_t i, std::int64_t j) const override {
    return static_cast<std::int8_t>(model_->rootp->pe_array__DOT__a_q[idx(i)][idx(j)]);
  }
  std::int8_t v_reg(std::int64_t i, std::int64_t j) const override {
    return static_cast<std::int8_t>(model_->rootp->pe_array__DOT__v_q[idx(i)][idx(j)]);
  }
  std::int32_t acc_reg(std::int64_t i, std::int64_t j) const override {
    return static_cast<std::int32_t>(model_->rootp->pe_array__DOT__acc_q[idx(i)][idx(j)]);
  }

  /// The SystemC model's rule (PeArray::accepts_fold) on the RTL's own valid registers.
  bool accepts_fold() const override {
    const auto* root = model_->rootp;
    if (this->mode_ == ArrayMode::output_stationary) return !root->pe_array__DOT__pv_q[0][0];
    if (root->pe_array__DOT__load_busy_q) return false;
    for (int j = 0; j + 1 < C; ++j)
      if (root->pe_array__DOT__av_q[0][idx(j)] && root->pe_array__DOT__vv_q[0][idx(j + 1)]) return false;
    return true;
  }
  bool loading() const override { return model_->rootp->pe_array__DOT__load_busy_q; }

 private:
  static std::size_t idx(std::int64_t i) { return static_cast<std::size_t>(i); }

  /// N int8 lanes into an N*8-bit vector, lane k at bits [8k, 8k+8); nullptr: zeros.
  template <int N> static const sc_dt::sc_bv<N * 8>& pack_bytes(sc_dt::sc_bv<N * 8>& v, const std::int8_t* x) {
    for (int w = 0; w < (N + 3) / 4; ++w) {
      std::uint32_t word = 0;
      for (int k = 0; x && k < 4 && 4 * w + k < N; ++k)
        word |= static_cast<std::uint32_t>(static_cast<std::uint8_t>(x[4 * w + k])) << (8 * k);
      v.set_word(w, word);
    }
    return v;
  }
  /// N flags into an N-bit vector, flag k at bit k; nullptr: zeros.
  template <int N> static const sc_dt::sc_bv<N>& pack_flags(sc_dt::sc_bv<N>& v, const std::uint8_t* x) {
    for (int w = 0; w < (N + 31) / 32; ++w) {
      std::uint32_t word = 0;
      for (int k = 0; x && k < 32 && 32 * w + k < N; ++k)
        if (x[32 * w + k]) word |= std::uint32_t{1} << k;
      v.set_word(w, word);
    }
    return v;
  }

  /// Rising edge (rise_, half a period after step()), falling edge (fall_, half a period later).
  void drive_clock() {
    const bool rising = rise_.triggered();
    clk_.write(rising);
    if (rising) fall_.notify(half_period_);
  }

  sc_core::sc_signal<bool> clk_, clear_, os_mode_, load_start_;
  sc_core::sc_signal<sc_dt::sc_bv<R * 8>> left_;
  sc_core::sc_signal<sc_dt::sc_bv<R>> left_valid_;
  sc_core::sc_signal<sc_dt::sc_bv<C * 8>> top_;
  sc_core::sc_signal<sc_dt::sc_bv<C>> top_valid_, drain_start_;
  sc_core::sc_signal<sc_dt::sc_bv<C * 32>> bottom_;
  sc_core::sc_signal<sc_dt::sc_bv<C>> bottom_valid_;
  std::unique_ptr<Model> model_;
  VerilatedVcdSc* vcd_ = nullptr;  ///< see ~VerilatedArray
  sc_core::sc_event rise_, fall_;
  sc_core::sc_time half_period_;
  bool clear_next_ = false;
  sc_dt::sc_bv<R * 8> left_bits_;
  sc_dt::sc_bv<R> left_valid_bits_;
  sc_dt::sc_bv<C * 8> top_bits_;
  sc_dt::sc_bv<C> top_valid_bits_, drain_bits_;
  std::array<std::int32_t, C> bottom_buf_{};
  std::array<std::uint8_t, C> valid_buf_{};
};

/// The SystemC model and a Verilated array in one elaboration, fed the same edges every cycle.
/// After each cycle (collect()) every PE register (a, b or w, acc or psum, row-major, in that
/// order per PE), then the bottom edge and then its valid bits are compared; the first difference
/// is recorded in cosim_status() and the controller stops. collect() returns the RTL's outputs
/// and valid bits, which the controller captures.
class CosimArray final : public PeArray<std::int8_t, std::int32_t> {
 public:
  CosimArray(sc_core::sc_module_name name, std::int64_t rows, std::int64_t cols, ArrayMode mode,
             const std::function<std::unique_ptr<RtlArray>(const char* name)>& make_rtl)
      : PeArray<std::int8_t, std::int32_t>(name, rows, cols, mode), systemc_("systemc", rows, cols, mode) {
    rtl_ = make_rtl("rtl");
  }

  SystolicArray<std::int8_t, std::int32_t>& systemc() { return systemc_; }

  void reset() override {
    systemc_.reset();
    rtl_->reset();
    cycle_ = -1;
  }

  void step(const ArrayIn<std::int8_t>& in, ArrayOut<std::int32_t>& out) override {
    systemc_.step(in, expected_);
    rtl_->step(in, out);
    ++cycle_;
  }

  int output_latency() const override { return 1; }
  /// The controller follows the RTL (its outputs are the RTL's); the SystemC model is compared.
  bool accepts_fold() const override { return rtl_->accepts_fold(); }
  bool loading() const override { return rtl_->loading(); }

  void collect(ArrayOut<std::int32_t>& out) override {
    rtl_->collect(out);
    if (!status_.mismatch) compare(out);
  }

  const CosimStatus* cosim_status() const override { return &status_; }
  bool open_waveform(const std::string& path) override { return rtl_->open_waveform(path); }

 private:
  /// One cycle: the SystemC model's registers and outputs against the RTL's.
  void compare(const ArrayOut<std::int32_t>& got) {
    const bool os = this->mode_ == ArrayMode::output_stationary;
    const std::int64_t R = this->rows_, C = this->cols_;
    ++status_.cycles;
    for (std::int64_t i = 0; i < R; ++i)
      for (std::int64_t j = 0; j < C; ++j) {
        status_.values += 3;
        if (!same(i, j, "a", systemc_.a_reg(i, j), rtl_->a_reg(i, j)) ||
            !same(i, j, os ? "b" : "w", os ? systemc_.b_reg(i, j) : systemc_.w_reg(i, j), rtl_->v_reg(i, j)) ||
            !same(i, j, os ? "acc" : "psum", systemc_.acc_reg(i, j), rtl_->acc_reg(i, j)))
          return;
      }
    for (std::int64_t j = 0; j < C; ++j) {
      ++status_.values;
      if (!same(R - 1, j, "bottom", expected_.bottom[j], got.bottom[j])) return;
    }
    for (std::int64_t j = 0; j < C; ++j) {
      ++status_.values;
      if (!same(R - 1, j, "valid", expected_.valid[j] != 0, got.valid[j] != 0)) return;
    }
  }

  bool same(std::int64_t i, std::int64_t j, const char* signal, std::int64_t expected, std::int64_t got) {
    if (expected == got) return true;
    ArrayMismatch m;
    m.cycle = cycle_, m.row = i, m.col = j, m.signal = signal, m.expected = expected, m.got = got;
    status_.mismatch = std::move(m);
    return false;
  }

  SystolicArray<std::int8_t, std::int32_t> systemc_;
  std::unique_ptr<RtlArray> rtl_;
  ArrayOut<std::int32_t> expected_;  ///< the SystemC model's bottom edge of the last step
  std::int64_t cycle_ = -1;          ///< layer cycle of the last step
  CosimStatus status_;
};

}  // namespace arraysim::hw::rtl
