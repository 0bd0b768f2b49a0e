/// im2col + GEMM equals DIRECT convolution on 300+ seeded random shapes.
#include <catch2/catch.hpp>

#include "models/golden/golden.hpp"
#include "sim/app/compare.hpp"
#include "sim/lower/im2col.hpp"

using namespace arraysim;

namespace {

/// Uniform integer in [lo, hi] from a hash stream.
struct Rng {
  std::uint64_t state;
  std::int64_t operator()(std::int64_t lo, std::int64_t hi) {
    state = ir::splitmix64(state);
    return lo + static_cast<std::int64_t>(state % static_cast<std::uint64_t>(hi - lo + 1));
  }
};

ir::Layer random_conv(Rng& rng, int i) {
  ir::Layer l;
  l.name = "conv" + std::to_string(i);
  l.kind = ir::LayerKind::conv2d;
  ir::Conv2dParams& c = l.conv;
  do {
    c.n = rng(1, 3);
    const int gmode = static_cast<int>(rng(0, 2));  // 0: groups 1, 1: grouped, 2: depthwise
    const std::int64_t g = gmode == 0 ? 1 : rng(2, 4);
    c.c = gmode == 2 ? g : g * rng(1, 3);
    c.groups = g;
    c.out_channels = g * rng(1, 3);
    const std::int64_t ks[] = {1, 1, 2, 3, 3, 5, 7};
    c.kernel_h = ks[rng(0, 6)];
    c.kernel_w = rng(0, 3) == 0 ? ks[rng(0, 6)] : c.kernel_h;
    c.stride_h = rng(1, 4);
    c.stride_w = rng(0, 2) == 0 ? rng(1, 4) : c.stride_h;
    c.dilation_h = rng(1, 3);
    c.dilation_w = rng(0, 2) == 0 ? rng(1, 3) : c.dilation_h;
    c.pad_top = rng(0, 3), c.pad_bottom = rng(0, 3), c.pad_left = rng(0, 3), c.pad_right = rng(0, 3);
    c.h = rng(1, 17);
    c.w = rng(1, 17);  // non-square inputs
  } while (!ir::validate(l).empty());
  return l;
}

/// Lowers every group to explicit im2col operands, multiplies with the golden GEMM, scatters back.
ir::Tensor conv_via_im2col(const ir::Layer& l, const ir::LayerOperands& ops, ir::DType acc) {
  lower::OperandMap map(l);
  ir::Tensor y(acc, ir::output_shape(l));
  for (std::int64_t g = 0; g < map.dims().groups; ++g) {
    const ir::Tensor a = lower::materialize_a(map, ops.input, g);
    const ir::Tensor b = lower::materialize_b(map, ops.weight, g);
    lower::scatter_c(map, golden::gemm(a, b, acc), g, y);
  }
  return y;
}

}  // namespace

TEST_CASE("im2col + GEMM equals direct convolution on 300 random int8 shapes", "[unit][lowering]") {
  Rng rng{12345};
  int depthwise = 0, strided = 0, dilated = 0, batched = 0, asym = 0, k1 = 0, k7 = 0, nonsquare = 0;
  for (int i = 0; i < 300; ++i) {
    const ir::Layer l = random_conv(rng, i);
    const ir::Conv2dParams& c = l.conv;
    depthwise += c.groups == c.c && c.groups > 1;
    strided += c.stride_h > 1 || c.stride_w > 1;
    dilated += c.dilation_h > 1 || c.dilation_w > 1;
    batched += c.n > 1;
    asym += c.pad_top != c.pad_bottom || c.pad_left != c.pad_right;
    k1 += c.kernel_h == 1 && c.kernel_w == 1;
    k7 += c.kernel_h == 7 || c.kernel_w == 7;
    nonsquare += c.h != c.w;
    const ir::LayerOperands ops =
        ir::make_operands(l, static_cast<std::size_t>(i), 99, ir::DType::int8, ir::DType::int8);
    const ir::Tensor direct = golden::conv2d_direct(ops.input, ops.weight, c, ir::DType::int32);
    const ir::Tensor lowered = conv_via_im2col(l, ops, ir::DType::int32);
    INFO("shape " << i << ": N" << c.n << " C" << c.c << " H" << c.h << " W" << c.w << " OC" << c.out_channels << " k"
                  << c.kernel_h << "x" << c.kernel_w << " s" << c.stride_h << "," << c.stride_w << " d" << c.dilation_h
                  << "," << c.dilation_w << " g" << c.groups);
    const auto mm = app::compare_outputs("y", direct, lowered, nullptr, 1);
    REQUIRE(mm.empty());
  }
  // The generator must really cover every feature the issue names.
  CHECK(depthwise > 10);
  CHECK(strided > 100);
  CHECK(dilated > 100);
  CHECK(batched > 100);
  CHECK(asym > 100);
  CHECK(k1 > 10);
  CHECK(k7 > 10);
  CHECK(nonsquare > 100);
}

TEST_CASE("im2col + GEMM equals direct convolution for int16 and fp32", "[unit][lowering]") {
  Rng rng{777};
  for (int i = 0; i < 40; ++i) {
    const ir::Layer l = random_conv(rng, i);
    for (auto [in, acc] :
         {std::pair{ir::DType::int16, ir::DType::int64}, std::pair{ir::DType::fp32, ir::DType::fp32}}) {
      const ir::LayerOperands ops = ir::make_operands(l, static_cast<std::size_t>(i), 5, in, in);
      const ir::Tensor direct = golden::conv2d_direct(ops.input, ops.weight, l.conv, acc);
      const ir::Tensor lowered = conv_via_im2col(l, ops, acc);
      // fp32 too is exact here: the GEMM view sums k = (c, r, s) in the direct loop's order and
      // padding taps add an exact 0.
      REQUIRE(app::compare_outputs("y", direct, lowered, nullptr, 1).empty());
    }
  }
}

TEST_CASE("im2col index map marks padding taps and matches hand-computed offsets", "[unit][lowering]") {
  // 1x1x4x4 input, 3x3 kernel, stride 1, padding 1: output 4x4, M = 16, K = 9.
  ir::Layer l;
  l.kind = ir::LayerKind::conv2d;
  l.conv.c = 1, l.conv.h = 4, l.conv.w = 4, l.conv.out_channels = 2, l.conv.kernel_h = 3, l.conv.kernel_w = 3;
  l.conv.pad_top = l.conv.pad_bottom = l.conv.pad_left = l.conv.pad_right = 1;
  lower::OperandMap map(l);
  CHECK(map.dims().m == 16);
  CHECK(map.dims().k == 9);
  CHECK(map.dims().n == 2);
  CHECK(map.a_offset(0, 0, 0) == -1);  // output (0,0), tap (r=0,s=0) reads input (-1,-1): padding
  CHECK(map.a_offset(0, 0, 4) == 0);   // tap (1,1) reads input (0,0)
  CHECK(map.a_offset(0, 5, 8) == 10);  // output (1,1), tap (2,2) reads input (2,2) = 2*4+2
  CHECK(map.b_offset(0, 4, 1) == 13);  // weight [oc=1][c=0][r=1][s=1] = 1*9 + 4
  CHECK(map.c_offset(0, 5, 1) == 21);  // output [n=0][oc=1][p=1][q=1] = 16 + 5
}

TEST_CASE("for_each_a_offset visits a_offset's offsets of a block in column order on 300 random convolutions",
          "[unit][lowering]") {
  // a_offset is the definition (checked against the direct convolution above); the block walk
  // must name the same offsets, padding skipped, k outer and m inner, for blocks that start and
  // end mid output row and span batches.
  Rng rng{4242};
  std::int64_t visited = 0;
  for (int i = 0; i < 300; ++i) {
    const ir::Layer l = random_conv(rng, i);
    lower::OperandMap map(l);
    const ir::GemmDims& d = map.dims();
    for (int b = 0; b < 4; ++b) {
      const std::int64_t g = rng(0, d.groups - 1);
      const std::int64_t m0 = rng(0, d.m - 1), ml = rng(1, d.m - m0);
      const std::int64_t k0 = rng(0, d.k - 1), kl = rng(1, d.k - k0);
      std::vector<std::int64_t> want, got;
      for (std::int64_t k = k0; k < k0 + kl; ++k)
        for (std::int64_t m = m0; m < m0 + ml; ++m)
          if (const std::int64_t off = map.a_offset(g, m, k); off >= 0) want.push_back(off);
      map.for_each_a_offset(g, m0, ml, k0, kl, [&](std::int64_t off) { got.push_back(off); });
      INFO("shape " << i << " block g" << g << " m" << m0 << "+" << ml << " k" << k0 << "+" << kl);
      REQUIRE(got == want);
      visited += static_cast<std::int64_t>(got.size());
    }
  }
  CHECK(visited > 10000);  // the blocks are not all padding
}
