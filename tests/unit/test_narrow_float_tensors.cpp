/// The narrow floating-point dtypes bf16, fp16, fp8_e4m3 and fp8_e5m2 in models/ir and the golden
/// model: spellings and sizes, tensor get/set at the formats' boundaries (docs/numerics.md tables),
/// the single rounding of a double, seeded data on its grid, and the golden GEMM's fp32 order.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>

#include "models/golden/golden.hpp"
#include "models/ir/tensor.hpp"
#include "models/numeric/float_formats.hpp"
#include "tests/tensor_support.hpp"

using namespace arraysim;
using ir::DType;
using ir::Tensor;

namespace {

/// The stored bit pattern of element i of a narrow-float tensor.
std::uint32_t bits_at(const Tensor& t, std::int64_t i) {
  switch (t.dtype()) {
    case DType::bf16: return t.data<numeric::Bf16>()[i].bits;
    case DType::fp16: return t.data<numeric::Fp16>()[i].bits;
    case DType::fp8_e4m3: return t.data<numeric::Fp8E4M3>()[i].bits;
    case DType::fp8_e5m2: return t.data<numeric::Fp8E5M2>()[i].bits;
    default: break;
  }
  throw std::logic_error("not a narrow float");
}

/// The bits set_f64(v) stores in a one-element tensor of type t.
std::uint32_t encode(DType t, double v) {
  Tensor x(t, {1});
  x.set_f64(0, v);
  return bits_at(x, 0);
}

/// get_f64 of a one-element tensor of type t holding `bits`.
double decode(DType t, std::uint32_t bits) {
  Tensor x(t, {1});
  const std::size_t n = ir::dtype_bytes(t);
  std::memcpy(x.raw_bytes(), &bits, n);  // little-endian host: the low bytes
  return x.get_f64(0);
}

std::uint32_t fp32_bits(float f) {
  std::uint32_t b;
  std::memcpy(&b, &f, 4);
  return b;
}

Tensor vec(DType t, ir::Shape s, std::initializer_list<double> v) { return test::make_tensor(t, std::move(s), v); }

}  // namespace

TEST_CASE("narrow float dtypes: spellings, sizes, accumulator", "[unit][numerics][dtype]") {
  const struct {
    DType t;
    const char* name;
    std::size_t bytes;
  } cases[] = {{DType::bf16, "bf16", 2},
               {DType::fp16, "fp16", 2},
               {DType::fp8_e4m3, "fp8_e4m3", 1},
               {DType::fp8_e5m2, "fp8_e5m2", 1}};
  for (const auto& c : cases) {
    INFO(c.name);
    CHECK(ir::dtype_name(c.t) == c.name);
    CHECK(ir::parse_dtype(c.name) == c.t);
    CHECK(ir::dtype_bytes(c.t) == c.bytes);
    CHECK_FALSE(ir::is_integer(c.t));
    CHECK(ir::is_narrow_float(c.t));
    CHECK(ir::natural_accumulator(c.t) == DType::fp32);
    // Bytes of a tensor: its elements' real size.
    CHECK(Tensor(c.t, {3, 5}).size_bytes() == 15 * c.bytes);
  }
  CHECK_FALSE(ir::is_narrow_float(DType::fp32));
  CHECK_FALSE(ir::parse_dtype("fp8"));
  CHECK_FALSE(ir::parse_dtype("bfloat16"));
}

TEST_CASE("narrow float tensors: set_f64 rounds to nearest even at the boundaries", "[unit][numerics][dtype]") {
  SECTION("bf16 (1.8.7, bias 127)") {
    CHECK(encode(DType::bf16, 1.0) == 0x3F80);
    CHECK(encode(DType::bf16, -2.0) == 0xC000);
    CHECK(encode(DType::bf16, -0.0) == 0x8000);
    // Largest finite (2 − 2^−7)·2^127 = 0x7F7F; the midpoint to the next step, (2 − 2^−8)·2^127,
    // ties to the even code 0x7F80, which is infinity.
    CHECK(encode(DType::bf16, std::ldexp(2.0 - std::ldexp(1.0, -7), 127)) == 0x7F7F);
    CHECK(encode(DType::bf16, std::ldexp(2.0 - std::ldexp(1.0, -8), 127)) == 0x7F80);
    // 1 + 2^−8 lies half-way between 1 (0x3F80, even) and 1 + 2^−7 (0x3F81): ties to even.
    CHECK(encode(DType::bf16, 1.0 + std::ldexp(1.0, -8)) == 0x3F80);
    CHECK(encode(DType::bf16, 1.0 + 3 * std::ldexp(1.0, -8)) == 0x3F82);  // 1 + 3·2^−8: tie, up to even 0x3F82
    // Smallest subnormal 2^−133 = 0x0001; half of it ties to zero.
    CHECK(encode(DType::bf16, std::ldexp(1.0, -133)) == 0x0001);
    CHECK(encode(DType::bf16, std::ldexp(1.0, -134)) == 0x0000);
    CHECK(decode(DType::bf16, 0x7F7F) == std::ldexp(2.0 - std::ldexp(1.0, -7), 127));
    CHECK(decode(DType::bf16, 0x0080) == std::ldexp(1.0, -126));
    CHECK(std::isinf(decode(DType::bf16, 0xFF80)));
  }
  SECTION("fp16 (1.5.10, bias 15)") {
    CHECK(encode(DType::fp16, 65504.0) == 0x7BFF);
    CHECK(encode(DType::fp16, 65519.0) == 0x7BFF);  // below the midpoint 65520
    CHECK(encode(DType::fp16, 65520.0) == 0x7C00);  // the midpoint: ties to the even code, infinity
    CHECK(encode(DType::fp16, std::ldexp(1.0, -14)) == 0x0400);
    CHECK(encode(DType::fp16, std::ldexp(1.0, -24)) == 0x0001);
    CHECK(encode(DType::fp16, std::ldexp(1.0, -25)) == 0x0000);
    // 1/3 = 0.0101...b: 1.0101010101|0101... × 2^−2, below the half-way point: 0x3555.
    CHECK(encode(DType::fp16, 1.0 / 3.0) == 0x3555);
    CHECK(decode(DType::fp16, 0x3555) == 0.333251953125);
    CHECK(decode(DType::fp16, 0x7BFF) == 65504.0);
  }
  SECTION("fp8_e4m3 (1.4.3, bias 7, saturating)") {
    CHECK(encode(DType::fp8_e4m3, 448.0) == 0x7E);
    CHECK(encode(DType::fp8_e4m3, 464.0) == 0x7E);   // the midpoint 464 ties to 448 (M = 110, even)
    CHECK(encode(DType::fp8_e4m3, 465.0) == 0x7E);   // past it: saturates to 448
    CHECK(encode(DType::fp8_e4m3, -1e9) == 0xFE);    // saturates to −448
    CHECK(encode(DType::fp8_e4m3, 0.0625) == 0x18);  // 2^−4: E = 3, M = 0
    CHECK(encode(DType::fp8_e4m3, std::ldexp(1.0, -9)) == 0x01);
    CHECK(encode(DType::fp8_e4m3, std::ldexp(1.0, -10)) == 0x00);
    CHECK(decode(DType::fp8_e4m3, 0x7E) == 448.0);
    CHECK(decode(DType::fp8_e4m3, 0x08) == 0.015625);
    CHECK(std::isnan(decode(DType::fp8_e4m3, 0x7F)));
  }
  SECTION("fp8_e5m2 (1.5.2, bias 15, saturating)") {
    CHECK(encode(DType::fp8_e5m2, 57344.0) == 0x7B);
    CHECK(encode(DType::fp8_e5m2, 61439.0) == 0x7B);
    CHECK(encode(DType::fp8_e5m2, 61440.0) == 0x7B);  // would overflow; saturates
    CHECK(encode(DType::fp8_e5m2, 1.5) == 0x3E);      // E = 15, M = 10
    CHECK(encode(DType::fp8_e5m2, std::ldexp(1.0, -16)) == 0x01);
    CHECK(encode(DType::fp8_e5m2, std::ldexp(1.0, -17)) == 0x00);
    CHECK(decode(DType::fp8_e5m2, 0x7B) == 57344.0);
    CHECK(std::isinf(decode(DType::fp8_e5m2, 0x7C)));
  }
}

TEST_CASE("narrow float tensors: a double rounds once, not through fp32 first", "[unit][numerics][dtype]") {
  // 1 + 2^−8 + 2^−40 lies just above the bf16 midpoint between 0x3F80 and 0x3F81. Through fp32
  // by nearest-even it would first become 1 + 2^−8 (the 2^−40 is below fp32's last place), a tie
  // that goes down to 0x3F80; rounded once it is 0x3F81.
  CHECK(encode(DType::bf16, 1.0 + std::ldexp(1.0, -8) + std::ldexp(1.0, -40)) == 0x3F81);
  CHECK(encode(DType::bf16, 1.0 + std::ldexp(1.0, -8) - std::ldexp(1.0, -40)) == 0x3F80);
  // 2^−134·(1 + 2^−30): just above half the smallest bf16 subnormal, so 0x0001, where fp32 first
  // would give exactly 2^−134 and then 0.
  CHECK(encode(DType::bf16, std::ldexp(1.0 + std::ldexp(1.0, -30), -134)) == 0x0001);
  // fp16: 1 + 2^−11 + 2^−40 is above the midpoint of 1 and 1 + 2^−10: 0x3C01.
  CHECK(encode(DType::fp16, 1.0 + std::ldexp(1.0, -11) + std::ldexp(1.0, -40)) == 0x3C01);
  // The helper itself: an fp32 value comes back as it is; otherwise the odd neighbour.
  CHECK(numeric::fp64_to_fp32_round_to_odd(0.5) == 0.5f);
  CHECK(fp32_bits(numeric::fp64_to_fp32_round_to_odd(1.0 + std::ldexp(1.0, -40))) == 0x3F800001u);
  CHECK(fp32_bits(numeric::fp64_to_fp32_round_to_odd(-(1.0 + std::ldexp(1.0, -40)))) == 0xBF800001u);
  CHECK(fp32_bits(numeric::fp64_to_fp32_round_to_odd(1.0 + 3 * std::ldexp(1.0, -24))) == 0x3F800001u);
}

TEST_CASE("narrow float tensors: element access, text, type checks", "[unit][numerics][dtype]") {
  Tensor t(DType::bf16, {2});
  t.set_f64(0, 1.5);
  t.set_i64(1, -3);
  CHECK(t.get_f64(0) == 1.5);
  CHECK(t.get_f64(1) == -3.0);
  CHECK(t.element_str(0) == "1.5");
  CHECK_THROWS_AS(t.get_i64(0), std::logic_error);
  CHECK_THROWS_AS(t.data<float>(), std::logic_error);
  CHECK_THROWS_AS(t.data<numeric::Fp16>(), std::logic_error);
  Tensor u(DType::fp8_e5m2, {2});
  u.set_f64(0, -0.75);  // 1.1b × 2^−1: 1 01110 10 = 0xBA
  u.copy_element(1, u, 0);
  CHECK(bits_at(u, 1) == 0xBA);
  CHECK_THROWS_AS(u.copy_element(0, t, 0), std::logic_error);
}

TEST_CASE("narrow float tensors: seeded data is exact in the type and on its grid", "[unit][numerics][dtype]") {
  for (DType t : {DType::bf16, DType::fp16, DType::fp8_e4m3, DType::fp8_e5m2}) {
    INFO(ir::dtype_name(t));
    Tensor x(t, {4096});
    ir::fill_random(x, 7, 1);
    // bf16/fp16: k/128 − 1, fp8: k/8 − 1 (tensor.hpp).
    const double scale = ir::dtype_bytes(t) == 2 ? 128.0 : 8.0;
    bool distinct = false;
    for (std::int64_t i = 0; i < x.size(); ++i) {
      const double v = x.get_f64(i);
      REQUIRE(v >= -1.0);
      REQUIRE(v < 1.0);
      REQUIRE(v * scale == std::floor(v * scale));
      // Re-encoding the decoded value gives the same bits: the stored value is the exact one.
      REQUIRE(encode(t, v) == bits_at(x, i));
      distinct = distinct || v != x.get_f64(0);
    }
    CHECK(distinct);
    Tensor y(t, {4096});
    ir::fill_random(y, 7, 1);
    CHECK(std::memcmp(x.raw_bytes(), y.raw_bytes(), x.size_bytes()) == 0);
  }
}

TEST_CASE("golden GEMM of narrow floats: exact products, fp32 sums in ascending k", "[unit][golden][dtype]") {
  // C = Σ_k A[0][k]·B[k][0] with the products 1, 2^−24, 2^−24 (bf16 and fp16 hold 1 and 2^−12
  // exactly; the products are exact in fp32). Ascending k in fp32: 0 + 1 = 1; 1 + 2^−24 is the
  // midpoint of 1 (0x3F800000, even) and 1 + 2^−23, so it stays 1; again 1. Result 0x3F800000.
  // The exact sum, and the sum in reverse order (2^−24 + 2^−24 = 2^−23, then + 1), are
  // 1 + 2^−23 = 0x3F800001: the order shows in the last bit.
  const double e = std::ldexp(1.0, -12);
  for (DType t : {DType::bf16, DType::fp16}) {
    INFO(ir::dtype_name(t));
    const Tensor c = golden::gemm(vec(t, {1, 3}, {1, e, e}), vec(t, {3, 1}, {1, e, e}), DType::fp32);
    CHECK(fp32_bits(c.data<float>()[0]) == 0x3F800000u);
    // Reversed k: the small products first.
    const Tensor r = golden::gemm(vec(t, {1, 3}, {e, e, 1}), vec(t, {3, 1}, {e, e, 1}), DType::fp32);
    CHECK(fp32_bits(r.data<float>()[0]) == 0x3F800001u);
  }
  // E4M3: 8·8 = 64 and 2^−9·2^−9 = 2^−18, half of fp32's last place at 64 (2^6·2^−23 = 2^−17):
  // 64 + 2^−18 ties to 64 (0x42800000); reversed, 2^−17 + 64 = 64 + 2^−17 = 0x42800001.
  const double s9 = std::ldexp(1.0, -9);
  const Tensor c8 =
      golden::gemm(vec(DType::fp8_e4m3, {1, 3}, {8, s9, s9}), vec(DType::fp8_e4m3, {3, 1}, {8, s9, s9}), DType::fp32);
  CHECK(fp32_bits(c8.data<float>()[0]) == 0x42800000u);
  // E5M2: 2^−4·2^−4 = 2^−8 and 2^−16·2^−16 = 2^−32, half of the last place at 2^−8 (2^−31).
  const double a = std::ldexp(1.0, -4), s16 = std::ldexp(1.0, -16);
  const Tensor c5 = golden::gemm(vec(DType::fp8_e5m2, {1, 3}, {a, s16, s16}),
                                 vec(DType::fp8_e5m2, {3, 1}, {a, s16, s16}), DType::fp32);
  CHECK(fp32_bits(c5.data<float>()[0]) == 0x3B800000u);  // 2^−8: E = 119 = 0x77 → 0x3B800000
  // Mixed narrow operands are allowed; an integer operand or accumulator is not.
  CHECK(golden::gemm(vec(DType::bf16, {1, 1}, {3}), vec(DType::fp8_e4m3, {1, 1}, {0.5}), DType::fp32).get_f64(0) ==
        1.5);
  CHECK_THROWS_AS(golden::gemm(vec(DType::bf16, {1, 1}, {1}), vec(DType::int8, {1, 1}, {1}), DType::fp32),
                  std::invalid_argument);
  CHECK_THROWS_AS(golden::gemm(vec(DType::bf16, {1, 1}, {1}), vec(DType::bf16, {1, 1}, {1}), DType::bf16),
                  std::invalid_argument);
}
