#pragma once
/// Closed-form counts and cycles of an L-lane vector unit running a GEMM under a loop-order
/// mapping (docs/vector.md): MACs, scratchpad words read and written per operand, steps, and
/// cycles with ideal memory, plus the mapping `auto` picks. Independent of sim/ (own types).
#include <array>
#include <cstdint>
#include <vector>

#include "models/analytic/memory.hpp"
#include "models/ir/layer.hpp"

namespace arraysim::analytic {

/// A loop of C[m][n] += A[m][k]·B[k][n]. (Own copy: models/ never includes sim/.)
enum class VectorLoop { m, n, k };

/// Which loop runs across the lanes, the outer-loop order (outermost first) and hoisting.
struct VectorMapping {
  VectorLoop parallel = VectorLoop::n;
  std::array<VectorLoop, 3> order{VectorLoop::m, VectorLoop::n, VectorLoop::k};
  bool hoist = true;
};

/// The unit: lanes L ≥ 1; scratchpad read bandwidth in bytes per cycle (ifmap, weight, and the
/// output scratchpad, which serves both reads and writes of C); element bytes of A, B, C.
struct VectorUnit {
  std::int64_t lanes = 1;
  std::int64_t ifmap_bytes_per_cycle = 1, weight_bytes_per_cycle = 1, output_bytes_per_cycle = 1;
  std::int64_t a_elem = 1, b_elem = 1, c_elem = 1;
  std::int64_t reduction_latency_cycles = 0;  ///< adder tree, parallel k only (pipelined)
};

/// Counts of one GEMM (or a sum of tiles), in words (elements).
struct VectorEstimate {
  std::int64_t macs = 0, steps = 0;
  std::int64_t a_read_words = 0, b_read_words = 0, c_read_words = 0, c_write_words = 0;
  std::int64_t step_cycles = 0;                  ///< Σ over steps of max(1, port cycles)
  std::int64_t stall_read_bandwidth_cycles = 0;  ///< step_cycles − steps
  std::int64_t total_cycles = 0;                 ///< step_cycles + (parallel k ? reduction latency : 0), ideal memory
  /// MACs per scratchpad word read or written.
  double compute_intensity_macs_per_word() const;
};

/// One fold (a tile walked by the lanes) of extents m×n×k; `accumulate`: C is read back first.
/// Closed forms (P = extent of the parallel loop, ⌈P/L⌉ its outer iterations, `in` the innermost
/// outer loop; "held" = hoist and the operand does not depend on `in`):
///   macs = m·n·k;  steps = m·n·k / P · ⌈P/L⌉
///   A: varies across lanes (parallel m or k): held m·k, else m·n·k;
///      broadcast (parallel n): no hoist m·n·k, hoist + held m·k, hoist m·⌈n/L⌉·k
///   B: the same with the roles of m and n swapped (held = innermost m: k·n)
///   C: parallel m or n: held (innermost k) writes m·n, reads acc·m·n; else writes m·n·k,
///      reads m·n·(k − 1 + acc); parallel k: the same with k replaced by ⌈k/L⌉
///   step_cycles: Σ over the ≤ 27 classes of steps (first / middle / last position along each loop).
VectorEstimate vector_fold(const VectorMapping& map, const VectorUnit& unit, std::int64_t m, std::int64_t n,
                           std::int64_t k, bool accumulate);

/// A layer of `g.groups` GEMMs tiled into `tile` (one fold per tile, tiles g, m, n, k with k
/// innermost; a tile with k0 > 0 accumulates): the sum over the tile classes, plus the reduction
/// latency once at the end for parallel k. O(1).
VectorEstimate vector_layer(const VectorMapping& map, const VectorUnit& unit, const ir::GemmDims& g,
                            const TileExtents& tile);

}  // namespace arraysim::analytic
