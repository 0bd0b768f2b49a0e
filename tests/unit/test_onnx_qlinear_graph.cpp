/// QLinearConv, QLinearMatMul, ConvInteger and MatMulInteger through the graph importer
/// (io::onnx_graph, docs/import.md "Importing a whole graph"): each node decomposes into a conv2d or
/// matmul of int8 operands accumulating in int32 and, for the QLinear ones, a requantize. The
/// imported graphs run by golden::run_graph are compared bit for bit with the ONNX formulas
/// written out as direct loops below (not the golden operators), plus one case derived by hand.
/// Zero points and operand types the array cannot take are refused with the reason, also on the
/// ONNX backend node tests of these operators.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cfenv>
#include <cmath>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "models/golden/graph_exec.hpp"
#include "sim/io/import.hpp"
#include "sim/io/onnx_to_graph.hpp"
#include "tests/onnx_builder.hpp"
#include "tests/onnx_graph_support.hpp"
#include "tests/onnx_node_harness.hpp"

using namespace arraysim;
using onnx::TensorProto;
using test::OnnxBuilder;
using Lines = std::vector<std::string>;
using Ints = std::vector<std::int32_t>;

namespace {

ir::Graph import(const OnnxBuilder& b) { return test::import_graph(b); }
using test::import_errors;

/// `count` seeded values uniformly in [lo, hi].
Ints random_ints(std::mt19937& rng, std::size_t count, int lo, int hi) {
  std::uniform_int_distribution<int> d(lo, hi);
  Ints v(count);
  for (std::int32_t& x : v) x = d(rng);
  return v;
}

/// An int8 (or `dtype`) ir::Tensor holding `values`.
ir::Tensor tensor(const ir::Shape& shape, const Ints& values, ir::DType dtype = ir::DType::int8) {
  ir::Tensor t(dtype, shape);
  REQUIRE(static_cast<std::size_t>(t.size()) == values.size());
  for (std::int64_t i = 0; i < t.size(); ++i) t.set_i64(i, values[static_cast<std::size_t>(i)]);
  return t;
}

Ints values_of(const ir::Tensor& t) {
  Ints v;
  for (std::int64_t i = 0; i < t.size(); ++i) v.push_back(static_cast<std::int32_t>(t.get_i64(i)));
  return v;
}

// ---- the reference: ONNX's formulas as direct loops --------------------------------------------

/// A 2-D convolution's geometry (ONNX attributes; pads top, left, bottom, right).
struct Geometry {
  std::int64_t stride_h = 1, stride_w = 1, dil_h = 1, dil_w = 1, groups = 1;
  std::int64_t pad_t = 0, pad_l = 0, pad_b = 0, pad_r = 0;
};

/// ConvInteger / the accumulator of QLinearConv: Σ x · (w - w_zp[oc]) + B[oc] over the window,
/// zero outside the input, NCHW; x [N][C][H][W], w [OC][C/groups][R][S].
std::vector<std::int64_t> conv_reference(const Ints& x, const std::vector<std::int64_t>& xs, const Ints& w,
                                         const std::vector<std::int64_t>& ws, const Geometry& g, const Ints& bias,
                                         const Ints& w_zp, std::vector<std::int64_t>& ys) {
  const std::int64_t n = xs[0], c = xs[1], h = xs[2], wd = xs[3], oc = ws[0], cg = ws[1], r = ws[2], s = ws[3];
  const std::int64_t oh = (h + g.pad_t + g.pad_b - (g.dil_h * (r - 1) + 1)) / g.stride_h + 1;
  const std::int64_t ow = (wd + g.pad_l + g.pad_r - (g.dil_w * (s - 1) + 1)) / g.stride_w + 1;
  ys = {n, oc, oh, ow};
  REQUIRE(c == cg * g.groups);
  std::vector<std::int64_t> y;
  for (std::int64_t b = 0; b < n; ++b)
    for (std::int64_t o = 0; o < oc; ++o)
      for (std::int64_t i = 0; i < oh; ++i)
        for (std::int64_t j = 0; j < ow; ++j) {
          std::int64_t acc = bias.empty() ? 0 : bias[static_cast<std::size_t>(o)];
          const std::int64_t group = o / (oc / g.groups);
          const std::int64_t zp = w_zp.empty() ? 0 : w_zp.size() == 1 ? w_zp[0] : w_zp[static_cast<std::size_t>(o)];
          for (std::int64_t ci = 0; ci < cg; ++ci)
            for (std::int64_t ri = 0; ri < r; ++ri)
              for (std::int64_t si = 0; si < s; ++si) {
                const std::int64_t hi = i * g.stride_h - g.pad_t + ri * g.dil_h;
                const std::int64_t wi = j * g.stride_w - g.pad_l + si * g.dil_w;
                if (hi < 0 || hi >= h || wi < 0 || wi >= wd) continue;
                const std::int64_t xv = x[static_cast<std::size_t>(((b * c + group * cg + ci) * h + hi) * wd + wi)];
                const std::int64_t wv = w[static_cast<std::size_t>(((o * cg + ci) * r + ri) * s + si)];
                acc += xv * (wv - zp);
              }
          y.push_back(acc);
        }
  return y;
}

/// MatMulInteger / the accumulator of QLinearMatMul: a [batch][M][K] · b [K][N] (b shared by the
/// batch) → [batch][M][N].
std::vector<std::int64_t> matmul_reference(const Ints& a, std::int64_t batch, std::int64_t m, std::int64_t k,
                                           const Ints& b, std::int64_t n) {
  std::vector<std::int64_t> y;
  for (std::int64_t t = 0; t < batch; ++t)
    for (std::int64_t i = 0; i < m; ++i)
      for (std::int64_t j = 0; j < n; ++j) {
        std::int64_t acc = 0;
        for (std::int64_t p = 0; p < k; ++p)
          acc +=
              std::int64_t{a[static_cast<std::size_t>((t * m + i) * k + p)]} * b[static_cast<std::size_t>(p * n + j)];
        y.push_back(acc);
      }
  return y;
}

/// ONNX's output stage: y = saturate(round_half_even(acc · (x_scale · w_scale[ch] / y_scale)) +
/// y_zp) to int8, the multiplier in fp32 (as numpy float32 arithmetic), the product in double.
/// `channel(i)` picks the w_scale of element i. Rounds with std::nearbyint in the default
/// round-to-nearest-even mode.
template <class Channel>
Ints requantize_reference(const std::vector<std::int64_t>& acc, float x_scale, const std::vector<float>& w_scale,
                          float y_scale, int y_zp, Channel channel) {
  REQUIRE(std::fegetround() == FE_TONEAREST);
  Ints y;
  for (std::size_t i = 0; i < acc.size(); ++i) {
    const float xw = x_scale * w_scale[w_scale.size() == 1 ? 0 : channel(i)];
    const float multiplier = xw / y_scale;
    const double v = std::nearbyint(static_cast<double>(acc[i]) * static_cast<double>(multiplier)) + y_zp;
    y.push_back(static_cast<std::int32_t>(std::min(127.0, std::max(-128.0, v))));
  }
  return y;
}

/// A QLinearConv model: x (input, int8), scales and zero points and w, B as initializers.
OnnxBuilder qlinear_conv_model(const std::vector<std::int64_t>& xs, const std::vector<std::int64_t>& ws, const Ints& w,
                               const Ints& bias, float x_scale, const std::vector<float>& w_scale, float y_scale,
                               int y_zp, const Geometry& g) {
  OnnxBuilder b;
  b.input("x", {xs[0], xs[1], xs[2], xs[3]}, TensorProto::INT8).output("y", TensorProto::INT8);
  b.floats("xs", {}, {x_scale}).int32s("xz", {}, {0}, TensorProto::INT8);
  b.int32s("w", ws, w, TensorProto::INT8);
  b.floats("ws", w_scale.size() == 1 ? std::vector<std::int64_t>{} : std::vector<std::int64_t>{ws[0]}, w_scale);
  b.floats("ys", {}, {y_scale}).int32s("yz", {}, {y_zp}, TensorProto::INT8);
  std::vector<std::string> in{"x", "xs", "xz", "w", "ws", "xz", "ys", "yz"};
  if (!bias.empty()) {
    b.int32s("B", {ws[0]}, bias);
    in.push_back("B");
  }
  auto& n = b.node("QLinearConv", in, {"y"}, "q");
  OnnxBuilder::ints(n, "strides", {g.stride_h, g.stride_w});
  OnnxBuilder::ints(n, "dilations", {g.dil_h, g.dil_w});
  OnnxBuilder::ints(n, "pads", {g.pad_t, g.pad_l, g.pad_b, g.pad_r});
  OnnxBuilder::integer(n, "group", g.groups);
  return b;
}

/// The importer's decomposition of QLinearConv 'q': conv2d 'q' into q/accumulator (int32), then
/// requantize 'q/requantize' with the constant q/multiplier into y.
void check_qlinear_conv_graph(const ir::Graph& g, bool with_bias, const std::vector<float>& multiplier) {
  REQUIRE(g.ops().size() == 2);
  const ir::Op &conv = g.ops()[0], &rq = g.ops()[1];
  CHECK(conv.kind == ir::OpKind::conv2d);
  CHECK(conv.name == "q");
  CHECK(conv.inputs == (with_bias ? Lines{"x", "w", "B"} : Lines{"x", "w"}));
  CHECK(conv.outputs == Lines{"q/accumulator"});
  CHECK(g.tensor("q/accumulator").dtype == ir::DType::int32);
  CHECK(rq.kind == ir::OpKind::requantize);
  CHECK(rq.name == "q/requantize");
  CHECK(rq.inputs == Lines{"q/accumulator", "q/multiplier", "yz"});
  CHECK(rq.outputs == Lines{"y"});
  CHECK(std::get<ir::QuantAttrs>(rq.attrs).axis == 1);
  CHECK(std::get<ir::QuantAttrs>(rq.attrs).qtype == ir::QType::int8);
  const ir::TensorInfo& m = g.tensor("q/multiplier");
  REQUIRE(m.value);
  REQUIRE(m.value->size() == static_cast<std::int64_t>(multiplier.size()));
  for (std::size_t i = 0; i < multiplier.size(); ++i) CHECK(m.value->data<float>()[i] == multiplier[i]);
  REQUIRE(g.tensor("y").quant);
  CHECK(g.tensor("y").dtype == ir::DType::int8);
}

}  // namespace

TEST_CASE("onnx graph: QLinearConv by hand (per-channel w_scale, bias, a tie rounded to even)",
          "[unit][onnx][graph][qlinear]") {
  // x [1,1,2,2] = {10, -3, 7, 2}; w [2,1,2,2]: channel 0 {1, 2, 3, 4}, channel 1 {-1, 0, 2, 5};
  // B = {9, -100}.
  //   acc0 = 10·1 − 3·2 + 7·3 + 2·4 + 9 = 10 − 6 + 21 + 8 + 9 = 42
  //   acc1 = −10 + 0 + 14 + 10 − 100 = −86
  // x_scale 0.5, w_scale {0.25, 0.125}, y_scale 0.5 (powers of two: every fp32 step exact):
  //   multiplier = {0.5·0.25/0.5, 0.5·0.125/0.5} = {0.25, 0.125}
  //   y0 = round_half_even(42 · 0.25 = 10.5) + 3 = 10 + 3 = 13   (half away from zero would give 14)
  //   y1 = round_half_even(−86 · 0.125 = −10.75) + 3 = −11 + 3 = −8
  const OnnxBuilder b = qlinear_conv_model({1, 1, 2, 2}, {2, 1, 2, 2}, {1, 2, 3, 4, -1, 0, 2, 5}, {9, -100}, 0.5f,
                                           {0.25f, 0.125f}, 0.5f, 3, Geometry{});
  const ir::Graph g = import(b);
  check_qlinear_conv_graph(g, true, {0.25f, 0.125f});
  CHECK(g.tensor("q/accumulator").shape == ir::Shape{1, 2, 1, 1});
  const ir::QuantParams& qw = *g.tensor("w").quant;
  CHECK(qw.scale == std::vector<float>{0.25f, 0.125f});
  CHECK(qw.axis == 0);
  CHECK(g.tensor("y").quant->zero_point == std::vector<std::int64_t>{3});

  const golden::TensorMap t = golden::run_graph(g, {{"x", tensor({1, 1, 2, 2}, {10, -3, 7, 2})}});
  CHECK(values_of(t.at("q/accumulator")) == Ints{42, -86});
  CHECK(values_of(t.at("y")) == Ints{13, -8});
}

TEST_CASE("onnx graph: QLinearConv per tensor and per channel against the ONNX formula",
          "[unit][onnx][graph][qlinear]") {
  std::mt19937 rng(20240611);
  struct Case {
    const char* what;
    std::vector<std::int64_t> xs, ws;
    Geometry g;
    bool bias;
    std::vector<float> w_scale;
  };
  Geometry strided;
  strided.stride_h = 2, strided.stride_w = 2, strided.pad_t = strided.pad_l = strided.pad_b = strided.pad_r = 1;
  Geometry grouped;
  grouped.groups = 2, grouped.dil_h = 2, grouped.pad_t = 1, grouped.pad_r = 2;
  const std::vector<Case> cases = {
      {"per tensor, strides 2, pads 1, bias", {1, 3, 7, 6}, {4, 3, 3, 3}, strided, true, {0.0047f}},
      {"per channel, groups 2, dilation 2, uneven pads, no bias",
       {2, 4, 6, 5},
       {6, 2, 2, 3},
       grouped,
       false,
       {0.0031f, 0.0077f, 0.0052f, 0.0019f, 0.0093f, 0.0066f}},
  };
  for (const Case& c : cases) {
    SECTION(c.what) {
      const float x_scale = 0.0213f, y_scale = 0.0517f;
      const int y_zp = -7;
      const Ints x = random_ints(rng, static_cast<std::size_t>(c.xs[0] * c.xs[1] * c.xs[2] * c.xs[3]), -128, 127);
      const Ints w = random_ints(rng, static_cast<std::size_t>(c.ws[0] * c.ws[1] * c.ws[2] * c.ws[3]), -128, 127);
      const Ints bias = c.bias ? random_ints(rng, static_cast<std::size_t>(c.ws[0]), -5000, 5000) : Ints{};
      const ir::Graph g = import(qlinear_conv_model(c.xs, c.ws, w, bias, x_scale, c.w_scale, y_scale, y_zp, c.g));
      std::vector<float> multiplier;
      for (const float s : c.w_scale) multiplier.push_back(x_scale * s / y_scale);
      check_qlinear_conv_graph(g, c.bias, multiplier);

      std::vector<std::int64_t> ys;
      const std::vector<std::int64_t> acc = conv_reference(x, c.xs, w, c.ws, c.g, bias, {}, ys);
      const std::int64_t plane = ys[2] * ys[3];
      const Ints expect = requantize_reference(acc, x_scale, c.w_scale, y_scale, y_zp, [&](std::size_t i) {
        return static_cast<std::size_t>((static_cast<std::int64_t>(i) / plane) % ys[1]);
      });
      const golden::TensorMap t = golden::run_graph(g, {{"x", tensor(c.xs, x)}});
      CHECK(t.at("q/accumulator").shape() == ys);
      CHECK(values_of(t.at("y")) == expect);
      // Not vacuous: the outputs spread over the range and some saturate.
      CHECK(std::count(expect.begin(), expect.end(), 127) + std::count(expect.begin(), expect.end(), -128) <
            static_cast<std::ptrdiff_t>(expect.size() / 2));
      CHECK(std::set<std::int32_t>(expect.begin(), expect.end()).size() > 20);
    }
  }
}

TEST_CASE("onnx graph: QLinearMatMul against the ONNX formula (per tensor and per column)",
          "[unit][onnx][graph][qlinear]") {
  std::mt19937 rng(7);
  const std::int64_t batch = 2, m = 3, k = 20, n = 5;
  const float a_scale = 0.0301f, y_scale = 0.0713f;
  const int y_zp = 4;
  const Ints a = random_ints(rng, static_cast<std::size_t>(batch * m * k), -128, 127);
  const Ints bv = random_ints(rng, static_cast<std::size_t>(k * n), -128, 127);
  for (const std::vector<float>& b_scale :
       {std::vector<float>{0.0041f}, std::vector<float>{0.0041f, 0.0023f, 0.0087f, 0.0012f, 0.0056f}}) {
    SECTION(b_scale.size() == 1 ? "per tensor" : "per column") {
      OnnxBuilder b;
      b.input("a", {batch, m, k}, TensorProto::INT8).output("y", TensorProto::INT8);
      b.floats("as", {}, {a_scale}).int32s("az", {}, {0}, TensorProto::INT8);
      b.int32s("b", {k, n}, bv, TensorProto::INT8);
      b.floats("bs", b_scale.size() == 1 ? std::vector<std::int64_t>{} : std::vector<std::int64_t>{n}, b_scale);
      b.int32s("bz", {}, {0}, TensorProto::INT8);
      b.floats("ys", {}, {y_scale}).int32s("yz", {}, {y_zp}, TensorProto::INT8);
      b.node("QLinearMatMul", {"a", "as", "az", "b", "bs", "bz", "ys", "yz"}, {"y"}, "qm");
      const ir::Graph g = import(b);
      REQUIRE(g.ops().size() == 2);
      CHECK(g.ops()[0].kind == ir::OpKind::matmul);
      CHECK(g.ops()[0].inputs == Lines{"a", "b"});
      CHECK(g.ops()[0].outputs == Lines{"qm/accumulator"});
      CHECK(g.tensor("qm/accumulator").shape == ir::Shape{batch, m, n});
      CHECK(g.tensor("qm/accumulator").dtype == ir::DType::int32);
      CHECK(g.ops()[1].kind == ir::OpKind::requantize);
      CHECK(g.ops()[1].inputs == Lines{"qm/accumulator", "qm/multiplier", "yz"});
      CHECK(std::get<ir::QuantAttrs>(g.ops()[1].attrs).axis == 2);  // the columns of y

      const Ints expect = requantize_reference(matmul_reference(a, batch, m, k, bv, n), a_scale, b_scale, y_scale, y_zp,
                                               [&](std::size_t i) { return i % static_cast<std::size_t>(n); });
      const golden::TensorMap t = golden::run_graph(g, {{"a", tensor({batch, m, k}, a)}});
      CHECK(values_of(t.at("y")) == expect);
      CHECK(std::set<std::int32_t>(expect.begin(), expect.end()).size() > 10);
    }
  }
}

TEST_CASE("onnx graph: ConvInteger and MatMulInteger are int32 products", "[unit][onnx][graph][qlinear]") {
  std::mt19937 rng(99);
  SECTION("ConvInteger with a zero x_zero_point") {
    const Ints x = random_ints(rng, 2 * 3 * 5 * 5, -128, 127), w = random_ints(rng, 4 * 3 * 3 * 3, -128, 127);
    OnnxBuilder b;
    b.input("x", {2, 3, 5, 5}, TensorProto::INT8).output("y", TensorProto::INT32);
    b.int32s("w", {4, 3, 3, 3}, w, TensorProto::INT8).int32s("xz", {}, {0}, TensorProto::INT8);
    auto& n = b.node("ConvInteger", {"x", "w", "xz"}, {"y"}, "ci");
    OnnxBuilder::ints(n, "pads", {1, 0, 1, 2});
    const ir::Graph g = import(b);
    REQUIRE(g.ops().size() == 1);
    CHECK(g.ops()[0].kind == ir::OpKind::conv2d);
    CHECK(g.ops()[0].inputs == Lines{"x", "w"});
    CHECK(g.ops()[0].outputs == Lines{"y"});
    CHECK(g.tensor("y").dtype == ir::DType::int32);
    Geometry geo;
    geo.pad_t = 1, geo.pad_l = 0, geo.pad_b = 1, geo.pad_r = 2;
    std::vector<std::int64_t> ys;
    const std::vector<std::int64_t> expect = conv_reference(x, {2, 3, 5, 5}, w, {4, 3, 3, 3}, geo, {}, {}, ys);
    const ir::Tensor y = golden::run_graph(g, {{"x", tensor({2, 3, 5, 5}, x)}}).at("y");
    CHECK(y.shape() == ys);
    CHECK(values_of(y) == Ints(expect.begin(), expect.end()));
  }
  SECTION("MatMulInteger of two graph inputs") {
    const Ints a = random_ints(rng, 4 * 6, -128, 127), bv = random_ints(rng, 6 * 3, -128, 127);
    OnnxBuilder b;
    b.input("a", {4, 6}, TensorProto::INT8).input("b", {6, 3}, TensorProto::INT8).output("y", TensorProto::INT32);
    b.node("MatMulInteger", {"a", "b"}, {"y"}, "mi");
    const ir::Graph g = import(b);
    REQUIRE(g.ops().size() == 1);
    CHECK(g.ops()[0].kind == ir::OpKind::matmul);
    CHECK(g.ops()[0].inputs == Lines{"a", "b"});
    const std::vector<std::int64_t> expect = matmul_reference(a, 1, 4, 6, bv, 3);
    const ir::Tensor y = golden::run_graph(g, {{"a", tensor({4, 6}, a)}, {"b", tensor({6, 3}, bv)}}).at("y");
    CHECK(values_of(y) == Ints(expect.begin(), expect.end()));
  }
  SECTION("a constant uint8 weight with a per-channel zero point folds into int8 when it fits") {
    // w uint8 in 100..200, w_zero_point {150, 120}: w − w_zp lies in −50..80, inside int8.
    const Ints x = random_ints(rng, 1 * 2 * 4 * 4, -128, 127), w = random_ints(rng, 2 * 2 * 2 * 2, 100, 200);
    const Ints w_zp{150, 120};
    OnnxBuilder b;
    b.input("x", {1, 2, 4, 4}, TensorProto::INT8).output("y", TensorProto::INT32);
    b.int32s("w", {2, 2, 2, 2}, w, TensorProto::UINT8).int32s("wz", {2}, w_zp, TensorProto::UINT8);
    b.node("ConvInteger", {"x", "w", "", "wz"}, {"y"}, "ci");
    const ir::Graph g = import(b);
    REQUIRE(g.ops().size() == 1);
    CHECK(g.ops()[0].inputs == Lines{"x", "ci/w_int8"});
    const ir::TensorInfo& folded = g.tensor("ci/w_int8");
    CHECK(folded.dtype == ir::DType::int8);
    REQUIRE(folded.value);
    CHECK(folded.value->get_i64(0) == w[0] - 150);
    CHECK(folded.value->get_i64(15) == w[15] - 120);
    std::vector<std::int64_t> ys;
    const std::vector<std::int64_t> expect = conv_reference(x, {1, 2, 4, 4}, w, {2, 2, 2, 2}, {}, {}, w_zp, ys);
    const ir::Tensor y = golden::run_graph(g, {{"x", tensor({1, 2, 4, 4}, x)}}).at("y");
    CHECK(values_of(y) == Ints(expect.begin(), expect.end()));
  }
}

TEST_CASE("onnx graph: quantized products the array cannot take are refused with the reason",
          "[unit][onnx][graph][qlinear]") {
  SECTION("a nonzero x_zero_point") {
    OnnxBuilder b = qlinear_conv_model({1, 1, 3, 3}, {1, 1, 1, 1}, {1}, {}, 0.5f, {0.5f}, 0.5f, 0, Geometry{});
    b.int32s("xz3", {}, {3}, TensorProto::INT8);
    b.model().mutable_graph()->mutable_node(0)->set_input(2, "xz3");
    CHECK(import_errors(b) ==
          Lines{"m.onnx: node 'q' (QLinearConv): x_zero_point 3 is not 0; the array multiplies raw int8 operands "
                "(asymmetric inputs: not yet)"});
  }
  SECTION("a nonzero per-channel w_zero_point of a weight computed at run time") {
    OnnxBuilder b;
    b.input("x", {1, 2, 3, 3}, TensorProto::INT8).input("w", {2, 2, 1, 1}, TensorProto::INT8);
    b.output("y", TensorProto::INT32);
    b.int32s("wz", {2}, {0, 2}, TensorProto::INT8);
    b.node("ConvInteger", {"x", "w", "", "wz"}, {"y"}, "ci");
    CHECK(import_errors(b) == Lines{"m.onnx: node 'ci' (ConvInteger): w_zero_point[1] 2 is not 0; the array "
                                    "multiplies raw int8 operands (asymmetric weights: not yet)"});
  }
  SECTION("a constant weight whose zero point leaves int8") {
    OnnxBuilder b;
    b.input("a", {2, 2}, TensorProto::INT8).output("y", TensorProto::INT32);
    b.int32s("b", {2, 2}, {-100, 5, 0, 127}, TensorProto::INT8).int32s("bz", {}, {50}, TensorProto::INT8);
    b.node("MatMulInteger", {"a", "b", "", "bz"}, {"y"}, "mi");
    CHECK(import_errors(b) ==
          Lines{"m.onnx: node 'mi' (MatMulInteger): b_zero_point 50 is not 0 and the constant b - b_zero_point "
                "leaves int8 (-150 at index 0); the array multiplies raw int8 operands (asymmetric weights: not yet)"});
  }
  SECTION("uint8 activations with zero point 0") {
    OnnxBuilder b;
    b.input("a", {2, 2}, TensorProto::UINT8).input("b", {2, 2}, TensorProto::INT8).output("y", TensorProto::INT32);
    b.node("MatMulInteger", {"a", "b"}, {"y"}, "mi");
    CHECK(import_errors(b) == Lines{"m.onnx: node 'mi' (MatMulInteger): a 'a' is UINT8; the array multiplies raw "
                                    "int8 operands (uint8 operands: not yet)"});
  }
  SECTION("a zero point or a scale that is not a constant") {
    OnnxBuilder b = qlinear_conv_model({1, 1, 3, 3}, {1, 1, 1, 1}, {1}, {}, 0.5f, {0.5f}, 0.5f, 0, Geometry{});
    b.input("xz_in", {}, TensorProto::INT8);
    b.model().mutable_graph()->mutable_node(0)->set_input(2, "xz_in");
    CHECK(import_errors(b) == Lines{"m.onnx: node 'q' (QLinearConv): x_zero_point 'xz_in' is not a constant: the "
                                    "import must see its value (only 0 maps to the array)"});
    OnnxBuilder c = qlinear_conv_model({1, 1, 3, 3}, {1, 1, 1, 1}, {1}, {}, 0.5f, {0.5f}, 0.5f, 0, Geometry{});
    c.input("ys_in", {});
    c.model().mutable_graph()->mutable_node(0)->set_input(6, "ys_in");
    CHECK(import_errors(c) == Lines{"m.onnx: node 'q' (QLinearConv): y_scale 'ys_in' is not a constant: the "
                                    "requantize multiplier is computed at import (give it as an initializer)"});
  }
}

/// The ONNX backend node tests of these operators (libonnx-testdata 1.12) all have uint8 operands
/// with nonzero zero points (x_zero_point 132, a_zero_point 113, x_zero_point 1, a_zero_point 12):
/// the importer refuses each one, with its scales and zero points given as initializers as an
/// exported model has them. (Their values are checked against the golden operators through
/// test-local glue in test_onnx_vector_nodes.cpp and test_onnx_nodes.cpp.)
#define ARRAYSIM_ONNX_QUANT_REFUSED_LIST(X)                                                  \
  X(test_qlinearconv,                                                                        \
    "x_zero_point 132 is not 0; the array multiplies raw int8 operands (asymmetric inputs: " \
    "not yet)")                                                                              \
  X(test_qlinearmatmul_2D,                                                                   \
    "a_zero_point 113 is not 0; the array multiplies raw int8 operands (asymmetric "         \
    "inputs: not yet)")                                                                      \
  X(test_qlinearmatmul_3D,                                                                   \
    "a_zero_point 113 is not 0; the array multiplies raw int8 operands (asymmetric "         \
    "inputs: not yet)")                                                                      \
  X(test_basic_convinteger,                                                                  \
    "x_zero_point 1 is not 0; the array multiplies raw int8 operands (asymmetric "           \
    "inputs: not yet)")                                                                      \
  X(test_convinteger_with_padding,                                                           \
    "x_zero_point 1 is not 0; the array multiplies raw int8 operands "                       \
    "(asymmetric inputs: not yet)")                                                          \
  X(test_convinteger_without_padding,                                                        \
    "x_zero_point 1 is not 0; the array multiplies raw int8 operands "                       \
    "(asymmetric inputs: not yet)")                                                          \
  X(test_matmulinteger,                                                                      \
    "a_zero_point 12 is not 0; the array multiplies raw int8 operands (asymmetric inputs: "  \
    "not yet)")

namespace {

/// Scales and zero points are constants (everything but the two operands).
bool scale_or_zero_point(const onnx::NodeProto& node, int k) {
  const bool qlinear = node.op_type() == "QLinearConv" || node.op_type() == "QLinearMatMul";
  return qlinear ? k != 0 && k != 3 && k != 8 : k >= 2;
}

void check_refused(const std::string& dir, const std::string& reason) {
  const Lines lines = onnx_harness::graph_import_errors(dir, scale_or_zero_point);
  REQUIRE(lines.size() == 1);
  INFO(lines[0]);
  const std::string tail = "): " + reason;
  CHECK(lines[0].size() > tail.size());
  CHECK(lines[0].compare(lines[0].size() - tail.size(), tail.size(), tail) == 0);
}

}  // namespace

#define ARRAYSIM_ONNX_QUANT_REFUSED_CASE(dir, reason)                                              \
  TEST_CASE("onnx node " #dir " through the graph importer is refused", "[unit][onnx][qlinear]") { \
    check_refused(#dir, reason);                                                                   \
  }
ARRAYSIM_ONNX_QUANT_REFUSED_LIST(ARRAYSIM_ONNX_QUANT_REFUSED_CASE)
