#pragma once
/// The post-processing unit's arithmetic: the values of every graph operator that does not run on
/// the PE array (everything but conv2d, gemm and matmul), computed the way the unit's lanes compute
/// them. Plain C++ on ir tensors (no SystemC), so the cycle model, the timing model and the tests
/// share one definition of what the unit produces. The semantics are those of docs/graph.md
/// ("Operators"); this file is an implementation of its own and is checked against the golden
/// model (models/golden) by tests/unit/test_vector_ops.cpp, never built on it.
///
/// Organisation. The unit has L lanes (`lanes`, default default_vector_lanes). Work is split into
/// independent items and the unit runs them L at a time, one item per lane per step:
///  - element-wise operators, data movement (concat, reshape, flatten, transpose, squeeze,
///    unsqueeze), batch_norm and the quantizers: an item is one output element; a lane's address
///    generator finds the element's operands (broadcast strides, the permutation, the concat
///    source, the per-channel parameter index);
///  - pools: an item is one output element; its lane walks the window's taps in row-major kernel
///    order, skipping padded positions;
///  - softmax and layer_norm: an item is one row (the elements normalized together); its lane
///    reduces the row serially in ascending index order, then writes the row's outputs.
/// Items are independent, so the values do not depend on L (a test checks L = 1, 3, 16).
///
/// Precision, per operator (every claim is checked by the tests; "bit-exact" means the same fp32
/// bit pattern as models/golden on the same host and C library).
///  - Integers, every operator: bit-exact. add/sub/mul wrap to the element type (two's
///    complement); div truncates toward zero and throws on a zero divisor (INT_MIN / -1 wraps).
///  - relu, relu6, clip, max_pool, global_max_pool and the data-movement operators: selections and
///    copies, bit-exact for every dtype. A comparison tie returns the bound (clip(-0, 0, ..) is +0;
///    relu of -0 or NaN is +0) and a pool keeps the first of equal maxima.
///  - add, sub, mul, div on fp32: one fp32 operation per element (correctly rounded): bit-exact.
///  - sigmoid, tanh, gelu (both), silu, hard_swish, leaky_relu: the lane's function unit evaluates
///    the documented formula in fp64 with the C library's exp/tanh/erf and rounds once to fp32:
///    bit-exact.
///  - average_pool, global_average_pool: the window sum in fp64 in ascending tap order, divided by
///    the count in fp64, rounded once: bit-exact.
///  - softmax: per row the maximum, then e^(x - max) summed in fp64 in ascending index order, each
///    output e / sum rounded once: bit-exact.
///  - layer_norm: per row the fp64 mean and biased variance (two passes, ascending order),
///    inv = 1 / sqrt(var + epsilon), y = (x - mean) · inv · scale (+ bias) in fp64, rounded once:
///    bit-exact.
///  - batch_norm: y = (x - mean[c]) / sqrt(var[c] + epsilon) · scale[c] + bias[c] in fp64, rounded
///    once: bit-exact. (Folding the parameters into one multiply-add per element would change the
///    fp64 rounding and so, rarely, the fp32 result; the unit keeps the four-parameter form.)
///  - quantize_linear: x / scale in fp32, rounded half to even (std::nearbyint in the default
///    rounding mode), plus the zero point, saturated to the quantized type: bit-exact; a NaN
///    quotient throws, ±inf saturates.
///  - dequantize_linear: (x - zero_point) is an integer of at most 17 bits, exact in fp32, so one
///    fp32 multiply by the scale rounds the exact product once: bit-exact with golden's fp64
///    product rounded to fp32.
///  - requantize: accumulator · multiplier in fp64 (a 32-bit accumulator times a 24-bit multiplier
///    can need 55 bits: the product is rounded once to fp64, as in golden), rounded half to even,
///    plus the zero point, saturated: bit-exact; a NaN product throws.
/// uint8 values are held in int16 tensors (0..255); the quantizers take the type from QuantAttrs.
#include <cstdint>
#include <vector>

#include "models/ir/graph.hpp"
#include "models/ir/tensor.hpp"

namespace arraysim::hw {

/// Lanes of the post-processing unit when the caller does not say.
constexpr std::int64_t default_vector_lanes = 16;

/// The post-processing unit's arithmetic: the output of one non-GEMM graph operator, computed
/// element by element the way the unit's lanes do it (see above). `inputs` in op.inputs order;
/// `out` is the output's declared shape and dtype. Throws std::invalid_argument ("KIND: message")
/// for an operator kind or dtype the unit does not execute, operands that do not fit the operator
/// (ir::infer_output's message), a declared output other than the one the operator gives, an
/// integer division by zero and a NaN reaching a quantizer's rounding.
ir::Tensor vector_op_values(const ir::Op& op, const std::vector<const ir::Tensor*>& inputs, const ir::TensorType& out);

/// The same with `lanes` (≥ 1) lanes; the values do not depend on it.
ir::Tensor vector_op_values(const ir::Op& op, const std::vector<const ir::Tensor*>& inputs, const ir::TensorType& out,
                            std::int64_t lanes);

}  // namespace arraysim::hw
