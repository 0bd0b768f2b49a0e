#pragma once
/// A dataflow as one object: how a scratchpad tile folds onto the array, the fold recurrence of
/// docs/timing.md, which operand element enters which array edge in which cycle, in which order
/// results leave the bottom edge, the scratchpad words a fold moves and its access trace. Plain
/// data, no SystemC. The planner (tiling), the timing-fidelity fold sequencer, the values-fidelity
/// array driver and the statistics all ask this object, so a new dataflow is one class here plus
/// its configuration spelling and its closed form (docs/architecture.md, "Adding a dataflow").
#include <array>
#include <cstdint>
#include <functional>
#include <vector>

#include "sim/config/arch_config.hpp"
#include "sim/plan/schedule.hpp"

namespace arraysim::plan {

/// An operand buffer: A (ifmap), B (weight), C (output, accumulator type).
enum class Operand { a, b, c };
/// "ifmap", "weight", "output": the operand's name in statistics and traces.
const char* operand_name(Operand op);

/// Cycles of one fold, counted from the layer's first cycle.
struct FoldTiming {
  std::int64_t load_start = 0;    ///< WS/IS: first cycle of the stationary load; OS: = stream_start
  std::int64_t stream_start = 0;  ///< the first streamed operand enters the array
  std::int64_t last_output = 0;   ///< the fold's last output leaves the array
};

/// The fold recurrence of docs/timing.md for one fold from its actual start.
struct FoldStep {
  FoldTiming timing;
  std::int64_t next_start = 0;   ///< earliest start of the next fold the array allows
  std::int64_t last_read_a = 0;  ///< cycle in which the fold reads its last A value from the scratchpad
  std::int64_t last_read_b = 0;  ///< the same for B
};

/// One stream of operand values into an array edge. Lane p (a row of the left edge, a column of
/// the top edge) carries, in cycle c, element `base + p·lane_stride + t·time_stride` of operand
/// `op`'s tile buffer (A [m][k], B [k][n], row-major over the tile), where
/// t = c − start − p·skew (or t = start − c when `reversed`), whenever 0 ≤ t < length and p < lanes.
/// `start` is relative to the fold's stream start (streams) or load start (stationary loads).
struct EdgeStream {
  Operand op = Operand::a;
  std::int64_t lanes = 0;
  std::int64_t start = 0, length = 0, skew = 1;
  bool reversed = false;
  std::int64_t base = 0, lane_stride = 0, time_stride = 0;
};

/// How a fold feeds the array.
struct FoldFeed {
  EdgeStream left;           ///< the streamed operand, into the left edge
  EdgeStream top;            ///< OS: the second streamed operand; WS/IS: the stationary load
  bool top_is_load = false;  ///< `top` is a stationary load, started with the array's load strobe
  /// OS: column j (j < cols_used) starts draining its accumulators in cycle stream_start +
  /// drain_after + j, the cycle after its lowest used PE's last MAC; -1: no drain strobes.
  std::int64_t drain_after = -1;
};

/// The order in which a fold's results leave the bottom edge: the q-th valid output of column j
/// (j < columns, q < per_column) is element base + j·lane_stride + q·seq_stride of its tile's C
/// buffer ([m][n] row-major over the tile).
struct FoldCapture {
  std::int64_t columns = 0, per_column = 0;
  std::int64_t base = 0, lane_stride = 0, seq_stride = 0;
};

/// Scratchpad words the array moves for one fold: operands read, outputs written (and read
/// back first when the fold accumulates into them).
struct FoldWords {
  std::int64_t a_read = 0, b_read = 0, c_write = 0, c_read = 0;
};

/// Where a fold's buffers start inside the scratchpads and how large an element is, for traces.
struct TraceLayout {
  std::int64_t a_base = 0, b_base = 0, c_base = 0;  ///< byte address of the tile's buffer half
  std::int64_t a_elem = 1, b_elem = 1, c_elem = 1;  ///< bytes per element
};
/// `arch`'s scratchpads with every base the size of one half (half h starts at h times it).
TraceLayout scratchpad_halves(const config::ArchConfig& arch);
/// The halves tile `t` uses: each base of `halves` (scratchpad_halves) times the tile's slot.
TraceLayout tile_halves(const TraceLayout& halves, const Tile& t);
/// One array-side scratchpad access: absolute cycle, operand, "read"/"write"/"update", byte
/// address inside the scratchpad, bytes.
using AccessSink =
    std::function<void(std::int64_t cycle, Operand op, const char* kind, std::int64_t address, std::int64_t bytes)>;

/// The GEMM dimensions each array dimension folds: how many m, n, k one fold can cover at most.
struct Granules {
  std::int64_t m = 1, n = 1, k = 1;
};

/// The first and last cycle (inclusive) of one operand's accesses in a fold.
struct AccessSpan {
  std::int64_t first = 0, last = 0;
};

/// A dataflow of a rows×cols systolic array (docs/timing.md). Stateless; one instance each.
class Dataflow {
 public:
  virtual ~Dataflow() = default;
  virtual config::Dataflow kind() const = 0;
  /// True when a fold first loads one operand into the PEs (WS, IS: the array's stationary
  /// mode); false for OS (both operands stream, the outputs stay).
  virtual bool stationary() const = 0;

  /// The fold extents of each GEMM dimension on a rows×cols array.
  virtual Granules granules(std::int64_t rows, std::int64_t cols) const = 0;
  /// The folds of tile `t` on a rows×cols array.
  virtual std::int64_t folds_in(const Tile& t, std::int64_t rows, std::int64_t cols) const = 0;
  /// Fold `j` (0-based inside the tile) of tile `t`, in the order the array runs them: OS m-fold
  /// then n-fold, WS n-fold then k-fold, IS m-fold then k-fold. Its `index` is t.fold_begin + j.
  virtual Fold fold_at(const Tile& t, std::int64_t rows, std::int64_t cols, std::int64_t j) const = 0;
  /// The fold recurrence: fold `f` started in cycle `start` on an array of `rows` rows.
  virtual FoldStep step(const Fold& f, std::int64_t start, std::int64_t rows) const = 0;
  /// The edge streams of fold `f` of tile `t` on an array of `rows` rows.
  virtual FoldFeed feed(const Fold& f, const Tile& t, std::int64_t rows) const = 0;
  /// The order of fold `f`'s results at the bottom edge.
  virtual FoldCapture capture(const Fold& f, const Tile& t) const = 0;
  /// The scratchpad words fold `f` moves (the same in every fidelity).
  FoldWords words(const Fold& f) const;
  /// The array's scratchpad accesses of fold `f` of tile `t` with timing `ft` (absolute cycles),
  /// one row vector per operand per cycle, at its address inside the buffer half.
  virtual void trace(const Fold& f, const Tile& t, const FoldTiming& ft, std::int64_t rows, const TraceLayout& l,
                     const AccessSink& sink) const = 0;
  /// The first and last cycle of fold `f`'s scratchpad accesses per operand (A, B, C) with timing
  /// `ft` on an array of `rows` rows: the earliest and latest cycle trace() reports, in closed form.
  virtual std::array<AccessSpan, 3> access_spans(const Fold& f, const FoldTiming& ft, std::int64_t rows) const = 0;

 protected:
  /// Operand words read per fold before outputs: (A, B).
  virtual std::pair<std::int64_t, std::int64_t> operand_words(const Fold& f) const = 0;
  /// Outputs the fold produces (each written once).
  virtual std::int64_t output_words(const Fold& f) const = 0;
};

/// The dataflow object of `df` (one static instance per dataflow; the one switch over dataflows).
const Dataflow& dataflow(config::Dataflow df);

}  // namespace arraysim::plan
