/// Winograd F(2x2, 3x3) and F(4x4, 3x3) in exact integer arithmetic (sim/lower/winograd.hpp):
/// the transform matrices against their defining property, the convolution against the direct
/// golden convolution on random shapes, and the multiplication counts (docs/transforms.md).
#include <catch2/catch.hpp>

#include <random>

#include "models/golden/golden.hpp"
#include "sim/lower/winograd.hpp"

using namespace arraysim;

TEST_CASE("winograd: the scaled matrices compute s times the 1-D correlation of F(m, 3)", "[winograd]") {
  // F(m, 3): y_i = Σ_j d_{i+j} g_j for i < m from α = m + 2 inputs; with G' = s·G,
  // Aᵀ [(G' g) ⊙ (Bᵀ d)] = s·y exactly.
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> val(-128, 127);
  for (int m : {2, 4}) {
    const lower::WinogradMatrices& t = lower::winograd_matrices(m);
    REQUIRE(t.alpha == m + 2);
    CHECK(t.g_scale == (m == 2 ? 2 : 24));
    for (int trial = 0; trial < 1000; ++trial) {
      std::vector<std::int64_t> d(static_cast<std::size_t>(t.alpha)), g(3);
      for (auto& e : d) e = val(rng);
      for (auto& e : g) e = val(rng);
      for (int i = 0; i < m; ++i) {
        std::int64_t direct = 0;
        for (int j = 0; j < 3; ++j) direct += d[static_cast<std::size_t>(i + j)] * g[static_cast<std::size_t>(j)];
        std::int64_t fast = 0;
        for (int xi = 0; xi < t.alpha; ++xi) {
          std::int64_t gg = 0, bd = 0;
          for (int j = 0; j < 3; ++j) gg += t.g[static_cast<std::size_t>(xi * 3 + j)] * g[static_cast<std::size_t>(j)];
          for (int j = 0; j < t.alpha; ++j)
            bd += t.bt[static_cast<std::size_t>(xi * t.alpha + j)] * d[static_cast<std::size_t>(j)];
          fast += t.at[static_cast<std::size_t>(i * t.alpha + xi)] * gg * bd;
        }
        INFO("m " << m << " trial " << trial << " output " << i);
        REQUIRE(fast == t.g_scale * direct);
      }
    }
  }
}

TEST_CASE("winograd: int8 convolutions equal the direct golden convolution on 100 random shapes each", "[winograd]") {
  std::mt19937 rng(11);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  for (int m : {2, 4}) {
    for (int trial = 0; trial < 100; ++trial) {
      ir::Conv2dParams p;
      p.n = pick(1, 2);
      p.groups = pick(1, 3);
      p.c = p.groups * pick(1, 4);
      p.out_channels = p.groups * pick(1, 4);
      p.kernel_h = p.kernel_w = 3;
      p.pad_top = pick(0, 2), p.pad_bottom = pick(0, 2), p.pad_left = pick(0, 2), p.pad_right = pick(0, 2);
      p.h = pick(3 - p.pad_top - p.pad_bottom > 1 ? 3 - p.pad_top - p.pad_bottom : 1, 11);
      p.w = pick(3 - p.pad_left - p.pad_right > 1 ? 3 - p.pad_left - p.pad_right : 1, 11);
      ir::Layer l;
      l.kind = ir::LayerKind::conv2d;
      l.conv = p;
      INFO("m " << m << " trial " << trial << ": N " << p.n << " C " << p.c << " OC " << p.out_channels << " groups "
                << p.groups << " H " << p.h << " W " << p.w << " pads " << p.pad_top << p.pad_bottom << p.pad_left
                << p.pad_right);
      REQUIRE(ir::validate(l).empty());
      REQUIRE(lower::winograd_applies(p));
      ir::Tensor x(ir::DType::int8, ir::input_shape(l)), w(ir::DType::int8, ir::weight_shape(l));
      ir::fill_random(x, 100 + static_cast<std::uint64_t>(trial), 0);
      ir::fill_random(w, 100 + static_cast<std::uint64_t>(trial), 1);
      const ir::Tensor direct = golden::conv2d_direct(x, w, p, ir::DType::int32);
      const ir::Tensor fast = lower::winograd_conv2d(x, w, p, m, ir::DType::int32);
      REQUIRE(fast.shape() == direct.shape());
      for (std::int64_t i = 0; i < direct.size(); ++i) REQUIRE(fast.get_i64(i) == direct.get_i64(i));
    }
  }
}

TEST_CASE("winograd: multiplication counts", "[winograd]") {
  // N 1, C 16, OC 32, 8x8 input, padding 1: P = Q = 8; direct 8·8·32·16·9 = 294,912 MACs.
  ir::Conv2dParams p;
  p.c = 16, p.out_channels = 32, p.h = p.w = 8, p.kernel_h = p.kernel_w = 3;
  p.pad_top = p.pad_bottom = p.pad_left = p.pad_right = 1;
  const lower::WinogradCounts f2 = lower::winograd_counts(p, 2);
  // F(2x2, 3x3): 4·4 = 16 tiles, 16 multiplications per tile and channel pair: 16·16·16·32 =
  // 131,072 = 16/36 of the direct 294,912 (2.25x fewer).
  CHECK(f2.tiles == 16);
  CHECK(f2.batch == 16);
  CHECK(f2.direct_macs == 294912);
  CHECK(f2.multiplications == 131072);
  CHECK(f2.multiplications * 36 == f2.direct_macs * 16);
  CHECK(f2.gemm.m == 16);
  CHECK(f2.gemm.k == 16);
  CHECK(f2.gemm.n == 32);
  // F(4x4, 3x3): 2·2 = 4 tiles, 36 each: 36·4·16·32 = 73,728 = 36/144 of direct (4x fewer).
  const lower::WinogradCounts f4 = lower::winograd_counts(p, 4);
  CHECK(f4.tiles == 4);
  CHECK(f4.multiplications == 73728);
  CHECK(f4.multiplications * 144 == f4.direct_macs * 36);
  // Edge tiles: a 7x7 output still needs ⌈7/4⌉² = 4 tiles: 73,728 against 7·7·32·16·9 = 225,792.
  p.h = p.w = 7;
  const lower::WinogradCounts e4 = lower::winograd_counts(p, 4);
  CHECK(e4.tiles == 4);
  CHECK(e4.multiplications == 73728);
  CHECK(e4.direct_macs == 225792);
  // Groups: depthwise C = OC = 16, groups 16: per group k = 1, n = 1.
  p.h = p.w = 8, p.out_channels = 16, p.groups = 16;
  const lower::WinogradCounts dw = lower::winograd_counts(p, 2);
  CHECK(dw.gemm.groups == 16);
  CHECK(dw.gemm.k == 1);
  CHECK(dw.gemm.n == 1);
  CHECK(dw.multiplications == 16 * 16 * 16);  // α² · tiles · groups
}

TEST_CASE("winograd: what it cannot serve is refused", "[winograd]") {
  ir::Conv2dParams p;
  p.c = 2, p.out_channels = 2, p.h = p.w = 8, p.kernel_h = p.kernel_w = 3;
  CHECK(lower::winograd_applies(p));
  p.stride_h = 2;
  CHECK_FALSE(lower::winograd_applies(p));
  p.stride_h = 1, p.dilation_w = 2;
  CHECK_FALSE(lower::winograd_applies(p));
  p.dilation_w = 1, p.kernel_h = p.kernel_w = 5;
  CHECK_FALSE(lower::winograd_applies(p));
  ir::Tensor x(ir::DType::int8, {1, 2, 8, 8}), w(ir::DType::int8, {2, 2, 5, 5});
  CHECK_THROWS_WITH(lower::winograd_conv2d(x, w, p, 2, ir::DType::int32),
                    "winograd: needs a 3x3 kernel, stride 1 and dilation 1");
  CHECK_THROWS_WITH(lower::winograd_matrices(3), "winograd: F(3x3, 3x3) is not provided (m is 2 or 4)");
  p.kernel_h = p.kernel_w = 3;
  ir::Tensor xf(ir::DType::fp32, {1, 2, 8, 8}), wf(ir::DType::fp32, {2, 2, 3, 3});
  CHECK_THROWS_WITH(lower::winograd_conv2d(xf, wf, p, 2, ir::DType::fp32),
                    "winograd: integer operands and accumulators only");
}
