#pragma once
/// The memory engine: the DMA's load and store threads, which move each tile's operand blocks
/// between DRAM and the scratchpad halves over TLM-2.0 (docs/memory.md), the state of every
/// buffer half, and the answer to the controller's question before a tile's first fold starts:
/// are its operands in and its output half free, from which cycle, and what held them up.
#include <cstdint>
#include <map>
#include <optional>
#include <tuple>
#include <string>
#include <vector>

#include <systemc>

#include "models/ir/tensor.hpp"
#include "sim/config/arch_config.hpp"
#include "sim/hw/banked_scratchpad.hpp"
#include "sim/hw/dma.hpp"
#include "sim/hw/recorder.hpp"
#include "sim/hw/scratchpad.hpp"
#include "sim/lower/dram_layout.hpp"
#include "sim/plan/plan.hpp"

namespace arraysim::hw {

/// Whether a tile's first fold can start, and if not, until when it cannot.
struct Gate {
  enum class Kind {
    ready,       ///< from `cycle` on (absolute, ≥ the cycle asked for)
    this_cycle,  ///< a DMA engine publishes later in the current cycle: ask again after `published`
    at_cycle,    ///< a DMA engine waits until `cycle`: nothing can change before it
    later,       ///< a DMA engine waits for the controller (a buffer half to be released)
  };
  Kind kind = Kind::ready;
  std::int64_t cycle = 0;
  const Transfer* binding = nullptr;  ///< ready after need: the transfer that arrived last
  bool binding_half = false;          ///< ready after need: the output half was freed last
  /// binding_half: the store (write-back) whose completion freed the half; null when none did.
  const Transfer* half_store = nullptr;
};

/// A buffer half the compute side is done with: operand A or B of the block `tile` loaded, or
/// the C block that `tile` stores, free (or complete) from absolute cycle `cycle`.
struct BlockDone {
  plan::Operand op = plan::Operand::a;
  std::size_t tile = 0;
  std::int64_t cycle = 0;
};

/// Which block every fold of a layer reads and writes, and when each block is done with: an A
/// (B) half is free after the last read of the last fold that uses its block; a C block is
/// complete after the last output of the last fold that accumulates into it. Both fidelities
/// report into it: timing from the fold recurrence, values from what the array driver observed.
class BlockTracker {
 public:
  void begin_layer(const plan::Schedule& s);
  /// Fold `f` is done with operand `op` (a, b: its last read; c: its last output) in absolute
  /// cycle `cycle`; returns the block when this was its last fold (free from the latest + 1).
  std::optional<BlockDone> done(plan::Operand op, std::int64_t f, std::int64_t cycle);

 private:
  struct Block {
    std::int64_t folds_left = 0;
    std::int64_t last_cycle = 0;
  };
  const plan::Schedule* s_ = nullptr;
  std::vector<std::size_t> block_of_[3];  ///< per operand, per tile: the tile that loads (stores) its block
  std::vector<Block> blocks_[3];          ///< per operand, indexed by that tile
};

/// The DMA engines and the buffer halves.
class MemoryEngine : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(MemoryEngine);
  /// `buffers`: the typed tile buffers (values fidelity) or null (timing fidelity: no bytes move).
  MemoryEngine(sc_core::sc_module_name name, const config::ArchConfig& arch, Dma& dma, Recorder& rec,
               TileBuffers* buffers, sc_core::sc_time period);

  /// Layer `p` starts in absolute cycle `base`: its address generator, its tensors placed in DRAM
  /// (values: `operands` through the DMA's debug transport), every half free.
  void begin_layer(const plan::LayerPlan& p, const ir::LayerOperands* operands, std::int64_t base);
  /// Can tile `t`'s first fold start at absolute cycle `need` (see Gate)?
  Gate gate(std::size_t t, std::int64_t need) const;
  /// Tile `t`'s first fold started: a new C block takes its output half.
  void claim_output_half(std::size_t t);
  /// A block is done with (BlockTracker): frees an A/B half, or hands a complete C block to the
  /// store engine.
  void block_done(const BlockDone& d);
  /// Every C block of the layer is stored.
  bool stores_done() const { return stores_done_; }
  /// The store transfer that ends last, or null when there was none.
  const Transfer* last_store() const;
  /// Values fidelity: the layer's output as it lies in DRAM, read back through the debug transport.
  ir::Tensor read_output();
  /// Notified (next delta) whenever an engine published a transfer or freed a half.
  const sc_core::sc_event& published() const { return published_; }
  /// What the controller waits for when the load engine has not published a block yet.
  Gate load_pending() const;

 private:
  /// A DMA engine's state as the controller sees it when it decides whether to wait for it
  /// within the current cycle: runnable (it resumes in this cycle), waiting until a cycle,
  /// waiting for the controller, or (the load engine) waiting for the store engine.
  struct EngineState {
    enum class Kind { runnable, timed_wait, event_wait, store_wait } kind = Kind::event_wait;
    double until = -1;
  };
  /// One buffer half: whether its last user released it, and from which cycle it is free.
  struct HalfState {
    bool released = true;
    double free_cycle = 0;
    const Transfer* store = nullptr;  ///< output halves: the store that freed it (into st_tr_)
  };

  void load_engine();
  void store_engine();
  void materialize_toeplitz();
  void reload_partial_sums(std::size_t t, LayerCounters& lc);
  Gate pending(const EngineState& e) const;
  void wait_until(double c, EngineState& state);
  void wait_event(const sc_core::sc_event& ev, EngineState& state);
  /// Wakes the engines waiting for the controller (delta notification).
  void notify_engines();
  std::function<void(const BurstRecord&)> burst_hook(plan::Operand op);
  /// Adds a transfer of operand `op` to the layer's DRAM counters (Recorder::count_dram).
  void count_dram(const Transfer& tr, plan::Operand op, bool write);
  /// The DMA's writes of a loaded block of `bytes` into half `slot` of scratchpad `buffer` (0
  /// ifmap, 1 weight, 2 output) through the banks' write ports: sets `tr`'s done cycle and conflicts.
  void write_into_half(Transfer& tr, int buffer, int slot, std::int64_t bytes) const;
  double now_cycle() const { return sc_core::sc_time_stamp() / period_; }
  bool values() const { return buffers_ != nullptr; }

  const config::ArchConfig& arch_;
  Dma& dma_;
  Recorder& rec_;
  TileBuffers* buffers_;
  sc_core::sc_time period_;
  bool ideal_;                 ///< dram.model: ideal: transfers and scratchpad fills take no time
  BankedScratchpad spads_[3];  ///< the ifmap, weight and output scratchpads' banks, which the loads write

  const plan::LayerPlan* plan_ = nullptr;
  std::uint64_t layer_seq_ = 0;  ///< incremented at each layer start (the engines follow it)
  std::optional<lower::AddressGen> addr_;
  std::vector<unsigned char> shadow_;       ///< values: the DMA's copy of the DRAM bytes it moved
  std::vector<std::size_t> a_src_, b_src_;  ///< per tile: the tile that loaded its A (B) block
  std::vector<std::optional<Transfer>> a_tr_, b_tr_, c_tr_, st_tr_;  ///< c_tr_: partial sums read back
  /// C blocks stored so far: (group, m0, n0) → the cycle their last store is done.
  std::map<std::tuple<std::int64_t, std::int64_t, std::int64_t>, double> stored_;
  bool has_reloads_ = false;                   ///< the layer reads partial sums back (a loop order with k outside)
  std::vector<std::int64_t> c_visit_;          ///< per tile: the index of its C visit (0, 1, ...)
  std::int64_t stores_on_half_[2] = {0, 0};    ///< C visits stored from each output half so far
  std::vector<std::optional<double>> c_done_;  ///< per storing tile: absolute cycle its C block is complete
  HalfState halves_[3][2];
  EngineState load_state_, store_state_;
  bool stores_done_ = false;
  sc_core::sc_event layer_start_, released_, published_, stored_event_;
};

}  // namespace arraysim::hw
