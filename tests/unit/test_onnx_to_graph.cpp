/// ONNX models -> ir::Graph (io::onnx_graph, docs/import.md "Importing a whole graph"): a small CNN
/// imported and run by the golden model against values derived by hand, the attributes of every
/// operator kind, Identity aliasing, constants, and every error message.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

#include "models/golden/graph_exec.hpp"
#include "sim/io/import.hpp"
#include "sim/io/onnx_to_graph.hpp"
#include "tests/onnx_builder.hpp"
#include "tests/onnx_graph_support.hpp"

using namespace arraysim;
using test::OnnxBuilder;
using Lines = std::vector<std::string>;

namespace {

ir::Graph import(const OnnxBuilder& b) { return test::import_graph(b); }
using test::import_errors;

/// The only operator of a graph.
const ir::Op& only_op(const ir::Graph& g) {
  REQUIRE(g.ops().size() == 1);
  return g.ops()[0];
}

/// A one-node model: x [dims] -> OP -> y.
OnnxBuilder unary(const std::string& op, const std::vector<test::Dim>& dims, std::int64_t opset = 13) {
  OnnxBuilder b("g", opset);
  b.input("x", dims).output("y");
  b.node(op, {"x"}, {"y"}, "n");
  return b;
}

}  // namespace

TEST_CASE("onnx graph: a small CNN imports and runs to the values derived by hand", "[unit][onnx][graph]") {
  // The tiny CNN of docs/graph.md, as an ONNX model with its weights as initializers.
  OnnxBuilder b("tiny_cnn");
  b.input("x", {1, 1, 4, 4}).output("probs");
  b.floats("w1", {2, 1, 1, 1}, {1, -1}).floats("b1", {2}, {0.5f, 0});
  // Rows of w2 pick f3 - f2, f4 - f5 and f0 + f1 + f6 + f7.
  b.floats("w2", {3, 8}, {0, 0, -1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, -1, 0, 0, 1, 1, 0, 0, 0, 0, 1, 1});
  b.floats("b2", {3}, {0, -2, 0});
  b.node("Conv", {"x", "w1", "b1"}, {"c1"}, "conv");
  b.node("Relu", {"c1"}, {"r1"}, "relu");
  auto& pool = b.node("MaxPool", {"r1"}, {"p1"}, "pool");
  OnnxBuilder::ints(pool, "kernel_shape", {2, 2});
  OnnxBuilder::ints(pool, "strides", {2, 2});
  b.node("Flatten", {"p1"}, {"f1"}, "flatten");
  auto& fc = b.node("Gemm", {"f1", "w2", "b2"}, {"logits"}, "fc");
  OnnxBuilder::integer(fc, "transB", 1);
  b.node("Softmax", {"logits"}, {"probs"}, "softmax");

  const ir::Graph g = import(b);
  CHECK(g.name() == "tiny_cnn");
  REQUIRE(g.ops().size() == 6);
  const std::vector<ir::OpKind> kinds{ir::OpKind::conv2d,  ir::OpKind::relu, ir::OpKind::max_pool,
                                      ir::OpKind::flatten, ir::OpKind::gemm, ir::OpKind::softmax};
  for (std::size_t i = 0; i < kinds.size(); ++i) CHECK(g.ops()[i].kind == kinds[i]);
  CHECK(g.ops()[0].inputs == Lines{"x", "w1", "b1"});
  CHECK(g.ops()[4].inputs == Lines{"f1", "w2", "b2"});
  CHECK(std::get<ir::GemmAttrs>(g.ops()[4].attrs).trans_b);
  CHECK(std::get<ir::AxisAttrs>(g.ops()[5].attrs).axis == -1);  // opset 13 default
  CHECK(g.tensor("x").is_input);
  CHECK_FALSE(g.tensor("x").is_constant());
  CHECK(g.tensor("w1").is_constant());
  CHECK(g.tensor("w1").value->data<float>()[1] == -1.0f);
  CHECK(g.tensor("b2").shape == ir::Shape{3});
  CHECK(g.tensor("c1").shape == ir::Shape{1, 2, 4, 4});  // 1x1 kernel keeps 4x4
  CHECK(g.tensor("p1").shape == ir::Shape{1, 2, 2, 2});  // 2x2 windows, stride 2
  CHECK(g.tensor("f1").shape == ir::Shape{1, 8});
  CHECK(g.tensor("probs").is_output);
  CHECK_FALSE(g.tensor("logits").is_output);

  // X[h][w] = 4h + w - 8. Channel 0 = x + 0.5, channel 1 = -x; after relu and the 2x2 pool,
  // channel 0 = [0, 0, 5.5, 7.5] (max of {0.5, 1.5, 4.5, 5.5} and {2.5, 3.5, 6.5, 7.5}) and
  // channel 1 = [8, 6, 0, 0] (max of {8, 7, 4, 3} and {6, 5, 2, 1}); so f1 =
  // [0, 0, 5.5, 7.5, 8, 6, 0, 0], logits = [7.5 - 5.5, 8 - 6 - 2, 0] = [2, 0, 0] and
  // probs = [e^2, 1, 1] / (e^2 + 2).
  ir::Tensor x(ir::DType::fp32, {1, 1, 4, 4});
  for (int i = 0; i < 16; ++i) x.data<float>()[i] = static_cast<float>(i - 8);
  const golden::TensorMap t = golden::run_graph(g, {{"x", x}});
  const ir::Tensor& f1 = t.at("f1");
  const std::vector<float> want_f1{0, 0, 5.5f, 7.5f, 8, 6, 0, 0};
  for (int i = 0; i < 8; ++i) CHECK(f1.data<float>()[i] == want_f1[static_cast<std::size_t>(i)]);
  const double e2 = std::exp(2.0);
  const ir::Tensor& probs = t.at("probs");
  CHECK(probs.data<float>()[0] == Approx(e2 / (e2 + 2)).epsilon(1e-6));
  CHECK(probs.data<float>()[1] == Approx(1 / (e2 + 2)).epsilon(1e-6));
  CHECK(probs.data<float>()[2] == Approx(1 / (e2 + 2)).epsilon(1e-6));
}

TEST_CASE("onnx graph: Conv attributes, explicit and auto_pad", "[unit][onnx][graph]") {
  OnnxBuilder b;
  b.input("x", {1, 4, 7, 7}).output("y").output("z");
  b.initializer("w", {6, 2, 3, 3});
  auto& c = b.node("Conv", {"x", "w"}, {"y"}, "c");
  OnnxBuilder::ints(c, "strides", {2, 1});
  OnnxBuilder::ints(c, "pads", {1, 0, 2, 1});  // [top, left, bottom, right]
  OnnxBuilder::ints(c, "dilations", {1, 2});
  OnnxBuilder::integer(c, "group", 2);
  auto& s = b.node("Conv", {"x", "w"}, {"z"}, "same");
  OnnxBuilder::string(s, "auto_pad", "SAME_UPPER");
  OnnxBuilder::integer(s, "group", 2);
  OnnxBuilder::ints(s, "strides", {2, 2});
  const ir::Graph g = import(b);
  const auto& a = std::get<ir::ConvAttrs>(g.ops()[0].attrs);
  CHECK(a.stride_h == 2);
  CHECK(a.stride_w == 1);
  CHECK(a.pad_top == 1);
  CHECK(a.pad_left == 0);
  CHECK(a.pad_bottom == 2);
  CHECK(a.pad_right == 1);
  CHECK(a.dilation_h == 1);
  CHECK(a.dilation_w == 2);
  CHECK(a.groups == 2);
  CHECK(g.ops()[0].inputs == Lines{"x", "w"});
  // H: (7 + 1 + 2 - 3) / 2 + 1 = 4; W: (7 + 0 + 1 - 5) / 1 + 1 = 4 (dilated kernel 5).
  CHECK(g.tensor("y").shape == ir::Shape{1, 6, 4, 4});
  // SAME_UPPER, stride 2: out = ceil(7 / 2) = 4, total pad = (4 - 1)·2 + 3 - 7 = 2: 1 and 1.
  const auto& u = std::get<ir::ConvAttrs>(g.ops()[1].attrs);
  CHECK(u.pad_top == 1);
  CHECK(u.pad_bottom == 1);
  CHECK(u.pad_left == 1);
  CHECK(u.pad_right == 1);
  CHECK(g.tensor("z").shape == ir::Shape{1, 6, 4, 4});
}

TEST_CASE("onnx graph: Gemm, MatMul and the pooling attributes", "[unit][onnx][graph]") {
  OnnxBuilder b;
  b.input("a", {3, 2})
      .input("m", {2, 3, 4})
      .input("p", {1, 1, 5, 5})
      .output("y")
      .output("mm")
      .output("mp")
      .output("ap");
  b.initializer("bw", {4, 3}).initializer("c", {4}).initializer("k", {4, 5});
  auto& gemm = b.node("Gemm", {"a", "bw", "c"}, {"y"}, "fc");
  OnnxBuilder::integer(gemm, "transA", 1);
  OnnxBuilder::integer(gemm, "transB", 1);
  b.node("MatMul", {"m", "k"}, {"mm"}, "mat");
  auto& mp = b.node("MaxPool", {"p"}, {"mp"}, "max");
  OnnxBuilder::ints(mp, "kernel_shape", {3, 2});
  OnnxBuilder::ints(mp, "strides", {2, 2});
  OnnxBuilder::ints(mp, "dilations", {1, 2});
  OnnxBuilder::ints(mp, "pads", {1, 0, 1, 0});
  OnnxBuilder::integer(mp, "ceil_mode", 1);
  auto& ap = b.node("AveragePool", {"p"}, {"ap"}, "avg");
  OnnxBuilder::ints(ap, "kernel_shape", {2, 2});
  OnnxBuilder::string(ap, "auto_pad", "SAME_LOWER");
  OnnxBuilder::integer(ap, "count_include_pad", 1);
  const ir::Graph g = import(b);
  const auto& ga = std::get<ir::GemmAttrs>(g.ops()[0].attrs);
  CHECK(ga.trans_a);
  CHECK(ga.trans_b);
  CHECK(g.tensor("y").shape == ir::Shape{2, 4});  // A^T [2, 3] · B^T [3, 4]
  CHECK(g.ops()[1].kind == ir::OpKind::matmul);
  CHECK(g.tensor("mm").shape == ir::Shape{2, 3, 5});
  const auto& m = std::get<ir::PoolParams>(g.ops()[2].attrs);
  CHECK(m.kernel == ir::Shape{3, 2});
  CHECK(m.strides == ir::Shape{2, 2});
  CHECK(m.dilations == ir::Shape{1, 2});
  CHECK(m.pads == ir::Shape{1, 0, 1, 0});
  CHECK(m.auto_pad == ir::AutoPad::notset);
  CHECK(m.ceil_mode);
  CHECK_FALSE(m.count_include_pad);
  // H: ceil((5 + 2 - 3) / 2) + 1 = 3; W: ceil((5 - 3) / 2) + 1 = 2 (dilated width 3).
  CHECK(g.tensor("mp").shape == ir::Shape{1, 1, 3, 2});
  const auto& a = std::get<ir::PoolParams>(g.ops()[3].attrs);
  CHECK(a.auto_pad == ir::AutoPad::same_lower);
  CHECK(a.count_include_pad);
  CHECK(a.strides.empty());
  CHECK(g.tensor("ap").shape == ir::Shape{1, 1, 5, 5});
}

TEST_CASE("onnx graph: operators without attributes map to their kinds", "[unit][onnx][graph]") {
  const std::vector<std::pair<std::string, ir::OpKind>> cases{{"GlobalAveragePool", ir::OpKind::global_average_pool},
                                                              {"GlobalMaxPool", ir::OpKind::global_max_pool},
                                                              {"Relu", ir::OpKind::relu},
                                                              {"Sigmoid", ir::OpKind::sigmoid},
                                                              {"Tanh", ir::OpKind::tanh},
                                                              {"HardSwish", ir::OpKind::hard_swish}};
  for (const auto& [op, kind] : cases) {
    INFO(op);
    const ir::Graph g = import(unary(op, {1, 2, 3, 3}, 14));
    CHECK(only_op(g).kind == kind);
    CHECK(only_op(g).name == "n");
    CHECK(std::holds_alternative<ir::NoAttrs>(only_op(g).attrs));
  }
  for (const auto& [op, kind] : std::vector<std::pair<std::string, ir::OpKind>>{
           {"Add", ir::OpKind::add}, {"Sub", ir::OpKind::sub}, {"Mul", ir::OpKind::mul}, {"Div", ir::OpKind::div}}) {
    INFO(op);
    OnnxBuilder b;
    b.input("a", {2, 3}).input("c", {3}).output("y");
    b.node(op, {"a", "c"}, {"y"}, "n");
    const ir::Graph g = import(b);
    CHECK(only_op(g).kind == kind);
    CHECK(only_op(g).inputs == Lines{"a", "c"});
    CHECK(g.tensor("y").shape == ir::Shape{2, 3});  // [3] broadcasts over [2, 3]
  }
}

TEST_CASE("onnx graph: Clip bounds from constants, activation attributes", "[unit][onnx][graph]") {
  OnnxBuilder b;
  b.input("x", {2, 3}).output("y").output("z");
  b.floats("lo", {}, {-1}).floats("hi", {}, {2});
  b.node("Clip", {"x", "lo", "hi"}, {"y"}, "clip");
  b.node("Clip", {"x", "", "hi"}, {"z"}, "upper");
  const ir::Graph g = import(b);
  const auto& c = std::get<ir::ClipAttrs>(g.ops()[0].attrs);
  CHECK(c.min == -1);
  CHECK(c.max == 2);
  CHECK(g.ops()[0].inputs == Lines{"x"});
  const auto& u = std::get<ir::ClipAttrs>(g.ops()[1].attrs);
  CHECK(std::isinf(u.min));
  CHECK(u.min < 0);
  CHECK(u.max == 2);

  OnnxBuilder old("g", 6);  // opset 6: bounds as attributes
  old.input("x", {2}).output("y");
  auto& oc = old.node("Clip", {"x"}, {"y"}, "c");
  OnnxBuilder::real(oc, "min", 0);
  OnnxBuilder::real(oc, "max", 6);
  const ir::Graph og = import(old);  // kept: `o` refers into it
  const auto& o = std::get<ir::ClipAttrs>(only_op(og).attrs);
  CHECK(o.min == 0);
  CHECK(o.max == 6);

  OnnxBuilder lr = unary("LeakyRelu", {4});
  OnnxBuilder::real(*lr.model().mutable_graph()->mutable_node(0), "alpha", 0.5f);
  CHECK(std::get<ir::LeakyReluAttrs>(only_op(import(lr)).attrs).alpha == 0.5);

  // Gelu (opset 20) is newer than Debian's libonnx: its output type comes from the IR's own rule.
  OnnxBuilder gelu = unary("Gelu", {2, 5}, 20);
  OnnxBuilder::string(*gelu.model().mutable_graph()->mutable_node(0), "approximate", "tanh");
  const ir::Graph gg = import(gelu);
  CHECK(std::get<ir::GeluAttrs>(only_op(gg).attrs).tanh_approximation);
  CHECK(gg.tensor("y").shape == ir::Shape{2, 5});
  CHECK(gg.tensor("y").dtype == ir::DType::fp32);
}

TEST_CASE("onnx graph: shape operators and softmax", "[unit][onnx][graph]") {
  OnnxBuilder b;
  b.input("x", {2, 3, 4})
      .input("s", {1, 3})
      .output("cat")
      .output("r")
      .output("f")
      .output("t")
      .output("sq")
      .output("us")
      .output("sm");
  b.int64s("shape", {2}, {0, -1}).int64s("ax0", {1}, {0}).int64s("ax13", {2}, {1, 3});
  auto& cat = b.node("Concat", {"s", "s"}, {"cat"}, "cat");
  OnnxBuilder::integer(cat, "axis", -2);
  auto& r = b.node("Reshape", {"x", "shape"}, {"r"}, "r");
  OnnxBuilder::integer(r, "allowzero", 0);
  auto& f = b.node("Flatten", {"x"}, {"f"}, "f");
  OnnxBuilder::integer(f, "axis", 2);
  auto& t = b.node("Transpose", {"x"}, {"t"}, "t");
  OnnxBuilder::ints(t, "perm", {2, 0, 1});
  b.node("Squeeze", {"s", "ax0"}, {"sq"}, "sq");
  b.node("Unsqueeze", {"s", "ax13"}, {"us"}, "us");
  auto& sm = b.node("Softmax", {"x"}, {"sm"}, "sm");
  OnnxBuilder::integer(sm, "axis", 1);
  const ir::Graph g = import(b);
  CHECK(std::get<ir::AxisAttrs>(g.ops()[0].attrs).axis == -2);
  CHECK(g.tensor("cat").shape == ir::Shape{2, 3});
  const auto& ra = std::get<ir::ReshapeAttrs>(g.ops()[1].attrs);
  CHECK(ra.shape == ir::Shape{0, -1});
  CHECK_FALSE(ra.allowzero);
  CHECK(g.ops()[1].inputs == Lines{"x"});
  CHECK(g.tensor("r").shape == ir::Shape{2, 12});
  CHECK(std::get<ir::AxisAttrs>(g.ops()[2].attrs).axis == 2);
  CHECK(g.tensor("f").shape == ir::Shape{6, 4});
  CHECK(std::get<ir::TransposeAttrs>(g.ops()[3].attrs).perm == ir::Shape{2, 0, 1});
  CHECK(std::get<ir::AxesAttrs>(g.ops()[4].attrs).axes == ir::Shape{0});
  CHECK(g.tensor("sq").shape == ir::Shape{3});
  CHECK(std::get<ir::AxesAttrs>(g.ops()[5].attrs).axes == ir::Shape{1, 3});
  CHECK(g.tensor("us").shape == ir::Shape{1, 1, 3, 1});
  CHECK(std::get<ir::AxisAttrs>(g.ops()[6].attrs).axis == 1);

  // Opset 11: Unsqueeze's axes are an attribute; Softmax's default axis 1 is the last of a 2-D X.
  OnnxBuilder old("g", 11);
  old.input("x", {2, 3}).output("u").output("sm");
  auto& u = old.node("Unsqueeze", {"x"}, {"u"}, "u");
  OnnxBuilder::ints(u, "axes", {0});
  old.node("Softmax", {"x"}, {"sm"}, "sm");
  const ir::Graph go = import(old);
  CHECK(std::get<ir::AxesAttrs>(go.ops()[0].attrs).axes == ir::Shape{0});
  CHECK(std::get<ir::AxisAttrs>(go.ops()[1].attrs).axis == 1);
}

TEST_CASE("onnx graph: normalizations and quantizers", "[unit][onnx][graph]") {
  OnnxBuilder b("g", 17);
  b.input("x", {2, 3, 4}).input("img", {1, 3, 2, 2}).output("ln").output("bn").output("dq");
  b.floats("gamma", {4}, {1, 1, 1, 1}).floats("beta", {4}, {0, 0, 0, 0});
  b.floats("c", {3}, {1, 1, 1}).floats("z", {3}, {0, 0, 0});
  b.floats("scale", {}, {0.5f}).int32s("zp", {}, {128}, onnx::TensorProto::UINT8);
  auto& ln = b.node("LayerNormalization", {"x", "gamma", "beta"}, {"ln"}, "ln");
  OnnxBuilder::integer(ln, "axis", -1);
  OnnxBuilder::real(ln, "epsilon", 0.25f);
  auto& bn = b.node("BatchNormalization", {"img", "c", "z", "z", "c"}, {"bn"}, "bn");
  OnnxBuilder::real(bn, "epsilon", 0.5f);
  b.node("QuantizeLinear", {"x", "scale", "zp"}, {"q"}, "q");
  b.node("DequantizeLinear", {"q", "scale", "zp"}, {"dq"}, "dq");
  const ir::Graph g = import(b);
  const auto& la = std::get<ir::LayerNormAttrs>(g.ops()[0].attrs);
  CHECK(la.axis == -1);
  CHECK(la.epsilon == 0.25);
  CHECK(g.ops()[0].inputs == Lines{"x", "gamma", "beta"});
  CHECK(std::get<ir::BatchNormAttrs>(g.ops()[1].attrs).epsilon == 0.5);
  const auto& qa = std::get<ir::QuantAttrs>(g.ops()[2].attrs);
  CHECK(qa.qtype == ir::QType::uint8);  // from the ONNX element type of the zero point
  CHECK(qa.axis == 1);
  CHECK(g.tensor("q").dtype == ir::DType::int16);  // uint8 is held in int16
  CHECK(g.tensor("zp").dtype == ir::DType::int16);
  REQUIRE(g.tensor("q").quant);
  CHECK(g.tensor("q").quant->qtype == ir::QType::uint8);
  CHECK(g.tensor("q").quant->scale == std::vector<float>{0.5f});
  CHECK(g.tensor("q").quant->zero_point == std::vector<std::int64_t>{128});
  CHECK(std::get<ir::QuantAttrs>(g.ops()[3].attrs).qtype == ir::QType::uint8);
  CHECK(g.tensor("dq").dtype == ir::DType::fp32);
}

TEST_CASE("onnx graph: Identity aliases its input; Constant nodes are constants", "[unit][onnx][graph]") {
  OnnxBuilder b;
  b.input("x", {2}).output("y").output("out");
  b.node("Relu", {"x"}, {"r"}, "relu");
  b.node("Identity", {"r"}, {"i1"}, "id1");
  b.node("Identity", {"i1"}, {"i2"}, "id2");
  auto& k = b.node("Constant", {}, {"k"}, "k");
  auto* a = k.add_attribute();
  a->set_name("value_floats");
  a->set_type(onnx::AttributeProto::FLOATS);
  a->add_floats(10);
  a->add_floats(20);
  b.node("Add", {"i2", "k"}, {"y"}, "add");
  b.node("Identity", {"r"}, {"out"}, "to_output");
  const ir::Graph g = import(b);
  // The intermediate Identity outputs are not tensors: the Add reads relu's output directly.
  CHECK(g.find_tensor("i1") == nullptr);
  CHECK(g.find_tensor("i2") == nullptr);
  REQUIRE(g.ops().size() == 3);
  CHECK(g.ops()[1].inputs == Lines{"r", "k"});
  CHECK(g.tensor("k").value->data<float>()[1] == 20.0f);
  // A graph output keeps its name: a copy (reshape to its own shape).
  CHECK(g.ops()[2].kind == ir::OpKind::reshape);
  CHECK(g.ops()[2].inputs == Lines{"r"});
  CHECK(std::get<ir::ReshapeAttrs>(g.ops()[2].attrs).shape == ir::Shape{2});
  CHECK(g.tensor("out").is_output);
  ir::Tensor x(ir::DType::fp32, {2});
  x.data<float>()[0] = -3, x.data<float>()[1] = 4;
  const golden::TensorMap t = golden::run_graph(g, {{"x", x}});
  // relu(x) = [0, 4]; + [10, 20] = [10, 24].
  CHECK(t.at("y").data<float>()[0] == 10.0f);
  CHECK(t.at("y").data<float>()[1] == 24.0f);
  CHECK(t.at("out").data<float>()[1] == 4.0f);
}

TEST_CASE("onnx graph: operators not in the IR, one line per node", "[unit][onnx][graph]") {
  OnnxBuilder b;
  b.input("x", {1, 2, 4, 4}).output("y").output("z").output("l");
  b.initializer("w", {2, 2, 3, 3});
  b.node("ConvTranspose", {"x", "w"}, {"t"}, "up");
  b.node("Relu", {"t"}, {"y"}, "after_up");  // reads a value that failed: not reported again
  b.node("Round", {"x"}, {"z"}, "");
  auto& c = b.node("Custom", {"x"}, {"l"}, "mine");
  c.set_domain("com.example");
  auto* domain = b.model().add_opset_import();
  domain->set_domain("com.example");
  domain->set_version(1);
  CHECK(import_errors(b) == Lines{"m.onnx: node 'up' (ConvTranspose): not in the graph IR yet",
                                  "m.onnx: node #2 (Round): not in the graph IR yet",
                                  "m.onnx: node 'mine' (Custom): not in the graph IR yet (domain 'com.example')"});
}

TEST_CASE("onnx graph: attribute and operand errors", "[unit][onnx][graph]") {
  OnnxBuilder b;
  b.input("a", {2, 3}).input("lo", {}).output("y").output("c").output("p").output("i").output("s");
  b.initializer("bw", {3, 4});
  auto& g = b.node("Gemm", {"a", "bw"}, {"y"}, "fc");
  OnnxBuilder::real(g, "alpha", 2);
  b.node("Clip", {"a", "lo"}, {"c"}, "clip");
  auto& p = b.node("MaxPool", {"a"}, {"p", "i"}, "pool");
  OnnxBuilder::ints(p, "kernel_shape", {2});
  auto& s = b.node("Softmax", {"a"}, {"s"}, "sm");
  OnnxBuilder::integer(s, "bogus", 1);
  CHECK(import_errors(b) ==
        Lines{"m.onnx: node 'fc' (Gemm): alpha 2 is not 1: the graph IR's gemm has no scale factors",
              "m.onnx: node 'clip' (Clip): min 'lo' is not a constant (the graph IR takes it as an attribute: give "
              "it as an initializer)",
              "m.onnx: node 'pool' (MaxPool): output 1 ('i') is not in the graph IR yet: its max_pool has one output",
              "m.onnx: node 'sm' (Softmax): attribute 'bogus' is not supported (supported: axis)"});

  OnnxBuilder u;
  u.input("a", {2}, onnx::TensorProto::UINT8).output("y", onnx::TensorProto::UINT8);
  u.node("Add", {"a", "a"}, {"y"}, "sum");
  CHECK(import_errors(u) ==
        Lines{"m.onnx: node 'sum' (Add): UINT8 Add is not in the graph IR yet (held in a wider signed type, it would "
              "not wrap)"});

  OnnxBuilder old("g", 11);
  old.input("x", {2, 3, 4}).output("y");
  old.node("Softmax", {"x"}, {"y"}, "sm");
  CHECK(import_errors(old) == Lines{"m.onnx: node 'sm' (Softmax): Softmax of opset 11 with axis 1 of a rank-3 input "
                                    "normalizes over several dimensions: only the last axis maps"});
}

TEST_CASE("onnx graph: tensor errors and the graph's own validation", "[unit][onnx][graph]") {
  OnnxBuilder b;
  b.input("x", {1, "C"}).output("y");
  b.initializer("d", {2}, onnx::TensorProto::DOUBLE);
  b.node("Relu", {"x"}, {"y"}, "r");
  CHECK(import_errors(b) ==
        Lines{"m.onnx: tensor 'd': ONNX element type DOUBLE is not supported (supported: FLOAT, INT8, UINT8, INT16, "
              "UINT16, INT32, INT64)",
              "m.onnx: tensor 'x': the shape is not static after ONNX shape inference: dimension 1 is symbolic ('C')"});

  // A uint8 DequantizeLinear with an int8 zero point: the IR's own rule rejects it.
  OnnxBuilder v;
  v.input("q", {2}, onnx::TensorProto::UINT8).output("y");
  v.floats("scale", {}, {1}).int32s("zp", {}, {0}, onnx::TensorProto::INT8);
  v.node("DequantizeLinear", {"q", "scale", "zp"}, {"y"}, "dq");
  CHECK(import_errors(v) == Lines{"m.onnx: node 'dq' (dequantize_linear): zero point is int8, uint8 is held in int16"});
}
