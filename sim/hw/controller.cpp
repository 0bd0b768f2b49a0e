#include "sim/hw/controller.hpp"

#include <algorithm>

#include "sim/hw/cycles.hpp"

namespace arraysim::hw {

Controller::Controller(sc_core::sc_module_name name, const config::ArchConfig& arch,
                       const std::vector<LayerProgram>& layers, sc_core::sc_time period, MemoryEngine& memory,
                       Recorder& recorder, ComputeUnit* compute, FoldSequencer* sequencer,
                       std::function<void(std::size_t)> on_layer_start, std::int64_t max_cycles, PostProcessor* post,
                       PrepareLayerFn prepare)
    : sc_core::sc_module(name),
      arch_(arch),
      layers_(layers),
      period_(period),
      memory_(memory),
      rec_(recorder),
      compute_(compute),
      sequencer_(sequencer),
      on_layer_start_(std::move(on_layer_start)),
      max_cycles_(max_cycles),
      post_(post),
      prepare_(std::move(prepare)),
      a_elem_(ir::dtype_bytes(arch.array.input_dtype)),
      b_elem_(ir::dtype_bytes(arch.array.weight_dtype)),
      c_elem_(ir::dtype_bytes(arch.array.accumulator_dtype)),
      edge_ports_(arch),
      lane_ports_(arch) {
  SC_METHOD(on_cycle);
}

void Controller::trace(sc_core::sc_trace_file* tf) {
  const std::string n = name();
  sc_core::sc_trace(tf, layer_index_, n + ".layer_index");
  sc_core::sc_trace(tf, fold_index_, n + ".fold_index");
  sc_core::sc_trace(tf, layer_cycle_, n + ".layer_cycle");
  sc_core::sc_trace(tf, state_code_, n + ".state");
  sc_core::sc_trace(tf, in_valid_, n + ".in_valid");
  sc_core::sc_trace(tf, out_valid_, n + ".out_valid");
  sc_core::sc_trace(tf, stalled_, n + ".stalled");
}

std::int64_t Controller::now_int() const { return ceil_cycle(now_cycle()); }

void Controller::set_state(State s) {
  state_ = s;
  state_code_ = static_cast<int>(s);
}

void Controller::on_cycle() {
  if (layer_ >= layers_.size()) {
    set_state(State::idle);
    return;  // no further trigger: the simulation ends when nothing is pending
  }
  if (!started_) {
    begin_layer();
    if (!error_.empty()) return set_state(State::idle);
  }
  if (plan().post) return advance_post();
  if (state_ == State::draining) return finish_layer();
  if (values())
    advance_values();
  else
    advance_timing();
}

void Controller::begin_layer() {
  if (prepare_) {
    try {
      prepare_(layer_, rec_.counters());
    } catch (const std::exception& e) {
      error_ = e.what();  // exceptions must not cross the SystemC kernel
      started_ = true;
      return;
    }
  }
  const LayerProgram& lp = layers_[layer_];
  const plan::LayerPlan& p = *lp.plan;
  base_ = now_int();
  started_ = true;
  set_state(State::running);
  nf_ = 0, tile_ = 0, need_ = -1, cycle_ = 0, collected_ = -1, last_output_ = -1;
  layer_index_ = static_cast<int>(layer_);
  layer_cycle_ = 0;
  rec_.begin_layer(layer_, p.layer.name, base_);
  if (p.post) {
    if (!post_) {
      error_ = "internal: no post-processing unit for operator '" + p.layer.name + "'";
      return;
    }
    post_->start(*p.post, lp.inputs, base_);
    if (on_layer_start_) on_layer_start_(layer_);
    return;
  }
  rec_.layer().folds = p.schedule.fold_count;
  tracker_.begin_layer(p.schedule);
  if (compute_)
    compute_->begin_layer(p);
  else
    sequencer_->begin_layer(p);
  memory_.begin_layer(p, lp.operands, base_);
  if (on_layer_start_) on_layer_start_(layer_);
}

Controller::Attempt Controller::try_start(std::int64_t need) {
  const plan::Schedule& s = plan().schedule;
  while (nf_ >= s.tiles[tile_].fold_end) ++tile_;
  const std::size_t t = tile_;
  std::int64_t start = need;
  if (nf_ == s.tiles[t].fold_begin) {
    // A tile's first fold waits for its operand blocks and, for a new C block, its output half.
    const Gate g = memory_.gate(t, need);
    switch (g.kind) {
      case Gate::Kind::this_cycle: return {Attempt::Kind::wait_delta, -1};
      case Gate::Kind::at_cycle: return {Attempt::Kind::blocked, g.cycle};
      case Gate::Kind::later: return {Attempt::Kind::blocked, -1};
      case Gate::Kind::ready: break;
    }
    start = g.cycle;
    // Values fidelity starts a fold in the cycle it starts in, not ahead of time.
    if (values() && start > now_int()) return {Attempt::Kind::blocked, start};
    if (values() && start < now_int()) {
      error_ =
          "internal: fold " + std::to_string(nf_) + " of layer '" + plan().layer.name + "' would start in the past";
      return {Attempt::Kind::blocked, -1};
    }
    memory_.claim_output_half(t);
    if (start > need) {
      if (g.binding)
        rec_.add_stall(need, start, *g.binding);
      else if (g.half_store)  // the output half was still being written back to DRAM
        rec_.add_stall(need, start, *g.half_store, true);
      else if (g.binding_half)
        rec_.add_stall(need, start, &stats::StallCycles::dependency);
    }
  }
  const std::int64_t f = nf_++;
  need_ = -1;
  fold_index_ = static_cast<int>(f);
  const plan::LayerPlan& p = plan();
  {
    // The fold's reads through the banks: edge vectors that need more than one cycle of their
    // banks' ports (docs/memory.md, "Array side"), or lane steps that need more than the port
    // bandwidth gives them (docs/vector.md, "Banks"), hold the fold back.
    const EdgeReadCost ports = p.vector ? lane_ports_.cost(p, f) : edge_ports_.cost(s, f);
    rec_.layer().memory.bank_conflicts += ports.conflicts;
    if (ports.cycles > 0) rec_.add_stall(start, start + ports.cycles, &stats::StallCycles::bank_conflict);
    start += ports.cycles;
  }
  std::optional<plan::Fold> fold;
  if (p.vector) {
    rec_.count_vector_fold(p.vector_folds[static_cast<std::size_t>(f)], a_elem_, b_elem_, c_elem_);
  } else {
    fold = s.fold(f);
    rec_.count_fold(plan::dataflow(s.dataflow).words(*fold), a_elem_, b_elem_, c_elem_);
  }
  if (compute_) {
    compute_->start_fold(f, start - base_);
  } else {
    const plan::FoldStep step = sequencer_->start(f, start - base_);
    if (fold) rec_.fold_spans(plan::dataflow(s.dataflow).access_spans(*fold, step.timing, s.rows));
    block_done(plan::Operand::a, f, step.last_read_a);
    block_done(plan::Operand::b, f, step.last_read_b);
    block_done(plan::Operand::c, f, step.timing.last_output);
  }
  return {Attempt::Kind::started, -1};
}

void Controller::block_done(plan::Operand op, std::int64_t f, std::int64_t cycle) {
  if (const std::optional<BlockDone> d = tracker_.done(op, f, base_ + cycle)) memory_.block_done(*d);
}

/// Timing fidelity: one activation per fold. Jump to the next fold's natural start, start it
/// when its operands are ready (waiting for the engines when they have not published yet), jump on.
void Controller::advance_timing() {
  for (;;) {
    if (nf_ == folds()) {
      set_state(State::draining);
      const std::int64_t end = base_ + sequencer_->last_output() + 1;
      if (exceeds_max_cycles(end - base_)) return;
      if (now_int() < end) return next_trigger(period_ * (static_cast<double>(end) - now_cycle()));
      return finish_layer();
    }
    const std::int64_t due = base_ + sequencer_->next_start();
    if (exceeds_max_cycles(due - base_)) return;
    if (now_int() < due) return next_trigger(period_ * (static_cast<double>(due) - now_cycle()));
    const Attempt a = try_start(due);
    stalled_ = a.kind == Attempt::Kind::blocked;  // from the fold's natural start until it starts
    if (a.kind == Attempt::Kind::wait_delta || (a.kind == Attempt::Kind::blocked && a.until < 0))
      return next_trigger(memory_.published());
    if (a.kind == Attempt::Kind::blocked) {
      if (exceeds_max_cycles(a.until - base_)) return;
      if (a.until > now_int()) return next_trigger(period_ * (static_cast<double>(a.until) - now_cycle()));
      continue;
    }
    layer_cycle_ = now_rel();
  }
}

void Controller::advance_post() {
  if (!post_->done()) return next_trigger(post_->done_event());
  if (!post_->error().empty()) {
    error_ = post_->error();
    return set_state(State::idle);
  }
  const std::int64_t end = post_->end_cycle();
  if (exceeds_max_cycles(end - base_)) return;
  if (now_int() < end) return next_trigger(period_ * (static_cast<double>(end) - now_cycle()));
  rec_.end_layer(end - base_, 0, nullptr, {}, plan::scratchpad_halves(arch_));
  if (values()) rec_.layer().output = post_->read_output();
  ++layer_;
  started_ = false;
  set_state(State::idle);
  next_trigger(sc_core::SC_ZERO_TIME);
}

/// Values fidelity: one activation per clock cycle while anything is in flight. Each cycle: the
/// previous cycle's outputs (latency 1), then the next fold if the array takes it and its
/// operands are in, then one clock of the compute unit.
void Controller::advance_values() {
  const std::int64_t c = now_rel();
  if (c != cycle_) cycle_ = c;  // after idle cycles skipped in one step
  layer_cycle_ = c;
  if (collected_ != c) {
    collected_ = c;
    if (!compute_->collect()) return stop(compute_->mismatch);
    take_events();
  }
  stalled_ = false;
  if (nf_ < folds() && compute_->accepts_fold(c)) {
    if (need_ < 0) need_ = c;
    const Attempt a = try_start(base_ + need_);
    if (a.kind == Attempt::Kind::wait_delta) return next_trigger(memory_.published());
    if (a.kind == Attempt::Kind::blocked) {
      stalled_ = true;
      if (compute_->idle()) {
        // Nothing in the array: skip to the cycle the operands can come (no register holds a
        // live value, so clocking the array through bubbles would change nothing).
        in_valid_ = out_valid_ = false;
        if (a.until >= 0) return next_trigger(period_ * (static_cast<double>(a.until) - now_cycle()));
        // An engine waits for the other (a partial-sum reload for a store): wake when one
        // publishes. Nothing left to publish ends the simulation, which simulate() reports.
        return next_trigger(memory_.published());
      }
    }
  }
  if (nf_ == folds() && compute_->idle()) {
    set_state(State::draining);
    return finish_layer();
  }
  if (!compute_->cycle(c)) return stop(compute_->mismatch);
  take_events();
  in_valid_ = compute_->in_valid;
  out_valid_ = compute_->out_valid;
  if (compute_->fold_index >= 0) fold_index_ = compute_->fold_index;
  cycle_ = c + 1;
  if (exceeds_max_cycles(cycle_)) return;
  next_trigger(period_);
}

bool Controller::exceeds_max_cycles(std::int64_t layer_cycles) {
  if (layer_cycles <= max_cycles_) return false;
  // Exceptions must not cross the SystemC kernel: stop and let simulate() report it.
  error_ = "layer '" + plan().layer.name + "' exceeded sim.max_cycles (" + std::to_string(max_cycles_) + ")";
  return true;
}

void Controller::take_events() {
  const plan::Schedule& s = plan().schedule;
  for (const FoldEvent& e : compute_->events) {
    if (e.op == plan::Operand::c) {
      last_output_ = std::max(last_output_, e.cycle);
      if (!plan().vector) rec_.fold_spans(plan::dataflow(s.dataflow).access_spans(s.fold(e.fold), e.timing, s.rows));
    }
    block_done(e.op, e.fold, e.cycle);
  }
  compute_->events.clear();
}

void Controller::stop(std::optional<ArrayMismatch> m) {
  if (!compute_->error.empty()) {
    error_ = compute_->error;
  } else if (m) {
    m->layer = plan().layer.name;
    mismatch_ = std::move(m);
  }
  set_state(State::idle);
}

/// After the last fold: the layer ends when its last output is out and every store has completed;
/// the final store's wait counts as stall.
void Controller::finish_layer() {
  if (!memory_.stores_done()) return next_trigger(memory_.published());
  const std::int64_t last = values() ? last_output_ : sequencer_->last_output();
  const std::int64_t outputs_end = base_ + last + 1;
  std::int64_t end = outputs_end;
  const Transfer* store = memory_.last_store();
  if (store && ceil_cycle(store->done_cycle) > end)
    end = ceil_cycle(store->done_cycle);
  else
    store = nullptr;
  // The wait for the final store is stall (the same cycles as the recorder's span below).
  stalled_ = now_int() >= outputs_end && now_int() < end;
  if (now_int() < end) return next_trigger(period_ * (static_cast<double>(end) - now_cycle()));
  if (store) rec_.add_stall(outputs_end, end, *store, true);
  end_layer(end - base_);
  next_trigger(sc_core::SC_ZERO_TIME);
}

void Controller::end_layer(std::int64_t total) {
  const plan::LayerPlan& p = plan();
  std::vector<plan::FoldTiming> timing = values() ? compute_->timing : sequencer_->timing();
  for (plan::FoldTiming& t : timing) t.load_start += base_, t.stream_start += base_, t.last_output += base_;
  rec_.end_layer(total, ir::macs(p.layer), p.vector ? nullptr : &p.schedule, timing, plan::scratchpad_halves(arch_));
  LayerCounters& lc = rec_.layer();
  if (values()) {
    lc.output = memory_.read_output();
    lc.outputs_written = compute_->outputs_written();
    const auto counts = compute_->cosim_counts();
    lc.compared_cycles = counts.first - compared_.first;
    lc.compared_values = counts.second - compared_.second;
    compared_ = counts;
  }
  ++layer_;
  started_ = false;
  set_state(State::idle);
}

}  // namespace arraysim::hw
