#pragma once
/// The golden model: reference GEMM and DIRECT convolution (never through im2col), against
/// which every simulated output is compared.
///
/// Integers: products and sums are exact in int64 and the result is converted to the
/// accumulator type with two's-complement wrap-around (what an accumulator register of that
/// width does). fp32: every product is rounded to fp32 and added to an fp32 sum in a fixed order:
/// GEMM over k ascending; convolution over (c, r, s) ascending, which is the same k order as the
/// GEMM view of the convolution. bf16, fp16, fp8_e4m3 and fp8_e5m2 operands take the fp32 path:
/// each value converts to fp32 exactly and the product of two of them is exact in fp32 (at most
/// 11 + 11 significand bits), so only the additions round, in the same ascending order.
#include "models/ir/layer.hpp"
#include "models/ir/tensor.hpp"

namespace arraysim::golden {

/// C[M][N] = A[M][K] · B[K][N]. A and B are both integer or both floating-point (fp32 or a narrow
/// float; `acc` fp32); `acc` is the output type.
ir::Tensor gemm(const ir::Tensor& a, const ir::Tensor& b, ir::DType acc);

/// Direct convolution: Y[N][OC][P][Q] = Σ_{c in group, r, s} X[n][c][h][w] · W[oc][c'][r][s]
/// with h = p·stride_h - pad_top + r·dilation_h (w alike); out-of-range taps read 0.
ir::Tensor conv2d_direct(const ir::Tensor& x, const ir::Tensor& w, const ir::Conv2dParams& p, ir::DType acc);

/// The output of one layer from its operands.
ir::Tensor run_layer(const ir::Layer& l, const ir::LayerOperands& ops, ir::DType acc);

}  // namespace arraysim::golden
