/// The golden non-GEMM operators (models/golden/ops.hpp) on hand-derived cases, the derivation
/// beside each number. They cover what the ONNX node tests do not pin down: rounding ties, the
/// ceil_mode window rule, the divisor of padded averages, SiLU and Gelu (no node test in
/// libonnx-testdata 1.12), integer wrap-around and saturation.
///
/// fp32 expectations are the exact real value rounded to fp32 (static_cast<float> of a double
/// written to 16+ digits): the golden model computes in double and rounds once, so it must hit
/// that float exactly. Where an input is itself rounded (ln 2 as fp32), a 2-ulp margin is stated.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <stdexcept>

#include "models/golden/ops.hpp"

using namespace arraysim;
using golden::QType;
using ir::DType;
using ir::Tensor;

namespace {

Tensor make(DType t, ir::Shape s, std::initializer_list<double> v) {
  Tensor x(t, std::move(s));
  REQUIRE(static_cast<std::int64_t>(v.size()) == x.size());
  std::int64_t i = 0;
  for (double e : v) x.set_f64(i++, e);
  return x;
}

Tensor f32(ir::Shape s, std::initializer_list<double> v) { return make(DType::fp32, std::move(s), v); }

/// Element i of an fp32 tensor.
float at(const Tensor& t, std::int64_t i) { return t.data<float>()[i]; }

}  // namespace

// ---- pooling ----------------------------------------------------------------------------------

TEST_CASE("golden max_pool: 2x2 stride 2 on a 4x4 input, with row- and column-major indices", "[unit][golden]") {
  // X[h][w] = 4h + w:  0  1  2  3 /  4  5  6  7 /  8  9 10 11 / 12 13 14 15.
  // Windows (rows 0-1, cols 0-1) -> max 5; (0-1, 2-3) -> 7; (2-3, 0-1) -> 13; (2-3, 2-3) -> 15.
  Tensor x(DType::fp32, {1, 1, 4, 4});
  for (int i = 0; i < 16; ++i) x.data<float>()[i] = static_cast<float>(i);
  golden::PoolParams p;
  p.kernel = {2, 2};
  p.strides = {2, 2};
  Tensor idx;
  const Tensor y = golden::max_pool(x, p, &idx);
  REQUIRE(y.shape() == ir::Shape{1, 1, 2, 2});
  CHECK(at(y, 0) == 5);
  CHECK(at(y, 1) == 7);
  CHECK(at(y, 2) == 13);
  CHECK(at(y, 3) == 15);
  // Row-major index h·4 + w of each maximum is its value.
  CHECK(idx.get_i64(0) == 5);
  CHECK(idx.get_i64(1) == 7);
  CHECK(idx.get_i64(2) == 13);
  CHECK(idx.get_i64(3) == 15);
  // Column-major (storage_order 1): w·4 + h. 5 = (h1, w1) -> 5; 7 = (h1, w3) -> 13; 13 = (h3, w1) -> 7.
  golden::max_pool(x, p, &idx, true);
  CHECK(idx.get_i64(0) == 5);
  CHECK(idx.get_i64(1) == 13);
  CHECK(idx.get_i64(2) == 7);
  CHECK(idx.get_i64(3) == 15);
}

TEST_CASE("golden max_pool: integer dtypes, padding never wins over negative values", "[unit][golden]") {
  // X = [-5 -3 -9] int8, kernel 2, stride 1, pads 1 and 1 -> windows [pad,-5] [-5,-3] [-3,-9] [-9,pad].
  // A padded position reading 0 would give 0 at both ends; it must give -5 and -9.
  const Tensor x = make(DType::int8, {1, 1, 3}, {-5, -3, -9});
  golden::PoolParams p;
  p.kernel = {2};
  p.pads = {1, 1};
  const Tensor y = golden::max_pool(x, p);
  REQUIRE(y.shape() == ir::Shape{1, 1, 4});
  CHECK(y.get_i64(0) == -5);
  CHECK(y.get_i64(1) == -3);
  CHECK(y.get_i64(2) == -3);
  CHECK(y.get_i64(3) == -9);
}

TEST_CASE("golden average_pool: count_include_pad at a padded corner", "[unit][golden]") {
  // X = 1..9 in 3x3, kernel 3x3, stride 1, pads 1 all round -> 3x3 output.
  // Corner (0,0): the window covers rows -1..1, cols -1..1; inside X: 1 2 / 4 5, sum 12.
  //   count_include_pad 0: 12 / 4 = 3.   count_include_pad 1: 12 / 9 = 4/3.
  // Centre (1,1): all of X, 45 / 9 = 5 either way.
  // Edge (0,1): rows -1..1, cols 0..2 -> 1 2 3 / 4 5 6 = 21; 21 / 6 = 3.5, or 21 / 9 = 7/3.
  const Tensor x = f32({1, 1, 3, 3}, {1, 2, 3, 4, 5, 6, 7, 8, 9});
  golden::PoolParams p;
  p.kernel = {3, 3};
  p.pads = {1, 1, 1, 1};
  const Tensor excl = golden::average_pool(x, p);
  p.count_include_pad = true;
  const Tensor incl = golden::average_pool(x, p);
  REQUIRE(excl.shape() == ir::Shape{1, 1, 3, 3});
  CHECK(at(excl, 0) == 3.0f);
  CHECK(at(incl, 0) == static_cast<float>(12.0 / 9.0));
  CHECK(at(excl, 4) == 5.0f);
  CHECK(at(incl, 4) == 5.0f);
  CHECK(at(excl, 1) == 3.5f);
  CHECK(at(incl, 1) == static_cast<float>(21.0 / 9.0));
}

TEST_CASE("golden pools: ceil_mode adds a partial window, never one that starts in the end padding", "[unit][golden]") {
  // X = [1 2 3 4 5], kernel 2, stride 2, no pads. floor: (5-2)/2 + 1 = 2 windows; ceil: ceil(3/2) + 1 = 3,
  // the last one [5, beyond] holding only X[4] = 5. Its average is 5 / 1 even with count_include_pad:
  // positions beyond the end padding never count.
  const Tensor x = f32({1, 1, 5}, {1, 2, 3, 4, 5});
  golden::PoolParams p;
  p.kernel = {2};
  p.strides = {2};
  CHECK(golden::max_pool(x, p).shape() == ir::Shape{1, 1, 2});
  p.ceil_mode = true;
  const Tensor mx = golden::max_pool(x, p);
  REQUIRE(mx.shape() == ir::Shape{1, 1, 3});
  CHECK(at(mx, 0) == 2);
  CHECK(at(mx, 1) == 4);
  CHECK(at(mx, 2) == 5);
  p.count_include_pad = true;
  const Tensor av = golden::average_pool(x, p);
  CHECK(at(av, 0) == 1.5f);  // (1 + 2) / 2
  CHECK(at(av, 1) == 3.5f);  // (3 + 4) / 2
  CHECK(at(av, 2) == 5.0f);  // 5 / 1

  // X = [3 7], kernel 2, stride 2, end pad 1: ceil((2 + 1 - 2) / 2) + 1 = 2 windows, but the second
  // would start at 2 = in + pad_begin, inside the end padding only: dropped, one window, max 7.
  const Tensor x2 = f32({1, 1, 2}, {3, 7});
  golden::PoolParams q;
  q.kernel = {2};
  q.strides = {2};
  q.pads = {0, 1};
  q.ceil_mode = true;
  const Tensor y2 = golden::max_pool(x2, q);
  REQUIRE(y2.shape() == ir::Shape{1, 1, 1});
  CHECK(at(y2, 0) == 7);
}

TEST_CASE("golden pools: SAME_UPPER pads at the end, SAME_LOWER at the beginning", "[unit][golden]") {
  // in 4, kernel 2, stride 1: out = ceil(4/1) = 4, total pad = (4-1)·1 + 2 - 4 = 1.
  // X = [1 5 2 4]. SAME_UPPER (pad end): [1 5] [5 2] [2 4] [4 pad] -> 5 5 4 4.
  //                SAME_LOWER (pad begin): [pad 1] [1 5] [5 2] [2 4] -> 1 5 5 4.
  const Tensor x = f32({1, 1, 4}, {1, 5, 2, 4});
  golden::PoolParams p;
  p.kernel = {2};
  p.auto_pad = golden::AutoPad::same_upper;
  const Tensor up = golden::max_pool(x, p);
  p.auto_pad = golden::AutoPad::same_lower;
  const Tensor lo = golden::max_pool(x, p);
  REQUIRE(up.shape() == ir::Shape{1, 1, 4});
  CHECK((at(up, 0) == 5 && at(up, 1) == 5 && at(up, 2) == 4 && at(up, 3) == 4));
  CHECK((at(lo, 0) == 1 && at(lo, 1) == 5 && at(lo, 2) == 5 && at(lo, 3) == 4));
}

TEST_CASE("golden global pools: mean and max over all spatial positions", "[unit][golden]") {
  // Channel 0 = [1 2 3 4] -> mean 2.5, max 4; channel 1 = [-1 -2 -3 -6] -> mean -3, max -1.
  const Tensor x = f32({1, 2, 2, 2}, {1, 2, 3, 4, -1, -2, -3, -6});
  const Tensor avg = golden::global_average_pool(x), mx = golden::global_max_pool(x);
  REQUIRE(avg.shape() == ir::Shape{1, 2, 1, 1});
  CHECK(at(avg, 0) == 2.5f);
  CHECK(at(avg, 1) == -3.0f);
  CHECK(at(mx, 0) == 4.0f);
  CHECK(at(mx, 1) == -1.0f);
}

// ---- activations ------------------------------------------------------------------------------

TEST_CASE("golden activations: SiLU, Gelu, HardSwish, HardSigmoid, LeakyRelu, Sigmoid, Tanh values", "[unit][golden]") {
  const Tensor x = f32({4}, {1, -1, 0, 3});
  // SiLU(x) = x / (1 + e^-x): SiLU(1) = 1/(1 + e^-1) = 0.7310585786300049; SiLU(-1) = -1/(1 + e) =
  // -0.2689414213699951; SiLU(0) = 0; SiLU(3) = 3/(1 + e^-3) = 2.8577223804673.
  const Tensor s = golden::silu(x);
  CHECK(at(s, 0) == static_cast<float>(0.7310585786300049));
  CHECK(at(s, 1) == static_cast<float>(-0.2689414213699951));
  CHECK(at(s, 2) == 0.0f);
  CHECK(at(s, 3) == static_cast<float>(3.0 / (1.0 + std::exp(-3.0))));
  // Gelu none: x/2 · (1 + erf(x/√2)); Φ(1) = 0.8413447460685429 so Gelu(1) = 0.8413447460685429,
  // Gelu(-1) = -(1 - Φ(1)) = -0.15865525393145707.
  const Tensor g = golden::gelu(x, golden::GeluApprox::none);
  CHECK(at(g, 0) == static_cast<float>(0.8413447460685429));
  CHECK(at(g, 1) == static_cast<float>(-0.15865525393145707));
  CHECK(at(g, 2) == 0.0f);
  // Gelu tanh: 1/2 · (1 + tanh(√(2/π) · 1.044715)) = 0.8411919906082768 (differs from erf's in
  // the 4th digit, so the two approximations cannot be confused).
  const Tensor gt = golden::gelu(x, golden::GeluApprox::tanh);
  CHECK(at(gt, 0) == static_cast<float>(0.8411919906082768));
  // HardSwish: x · clamp(x/6 + 1/2, 0, 1): 1 · 2/3; -1 · 1/3; 0; 3 · 1 = 3.
  const Tensor hs = golden::hard_swish(x);
  CHECK(at(hs, 0) == static_cast<float>(2.0 / 3.0));
  CHECK(at(hs, 1) == static_cast<float>(-1.0 / 3.0));
  CHECK(at(hs, 3) == 3.0f);
  // HardSigmoid defaults alpha 0.2, beta 0.5: 0.7, 0.3, 0.5, clamp(1.1) = 1.
  const Tensor hsg = golden::hard_sigmoid(x);
  CHECK(at(hsg, 0) == static_cast<float>(0.7));
  CHECK(at(hsg, 1) == static_cast<float>(0.3));
  CHECK(at(hsg, 2) == 0.5f);
  CHECK(at(hsg, 3) == 1.0f);
  // LeakyRelu alpha 0.1: -1 -> -0.1; positives unchanged.
  const Tensor lr = golden::leaky_relu(x, 0.1);
  CHECK(at(lr, 0) == 1.0f);
  CHECK(at(lr, 1) == static_cast<float>(-0.1));
  // Sigmoid(0) = 1/2; Tanh(1) = 0.7615941559557649.
  CHECK(at(golden::sigmoid(x), 2) == 0.5f);
  CHECK(at(golden::tanh(x), 0) == static_cast<float>(0.7615941559557649));
}

TEST_CASE("golden relu and clip on integers", "[unit][golden]") {
  const Tensor x = make(DType::int8, {4}, {-128, -1, 0, 127});
  const Tensor r = golden::relu(x);
  CHECK(r.dtype() == DType::int8);
  CHECK((r.get_i64(0) == 0 && r.get_i64(1) == 0 && r.get_i64(2) == 0 && r.get_i64(3) == 127));
  const Tensor c = golden::clip(x, -5, 5);
  CHECK((c.get_i64(0) == -5 && c.get_i64(1) == -1 && c.get_i64(2) == 0 && c.get_i64(3) == 5));
  // Only one bound: max = +inf keeps 127.
  const Tensor lo = golden::clip(x, -1, std::numeric_limits<double>::infinity());
  CHECK((lo.get_i64(0) == -1 && lo.get_i64(3) == 127));
  CHECK_THROWS_AS(golden::clip(x, -0.5, 1), std::invalid_argument);
}

// ---- element-wise arithmetic ------------------------------------------------------------------

TEST_CASE("golden add/sub/mul/div: numpy broadcasting", "[unit][golden]") {
  // [2,1] x [1,3] -> [2,3] outer product: [1 2]ᵀ · [10 20 30] = 10 20 30 / 20 40 60.
  const Tensor a = f32({2, 1}, {1, 2}), b = f32({1, 3}, {10, 20, 30});
  const Tensor m = golden::mul(a, b);
  REQUIRE(m.shape() == ir::Shape{2, 3});
  CHECK((at(m, 0) == 10 && at(m, 2) == 30 && at(m, 3) == 20 && at(m, 5) == 60));
  // [2,3] - [3]: row-wise, [[1 2 3] [4 5 6]] - [1 1 1] = [[0 1 2] [3 4 5]].
  const Tensor d = golden::sub(f32({2, 3}, {1, 2, 3, 4, 5, 6}), f32({3}, {1, 1, 1}));
  CHECK((at(d, 0) == 0 && at(d, 2) == 2 && at(d, 5) == 5));
  // A scalar (shape {}) broadcasts to anything: [1 2] / 4 = [0.25 0.5].
  const Tensor q = golden::div(f32({2}, {1, 2}), f32({}, {4}));
  CHECK((q.shape() == ir::Shape{2} && at(q, 0) == 0.25f && at(q, 1) == 0.5f));
  CHECK_THROWS_AS(golden::add(f32({2}, {1, 2}), f32({3}, {1, 2, 3})), std::invalid_argument);
}

TEST_CASE("golden integer arithmetic wraps to the element type; division truncates toward zero", "[unit][golden]") {
  // int8: 100 + 100 = 200 -> 200 - 256 = -56; -100 - 100 = -200 -> 56; 16 · 16 = 256 -> 0.
  const Tensor a = make(DType::int8, {3}, {100, -100, 16}), b = make(DType::int8, {3}, {100, 100, 16});
  CHECK(golden::add(a, b).get_i64(0) == -56);
  CHECK(golden::sub(a, b).get_i64(1) == 56);
  CHECK(golden::mul(a, b).get_i64(2) == 0);
  // -7 / 2 = -3.5 -> -3 (toward zero, not numpy's floor -4); 7 / -2 -> -3.
  const Tensor q = golden::div(make(DType::int32, {2}, {-7, 7}), make(DType::int32, {2}, {2, -2}));
  CHECK((q.get_i64(0) == -3 && q.get_i64(1) == -3));
  CHECK_THROWS_AS(golden::div(make(DType::int32, {1}, {1}), make(DType::int32, {1}, {0})), std::invalid_argument);
}

// ---- shape operators --------------------------------------------------------------------------

TEST_CASE("golden shape operators: concat, reshape, flatten, transpose, squeeze, unsqueeze", "[unit][golden]") {
  // concat along -1 of [2,1] [[1][2]] and [2,2] [[3 4][5 6]] -> [[1 3 4][2 5 6]].
  const Tensor c = golden::concat({f32({2, 1}, {1, 2}), f32({2, 2}, {3, 4, 5, 6})}, -1);
  REQUIRE(c.shape() == ir::Shape{2, 3});
  CHECK((at(c, 0) == 1 && at(c, 1) == 3 && at(c, 2) == 4 && at(c, 3) == 2 && at(c, 5) == 6));
  // reshape [2,3,4] to [0,-1]: 0 copies 2, -1 = 24/2 = 12.
  const Tensor x(DType::int8, {2, 3, 4});
  CHECK(golden::reshape(x, {0, -1}).shape() == ir::Shape{2, 12});
  // allowzero: [0,3] to [3,0] keeps the 0 as a dimension. Without allowzero the 0 at index 1 copies
  // X's dimension 1 (3): [3,3] cannot hold X's 0 elements.
  const Tensor e(DType::fp32, {0, 3});
  CHECK(golden::reshape(e, {3, 0}, true).shape() == ir::Shape{3, 0});
  CHECK_THROWS_AS(golden::reshape(e, {3, 0}, false), std::invalid_argument);
  // flatten [2,3,4] at axis -1 -> [6, 4]; at 0 -> [1, 24].
  CHECK(golden::flatten(x, -1).shape() == ir::Shape{6, 4});
  CHECK(golden::flatten(x, 0).shape() == ir::Shape{1, 24});
  // transpose [[1 2 3][4 5 6]] -> [[1 4][2 5][3 6]].
  const Tensor t = golden::transpose(f32({2, 3}, {1, 2, 3, 4, 5, 6}), {1, 0});
  REQUIRE(t.shape() == ir::Shape{3, 2});
  CHECK((at(t, 0) == 1 && at(t, 1) == 4 && at(t, 2) == 2 && at(t, 3) == 5 && at(t, 5) == 6));
  // squeeze [1,3,1,2]: all size-1 axes -> [3,2]; only axis -2 -> [1,3,2].
  const Tensor s(DType::fp32, {1, 3, 1, 2});
  CHECK(golden::squeeze(s).shape() == ir::Shape{3, 2});
  CHECK(golden::squeeze(s, {-2}).shape() == ir::Shape{1, 3, 2});
  CHECK_THROWS_AS(golden::squeeze(s, {1}), std::invalid_argument);
  // unsqueeze [3,2] at output axes {0, 3} -> [1,3,2,1].
  CHECK(golden::unsqueeze(f32({3, 2}, {1, 2, 3, 4, 5, 6}), {3, 0}).shape() == ir::Shape{1, 3, 2, 1});
}

// ---- normalizations ---------------------------------------------------------------------------

TEST_CASE("golden softmax: [0, ln 2, ln 3] gives [1/6, 2/6, 3/6]; large inputs do not overflow", "[unit][golden]") {
  // e^0 : e^ln2 : e^ln3 = 1 : 2 : 3, sum 6. ln 2 and ln 3 are rounded to fp32 in the input, which
  // moves the exact result by < 1e-7 relative: compared within 2e-7.
  const Tensor y = golden::softmax(f32({3}, {0, std::log(2.0), std::log(3.0)}), -1);
  CHECK(at(y, 0) == Approx(1.0 / 6).epsilon(2e-7));
  CHECK(at(y, 1) == Approx(2.0 / 6).epsilon(2e-7));
  CHECK(at(y, 2) == Approx(3.0 / 6).epsilon(2e-7));
  // Along axis 0 of [[1000 0] [1000 0]]: each column is two equal values -> 1/2 each, although
  // e^1000 overflows double (the max is subtracted first).
  const Tensor z = golden::softmax(f32({2, 2}, {1000, 0, 1000, 0}), 0);
  for (int i = 0; i < 4; ++i) CHECK(at(z, i) == 0.5f);
}

TEST_CASE("golden layer_norm: mean, inverse standard deviation, scale and bias", "[unit][golden]") {
  // X = [1 2 3 4]: mean 2.5, var = (2.25 + 0.25 + 0.25 + 2.25)/4 = 1.25, epsilon 0 -> inv = 1/√1.25 =
  // 0.8944271909999159. (X - mean)·inv = ∓1.5·inv = ∓1.3416407864998738, ∓0.5·inv = ∓0.4472135954999579.
  // scale 2, bias 1: Y = 2·that + 1 -> -1.6832815729997476, 0.1055728090000842, 1.894427190999916,
  // 3.6832815729997476.
  const Tensor x = f32({1, 4}, {1, 2, 3, 4});
  const Tensor one = f32({4}, {1, 1, 1, 1});
  const golden::LayerNormResult r = golden::layer_norm(x, one, nullptr, -1, 0.0);
  REQUIRE(r.mean.shape() == ir::Shape{1, 1});
  CHECK(at(r.mean, 0) == 2.5f);
  CHECK(at(r.inv_std_dev, 0) == static_cast<float>(0.8944271909999159));
  CHECK(at(r.y, 0) == static_cast<float>(-1.3416407864998738));
  CHECK(at(r.y, 1) == static_cast<float>(-0.4472135954999579));
  CHECK(at(r.y, 3) == static_cast<float>(1.3416407864998738));
  const Tensor two = f32({4}, {2, 2, 2, 2}), bias = f32({4}, {1, 1, 1, 1});
  const golden::LayerNormResult s = golden::layer_norm(x, two, &bias, -1, 0.0);
  CHECK(at(s.y, 0) == static_cast<float>(1 - 2 * 1.3416407864998738));
  CHECK(at(s.y, 2) == static_cast<float>(1 + 2 * 0.4472135954999579));
}

TEST_CASE("golden batch_norm: per-channel inference formula", "[unit][golden]") {
  // Channel 0: mean 1, var 4, eps 0, scale 3, bias 2: x = 5 -> (5-1)/2·3 + 2 = 8; x = 1 -> 2.
  // Channel 1: mean 0, var 1, scale 1, bias 0: identity, x = -7 -> -7.
  const Tensor x = f32({1, 2, 2}, {5, 1, -7, 0.5});
  const Tensor y = golden::batch_norm(x, f32({2}, {3, 1}), f32({2}, {2, 0}), f32({2}, {1, 0}), f32({2}, {4, 1}), 0.0);
  CHECK(at(y, 0) == 8.0f);
  CHECK(at(y, 1) == 2.0f);
  CHECK(at(y, 2) == -7.0f);
  CHECK(at(y, 3) == 0.5f);
}

// ---- quantization -----------------------------------------------------------------------------

TEST_CASE("golden round_half_even", "[unit][golden]") {
  CHECK(golden::round_half_even(2.5) == 2);
  CHECK(golden::round_half_even(3.5) == 4);
  CHECK(golden::round_half_even(-2.5) == -2);
  CHECK(golden::round_half_even(-3.5) == -4);
  CHECK(golden::round_half_even(2.4999) == 2);
  CHECK(golden::round_half_even(-0.5) == 0);
}

TEST_CASE("golden requantize: int32 accumulator to int8 / uint8", "[unit][golden]") {
  // 1000 · 0.05 = 50 -> round_half_even(50) - 3 = 47.
  CHECK(golden::requantize(1000, 0.05, -3, QType::int8) == 47);
  // Saturation: 10000 · 0.05 - 3 = 497 -> 127; -10000 · 0.05 - 3 = -503 -> -128.
  CHECK(golden::requantize(10000, 0.05, -3, QType::int8) == 127);
  CHECK(golden::requantize(-10000, 0.05, -3, QType::int8) == -128);
  // Ties to even: 5 · 0.5 = 2.5 -> 2; 7 · 0.5 = 3.5 -> 4; -5 · 0.5 = -2.5 -> -2.
  CHECK(golden::requantize(5, 0.5, 0, QType::int8) == 2);
  CHECK(golden::requantize(7, 0.5, 0, QType::int8) == 4);
  CHECK(golden::requantize(-5, 0.5, 0, QType::int8) == -2);
  // uint8 saturates at 0 and 255: -10 + 0 -> 0; 300 -> 255; 100 + 128 = 228.
  CHECK(golden::requantize(-10, 1.0, 0, QType::uint8) == 0);
  CHECK(golden::requantize(300, 1.0, 0, QType::uint8) == 255);
  CHECK(golden::requantize(100, 1.0, 128, QType::uint8) == 228);
  // Tensor form, per axis 1 of [1][2]: multipliers [0.5 0.25], zero points [1 -1]:
  // 9 · 0.5 = 4.5 -> 4, + 1 = 5; 10 · 0.25 = 2.5 -> 2, - 1 = 1.
  const Tensor acc = make(DType::int32, {1, 2}, {9, 10});
  const Tensor zp = make(DType::int8, {2}, {1, -1});
  const Tensor y = golden::requantize(acc, f32({2}, {0.5, 0.25}), &zp, 1, QType::int8);
  CHECK(y.dtype() == DType::int8);
  CHECK((y.get_i64(0) == 5 && y.get_i64(1) == 1));
}

TEST_CASE("golden quantize_linear and dequantize_linear", "[unit][golden]") {
  // int8, scale 1, no zero point: 2.5 -> 2, 3.5 -> 4, -2.5 -> -2 (ties to even), 1000 -> 127, -1000 -> -128.
  const Tensor x = f32({5}, {2.5, 3.5, -2.5, 1000, -1000});
  const Tensor one = f32({}, {1});
  const Tensor q = golden::quantize_linear(x, one, nullptr, 1, QType::int8);
  CHECK(q.dtype() == DType::int8);
  CHECK((q.get_i64(0) == 2 && q.get_i64(1) == 4 && q.get_i64(2) == -2 && q.get_i64(3) == 127 && q.get_i64(4) == -128));
  // uint8 (held in int16), zero point 128: -1.5 -> -2 + 128 = 126; 0 -> 128; 200 -> 328 -> 255.
  const Tensor zp128 = make(DType::int16, {}, {128});
  const Tensor u = golden::quantize_linear(f32({3}, {-1.5, 0, 200}), one, &zp128, 1, QType::uint8);
  CHECK(u.dtype() == DType::int16);
  CHECK((u.get_i64(0) == 126 && u.get_i64(1) == 128 && u.get_i64(2) == 255));
  // Per axis 1 of [[1 2] [3 4]]: scales [1 2], zero points [0 10] -> [[1, 2/2 + 10 = 11] [3, 4/2 + 10 = 12]].
  const Tensor zp = make(DType::int8, {2}, {0, 10});
  const Tensor pa = golden::quantize_linear(f32({2, 2}, {1, 2, 3, 4}), f32({2}, {1, 2}), &zp, 1, QType::int8);
  CHECK((pa.get_i64(0) == 1 && pa.get_i64(1) == 11 && pa.get_i64(2) == 3 && pa.get_i64(3) == 12));
  // Dequantize int8 [-128 0 127], scale 0.5, zero point -1: (-127)·0.5 = -63.5, 1·0.5 = 0.5, 128·0.5 = 64.
  const Tensor zpm1 = make(DType::int8, {}, {-1});
  const Tensor d = golden::dequantize_linear(make(DType::int8, {3}, {-128, 0, 127}), f32({}, {0.5}), &zpm1, 1);
  CHECK((at(d, 0) == -63.5f && at(d, 1) == 0.5f && at(d, 2) == 64.0f));
  // A per-axis scale whose length is not the axis extent is rejected.
  CHECK_THROWS_AS(golden::quantize_linear(f32({2, 2}, {1, 2, 3, 4}), f32({3}, {1, 1, 1}), nullptr, 1, QType::int8),
                  std::invalid_argument);
}
