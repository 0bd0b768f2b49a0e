/// The seeded inputs of a graph run (app::graph_inputs, docs/graph.md "Running a whole graph"):
/// parameters given as graph inputs are seeded in their role so that values stay in range.
#include <catch2/catch.hpp>

#include <cmath>

#include "models/ir/graph.hpp"
#include "sim/app/compare.hpp"
#include "sim/app/graph_run.hpp"

using namespace arraysim;
using ir::DType;
using ir::Tensor;
using ir::TensorInfo;

namespace {
TensorInfo tensor(const std::string& name, ir::Shape shape, bool is_input) {
  TensorInfo t;
  t.name = name;
  t.shape = std::move(shape);
  t.is_input = is_input;
  return t;
}

/// fill_random's values of a tensor of `shape` for input position `pos` (stream 1000 + pos).
Tensor seeded(const ir::Shape& shape, std::uint64_t seed, std::uint64_t pos) {
  Tensor t(DType::fp32, shape);
  ir::fill_random(t, seed, 1000 + pos);
  return t;
}
}  // namespace

TEST_CASE("graph inputs: weights scaled by 2^-ceil(ceil(log2 fan_in) / 2), a variance as 0.5 + |x|", "[unit][graph]") {
  // x [1][256][4][4] -> conv by W [8][256][3][3] -> c [1][8][2][2] -> batch_norm (scale, B, mean,
  // var, all graph inputs) -> n -> flatten [1][32] -> gemm by F [10][32] (transB) -> y [1][10].
  ir::Graph g("seeding");
  const char* inputs[] = {"x", "W", "scale", "B", "mean", "var", "F"};
  const ir::Shape shapes[] = {{1, 256, 4, 4}, {8, 256, 3, 3}, {8}, {8}, {8}, {8}, {10, 32}};
  for (int i = 0; i < 7; ++i) g.add_tensor(tensor(inputs[i], shapes[i], true));
  g.add_tensor(tensor("c", {1, 8, 2, 2}, false));
  g.add_tensor(tensor("n", {1, 8, 2, 2}, false));
  g.add_tensor(tensor("f", {1, 32}, false));
  TensorInfo y = tensor("y", {1, 10}, false);
  y.is_output = true;
  g.add_tensor(y);
  g.add_op(ir::make_op(ir::OpKind::conv2d, "conv", {"x", "W"}, {"c"}));
  g.add_op(ir::make_op(ir::OpKind::batch_norm, "bn", {"c", "scale", "B", "mean", "var"}, {"n"}));
  g.add_op(ir::make_op(ir::OpKind::flatten, "flat", {"n"}, {"f"}));
  g.add_op(ir::make_op(ir::OpKind::gemm, "fc", {"f", "F"}, {"y"}, ir::GemmAttrs{false, true}));
  REQUIRE(g.validate().empty());

  const app::TensorMap m = app::graph_inputs(g, 7, nullptr);
  const auto same = [](const Tensor& got, const Tensor& want) {
    REQUIRE(got.shape() == want.shape());
    for (std::int64_t i = 0; i < want.size(); ++i) REQUIRE(got.get_f64(i) == want.get_f64(i));
  };
  // The data input and the batch norm's scale, shift and mean: fill_random as it is.
  same(m.at("x"), seeded(shapes[0], 7, 0));
  for (int i : {2, 3, 4}) same(m.at(inputs[i]), seeded(shapes[i], 7, static_cast<std::uint64_t>(i)));
  // W: fan_in 256 · 3 · 3 = 2304, ceil(log2 2304) = 12, 12 / 2 = 6: every value / 64.
  Tensor w = seeded(shapes[1], 7, 1);
  for (std::int64_t i = 0; i < w.size(); ++i) w.set_f64(i, w.get_f64(i) / 64);
  same(m.at("W"), w);
  // F [10][32] transposed: fan_in 32, ceil(log2 32) = 5, ceil(5 / 2) = 3: / 8.
  Tensor f = seeded(shapes[6], 7, 6);
  for (std::int64_t i = 0; i < f.size(); ++i) f.set_f64(i, f.get_f64(i) / 8);
  same(m.at("F"), f);
  // The variance: 0.5 + |value|, in [0.5, 1.5].
  Tensor v = seeded(shapes[5], 7, 5);
  for (std::int64_t i = 0; i < v.size(); ++i) v.set_f64(i, 0.5 + std::fabs(v.get_f64(i)));
  same(m.at("var"), v);
}

TEST_CASE("compare_outputs: an fp32 element matches when equal (the same infinity too) or within the bound",
          "[unit][graph]") {
  Tensor want(DType::fp32, {5}), got(DType::fp32, {5}), tol(DType::fp32, {5});
  const double inf = INFINITY;
  const double w[] = {inf, -inf, 1.0, inf, NAN}, g[] = {inf, -inf, 1.5, -inf, NAN};
  for (int i = 0; i < 5; ++i) {
    want.set_f64(i, w[i]);
    got.set_f64(i, g[i]);
    tol.set_f64(i, 0.25);
  }
  std::int64_t count = 0;
  const auto mm = app::compare_outputs("t", want, got, &tol, 10, &count);
  // Elements 2 (|1 - 1.5| > 0.25), 3 (inf against -inf) and 4 (NaN equals nothing) differ.
  CHECK(count == 3);
  REQUIRE(mm.size() == 3);
  CHECK(mm[0].index == 2);
  CHECK(mm[1].index == 3);
  CHECK(mm[2].index == 4);
}
