/// The golden model's non-GEMM operators (models/golden/ops.hpp) against the ONNX backend node
/// tests of Debian's libonnx-testdata 1.12: pooling, activations, element-wise arithmetic, shape
/// operators, normalizations and quantization. The harness is tests/onnx_node_harness.hpp.
///
/// Most node tests run through the graph importer: io::onnx_graph maps the model to an ir::Graph
/// and golden::run_graph runs it (ARRAYSIM_ONNX_VECTOR_IMPORT_LIST), so they also check the
/// importer's attribute mapping. The graph inputs the importer needs as constants (Clip's bounds,
/// Reshape's shape, the axes of Squeeze and Unsqueeze) become initializers holding the data set's
/// values first (constant_operand).
///
/// The operators the importer refuses run through the test-local glue below, which maps each ONNX
/// node onto golden operators (ARRAYSIM_ONNX_VECTOR_GLUE_LIST):
///   - MaxPool with the Indices output and LayerNormalization with the Mean and InvStdDev outputs
///     (the graph IR's operators have one output);
///   - HardSigmoid (and the expanded HardSwish made of it): not an operator of the graph IR;
///   - uint8 Add/Sub/Mul: the importer refuses them (held in int16, they would not wrap at 8 bits);
///   - QLinearConv, QLinearMatMul: the importer decomposes them (conv2d / matmul + requantize) but
///     refuses these node tests, whose uint8 inputs have nonzero zero points that would have to be
///     inside the MACs (test_onnx_qlinear_graph.cpp checks the refusal).
/// The glue only reads attributes and inputs. Glue that is not a golden operator:
///   - uint8 Add/Sub/Mul: ir holds uint8 in int16 (io::ir_dtype_for), so the golden result
///     wraps at 16 bits; the harness reduces it modulo 256. Exact: 2^16 is a multiple of 2^8, so the
///     int16 result and the uint8 result agree modulo 256.
///   - QLinearConv / QLinearMatMul: (x - x_zero_point) and (w - w_zero_point) into int16
///     (minus_zero_point), the int32 MACs by golden::conv2d_direct / golden::gemm, the optional
///     int32 bias B added per output channel, then golden::requantize with the multiplier
///     x_scale · w_scale / y_scale computed in fp32 (per output channel when w_scale is).
/// Comparison: integer outputs exactly; fp32 outputs |got - exp| <= tol · max(1, |exp|) with tol
/// 1e-5 (kRelTol) for every operator.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "models/golden/golden.hpp"
#include "models/golden/ops.hpp"
#include "sim/io/onnx_attributes.hpp"
#include "sim/io/onnx_tensor.hpp"
#include "sim/io/onnx_to_graph.hpp"
#include "tests/onnx_node_harness.hpp"

using namespace arraysim;
using namespace arraysim::onnx_harness;
using io::attr_float;
using io::attr_int;
using io::attr_ints;
using io::attr_string;

namespace {

using Outputs = std::vector<ir::Tensor>;

/// The ONNX element type of graph value `name` (TensorProto::DataType); fails when unknown.
int elem_type(const ElemTypes& types, const std::string& name) {
  const auto it = types.find(name);
  INFO("no element type recorded for value '" << name << "'");
  REQUIRE(it != types.end());
  return it->second;
}

/// The quantized type of an ONNX UINT8 / INT8 value.
golden::QType qtype(const ElemTypes& types, const std::string& name) {
  const int t = elem_type(types, name);
  INFO("quantized value '" << name << "' has ONNX type " << io::onnx_dtype_name(t));
  REQUIRE((t == onnx::TensorProto::UINT8 || t == onnx::TensorProto::INT8));
  return t == onnx::TensorProto::UINT8 ? golden::QType::uint8 : golden::QType::int8;
}

/// The pooling parameters by the graph importer's own mapping.
golden::PoolParams pool_params(const onnx::NodeProto& node) { return io::pool_params_from_onnx(node); }

/// Glue for uint8 Add/Sub/Mul (see the top of the file): the int16 result modulo 256.
ir::Tensor wrap_uint8(ir::Tensor t) {
  for (std::int64_t i = 0; i < t.size(); ++i) t.set_i64(i, t.get_i64(i) & 0xff);
  return t;
}

ir::Tensor run_binary(const onnx::NodeProto& node, const Values& v, const ElemTypes& types) {
  const std::string& op = node.op_type();
  const ir::Tensor &a = input(node, v, 0), &b = input(node, v, 1);
  ir::Tensor y = op == "Add" ? golden::add(a, b) : op == "Sub" ? golden::sub(a, b) : golden::mul(a, b);
  return elem_type(types, node.output(0)) == onnx::TensorProto::UINT8 ? wrap_uint8(std::move(y)) : y;
}

/// Glue for QLinearConv / QLinearMatMul: multiplier[k] = x_scale · w_scale[k] / y_scale in fp32.
ir::Tensor multiplier(const ir::Tensor& x_scale, const ir::Tensor& w_scale, const ir::Tensor& y_scale) {
  REQUIRE(x_scale.size() == 1);
  REQUIRE(y_scale.size() == 1);
  ir::Tensor m(ir::DType::fp32, {w_scale.size()});
  for (std::int64_t k = 0; k < w_scale.size(); ++k)
    m.data<float>()[k] = x_scale.data<float>()[0] * w_scale.data<float>()[k] / y_scale.data<float>()[0];
  return m;
}

ir::Tensor run_qlinear_conv(const onnx::NodeProto& node, const Values& v, const ElemTypes& types) {
  const ir::Tensor &x = input(node, v, 0), &w = input(node, v, 3);
  const ir::Conv2dParams p = conv_params(node, x.shape(), w.shape());
  // x_zero_point per tensor; w_zero_point and w_scale per tensor or per output channel (W's axis 0).
  const ir::Tensor xs = minus_zero_point(x, &input(node, v, 2), kPerTensorOnly);
  const ir::Tensor ws = minus_zero_point(w, &input(node, v, 5), 0);
  ir::Tensor acc = golden::conv2d_direct(xs, ws, p, ir::DType::int32);
  if (const ir::Tensor* bias = optional_input(node, v, 8)) {
    REQUIRE(bias->shape() == ir::Shape{acc.shape()[1]});
    acc = golden::add(acc, golden::reshape(*bias, {acc.shape()[1], 1, 1}));
  }
  const ir::Tensor m = multiplier(input(node, v, 1), input(node, v, 4), input(node, v, 6));
  return golden::requantize(acc, m, &input(node, v, 7), 1, qtype(types, node.output(0)));
}

ir::Tensor run_qlinear_matmul(const onnx::NodeProto& node, const Values& v, const ElemTypes& types) {
  const ir::Tensor &a = input(node, v, 0), &b = input(node, v, 3);
  INFO("QLinearMatMul glue handles per-tensor scales and zero points");
  for (int k : {1, 2, 4, 5, 6, 7}) REQUIRE(input(node, v, k).size() == 1);
  const ir::Tensor acc = batched_matmul(minus_zero_point(a, &input(node, v, 2), kPerTensorOnly),
                                        minus_zero_point(b, &input(node, v, 5), kPerTensorOnly), ir::DType::int32);
  const ir::Tensor m = multiplier(input(node, v, 1), input(node, v, 4), input(node, v, 6));
  return golden::requantize(acc, m, &input(node, v, 7), 0, qtype(types, node.output(0)));
}

/// The inputs the graph importer takes from constants (as exported models give them), which the
/// node tests give as graph inputs: Clip's bounds, Reshape's shape, Squeeze's and Unsqueeze's axes.
bool constant_operand(const onnx::NodeProto& node, int k) {
  const std::string& op = node.op_type();
  return k >= 1 && (op == "Clip" || op == "Reshape" || op == "Squeeze" || op == "Unsqueeze");
}

/// The node's outputs computed by the golden operators (the operators the importer refuses).
Outputs evaluate(const onnx::NodeProto& node, const Values& v, const ElemTypes& types) {
  const std::string& op = node.op_type();
  // The attributes each operator's golden counterpart takes: any other one fails the test.
  static const std::map<std::string, std::set<std::string>> kAttributes = {
      {"MaxPool", {"auto_pad", "ceil_mode", "dilations", "kernel_shape", "pads", "storage_order", "strides"}},
      {"HardSigmoid", {"alpha", "beta"}},
      {"Add", {}},
      {"Sub", {}},
      {"Mul", {}},
      {"LayerNormalization", {"axis", "epsilon", "stash_type"}},
      {"QLinearConv", {"auto_pad", "dilations", "group", "kernel_shape", "pads", "strides"}},
      {"QLinearMatMul", {}},
  };
  if (const auto it = kAttributes.find(op); it != kAttributes.end()) require_known_attributes(node, it->second);
  const auto x = [&]() -> const ir::Tensor& { return input(node, v, 0); };

  if (op == "MaxPool") {
    if (node.output_size() == 1) return {golden::max_pool(x(), pool_params(node))};
    ir::Tensor indices;
    ir::Tensor y = golden::max_pool(x(), pool_params(node), &indices, attr_int(node, "storage_order", 0) == 1);
    return {y, indices};
  }
  if (op == "HardSigmoid")
    return Outputs{golden::hard_sigmoid(x(), attr_float(node, "alpha", 0.2f), attr_float(node, "beta", 0.5f))};
  if (op == "Add" || op == "Sub" || op == "Mul") return Outputs{run_binary(node, v, types)};
  if (op == "LayerNormalization") {
    INFO("stash_type 1 (fp32 statistics) is the default; the golden model computes them in double");
    REQUIRE(attr_int(node, "stash_type", 1) == 1);
    golden::LayerNormResult r = golden::layer_norm(x(), input(node, v, 1), optional_input(node, v, 2),
                                                   attr_int(node, "axis", -1), attr_float(node, "epsilon", 1e-5f));
    Outputs all{std::move(r.y), std::move(r.mean), std::move(r.inv_std_dev)};
    all.resize(static_cast<std::size_t>(node.output_size()));
    return all;
  }
  if (op == "QLinearConv") return {run_qlinear_conv(node, v, types)};
  if (op == "QLinearMatMul") return Outputs{run_qlinear_matmul(node, v, types)};

  FAIL("operator " << op << " has no golden operator in this glue");
  return {};
}

}  // namespace

/// The node tests run through the graph importer (io::onnx_graph, then golden::run_graph).
#define ARRAYSIM_ONNX_VECTOR_IMPORT_LIST(X)                 \
  X(test_maxpool_1d_default)                                \
  X(test_maxpool_2d_ceil)                                   \
  X(test_maxpool_2d_default)                                \
  X(test_maxpool_2d_dilations)                              \
  X(test_maxpool_2d_pads)                                   \
  X(test_maxpool_2d_precomputed_pads)                       \
  X(test_maxpool_2d_precomputed_same_upper)                 \
  X(test_maxpool_2d_precomputed_strides)                    \
  X(test_maxpool_2d_same_lower)                             \
  X(test_maxpool_2d_same_upper)                             \
  X(test_maxpool_2d_strides)                                \
  X(test_maxpool_2d_uint8)                                  \
  X(test_maxpool_3d_default)                                \
  X(test_averagepool_1d_default)                            \
  X(test_averagepool_2d_ceil)                               \
  X(test_averagepool_2d_default)                            \
  X(test_averagepool_2d_pads)                               \
  X(test_averagepool_2d_pads_count_include_pad)             \
  X(test_averagepool_2d_precomputed_pads)                   \
  X(test_averagepool_2d_precomputed_pads_count_include_pad) \
  X(test_averagepool_2d_precomputed_same_upper)             \
  X(test_averagepool_2d_precomputed_strides)                \
  X(test_averagepool_2d_same_lower)                         \
  X(test_averagepool_2d_same_upper)                         \
  X(test_averagepool_2d_strides)                            \
  X(test_averagepool_3d_default)                            \
  X(test_globalaveragepool)                                 \
  X(test_globalaveragepool_precomputed)                     \
  X(test_globalmaxpool)                                     \
  X(test_globalmaxpool_precomputed)                         \
  X(test_relu)                                              \
  X(test_clip)                                              \
  X(test_clip_default_inbounds)                             \
  X(test_clip_default_int8_inbounds)                        \
  X(test_clip_default_int8_max)                             \
  X(test_clip_default_int8_min)                             \
  X(test_clip_default_max)                                  \
  X(test_clip_default_min)                                  \
  X(test_clip_example)                                      \
  X(test_clip_inbounds)                                     \
  X(test_clip_outbounds)                                    \
  X(test_clip_splitbounds)                                  \
  X(test_sigmoid)                                           \
  X(test_sigmoid_example)                                   \
  X(test_tanh)                                              \
  X(test_tanh_example)                                      \
  X(test_hardswish)                                         \
  X(test_leakyrelu)                                         \
  X(test_leakyrelu_default)                                 \
  X(test_leakyrelu_example)                                 \
  X(test_add)                                               \
  X(test_add_bcast)                                         \
  X(test_sub)                                               \
  X(test_sub_bcast)                                         \
  X(test_sub_example)                                       \
  X(test_mul)                                               \
  X(test_mul_bcast)                                         \
  X(test_mul_example)                                       \
  X(test_div)                                               \
  X(test_div_bcast)                                         \
  X(test_div_example)                                       \
  X(test_div_uint8)                                         \
  X(test_concat_1d_axis_0)                                  \
  X(test_concat_1d_axis_negative_1)                         \
  X(test_concat_2d_axis_0)                                  \
  X(test_concat_2d_axis_1)                                  \
  X(test_concat_2d_axis_negative_1)                         \
  X(test_concat_2d_axis_negative_2)                         \
  X(test_concat_3d_axis_0)                                  \
  X(test_concat_3d_axis_1)                                  \
  X(test_concat_3d_axis_2)                                  \
  X(test_concat_3d_axis_negative_1)                         \
  X(test_concat_3d_axis_negative_2)                         \
  X(test_concat_3d_axis_negative_3)                         \
  X(test_reshape_allowzero_reordered)                       \
  X(test_reshape_extended_dims)                             \
  X(test_reshape_negative_dim)                              \
  X(test_reshape_negative_extended_dims)                    \
  X(test_reshape_one_dim)                                   \
  X(test_reshape_reduced_dims)                              \
  X(test_reshape_reordered_all_dims)                        \
  X(test_reshape_reordered_last_dims)                       \
  X(test_reshape_zero_and_negative_dim)                     \
  X(test_reshape_zero_dim)                                  \
  X(test_flatten_axis0)                                     \
  X(test_flatten_axis1)                                     \
  X(test_flatten_axis2)                                     \
  X(test_flatten_axis3)                                     \
  X(test_flatten_default_axis)                              \
  X(test_flatten_negative_axis1)                            \
  X(test_flatten_negative_axis2)                            \
  X(test_flatten_negative_axis3)                            \
  X(test_flatten_negative_axis4)                            \
  X(test_transpose_all_permutations_0)                      \
  X(test_transpose_all_permutations_1)                      \
  X(test_transpose_all_permutations_2)                      \
  X(test_transpose_all_permutations_3)                      \
  X(test_transpose_all_permutations_4)                      \
  X(test_transpose_all_permutations_5)                      \
  X(test_transpose_default)                                 \
  X(test_squeeze)                                           \
  X(test_squeeze_negative_axes)                             \
  X(test_unsqueeze_axis_0)                                  \
  X(test_unsqueeze_axis_1)                                  \
  X(test_unsqueeze_axis_2)                                  \
  X(test_unsqueeze_axis_3)                                  \
  X(test_unsqueeze_negative_axes)                           \
  X(test_unsqueeze_three_axes)                              \
  X(test_unsqueeze_two_axes)                                \
  X(test_unsqueeze_unsorted_axes)                           \
  X(test_softmax_axis_0)                                    \
  X(test_softmax_axis_1)                                    \
  X(test_softmax_axis_2)                                    \
  X(test_softmax_default_axis)                              \
  X(test_softmax_example)                                   \
  X(test_softmax_large_number)                              \
  X(test_softmax_negative_axis)                             \
  X(test_batchnorm_epsilon)                                 \
  X(test_batchnorm_example)                                 \
  X(test_quantizelinear)                                    \
  X(test_quantizelinear_axis)                               \
  X(test_dequantizelinear)                                  \
  X(test_dequantizelinear_axis)

/// The node tests run through the test-local glue (operators the importer refuses: see the top).
#define ARRAYSIM_ONNX_VECTOR_GLUE_LIST(X)                \
  X(test_maxpool_with_argmax_2d_precomputed_pads)        \
  X(test_maxpool_with_argmax_2d_precomputed_strides)     \
  X(test_hardswish_expanded)                             \
  X(test_hardsigmoid)                                    \
  X(test_hardsigmoid_default)                            \
  X(test_hardsigmoid_example)                            \
  X(test_add_uint8)                                      \
  X(test_sub_uint8)                                      \
  X(test_mul_uint8)                                      \
  X(test_layer_normalization_2d_axis0)                   \
  X(test_layer_normalization_2d_axis1)                   \
  X(test_layer_normalization_2d_axis_negative_1)         \
  X(test_layer_normalization_2d_axis_negative_2)         \
  X(test_layer_normalization_3d_axis0_epsilon)           \
  X(test_layer_normalization_3d_axis1_epsilon)           \
  X(test_layer_normalization_3d_axis2_epsilon)           \
  X(test_layer_normalization_3d_axis_negative_1_epsilon) \
  X(test_layer_normalization_3d_axis_negative_2_epsilon) \
  X(test_layer_normalization_3d_axis_negative_3_epsilon) \
  X(test_layer_normalization_4d_axis0)                   \
  X(test_layer_normalization_4d_axis1)                   \
  X(test_layer_normalization_4d_axis2)                   \
  X(test_layer_normalization_4d_axis3)                   \
  X(test_layer_normalization_4d_axis_negative_1)         \
  X(test_layer_normalization_4d_axis_negative_2)         \
  X(test_layer_normalization_4d_axis_negative_3)         \
  X(test_layer_normalization_4d_axis_negative_4)         \
  X(test_layer_normalization_default_axis)               \
  X(test_qlinearconv)                                    \
  X(test_qlinearmatmul_2D)                               \
  X(test_qlinearmatmul_3D)

/// Every node test that is run.
#define ARRAYSIM_ONNX_VECTOR_RUN_LIST(X) ARRAYSIM_ONNX_VECTOR_IMPORT_LIST(X) ARRAYSIM_ONNX_VECTOR_GLUE_LIST(X)

#define ARRAYSIM_ONNX_EXPANDED_SOFTMAX                                                                                \
  "expanded function: a graph of Constant, ReduceMax, Exp, ReduceSum, Sub, Div nodes; ReduceMax, Exp, ReduceSum are " \
  "not golden operators (Softmax itself is run)"
#define ARRAYSIM_ONNX_EXPANDED_LAYERNORM                                                                             \
  "expanded function: a graph of Shape, Slice, ReduceMean, Sqrt, Reciprocal, Cast, ConstantOfShape, ... nodes that " \
  "are not golden operators (LayerNormalization itself is run)"

/// Node tests of these operators that are not run, as X(dir, "reason").
#define ARRAYSIM_ONNX_VECTOR_SKIP_LIST(X)                                                                          \
  X(test_batchnorm_epsilon_training_mode,                                                                          \
    "BatchNormalization training_mode 1 (batch statistics, running mean/var outputs): only inference is modelled") \
  X(test_batchnorm_example_training_mode,                                                                          \
    "BatchNormalization training_mode 1 (batch statistics, running mean/var outputs): only inference is modelled") \
  X(test_softmax_axis_0_expanded, ARRAYSIM_ONNX_EXPANDED_SOFTMAX)                                                  \
  X(test_softmax_axis_1_expanded, ARRAYSIM_ONNX_EXPANDED_SOFTMAX)                                                  \
  X(test_softmax_axis_2_expanded, ARRAYSIM_ONNX_EXPANDED_SOFTMAX)                                                  \
  X(test_softmax_default_axis_expanded, ARRAYSIM_ONNX_EXPANDED_SOFTMAX)                                            \
  X(test_softmax_example_expanded, ARRAYSIM_ONNX_EXPANDED_SOFTMAX)                                                 \
  X(test_softmax_large_number_expanded, ARRAYSIM_ONNX_EXPANDED_SOFTMAX)                                            \
  X(test_softmax_negative_axis_expanded, ARRAYSIM_ONNX_EXPANDED_SOFTMAX)                                           \
  X(test_layer_normalization_2d_axis0_expanded, ARRAYSIM_ONNX_EXPANDED_LAYERNORM)                                  \
  X(test_layer_normalization_2d_axis1_expanded, ARRAYSIM_ONNX_EXPANDED_LAYERNORM)                                  \
  X(test_layer_normalization_2d_axis_negative_1_expanded, ARRAYSIM_ONNX_EXPANDED_LAYERNORM)                        \
  X(test_layer_normalization_2d_axis_negative_2_expanded, ARRAYSIM_ONNX_EXPANDED_LAYERNORM)                        \
  X(test_layer_normalization_3d_axis0_epsilon_expanded, ARRAYSIM_ONNX_EXPANDED_LAYERNORM)                          \
  X(test_layer_normalization_3d_axis1_epsilon_expanded, ARRAYSIM_ONNX_EXPANDED_LAYERNORM)                          \
  X(test_layer_normalization_3d_axis2_epsilon_expanded, ARRAYSIM_ONNX_EXPANDED_LAYERNORM)                          \
  X(test_layer_normalization_3d_axis_negative_1_epsilon_expanded, ARRAYSIM_ONNX_EXPANDED_LAYERNORM)                \
  X(test_layer_normalization_3d_axis_negative_2_epsilon_expanded, ARRAYSIM_ONNX_EXPANDED_LAYERNORM)                \
  X(test_layer_normalization_3d_axis_negative_3_epsilon_expanded, ARRAYSIM_ONNX_EXPANDED_LAYERNORM)                \
  X(test_layer_normalization_4d_axis0_expanded, ARRAYSIM_ONNX_EXPANDED_LAYERNORM)                                  \
  X(test_layer_normalization_4d_axis1_expanded, ARRAYSIM_ONNX_EXPANDED_LAYERNORM)                                  \
  X(test_layer_normalization_4d_axis2_expanded, ARRAYSIM_ONNX_EXPANDED_LAYERNORM)                                  \
  X(test_layer_normalization_4d_axis3_expanded, ARRAYSIM_ONNX_EXPANDED_LAYERNORM)                                  \
  X(test_layer_normalization_4d_axis_negative_1_expanded, ARRAYSIM_ONNX_EXPANDED_LAYERNORM)                        \
  X(test_layer_normalization_4d_axis_negative_2_expanded, ARRAYSIM_ONNX_EXPANDED_LAYERNORM)                        \
  X(test_layer_normalization_4d_axis_negative_3_expanded, ARRAYSIM_ONNX_EXPANDED_LAYERNORM)                        \
  X(test_layer_normalization_4d_axis_negative_4_expanded, ARRAYSIM_ONNX_EXPANDED_LAYERNORM)                        \
  X(test_layer_normalization_default_axis_expanded, ARRAYSIM_ONNX_EXPANDED_LAYERNORM)

#define ARRAYSIM_ONNX_VECTOR_IMPORT_CASE(dir) ARRAYSIM_ONNX_GRAPH_NODE_CASE(dir, constant_operand, kRelTol)
ARRAYSIM_ONNX_VECTOR_IMPORT_LIST(ARRAYSIM_ONNX_VECTOR_IMPORT_CASE)
#define ARRAYSIM_ONNX_VECTOR_GLUE_CASE(dir) ARRAYSIM_ONNX_NODE_CASE(dir, evaluate, kRelTol)
ARRAYSIM_ONNX_VECTOR_GLUE_LIST(ARRAYSIM_ONNX_VECTOR_GLUE_CASE)
ARRAYSIM_ONNX_VECTOR_SKIP_LIST(ARRAYSIM_ONNX_NODE_SKIP_CASE)

TEST_CASE(
    "onnx node tests cover every pooling, activation, element-wise, shape, normalization and quantization directory",
    "[unit][onnx]") {
#define ARRAYSIM_ONNX_NAME(dir) #dir,
#define ARRAYSIM_ONNX_SKIP_ENTRY(dir, reason) {#dir, reason},
  // In scope: a directory named after one of the operators, or a single-node graph of one.
  // (Multi-node graphs of other operators use Add, Mul, ... as building blocks: not in scope.)
  const std::regex by_name(
      "test_(maxpool|averagepool|globalaveragepool|globalmaxpool|relu|clip|sigmoid|tanh|gelu|hardswish|hardsigmoid|"
      "leakyrelu|silu|add|sub|mul|div|concat|reshape|flatten|transpose|squeeze|unsqueeze|softmax|layer_normalization|"
      "batchnorm|quantizelinear|dequantizelinear|qlinearconv|qlinearmatmul)(_.*)?");
  const std::set<std::string> ops{"MaxPool",
                                  "AveragePool",
                                  "GlobalAveragePool",
                                  "GlobalMaxPool",
                                  "Relu",
                                  "Clip",
                                  "Sigmoid",
                                  "Tanh",
                                  "Gelu",
                                  "HardSwish",
                                  "HardSigmoid",
                                  "LeakyRelu",
                                  "Add",
                                  "Sub",
                                  "Mul",
                                  "Div",
                                  "Concat",
                                  "Reshape",
                                  "Flatten",
                                  "Transpose",
                                  "Squeeze",
                                  "Unsqueeze",
                                  "Softmax",
                                  "LayerNormalization",
                                  "BatchNormalization",
                                  "QuantizeLinear",
                                  "DequantizeLinear",
                                  "QLinearConv",
                                  "QLinearMatMul"};
  check_coverage(by_name, ops, NodeScope::single_node_graph, {ARRAYSIM_ONNX_VECTOR_RUN_LIST(ARRAYSIM_ONNX_NAME)},
                 {ARRAYSIM_ONNX_VECTOR_SKIP_LIST(ARRAYSIM_ONNX_SKIP_ENTRY)});
#undef ARRAYSIM_ONNX_NAME
#undef ARRAYSIM_ONNX_SKIP_ENTRY
}
