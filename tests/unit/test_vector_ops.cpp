/// The post-processing unit's arithmetic (sim/hw/vector_ops.hpp) against the golden model
/// (golden::run_op): every operator kind it executes on seeded random tensors of several shapes,
/// dtypes and attributes, compared bit for bit (sim/hw/vector_ops.hpp claims bit-exactness for
/// every operator, fp32 included), for 1, 3 and 16 lanes. Then hand-derived cases, the
/// derivation beside each number, and the errors.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "models/golden/graph_exec.hpp"
#include "models/ir/graph.hpp"
#include "sim/hw/vector_ops.hpp"
#include "tests/support.hpp"

using namespace arraysim;
using ir::DType;
using ir::OpKind;
using ir::QType;
using ir::Shape;
using ir::Tensor;

namespace {

const DType all_dtypes[] = {DType::int8, DType::int16, DType::int32, DType::int64, DType::fp32};

/// A random tensor: integers over the whole range of their type (so sums and products wrap),
/// fp32 uniform in [-range, range) on a 2^-12·range grid (ir::fill_random scaled by a power of two
/// keeps it exact).
Tensor random(DType t, Shape s, std::uint64_t seed, float range = 1.0f) {
  Tensor x(t, std::move(s));
  if (t == DType::fp32) {
    ir::fill_random(x, seed, 1);
    for (std::int64_t i = 0; i < x.size(); ++i) x.data<float>()[i] *= range;
    return x;
  }
  for (std::int64_t i = 0; i < x.size(); ++i)
    x.set_i64(i, static_cast<std::int64_t>(ir::splitmix64(seed * 0x10001 + static_cast<std::uint64_t>(i))));
  return x;
}

/// A tensor of given values.
Tensor make(DType t, Shape s, std::initializer_list<double> v) {
  Tensor x(t, std::move(s));
  REQUIRE(static_cast<std::int64_t>(v.size()) == x.size());
  std::int64_t i = 0;
  for (double e : v) x.set_f64(i++, e);
  return x;
}

/// Positive fp32 values in [lo, lo + span) (scales, multipliers, variances).
Tensor positive(Shape s, std::uint64_t seed, float lo, float span) {
  Tensor x = random(DType::fp32, std::move(s), seed);
  for (std::int64_t i = 0; i < x.size(); ++i) x.data<float>()[i] = lo + span * (x.data<float>()[i] + 1.0f) / 2.0f;
  return x;
}

/// Random values of a quantized type in its storage tensor (uint8: 0..255 in int16).
Tensor random_q(QType q, Shape s, std::uint64_t seed) {
  Tensor x(ir::storage_dtype(q), std::move(s));
  const std::int64_t lo = ir::qmin(q), n = ir::qmax(q) - lo + 1;
  for (std::int64_t i = 0; i < x.size(); ++i)
    x.set_i64(i, lo + static_cast<std::int64_t>(ir::splitmix64(seed * 7919 + static_cast<std::uint64_t>(i)) %
                                                static_cast<std::uint64_t>(n)));
  return x;
}

std::string describe(const ir::Op& op, const std::vector<const Tensor*>& in) {
  std::ostringstream o;
  o << ir::op_kind_name(op.kind) << " on";
  for (const Tensor* t : in) o << " " << ir::shape_str(t->shape()) << " " << ir::dtype_name(t->dtype());
  return o.str();
}

/// hw::vector_op_values equals golden::run_op bit for bit, for 1, 3 and 16 lanes.
void check_op(const ir::Op& op, const std::vector<const Tensor*>& in, DType out_dtype = DType::fp32) {
  INFO(describe(op, in));
  std::vector<ir::TensorType> types;
  for (const Tensor* t : in) types.push_back({t->shape(), t->dtype()});
  const ir::TensorType out = ir::infer_output(op, types, out_dtype);
  const Tensor want = golden::run_op(op, in, out_dtype);
  REQUIRE(want.shape() == out.shape);
  REQUIRE(want.dtype() == out.dtype);
  for (std::int64_t lanes : {1, 3, 16}) {
    INFO("lanes " << lanes);
    const Tensor got = hw::vector_op_values(op, in, out, lanes);
    REQUIRE(got.shape() == want.shape());
    REQUIRE(got.dtype() == want.dtype());
    if (got.size_bytes() == 0 || std::memcmp(got.raw_bytes(), want.raw_bytes(), got.size_bytes()) == 0) continue;
    const std::size_t eb = ir::dtype_bytes(got.dtype());
    for (std::int64_t i = 0; i < got.size(); ++i)
      if (std::memcmp(got.raw_bytes() + i * eb, want.raw_bytes() + i * eb, eb) != 0) {
        INFO("element " << i << ": hw " << got.element_str(i) << ", golden " << want.element_str(i));
        FAIL("hw and golden differ");
      }
  }
}

ir::Op op_of(OpKind k, ir::OpAttrs attrs) {
  ir::Op op = ir::make_op(k, "n", {}, {"y"}, std::move(attrs));
  return op;
}
ir::Op op_of(OpKind k) { return op_of(k, ir::default_attrs(k)); }

/// The unit's output for the declared output type inferred from the inputs.
Tensor hw_run(const ir::Op& op, const std::vector<const Tensor*>& in, DType out_dtype = DType::fp32) {
  std::vector<ir::TensorType> types;
  for (const Tensor* t : in) types.push_back({t->shape(), t->dtype()});
  return hw::vector_op_values(op, in, ir::infer_output(op, types, out_dtype));
}

/// The message of the std::invalid_argument `f` throws ("" if none).
template <class F> std::string error_of(F&& f) {
  try {
    f();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

std::uint32_t bits(float f) {
  std::uint32_t b;
  std::memcpy(&b, &f, sizeof b);
  return b;
}

}  // namespace

// ---- random tensors against golden -----------------------------------------------------------

TEST_CASE("vector_ops max_pool and average_pool equal golden: pads, strides, dilations, ceil_mode, auto_pad",
          "[unit][vector_ops]") {
  struct Case {
    Shape x;
    ir::PoolParams p;
  };
  const auto pool = [](std::vector<std::int64_t> k, std::vector<std::int64_t> s, std::vector<std::int64_t> pads,
                       bool ceil, std::vector<std::int64_t> dil = {}, ir::AutoPad ap = ir::AutoPad::notset) {
    ir::PoolParams p;
    p.kernel = std::move(k), p.strides = std::move(s), p.pads = std::move(pads), p.ceil_mode = ceil;
    p.dilations = std::move(dil), p.auto_pad = ap;
    return p;
  };
  const std::vector<Case> cases = {
      {{1, 1, 4, 4}, pool({2, 2}, {2, 2}, {}, false)},
      {{2, 3, 7, 6}, pool({3, 3}, {2, 2}, {1, 1, 1, 1}, false)},
      {{2, 3, 7, 6}, pool({3, 3}, {2, 2}, {1, 0, 0, 1}, true)},
      {{1, 2, 8, 9}, pool({3, 2}, {3, 2}, {0, 1, 2, 0}, true)},
      {{1, 2, 9, 9}, pool({3, 3}, {1, 2}, {2, 2, 2, 2}, false, {2, 2})},
      {{1, 2, 6, 7}, pool({2, 3}, {2, 2}, {}, false, {}, ir::AutoPad::same_upper)},
      {{1, 2, 6, 7}, pool({2, 3}, {2, 3}, {}, false, {}, ir::AutoPad::same_lower)},
      {{1, 2, 6, 7}, pool({2, 2}, {2, 2}, {}, false, {}, ir::AutoPad::valid)},
      {{3, 2, 11}, pool({4}, {3}, {2, 1}, true)},
      {{1, 2, 4, 5, 6}, pool({2, 3, 2}, {2, 1, 2}, {1, 0, 1, 0, 1, 1}, true)},
  };
  std::uint64_t seed = 100;
  for (const Case& c : cases) {
    for (DType t : all_dtypes) {
      const Tensor x = random(t, c.x, ++seed);
      check_op(op_of(OpKind::max_pool, c.p), {&x}, t);
    }
    const Tensor xf = random(DType::fp32, c.x, ++seed, 4.0f);
    for (bool include : {false, true}) {
      ir::PoolParams p = c.p;
      p.count_include_pad = include;
      check_op(op_of(OpKind::average_pool, p), {&xf});
    }
  }
}

TEST_CASE("vector_ops global pools equal golden on 1-D, 2-D and 3-D spatial extents", "[unit][vector_ops]") {
  std::uint64_t seed = 200;
  for (const Shape& s : std::vector<Shape>{{2, 3, 5}, {1, 4, 3, 7}, {2, 2, 3, 2, 4}, {1, 1, 1, 1}}) {
    for (DType t : all_dtypes) {
      const Tensor x = random(t, s, ++seed);
      check_op(op_of(OpKind::global_max_pool), {&x}, t);
    }
    const Tensor xf = random(DType::fp32, s, ++seed, 3.0f);
    check_op(op_of(OpKind::global_average_pool), {&xf});
  }
}

TEST_CASE("vector_ops relu, relu6 and clip equal golden on every dtype", "[unit][vector_ops]") {
  std::uint64_t seed = 300;
  for (DType t : all_dtypes) {
    // fp32 spread over [-16, 16) so relu6's upper bound bites; integers over their whole range.
    const Tensor x = random(t, {3, 4, 5}, ++seed, 16.0f);
    check_op(op_of(OpKind::relu), {&x}, t);
    check_op(op_of(OpKind::relu6), {&x}, t);
    check_op(op_of(OpKind::clip), {&x}, t);  // ±inf: unchanged
    check_op(op_of(OpKind::clip, ir::ClipAttrs{-3, 5}), {&x}, t);
    check_op(op_of(OpKind::clip, ir::ClipAttrs{-1000, 200}), {&x}, t);  // beyond int8: wraps like golden
    check_op(op_of(OpKind::clip, ir::ClipAttrs{-std::numeric_limits<double>::infinity(), 0}), {&x}, t);
    if (t == DType::fp32) check_op(op_of(OpKind::clip, ir::ClipAttrs{-0.3, 0.55}), {&x}, t);
  }
}

TEST_CASE("vector_ops fp32 activations equal golden bit for bit", "[unit][vector_ops]") {
  std::uint64_t seed = 400;
  for (float range : {1.0f, 8.0f, 64.0f}) {
    const Tensor x = random(DType::fp32, {2, 3, 17}, ++seed, range);
    for (OpKind k : {OpKind::sigmoid, OpKind::tanh, OpKind::silu, OpKind::hard_swish, OpKind::leaky_relu})
      check_op(op_of(k), {&x});
    check_op(op_of(OpKind::gelu, ir::GeluAttrs{false}), {&x});
    check_op(op_of(OpKind::gelu, ir::GeluAttrs{true}), {&x});
    check_op(op_of(OpKind::leaky_relu, ir::LeakyReluAttrs{0.1}), {&x});
    check_op(op_of(OpKind::leaky_relu, ir::LeakyReluAttrs{-1.7}), {&x});
  }
}

TEST_CASE("vector_ops add, sub, mul, div equal golden with numpy broadcasting on every dtype", "[unit][vector_ops]") {
  const std::vector<std::pair<Shape, Shape>> shapes = {
      {{2, 3, 4}, {2, 3, 4}}, {{2, 3, 4}, {4}},       {{2, 1, 4}, {3, 1}},       {{1}, {5, 2}},
      {{}, {3, 2}},           {{4, 1, 3}, {1, 5, 1}}, {{2, 3, 1, 5}, {3, 4, 1}},
  };
  std::uint64_t seed = 500;
  for (const auto& [sa, sb] : shapes)
    for (DType t : all_dtypes) {
      const Tensor a = random(t, sa, ++seed, 4.0f);
      Tensor b = random(t, sb, ++seed, 4.0f);
      for (OpKind k : {OpKind::add, OpKind::sub, OpKind::mul}) {
        check_op(op_of(k), {&a, &b}, t);
        check_op(op_of(k), {&b, &a}, t);
      }
      // Integer division needs non-zero divisors; small ones too, so quotients are not all 0.
      if (t != DType::fp32)
        for (std::int64_t i = 0; i < b.size(); ++i) {
          const std::int64_t v = b.get_i64(i) % 17;
          b.set_i64(i, v == 0 ? -1 : v);
        }
      check_op(op_of(OpKind::div), {&a, &b}, t);
    }
}

TEST_CASE("vector_ops data movement equals golden: concat, reshape, flatten, transpose, squeeze, unsqueeze",
          "[unit][vector_ops]") {
  std::uint64_t seed = 600;
  for (DType t : all_dtypes) {
    const Tensor a = random(t, {2, 3, 4}, ++seed), b = random(t, {2, 1, 4}, ++seed);
    const Tensor c = random(t, {2, 5, 4}, ++seed);
    check_op(op_of(OpKind::concat, ir::AxisAttrs{1}), {&a, &b, &c}, t);
    check_op(op_of(OpKind::concat, ir::AxisAttrs{-2}), {&b, &a}, t);
    check_op(op_of(OpKind::concat, ir::AxisAttrs{1}), {&c}, t);
    const Tensor d = random(t, {2, 3, 2}, ++seed), e = random(t, {1, 3, 4}, ++seed);
    check_op(op_of(OpKind::concat, ir::AxisAttrs{-1}), {&a, &d}, t);
    check_op(op_of(OpKind::concat, ir::AxisAttrs{0}), {&e, &a, &e}, t);

    check_op(op_of(OpKind::reshape, ir::ReshapeAttrs{{4, -1}, false}), {&a}, t);
    check_op(op_of(OpKind::reshape, ir::ReshapeAttrs{{0, 0, 2, 2}, false}), {&a}, t);
    for (std::int64_t axis : {0, 1, 2, 3, -1}) check_op(op_of(OpKind::flatten, ir::AxisAttrs{axis}), {&a}, t);
    for (const std::vector<std::int64_t>& perm :
         std::vector<std::vector<std::int64_t>>{{}, {0, 2, 1}, {2, 0, 1}, {-1, 0, -2}, {1, 0, 2}})
      check_op(op_of(OpKind::transpose, ir::TransposeAttrs{perm}), {&a}, t);
    const Tensor f = random(t, {2, 1, 3, 1, 2}, ++seed);
    check_op(op_of(OpKind::transpose, ir::TransposeAttrs{{4, 2, 0, 3, 1}}), {&f}, t);
    check_op(op_of(OpKind::squeeze, ir::AxesAttrs{{}}), {&f}, t);
    check_op(op_of(OpKind::squeeze, ir::AxesAttrs{{1, -2}}), {&f}, t);
    check_op(op_of(OpKind::unsqueeze, ir::AxesAttrs{{0, -1}}), {&a}, t);
    check_op(op_of(OpKind::unsqueeze, ir::AxesAttrs{{2}}), {&a}, t);
  }
}

TEST_CASE("vector_ops softmax, layer_norm and batch_norm equal golden bit for bit", "[unit][vector_ops]") {
  std::uint64_t seed = 700;
  for (float range : {1.0f, 30.0f}) {
    const Tensor x = random(DType::fp32, {2, 3, 5, 4}, ++seed, range);
    for (std::int64_t axis : {0, 1, 2, 3, -1, -3}) check_op(op_of(OpKind::softmax, ir::AxisAttrs{axis}), {&x});

    // layer_norm over [axis, rank): scale and bias broadcast to the normalized shape.
    struct Norm {
      std::int64_t axis;
      Shape scale, bias;
    };
    for (const Norm& n : std::vector<Norm>{{-1, {4}, {4}},
                                           {-1, {1}, {}},
                                           {2, {5, 4}, {4}},
                                           {-2, {5, 1}, {1, 4}},
                                           {1, {3, 5, 4}, {5, 1}},
                                           {0, {4}, {3, 1, 4}}}) {
      const Tensor scale = random(DType::fp32, n.scale, ++seed, 2.0f);
      const Tensor bias = random(DType::fp32, n.bias.empty() ? Shape{1} : n.bias, ++seed);
      for (double eps : {1e-5, 1e-3}) {
        const ir::Op op = op_of(OpKind::layer_norm, ir::LayerNormAttrs{n.axis, eps});
        if (n.bias.empty())
          check_op(op, {&x, &scale});
        else
          check_op(op, {&x, &scale, &bias});
      }
    }

    const Tensor scale = random(DType::fp32, {3}, ++seed, 2.0f), bias = random(DType::fp32, {3}, ++seed);
    const Tensor mean = random(DType::fp32, {3}, ++seed), var = positive({3}, ++seed, 0.01f, 3.0f);
    check_op(op_of(OpKind::batch_norm), {&x, &scale, &bias, &mean, &var});
    check_op(op_of(OpKind::batch_norm, ir::BatchNormAttrs{0.1}), {&x, &scale, &bias, &mean, &var});
    const Tensor x2 = random(DType::fp32, {4, 3}, ++seed, range);
    check_op(op_of(OpKind::batch_norm), {&x2, &scale, &bias, &mean, &var});
  }
}

TEST_CASE(
    "vector_ops quantizers equal golden: int8 and uint8, per tensor and per channel, with and without zero points",
    "[unit][vector_ops]") {
  const Shape s{2, 3, 4, 5};
  std::uint64_t seed = 800;
  // (axis, channels of that axis): per-channel parameters along axes 1, 3 and -2.
  for (const auto& [axis, channels] : std::vector<std::pair<std::int64_t, std::int64_t>>{{1, 3}, {3, 5}, {-2, 4}})
    for (QType q : {QType::int8, QType::uint8})
      for (bool per_channel : {false, true})
        for (bool with_zp : {false, true}) {
          const Shape ps = per_channel ? Shape{channels} : Shape{1};
          const Tensor zp = random_q(q, ps, ++seed);
          const ir::Op quant = op_of(OpKind::quantize_linear, ir::QuantAttrs{axis, q});
          const ir::Op dequant = op_of(OpKind::dequantize_linear, ir::QuantAttrs{axis, q});
          const ir::Op requant = op_of(OpKind::requantize, ir::QuantAttrs{axis, q});
          const auto run = [&](const ir::Op& op, const Tensor& x, const Tensor& scale, DType out) {
            if (with_zp)
              check_op(op, {&x, &scale, &zp}, out);
            else
              check_op(op, {&x, &scale}, out);
          };
          const DType st = ir::storage_dtype(q);

          // Scales that are powers of two make x / scale land on exact halves: the ties of
          // round-half-to-even. Others give ordinary rounding; small ones saturate.
          const Tensor x = random(DType::fp32, s, ++seed, 2.0f);
          Tensor pow2(DType::fp32, ps);
          for (std::int64_t i = 0; i < pow2.size(); ++i)
            pow2.data<float>()[i] = std::ldexp(1.0f, -10 - static_cast<int>(i % 3));
          run(quant, x, pow2, st);
          run(quant, x, positive(ps, ++seed, 0.001f, 0.05f), st);

          const Tensor xq = random_q(q, s, ++seed);
          run(dequant, xq, positive(ps, ++seed, 0.0001f, 0.5f), DType::fp32);

          // int32 accumulators over the whole range times multipliers below 1e-7 (|product| up to
          // about 2^31 · 1e-7 = 215: inside and beyond the range); int64 accumulators of up to 59
          // bits (not exact in fp64: the conversion rounds) times 2^-58..2^-52 (|product| up to 128).
          const Tensor acc = random(DType::int32, s, ++seed);
          run(requant, acc, positive(ps, ++seed, 1e-9f, 1e-7f), st);
          Tensor wide = random(DType::int64, s, ++seed);
          for (std::int64_t i = 0; i < wide.size(); ++i) wide.set_i64(i, wide.get_i64(i) / 16);
          run(requant, wide, positive(ps, ++seed, std::ldexp(1.0f, -58), std::ldexp(1.0f, -52)), st);
          Tensor small = random(DType::int32, s, ++seed);
          for (std::int64_t i = 0; i < small.size(); ++i) small.set_i64(i, small.get_i64(i) % 4096);
          Tensor eighth(DType::fp32, ps);  // acc / 8: exact halves
          for (std::int64_t i = 0; i < eighth.size(); ++i) eighth.data<float>()[i] = 0.125f;
          run(requant, small, eighth, st);
          run(requant, small, positive(ps, ++seed, 0.001f, 0.2f), st);
        }
}

// ---- hand-derived cases -----------------------------------------------------------------------

TEST_CASE("vector_ops requantize: rounding ties, the fp32 multiplier's own rounding, saturation",
          "[unit][vector_ops]") {
  const Tensor acc = make(DType::int32, {6}, {1000, 100, 108, -20, 5000, -1000});
  const Tensor zp = make(DType::int8, {1}, {3});
  // 0.0125 is not an fp32 value: fp32(0.0125) = 13421773 / 2^30 = 0.0125 + 2^-30 · 0.2
  // (13421773 = 0.0125 · 2^30 + 0.2). So 1000 · it = 12.5 + 25 / 2^27 = 12.5000001862...: above the
  // tie, rounds to 13, + 3 = 16 (not 12 + 3 = 15 as an exact 0.0125 would give).
  const Tensor m0125 = make(DType::fp32, {1}, {0.0125});
  const ir::Op requant = op_of(OpKind::requantize, ir::QuantAttrs{1, QType::int8});
  CHECK(hw_run(requant, {&acc, &m0125, &zp}, DType::int8).get_i64(0) == 16);
  // 0.125 = 2^-3 is exact: 100/8 = 12.5 -> 12 (even), + 3 = 15; 108/8 = 13.5 -> 14, + 3 = 17;
  // -20/8 = -2.5 -> -2, + 3 = 1; 5000/8 = 625 + 3 -> saturates to 127; -1000/8 = -125 + 3 = -122.
  const Tensor m8 = make(DType::fp32, {1}, {0.125});
  const Tensor y = hw_run(requant, {&acc, &m8, &zp}, DType::int8);
  CHECK(y.get_i64(1) == 15);
  CHECK(y.get_i64(2) == 17);
  CHECK(y.get_i64(3) == 1);
  CHECK(y.get_i64(4) == 127);
  CHECK(y.get_i64(5) == -122);
  // uint8 (held in int16), no zero point: 1000/8 = 125; 5000/8 = 625 -> 255; -2.5 -> -2 -> 0.
  const Tensor u = hw_run(op_of(OpKind::requantize, ir::QuantAttrs{1, QType::uint8}), {&acc, &m8}, DType::int16);
  REQUIRE(u.dtype() == DType::int16);
  CHECK(u.get_i64(0) == 125);
  CHECK(u.get_i64(3) == 0);
  CHECK(u.get_i64(4) == 255);
  // Per channel along axis 1 of [2][2]: multipliers {0.5, 0.25}, zero points {10, 20} (uint8):
  // [[7, 7], [-9, 10]] -> [[3.5 -> 4, 1.75 -> 2], [-4.5 -> -4, 2.5 -> 2]] + zp = [[14, 22], [6, 22]].
  const Tensor acc2 = make(DType::int32, {2, 2}, {7, 7, -9, 10});
  const Tensor mc = make(DType::fp32, {2}, {0.5, 0.25}), zc = make(DType::int16, {2}, {10, 20});
  const Tensor pc = hw_run(op_of(OpKind::requantize, ir::QuantAttrs{1, QType::uint8}), {&acc2, &mc, &zc}, DType::int16);
  CHECK(pc.get_i64(0) == 14);
  CHECK(pc.get_i64(1) == 22);
  CHECK(pc.get_i64(2) == 6);
  CHECK(pc.get_i64(3) == 22);
}

TEST_CASE("vector_ops quantize_linear and dequantize_linear on hand-derived values", "[unit][vector_ops]") {
  // scale 0.5: 0.75/0.5 = 1.5 -> 2 (even); 1.25/0.5 = 2.5 -> 2 (even); -0.25/0.5 = -0.5 -> -0 -> 0;
  // 100/0.5 = 200 -> saturates to 127; -100/0.5 = -200 -> -128; +inf/0.5 = +inf -> 127.
  // With zero point -5 the saturation comes after adding it: 2 - 5 = -3, 2 - 5 = -3, 0 - 5 = -5,
  // 200 - 5 = 195 -> 127.
  const Tensor x = make(DType::fp32, {6}, {0.75, 1.25, -0.25, 100, -100, std::numeric_limits<double>::infinity()});
  const Tensor half = make(DType::fp32, {1}, {0.5});
  const ir::Op quant = op_of(OpKind::quantize_linear, ir::QuantAttrs{0, QType::int8});
  const Tensor q = hw_run(quant, {&x, &half}, DType::int8);
  CHECK(q.get_i64(0) == 2);
  CHECK(q.get_i64(1) == 2);
  CHECK(q.get_i64(2) == 0);
  CHECK(q.get_i64(3) == 127);
  CHECK(q.get_i64(4) == -128);
  CHECK(q.get_i64(5) == 127);
  const Tensor zm5 = make(DType::int8, {1}, {-5});
  const Tensor qz = hw_run(quant, {&x, &half, &zm5}, DType::int8);
  CHECK(qz.get_i64(0) == -3);
  CHECK(qz.get_i64(1) == -3);
  CHECK(qz.get_i64(2) == -5);
  CHECK(qz.get_i64(3) == 127);

  // dequantize int8 {-128, 127, 3} with zero point 3, scale 0.5: (-131)·0.5 = -65.5, 124·0.5 = 62, 0.
  const Tensor xi = make(DType::int8, {3}, {-128, 127, 3});
  const Tensor z3 = make(DType::int8, {1}, {3});
  const Tensor d = hw_run(op_of(OpKind::dequantize_linear, ir::QuantAttrs{0, QType::int8}), {&xi, &half, &z3});
  CHECK(d.data<float>()[0] == -65.5f);
  CHECK(d.data<float>()[1] == 62.0f);
  CHECK(d.data<float>()[2] == 0.0f);
}

TEST_CASE("vector_ops integer arithmetic wraps and truncates like the hardware's registers", "[unit][vector_ops]") {
  // int8: 100 + 100 = 200 = 256 - 56 -> -56; 16 · 16 = 256 -> 0; -128 / -1 = 128 -> -128;
  // 7 / -2 = -3.5 truncates toward zero to -3; -7 / 2 -> -3; -128 - 1 = -129 -> 127.
  const Tensor a = make(DType::int8, {3}, {100, 16, -128});
  const Tensor b = make(DType::int8, {3}, {100, 16, -1});
  CHECK(hw_run(op_of(OpKind::add), {&a, &b}, DType::int8).get_i64(0) == -56);
  CHECK(hw_run(op_of(OpKind::mul), {&a, &b}, DType::int8).get_i64(1) == 0);
  CHECK(hw_run(op_of(OpKind::div), {&a, &b}, DType::int8).get_i64(2) == -128);
  CHECK(hw_run(op_of(OpKind::sub), {&a, &b}, DType::int8).get_i64(2) == -127);  // -128 - (-1)
  const Tensor c = make(DType::int8, {2}, {7, -7}), d = make(DType::int8, {2}, {-2, 2});
  const Tensor q = hw_run(op_of(OpKind::div), {&c, &d}, DType::int8);
  CHECK(q.get_i64(0) == -3);
  CHECK(q.get_i64(1) == -3);
  const Tensor m128 = make(DType::int8, {1}, {-128}), one = make(DType::int8, {1}, {1});
  CHECK(hw_run(op_of(OpKind::sub), {&m128, &one}, DType::int8).get_i64(0) == 127);
  // int64: INT64_MIN / -1 wraps to itself; INT64_MAX + 1 wraps to INT64_MIN.
  Tensor big(DType::int64, {2}), neg(DType::int64, {2});
  big.set_i64(0, std::numeric_limits<std::int64_t>::min()), neg.set_i64(0, -1);
  big.set_i64(1, std::numeric_limits<std::int64_t>::max()), neg.set_i64(1, 1);
  CHECK(hw_run(op_of(OpKind::div), {&big, &neg}, DType::int64).get_i64(0) == std::numeric_limits<std::int64_t>::min());
  CHECK(hw_run(op_of(OpKind::add), {&big, &neg}, DType::int64).get_i64(1) == std::numeric_limits<std::int64_t>::min());
}

TEST_CASE("vector_ops selections keep golden's signed zeros and NaN rules", "[unit][vector_ops]") {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const Tensor x = make(DType::fp32, {4}, {-0.0, nan, 7.5, -2});
  // relu: -0 > 0 is false -> +0; NaN > 0 is false -> +0; 7.5; -2 -> +0.
  const Tensor r = hw_run(op_of(OpKind::relu), {&x});
  CHECK(bits(r.data<float>()[0]) == 0u);
  CHECK(bits(r.data<float>()[1]) == 0u);
  CHECK(r.data<float>()[2] == 7.5f);
  // relu6 = clip to [0, 6]: max(0, -0) keeps the bound +0 on the tie; NaN passes; 7.5 -> 6; -2 -> 0.
  const Tensor r6 = hw_run(op_of(OpKind::relu6), {&x});
  CHECK(bits(r6.data<float>()[0]) == 0u);
  CHECK(std::isnan(r6.data<float>()[1]));
  CHECK(r6.data<float>()[2] == 6.0f);
  CHECK(r6.data<float>()[3] == 0.0f);
  // leaky_relu: -0 >= 0 holds, so -0 stays -0 (sign bit 0x80000000); -2 · 0.01 = -0.02 rounded once.
  const Tensor lr = hw_run(op_of(OpKind::leaky_relu), {&x});
  CHECK(bits(lr.data<float>()[0]) == 0x80000000u);
  CHECK(lr.data<float>()[3] == static_cast<float>(-0.02));
}

TEST_CASE("vector_ops pools and normalizations on hand-derived values", "[unit][vector_ops]") {
  // average_pool X = [3, 6, 9], kernel 2, pads 1 and 1 -> windows [pad, 3] [3, 6] [6, 9] [9, pad]:
  // without the pad in the count 3, 4.5, 7.5, 9; with it 1.5, 4.5, 7.5, 4.5.
  const Tensor x = make(DType::fp32, {1, 1, 3}, {3, 6, 9});
  ir::PoolParams p;
  p.kernel = {2};
  p.pads = {1, 1};
  const Tensor y = hw_run(op_of(OpKind::average_pool, p), {&x});
  CHECK(y.data<float>()[0] == 3.0f);
  CHECK(y.data<float>()[1] == 4.5f);
  CHECK(y.data<float>()[3] == 9.0f);
  p.count_include_pad = true;
  const Tensor yi = hw_run(op_of(OpKind::average_pool, p), {&x});
  CHECK(yi.data<float>()[0] == 1.5f);
  CHECK(yi.data<float>()[3] == 4.5f);
  // max_pool over negative values: a padded position never wins: [pad,-5] -> -5.
  const Tensor xn = make(DType::int8, {1, 1, 3}, {-5, -3, -9});
  p.count_include_pad = false;
  CHECK(hw_run(op_of(OpKind::max_pool, p), {&xn}, DType::int8).get_i64(0) == -5);

  // softmax of [0, 0, 0, 0] along the last axis: each 1/4.
  const Tensor z(DType::fp32, {1, 4});
  const Tensor sm = hw_run(op_of(OpKind::softmax), {&z});
  for (int i = 0; i < 4; ++i) CHECK(sm.data<float>()[i] == 0.25f);
  // layer_norm of [1, 3], epsilon 0: mean 2, variance ((-1)² + 1²)/2 = 1, inv 1 -> [-1, 1];
  // · scale 2 + bias 0.5 -> [-1.5, 2.5].
  const Tensor ln_x = make(DType::fp32, {1, 2}, {1, 3});
  const Tensor two = make(DType::fp32, {1}, {2}), half = make(DType::fp32, {1}, {0.5});
  const Tensor ln = hw_run(op_of(OpKind::layer_norm, ir::LayerNormAttrs{-1, 0.0}), {&ln_x, &two, &half});
  CHECK(ln.data<float>()[0] == -1.5f);
  CHECK(ln.data<float>()[1] == 2.5f);
  // batch_norm channel 0 of X [1][1][1]: (3 - mean 1) / sqrt(var 4 + 0) · scale 3 + bias 0.5 = 3.5.
  const Tensor bx = make(DType::fp32, {1, 1, 1}, {3});
  const Tensor sc = make(DType::fp32, {1}, {3}), bi = make(DType::fp32, {1}, {0.5});
  const Tensor mu = make(DType::fp32, {1}, {1}), var = make(DType::fp32, {1}, {4});
  const Tensor bn = hw_run(op_of(OpKind::batch_norm, ir::BatchNormAttrs{0.0}), {&bx, &sc, &bi, &mu, &var});
  CHECK(bn.data<float>()[0] == 3.5f);
}

// ---- errors -----------------------------------------------------------------------------------

TEST_CASE("vector_ops refuses the PE array's operators, wrong dtypes and wrong declarations", "[unit][vector_ops]") {
  const Tensor x = random(DType::fp32, {1, 1, 3, 3}, 1), w = random(DType::fp32, {1, 1, 1, 1}, 2);
  const ir::TensorType out{{1, 1, 3, 3}, DType::fp32};
  CHECK(error_of([&] {
          hw::vector_op_values(op_of(OpKind::conv2d), {&x, &w}, out);
        }) == "conv2d: not executed by the post-processing unit (it runs on the PE array as a GEMM)");
  const Tensor m = random(DType::fp32, {3, 3}, 3);
  CHECK(error_of([&] {
          hw::vector_op_values(op_of(OpKind::gemm), {&m, &m}, {{3, 3}, DType::fp32});
        }) == "gemm: not executed by the post-processing unit (it runs on the PE array as a GEMM)");
  CHECK(error_of([&] {
          hw::vector_op_values(op_of(OpKind::matmul), {&m, &m}, {{3, 3}, DType::fp32});
        }) == "matmul: not executed by the post-processing unit (it runs on the PE array as a GEMM)");

  const Tensor i8 = random(DType::int8, {2, 3}, 4);
  CHECK(error_of([&] {
          hw::vector_op_values(op_of(OpKind::softmax), {&i8}, {{2, 3}, DType::int8});
        }) == "softmax: X must be fp32, got int8");
  CHECK(error_of([&] {
          hw::vector_op_values(op_of(OpKind::sigmoid), {&i8}, {{2, 3}, DType::int8});
        }) == "sigmoid: X must be fp32, got int8");
  CHECK(error_of([&] {
          hw::vector_op_values(op_of(OpKind::relu), {&i8}, {{3, 2}, DType::int8});
        }) == "relu: the output is declared [3, 2] int8, the operator gives [2, 3] int8");
  CHECK(error_of([&] {
          hw::vector_op_values(op_of(OpKind::relu), {&i8, &i8}, {{2, 3}, DType::int8});
        }) == "relu: takes 1 input, got 2");
  CHECK(error_of([&] {
          hw::vector_op_values(op_of(OpKind::relu), {&i8}, {{2, 3}, DType::int8}, 0);
        }) == "relu: the unit needs at least 1 lane, got 0");

  const Tensor zero = make(DType::int8, {1}, {0});
  CHECK(error_of([&] {
          hw::vector_op_values(op_of(OpKind::div), {&i8, &zero}, {{2, 3}, DType::int8});
        }) == "div: integer division by zero");
  const Tensor nan = make(DType::fp32, {1}, {std::nan("")}), one = make(DType::fp32, {1}, {1});
  CHECK(error_of([&] {
          hw::vector_op_values(op_of(OpKind::quantize_linear, ir::QuantAttrs{0, QType::int8}), {&nan, &one},
                               {{1}, DType::int8});
        }) == "quantize_linear: NaN input");
}

TEST_CASE("vector_ops is independent of the golden model", "[unit][vector_ops]") {
  // The hardware's arithmetic is checked against models/golden, so it must not be built on it.
  for (const char* f : {"sim/hw/vector_ops.hpp", "sim/hw/vector_ops.cpp"}) {
    const std::string text = test::read_text(test::src_path(f));
    REQUIRE_FALSE(text.empty());
    CHECK(text.find("#include \"models/golden") == std::string::npos);
    CHECK(text.find("golden::") == std::string::npos);
  }
}
