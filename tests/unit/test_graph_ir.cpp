/// The graph IR (models/ir/graph.hpp) and its golden executor (models/golden/graph_exec.hpp) on
/// hand-derived cases, the derivation beside each number: a tiny fp32 CNN and an int8 residual
/// block run end to end, every validation message, the stable topological order, and the shape
/// and dtype inference of every operator kind.
#include <catch2/catch.hpp>

#include <set>
#include <stdexcept>

#include "models/golden/graph_exec.hpp"
#include "models/ir/graph.hpp"

using namespace arraysim;
using ir::DType;
using ir::Graph;
using ir::OpKind;
using ir::Shape;
using ir::Tensor;
using ir::TensorInfo;
using ir::TensorType;

namespace {

Tensor make(DType t, Shape s, std::initializer_list<double> v) {
  Tensor x(t, std::move(s));
  REQUIRE(static_cast<std::int64_t>(v.size()) == x.size());
  std::int64_t i = 0;
  for (double e : v) {
    if (ir::is_integer(t))
      x.set_i64(i++, static_cast<std::int64_t>(e));
    else
      x.set_f64(i++, e);
  }
  return x;
}

/// A tensor computed by an operator (neither input nor constant).
TensorInfo value(std::string name, Shape shape, DType dtype = DType::fp32) {
  TensorInfo t;
  t.name = std::move(name);
  t.shape = std::move(shape);
  t.dtype = dtype;
  return t;
}

TensorInfo input(std::string name, Shape shape, DType dtype = DType::fp32) {
  TensorInfo t = value(std::move(name), std::move(shape), dtype);
  t.is_input = true;
  return t;
}

TensorInfo output(std::string name, Shape shape, DType dtype = DType::fp32) {
  TensorInfo t = value(std::move(name), std::move(shape), dtype);
  t.is_output = true;
  return t;
}

TensorInfo constant(std::string name, Tensor v) {
  TensorInfo t = value(std::move(name), v.shape(), v.dtype());
  t.value = std::move(v);
  return t;
}

/// Element i of an fp32 tensor.
float at(const Tensor& t, std::int64_t i) { return t.data<float>()[i]; }

/// x [1,1,4,4] -> conv 1x1 (2 channels, bias) -> relu -> max_pool 2x2/2 -> flatten -> gemm (B
/// transposed, bias) -> softmax, all fp32.
Graph tiny_cnn() {
  Graph g("tiny_cnn");
  g.add_tensor(input("x", {1, 1, 4, 4}));
  g.add_tensor(constant("w1", make(DType::fp32, {2, 1, 1, 1}, {1, -1})));
  g.add_tensor(constant("b1", make(DType::fp32, {2}, {0.5, 0})));
  g.add_tensor(value("c1", {1, 2, 4, 4}));
  g.add_tensor(value("r1", {1, 2, 4, 4}));
  g.add_tensor(value("p1", {1, 2, 2, 2}));
  g.add_tensor(value("f1", {1, 8}));
  // B^T [3][8]: row 0 gives f3 - f2, row 1 f4 - f5, row 2 f0 + f1 + f6 + f7.
  g.add_tensor(constant("w2", make(DType::fp32, {3, 8}, {0, 0, -1, 1, 0, 0,  0, 0,  //
                                                         0, 0, 0,  0, 1, -1, 0, 0,  //
                                                         1, 1, 0,  0, 0, 0,  1, 1})));
  g.add_tensor(constant("b2", make(DType::fp32, {3}, {0, -2, 0})));
  g.add_tensor(value("logits", {1, 3}));
  g.add_tensor(output("probs", {1, 3}));
  g.add_op(ir::make_op(OpKind::conv2d, "conv", {"x", "w1", "b1"}, {"c1"}));
  g.add_op(ir::make_op(OpKind::relu, "relu", {"c1"}, {"r1"}));
  ir::PoolParams pool;
  pool.kernel = {2, 2};
  pool.strides = {2, 2};
  g.add_op(ir::make_op(OpKind::max_pool, "pool", {"r1"}, {"p1"}, pool));
  g.add_op(ir::make_op(OpKind::flatten, "flatten", {"p1"}, {"f1"}));
  g.add_op(ir::make_op(OpKind::gemm, "fc", {"f1", "w2", "b2"}, {"logits"}, ir::GemmAttrs{false, true}));
  g.add_op(ir::make_op(OpKind::softmax, "softmax", {"logits"}, {"probs"}));
  return g;
}

/// Names of ops() in topological_order().
std::vector<std::string> order_names(const Graph& g) {
  std::vector<std::string> names;
  for (std::size_t i : g.topological_order()) names.push_back(g.ops()[i].name);
  return names;
}

}  // namespace

TEST_CASE("graph: op kind spellings round-trip and name the YAML spelling", "[unit][graph]") {
  // 35 kinds: conv2d gemm matmul, 4 pools, 9 activations, 4 binary, 6 shape ops, softmax,
  // 2 norms, 3 quantizers, 3 Winograd stages.
  CHECK(ir::all_op_kinds().size() == 35);
  for (OpKind k : ir::all_op_kinds()) CHECK(ir::parse_op_kind(ir::op_kind_name(k)) == k);
  CHECK(ir::op_kind_name(OpKind::global_average_pool) == "global_average_pool");
  CHECK(ir::op_kind_name(OpKind::quantize_linear) == "quantize_linear");
  CHECK(ir::op_kind_name(OpKind::hard_swish) == "hard_swish");
  CHECK_FALSE(ir::parse_op_kind("Conv").has_value());
}

TEST_CASE("graph: a tiny fp32 CNN validates and runs to hand-derived values", "[unit][graph]") {
  const Graph g = tiny_cnn();
  REQUIRE(g.validate().empty());
  // X[h][w] = 4h + w - 8:  -8 -7 -6 -5 / -4 -3 -2 -1 / 0 1 2 3 / 4 5 6 7.
  Tensor x(DType::fp32, {1, 1, 4, 4});
  for (int i = 0; i < 16; ++i) x.data<float>()[i] = static_cast<float>(i - 8);
  const golden::TensorMap t = golden::run_graph(g, {{"x", x}});
  // Every tensor comes back: x, 4 constants, 6 computed.
  CHECK(t.size() == 11);

  // conv 1x1: channel 0 = 1·x + 0.5, channel 1 = -1·x + 0.
  const Tensor& c1 = t.at("c1");
  CHECK(at(c1, 0) == -7.5f);   // -8 + 0.5
  CHECK(at(c1, 15) == 7.5f);   // 7 + 0.5
  CHECK(at(c1, 16) == 8.0f);   // -(-8)
  CHECK(at(c1, 31) == -7.0f);  // -(7)
  // relu: channel 0 keeps rows 2-3 (0.5 .. 7.5), channel 1 keeps rows 0-1 (8 .. 1).
  CHECK(at(t.at("r1"), 7) == 0.0f);   // max(-1 + 0.5, 0)
  CHECK(at(t.at("r1"), 8) == 0.5f);   // max(0 + 0.5, 0)
  CHECK(at(t.at("r1"), 24) == 0.0f);  // max(-0, 0)
  // max_pool 2x2 stride 2 per channel:
  //   ch0 windows: rows 0-1 -> 0, 0; rows 2-3 cols 0-1 -> max(0.5 1.5 4.5 5.5) = 5.5, cols 2-3 -> 7.5
  //   ch1 windows: rows 0-1 cols 0-1 -> max(8 7 4 3) = 8, cols 2-3 -> max(6 5 2 1) = 6; rows 2-3 -> 0, 0
  // flatten: f = [0, 0, 5.5, 7.5, 8, 6, 0, 0].
  const Tensor& f1 = t.at("f1");
  REQUIRE(f1.shape() == Shape{1, 8});
  const float expected_f[8] = {0, 0, 5.5f, 7.5f, 8, 6, 0, 0};
  for (int i = 0; i < 8; ++i) CHECK(at(f1, i) == expected_f[i]);
  // gemm with B^T: l0 = f3 - f2 + 0 = 7.5 - 5.5 = 2; l1 = f4 - f5 - 2 = 8 - 6 - 2 = 0;
  // l2 = f0 + f1 + f6 + f7 + 0 = 0.
  const Tensor& logits = t.at("logits");
  CHECK(at(logits, 0) == 2.0f);
  CHECK(at(logits, 1) == 0.0f);
  CHECK(at(logits, 2) == 0.0f);
  // softmax [2, 0, 0]: p0 = e^2 / (e^2 + 2) = 7.38905609893065 / 9.38905609893065 = 0.7869860421615985,
  // p1 = p2 = 1 / (e^2 + 2) = 0.10650697891920075, each rounded once to fp32.
  const Tensor& probs = t.at("probs");
  CHECK(at(probs, 0) == static_cast<float>(0.7869860421615985));
  CHECK(at(probs, 1) == static_cast<float>(0.10650697891920075));
  CHECK(at(probs, 2) == static_cast<float>(0.10650697891920075));
}

TEST_CASE("graph: an int8 conv, requantize and residual add run bit-exact", "[unit][graph]") {
  Graph g("int8_residual");
  g.add_tensor(input("x", {1, 2, 2, 2}, DType::int8));
  g.add_tensor(constant("w", make(DType::int8, {2, 2, 1, 1}, {1, 2, -3, 1})));
  g.add_tensor(constant("b", make(DType::int32, {2}, {5, -1})));
  g.add_tensor(value("acc", {1, 2, 2, 2}, DType::int32));
  g.add_tensor(constant("mult", make(DType::fp32, {2}, {0.5, 2.0})));
  g.add_tensor(constant("zp", make(DType::int8, {1}, {-1})));
  g.add_tensor(value("q", {1, 2, 2, 2}, DType::int8));
  TensorInfo y = value("y", {1, 2, 2, 2}, DType::int8);
  y.quant = ir::QuantParams{{0.25f}, {0}, 1, ir::QType::int8};
  g.add_tensor(y);
  g.add_tensor(constant("y_scale", make(DType::fp32, {1}, {0.25})));
  g.add_tensor(output("out", {1, 2, 2, 2}));
  g.add_op(ir::make_op(OpKind::conv2d, "conv", {"x", "w", "b"}, {"acc"}));
  g.add_op(
      ir::make_op(OpKind::requantize, "requant", {"acc", "mult", "zp"}, {"q"}, ir::QuantAttrs{1, ir::QType::int8}));
  g.add_op(ir::make_op(OpKind::add, "residual", {"q", "x"}, {"y"}));
  g.add_op(ir::make_op(OpKind::dequantize_linear, "dequant", {"y", "y_scale"}, {"out"}));
  REQUIRE(g.validate().empty());

  // x channel 0 = [10, -20, 30, -40], channel 1 = [5, -6, 7, -8].
  const Tensor x = make(DType::int8, {1, 2, 2, 2}, {10, -20, 30, -40, 5, -6, 7, -8});
  const golden::TensorMap t = golden::run_graph(g, {{"x", x}});

  // acc oc0 = 1·x0 + 2·x1 + 5:  10+10+5 = 25, -20-12+5 = -27, 30+14+5 = 49, -40-16+5 = -51
  // acc oc1 = -3·x0 + 1·x1 - 1: -30+5-1 = -26, 60-6-1 = 53, -90+7-1 = -84, 120-8-1 = 111
  const Tensor& acc = t.at("acc");
  REQUIRE(acc.dtype() == DType::int32);
  const std::int64_t expected_acc[8] = {25, -27, 49, -51, -26, 53, -84, 111};
  for (int i = 0; i < 8; ++i) CHECK(acc.get_i64(i) == expected_acc[i]);
  // requantize, multiplier per channel [0.5, 2], zero point -1, ties to even, saturate to int8:
  //   oc0: 12.5 -> 12, -13.5 -> -14, 24.5 -> 24, -25.5 -> -26; each - 1 -> 11, -15, 23, -27
  //   oc1: -52, 106, -168, 222; each - 1 -> -53, 105, -169 -> -128 (saturated), 221 -> 127 (saturated)
  const Tensor& q = t.at("q");
  REQUIRE(q.dtype() == DType::int8);
  const std::int64_t expected_q[8] = {11, -15, 23, -27, -53, 105, -128, 127};
  for (int i = 0; i < 8; ++i) CHECK(q.get_i64(i) == expected_q[i]);
  // residual y = q + x (int8, all in range):
  //   11+10 = 21, -15-20 = -35, 23+30 = 53, -27-40 = -67, -53+5 = -48, 105-6 = 99, -128+7 = -121, 127-8 = 119
  const std::int64_t expected_y[8] = {21, -35, 53, -67, -48, 99, -121, 119};
  for (int i = 0; i < 8; ++i) CHECK(t.at("y").get_i64(i) == expected_y[i]);
  // dequantize with scale 0.25: 21/4 = 5.25, -35/4 = -8.75, ..., 119/4 = 29.75 (exact in fp32).
  const float expected_out[8] = {5.25f, -8.75f, 13.25f, -16.75f, -12.0f, 24.75f, -30.25f, 29.75f};
  for (int i = 0; i < 8; ++i) CHECK(at(t.at("out"), i) == expected_out[i]);
}

TEST_CASE("graph: batched matmul broadcasts batch dimensions", "[unit][graph]") {
  // A [2][1][1][2] with A[i] = [i+1, 1]; B [3][2][1] with B[j] = [j, 10]^T.
  // Batch dims [2, 1] and [3] broadcast to [2, 3]: out[i][j] = (i+1)·j + 1·10.
  Graph g("matmul");
  g.add_tensor(input("a", {2, 1, 1, 2}, DType::int8));
  g.add_tensor(constant("b", make(DType::int8, {3, 2, 1}, {0, 10, 1, 10, 2, 10})));
  g.add_tensor(output("y", {2, 3, 1, 1}, DType::int32));
  g.add_op(ir::make_op(OpKind::matmul, "mm", {"a", "b"}, {"y"}));
  REQUIRE(g.validate().empty());
  const golden::TensorMap t = golden::run_graph(g, {{"a", make(DType::int8, {2, 1, 1, 2}, {1, 1, 2, 1})}});
  // i = 0: 0+10, 1+10, 2+10; i = 1: 0+10, 2+10, 4+10.
  const std::int64_t expected[6] = {10, 11, 12, 10, 12, 14};
  for (int i = 0; i < 6; ++i) CHECK(t.at("y").get_i64(i) == expected[i]);
}

TEST_CASE("graph: run_graph rejects bad inputs and names the failing node", "[unit][graph]") {
  const Graph cnn = tiny_cnn();
  CHECK_THROWS_WITH(golden::run_graph(cnn, {}), "graph 'tiny_cnn': input 'x' is not given");
  CHECK_THROWS_WITH(golden::run_graph(cnn, {{"x", Tensor(DType::int8, {1, 1, 4, 4})}}),
                    "graph 'tiny_cnn': input 'x' is [1, 1, 4, 4] int8, declared [1, 1, 4, 4] fp32");
  CHECK_THROWS_WITH(golden::run_graph(cnn, {{"w1", Tensor(DType::fp32, {2, 1, 1, 1})}}),
                    "graph 'tiny_cnn': 'w1' is not an input of the graph");

  // Integer division by a zero divisor fails at run time, not in validation.
  Graph g("div");
  g.add_tensor(input("a", {2}, DType::int32));
  g.add_tensor(constant("d", make(DType::int32, {2}, {1, 0})));
  g.add_tensor(output("y", {2}, DType::int32));
  g.add_op(ir::make_op(OpKind::div, "divide", {"a", "d"}, {"y"}));
  REQUIRE(g.validate().empty());
  CHECK_THROWS_WITH(golden::run_graph(g, {{"a", make(DType::int32, {2}, {4, 4})}}),
                    "node 'divide' (div): golden Div: integer division by zero");

  // An invalid graph lists every issue.
  Graph bad("bad");
  bad.add_tensor(input("a", {2}));
  bad.add_tensor(output("y", {3}));
  bad.add_op(ir::make_op(OpKind::relu, "r", {"a"}, {"y"}));
  CHECK_THROWS_WITH(golden::run_graph(bad, {{"a", Tensor(DType::fp32, {2})}}),
                    "graph 'bad': not valid\n  node 'r' (relu): output 'y' is declared [3] fp32, the operator gives "
                    "[2] fp32");
}

TEST_CASE("graph validate: unknown tensors", "[unit][graph]") {
  Graph g;
  g.add_tensor(input("x", {2}));
  g.add_tensor(output("y", {2}));
  g.add_op(ir::make_op(OpKind::relu, "r", {"x"}, {"y"}));
  g.add_op(ir::make_op(OpKind::sigmoid, "s", {"ghost"}, {"z"}));
  CHECK(g.validate() == std::vector<std::string>{
                            "node 's' (sigmoid): input 'ghost' is not a tensor of the graph",
                            "node 's' (sigmoid): output 'z' is not a tensor of the graph",
                        });
}

TEST_CASE("graph validate: a tensor produced twice, or never", "[unit][graph]") {
  Graph g;
  g.add_tensor(input("x", {2}));
  g.add_tensor(output("y", {2}));
  g.add_tensor(value("t", {2}));
  g.add_tensor(output("z", {2}));
  g.add_tensor(output("never", {2}));
  g.add_op(ir::make_op(OpKind::relu, "a", {"x"}, {"y"}));
  g.add_op(ir::make_op(OpKind::sigmoid, "b", {"x"}, {"y"}));
  g.add_op(ir::make_op(OpKind::add, "sum", {"x", "t"}, {"z"}));
  CHECK(g.validate() == std::vector<std::string>{
                            "node 'b' (sigmoid): output 'y' is already produced by node 'a'",
                            "node 'sum' (add): input 't' is never produced and is neither a graph input nor a constant",
                            "tensor 'never': graph output is never produced",
                        });
}

TEST_CASE("graph validate: cycles, and topological_order refuses them", "[unit][graph]") {
  // p reads b, which q computes from p's output a: p -> q -> p. s hangs below the cycle and is
  // not on it. loop reads its own output.
  Graph g;
  g.add_tensor(input("x", {2}));
  g.add_tensor(value("a", {2}));
  g.add_tensor(value("b", {2}));
  g.add_tensor(output("y", {2}));
  g.add_tensor(value("t", {2}));
  g.add_op(ir::make_op(OpKind::add, "p", {"x", "b"}, {"a"}));
  g.add_op(ir::make_op(OpKind::relu, "q", {"a"}, {"b"}));
  g.add_op(ir::make_op(OpKind::sigmoid, "s", {"b"}, {"y"}));
  g.add_op(ir::make_op(OpKind::relu, "loop", {"t"}, {"t"}));
  CHECK(g.validate() == std::vector<std::string>{
                            "node 'p' (add): is part of a cycle: p -> q -> p",
                            "node 'loop' (relu): is part of a cycle: loop -> loop",
                        });
  CHECK_THROWS_WITH(g.topological_order(), "node 'p' (add): is part of a cycle: p -> q -> p");
}

TEST_CASE("graph validate: input and output counts, attributes of another kind", "[unit][graph]") {
  Graph g;
  g.add_tensor(input("x", {2}));
  for (const char* n : {"y", "z", "w", "y2", "y3", "v"}) g.add_tensor(value(n, {2}));
  g.add_op(ir::make_op(OpKind::relu, "r", {"x", "x"}, {"y"}));
  g.add_op(ir::make_op(OpKind::conv2d, "c", {"x"}, {"z"}));
  g.add_op(ir::make_op(OpKind::concat, "cat", {}, {"w"}));
  g.add_op(ir::make_op(OpKind::sigmoid, "two", {"x"}, {"y2", "y3"}));
  g.add_op(ir::make_op(OpKind::softmax, "sm", {"x"}, {"v"}, ir::GemmAttrs{}));
  CHECK(g.validate() == std::vector<std::string>{
                            "node 'r' (relu): takes 1 input, got 2",
                            "node 'c' (conv2d): takes 2 to 3 inputs, got 1",
                            "node 'cat' (concat): takes at least 1 input, got 0",
                            "node 'two' (sigmoid): produces 1 output, got 2",
                            "node 'sm' (softmax): attributes are not those of a softmax",
                        });
}

TEST_CASE("graph validate: shapes against the operator's inference", "[unit][graph]") {
  Graph g;
  g.add_tensor(input("x", {1, 1, 5, 5}));
  g.add_tensor(constant("w", Tensor(DType::fp32, {2, 1, 3, 3})));
  g.add_tensor(value("y", {1, 2, 5, 5}));
  g.add_tensor(input("a", {2, 3}));
  g.add_tensor(input("b", {4, 2}));
  g.add_tensor(value("ab", {2, 2}));
  g.add_tensor(input("c", {2, 4}));
  g.add_tensor(value("ac", {2, 4}));
  // 5x5 input, 3x3 kernel, stride 1, no padding: P = Q = (5 - 3) / 1 + 1 = 3, not the declared 5.
  g.add_op(ir::make_op(OpKind::conv2d, "conv", {"x", "w"}, {"y"}));
  g.add_op(ir::make_op(OpKind::gemm, "g", {"a", "b"}, {"ab"}));
  g.add_op(ir::make_op(OpKind::add, "sum", {"a", "c"}, {"ac"}));
  CHECK(g.validate() == std::vector<std::string>{
                            "node 'conv' (conv2d): output 'y' is declared [1, 2, 5, 5] fp32, the operator gives "
                            "[1, 2, 3, 3] fp32",
                            "node 'g' (gemm): A [2, 3] and B [4, 2] do not chain (K 3 vs 4)",
                            "node 'sum' (add): [2, 3] and [2, 4] do not broadcast",
                        });
}

TEST_CASE("graph validate: unsupported dtype combinations", "[unit][graph]") {
  Graph g;
  g.add_tensor(input("x8", {1, 1, 2, 2}, DType::int8));
  g.add_tensor(constant("wf", Tensor(DType::fp32, {1, 1, 1, 1})));
  g.add_tensor(value("c", {1, 1, 2, 2}, DType::int32));
  g.add_tensor(input("a8", {2, 2}, DType::int8));
  g.add_tensor(value("g8", {2, 2}, DType::int8));
  g.add_tensor(value("s", {2, 2}, DType::int8));
  g.add_tensor(input("af", {2, 2}));
  g.add_tensor(value("sum", {2, 2}));
  g.add_tensor(input("acc", {2}, DType::int32));
  g.add_tensor(constant("m", make(DType::fp32, {1}, {0.5})));
  g.add_tensor(constant("zp16", make(DType::int16, {1}, {3})));
  g.add_tensor(value("rq", {2}, DType::int8));
  g.add_tensor(value("rqf", {2}));
  g.add_op(ir::make_op(OpKind::conv2d, "conv", {"x8", "wf"}, {"c"}));
  g.add_op(ir::make_op(OpKind::gemm, "g", {"a8", "a8"}, {"g8"}));
  g.add_op(ir::make_op(OpKind::softmax, "sm", {"a8"}, {"s"}));
  g.add_op(ir::make_op(OpKind::add, "mixed", {"af", "a8"}, {"sum"}));
  g.add_op(ir::make_op(OpKind::requantize, "rq_zp", {"acc", "m", "zp16"}, {"rq"}));
  g.add_op(ir::make_op(OpKind::requantize, "rq_out", {"acc", "m"}, {"rqf"}));
  CHECK(g.validate() == std::vector<std::string>{
                            "node 'conv' (conv2d): operands int8 and fp32 are not both integer or both fp32",
                            "node 'g' (gemm): integer operands accumulate in int32 or int64, the output is "
                            "declared int8",
                            "node 'sm' (softmax): X must be fp32, got int8",
                            "node 'mixed' (add): operands fp32 and int8 differ in dtype",
                            "node 'rq_zp' (requantize): zero point is int16, int8 is held in int8",
                            // requantize to int8 gives int8 elements: the fp32 declaration is wrong.
                            "node 'rq_out' (requantize): output 'rqf' is declared [2] fp32, the operator gives "
                            "[2] int8",
                        });
}

TEST_CASE("graph validate: tensors (constants, roles, quantization parameters)", "[unit][graph]") {
  Graph g;
  g.add_tensor(input("x", {2}));
  g.add_tensor(input("x2", {2}));
  g.add_op(ir::make_op(OpKind::relu, "r", {"x"}, {"x2"}));
  TensorInfo w = constant("w", Tensor(DType::int8, {2, 3}));
  w.shape = {3, 2};
  g.add_tensor(w);
  TensorInfo k = constant("k", Tensor(DType::fp32, {1}));
  k.is_input = true;
  g.add_tensor(k);
  TensorInfo q8 = value("q8", {2, 3}, DType::int8);
  q8.quant = ir::QuantParams{{1.0f}, {}, 1, ir::QType::uint8};
  g.add_tensor(q8);
  TensorInfo qc = value("qc", {2, 3}, DType::int8);
  qc.quant = ir::QuantParams{{1.0f, 1.0f, 1.0f}, {}, 0, ir::QType::int8};
  g.add_tensor(qc);
  TensorInfo qz = value("qz", {2, 3}, DType::int8);
  qz.quant = ir::QuantParams{{1.0f, 1.0f}, {0, 0, 0}, 0, ir::QType::int8};
  g.add_tensor(qz);
  TensorInfo qu = value("qu", {2}, DType::int16);
  qu.quant = ir::QuantParams{{0.5f}, {300}, 1, ir::QType::uint8};
  g.add_tensor(qu);
  TensorInfo qe = value("qe", {2}, DType::int8);
  qe.quant = ir::QuantParams{};
  g.add_tensor(qe);
  CHECK(g.validate() == std::vector<std::string>{
                            "node 'r' (relu): output 'x2' is a graph input",
                            "tensor 'w': constant value is [2, 3] int8, declared [3, 2] int8",
                            "tensor 'k': is both a graph input and a constant",
                            "tensor 'q8': quantized as uint8 but held in int8 (uint8 is held in int16)",
                            // 3 scales along axis 0 of [2, 3], which has 2 channels.
                            "tensor 'qc': quantization has 3 scales, axis 0 has 2 channels",
                            "tensor 'qz': quantization has 3 zero points for 2 scales",
                            "tensor 'qu': zero point 300 is outside uint8's range 0..255",
                            "tensor 'qe': quantization has no scale",
                        });
  // Names are unique when added.
  CHECK_THROWS_WITH(g.add_tensor(input("x", {1})), "graph '': tensor 'x' twice");
  CHECK_THROWS_WITH(g.add_op(ir::make_op(OpKind::relu, "r", {"x"}, {"y"})), "graph '': node 'r' twice");
}

TEST_CASE("graph topological_order: stable, and sorts a shuffled graph", "[unit][graph]") {
  // In order already: kept as inserted.
  CHECK(order_names(tiny_cnn()) == std::vector<std::string>{"conv", "relu", "pool", "flatten", "fc", "softmax"});

  // The CNN's operators inserted in reverse: the only order that respects the data flow is the
  // forward one.
  const Graph cnn = tiny_cnn();
  Graph rev("reversed");
  for (const TensorInfo& t : cnn.tensors()) rev.add_tensor(t);
  for (auto it = cnn.ops().rbegin(); it != cnn.ops().rend(); ++it) rev.add_op(*it);
  // Indices into the reversed list: softmax 0, fc 1, flatten 2, pool 3, relu 4, conv 5.
  CHECK(rev.topological_order() == std::vector<std::size_t>{5, 4, 3, 2, 1, 0});
  REQUIRE(rev.validate().empty());
  Tensor x(DType::fp32, {1, 1, 4, 4});
  CHECK(golden::run_graph(rev, {{"x", x}}).size() == 11);

  // A diamond inserted as d (reads b2, c2), c (reads a2), a (reads x), b (reads a2). Ready first:
  // a; then b and c are both ready and c, inserted earlier, goes first; then b, then d.
  Graph g("diamond");
  g.add_tensor(input("x", {2}));
  for (const char* n : {"a2", "b2", "c2"}) g.add_tensor(value(n, {2}));
  g.add_tensor(output("d2", {2}));
  g.add_op(ir::make_op(OpKind::add, "d", {"b2", "c2"}, {"d2"}));
  g.add_op(ir::make_op(OpKind::sigmoid, "c", {"a2"}, {"c2"}));
  g.add_op(ir::make_op(OpKind::relu, "a", {"x"}, {"a2"}));
  g.add_op(ir::make_op(OpKind::tanh, "b", {"a2"}, {"b2"}));
  REQUIRE(g.validate().empty());
  CHECK(order_names(g) == std::vector<std::string>{"a", "c", "b", "d"});
}

TEST_CASE("graph infer_output: every operator kind", "[unit][graph]") {
  std::set<OpKind> covered;
  // Infers kind's output with attributes `attrs` from `in`; records the kind.
  const auto infer = [&](OpKind kind, ir::OpAttrs attrs, std::vector<TensorType> in, DType declared = DType::fp32) {
    covered.insert(kind);
    return ir::infer_output(ir::make_op(kind, "n", {}, {"y"}, std::move(attrs)), in, declared);
  };
  const auto fp = [](Shape s) { return TensorType{std::move(s), DType::fp32}; };
  const auto typed = [](Shape s, DType d) { return TensorType{std::move(s), d}; };
  const auto shape_of = [](const TensorType& t) { return t.shape; };

  {  // products
    // conv2d: X [1,4,7,7], W [8,2,3,3], groups 2, stride 2, pads 1: P = (7 + 2 - 3) / 2 + 1 = 4.
    ir::ConvAttrs c;
    c.stride_h = c.stride_w = 2;
    c.pad_top = c.pad_bottom = c.pad_left = c.pad_right = 1;
    c.groups = 2;
    TensorType y = infer(OpKind::conv2d, c,
                         {typed({1, 4, 7, 7}, DType::int8), typed({8, 2, 3, 3}, DType::int8), typed({8}, DType::int32)},
                         DType::int32);
    CHECK(y.shape == Shape{1, 8, 4, 4});
    CHECK(y.dtype == DType::int32);
    // Dilation 2, no padding, stride 1: extent 2·(3-1)+1 = 5, P = (7 - 5) / 1 + 1 = 3.
    ir::ConvAttrs d;
    d.dilation_h = d.dilation_w = 2;
    CHECK(shape_of(infer(OpKind::conv2d, d, {fp({1, 2, 7, 7}), fp({8, 2, 3, 3})})) == Shape{1, 8, 3, 3});
    // W's second dimension must be C / groups = 4 / 2 = 2.
    CHECK_THROWS_WITH(infer(OpKind::conv2d, c, {fp({1, 4, 7, 7}), fp({8, 4, 3, 3})}),
                      "W [8, 4, 3, 3] has 4 input channels per group, X [1, 4, 7, 7] with groups 2 needs 2");
    // gemm: A [3,5]^T is [5,3], B [4,3]^T is [3,4]: Y [5,4]; C [4] broadcasts to [5,4].
    CHECK(shape_of(infer(OpKind::gemm, ir::GemmAttrs{true, true}, {fp({3, 5}), fp({4, 3}), fp({4})})) == Shape{5, 4});
    // matmul: batch [2,1] with [5] broadcasts to [2,5]; [3,4]·[4,6] = [3,6].
    CHECK(shape_of(infer(OpKind::matmul, ir::NoAttrs{}, {fp({2, 1, 3, 4}), fp({5, 4, 6})})) == Shape{2, 5, 3, 6});
  }
  {  // pools
    ir::PoolParams p;
    p.kernel = {3, 3};
    p.strides = {2, 2};
    p.pads = {1, 1, 1, 1};
    // (7 + 1 + 1 - 3) / 2 + 1 = 4.
    CHECK(shape_of(infer(OpKind::max_pool, p, {typed({1, 3, 7, 7}, DType::int8)})) == Shape{1, 3, 4, 4});
    ir::PoolParams q;
    q.kernel = {2, 2};
    q.strides = {2, 2};
    q.ceil_mode = true;
    // ceil((5 - 2) / 2) + 1 = 3; the last window starts at 4 < 5, so it stays.
    CHECK(shape_of(infer(OpKind::average_pool, q, {fp({1, 3, 5, 5})})) == Shape{1, 3, 3, 3});
    CHECK_THROWS_WITH(infer(OpKind::average_pool, q, {typed({1, 3, 5, 5}, DType::int8)}), "X must be fp32, got int8");
    CHECK(shape_of(infer(OpKind::global_average_pool, ir::NoAttrs{}, {fp({2, 3, 5, 7})})) == Shape{2, 3, 1, 1});
    const TensorType gm = infer(OpKind::global_max_pool, ir::NoAttrs{}, {typed({1, 2, 4}, DType::int8)});
    CHECK(gm.shape == Shape{1, 2, 1});
    CHECK(gm.dtype == DType::int8);
  }
  {  // activations
    CHECK(infer(OpKind::relu, ir::NoAttrs{}, {typed({2, 3}, DType::int8)}).dtype == DType::int8);
    CHECK(infer(OpKind::relu6, ir::NoAttrs{}, {typed({2, 3}, DType::int32)}).dtype == DType::int32);
    CHECK(shape_of(infer(OpKind::clip, ir::ClipAttrs{-1, 1}, {fp({4})})) == Shape{4});
    CHECK_THROWS_WITH(infer(OpKind::clip, ir::ClipAttrs{0.5, 6}, {typed({4}, DType::int8)}),
                      "an integer tensor needs integral bounds, got 0.5 and 6");
    for (OpKind k : {OpKind::sigmoid, OpKind::tanh, OpKind::silu, OpKind::hard_swish})
      CHECK(shape_of(infer(k, ir::NoAttrs{}, {fp({2, 3})})) == Shape{2, 3});
    CHECK(shape_of(infer(OpKind::gelu, ir::GeluAttrs{true}, {fp({3})})) == Shape{3});
    CHECK(shape_of(infer(OpKind::leaky_relu, ir::LeakyReluAttrs{0.1}, {fp({3})})) == Shape{3});
    CHECK_THROWS_WITH(infer(OpKind::sigmoid, ir::NoAttrs{}, {typed({3}, DType::int8)}), "X must be fp32, got int8");
  }
  {  // element-wise arithmetic
    // [2,1,4] with [3,1]: right-aligned, [2,1,4] vs [1,3,1] -> [2,3,4].
    for (OpKind k : {OpKind::add, OpKind::sub, OpKind::mul, OpKind::div})
      CHECK(shape_of(infer(k, ir::NoAttrs{}, {fp({2, 1, 4}), fp({3, 1})})) == Shape{2, 3, 4});
  }
  {  // shape operators
    CHECK(shape_of(infer(OpKind::concat, ir::AxisAttrs{1}, {fp({2, 3}), fp({2, 5})})) == Shape{2, 8});
    CHECK_THROWS_WITH(infer(OpKind::concat, ir::AxisAttrs{1}, {fp({2, 3}), fp({3, 5})}),
                      "[3, 5] differs from [2, 3] off the axis");
    // 0 copies X's dimension 0 (2); -1 takes the rest: 24 / 2 = 12.
    CHECK(shape_of(infer(OpKind::reshape, ir::ReshapeAttrs{{0, -1}, false}, {fp({2, 3, 4})})) == Shape{2, 12});
    // axis 2: [2·3][4·5].
    CHECK(shape_of(infer(OpKind::flatten, ir::AxisAttrs{2}, {fp({2, 3, 4, 5})})) == Shape{6, 20});
    CHECK(shape_of(infer(OpKind::transpose, ir::TransposeAttrs{{2, 0, 1}}, {fp({2, 3, 4})})) == Shape{4, 2, 3});
    CHECK(shape_of(infer(OpKind::transpose, ir::TransposeAttrs{}, {fp({2, 3, 4})})) == Shape{4, 3, 2});
    CHECK(shape_of(infer(OpKind::squeeze, ir::AxesAttrs{}, {fp({1, 3, 1, 2})})) == Shape{3, 2});
    CHECK(shape_of(infer(OpKind::squeeze, ir::AxesAttrs{{2}}, {fp({1, 3, 1, 2})})) == Shape{1, 3, 2});
    CHECK(shape_of(infer(OpKind::unsqueeze, ir::AxesAttrs{{0, 3}}, {fp({3, 2})})) == Shape{1, 3, 2, 1});
  }
  {  // normalizations
    CHECK(shape_of(infer(OpKind::softmax, ir::AxisAttrs{1}, {fp({2, 5})})) == Shape{2, 5});
    CHECK_THROWS_WITH(infer(OpKind::softmax, ir::AxisAttrs{2}, {fp({2, 5})}), "axis 2 out of range for rank 2");
    CHECK(shape_of(infer(OpKind::layer_norm, ir::LayerNormAttrs{}, {fp({2, 3, 4}), fp({4}), fp({4})})) ==
          Shape{2, 3, 4});
    CHECK_THROWS_WITH(infer(OpKind::layer_norm, ir::LayerNormAttrs{}, {fp({2, 3, 4}), fp({3})}),
                      "scale [3] does not broadcast to [4]");
    CHECK(shape_of(infer(OpKind::batch_norm, ir::BatchNormAttrs{},
                         {fp({2, 3, 4, 4}), fp({3}), fp({3}), fp({3}), fp({3})})) == Shape{2, 3, 4, 4});
  }
  {  // quantizers
    // Per channel along axis 1 of [2,3]: 3 scales; uint8 is held in int16.
    const TensorType q = infer(OpKind::quantize_linear, ir::QuantAttrs{1, ir::QType::uint8},
                               {fp({2, 3}), fp({3}), typed({3}, DType::int16)});
    CHECK(q.shape == Shape{2, 3});
    CHECK(q.dtype == DType::int16);
    CHECK_THROWS_WITH(infer(OpKind::quantize_linear, ir::QuantAttrs{1, ir::QType::int8}, {fp({2, 3}), fp({2})}),
                      "scale [2] is neither one element nor [3] (axis 1 of [2, 3])");
    CHECK(infer(OpKind::dequantize_linear, ir::QuantAttrs{}, {typed({2, 3}, DType::int8), fp({1})}).dtype ==
          DType::fp32);
    const TensorType r = infer(OpKind::requantize, ir::QuantAttrs{1, ir::QType::int8},
                               {typed({1, 2, 2, 2}, DType::int32), fp({2}), typed({1}, DType::int8)});
    CHECK(r.shape == Shape{1, 2, 2, 2});
    CHECK(r.dtype == DType::int8);
  }
  {  // Winograd stages (F(2x2, 3x3): α = 4): a 7x7 output in ⌈7/2⌉² = 16 tiles per image.
    ir::WinogradAttrs w;
    w.m = 2, w.pad_top = w.pad_left = 1, w.out_h = w.out_w = 7;
    CHECK(shape_of(infer(OpKind::winograd_filter, w, {fp({8, 3, 3, 3})})) == Shape{16, 3, 8});
    CHECK(shape_of(infer(OpKind::winograd_input, w, {fp({2, 3, 7, 7})})) == Shape{16, 32, 3});
    CHECK(shape_of(infer(OpKind::winograd_output, w, {fp({16, 32, 8})})) == Shape{2, 8, 7, 7});
    CHECK_THROWS_WITH(infer(OpKind::winograd_input, w, {typed({2, 3, 7, 7}, DType::int8)}), "X must be fp32, got int8");
  }
  // Every kind went through infer_output above.
  CHECK(covered.size() == ir::all_op_kinds().size());
}
