#pragma once
/// What the hardware measured, per layer: counters (traffic, stalls by cause, array words), the
/// timeline spans and the access traces. The controller, the memory engine and the compute units
/// report into one Recorder; it adds nothing of its own to the timing.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "sim/hw/dma.hpp"
#include "sim/plan/dataflow.hpp"
#include "sim/plan/plan.hpp"
#include "sim/stats/report.hpp"

namespace arraysim::hw {

/// What the hardware measured for one layer.
struct LayerCounters {
  std::int64_t start_cycle = 0;     ///< first cycle of the layer, from the start of the run
  std::int64_t total_cycles = 0;    ///< first cycle of the layer to its last output stored, inclusive
  std::int64_t compute_cycles = 0;  ///< total_cycles - stall_cycles
  std::int64_t stall_cycles = 0;    ///< cycles a fold waited for its operands or buffers, plus the final store
  std::int64_t folds = 0;
  std::int64_t outputs_written = 0;                         ///< output elements written by the array (values fidelity)
  stats::OperandWords array_read_words, array_write_words;  ///< array-side scratchpad words
  std::int64_t vector_steps = 0;                            ///< vector unit: steps executed
  std::int64_t stall_read_bandwidth_cycles = 0;             ///< vector unit: Σ (cycles per step − 1)
  std::int64_t relayout_words = 0;                          ///< vector unit: words loaded transposed
  stats::MemoryResult memory;                               ///< traffic, stall causes, DRAM statistics
  stats::AccessWindows sram_access_cycles;     ///< systolic array: its scratchpad accesses, from the layer's start
  stats::AccessWindows dram_access_cycles;     ///< DRAM bursts per operand, from the layer's start
  std::vector<stats::TimelineEvent> timeline;  ///< Recorder::Options::timeline
  std::vector<stats::AccessRecord> accesses;   ///< Recorder::Options::trace_*
  /// The layer's output tensor in the accumulator type, read back from DRAM (values fidelity).
  ir::Tensor output;
  /// Co-simulation: cycles compared, and values compared (every PE register, the bottom edge and
  /// its valid bits, per cycle); 0 otherwise.
  std::int64_t compared_cycles = 0, compared_values = 0;
};

/// A stall cause (a field of stats::StallCycles).
using StallCause = std::int64_t stats::StallCycles::*;

/// Per-layer counters, stall and DMA spans, bandwidth windows and access traces.
class Recorder {
 public:
  struct Options {
    bool timeline = false;    ///< fill LayerCounters::timeline
    bool trace_dram = false;  ///< record DRAM bursts in LayerCounters::accesses
    bool trace_sram = false;  ///< record scratchpad accesses (DMA and array)
  };
  Recorder(std::size_t layers, const Options& opt) : counters_(layers), opt_(opt) {}
  const Options& options() const { return opt_; }

  /// Layer `index` (named `name`) starts in absolute cycle `base`.
  void begin_layer(std::size_t index, const std::string& name, std::int64_t base);
  /// The current layer's counters.
  LayerCounters& layer() { return counters_[index_]; }
  std::vector<LayerCounters>& counters() { return counters_; }

  /// Adds [from, to) (absolute cycles) to `cause`.
  void add_stall(std::int64_t from, std::int64_t to, StallCause cause);
  /// Adds [from, to) split by the phases of the transfer that was waited for (docs/memory.md):
  /// before it was issued — the buffer half was not free (dependency); issue to first data ready —
  /// dram_latency; until its last byte crossed the bus — dram_bandwidth, or dram_write_bandwidth
  /// when the transfer is a write-back (`write_back`: a store of output blocks); until the
  /// scratchpad absorbed it — bank_conflict.
  void add_stall(std::int64_t from, std::int64_t to, const Transfer& tr, bool write_back = false);
  /// Adds a transfer of operand `op` to the layer's DRAM counters: bytes moved and asked for,
  /// row outcomes, refreshes and the DRAM clock span.
  void count_dram(const Transfer& tr, plan::Operand op, bool write);
  /// A DMA span on track `unit` ("dma_load", "dma_store").
  void add_dma_span(const std::string& unit, const std::string& name, double from, double to, std::int64_t bytes);
  /// One DRAM burst of operand `op` (peak-bandwidth windows, --trace dram).
  void add_burst(const BurstRecord& b, plan::Operand op);
  /// A DMA access to a scratchpad (--trace sram).
  void add_dma_access(double cycle, plan::Operand op, const char* kind, std::int64_t address, std::int64_t bytes);
  /// Array words and scratchpad bytes of one fold of a systolic array.
  void count_fold(const plan::FoldWords& w, std::int64_t a_elem, std::int64_t b_elem, std::int64_t c_elem);
  /// The vector unit's scratchpad traffic of one fold (words and bytes), its steps, and the
  /// cycles its steps took beyond one each because of the ports.
  void count_vector_fold(const plan::VectorCounts& vc, std::int64_t a_elem, std::int64_t b_elem, std::int64_t c_elem);

  /// Widens the layer's scratchpad access windows to a fold's access spans (layer cycles; a
  /// systolic array's fold, once its timing is known).
  void fold_spans(const std::array<plan::AccessSpan, 3>& spans);

  /// Ends the layer: `total` cycles; fills bandwidth, timeline (with the layer's MACs) and, for a
  /// systolic array (`s` non-null) with --trace sram, its access trace from the fold timings
  /// `folds` (absolute cycles; empty without --trace sram). `halves` holds the bytes of one buffer half in
  /// a_base/b_base/c_base (a tile's half starts at that times its slot) and the element sizes.
  void end_layer(std::int64_t total, std::int64_t macs, const plan::Schedule* s,
                 const std::vector<plan::FoldTiming>& folds, const plan::TraceLayout& halves);

 private:
  struct StallSpan {
    std::int64_t from, to;
    StallCause cause;
  };
  struct DmaSpan {
    std::string unit, name;
    double from, to;
    std::int64_t bytes;
  };
  static constexpr double kWindowCycles = 1024;  ///< window of the peak-bandwidth statistic

  void record_timeline(LayerCounters& lc, std::int64_t total, std::int64_t macs);

  std::vector<LayerCounters> counters_;
  Options opt_;
  std::size_t index_ = 0;
  std::string name_;
  std::int64_t base_ = 0;
  std::int64_t first_arrival_tck_ = -1, last_data_end_tck_ = -1;  ///< the layer's DRAM clock span
  std::map<std::int64_t, double> windows_;                        ///< DRAM bytes per kWindowCycles window of the layer
  std::vector<StallSpan> stall_spans_;
  std::vector<DmaSpan> dma_spans_;
};

}  // namespace arraysim::hw
