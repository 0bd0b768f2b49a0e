#include "sim/hw/accelerator.hpp"

#include <memory>
#include <optional>
#include <stdexcept>
#include <systemc>

#include "sim/hw/fold_timing.hpp"
#include "sim/hw/pe_array.hpp"
#include "sim/hw/rtl_array.hpp"

namespace arraysim::hw {
namespace {

using config::Dataflow;

/// Typed copy of a tensor's elements (operands are widened to the array's input type).
template <class T> std::vector<T> typed(const ir::Tensor& t) {
  std::vector<T> v(static_cast<std::size_t>(t.size()));
  for (std::int64_t i = 0; i < t.size(); ++i) {
    if constexpr (std::is_floating_point_v<T>) v[static_cast<std::size_t>(i)] = static_cast<T>(t.get_f64(i));
    else v[static_cast<std::size_t>(i)] = static_cast<T>(t.get_i64(i));
  }
  return v;
}

/// The controller: walks each layer's folds, feeds the array edges every cycle (values) or
/// advances fold by fold (timing), and writes outputs into the accumulator buffers.
template <class TIn, class TAcc> class Controller : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(Controller);
  Controller(sc_core::sc_module_name name, PeArray<TIn, TAcc>& array, const std::vector<LayerProgram>& layers,
             const SimulateOptions& opt, sc_core::sc_time period, ir::DType acc_dtype)
      : sc_core::sc_module(name), array_(array), layers_(layers), opt_(opt), period_(period), acc_dtype_(acc_dtype) {
    counters_.resize(layers.size());
    left_.assign(static_cast<std::size_t>(array.rows()), TIn{});
    top_.assign(static_cast<std::size_t>(array.cols()), TIn{});
    drain_.assign(static_cast<std::size_t>(array.cols()), 0);
    left_valid_.assign(static_cast<std::size_t>(array.rows()), 0);
    top_valid_.assign(static_cast<std::size_t>(array.cols()), 0);
    captured_.assign(static_cast<std::size_t>(array.cols()), 0);
    SC_METHOD(on_cycle);
  }

  std::vector<LayerCounters>& counters() { return counters_; }
  /// Non-empty when the run was stopped early.
  const std::string& error() const { return error_; }
  /// Set when the run stopped at a co-simulation or valid-output mismatch.
  const std::optional<ArrayMismatch>& mismatch() const { return mismatch_; }

  void trace(sc_core::sc_trace_file* tf) {
    sc_core::sc_trace(tf, layer_index_, std::string(name()) + ".layer_index");
    sc_core::sc_trace(tf, fold_index_, std::string(name()) + ".fold_index");
    sc_core::sc_trace(tf, layer_cycle_, std::string(name()) + ".layer_cycle");
    sc_core::sc_trace(tf, state_, std::string(name()) + ".state");
    sc_core::sc_trace(tf, in_valid_, std::string(name()) + ".in_valid");
    sc_core::sc_trace(tf, out_valid_, std::string(name()) + ".out_valid");
  }

 private:
  /// state_: 0 idle/done, 1 running a layer.
  void on_cycle() {
    if (flush_pending_) {
      // Output latency 1: the layer's last cycle is collected one activation after its step(),
      // the activation in which the next layer (if any) starts, as with latency 0.
      flush_pending_ = false;
      if (!collect_outputs(cycle_)) return;
      end_layer(last_capture_ + 1);
    }
    if (layer_ >= layers_.size()) {
      state_ = 0;
      return;  // no further trigger: the simulation ends when nothing is pending
    }
    if (!started_) begin_layer();
    if (opt_.fidelity == config::Fidelity::timing) {
      advance_timing();
      return;
    }
    if (!cycle_values()) return;  // a mismatch stops the simulation; simulate() reports it
    if (cycle_ >= last_output_) {
      // The layer ends with the last output actually captured from the array.
      if (latency_ == 0) end_layer(last_capture_ + 1);
      else flush_pending_ = true;
      next_trigger(period_);
      return;
    }
    ++cycle_;
    layer_cycle_ = cycle_;
    if (cycle_ > opt_.max_cycles) {
      // Exceptions must not cross the SystemC kernel: stop and let simulate() report it.
      error_ = "layer '" + layers_[layer_].name + "' exceeded sim.max_cycles (" + std::to_string(opt_.max_cycles) + ")";
      return;
    }
    next_trigger(period_);
  }

  void begin_layer() {
    const LayerProgram& lp = layers_[layer_];
    timing_ = fold_timing(lp.schedule);
    // OS: a narrow last fold can finish before the full-width fold ahead of it.
    last_output_ = 0;
    for (const FoldTiming& ft : timing_) last_output_ = std::max(last_output_, ft.last_output);
    cycle_ = 0;
    layer_cycle_ = 0;
    lo_ = hi_ = 0;
    started_ = true;
    state_ = 1;
    layer_index_ = static_cast<int>(layer_);
    array_.reset();
    LayerCounters& lc = counters_[layer_];
    lc.folds = static_cast<std::int64_t>(lp.schedule.folds.size());
    if (opt_.fidelity == config::Fidelity::values) {
      const ir::GemmDims& d = lp.schedule.dims;
      a_.clear(), b_.clear(), c_.clear();
      for (std::size_t g = 0; g < lp.a.size(); ++g) {
        a_.push_back(typed<TIn>(lp.a[g]));
        b_.push_back(typed<TIn>(lp.b[g]));
        c_.emplace_back(static_cast<std::size_t>(d.m * d.n), TAcc{});
      }
    }
    if (opt_.on_layer_start) opt_.on_layer_start(layer_);
  }

  void end_layer(std::int64_t total) {
    LayerCounters& lc = counters_[layer_];
    lc.total_cycles = total;
    lc.compute_cycles = total;  // ideal memory: the array is never starved
    lc.stall_cycles = 0;
    if (opt_.fidelity == config::Fidelity::values) {
      const ir::GemmDims& d = layers_[layer_].schedule.dims;
      for (auto& cg : c_) {
        ir::Tensor t(acc_dtype_, {d.m, d.n});
        for (std::int64_t i = 0; i < t.size(); ++i) {
          if constexpr (std::is_floating_point_v<TAcc>) t.set_f64(i, cg[static_cast<std::size_t>(i)]);
          else t.set_i64(i, static_cast<std::int64_t>(cg[static_cast<std::size_t>(i)]));
        }
        lc.c.push_back(std::move(t));
      }
      lc.outputs_written = outputs_written_;
    }
    if (const CosimStatus* st = array_.cosim_status()) {
      lc.compared_cycles = st->cycles - compared_.cycles;
      lc.compared_values = st->values - compared_.values + valid_compared_;
      compared_.cycles = st->cycles, compared_.values = st->values;
    }
    valid_compared_ = 0;
    outputs_written_ = 0;
    last_capture_ = -1;
    ++layer_;
    started_ = false;
    state_ = 0;
  }

  /// Timing fidelity: one activation per fold, waiting out its span in one step.
  void advance_timing() {
    const std::size_t f = static_cast<std::size_t>(hi_);
    if (f < timing_.size()) {
      fold_index_ = static_cast<int>(f);
      const std::int64_t begin = timing_[f].load_start;
      const std::int64_t next = f + 1 < timing_.size() ? timing_[f + 1].load_start : std::max(begin, last_output_ + 1);
      ++hi_;
      layer_cycle_ = begin;
      next_trigger(period_ * static_cast<double>(next - begin));
      return;
    }
    end_layer(last_output_ + 1);
    next_trigger(sc_core::SC_ZERO_TIME);
  }

  /// Values fidelity: one clock cycle of edge traffic. False when a mismatch stopped the run.
  bool cycle_values() {
    const sched::Schedule& s = layers_[layer_].schedule;
    const std::int64_t R = array_.rows(), c = cycle_;
    // Output latency 1: first the bottom edge of the previous cycle, with that cycle's folds.
    if (latency_ == 1 && c > 0 && !collect_outputs(c - 1)) return false;
    while (hi_ < static_cast<std::int64_t>(timing_.size()) && timing_[static_cast<std::size_t>(hi_)].load_start <= c) ++hi_;
    while (lo_ < hi_ && timing_[static_cast<std::size_t>(lo_)].last_output < c) ++lo_;
    std::fill(left_.begin(), left_.end(), TIn{});
    std::fill(top_.begin(), top_.end(), TIn{});
    std::fill(drain_.begin(), drain_.end(), 0);
    std::fill(left_valid_.begin(), left_valid_.end(), 0);
    std::fill(top_valid_.begin(), top_valid_.end(), 0);
    ArrayIn<TIn> in;
    in.left = left_.data();
    in.top = top_.data();
    in.drain_start = drain_.data();
    in.left_valid = left_valid_.data();
    in.top_valid = top_valid_.data();
    bool any_in = false;
    const ir::GemmDims& d = s.dims;
    for (std::int64_t f = lo_; f < hi_; ++f) {
      const sched::Fold& fo = s.folds[static_cast<std::size_t>(f)];
      const FoldTiming& ft = timing_[static_cast<std::size_t>(f)];
      const TIn* A = a_[static_cast<std::size_t>(fo.group)].data();
      const TIn* B = b_[static_cast<std::size_t>(fo.group)].data();
      const std::int64_t Rf = fo.rows_used, Cf = fo.cols_used, T = fo.stream_len, st = ft.stream_start;
      if (s.dataflow == Dataflow::os) {
        for (std::int64_t i = 0; i < Rf; ++i) {
          const std::int64_t k = c - st - i;
          if (k >= 0 && k < T) {
            left_[static_cast<std::size_t>(i)] = A[(fo.m0 + i) * d.k + k], any_in = true;
            left_valid_[static_cast<std::size_t>(i)] = 1;
          }
        }
        for (std::int64_t j = 0; j < Cf; ++j) {
          const std::int64_t k = c - st - j;
          if (k >= 0 && k < T) {
            top_[static_cast<std::size_t>(j)] = B[k * d.n + fo.n0 + j];
            top_valid_[static_cast<std::size_t>(j)] = 1;
          }
          if (c == os_drain_start(fo, ft, j)) drain_[static_cast<std::size_t>(j)] = 1;
        }
        fold_index_ = static_cast<int>(f);
      } else {
        const bool ws = s.dataflow == Dataflow::ws;
        if (c == ft.load_start) in.load_start = true;
        if (c >= ft.load_start && c < ft.load_start + R) {
          const std::int64_t r = R - 1 - (c - ft.load_start);  // the row this value ends up in
          if (r < Rf)
            for (std::int64_t j = 0; j < Cf; ++j) {
              top_[static_cast<std::size_t>(j)] = ws ? B[(fo.k0 + r) * d.n + fo.n0 + j] : A[(fo.m0 + j) * d.k + fo.k0 + r];
              top_valid_[static_cast<std::size_t>(j)] = 1;
            }
        }
        for (std::int64_t i = 0; i < Rf; ++i) {
          const std::int64_t t = c - st - i;
          if (t >= 0 && t < T) {
            left_[static_cast<std::size_t>(i)] = ws ? A[t * d.k + fo.k0 + i] : B[(fo.k0 + i) * d.n + t];
            left_valid_[static_cast<std::size_t>(i)] = 1;
            any_in = true;
          }
        }
        if (c >= st) fold_index_ = static_cast<int>(f);
      }
    }
    in_valid_ = any_in;
    ArrayOut<TAcc> out;
    array_.step(in, out);
    return latency_ == 1 || capture(c, out);
  }

  /// OS: the cycle column j of fold `fo` starts draining, the cycle after its last MAC at
  /// PE(R_f-1, j): s + K + R_f - 1 + j (docs/timing.md).
  static std::int64_t os_drain_start(const sched::Fold& fo, const FoldTiming& ft, std::int64_t j) {
    return ft.stream_start + fo.stream_len + fo.rows_used - 1 + j;
  }

  /// Output latency 1: reads the bottom edge of cycle `c` from the array and captures it.
  bool collect_outputs(std::int64_t c) {
    ArrayOut<TAcc> out;
    array_.collect(out);
    if (const CosimStatus* st = array_.cosim_status(); st && st->mismatch) return fail(*st->mismatch);
    return capture(c, out);
  }

  /// Writes what leaves the bottom row in cycle `c` (with the folds active in `c`) into the
  /// output buffers. Arrays with valid outputs (the RTL) must flag exactly the captured columns.
  bool capture(std::int64_t c, const ArrayOut<TAcc>& out) {
    const sched::Schedule& s = layers_[layer_].schedule;
    const std::int64_t R = array_.rows();
    const ir::GemmDims& d = s.dims;
    std::fill(captured_.begin(), captured_.end(), 0);
    bool any_out = false;
    for (std::int64_t f = lo_; f < hi_; ++f) {
      const sched::Fold& fo = s.folds[static_cast<std::size_t>(f)];
      const FoldTiming& ft = timing_[static_cast<std::size_t>(f)];
      TAcc* C = c_[static_cast<std::size_t>(fo.group)].data();
      const std::int64_t Rf = fo.rows_used, Cf = fo.cols_used, T = fo.stream_len, st = ft.stream_start;
      for (std::int64_t j = 0; j < Cf; ++j) {
        std::int64_t idx = -1;
        if (s.dataflow == Dataflow::os) {
          const std::int64_t t = c - os_drain_start(fo, ft, j);  // cycles since column j's drain began
          const std::int64_t row = R - 1 - t;
          if (t >= 0 && t < R && row < Rf) idx = (fo.m0 + row) * d.n + fo.n0 + j;
        } else {
          const std::int64_t t = c - st - (R - 1) - j;  // stream index leaving column j
          if (t >= 0 && t < T) idx = s.dataflow == Dataflow::ws ? t * d.n + fo.n0 + j : (fo.m0 + j) * d.n + t;
        }
        if (idx < 0) continue;
        TAcc& dst = C[idx];
        const TAcc v = out.bottom[j];
        dst = fo.accumulate ? add_acc(dst, v) : v;
        captured_[static_cast<std::size_t>(j)] = 1;
        any_out = true;
        last_capture_ = c;
        ++outputs_written_;
      }
    }
    out_valid_ = any_out;
    if (out.valid) {
      for (std::size_t j = 0; j < captured_.size(); ++j)
        if ((out.valid[j] != 0) != (captured_[j] != 0)) {
          ArrayMismatch m;
          m.cycle = c, m.row = R - 1, m.col = static_cast<std::int64_t>(j), m.signal = "valid";
          m.expected = captured_[j], m.got = out.valid[j] != 0;
          return fail(std::move(m));
        }
      valid_compared_ += static_cast<std::int64_t>(captured_.size());
    }
    return true;
  }

  /// Records the first mismatch and stops: no further trigger, so the simulation ends.
  bool fail(ArrayMismatch m) {
    m.layer = layers_[layer_].name;
    mismatch_ = std::move(m);
    state_ = 0;
    return false;
  }

  PeArray<TIn, TAcc>& array_;
  const std::vector<LayerProgram>& layers_;
  SimulateOptions opt_;
  sc_core::sc_time period_;
  ir::DType acc_dtype_;
  std::vector<LayerCounters> counters_;
  std::string error_;

  std::size_t layer_ = 0;
  bool started_ = false;
  std::vector<FoldTiming> timing_;
  std::int64_t last_output_ = 0, cycle_ = 0, lo_ = 0, hi_ = 0, outputs_written_ = 0;
  std::int64_t last_capture_ = -1;  ///< cycle of the last output captured in this layer
  std::vector<std::vector<TIn>> a_, b_;
  std::vector<std::vector<TAcc>> c_;
  std::vector<TIn> left_, top_;
  std::vector<std::uint8_t> drain_;
  std::vector<std::uint8_t> left_valid_, top_valid_;  ///< edge valid bits (used by the RTL array)
  std::vector<std::uint8_t> captured_;                ///< per column: an output was captured this cycle
  const int latency_ = array_.output_latency();       ///< 0 or 1, see PeArray::output_latency
  bool flush_pending_ = false;   ///< latency 1: the layer's last cycle still has to be collected
  std::optional<ArrayMismatch> mismatch_;
  CosimStatus compared_;              ///< cosim totals at the end of the previous layer
  std::int64_t valid_compared_ = 0;  ///< valid bits compared in this layer
  // Traced state.
  int layer_index_ = -1, fold_index_ = -1, state_ = 0;
  std::int64_t layer_cycle_ = 0;
  bool in_valid_ = false, out_valid_ = false;
};

/// The PE-array implementation: the SystemC model, the Verilated RTL array (arch.array.impl: rtl,
/// int8/int32 only) or both in lock-step (opt.cosim). check_array_impl() has vetted the choice.
template <class TIn, class TAcc>
std::unique_ptr<PeArray<TIn, TAcc>> make_pe_array(const char* name, const config::ArchConfig& arch, ArrayMode mode,
                                                  const SimulateOptions& opt, sc_core::sc_time period) {
  const config::ArrayConfig& a = arch.array;
  const config::ArrayImpl impl = opt.cosim ? config::ArrayImpl::rtl : a.impl;
  switch (impl) {
    case config::ArrayImpl::systemc: {
      auto array = std::make_unique<SystolicArray<TIn, TAcc>>(name, a.rows, a.cols, mode);
      if (opt.fault_pe_row >= 0) array->inject_stuck_multiplier(opt.fault_pe_row, opt.fault_pe_col);
      return array;
    }
    case config::ArrayImpl::rtl:
      if constexpr (std::is_same_v<TIn, std::int8_t> && std::is_same_v<TAcc, std::int32_t>) {
        RtlArraySpec spec;
        spec.rows = a.rows, spec.cols = a.cols, spec.mode = mode, spec.period = period;
        spec.fault = opt.rtl_fault, spec.trace = !opt.vcd_path.empty();
        spec.stuck_row = opt.fault_pe_row, spec.stuck_col = opt.fault_pe_col;
        return opt.cosim ? make_cosim_array(name, spec) : make_rtl_array(name, spec);
      }
      break;
  }
  throw std::logic_error("make_pe_array: no such array implementation for this data type");
}

/// The accelerator top: owns the PE array and the controller.
template <class TIn, class TAcc> class Accelerator : public sc_core::sc_module {
 public:
  Accelerator(sc_core::sc_module_name name, const config::ArchConfig& arch, const std::vector<LayerProgram>& layers,
              const SimulateOptions& opt)
      : sc_core::sc_module(name) {
    const ArrayMode mode =
        arch.array.dataflow == Dataflow::os ? ArrayMode::output_stationary : ArrayMode::stationary;
    const sc_core::sc_time period(1000.0 / arch.clock_mhz, sc_core::SC_NS);
    pe_array = make_pe_array<TIn, TAcc>("pe_array", arch, mode, opt, period);
    controller = std::make_unique<Controller<TIn, TAcc>>("controller", *pe_array, layers, opt, period,
                                                        arch.array.accumulator_dtype);
  }
  std::unique_ptr<PeArray<TIn, TAcc>> pe_array;
  std::unique_ptr<Controller<TIn, TAcc>> controller;
};

template <class TIn, class TAcc>
std::vector<LayerCounters> run_typed(const config::ArchConfig& arch, const std::vector<LayerProgram>& layers,
                                     const SimulateOptions& opt) {
  Accelerator<TIn, TAcc> acc("accelerator", arch, layers, opt);
  sc_core::sc_trace_file* tf = nullptr;
  // The Verilated array writes its own waveform (Verilator's VCD writer, which opens only after
  // the first delta cycle); the SystemC model is traced by the SystemC VCD writer.
  const bool rtl_vcd = !opt.vcd_path.empty() && (opt.cosim || arch.array.impl == config::ArrayImpl::rtl);
  if (rtl_vcd) {
    sc_core::sc_start(sc_core::SC_ZERO_TIME);
    acc.pe_array->open_waveform(opt.vcd_path);
  } else if (!opt.vcd_path.empty()) {
    std::string base = opt.vcd_path;
    if (base.size() > 4 && base.compare(base.size() - 4, 4, ".vcd") == 0) base.resize(base.size() - 4);
    tf = sc_core::sc_create_vcd_trace_file(base.c_str());
    tf->set_time_unit(1.0, sc_core::SC_PS);
    acc.controller->trace(tf);
    if (arch.array.rows <= 16 && arch.array.cols <= 16) acc.pe_array->trace(tf);
  }
  sc_core::sc_start();
  if (tf) sc_core::sc_close_vcd_trace_file(tf);
  if (!acc.controller->error().empty()) throw std::runtime_error(acc.controller->error());
  if (acc.controller->mismatch()) throw ArrayMismatchError(*acc.controller->mismatch());
  return std::move(acc.controller->counters());
}

}  // namespace

std::vector<LayerCounters> simulate(const config::ArchConfig& arch, const std::vector<LayerProgram>& layers,
                                    const SimulateOptions& opt) {
  if (arch.array.type != config::ArrayType::systolic)
    throw std::runtime_error("arch.array.type: vector arrays are not modelled yet; use type: systolic");
  check_array_impl(arch, opt);
  const ir::DType in = ir::dtype_bytes(arch.array.weight_dtype) > ir::dtype_bytes(arch.array.input_dtype)
                           ? arch.array.weight_dtype
                           : arch.array.input_dtype;
  const ir::DType acc = arch.array.accumulator_dtype;
  using ir::DType;
  if (in == DType::fp32) return run_typed<float, float>(arch, layers, opt);
  if (in == DType::int8 && acc == DType::int32) return run_typed<std::int8_t, std::int32_t>(arch, layers, opt);
  if (in == DType::int8 && acc == DType::int64) return run_typed<std::int8_t, std::int64_t>(arch, layers, opt);
  if (in == DType::int16 && acc == DType::int64) return run_typed<std::int16_t, std::int64_t>(arch, layers, opt);
  if (in == DType::int32 && acc == DType::int64) return run_typed<std::int32_t, std::int64_t>(arch, layers, opt);
  throw std::runtime_error("no array model for input " + ir::dtype_name(in) + " with accumulator " + ir::dtype_name(acc));
}

}  // namespace arraysim::hw
