#pragma once
/// The golden model's non-GEMM operators: pooling, activations, element-wise arithmetic with
/// broadcasting, shape operators, normalizations and (de)quantization, with ONNX semantics
/// (the opset each operator follows is named beside it). Plain C++ on ir::Tensor; checked against
/// the ONNX backend node tests by tests/unit/test_onnx_vector_nodes.cpp.
///
/// Precision. fp32 operators compute each output element in double from the fp32 inputs and round
/// it to fp32 once, except where noted: Add/Sub/Mul/Div compute in fp32 (one correctly rounded
/// operation, the same result as double then rounding), QuantizeLinear divides in fp32 as the ONNX
/// reference does (so rounding ties are decided on the fp32 quotient). Reductions (average pools,
/// Softmax, LayerNormalization) sum in double in ascending index order.
///
/// Integers. Operators that only select or move values (MaxPool, Relu, Clip, shape operators) take
/// every integer type. Add/Sub/Mul compute exactly and wrap to the element type (two's complement);
/// Div truncates toward zero and throws on a zero divisor.
///
/// uint8. ir has no unsigned type: uint8 values are held in int16 tensors (0..255), as the ONNX
/// reader sim/io/onnx_tensor.hpp stores them. The quantizers take the quantized type (QType)
/// explicitly since the storage type alone cannot tell uint8 from int16.
///
/// Every operator throws std::invalid_argument on operands it does not accept (wrong dtype, rank,
/// shapes that do not broadcast, out-of-range axes).
#include <cstdint>
#include <vector>

#include "models/ir/graph.hpp"
#include "models/ir/shapes.hpp"
#include "models/ir/tensor.hpp"

namespace arraysim::golden {

// ---- pooling (MaxPool opset 12, AveragePool opset 11/19, Global* opset 1) ----------------------

/// The pool's parameters and window arithmetic are ir's (models/ir/shapes.hpp), shared with the
/// graph's shape inference.
using ir::AutoPad;
using ir::pool_geometry;
using ir::PoolGeometry;
using ir::PoolParams;

/// MaxPool: the largest element of each window; padded positions never win. Any dtype.
/// `indices`, when given, receives the int64 flat index of each maximum in X (first one on ties):
/// row-major over [N][C][D1].., or with `column_major_indices` (ONNX storage_order 1) the spatial
/// part column-major ((n·C + c)·H·W + w·H + h for 2-D).
ir::Tensor max_pool(const ir::Tensor& x, const PoolParams& p, ir::Tensor* indices = nullptr,
                    bool column_major_indices = false);
/// AveragePool on fp32: window sum (double) / count, count per PoolParams::count_include_pad.
ir::Tensor average_pool(const ir::Tensor& x, const PoolParams& p);
/// Mean (fp32) / max (any dtype) over all spatial dimensions: [N][C][D..] -> [N][C][1..].
ir::Tensor global_average_pool(const ir::Tensor& x);
ir::Tensor global_max_pool(const ir::Tensor& x);

// ---- activations (element-wise, same shape and dtype) ------------------------------------------

/// max(x, 0). Any dtype.
ir::Tensor relu(const ir::Tensor& x);
/// min(max(x, lo), hi) (opset 13). Any dtype; integer tensors need integral bounds (±inf allowed).
ir::Tensor clip(const ir::Tensor& x, double lo, double hi);
/// The rest are fp32 only.
/// 1 / (1 + e^-x).
ir::Tensor sigmoid(const ir::Tensor& x);
ir::Tensor tanh(const ir::Tensor& x);
/// x · sigmoid(x) (SiLU, also called Swish).
ir::Tensor silu(const ir::Tensor& x);
/// Gelu (opset 20): none = x/2 · (1 + erf(x/√2)); tanh = x/2 · (1 + tanh(√(2/π) · (x + 0.044715 x³))).
enum class GeluApprox { none, tanh };
ir::Tensor gelu(const ir::Tensor& x, GeluApprox approx);
/// max(0, min(1, alpha·x + beta)).
ir::Tensor hard_sigmoid(const ir::Tensor& x, double alpha = 0.2, double beta = 0.5);
/// x · max(0, min(1, x/6 + 1/2)).
ir::Tensor hard_swish(const ir::Tensor& x);
/// x for x >= 0, alpha·x below.
ir::Tensor leaky_relu(const ir::Tensor& x, double alpha = 0.01);

// ---- element-wise arithmetic with numpy broadcasting (opset 14) --------------------------------

/// Shape of broadcasting a with b (numpy rules; models/ir/shapes.hpp).
using ir::broadcast_shape;
/// a and b of one dtype; the result has that dtype and the broadcast shape.
ir::Tensor add(const ir::Tensor& a, const ir::Tensor& b);
ir::Tensor sub(const ir::Tensor& a, const ir::Tensor& b);
ir::Tensor mul(const ir::Tensor& a, const ir::Tensor& b);
ir::Tensor div(const ir::Tensor& a, const ir::Tensor& b);

// ---- shape operators (any dtype; values are copied unchanged) ---------------------------------

/// Concatenation along `axis` (negative counts from the end); the other dimensions must agree.
ir::Tensor concat(const std::vector<ir::Tensor>& xs, std::int64_t axis);
/// Reshape (opset 14): a 0 entry copies X's dimension at that index (unless allowzero: then it is
/// a 0 dimension), one -1 entry is inferred from the element count.
ir::Tensor reshape(const ir::Tensor& x, const std::vector<std::int64_t>& shape, bool allowzero = false);
/// Flatten (opset 13): [d0·..·d(axis-1)][d(axis)·..]; axis in [-rank, rank].
ir::Tensor flatten(const ir::Tensor& x, std::int64_t axis = 1);
/// Y[i(perm[0])..] : output dimension k is input dimension perm[k]; empty perm reverses the axes.
ir::Tensor transpose(const ir::Tensor& x, const std::vector<std::int64_t>& perm = {});
/// Squeeze (opset 13): removes the listed size-1 axes, or every size-1 axis when `axes` is empty.
ir::Tensor squeeze(const ir::Tensor& x, const std::vector<std::int64_t>& axes = {});
/// Unsqueeze (opset 13): inserts size-1 axes at the listed positions of the output.
ir::Tensor unsqueeze(const ir::Tensor& x, const std::vector<std::int64_t>& axes);

// ---- normalizations (fp32) ---------------------------------------------------------------------

/// Softmax (opset 13) along one axis: e^(x - max) / Σ e^(x - max), in double.
ir::Tensor softmax(const ir::Tensor& x, std::int64_t axis = -1);

/// LayerNormalization (opset 17) over the axes [axis, rank): Y = (X - mean) · inv_std_dev · scale
/// + bias with inv_std_dev = 1 / sqrt(var + epsilon), var the biased (population) variance. scale
/// and bias (optional: nullptr) broadcast unidirectionally to X's shape from `axis` on. mean and
/// inv_std_dev have X's shape with the normalized dimensions set to 1. Computed in double.
struct LayerNormResult {
  ir::Tensor y, mean, inv_std_dev;
};
LayerNormResult layer_norm(const ir::Tensor& x, const ir::Tensor& scale, const ir::Tensor* bias, std::int64_t axis = -1,
                           double epsilon = 1e-5);

/// BatchNormalization (opset 15), inference: Y = (X - mean[c]) / sqrt(var[c] + epsilon) · scale[c]
/// + bias[c] over channel axis 1 of X [N][C][D..]; the four parameter tensors are [C]. In double.
ir::Tensor batch_norm(const ir::Tensor& x, const ir::Tensor& scale, const ir::Tensor& bias, const ir::Tensor& mean,
                      const ir::Tensor& var, double epsilon = 1e-5);

// ---- quantization (QuantizeLinear / DequantizeLinear opset 13) --------------------------------

/// The quantized element type and its range are ir's (models/ir/dtype.hpp), shared with the graph IR.
using ir::qmax;
using ir::qmin;
using ir::QType;
using ir::storage_dtype;

/// Rounds half to even (the IEEE default: 2.5 -> 2, 3.5 -> 4, -2.5 -> -2).
double round_half_even(double v);

/// QuantizeLinear: y = saturate(round_half_even(x / scale) + zero_point) to q's range; x / scale
/// divides in fp32. `scale` (fp32) and `zero_point` (any integer dtype, nullptr for 0) are per
/// tensor (one element) or per axis (1-D, x.shape()[axis] elements). The result has storage_dtype(q).
ir::Tensor quantize_linear(const ir::Tensor& x, const ir::Tensor& scale, const ir::Tensor* zero_point,
                           std::int64_t axis, QType q);
/// DequantizeLinear: y = (x - zero_point) · scale as fp32 (exact before the one rounding of the
/// product). x is any integer dtype; scale and zero_point as for quantize_linear.
ir::Tensor dequantize_linear(const ir::Tensor& x, const ir::Tensor& scale, const ir::Tensor* zero_point,
                             std::int64_t axis);
/// The output stage of QLinearConv / QLinearMatMul: an integer accumulator to q,
/// y = saturate(round_half_even(acc · multiplier) + zero_point), the product in double.
/// `multiplier` (fp32) and `zero_point` are per tensor or per axis as for quantize_linear;
/// typically multiplier = x_scale · w_scale / y_scale.
ir::Tensor requantize(const ir::Tensor& acc, const ir::Tensor& multiplier, const ir::Tensor* zero_point,
                      std::int64_t axis, QType q);
/// One value: saturate(round_half_even(acc · multiplier) + zero_point) to q's range.
std::int64_t requantize(std::int64_t acc, double multiplier, std::int64_t zero_point, QType q);

// ---- Winograd F(m×m, 3×3) stages (ir::WinogradAttrs), fp32 in and out, each output element
// summed in double from the real-valued matrices of Lavin and Gray (CVPR 2016) and rounded once.
ir::Tensor winograd_filter(const ir::Tensor& w, const ir::WinogradAttrs& a);
ir::Tensor winograd_input(const ir::Tensor& x, const ir::WinogradAttrs& a);
ir::Tensor winograd_output(const ir::Tensor& m, const ir::WinogradAttrs& a);

}  // namespace arraysim::golden
