#pragma once
/// Strassen's matrix multiplication for a GEMM C = A·B, 1 or 2 levels, in exact integer
/// arithmetic (docs/transforms.md). Each level splits A [M][K], B [K][N] and C into 2×2 blocks
/// (odd dimensions padded with zeros to even) and forms 7 block products of block sums instead
/// of 8; two levels give 49 products of quarter-size blocks instead of 64. Plain C++.
#include <cstdint>

#include "models/ir/layer.hpp"
#include "models/ir/tensor.hpp"

namespace arraysim::lower {

/// The work of a GEMM by `levels` levels of Strassen.
struct StrassenCounts {
  std::int64_t products = 0;         ///< 7^levels block GEMMs
  ir::GemmDims block;                ///< each: ⌈M/2^L⌉ × ⌈K/2^L⌉ · ⌈K/2^L⌉ × ⌈N/2^L⌉
  std::int64_t multiplications = 0;  ///< products · block.m · block.k · block.n
  std::int64_t direct_macs = 0;      ///< M·N·K
  /// Element additions and subtractions: per level, 5 sums of A blocks, 5 of B blocks and 8 to
  /// combine the C blocks, at that level's block size, for every product of the level above.
  std::int64_t additions = 0;
};
/// Counts of `d` (one group: d.groups is ignored) at `levels` 1 or 2; std::invalid_argument otherwise.
StrassenCounts strassen_counts(const ir::GemmDims& d, int levels);

/// A [M][K] · B [K][N] by `levels` levels of Strassen (1 or 2), every intermediate in int64; the
/// result [M][N] in `acc` (int32 wraps like the accumulators of the direct GEMM). Integer operands
/// only; std::invalid_argument for fp32, mismatched K or another level count.
ir::Tensor strassen_gemm(const ir::Tensor& a, const ir::Tensor& b, int levels, ir::DType acc);

}  // namespace arraysim::lower
