#pragma once
/// Closed-form cycles and DRAM traffic of a systolic array whose GEMM is tiled into scratchpad
/// tiles (docs/memory.md): the ideal-memory cycles of the tiled fold sequence, the DRAM bytes each
/// operand moves under arraysim's tile order and reuse rule, and a lower bound on total cycles
/// with a DRAM of finite bandwidth and latency. Independent of sim/ (it re-derives the tiles).
#include <cstdint>

#include "models/analytic/systolic.hpp"
#include "models/ir/layer.hpp"

namespace arraysim::analytic {

/// Scratchpad tile extents (m, n, k); edge tiles are clipped to the GEMM.
struct TileExtents {
  std::int64_t m = 0, n = 0, k = 0;
};

/// Ideal-memory cycles of the tiled fold sequence. Tiles run groups outer, then m, n, k; inside a
/// tile the folds are the untiled schedule of the tile's GEMM, and the fold recurrence of
/// docs/timing.md runs on across tile boundaries. Per tile (a GEMM of m_t, n_t, k_t, one group):
///   advance_t = the tile's Σ of fold-start increments
///               WS: F_t·(R + m_t − 1) + ⌈k_t/R⌉·n_t      IS: F_t·(R + n_t − 1) + ⌈k_t/R⌉·m_t
///               OS: F_t·k_t + ⌈n_t/C⌉·m_t
///   span_t    = systolic_cycles(tile).total_cycles (its last output + 1, from its first start)
///   start_0 = 0, start_{t+1} = start_t + advance_t, total = max_t (start_t + span_t).
/// With one tile this is systolic_cycles(). O(number of tiles).
std::int64_t tiled_cycles(Dataflow df, std::int64_t rows, std::int64_t cols, const ir::GemmDims& g,
                          const TileExtents& tile);

/// DRAM bytes of a GEMM layer (A read as an M×K matrix: fc, gemm, or an explicit Toeplitz
/// matrix) under arraysim's reuse rule: a tile's A (B) block is loaded unless the previous tile
/// had the same block. With T_m, T_n, T_k tiles per dimension, per group:
///   A loads: T_k = 1 ⇒ each A block once per m-tile row ⇒ M·K elements; else every tile ⇒ T_n·M·K
///   B loads: T_m·… : B is reused only when T_n = T_k = 1 (one block) ⇒ K·N; else T_m·K·N
///   C stores: each C block once, after its last k-tile ⇒ M·N elements (accumulator type)
struct GemmTraffic {
  std::int64_t a_read_bytes = 0, b_read_bytes = 0, c_write_bytes = 0;
  std::int64_t total() const { return a_read_bytes + b_read_bytes + c_write_bytes; }
};
GemmTraffic gemm_traffic(const ir::GemmDims& g, const TileExtents& tile, std::int64_t a_elem_bytes,
                         std::int64_t b_elem_bytes, std::int64_t c_elem_bytes);

/// Lower bound on a layer's total cycles with DRAM traffic `dram_bytes` over a data bus of
/// `bytes_per_cycle` whose first data arrives `latency_cycles` after the first request: every
/// fold waits at least as long as with ideal memory, and the last byte cannot cross the bus
/// before latency + bytes / bandwidth:
///   max(ideal_cycles, ⌈latency_cycles + dram_bytes / bytes_per_cycle⌉).
std::int64_t memory_lower_bound_cycles(std::int64_t ideal_cycles, std::int64_t dram_bytes, double bytes_per_cycle,
                                       std::int64_t latency_cycles);

}  // namespace arraysim::analytic
