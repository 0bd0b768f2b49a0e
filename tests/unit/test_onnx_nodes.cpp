/// The golden model against the ONNX backend node tests for Conv, ConvInteger, MatMul,
/// MatMulInteger and Gemm shipped in Debian's libonnx-testdata: a test suite nobody here wrote.
///
/// Each node test directory holds model.onnx (a graph of one node) and test_data_set_*/ with
/// input_<i>.pb for the i-th graph input and output_0.pb, the expected output (TensorProto files).
///
/// The golden model does every multiply-accumulate (golden::conv2d_direct, golden::gemm). What an
/// ONNX operator adds around those MACs is glue in THIS harness, not in the golden model:
///   - Conv, ConvInteger: attributes mapped to layer parameters by the ONNX importer's
///     io::conv2d_from_onnx (auto_pad SAME_UPPER / SAME_LOWER / VALID resolved to explicit pads);
///   - ConvInteger, MatMulInteger: operand - zero_point computed into int16 operands first;
///   - Gemm: transA / transB transposes, then alpha·(A·B) + beta·C with C broadcast to [M][N];
///   - MatMul, MatMulInteger: operands of rank > 2 split into one 2-D GEMM per batch index, batch
///     dimensions broadcast as numpy.matmul does.
/// Comparison: integer outputs exactly; fp32 outputs element-wise |got - exp| <= 1e-5 · max(1, |exp|).
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "models/golden/golden.hpp"
#include "tests/onnx_node_harness.hpp"
#include "sim/io/onnx_attributes.hpp"
#include "sim/io/onnx_import.hpp"
#include "sim/io/onnx_tensor.hpp"

using namespace arraysim;
using namespace arraysim::onnx_harness;

namespace {

// ---- node attributes (sim/io/onnx_attributes.hpp) ---------------------------------------------

using io::attr_float;
using io::attr_int;

// ---- glue around the golden model ------------------------------------------------------------

/// Glue for Gemm: the transpose of a 2-D tensor.
ir::Tensor transpose(const ir::Tensor& t) {
  REQUIRE(t.shape().size() == 2);
  const std::int64_t rows = t.shape()[0], cols = t.shape()[1];
  ir::Tensor out(t.dtype(), {cols, rows});
  for (std::int64_t i = 0; i < rows; ++i)
    for (std::int64_t j = 0; j < cols; ++j) out.copy_element(j * rows + i, t, i * cols + j);
  return out;
}

// ---- the five operators ----------------------------------------------------------------------

ir::Tensor run_conv(const onnx::NodeProto& node, const Values& v) {
  const ir::Tensor &x = input(node, v, 0), &w = input(node, v, 1);
  INFO("Conv bias input B: not in libonnx-testdata 1.12, so the harness has no glue for it");
  REQUIRE(optional_input(node, v, 2) == nullptr);
  REQUIRE(x.dtype() == ir::DType::fp32);
  return golden::conv2d_direct(x, w, conv_params(node, x.shape(), w.shape()), ir::DType::fp32);
}

ir::Tensor run_conv_integer(const onnx::NodeProto& node, const Values& v) {
  const ir::Tensor &x = input(node, v, 0), &w = input(node, v, 1);
  const ir::Conv2dParams p = conv_params(node, x.shape(), w.shape());
  // x_zero_point is per tensor; w_zero_point per tensor or per output channel (W's axis 0).
  const ir::Tensor xs = minus_zero_point(x, optional_input(node, v, 2), kPerTensorOnly);
  const ir::Tensor ws = minus_zero_point(w, optional_input(node, v, 3), 0);
  return golden::conv2d_direct(xs, ws, p, ir::DType::int32);
}

ir::Tensor run_gemm(const onnx::NodeProto& node, const Values& v) {
  require_known_attributes(node, {"alpha", "beta", "transA", "transB"});
  const ir::Tensor &a = input(node, v, 0), &b = input(node, v, 1);
  const ir::Tensor* c = optional_input(node, v, 2);
  INFO("Gemm glue (alpha, beta, C) is fp32 only");
  REQUIRE(a.dtype() == ir::DType::fp32);
  REQUIRE((c == nullptr || c->dtype() == ir::DType::fp32));

  const ir::Tensor ab = golden::gemm(attr_int(node, "transA", 0) ? transpose(a) : a,
                                     attr_int(node, "transB", 0) ? transpose(b) : b, ir::DType::fp32);
  const std::int64_t M = ab.shape()[0], N = ab.shape()[1];
  // C broadcasts unidirectionally to [M][N]: shape {}, [N] or [1], [M][N], [1][N], [M][1], [1][1].
  std::int64_t c_rows = 1, c_cols = 1;
  if (c) {
    const ir::Shape& cs = c->shape();
    INFO("Gemm C " << ir::shape_str(cs) << " does not broadcast to [" << M << ", " << N << "]");
    REQUIRE(cs.size() <= 2);
    if (cs.size() == 2) c_rows = cs[0];
    if (!cs.empty()) c_cols = cs.back();
    REQUIRE((c_rows == 1 || c_rows == M));
    REQUIRE((c_cols == 1 || c_cols == N));
  }
  const float alpha = attr_float(node, "alpha", 1.0f), beta = attr_float(node, "beta", 1.0f);
  ir::Tensor y(ir::DType::fp32, {M, N});
  for (std::int64_t i = 0; i < M; ++i)
    for (std::int64_t j = 0; j < N; ++j) {
      float r = alpha * ab.data<float>()[i * N + j];
      if (c) r += beta * c->data<float>()[(c_rows == 1 ? 0 : i) * c_cols + (c_cols == 1 ? 0 : j)];
      y.data<float>()[i * N + j] = r;
    }
  return y;
}

ir::Tensor run_matmul(const onnx::NodeProto& node, const Values& v) {
  const ir::Tensor &a = input(node, v, 0), &b = input(node, v, 1);
  // MatMul's output type is its input type (float, int32, int64, ...): accumulate in it.
  return batched_matmul(a, b, a.dtype());
}

ir::Tensor run_matmul_integer(const onnx::NodeProto& node, const Values& v) {
  const ir::Tensor &a = input(node, v, 0), &b = input(node, v, 1);
  const ir::Tensor *a_zp = optional_input(node, v, 2), *b_zp = optional_input(node, v, 3);
  // a_zero_point is per tensor or, for 2-D A, per row (axis 0); b_zero_point per tensor or, for
  // 2-D B, per column (axis 1). N-D per-row/column zero points are not handled.
  INFO("MatMulInteger per-row/column zero points are handled for 2-D operands only");
  REQUIRE((a_zp == nullptr || a_zp->size() == 1 || a.shape().size() == 2));
  REQUIRE((b_zp == nullptr || b_zp->size() == 1 || b.shape().size() == 2));
  return batched_matmul(minus_zero_point(a, a_zp, 0), minus_zero_point(b, b_zp, 1), ir::DType::int32);
}

/// The node's output computed by the golden model plus glue.
std::vector<ir::Tensor> evaluate(const onnx::NodeProto& node, const Values& v, const ElemTypes&) {
  const std::string& op = node.op_type();
  if (op != "Gemm" && op != "Conv" && op != "ConvInteger") require_known_attributes(node, {});
  REQUIRE(node.output_size() == 1);
  if (op == "Conv") return {run_conv(node, v)};
  if (op == "ConvInteger") return {run_conv_integer(node, v)};
  if (op == "Gemm") return {run_gemm(node, v)};
  if (op == "MatMul") return {run_matmul(node, v)};
  if (op == "MatMulInteger") return {run_matmul_integer(node, v)};
  FAIL("operator " << op << " is not one of Conv, ConvInteger, Gemm, MatMul, MatMulInteger");
  return {};
}

}  // namespace

/// The node tests run against the golden model: all 24 Conv, ConvInteger, Gemm, MatMul and
/// MatMulInteger tests of libonnx-testdata 1.12 (Debian 12).
#define ARRAYSIM_ONNX_RUN_LIST(X)                  \
  X(test_basic_conv_with_padding)                  \
  X(test_basic_conv_without_padding)               \
  X(test_conv_with_autopad_same)                   \
  X(test_conv_with_strides_and_asymmetric_padding) \
  X(test_conv_with_strides_no_padding)             \
  X(test_conv_with_strides_padding)                \
  X(test_basic_convinteger)                        \
  X(test_convinteger_with_padding)                 \
  X(test_convinteger_without_padding)              \
  X(test_gemm_all_attributes)                      \
  X(test_gemm_alpha)                               \
  X(test_gemm_beta)                                \
  X(test_gemm_default_matrix_bias)                 \
  X(test_gemm_default_no_bias)                     \
  X(test_gemm_default_scalar_bias)                 \
  X(test_gemm_default_single_elem_vector_bias)     \
  X(test_gemm_default_vector_bias)                 \
  X(test_gemm_default_zero_bias)                   \
  X(test_gemm_transposeA)                          \
  X(test_gemm_transposeB)                          \
  X(test_matmul_2d)                                \
  X(test_matmul_3d)                                \
  X(test_matmul_4d)                                \
  X(test_matmulinteger)

/// Node tests of these operators that are not run, as X(dir, "reason"): each becomes a ctest that
/// prints the reason and is reported as skipped (tests/CMakeLists.txt: SKIP_REGULAR_EXPRESSION).
/// Empty: libonnx-testdata 1.12 has no Conv test the golden model cannot express (no 1-D/3-D Conv).
#define ARRAYSIM_ONNX_SKIP_LIST(X)

#define ARRAYSIM_ONNX_RUN_CASE(dir) ARRAYSIM_ONNX_NODE_CASE(dir, evaluate, kRelTol)
ARRAYSIM_ONNX_RUN_LIST(ARRAYSIM_ONNX_RUN_CASE)
ARRAYSIM_ONNX_SKIP_LIST(ARRAYSIM_ONNX_NODE_SKIP_CASE)

TEST_CASE("onnx node tests cover every Conv ConvInteger MatMul MatMulInteger Gemm directory", "[unit][onnx]") {
#define ARRAYSIM_ONNX_NAME(dir) #dir,
#define ARRAYSIM_ONNX_SKIP_ENTRY(dir, reason) {#dir, reason},
  // A directory is in scope when its name says so (convtranspose excluded: another operator) or
  // when its graph has a node of one of the five operators.
  check_coverage(std::regex("test_(basic_)?(conv|convinteger|matmul|matmulinteger|gemm)(_.*)?"),
                 {"Conv", "ConvInteger", "MatMul", "MatMulInteger", "Gemm"}, NodeScope::any_node,
                 {ARRAYSIM_ONNX_RUN_LIST(ARRAYSIM_ONNX_NAME)}, {ARRAYSIM_ONNX_SKIP_LIST(ARRAYSIM_ONNX_SKIP_ENTRY)});
#undef ARRAYSIM_ONNX_NAME
#undef ARRAYSIM_ONNX_SKIP_ENTRY
}
