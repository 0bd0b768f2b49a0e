#pragma once
/// The controller: runs the layers one after another, and within a layer starts each fold when
/// the array lets it (timing fidelity: the fold recurrence; values fidelity: the array's own
/// state) and the memory engine has its operands in and its output half free; stalls are
/// counted by cause in between. It ends a layer when the last output is out and every store is
/// done.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <systemc>

#include "sim/hw/array_check.hpp"
#include "sim/hw/compute_unit.hpp"
#include "sim/hw/edge_ports.hpp"
#include "sim/hw/fold_sequencer.hpp"
#include "sim/hw/memory_engine.hpp"
#include "sim/hw/post_processor.hpp"
#include "sim/hw/recorder.hpp"
#include "sim/plan/plan.hpp"

namespace arraysim::hw {

/// One layer as the hardware runs it: its plan and, in values fidelity, its operands.
struct LayerProgram {
  const plan::LayerPlan* plan = nullptr;
  const ir::LayerOperands* operands = nullptr;  ///< values fidelity; null in timing fidelity
  /// Values fidelity, post-processing operators (plan->post): the operator's inputs; null otherwise.
  const std::vector<ir::Tensor>* inputs = nullptr;
};

/// Called at a layer boundary before layer `index` starts, with the counters of every layer so far
/// (those before `index` are complete, their outputs read back): fills what the layer's program
/// points to (a graph run passes tensors from operator to operator). Throws std::runtime_error
/// to stop the run with that message.
using PrepareLayerFn = std::function<void(std::size_t index, std::vector<LayerCounters>& counters)>;

class Controller : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(Controller);
  /// Exactly one of `compute` (values fidelity) and `sequencer` (timing fidelity) is non-null.
  /// `on_layer_start` (may be empty) is called at each layer boundary. `max_cycles`: a layer that
  /// runs longer stops the simulation with an error.
  Controller(sc_core::sc_module_name name, const config::ArchConfig& arch, const std::vector<LayerProgram>& layers,
             sc_core::sc_time period, MemoryEngine& memory, Recorder& recorder, ComputeUnit* compute,
             FoldSequencer* sequencer, std::function<void(std::size_t)> on_layer_start, std::int64_t max_cycles,
             PostProcessor* post = nullptr, PrepareLayerFn prepare = {});

  /// Adds the controller's state to a VCD.
  void trace(sc_core::sc_trace_file* tf);
  /// Non-empty when the run was stopped early.
  const std::string& error() const { return error_; }
  /// Set when the run stopped at a co-simulation or valid-output mismatch.
  const std::optional<ArrayMismatch>& mismatch() const { return mismatch_; }
  /// Every layer ran to its end.
  bool finished() const { return layer_ >= layers_.size(); }

 private:
  /// idle: no layer running; running: folds to start or in flight; draining: every output is
  /// out, waiting for the stores.
  enum class State { idle, running, draining };
  /// What came of trying to start the next fold.
  struct Attempt {
    enum class Kind { started, wait_delta, blocked } kind = Kind::started;
    std::int64_t until = -1;  ///< blocked: no start before this absolute cycle (−1: unknown)
  };

  void on_cycle();
  void begin_layer();
  void advance_timing();
  /// A post-processing operator: wait for the unit, then end the layer at its end cycle.
  void advance_post();
  void advance_values();
  Attempt try_start(std::int64_t need);
  /// Reports the compute unit's observations to the block tracker (values fidelity).
  void take_events();
  void block_done(plan::Operand op, std::int64_t f, std::int64_t cycle);
  void finish_layer();
  void end_layer(std::int64_t total);
  /// Records `m` (or `error_`) and stops: no further trigger, so the simulation ends.
  void stop(std::optional<ArrayMismatch> m);
  void set_state(State s);
  double now_cycle() const { return sc_core::sc_time_stamp() / period_; }
  std::int64_t now_int() const;
  std::int64_t now_rel() const { return now_int() - base_; }
  const plan::LayerPlan& plan() const { return *layers_[layer_].plan; }
  /// True (and the run stopped with its error) when the layer has run past sim.max_cycles:
  /// `layer_cycles` is the layer cycle the controller is about to reach.
  bool exceeds_max_cycles(std::int64_t layer_cycles);
  std::int64_t folds() const { return plan().schedule.fold_count; }
  bool values() const { return compute_ != nullptr; }

  const config::ArchConfig& arch_;
  const std::vector<LayerProgram>& layers_;
  sc_core::sc_time period_;
  MemoryEngine& memory_;
  Recorder& rec_;
  ComputeUnit* compute_;
  FoldSequencer* sequencer_;
  std::function<void(std::size_t)> on_layer_start_;
  std::int64_t max_cycles_;
  PostProcessor* post_;
  PrepareLayerFn prepare_;
  std::int64_t a_elem_, b_elem_, c_elem_;  ///< element bytes of A, B, C
  BlockTracker tracker_;
  EdgeReadPorts edge_ports_;  ///< the array's edge reads through the scratchpad banks
  LanePorts lane_ports_;      ///< the vector lanes' accesses through the scratchpad banks
  std::string error_;
  std::optional<ArrayMismatch> mismatch_;
  std::pair<std::int64_t, std::int64_t> compared_{0, 0};  ///< co-simulation totals at the previous layer end

  // Layer state.
  std::size_t layer_ = 0;
  bool started_ = false;
  State state_ = State::idle;
  std::int64_t base_ = 0;          ///< absolute first cycle of the layer
  std::int64_t nf_ = 0;            ///< folds started
  std::size_t tile_ = 0;           ///< the tile of fold nf_
  std::int64_t need_ = -1;         ///< values: first layer cycle the array took fold nf_ (−1: not yet)
  std::int64_t cycle_ = 0;         ///< values: the layer cycle being simulated
  std::int64_t collected_ = -1;    ///< values: the layer cycle whose previous cycle was collected
  std::int64_t last_output_ = -1;  ///< values: the latest output observed

  // Traced state (VCD).
  int layer_index_ = -1, fold_index_ = -1, state_code_ = 0;
  std::int64_t layer_cycle_ = 0;
  bool in_valid_ = false, out_valid_ = false, stalled_ = false;
};

}  // namespace arraysim::hw
