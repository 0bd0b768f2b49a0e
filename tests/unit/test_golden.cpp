/// The golden model on hand-computed cases: kernel orientation, groups, dilation, integer widths
/// and wrap-around, the fp32 summation order, and seeded data.
#include <catch2/catch.hpp>

#include <cmath>

#include "models/golden/golden.hpp"
#include "tests/tensor_support.hpp"

using namespace arraysim;
using ir::DType;
using ir::Tensor;

namespace {
Tensor make(DType t, ir::Shape s, std::initializer_list<double> v) { return test::make_tensor(t, std::move(s), v); }
}  // namespace

TEST_CASE("golden conv: asymmetric 2x2 kernel, stride 1, no padding", "[unit][golden]") {
  // X = [[1 2 3] [4 5 6] [7 8 9]], W = [[1 10] [100 1000]] (not symmetric: a flipped kernel fails).
  // Y[0][0] = 1*1 + 2*10 + 4*100 + 5*1000 = 5421; Y[0][1] = 2 + 30 + 500 + 6000 = 6532;
  // Y[1][0] = 4 + 50 + 700 + 8000 = 8754;        Y[1][1] = 5 + 60 + 800 + 9000 = 9865.
  ir::Conv2dParams p;
  p.c = 1, p.h = 3, p.w = 3, p.out_channels = 1, p.kernel_h = 2, p.kernel_w = 2;
  const Tensor x = make(DType::int16, {1, 1, 3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  const Tensor w = make(DType::int16, {1, 1, 2, 2}, {1, 10, 100, 1000});
  const Tensor y = golden::conv2d_direct(x, w, p, DType::int64);
  REQUIRE(y.shape() == ir::Shape{1, 1, 2, 2});
  CHECK(y.get_i64(0) == 5421);
  CHECK(y.get_i64(1) == 6532);
  CHECK(y.get_i64(2) == 8754);
  CHECK(y.get_i64(3) == 9865);
}

TEST_CASE("golden conv: padding, stride 2, dilation 2 and groups", "[unit][golden]") {
  // 2 channels, groups 2 (depthwise), 4x4 input X_c[h][w] = 16c + 4h + w, 2x2 kernel of ones,
  // dilation 2, stride 2, padding top 1 left 1 bottom 0 right 0.
  // Output P = floor((4 + 1 - 2*(2-1) - 1)/2) + 1 = 2, Q = 2.
  // Tap rows for p: ih = 2p - 1 + 2r, r in {0,1}: p=0 -> {-1, 1}, p=1 -> {1, 3}; same for columns.
  // Y_c[0][0] = X[1][1] = 5 + 16c; Y_c[0][1] = X[1][1] + X[1][3] = 5 + 7 + 32c;
  // Y_c[1][0] = X[1][1] + X[3][1] = 5 + 13 + 32c; Y_c[1][1] = X[1][1]+X[1][3]+X[3][1]+X[3][3] = 5+7+13+15 + 64c.
  ir::Conv2dParams p;
  p.c = 2, p.h = 4, p.w = 4, p.out_channels = 2, p.kernel_h = 2, p.kernel_w = 2, p.groups = 2;
  p.stride_h = p.stride_w = 2, p.dilation_h = p.dilation_w = 2, p.pad_top = 1, p.pad_left = 1;
  Tensor x(DType::int8, {1, 2, 4, 4});
  for (std::int64_t c = 0; c < 2; ++c)
    for (std::int64_t i = 0; i < 16; ++i) x.set_i64(c * 16 + i, 16 * c + i);
  Tensor w(DType::int8, {2, 1, 2, 2});
  for (std::int64_t i = 0; i < 8; ++i) w.set_i64(i, 1);
  const Tensor y = golden::conv2d_direct(x, w, p, DType::int32);
  REQUIRE(y.shape() == ir::Shape{1, 2, 2, 2});
  const std::int64_t expect[] = {5, 12, 18, 40, 21, 44, 50, 104};
  for (int i = 0; i < 8; ++i) CHECK(y.get_i64(i) == expect[i]);
}

TEST_CASE("golden gemm: int8 extremes exact in int32, int16 exact in int64", "[unit][golden]") {
  // K = 4 products of -128 * -128 = 16384 each: 65536 (fits int32 exactly).
  const Tensor a = make(DType::int8, {1, 4}, {-128, -128, -128, -128});
  const Tensor b = make(DType::int8, {4, 1}, {-128, -128, -128, -128});
  CHECK(golden::gemm(a, b, DType::int32).get_i64(0) == 65536);
  // int16: 3 * (-32768)^2 = 3221225472 > 2^31: needs the int64 accumulator.
  const Tensor a16 = make(DType::int16, {1, 3}, {-32768, -32768, -32768});
  const Tensor b16 = make(DType::int16, {3, 1}, {-32768, -32768, -32768});
  CHECK(golden::gemm(a16, b16, DType::int64).get_i64(0) == 3221225472LL);
  // The same sum in an int32 accumulator wraps modulo 2^32: 3221225472 - 4294967296 = -1073741824.
  CHECK(golden::gemm(a16, b16, DType::int32).get_i64(0) == -1073741824LL);
}

TEST_CASE("golden gemm: fp32 sums k in ascending order", "[unit][golden]") {
  // a = [2^24, 1, -2^24], b = ones. In order: (2^24 + 1) rounds to 2^24 in fp32, minus 2^24 = 0.
  // Any other order (e.g. 2^24 - 2^24 + 1) would give 1.
  const Tensor a = make(DType::fp32, {1, 3}, {16777216.0, 1.0, -16777216.0});
  const Tensor b = make(DType::fp32, {3, 1}, {1.0, 1.0, 1.0});
  CHECK(golden::gemm(a, b, DType::fp32).get_f64(0) == 0.0);
}

TEST_CASE("golden: shape mismatches are rejected", "[unit][golden]") {
  const Tensor a(DType::int8, {2, 3}), b(DType::int8, {4, 2});
  CHECK_THROWS_WITH(golden::gemm(a, b, DType::int32), "golden::gemm: shapes [2, 3] x [4, 2] do not chain");
  const Tensor f(DType::fp32, {3, 2});
  CHECK_THROWS_WITH(golden::gemm(a, f, DType::int32),
                    "golden: operands and accumulator must be all integer or all floating-point (fp32 accumulator)");
}

TEST_CASE("seeded tensors are deterministic, distinct per stream and within range", "[unit][golden]") {
  Tensor t1(DType::int8, {1000}), t2(DType::int8, {1000}), t3(DType::int8, {1000});
  ir::fill_random(t1, 42, 0);
  ir::fill_random(t2, 42, 0);
  ir::fill_random(t3, 42, 1);
  int same12 = 0, same13 = 0, neg = 0;
  for (std::int64_t i = 0; i < 1000; ++i) {
    same12 += t1.get_i64(i) == t2.get_i64(i);
    same13 += t1.get_i64(i) == t3.get_i64(i);
    neg += t1.get_i64(i) < 0;
  }
  CHECK(same12 == 1000);
  CHECK(same13 < 30);  // independent streams: ~1000/256 equal by chance
  CHECK(neg > 400);    // both signs of the int8 range occur
  CHECK(neg < 600);
  Tensor f(DType::fp32, {1000});
  ir::fill_random(f, 7, 3);
  for (std::int64_t i = 0; i < 1000; ++i) {
    const double v = f.get_f64(i);
    REQUIRE(v >= -1.0);
    REQUIRE(v < 1.0);
    REQUIRE(v * 4096 == std::floor(v * 4096));  // on the 2^-12 grid
  }
}
