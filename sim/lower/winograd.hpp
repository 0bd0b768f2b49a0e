#pragma once
/// Winograd minimal filtering F(m×m, 3×3) for 3×3 stride-1 convolutions (Lavin and Gray, "Fast
/// Algorithms for Convolutional Neural Networks", 2016), in exact integer arithmetic: the filter
/// transform's matrix G has fractions, so it is scaled to integers (G' = s·G), and the output of
/// the output transform is divided by s² at the end, exactly (docs/transforms.md). Plain C++.
///
/// One output tile of m×m pixels of one output channel needs an α×α input tile (α = m + 2):
///   Y = Aᵀ [ Σ_c (G g_c Gᵀ) ⊙ (Bᵀ d_c B) ] A
/// The α² element positions (ξ, ν) are independent: for each, the products summed over the input
/// channels are one GEMM (tiles × C/groups) · (C/groups × OC/groups) — the α² batched GEMMs a
/// systolic array runs.
#include <cstdint>
#include <vector>

#include "models/ir/layer.hpp"
#include "models/ir/tensor.hpp"

namespace arraysim::lower {

/// The integer transform matrices of F(m×m, 3×3), row-major: bt α×α (Bᵀ), g α×3 (G' = s·G), at
/// m×α (Aᵀ); g_scale = s.
struct WinogradMatrices {
  int m = 2, alpha = 4;
  std::vector<std::int64_t> bt, g, at;
  std::int64_t g_scale = 1;
};

/// F(2×2, 3×3) (m = 2, α = 4, s = 2) or F(4×4, 3×3) (m = 4, α = 6, s = 24); std::invalid_argument
/// for another m.
const WinogradMatrices& winograd_matrices(int m);

/// Whether Winograd F(m×m, 3×3) computes this convolution: a 3×3 kernel, stride 1, dilation 1
/// (any padding, groups and batch).
bool winograd_applies(const ir::Conv2dParams& p);

/// The work of a convolution lowered to F(m×m, 3×3).
struct WinogradCounts {
  std::int64_t tiles_h = 0, tiles_w = 0;  ///< ⌈P/m⌉, ⌈Q/m⌉ output tiles per image
  std::int64_t tiles = 0;                 ///< N·tiles_h·tiles_w
  std::int64_t batch = 0;                 ///< α² GEMMs per group
  ir::GemmDims gemm;                      ///< each: m = tiles, k = C/groups, n = OC/groups, groups
  std::int64_t multiplications = 0;       ///< α²·tiles·(C/groups)·(OC/groups)·groups
  std::int64_t direct_macs = 0;           ///< N·P·Q·OC·(C/groups)·9, what im2col does
};
WinogradCounts winograd_counts(const ir::Conv2dParams& p, int m);

/// The convolution of X [N][C][H][W] with W [OC][C/groups][3][3] by F(m×m, 3×3), every
/// intermediate in int64 and the division by s² exact; the result in `acc` (int32 wraps like the
/// accumulators of the direct convolution, int64). Integer operands only (int8, int16, int32);
/// std::invalid_argument for fp32 or a convolution winograd_applies() refuses.
ir::Tensor winograd_conv2d(const ir::Tensor& x, const ir::Tensor& w, const ir::Conv2dParams& p, int m, ir::DType acc);

}  // namespace arraysim::lower
