/// The Winograd stages of the graph IR (winograd_filter, winograd_input, winograd_output;
/// docs/transforms.md): the golden operators and the post-processing unit's against the direct
/// convolution, their shapes, and the unit's instruction counts per transformed tile.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <random>

#include "models/golden/golden.hpp"
#include "models/golden/ops.hpp"
#include "models/ir/graph.hpp"
#include "sim/hw/vector_ops.hpp"
#include "sim/plan/vector_op.hpp"

using namespace arraysim;
using ir::DType;
using ir::Tensor;

namespace {
Tensor grid(const ir::Shape& shape, std::mt19937& rng) {
  std::uniform_int_distribution<int> d(-64, 64);
  Tensor t(DType::fp32, shape);
  for (std::int64_t i = 0; i < t.size(); ++i) t.set_f64(i, d(rng) / 64.0);
  return t;
}

/// M[k] = V[k] · U[k] for every position k: [α²][T][C] by [α²][C][OC].
Tensor batched_products(const Tensor& v, const Tensor& u) {
  const std::int64_t a2 = v.shape()[0], t = v.shape()[1], c = v.shape()[2], oc = u.shape()[2];
  Tensor m(DType::fp32, {a2, t, oc});
  for (std::int64_t k = 0; k < a2; ++k) {
    Tensor vk(DType::fp32, {t, c}), uk(DType::fp32, {c, oc});
    std::copy_n(v.data<float>() + k * t * c, t * c, vk.data<float>());
    std::copy_n(u.data<float>() + k * c * oc, c * oc, uk.data<float>());
    const Tensor mk = golden::gemm(vk, uk, DType::fp32);
    std::copy_n(mk.data<float>(), t * oc, m.data<float>() + k * t * oc);
  }
  return m;
}

/// max |a - b| over max(1, max |b|).
double relative_error(const Tensor& a, const Tensor& b) {
  REQUIRE(a.shape() == b.shape());
  double err = 0, scale = 1;
  for (std::int64_t i = 0; i < a.size(); ++i) {
    err = std::max(err, std::fabs(a.get_f64(i) - b.get_f64(i)));
    scale = std::max(scale, std::fabs(b.get_f64(i)));
  }
  return err / scale;
}
}  // namespace

TEST_CASE("winograd stages: filter, input, α² products and output give the direct convolution", "[unit][winograd]") {
  std::mt19937 rng(41);
  std::uniform_int_distribution<int> n_d(1, 2), c_d(1, 6), hw_d(3, 13), pad_d(0, 2);
  int cases = 0, cropped = 0;
  for (int m : {2, 4})
    for (int trial = 0; trial < 60; ++trial) {
      ir::Conv2dParams p;
      p.n = n_d(rng), p.c = c_d(rng), p.out_channels = c_d(rng), p.h = hw_d(rng), p.w = hw_d(rng);
      p.kernel_h = p.kernel_w = 3;
      p.pad_top = pad_d(rng), p.pad_bottom = pad_d(rng), p.pad_left = pad_d(rng), p.pad_right = pad_d(rng);
      if (p.out_h() < 1 || p.out_w() < 1) continue;
      const Tensor x = grid({p.n, p.c, p.h, p.w}, rng), w = grid({p.out_channels, p.c, 3, 3}, rng);
      ir::WinogradAttrs a;
      a.m = m, a.pad_top = p.pad_top, a.pad_left = p.pad_left, a.out_h = p.out_h(), a.out_w = p.out_w();
      INFO("m " << m << " N" << p.n << " C" << p.c << " OC" << p.out_channels << " " << p.h << "x" << p.w << " pads "
                << p.pad_top << p.pad_bottom << p.pad_left << p.pad_right);
      const Tensor direct = golden::conv2d_direct(x, w, p, DType::fp32);
      // Golden stages: each output element summed in double, rounded once to fp32.
      const Tensor gu = golden::winograd_filter(w, a), gv = golden::winograd_input(x, a);
      const Tensor gy = golden::winograd_output(batched_products(gv, gu), a);
      CHECK(relative_error(gy, direct) < (m == 2 ? 1e-6 : 1e-5));
      // The unit's stages: two fp32 passes each, the coefficients in fp32.
      const auto unit = [&](ir::OpKind k, const Tensor& in, const ir::Shape& out) {
        return hw::vector_op_values(ir::make_op(k, "w", {"i"}, {"o"}, a), {&in}, {out, DType::fp32});
      };
      const Tensor uu = unit(ir::OpKind::winograd_filter, w, gu.shape());
      const Tensor uv = unit(ir::OpKind::winograd_input, x, gv.shape());
      CHECK(relative_error(uu, gu) < 1e-6);
      CHECK(relative_error(uv, gv) < 1e-6);
      const Tensor uy = unit(ir::OpKind::winograd_output, batched_products(uv, uu), direct.shape());
      CHECK(relative_error(uy, direct) < (m == 2 ? 1e-6 : 1e-5));
      ++cases;
      if (p.out_h() % m || p.out_w() % m) ++cropped;
    }
  CHECK(cases > 100);
  CHECK(cropped > 30);  // edge tiles computed and cropped
}

TEST_CASE("winograd stages: shapes, and the refusals of infer_output", "[unit][winograd]") {
  ir::WinogradAttrs a;
  a.m = 4, a.pad_top = 1, a.pad_left = 1, a.out_h = 7, a.out_w = 9;  // 2 x 3 tiles of 4x4
  const auto infer = [&](ir::OpKind k, const ir::Shape& s) {
    return ir::infer_output(ir::make_op(k, "w", {"i"}, {"o"}, a), {{s, DType::fp32}}, DType::fp32).shape;
  };
  CHECK(infer(ir::OpKind::winograd_filter, {16, 8, 3, 3}) == ir::Shape{36, 8, 16});
  CHECK(infer(ir::OpKind::winograd_input, {2, 8, 7, 9}) == ir::Shape{36, 12, 8});  // 2 images x 6 tiles
  CHECK(infer(ir::OpKind::winograd_output, {36, 12, 16}) == ir::Shape{2, 16, 7, 9});
  CHECK_THROWS_WITH(infer(ir::OpKind::winograd_filter, {16, 8, 5, 5}), "W [16, 8, 5, 5] is not [OC, C, 3, 3]");
  CHECK_THROWS_WITH(infer(ir::OpKind::winograd_output, {16, 12, 16}), "M [16, 12, 16] is not [36, N·6, OC]");
  a.m = 3;
  CHECK_THROWS_WITH(infer(ir::OpKind::winograd_input, {2, 8, 7, 9}), "m is 3; F(m×m, 3×3) takes m = 2 or 4");
}

TEST_CASE("winograd stages: the unit's instructions per transformed tile", "[unit][winograd]") {
  // Per tile, pass 1 (L·d) and pass 2 ((L·d)·Lᵀ) compute every row of L as a sum of its nonzero
  // terms: (q + p) · Σ_rows (nnz − 1) adds and (q + p) · (coefficients other than ±1) multiplies,
  // for L p×q on a q×q tile (docs/transforms.md).
  //   F(2x2, 3x3): Bᵀ rows have 2 nonzeros (±1): input 2·4 · 4 = 32 adds (Lavin and Gray's 32);
  //   Aᵀ rows 3, 3 (±1): output (4 + 2) · 4 = 24 adds (their 24); G rows 1, 3, 3, 1 with six ±1/2:
  //   filter (3 + 4) · 4 = 28 adds, 7 · 6 = 42 multiplies.
  //   F(4x4, 3x3): Bᵀ nnz 3, 4, 4, 4, 4, 3 and 12 coefficients of magnitude 2, 4 or 5: input
  //   12 · 16 = 192 adds, 12 · 12 = 144 multiplies; Aᵀ nnz 5, 4, 4, 5 with six of magnitude 2, 4
  //   or 8: output 10 · 14 = 140 adds, 10 · 6 = 60 multiplies; G nnz 1, 3, 3, 3, 3, 1 with 13
  //   coefficients not ±1: filter 9 · 8 = 72 adds, 9 · 13 = 117 multiplies.
  struct Want {
    int m;
    ir::OpKind kind;
    std::int64_t alu, mul;
  };
  const Want wants[] = {{2, ir::OpKind::winograd_input, 32, 0},    {2, ir::OpKind::winograd_output, 24, 0},
                        {2, ir::OpKind::winograd_filter, 28, 42},  {4, ir::OpKind::winograd_input, 192, 144},
                        {4, ir::OpKind::winograd_output, 140, 60}, {4, ir::OpKind::winograd_filter, 72, 117}};
  for (const Want& w : wants) {
    ir::WinogradAttrs a;
    a.m = w.m, a.out_h = 8, a.out_w = 8;
    const std::int64_t alpha = w.m + 2, tiles = 64 / (w.m * w.m);
    const ir::Op op = ir::make_op(w.kind, "w", {"i"}, {"o"}, a);
    ir::Shape in, out;
    if (w.kind == ir::OpKind::winograd_filter) in = {5, 3, 3, 3}, out = {alpha * alpha, 3, 5};
    if (w.kind == ir::OpKind::winograd_input) in = {1, 3, 8, 8}, out = {alpha * alpha, tiles, 3};
    if (w.kind == ir::OpKind::winograd_output) in = {alpha * alpha, tiles, 5}, out = {1, 5, 8, 8};
    const plan::VectorOpCost c = plan::vector_op_cost(op, {{in, DType::fp32}}, {out, DType::fp32});
    INFO(ir::op_kind_name(w.kind) << " m " << w.m);
    CHECK(std::count(c.per_element.begin(), c.per_element.end(), plan::PostOp::alu) == w.alu);
    CHECK(std::count(c.per_element.begin(), c.per_element.end(), plan::PostOp::mul) == w.mul);
    CHECK(c.per_element.size() == static_cast<std::size_t>(w.alu + w.mul));
    // Units: a filter per (c, oc), an input tile per channel, an output tile per channel.
    CHECK(c.units == (w.kind == ir::OpKind::winograd_filter  ? 15
                      : w.kind == ir::OpKind::winograd_input ? tiles * 3
                                                             : tiles * 5));
  }
}
