#pragma once
/// Lowering of every layer to GEMM views: the one im2col/Toeplitz index map.
///
/// Group g of a layer is the GEMM C_g[m][n] = Σ_k A_g[m][k] · B_g[k][n] with
///   m = (batch, p, q) flattened, k = (c_local, r, s) flattened, n = oc_local,
/// so that M = N·P·Q, K = (C/groups)·R·S, N = OC/groups. The same index functions serve the DMA
/// address generator (implicit lowering: A is read from the NCHW input in place) and the explicit
/// Toeplitz materialisation below.
#include <algorithm>
#include <cstdint>

#include "models/ir/layer.hpp"
#include "models/ir/tensor.hpp"

namespace arraysim::lower {

/// Element offsets of GEMM operands inside the layer's tensors, for one layer.
class OperandMap {
 public:
  explicit OperandMap(const ir::Layer& layer);

  const ir::GemmDims& dims() const { return dims_; }
  /// True for a convolution: A is the im2col view of the input (taps repeat and fall in padding);
  /// false for gemm and fc, whose A is the input matrix itself.
  bool implicit_im2col() const { return layer_.kind == ir::LayerKind::conv2d; }
  /// Offset of A_g[m][k] inside the input tensor, or -1 when the tap falls in the padding (reads 0).
  std::int64_t a_offset(std::int64_t g, std::int64_t m, std::int64_t k) const;
  /// Calls f(offset) for every A_g[m][k] of the block m0 ≤ m < m0+ml, k0 ≤ k < k0+kl that is not
  /// in the padding, column by column (k outer, m inner): the offsets a_offset gives, without its
  /// divisions per element (k is decomposed once per column, m by counters along output rows).
  template <class F>
  void for_each_a_offset(std::int64_t g, std::int64_t m0, std::int64_t ml, std::int64_t k0, std::int64_t kl,
                         F&& f) const;
  /// Offset of B_g[k][n] inside the weight tensor.
  std::int64_t b_offset(std::int64_t g, std::int64_t k, std::int64_t n) const;
  /// Offset of C_g[m][n] inside the output tensor.
  std::int64_t c_offset(std::int64_t g, std::int64_t m, std::int64_t n) const;

 private:
  ir::Layer layer_;
  ir::GemmDims dims_;
  std::int64_t p_ = 1, q_ = 1;  // conv output height/width
};

template <class F>
void OperandMap::for_each_a_offset(std::int64_t g, std::int64_t m0, std::int64_t ml, std::int64_t k0, std::int64_t kl,
                                   F&& f) const {
  if (layer_.kind != ir::LayerKind::conv2d) {
    for (std::int64_t k = k0; k < k0 + kl; ++k)
      for (std::int64_t m = m0; m < m0 + ml; ++m) f(m * dims_.k + k);
    return;
  }
  const ir::Conv2dParams& c = layer_.conv;
  const std::int64_t taps = c.kernel_w * c.kernel_h;
  for (std::int64_t k = k0; k < k0 + kl; ++k) {
    const std::int64_t s = k % c.kernel_w, r = (k / c.kernel_w) % c.kernel_h;
    const std::int64_t ch = g * c.c_per_group() + k / taps;
    const std::int64_t ih0 = r * c.dilation_h - c.pad_top, iw0 = s * c.dilation_w - c.pad_left;
    // m = (nb, p, q): walk it one output row (fixed nb, p; q from q_first) at a time.
    std::int64_t q = m0 % q_, p = (m0 / q_) % p_, nb = m0 / (q_ * p_);
    for (std::int64_t left = ml; left > 0;) {
      const std::int64_t run = std::min(q_ - q, left);
      const std::int64_t ih = p * c.stride_h + ih0;
      if (ih >= 0 && ih < c.h) {
        const std::int64_t row = ((nb * c.c + ch) * c.h + ih) * c.w;
        for (std::int64_t t = q; t < q + run; ++t) {
          const std::int64_t iw = t * c.stride_w + iw0;
          if (iw >= 0 && iw < c.w) f(row + iw);
        }
      }
      left -= run;
      q = 0;
      if (++p == p_) p = 0, ++nb;
    }
  }
}

/// Explicit lowering: the Toeplitz matrix A_g [M][K] (padding taps are 0) and B_g [K][N].
ir::Tensor materialize_a(const OperandMap& map, const ir::Tensor& input, std::int64_t g);
ir::Tensor materialize_b(const OperandMap& map, const ir::Tensor& weight, std::int64_t g);
/// Writes C_g [M][N] into its place in the layer output tensor.
void scatter_c(const OperandMap& map, const ir::Tensor& c, std::int64_t g, ir::Tensor& output);

}  // namespace arraysim::lower
