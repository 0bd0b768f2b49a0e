#include "sim/hw/accelerator.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <systemc>

#include "sim/hw/dma.hpp"
#include "sim/hw/dram.hpp"
#include "sim/hw/fold_timing.hpp"
#include "sim/lower/dram_layout.hpp"
#include "sim/hw/pe_array.hpp"
#include "sim/hw/rtl_array.hpp"
#include "sim/hw/sanitizer_stack.hpp"
#include "sim/hw/vector_unit.hpp"

namespace arraysim::hw {
namespace {

using config::Dataflow;

/// Element `i` of a byte buffer holding `dt` values, converted to T.
template <class T> T load_elem(const unsigned char* p, ir::DType dt) {
  switch (dt) {
    case ir::DType::int8: { std::int8_t v; std::memcpy(&v, p, 1); return static_cast<T>(v); }
    case ir::DType::int16: { std::int16_t v; std::memcpy(&v, p, 2); return static_cast<T>(v); }
    case ir::DType::int32: { std::int32_t v; std::memcpy(&v, p, 4); return static_cast<T>(v); }
    case ir::DType::int64: { std::int64_t v; std::memcpy(&v, p, 8); return static_cast<T>(v); }
    case ir::DType::fp32: { float v; std::memcpy(&v, p, 4); return static_cast<T>(v); }
  }
  return T{};
}

/// ⌈x⌉ for cycle times computed in floating point (a hair below an integer counts as it).
std::int64_t ceil_cycle(double x) { return static_cast<std::int64_t>(std::ceil(x - 1e-6)); }

/// Which operand buffer: A (ifmap), B (weight), C (output).
enum Op { op_a = 0, op_b = 1, op_c = 2 };
const char* op_name(int op) { return op == op_a ? "ifmap" : op == op_b ? "weight" : "output"; }

/// What a DMA engine is doing, for the controller deciding whether to wait for it within the
/// current cycle (running, or waiting for a delta-notified event) or until a known later cycle.
enum class EngineState { running, timed_wait, event_wait };

/// One buffer half: whether the controller has released it, and from which cycle it is free.
struct SlotState {
  bool released = true;
  double free_cycle = 0;  ///< absolute cycle from which a new block may be written into it
};

/// The controller: walks each layer's folds, starts each fold when its operands are in the
/// scratchpads and its output half is free, feeds the array edges every cycle (values) or
/// advances fold by fold (timing), and runs the load and store DMA engines (docs/memory.md).
/// The compute part is the variant: a PE array (`array` non-null) or the vector unit's lanes
/// (`lanes` non-null, docs/vector.md: one fold per tile, its steps back to back); the memory part
/// (tiles, buffer halves, DMA engines, stalls) is the same for both.
template <class TIn, class TAcc> class Controller : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(Controller);
  Controller(sc_core::sc_module_name name, PeArray<TIn, TAcc>* array, VectorLanes<TIn, TAcc>* lanes, Dma& dma,
             Dram& dram, const config::ArchConfig& arch, const std::vector<LayerProgram>& layers,
             const SimulateOptions& opt, sc_core::sc_time period)
      : sc_core::sc_module(name), array_(array), lanes_(lanes), dma_(dma), dram_(dram), arch_(arch), layers_(layers),
        opt_(opt), period_(period), acc_dtype_(arch.array.accumulator_dtype) {
    counters_.resize(layers.size());
    const std::size_t rows = array ? static_cast<std::size_t>(array->rows()) : 0;
    const std::size_t cols = array ? static_cast<std::size_t>(array->cols()) : 0;
    left_.assign(rows, TIn{});
    top_.assign(cols, TIn{});
    drain_.assign(cols, 0);
    left_valid_.assign(rows, 0);
    top_valid_.assign(cols, 0);
    captured_.assign(cols, 0);
    ideal_ = arch.dram.model == "ideal";
    SC_METHOD(on_cycle);
    SC_THREAD(load_engine);
    SC_THREAD(store_engine);
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
    sc_core::sc_trace(tf, stalled_, std::string(name()) + ".stalled");
  }

 private:
  // ---------------------------------------------------------------- time
  double now_cycle() const { return sc_core::sc_time_stamp() / period_; }
  std::int64_t now_int() const { return ceil_cycle(now_cycle()); }

  // ---------------------------------------------------------------- controller process
  /// state_: 0 idle/done, 1 running a layer, 2 waiting for the final stores.
  void on_cycle() {
    if (layer_ >= layers_.size()) {
      state_ = 0;
      return;  // no further trigger: the simulation ends when nothing is pending
    }
    if (!started_) begin_layer();
    if (state_ == 2) {
      finish_layer();
      return;
    }
    if (opt_.fidelity == config::Fidelity::timing) {
      advance_timing();
      return;
    }
    // Values fidelity: start every fold due by this cycle, then one clock cycle of edge traffic.
    if (now_rel() != cycle_) {
      // Only idle time may pass while waiting for an engine (resolve() waits within a cycle).
      if (last_output_ >= cycle_) {
        error_ = "internal: controller lost cycle " + std::to_string(cycle_) + " of layer '" + layers_[layer_].name + "'";
        return;
      }
      layer_cycle_ = cycle_ = now_rel();
    }
    const Pending p = resolve(cycle_);
    if (p.delta) {
      next_trigger(published_);
      return;
    }
    if (nf_ == folds() && cycle_ > last_output_) {
      // Every output is captured (output latency 1: after collecting the last cycle): wait for
      // the stores, then end the layer.
      if (!collect_previous()) return;
      state_ = 2;
      finish_layer();
      return;
    }
    // Nothing in the array and the next fold not due: skip the idle cycles in one step (no
    // register holds a live value, so clocking the array through bubbles would change nothing).
    if (last_output_ < cycle_ && nf_ < folds()) {
      const std::int64_t next = std::max(natural_next_, p.until_rel);
      if (next > cycle_) {
        if (!collect_previous()) return;
        layer_cycle_ = cycle_ = next;
        next_trigger(period_ * static_cast<double>(next - now_rel()));
        return;
      }
    }
    if (!cycle_values()) return;  // a mismatch stops the simulation; simulate() reports it
    ++cycle_;
    layer_cycle_ = cycle_;
    if (cycle_ > opt_.max_cycles) {
      // Exceptions must not cross the SystemC kernel: stop and let simulate() report it.
      error_ = "layer '" + layers_[layer_].name + "' exceeded sim.max_cycles (" + std::to_string(opt_.max_cycles) + ")";
      return;
    }
    next_trigger(period_);
  }

  /// Current cycle relative to the layer's first cycle.
  std::int64_t now_rel() const { return now_int() - base_; }
  std::int64_t folds() const { return static_cast<std::int64_t>(layers_[layer_].schedule.folds.size()); }
  /// Output latency 1: collects the bottom edge of the previous cycle if it was clocked and not yet
  /// collected. False when a mismatch stopped the run.
  bool collect_previous() {
    if (latency_ != 1 || !prev_stepped_) return true;
    prev_stepped_ = false;
    return collect_outputs(cycle_ - 1);
  }

  void begin_layer() {
    const LayerProgram& lp = layers_[layer_];
    const sched::Schedule& s = lp.schedule;
    base_ = now_int();
    cycle_ = 0;
    layer_cycle_ = 0;
    lo_ = hi_ = nf_ = 0;
    natural_next_ = 0;
    last_output_ = -1;
    started_ = true;
    state_ = 1;
    layer_index_ = static_cast<int>(layer_);
    if (array_) array_->reset();
    vf_ = 0;
    LayerCounters& lc = counters_[layer_];
    lc.start_cycle = base_;
    lc.folds = static_cast<std::int64_t>(s.folds.size());
    timing_.assign(s.folds.size(), FoldTiming{});
    stall_spans_.clear();
    // Which tile loaded the block each tile uses.
    const std::size_t nt = s.tiles.size();
    a_src_.assign(nt, 0), b_src_.assign(nt, 0);
    for (std::size_t t = 0; t < nt; ++t) {
      a_src_[t] = s.tiles[t].load_a || t == 0 ? t : a_src_[t - 1];
      b_src_[t] = s.tiles[t].load_b || t == 0 ? t : b_src_[t - 1];
    }
    a_tr_.assign(nt, std::nullopt), b_tr_.assign(nt, std::nullopt), st_tr_.assign(nt, std::nullopt);
    c_done_.assign(nt, std::nullopt);
    for (auto& op : slots_)
      for (SlotState& sl : op) sl = SlotState{true, static_cast<double>(base_)};
    block_last_read_[op_a] = block_last_read_[op_b] = 0;
    block_last_output_ = 0;
    load_wait_until_ = store_wait_until_ = -1;
    stores_done_ = false;
    windows_.clear();
    // The address generator, DRAM contents and scratchpad halves of this layer.
    const config::ArrayConfig& arr = arch_.array;
    addr_.emplace(lp.layer, ir::dtype_bytes(arr.input_dtype), ir::dtype_bytes(arr.weight_dtype),
                  ir::dtype_bytes(acc_dtype_), arch_.lowering);
    const lower::DramLayout& dl = addr_->layout();
    lc.memory.dram_footprint_bytes = dl.footprint_bytes();
    std::vector<unsigned char>& dram = dram_.storage();
    if (values()) {
      dram.assign(static_cast<std::size_t>(dl.end), 0);
      const ir::LayerOperands& ops = *lp.operands;
      std::memcpy(dram.data() + dl.input_base, ops.input.raw_bytes(), static_cast<std::size_t>(dl.input_bytes));
      std::memcpy(dram.data() + dl.weight_base, ops.weight.raw_bytes(), static_cast<std::size_t>(dl.weight_bytes));
      shadow_.assign(static_cast<std::size_t>(dl.end), 0);
      const sched::TileShape& ts = s.tile;
      for (int i = 0; i < 2; ++i) {
        a_slot_data_[i].assign(static_cast<std::size_t>(ts.m * ts.k), TIn{});
        b_slot_data_[i].assign(static_cast<std::size_t>(ts.k * ts.n), TIn{});
        c_slot_data_[i].assign(static_cast<std::size_t>(ts.m * ts.n), TAcc{});
      }
    } else {
      dram.clear();
      shadow_.clear();
    }
    dram_.take_row_counts();
    ++layer_seq_;
    layer_start_.notify(sc_core::SC_ZERO_TIME);
    if (opt_.on_layer_start) opt_.on_layer_start(layer_);
  }

  /// After the last fold: the layer ends when its last output is captured and every store has
  /// completed; the final store's wait counts as stall.
  void finish_layer() {
    if (!stores_done_) {
      next_trigger(published_);
      return;
    }
    const std::int64_t outputs_end = base_ + last_output_ + 1;
    std::int64_t end = outputs_end;
    const Transfer* last = nullptr;
    for (const auto& tr : st_tr_)
      if (tr && ceil_cycle(tr->done_cycle) > end) end = ceil_cycle(tr->done_cycle), last = &*tr;
    if (now_int() < end) {
      next_trigger(period_ * (static_cast<double>(end) - now_cycle()));
      return;
    }
    if (last) add_stall(outputs_end, end, last);
    end_layer(end - base_);
    next_trigger(sc_core::SC_ZERO_TIME);
  }

  void end_layer(std::int64_t total) {
    LayerCounters& lc = counters_[layer_];
    lc.total_cycles = total;
    lc.stall_cycles = lc.memory.stall_cycles.total();
    lc.compute_cycles = total - lc.stall_cycles;
    stats::MemoryResult& m = lc.memory;
    const std::int64_t dram_bytes = m.dram_bytes();
    if (total > 0) m.dram_bandwidth_avg_bytes_per_cycle = static_cast<double>(dram_bytes) / static_cast<double>(total);
    double peak = 0;
    for (const auto& [w, b] : windows_) peak = std::max(peak, b);
    m.dram_bandwidth_peak_bytes_per_cycle = peak / kWindowCycles;
    if (arch_.dram.banked()) {
      const RowCounts rc = dram_.take_row_counts();
      m.dram_row_hits = rc.hits, m.dram_row_misses = rc.misses, m.dram_row_conflicts = rc.conflicts;
    }
    if (values()) {
      // The result as it lies in DRAM after the stores.
      const ir::Layer& l = layers_[layer_].layer;
      ir::Tensor out(acc_dtype_, ir::output_shape(l));
      const lower::DramLayout& dl = addr_->layout();
      std::memcpy(out.raw_bytes(), dram_.storage().data() + dl.output_base, static_cast<std::size_t>(dl.output_bytes));
      lc.output = std::move(out);
      lc.outputs_written = outputs_written_;
    }
    if (opt_.record_timeline) record_timeline(lc, total);
    if (opt_.trace_sram && array_) trace_array_accesses(lc);
    if (lanes_) lc.outputs_written = lanes_->outputs_written() - lanes_written_, lanes_written_ = lanes_->outputs_written();
    if (const CosimStatus* st = array_ ? array_->cosim_status() : nullptr) {
      lc.compared_cycles = st->cycles - compared_.cycles;
      lc.compared_values = st->values - compared_.values + valid_compared_;
      compared_.cycles = st->cycles, compared_.values = st->values;
    }
    valid_compared_ = 0;
    outputs_written_ = 0;
    prev_stepped_ = false;
    ++layer_;
    started_ = false;
    state_ = 0;
  }

  // ---------------------------------------------------------------- fold start (shared)
  /// Why resolve() stopped: `delta` — an engine publishes later in this very cycle (wait for it);
  /// `until_rel` — no fold can start before this cycle (relative; an engine is waiting until then).
  struct Pending {
    bool delta = false;
    std::int64_t until_rel = 0;
  };

  /// Starts (fixes the timing of) every fold whose natural start is at or before `c` (relative)
  /// and whose operands and output half are known to be ready; stops at the first that is not.
  Pending resolve(std::int64_t c) {
    Pending p;
    while (nf_ < folds() && natural_next_ <= c) {
      const int r = try_start(nf_);
      if (r == 0) continue;
      if (r == 1) {
        p.delta = true;
      } else {
        const double until = r == 2 ? load_wait_until_ : store_wait_until_;
        p.until_rel = ceil_cycle(until) - base_;
      }
      return p;
    }
    return p;
  }

  /// Fixes fold f's start: 0 done; 1 an engine publishes within this cycle; 2 (3) the load
  /// (store) engine is waiting until load_wait_until_ (store_wait_until_).
  int try_start(std::int64_t f) {
    const sched::Schedule& s = layers_[layer_].schedule;
    const sched::Fold& fo = s.folds[static_cast<std::size_t>(f)];
    const std::size_t t = static_cast<std::size_t>(s.fold_tile[static_cast<std::size_t>(f)]);
    const sched::Tile& tile = s.tiles[t];
    const std::int64_t need = base_ + natural_next_;
    std::int64_t start = need;
    const Transfer* binding = nullptr;
    bool binding_slot = false;
    if (f == tile.fold_begin) {
      for (int op : {op_a, op_b}) {
        const std::optional<Transfer>& tr = op == op_a ? a_tr_[a_src_[t]] : b_tr_[b_src_[t]];
        if (!tr) return waiting_later(load_state_, load_wait_until_) ? 2 : 1;
        const std::int64_t ready = ideal_ ? ceil_cycle(tr->issue_cycle) : ceil_cycle(tr->done_cycle);
        if (ready > start) start = ready, binding = &*tr, binding_slot = false;
      }
      if (tile.new_c) {
        const SlotState& cs = slots_[op_c][tile.c_slot];
        if (!cs.released) return waiting_later(store_state_, store_wait_until_) ? 3 : 1;
        const std::int64_t ready = ceil_cycle(cs.free_cycle);
        if (ready > start) start = ready, binding = nullptr, binding_slot = true;
      }
      if (tile.new_c) slots_[op_c][tile.c_slot].released = false;
    }
    if (values() && start < now_int()) {
      error_ = "internal: fold " + std::to_string(f) + " of layer '" + layers_[layer_].name + "' would start in the past";
      return 1;
    }
    if (start > need) {
      if (binding) add_stall(need, start, binding);
      else if (binding_slot) add_stall_cause(need, start, &stats::StallCycles::dependency);
    }
    FoldTiming& ft = timing_[static_cast<std::size_t>(f)];
    if (lanes_) {
      // Vector unit (docs/vector.md): the fold's steps run back to back from its start; the last
      // output is written in its last step's cycle, or the adder tree's latency later (parallel k).
      const LayerProgram& lp = layers_[layer_];
      const sched::VectorCounts& vc = lp.vector_folds[static_cast<std::size_t>(f)];
      const std::int64_t st = start - base_;
      const std::int64_t tree =
          lp.vector_mapping.parallel == config::VectorLoop::k ? arch_.array.reduction_latency_cycles : 0;
      ft.load_start = ft.stream_start = st;
      ft.last_output = st + vc.cycles - 1 + tree;
      natural_next_ = st + vc.cycles;
      last_output_ = std::max(last_output_, ft.last_output);
      block_last_read_[op_a] = std::max(block_last_read_[op_a], st + vc.cycles - 1);
      block_last_read_[op_b] = std::max(block_last_read_[op_b], st + vc.cycles - 1);
      block_last_output_ = std::max(block_last_output_, ft.last_output);
      count_vector_sram(vc);
      ++nf_;
      if (f == tile.fold_end - 1) end_tile(t);
      return 0;
    }
    // The fold recurrence of docs/timing.md, from the actual start.
    const std::int64_t R = s.rows, st = start - base_;
    const std::int64_t T = fo.stream_len, Rf = fo.rows_used, Cf = fo.cols_used;
    std::int64_t last_read_a = 0, last_read_b = 0;
    if (s.dataflow == Dataflow::os) {
      ft.load_start = ft.stream_start = st;
      ft.last_output = st + T + Rf - 1 + (Cf - 1) + (R - 1);
      natural_next_ = st + T + Rf;
      last_read_a = st + T - 1 + Rf - 1;  // row i reads its last A value at s + T-1 + i
      last_read_b = st + T - 1 + Cf - 1;
    } else {
      ft.load_start = st;
      ft.stream_start = st + R;
      ft.last_output = ft.stream_start + (T - 1) + (R - 1) + (Cf - 1);
      natural_next_ = ft.stream_start + T + Cf - 1;
      const std::int64_t streamed = ft.stream_start + T - 1 + Rf - 1, stationary = ft.stream_start - 1;
      last_read_a = s.dataflow == Dataflow::ws ? streamed : stationary;
      last_read_b = s.dataflow == Dataflow::ws ? stationary : streamed;
    }
    last_output_ = std::max(last_output_, ft.last_output);
    block_last_read_[op_a] = std::max(block_last_read_[op_a], last_read_a);
    block_last_read_[op_b] = std::max(block_last_read_[op_b], last_read_b);
    block_last_output_ = std::max(block_last_output_, ft.last_output);
    count_sram(fo, s.dataflow);
    ++nf_;
    if (f == tile.fold_end - 1) end_tile(t);
    return 0;
  }

  /// An engine that is not running now will publish no earlier than the cycle it waits for; one
  /// whose wait ends now (or that waits for an event notified for the next delta) runs within
  /// the current cycle.
  bool waiting_later(EngineState state, double until) const {
    return state == EngineState::timed_wait && until > now_cycle() + 1e-9;
  }

  /// After a tile's last fold is timed: release the A/B halves no later tile reuses, and hand a
  /// finished C block to the store engine.
  void end_tile(std::size_t t) {
    const sched::Schedule& s = layers_[layer_].schedule;
    const sched::Tile& tile = s.tiles[t];
    const bool last = t + 1 == s.tiles.size();
    if (last || s.tiles[t + 1].load_a) {
      slots_[op_a][tile.a_slot] = SlotState{true, static_cast<double>(base_ + block_last_read_[op_a] + 1)};
      block_last_read_[op_a] = 0;
    }
    if (last || s.tiles[t + 1].load_b) {
      slots_[op_b][tile.b_slot] = SlotState{true, static_cast<double>(base_ + block_last_read_[op_b] + 1)};
      block_last_read_[op_b] = 0;
    }
    if (tile.store_c) {
      c_done_[t] = static_cast<double>(base_ + block_last_output_ + 1);
      block_last_output_ = 0;
    }
    released_.notify(sc_core::SC_ZERO_TIME);
  }

  /// Array-side scratchpad traffic of one fold (closed form, the same in both fidelities):
  /// the streamed operand T·(rows or cols used) values, the stationary one R_f·C_f, OS both streamed;
  /// outputs written once each, and read back first when the fold accumulates.
  void count_sram(const sched::Fold& fo, Dataflow df) {
    stats::MemoryResult& m = counters_[layer_].memory;
    const config::ArrayConfig& arr = arch_.array;
    const std::int64_t ai = ir::dtype_bytes(arr.input_dtype), bw = ir::dtype_bytes(arr.weight_dtype),
                       ac = ir::dtype_bytes(acc_dtype_);
    const std::int64_t T = fo.stream_len, Rf = fo.rows_used, Cf = fo.cols_used;
    std::int64_t a = 0, b = 0, outs = 0;
    switch (df) {
      case Dataflow::os: a = Rf * T, b = Cf * T, outs = Rf * Cf; break;
      case Dataflow::ws: a = T * Rf, b = Rf * Cf, outs = T * Cf; break;
      case Dataflow::is: a = Rf * Cf, b = T * Rf, outs = T * Cf; break;
    }
    m.sram_read_bytes.ifmap += a * ai;
    m.sram_read_bytes.weight += b * bw;
    m.sram_write_bytes.output += outs * ac;
    if (fo.accumulate) m.sram_read_bytes.output += outs * ac;
    LayerCounters& lc = counters_[layer_];
    lc.array_read_words.ifmap += a, lc.array_read_words.weight += b, lc.array_write_words.output += outs;
    if (fo.accumulate) lc.array_read_words.output += outs;
  }

  /// Vector unit: the lanes' scratchpad traffic of one fold (sched::count_vector_fold), in words
  /// and bytes, and the cycles its steps took beyond one each because of the ports.
  void count_vector_sram(const sched::VectorCounts& vc) {
    LayerCounters& lc = counters_[layer_];
    stats::MemoryResult& m = lc.memory;
    const config::ArrayConfig& arr = arch_.array;
    m.sram_read_bytes.ifmap += vc.a_read_words * ir::dtype_bytes(arr.input_dtype);
    m.sram_read_bytes.weight += vc.b_read_words * ir::dtype_bytes(arr.weight_dtype);
    m.sram_read_bytes.output += vc.c_read_words * ir::dtype_bytes(acc_dtype_);
    m.sram_write_bytes.output += vc.c_write_words * ir::dtype_bytes(acc_dtype_);
    lc.array_read_words.ifmap += vc.a_read_words, lc.array_read_words.weight += vc.b_read_words;
    lc.array_read_words.output += vc.c_read_words, lc.array_write_words.output += vc.c_write_words;
    lc.vector_steps += vc.steps;
    lc.stall_read_bandwidth_cycles += vc.stall_read_bandwidth_cycles;
  }

  /// Vector unit, values fidelity: one clock cycle of the lanes. A fold whose start has come is
  /// handed to the lanes once the previous one's steps are done (folds never overlap in the lanes).
  bool cycle_lanes() {
    const sched::Schedule& s = layers_[layer_].schedule;
    const std::int64_t c = cycle_;
    while (vf_ < nf_ && timing_[static_cast<std::size_t>(vf_)].stream_start <= c) {
      const std::size_t f = static_cast<std::size_t>(vf_);
      const sched::Tile& tile = s.tiles[static_cast<std::size_t>(s.fold_tile[f])];
      lanes_->begin_fold(layers_[layer_].vector_mapping, s.folds[f], tile, a_slot_data_[tile.a_slot].data(), b_slot_data_[tile.b_slot].data(),
                         c_slot_data_[tile.c_slot].data(), base_ + timing_[f].stream_start);
      fold_index_ = static_cast<int>(vf_);
      ++vf_;
    }
    lanes_->cycle(base_ + c);
    in_valid_ = out_valid_ = lanes_->busy();
    stalled_ = nf_ < folds() && natural_next_ <= c && vf_ == nf_ && !lanes_->busy();
    return true;
  }

  /// Adds [from, to) (absolute cycles) to the stall causes, split by the phases of the transfer
  /// that was waited for (docs/memory.md): before it was issued — the buffer half was not free
  /// (dependency); issue to first data ready — dram_latency; until its last byte crossed the bus —
  /// dram_bandwidth; until the scratchpad absorbed it — bank_conflict (a load or a store).
  void add_stall(std::int64_t from, std::int64_t to, const Transfer* tr) {
    const std::int64_t issue = ceil_cycle(tr->issue_cycle);
    const std::int64_t ready = std::max(issue, ceil_cycle(std::min(tr->first_ready_cycle, tr->first_data_cycle)));
    const std::int64_t dram_done = std::max(ready, ceil_cycle(tr->dram_done_cycle));
    const std::int64_t done = std::max(dram_done, to);
    auto part = [&](std::int64_t a, std::int64_t b, std::int64_t stats::StallCycles::*cause) {
      a = std::max(a, from), b = std::min(b, to);
      if (b > a) add_stall_cause(a, b, cause);
    };
    part(from, issue, &stats::StallCycles::dependency);
    part(issue, ready, &stats::StallCycles::dram_latency);
    part(ready, dram_done, &stats::StallCycles::dram_bandwidth);
    part(dram_done, done, &stats::StallCycles::bank_conflict);
  }

  void add_stall_cause(std::int64_t from, std::int64_t to, std::int64_t stats::StallCycles::*cause) {
    counters_[layer_].memory.stall_cycles.*cause += to - from;
    if (opt_.record_timeline) stall_spans_.push_back({from, to, cause});
  }

  // ---------------------------------------------------------------- timing fidelity
  /// One activation per fold: jump to the next fold's natural start, start it when its operands
  /// are ready (waiting for the engines when they have not published yet), then jump on.
  void advance_timing() {
    for (;;) {
      if (nf_ == folds()) {
        state_ = 2;
        const std::int64_t end = base_ + last_output_ + 1;
        if (now_int() < end) {
          next_trigger(period_ * (static_cast<double>(end) - now_cycle()));
          return;
        }
        finish_layer();
        return;
      }
      const std::int64_t due = base_ + natural_next_;
      if (now_int() < due) {
        next_trigger(period_ * (static_cast<double>(due) - now_cycle()));
        return;
      }
      fold_index_ = static_cast<int>(nf_);
      const Pending p = resolve(now_rel());
      if (p.delta) {
        next_trigger(published_);
        return;
      }
      if (p.until_rel > now_rel()) {
        next_trigger(period_ * (static_cast<double>(base_ + p.until_rel) - now_cycle()));
        return;
      }
      layer_cycle_ = now_rel();
    }
  }

  // ---------------------------------------------------------------- DMA engines
  bool values() const { return opt_.fidelity == config::Fidelity::values; }

  /// Waits until absolute cycle `c`, advertising it so the controller knows when to look again.
  void wait_until(double c, double& advertised, EngineState& state) {
    const double now = now_cycle();
    if (c > now + 1e-9) {
      advertised = c;
      state = EngineState::timed_wait;
      sc_core::wait(period_ * (c - now));
      state = EngineState::running;
    }
    advertised = -1;
  }

  /// Waits for `ev`; the controller knows the engine then resumes within the current cycle
  /// (every event it waits for is notified for the next delta cycle).
  void wait_event(const sc_core::sc_event& ev, EngineState& state) {
    state = EngineState::event_wait;
    sc_core::wait(ev);
    state = EngineState::running;
  }

  std::function<void(const BurstRecord&)> burst_hook(int op) {
    if (!opt_.trace_dram && !opt_.trace_sram) return [this](const BurstRecord& b) { count_window(b); };
    return [this, op](const BurstRecord& b) {
      count_window(b);
      LayerCounters& lc = counters_[layer_];
      if (opt_.trace_dram)
        lc.accesses.push_back(stats::AccessRecord{static_cast<std::int64_t>(std::floor(b.cycle + 1e-9)), "dram", op_name(op),
                               b.write ? "write" : "read", b.addr, b.bytes,
                                                    layers_[layer_].name});
    };
  }

  void count_window(const BurstRecord& b) {
    windows_[static_cast<std::int64_t>(std::floor((b.cycle - static_cast<double>(base_)) / kWindowCycles))] +=
        static_cast<double>(b.bytes);
  }

  /// Loads every tile's A and B blocks in order, each into its buffer half once the controller
  /// has released it; explicit lowering first writes the Toeplitz matrix.
  void load_engine() {
    std::uint64_t seen = 0;
    for (;;) {
      while (layer_seq_ == seen) wait_event(layer_start_, load_state_);
      seen = layer_seq_;
      const LayerProgram& lp = layers_[layer_];
      const sched::Schedule& s = lp.schedule;
      LayerCounters& lc = counters_[layer_];
      stats::MemoryResult& m = lc.memory;
      if (addr_->toeplitz()) materialize_toeplitz(lp, m);
      for (std::size_t t = 0; t < s.tiles.size(); ++t) {
        const sched::Tile& tile = s.tiles[t];
        for (int op : {op_a, op_b}) {
          if (!(op == op_a ? tile.load_a : tile.load_b)) continue;
          const int slot = op == op_a ? tile.a_slot : tile.b_slot;
          SlotState& sl = slots_[op][slot];
          while (!sl.released) wait_event(released_, load_state_);
          wait_until(sl.free_cycle, load_wait_until_, load_state_);
          sl.released = false;
          const config::ScratchpadConfig& sp = op == op_a ? arch_.ifmap : arch_.weight;
          const std::vector<lower::DramRun>& runs =
              op == op_a ? addr_->a_runs(tile.group, tile.m0, tile.m_len, tile.k0, tile.k_len)
                         : addr_->b_runs(tile.group, tile.k0, tile.k_len, tile.n0, tile.n_len);
          const Transfer tr = dma_.transfer(false, runs, values() ? shadow_.data() : nullptr, now_cycle(),
                                            ideal_ ? 0.0 : static_cast<double>(sp.write_bytes_per_cycle()),
                                            sp.word_bytes, burst_hook(op));
          const std::int64_t elems = tile.k_len * (op == op_a ? tile.m_len : tile.n_len);
          const std::int64_t eb = ir::dtype_bytes(op == op_a ? arch_.array.input_dtype : arch_.array.weight_dtype);
          (op == op_a ? m.dram_read_bytes.ifmap : m.dram_read_bytes.weight) += tr.bytes;
          (op == op_a ? m.sram_write_bytes.ifmap : m.sram_write_bytes.weight) += elems * eb;
          m.bank_conflicts += tr.bank_conflicts;
          if (lanes_) lc.relayout_words += relayout_words(*addr_, lp.vector_mapping.parallel, op, tile, eb);
          if (values()) fill_slot(op, tile, slot);
          if (opt_.record_timeline) dma_spans_.push_back({"dma_load", std::string("load ") + op_name(op) + " tile " +
                                                              std::to_string(t), tr.issue_cycle, tr.done_cycle, tr.bytes});
          if (opt_.trace_sram)
            lc.accesses.push_back(stats::AccessRecord{static_cast<std::int64_t>(std::floor(tr.first_data_cycle + 1e-9)), "dma", op_name(op),
                                   "write", static_cast<std::int64_t>(slot) * sp.tile_budget_bytes(), elems * eb,
                                                    lp.name});
          (op == op_a ? a_tr_ : b_tr_)[t] = tr;
          published_.notify(sc_core::SC_ZERO_TIME);
        }
      }
    }
  }

  /// Explicit lowering: the DMA reads the input once and writes the Toeplitz matrices A_g [M][K]
  /// to DRAM before the first tile load; both passes count as ifmap traffic.
  void materialize_toeplitz(const LayerProgram& lp, stats::MemoryResult& m) {
    const lower::DramLayout& dl = addr_->layout();
    const std::vector<lower::DramRun> in{{dl.input_base, dl.input_bytes}};
    const Transfer rd = dma_.transfer(false, in, values() ? shadow_.data() : nullptr, now_cycle(), 0, 1, burst_hook(op_a));
    wait_until(rd.done_cycle, load_wait_until_, load_state_);
    const ir::GemmDims& d = lp.schedule.dims;
    const std::int64_t eb = ir::dtype_bytes(arch_.array.input_dtype);
    if (values()) {
      for (std::int64_t g = 0; g < d.groups; ++g)
        for (std::int64_t mm = 0; mm < d.m; ++mm)
          for (std::int64_t k = 0; k < d.k; ++k) {
            const std::int64_t off = addr_->map().a_offset(g, mm, k);
            unsigned char* dst = shadow_.data() + addr_->a_addr(g, mm, k);
            if (off < 0) std::memset(dst, 0, static_cast<std::size_t>(eb));
            else std::memcpy(dst, shadow_.data() + dl.input_base + off * eb, static_cast<std::size_t>(eb));
          }
    }
    const std::vector<lower::DramRun> out{{dl.toeplitz_base, dl.toeplitz_bytes}};
    const Transfer wr = dma_.transfer(true, out, values() ? shadow_.data() : nullptr, now_cycle(), 0, 1, burst_hook(op_a));
    m.dram_read_bytes.ifmap += rd.bytes;
    m.dram_write_bytes.ifmap += wr.bytes;
    if (opt_.record_timeline) {
      dma_spans_.push_back({"dma_load", "im2col read input", rd.issue_cycle, rd.done_cycle, rd.bytes});
      dma_spans_.push_back({"dma_store", "im2col write Toeplitz", wr.issue_cycle, wr.done_cycle, wr.bytes});
    }
    wait_until(wr.done_cycle, load_wait_until_, load_state_);
  }

  /// Values fidelity: the block the DMA just read into the shadow lands in its buffer half,
  /// laid out row-major as the array reads it (A [m][k], B [k][n]); implicit padding taps are 0.
  void fill_slot(int op, const sched::Tile& tile, int slot) {
    const config::ArrayConfig& arr = arch_.array;
    if (op == op_a) {
      std::vector<TIn>& dst = a_slot_data_[slot];
      for (std::int64_t i = 0; i < tile.m_len; ++i)
        for (std::int64_t j = 0; j < tile.k_len; ++j) {
          const std::int64_t a = addr_->a_addr(tile.group, tile.m0 + i, tile.k0 + j);
          dst[static_cast<std::size_t>(i * tile.k_len + j)] = a < 0 ? TIn{} : load_elem<TIn>(shadow_.data() + a, arr.input_dtype);
        }
    } else {
      std::vector<TIn>& dst = b_slot_data_[slot];
      for (std::int64_t i = 0; i < tile.k_len; ++i)
        for (std::int64_t j = 0; j < tile.n_len; ++j) {
          const std::int64_t a = addr_->b_addr(tile.group, tile.k0 + i, tile.n0 + j);
          dst[static_cast<std::size_t>(i * tile.n_len + j)] = load_elem<TIn>(shadow_.data() + a, arr.weight_dtype);
        }
    }
  }

  /// Stores every finished C block once its last output is in the scratchpad, then frees its half.
  void store_engine() {
    std::uint64_t seen = 0;
    for (;;) {
      while (layer_seq_ == seen) wait_event(layer_start_, store_state_);
      seen = layer_seq_;
      const sched::Schedule& s = layers_[layer_].schedule;
      LayerCounters& lc = counters_[layer_];
      stats::MemoryResult& m = lc.memory;
      const std::int64_t ac = ir::dtype_bytes(acc_dtype_);
      for (std::size_t t = 0; t < s.tiles.size(); ++t) {
        const sched::Tile& tile = s.tiles[t];
        if (!tile.store_c) continue;
        while (!c_done_[t]) wait_event(released_, store_state_);
        wait_until(*c_done_[t], store_wait_until_, store_state_);
        if (values()) {
          const std::vector<TAcc>& src = c_slot_data_[tile.c_slot];
          for (std::int64_t i = 0; i < tile.m_len; ++i)
            for (std::int64_t j = 0; j < tile.n_len; ++j) {
              const TAcc v = src[static_cast<std::size_t>(i * tile.n_len + j)];
              std::memcpy(shadow_.data() + addr_->c_addr(tile.group, tile.m0 + i, tile.n0 + j), &v, sizeof(TAcc));
            }
        }
        const std::vector<lower::DramRun>& runs = addr_->c_runs(tile.group, tile.m0, tile.m_len, tile.n0, tile.n_len);
        const Transfer tr = dma_.transfer(true, runs, values() ? shadow_.data() : nullptr, now_cycle(), 0, 1, burst_hook(op_c));
        m.dram_write_bytes.output += tr.bytes;
        m.sram_read_bytes.output += tile.m_len * tile.n_len * ac;
        if (opt_.record_timeline)
          dma_spans_.push_back({"dma_store", "store output tile " + std::to_string(t), tr.issue_cycle, tr.done_cycle, tr.bytes});
        if (opt_.trace_sram)
          lc.accesses.push_back(stats::AccessRecord{static_cast<std::int64_t>(std::floor(tr.issue_cycle + 1e-9)), "dma", "output", "read",
                                 static_cast<std::int64_t>(tile.c_slot) * arch_.output.tile_budget_bytes(),
                                 tile.m_len * tile.n_len * ac, layers_[layer_].name});
        st_tr_[t] = tr;
        slots_[op_c][tile.c_slot] = SlotState{true, static_cast<double>(ceil_cycle(tr.done_cycle))};
        published_.notify(sc_core::SC_ZERO_TIME);
      }
      stores_done_ = true;
      published_.notify(sc_core::SC_ZERO_TIME);
    }
  }

  // ---------------------------------------------------------------- values fidelity
  /// A_g[m][k] and B_g[k][n] as fold `f` reads them from its tile's buffer halves.
  TIn a_at(const sched::Tile& t, std::int64_t m, std::int64_t k) const {
    return a_slot_data_[t.a_slot][static_cast<std::size_t>((m - t.m0) * t.k_len + (k - t.k0))];
  }
  TIn b_at(const sched::Tile& t, std::int64_t k, std::int64_t n) const {
    return b_slot_data_[t.b_slot][static_cast<std::size_t>((k - t.k0) * t.n_len + (n - t.n0))];
  }

  /// Values fidelity: one clock cycle of edge traffic. False when a mismatch stopped the run.
  bool cycle_values() {
    const sched::Schedule& s = layers_[layer_].schedule;
    if (lanes_) return cycle_lanes();
    const std::int64_t R = array_->rows(), c = cycle_;
    // Output latency 1: first the bottom edge of the previous cycle, with that cycle's folds.
    if (!collect_previous()) return false;
    while (hi_ < nf_ && timing_[static_cast<std::size_t>(hi_)].load_start <= c) ++hi_;
    while (lo_ < hi_ && timing_[static_cast<std::size_t>(lo_)].last_output < c) ++lo_;
    stalled_ = hi_ == nf_ && nf_ < folds() && natural_next_ <= c;
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
    for (std::int64_t f = lo_; f < hi_; ++f) {
      const sched::Fold& fo = s.folds[static_cast<std::size_t>(f)];
      const sched::Tile& tile = s.tiles[static_cast<std::size_t>(s.fold_tile[static_cast<std::size_t>(f)])];
      const FoldTiming& ft = timing_[static_cast<std::size_t>(f)];
      const std::int64_t Rf = fo.rows_used, Cf = fo.cols_used, T = fo.stream_len, st = ft.stream_start;
      if (s.dataflow == Dataflow::os) {
        for (std::int64_t i = 0; i < Rf; ++i) {
          const std::int64_t k = c - st - i;
          if (k >= 0 && k < T) {
            left_[static_cast<std::size_t>(i)] = a_at(tile, fo.m0 + i, fo.k0 + k), any_in = true;
            left_valid_[static_cast<std::size_t>(i)] = 1;
          }
        }
        for (std::int64_t j = 0; j < Cf; ++j) {
          const std::int64_t k = c - st - j;
          if (k >= 0 && k < T) {
            top_[static_cast<std::size_t>(j)] = b_at(tile, fo.k0 + k, fo.n0 + j);
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
              top_[static_cast<std::size_t>(j)] =
                  ws ? b_at(tile, fo.k0 + r, fo.n0 + j) : a_at(tile, fo.m0 + j, fo.k0 + r);
              top_valid_[static_cast<std::size_t>(j)] = 1;
            }
        }
        for (std::int64_t i = 0; i < Rf; ++i) {
          const std::int64_t t = c - st - i;
          if (t >= 0 && t < T) {
            left_[static_cast<std::size_t>(i)] = ws ? a_at(tile, fo.m0 + t, fo.k0 + i) : b_at(tile, fo.k0 + i, fo.n0 + t);
            left_valid_[static_cast<std::size_t>(i)] = 1;
            any_in = true;
          }
        }
        if (c >= st) fold_index_ = static_cast<int>(f);
      }
    }
    in_valid_ = any_in;
    ArrayOut<TAcc> out;
    array_->step(in, out);
    prev_stepped_ = true;
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
    array_->collect(out);
    if (const CosimStatus* st = array_->cosim_status(); st && st->mismatch) return fail(*st->mismatch);
    return capture(c, out);
  }

  /// Writes what leaves the bottom row in cycle `c` (with the folds active in `c`) into the
  /// output buffer half of its tile. Arrays with valid outputs (the RTL) must flag exactly the
  /// captured columns.
  bool capture(std::int64_t c, const ArrayOut<TAcc>& out) {
    const sched::Schedule& s = layers_[layer_].schedule;
    const std::int64_t R = array_->rows();
    std::fill(captured_.begin(), captured_.end(), 0);
    bool any_out = false;
    for (std::int64_t f = lo_; f < hi_; ++f) {
      const sched::Fold& fo = s.folds[static_cast<std::size_t>(f)];
      const sched::Tile& tile = s.tiles[static_cast<std::size_t>(s.fold_tile[static_cast<std::size_t>(f)])];
      const FoldTiming& ft = timing_[static_cast<std::size_t>(f)];
      TAcc* C = c_slot_data_[tile.c_slot].data();
      const std::int64_t Rf = fo.rows_used, Cf = fo.cols_used, T = fo.stream_len, st = ft.stream_start;
      for (std::int64_t j = 0; j < Cf; ++j) {
        std::int64_t m = -1, n = -1;
        if (s.dataflow == Dataflow::os) {
          const std::int64_t t = c - os_drain_start(fo, ft, j);  // cycles since column j's drain began
          const std::int64_t row = R - 1 - t;
          if (t >= 0 && t < R && row < Rf) m = fo.m0 + row, n = fo.n0 + j;
        } else {
          const std::int64_t t = c - st - (R - 1) - j;  // stream index leaving column j
          if (t >= 0 && t < T) {
            if (s.dataflow == Dataflow::ws) m = fo.m0 + t, n = fo.n0 + j;
            else m = fo.m0 + j, n = fo.n0 + t;
          }
        }
        if (m < 0) continue;
        TAcc& dst = C[(m - tile.m0) * tile.n_len + (n - tile.n0)];
        const TAcc v = out.bottom[j];
        dst = fo.accumulate ? add_acc(dst, v) : v;
        captured_[static_cast<std::size_t>(j)] = 1;
        any_out = true;
        ++outputs_written_;
      }
    }
    out_valid_ = any_out;
    if (out.valid) {
      for (std::size_t j = 0; j < captured_.size(); ++j)
        if ((out.valid[j] != 0) != (captured_[j] != 0)) {
          ArrayMismatch mm;
          mm.cycle = c, mm.row = R - 1, mm.col = static_cast<std::int64_t>(j), mm.signal = "valid";
          mm.expected = captured_[j], mm.got = out.valid[j] != 0;
          return fail(std::move(mm));
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

  // ---------------------------------------------------------------- timeline and traces
  /// Layer, stall, busy and DMA spans of the finished layer (cycles from the start of the run).
  void record_timeline(LayerCounters& lc, std::int64_t total) {
    const std::string& name = layers_[layer_].name;
    lc.timeline.push_back({"layer", name, name, base_, total, 0, 0});
    std::sort(stall_spans_.begin(), stall_spans_.end(),
              [](const StallSpan& a, const StallSpan& b) { return a.from < b.from; });
    std::int64_t busy_from = base_;
    const std::int64_t layer_macs = ir::macs(layers_[layer_].layer);
    auto busy = [&](std::int64_t to) {
      if (to > busy_from) {
        const std::int64_t compute = lc.compute_cycles > 0 ? lc.compute_cycles : 1;
        lc.timeline.push_back({"pe_array", "compute", name, busy_from, to - busy_from,
                               layer_macs * (to - busy_from) / compute, 0});
      }
    };
    for (const StallSpan& sp : stall_spans_) {
      busy(sp.from);
      const char* cause = "";
      for (const stats::StallCause& c : stats::kStallCauses)
        if (c.cycles == sp.cause) cause = c.name;
      lc.timeline.push_back({"stall", std::string("stall ") + cause, name, sp.from, sp.to - sp.from, 0, 0});
      busy_from = sp.to;
    }
    busy(base_ + total);
    for (const DmaSpan& d : dma_spans_)
      lc.timeline.push_back({d.unit, d.name, name, ceil_cycle(d.from), std::max<std::int64_t>(0, ceil_cycle(d.to) - ceil_cycle(d.from)), 0, d.bytes});
    dma_spans_.clear();
  }

  /// --trace sram: the array's edge reads (one row-vector per operand per stream cycle, at its
  /// address inside the buffer half) and its output writes, from the finished fold timing.
  void trace_array_accesses(LayerCounters& lc) {
    const sched::Schedule& s = layers_[layer_].schedule;
    const config::ArrayConfig& arr = arch_.array;
    const std::string& layer = layers_[layer_].name;
    const std::int64_t ai = ir::dtype_bytes(arr.input_dtype), bw = ir::dtype_bytes(arr.weight_dtype),
                       ac = ir::dtype_bytes(acc_dtype_);
    auto rec = [&](std::int64_t cycle, const char* operand, const char* op, std::int64_t addr, std::int64_t bytes) {
      lc.accesses.push_back(stats::AccessRecord{cycle, "pe_array", operand, op, addr, bytes, layer});
    };
    for (std::size_t f = 0; f < s.folds.size(); ++f) {
      const sched::Fold& fo = s.folds[f];
      const sched::Tile& t = s.tiles[static_cast<std::size_t>(s.fold_tile[f])];
      const FoldTiming& ft = timing_[f];
      // Buffer-half base addresses; inside a half the DMA lays each block out so that every
      // array-edge vector is contiguous (docs/memory.md): OS A [k][m], B [k][n], C [m][n];
      // WS A [m][k], B [k][n], C [m][n]; IS A [k][m], B [n][k], C [n][m].
      const std::int64_t ah = t.a_slot * arch_.ifmap.tile_budget_bytes(), bh = t.b_slot * arch_.weight.tile_budget_bytes(),
                         ch = t.c_slot * arch_.output.tile_budget_bytes();
      const std::int64_t dm = fo.m0 - t.m0, dn = fo.n0 - t.n0, dk = fo.k0 - t.k0;
      const std::int64_t T = fo.stream_len, Rf = fo.rows_used, Cf = fo.cols_used, st = base_ + ft.stream_start;
      const char* out_op = fo.accumulate ? "update" : "write";
      switch (s.dataflow) {
        case Dataflow::os:
          for (std::int64_t k = 0; k < T; ++k) {
            rec(st + k, "ifmap", "read", ah + ((dk + k) * t.m_len + dm) * ai, Rf * ai);
            rec(st + k, "weight", "read", bh + ((dk + k) * t.n_len + dn) * bw, Cf * bw);
          }
          // Row i of the fold leaves the bottom row R-1-i cycles after the drain starts.
          for (std::int64_t i = 0; i < Rf; ++i)
            rec(st + T + Rf - 1 + (s.rows - 1 - i), "output", out_op, ch + ((dm + i) * t.n_len + dn) * ac, Cf * ac);
          break;
        case Dataflow::ws:
          for (std::int64_t r = 0; r < Rf; ++r)
            rec(base_ + ft.load_start + (s.rows - 1 - r), "weight", "read", bh + ((dk + r) * t.n_len + dn) * bw, Cf * bw);
          for (std::int64_t x = 0; x < T; ++x) {
            rec(st + x, "ifmap", "read", ah + ((dm + x) * t.k_len + dk) * ai, Rf * ai);
            rec(st + x + s.rows - 1, "output", out_op, ch + ((dm + x) * t.n_len + dn) * ac, Cf * ac);
          }
          break;
        case Dataflow::is:
          for (std::int64_t r = 0; r < Rf; ++r)
            rec(base_ + ft.load_start + (s.rows - 1 - r), "ifmap", "read", ah + ((dk + r) * t.m_len + dm) * ai, Cf * ai);
          for (std::int64_t x = 0; x < T; ++x) {
            rec(st + x, "weight", "read", bh + ((dn + x) * t.k_len + dk) * bw, Rf * bw);
            rec(st + x + s.rows - 1, "output", out_op, ch + ((dn + x) * t.m_len + dm) * ac, Cf * ac);
          }
          break;
      }
    }
    std::stable_sort(lc.accesses.begin(), lc.accesses.end(),
                     [](const stats::AccessRecord& a, const stats::AccessRecord& b) { return a.cycle < b.cycle; });
  }

  struct StallSpan {
    std::int64_t from, to;
    std::int64_t stats::StallCycles::*cause;
  };
  struct DmaSpan {
    std::string unit, name;
    double from, to;
    std::int64_t bytes;
  };
  static constexpr double kWindowCycles = 1024;  ///< window of the peak-bandwidth statistic

  PeArray<TIn, TAcc>* array_;       ///< the PE array, or null for the vector unit
  VectorLanes<TIn, TAcc>* lanes_;   ///< the vector unit's lanes, or null for a PE array
  std::int64_t vf_ = 0;             ///< vector unit: folds handed to the lanes
  std::int64_t lanes_written_ = 0;  ///< vector unit: outputs written before this layer
  Dma& dma_;
  Dram& dram_;
  const config::ArchConfig& arch_;
  const std::vector<LayerProgram>& layers_;
  SimulateOptions opt_;
  sc_core::sc_time period_;
  ir::DType acc_dtype_;
  bool ideal_ = false;
  std::vector<LayerCounters> counters_;
  std::string error_;

  // Layer state.
  std::size_t layer_ = 0;
  std::uint64_t layer_seq_ = 0;  ///< incremented at each layer start (the engines follow it)
  bool started_ = false;
  std::int64_t base_ = 0;        ///< absolute first cycle of the layer
  std::vector<FoldTiming> timing_;  ///< relative to base_; valid for folds < nf_
  std::int64_t nf_ = 0;             ///< folds whose start is fixed
  std::int64_t natural_next_ = 0;   ///< earliest start of fold nf_ by the fold recurrence (relative)
  std::int64_t last_output_ = -1, cycle_ = 0, lo_ = 0, hi_ = 0, outputs_written_ = 0;
  std::optional<lower::AddressGen> addr_;
  std::vector<std::size_t> a_src_, b_src_;
  std::vector<std::optional<Transfer>> a_tr_, b_tr_, st_tr_;
  std::vector<std::optional<double>> c_done_;  ///< per storing tile: absolute cycle its C block is complete
  SlotState slots_[3][2];
  std::int64_t block_last_read_[2] = {0, 0};
  std::int64_t block_last_output_ = 0;
  double load_wait_until_ = -1, store_wait_until_ = -1;
  EngineState load_state_ = EngineState::event_wait, store_state_ = EngineState::event_wait;
  bool stores_done_ = false;  ///< the store engine has stored every C block of the layer
  std::map<std::int64_t, double> windows_;  ///< DRAM bytes per kWindowCycles window of the layer
  std::vector<StallSpan> stall_spans_;
  std::vector<DmaSpan> dma_spans_;
  sc_core::sc_event layer_start_, released_, published_;
  // Values fidelity: the DMA's view of DRAM and the scratchpad halves.
  std::vector<unsigned char> shadow_;
  std::vector<TIn> a_slot_data_[2], b_slot_data_[2];
  std::vector<TAcc> c_slot_data_[2];
  // Array edges.
  std::vector<TIn> left_, top_;
  std::vector<std::uint8_t> drain_;
  std::vector<std::uint8_t> left_valid_, top_valid_;  ///< edge valid bits (used by the RTL array)
  std::vector<std::uint8_t> captured_;                ///< per column: an output was captured this cycle
  const int latency_ = array_ ? array_->output_latency() : 0;       ///< 0 or 1, see PeArray::output_latency
  bool prev_stepped_ = false;    ///< latency 1: the array was clocked in the previous cycle, not yet collected
  std::optional<ArrayMismatch> mismatch_;
  CosimStatus compared_;              ///< cosim totals at the end of the previous layer
  std::int64_t valid_compared_ = 0;  ///< valid bits compared in this layer
  // Traced state.
  int layer_index_ = -1, fold_index_ = -1, state_ = 0;
  std::int64_t layer_cycle_ = 0;
  bool in_valid_ = false, out_valid_ = false, stalled_ = false;
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

/// The accelerator top: owns the PE array, the DMA, the DRAM and the controller; the DMA's
/// initiator socket is bound to the DRAM's target socket (docs/memory.md says how to bind
/// another TLM-2.0 DRAM model instead).
template <class TIn, class TAcc> class Accelerator : public sc_core::sc_module {
 public:
  Accelerator(sc_core::sc_module_name name, const config::ArchConfig& arch, const std::vector<LayerProgram>& layers,
              const SimulateOptions& opt)
      : sc_core::sc_module(name) {
    const ArrayMode mode =
        arch.array.dataflow == Dataflow::os ? ArrayMode::output_stationary : ArrayMode::stationary;
    const sc_core::sc_time period(1000.0 / arch.clock_mhz, sc_core::SC_NS);
    if (arch.array.type == config::ArrayType::systolic) {
      pe_array = make_pe_array<TIn, TAcc>("pe_array", arch, mode, opt, period);
    } else {
      lanes = std::make_unique<VectorLanes<TIn, TAcc>>(vector_unit_shape(arch), arch.array.reduction_latency_cycles);
    }
    dram = std::make_unique<Dram>("dram", arch.dram, period);
    dma = std::make_unique<Dma>("dma", arch.dram.burst_bytes, period);
    dma->socket.bind(dram->socket);
    controller = std::make_unique<Controller<TIn, TAcc>>("controller", pe_array.get(), lanes.get(), *dma, *dram, arch,
                                                         layers, opt, period);
  }
  std::unique_ptr<PeArray<TIn, TAcc>> pe_array;  ///< systolic
  std::unique_ptr<VectorLanes<TIn, TAcc>> lanes;  ///< vector
  std::unique_ptr<Dram> dram;
  std::unique_ptr<Dma> dma;
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
    start_simulation(sc_core::SC_ZERO_TIME);
    acc.pe_array->open_waveform(opt.vcd_path);
  } else if (!opt.vcd_path.empty()) {
    std::string base = opt.vcd_path;
    if (base.size() > 4 && base.compare(base.size() - 4, 4, ".vcd") == 0) base.resize(base.size() - 4);
    tf = sc_core::sc_create_vcd_trace_file(base.c_str());
    tf->set_time_unit(1.0, sc_core::SC_PS);
    acc.controller->trace(tf);
    if (acc.pe_array && arch.array.rows <= 16 && arch.array.cols <= 16) acc.pe_array->trace(tf);
  }
  start_simulation();
  if (tf) sc_core::sc_close_vcd_trace_file(tf);
  if (!acc.controller->error().empty()) throw std::runtime_error(acc.controller->error());
  if (acc.controller->mismatch()) throw ArrayMismatchError(*acc.controller->mismatch());
  return std::move(acc.controller->counters());
}

}  // namespace

std::vector<LayerCounters> simulate(const config::ArchConfig& arch, const std::vector<LayerProgram>& layers,
                                    const SimulateOptions& opt) {
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
