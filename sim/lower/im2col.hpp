#pragma once
/// Lowering of every layer to GEMM views: the one im2col/Toeplitz index map.
///
/// Group g of a layer is the GEMM C_g[m][n] = Σ_k A_g[m][k] · B_g[k][n] with
///   m = (batch, p, q) flattened, k = (c_local, r, s) flattened, n = oc_local,
/// so that M = N·P·Q, K = (C/groups)·R·S, N = OC/groups. The same index functions serve the DMA
/// address generator (implicit lowering: A is read from the NCHW input in place) and the explicit
/// Toeplitz materialisation below.
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
  /// Offset of B_g[k][n] inside the weight tensor.
  std::int64_t b_offset(std::int64_t g, std::int64_t k, std::int64_t n) const;
  /// Offset of C_g[m][n] inside the output tensor.
  std::int64_t c_offset(std::int64_t g, std::int64_t m, std::int64_t n) const;

 private:
  ir::Layer layer_;
  ir::GemmDims dims_;
  std::int64_t p_ = 1, q_ = 1;  // conv output height/width
};

/// Explicit lowering: the Toeplitz matrix A_g [M][K] (padding taps are 0) and B_g [K][N].
ir::Tensor materialize_a(const OperandMap& map, const ir::Tensor& input, std::int64_t g);
ir::Tensor materialize_b(const OperandMap& map, const ir::Tensor& weight, std::int64_t g);
/// Writes C_g [M][N] into its place in the layer output tensor.
void scatter_c(const OperandMap& map, const ir::Tensor& c, std::int64_t g, ir::Tensor& output);

}  // namespace arraysim::lower
