#pragma once
/// Shape arithmetic of the operators (ONNX semantics): broadcasting, pooling windows, reshape,
/// flatten, transpose, squeeze, unsqueeze and concat. One definition shared by the graph's shape
/// inference (models/ir/graph.hpp) and the golden operators (models/golden/ops.hpp).
///
/// Every function throws std::invalid_argument with a message that names the offending value
/// but not the operator (the caller adds that).
#include <cstdint>
#include <vector>

#include "models/ir/tensor.hpp"

namespace arraysim::ir {

/// `axis` in [-rank, rank) as an index in [0, rank).
std::size_t normalize_axis(std::int64_t axis, std::size_t rank);

/// Shape of broadcasting a with b (numpy rules: right-aligned, each dimension equal or 1).
Shape broadcast_shape(const Shape& a, const Shape& b);

/// The matrices a batched matmul A [..a][M][K] · B [..b][K][N] multiplies: per element of the
/// batch broadcast(..a, ..b), row-major, the index of its A matrix among A's [..a] and of its B
/// matrix among B's [..b] (a batch dimension of 1, or a missing one, repeats that operand's
/// matrix). Throws when A or B has rank below 2 or the batch dimensions do not broadcast.
struct MatmulBatch {
  Shape batch;                     ///< broadcast(..a, ..b)
  std::vector<std::int64_t> a, b;  ///< per batch element, row-major: matrix indices
};
MatmulBatch matmul_batch(const Shape& a, const Shape& b);

// ---- pooling (MaxPool opset 12, AveragePool opset 11/19) ---------------------------------------

/// ONNX auto_pad.
enum class AutoPad { notset, valid, same_upper, same_lower };

/// A pool over the n spatial dimensions of X [N][C][D1]..[Dn] (n = kernel.size(), 1 to 3).
struct PoolParams {
  std::vector<std::int64_t> kernel;
  std::vector<std::int64_t> strides;    ///< empty: 1 in every dimension
  std::vector<std::int64_t> dilations;  ///< empty: 1 in every dimension
  /// ONNX order [x1_begin, x2_begin, ..., x1_end, x2_end, ...]; empty: 0. Used with AutoPad::notset.
  std::vector<std::int64_t> pads;
  AutoPad auto_pad = AutoPad::notset;
  /// Output size rounded up instead of down. A window that would start beyond the input and its
  /// begin padding is dropped (as ONNX's reference and PyTorch do).
  bool ceil_mode = false;
  /// AveragePool only: padded positions count in the divisor. Positions a ceil_mode window reaches
  /// beyond the end padding never count.
  bool count_include_pad = false;
};

/// Output spatial sizes and resolved begin/end pads of a pool on `x_spatial`.
struct PoolGeometry {
  std::vector<std::int64_t> out;
  std::vector<std::int64_t> pad_begin, pad_end;
};
/// out = floor((in + pad_begin + pad_end - ((k-1)·dilation + 1)) / stride) + 1 per dimension
/// (ceil with ceil_mode); SAME_* pads so that out = ceil(in / stride).
PoolGeometry pool_geometry(const std::vector<std::int64_t>& x_spatial, const PoolParams& p);
/// [N][C][out1]..[outn] of a pool on X of shape `x`.
Shape pool_shape(const Shape& x, const PoolParams& p);

// ---- shape operators ---------------------------------------------------------------------------

/// Reshape (opset 14): a 0 entry copies X's dimension at that index (unless allowzero: then it is
/// a 0 dimension), one -1 entry is inferred from the element count.
Shape reshape_shape(const Shape& x, const std::vector<std::int64_t>& shape, bool allowzero);
/// Flatten (opset 13): [d0·..·d(axis-1)][d(axis)·..]; axis in [-rank, rank].
Shape flatten_shape(const Shape& x, std::int64_t axis);
/// Transpose's permutation with every entry in [0, rank) (an empty `perm` reverses the axes);
/// output dimension k is input dimension perm[k].
std::vector<std::int64_t> transpose_perm(std::size_t rank, const std::vector<std::int64_t>& perm);
Shape transpose_shape(const Shape& x, const std::vector<std::int64_t>& perm);
/// Squeeze (opset 13): removes the listed size-1 axes, or every size-1 axis when `axes` is empty.
Shape squeeze_shape(const Shape& x, const std::vector<std::int64_t>& axes);
/// Unsqueeze (opset 13): inserts size-1 axes at the listed positions of the output.
Shape unsqueeze_shape(const Shape& x, const std::vector<std::int64_t>& axes);
/// Concat along `axis`: the inputs agree in rank and in every other dimension.
Shape concat_shape(const std::vector<Shape>& xs, std::int64_t axis);

}  // namespace arraysim::ir
