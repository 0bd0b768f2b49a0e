/// The number formats of models/numeric/float_formats.hpp against oracles written here from the
/// format definitions (docs/numerics.md): a decoder from the formula
/// (-1)^s * 2^(e - bias) * (1 + m / 2^M), or 2^(1 - bias) * m / 2^M for e = 0, computed in double;
/// and a rounding oracle that takes the nearer of the two neighbouring values by comparing
/// distances in double, ties to the value whose last mantissa bit is 0. Neither uses the bit
/// arithmetic of the implementation.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "models/numeric/float_formats.hpp"

using namespace arraysim::numeric;

namespace {

float float_of(std::uint32_t b) {
  float x = 0;
  std::memcpy(&x, &b, sizeof x);
  return x;
}

std::uint32_t bits_of(float x) {
  std::uint32_t b = 0;
  std::memcpy(&b, &x, sizeof b);
  return b;
}

std::string hex(std::uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%X", static_cast<unsigned>(v));
  return buf;
}

std::string show(double x) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", x);
  return buf;
}

/// One format under test: its definition (for the oracles) and the functions that implement it.
struct FormatUnderTest {
  const char* name;
  int exp_bits;
  int man_bits;
  int bias;
  /// IEEE-like: the all-ones exponent holds infinities (mantissa 0) and NaNs. Otherwise (E4M3)
  /// only the all-ones exponent with the all-ones mantissa is NaN and there is no infinity.
  bool has_inf;
  /// True when the conversion takes a Saturation argument (fp8).
  bool has_saturation;
  std::uint32_t (*encode)(float, Saturation);
  float (*decode)(std::uint32_t);

  int total_bits() const { return 1 + exp_bits + man_bits; }
  std::uint32_t code_count() const { return 1u << total_bits(); }
  std::uint32_t sign_bit() const { return 1u << (total_bits() - 1); }
};

const FormatUnderTest e4m3{"E4M3",
                           4,
                           3,
                           7,
                           false,
                           true,
                           [](float x, Saturation s) -> std::uint32_t { return fp32_to_e4m3(x, s); },
                           [](std::uint32_t c) { return e4m3_to_fp32(static_cast<std::uint8_t>(c)); }};
const FormatUnderTest e5m2{"E5M2",
                           5,
                           2,
                           15,
                           true,
                           true,
                           [](float x, Saturation s) -> std::uint32_t { return fp32_to_e5m2(x, s); },
                           [](std::uint32_t c) { return e5m2_to_fp32(static_cast<std::uint8_t>(c)); }};
const FormatUnderTest fp16{"fp16",
                           5,
                           10,
                           15,
                           true,
                           false,
                           [](float x, Saturation) -> std::uint32_t { return fp32_to_fp16(x); },
                           [](std::uint32_t c) { return fp16_to_fp32(static_cast<std::uint16_t>(c)); }};
const FormatUnderTest bf16{"bf16",
                           8,
                           7,
                           127,
                           true,
                           false,
                           [](float x, Saturation) -> std::uint32_t { return fp32_to_bf16(x); },
                           [](std::uint32_t c) { return bf16_to_fp32(static_cast<std::uint16_t>(c)); }};

/// The value of `code` from the formula, in double (NaN for NaN codes, +-inf for infinities).
double formula_value(const FormatUnderTest& f, std::uint32_t code) {
  const std::uint32_t mantissa_count = 1u << f.man_bits;
  const std::uint32_t exponent_count = 1u << f.exp_bits;
  const bool negative = code / (mantissa_count * exponent_count) == 1;
  const std::uint32_t e = (code / mantissa_count) % exponent_count;
  const std::uint32_t m = code % mantissa_count;
  const double sign = negative ? -1.0 : 1.0;
  if (e == exponent_count - 1) {
    if (f.has_inf) return m == 0 ? sign * std::numeric_limits<double>::infinity() : std::nan("");
    if (m == mantissa_count - 1) return std::nan("");
  }
  const double fraction = static_cast<double>(m) / mantissa_count;
  if (e == 0) return sign * std::pow(2.0, 1 - f.bias) * fraction;
  return sign * std::pow(2.0, static_cast<int>(e) - f.bias) * (1.0 + fraction);
}

/// The non-negative finite values of a format, ascending, each with its code, and the value one
/// step past the largest (where the next code would be if the format went on).
struct ValueTable {
  std::vector<double> values;
  std::vector<std::uint32_t> codes;
  double beyond = 0;
  std::uint32_t beyond_code = 0;
};

ValueTable value_table(const FormatUnderTest& f) {
  ValueTable t;
  std::vector<std::pair<double, std::uint32_t>> pairs;
  for (std::uint32_t c = 0; c < f.sign_bit(); ++c) {
    const double v = formula_value(f, c);
    if (std::isfinite(v)) pairs.emplace_back(v, c);
  }
  std::sort(pairs.begin(), pairs.end());
  for (const auto& [v, c] : pairs) {
    t.values.push_back(v);
    t.codes.push_back(c);
  }
  // The top binade has equal spacing, so the value after the largest is largest + spacing; its
  // code is the next one up (E4M3: 0x7F, mantissa 111, odd; IEEE-like: infinity's code, mantissa 0).
  const std::size_t n = t.values.size();
  t.beyond = t.values[n - 1] + (t.values[n - 1] - t.values[n - 2]);
  t.beyond_code = t.codes[n - 1] + 1;
  return t;
}

/// The code nearest to x (finite, not NaN) by distance in double, ties to the even code (last
/// mantissa bit 0); std::nullopt when the nearest is past the largest finite value.
std::optional<std::uint32_t> nearest_code(const FormatUnderTest& f, const ValueTable& t, double x) {
  const std::uint32_t sign = std::signbit(x) ? f.sign_bit() : 0;
  const double ax = std::fabs(x);
  if (ax > t.beyond) return std::nullopt;
  const auto above = std::upper_bound(t.values.begin(), t.values.end(), ax);
  const std::size_t lo = static_cast<std::size_t>(above - t.values.begin()) - 1;
  if (t.values[lo] == ax) return sign | t.codes[lo];
  const bool hi_is_beyond = above == t.values.end();
  const double lo_value = t.values[lo];
  const double hi_value = hi_is_beyond ? t.beyond : *above;
  const std::uint32_t lo_code = t.codes[lo];
  const std::uint32_t hi_code = hi_is_beyond ? t.beyond_code : t.codes[lo + 1];
  const double lo_distance = ax - lo_value;
  const double hi_distance = hi_value - ax;
  bool take_hi = hi_distance < lo_distance;
  if (hi_distance == lo_distance) take_hi = hi_code % 2 == 0;
  if (!take_hi) return sign | lo_code;
  if (hi_is_beyond) return std::nullopt;
  return sign | hi_code;
}

/// The code a conversion gives for a value past the largest finite one.
std::uint32_t overflow_code(const FormatUnderTest& f, const ValueTable& t, Saturation mode, bool negative) {
  const std::uint32_t sign = negative ? f.sign_bit() : 0;
  if (mode == Saturation::saturate) return sign | t.codes.back();
  // Non-saturating: infinity (all-ones exponent, mantissa 0) or, for E4M3, its one NaN (all ones).
  return sign | t.beyond_code;
}

/// Counts disagreements and keeps the first, so a failing sweep reports one readable line.
struct Mismatches {
  long count = 0;
  std::string first;
  void add(const std::string& what) {
    if (count++ == 0) first = what;
  }
};

std::vector<Saturation> modes_of(const FormatUnderTest& f) {
  if (f.has_saturation) return {Saturation::saturate, Saturation::non_saturating};
  return {Saturation::non_saturating};
}

const char* mode_name(Saturation s) { return s == Saturation::saturate ? "saturate" : "non_saturating"; }

/// Checks f.encode(x) against the oracle in every mode the format has.
void check_against_oracle(const FormatUnderTest& f, const ValueTable& t, float x, Mismatches& bad) {
  const std::optional<std::uint32_t> nearest = nearest_code(f, t, static_cast<double>(x));
  for (Saturation mode : modes_of(f)) {
    const std::uint32_t expected = nearest ? *nearest : overflow_code(f, t, mode, std::signbit(x));
    const std::uint32_t got = f.encode(x, mode);
    if (got != expected) {
      bad.add(std::string(f.name) + " " + mode_name(mode) + ": " + show(x) + " (fp32 " + hex(bits_of(x)) + ") gave " +
              hex(got) + ", the nearest is " + hex(expected));
    }
  }
}

/// Every pair of adjacent values (of either sign, and the largest with the step past it): the
/// midpoint goes to the even code, and the fp32 neighbours of the midpoint go to the nearer value.
void check_midpoints(const FormatUnderTest& f) {
  const ValueTable t = value_table(f);
  Mismatches bad;
  long pairs = 0;
  for (std::size_t i = 0; i + 1 <= t.values.size(); ++i) {
    const bool last = i + 1 == t.values.size();
    const double a = t.values[i];
    const double b = last ? t.beyond : t.values[i + 1];
    const std::uint32_t b_code = last ? t.beyond_code : t.codes[i + 1];
    const double mid = (a + b) / 2;  // exact in double: a and b have at most 11 significant bits
    const float mid_f = static_cast<float>(mid);
    REQUIRE(static_cast<double>(mid_f) == mid);  // and in fp32 (fp32 has 24 bits, exponents to -149)
    ++pairs;
    // The oracle itself: the midpoint is a tie, won by the even code.
    const std::uint32_t even = t.codes[i] % 2 == 0 ? t.codes[i] : b_code;
    const std::optional<std::uint32_t> tie = nearest_code(f, t, mid);
    if ((tie ? *tie : t.beyond_code) != even) bad.add(std::string("oracle tie at ") + show(mid));
    for (double sign : {1.0, -1.0}) {
      const float m = static_cast<float>(sign * mid);
      check_against_oracle(f, t, m, bad);
      check_against_oracle(f, t, std::nextafter(m, std::numeric_limits<float>::infinity()), bad);
      check_against_oracle(f, t, std::nextafter(m, -std::numeric_limits<float>::infinity()), bad);
    }
  }
  INFO(f.name << ": " << bad.count << " disagreements over " << pairs << " pairs; first: " << bad.first);
  CHECK(bad.count == 0);
}

/// decode(encode(decode(code))) == decode(code) bit for bit (so -0 stays -0), NaN stays NaN, for
/// every code and every mode; except that saturating conversion turns an infinity into the largest
/// finite value of its sign (OCP OFP8 v1.0), so there an infinity comes back as +-max.
void check_round_trip(const FormatUnderTest& f) {
  const double max_finite = value_table(f).values.back();
  Mismatches bad;
  for (std::uint32_t c = 0; c < f.code_count(); ++c) {
    const float v = f.decode(c);
    for (Saturation mode : modes_of(f)) {
      const float again = f.decode(f.encode(v, mode));
      bool same = std::isnan(v) ? std::isnan(again) : bits_of(again) == bits_of(v);
      if (std::isinf(v) && mode == Saturation::saturate) {
        same = static_cast<double>(again) == (std::signbit(v) ? -max_finite : max_finite);
      }
      if (!same)
        bad.add(std::string(f.name) + " " + mode_name(mode) + ": code " + hex(c) + " -> " + show(v) + " -> " +
                show(again));
    }
  }
  INFO(bad.first);
  CHECK(bad.count == 0);
}

/// Every code decodes to the formula's value, bit for bit (signed zeros included); NaN codes give
/// NaN with the code's sign.
void check_decode_all(const FormatUnderTest& f) {
  Mismatches bad;
  for (std::uint32_t c = 0; c < f.code_count(); ++c) {
    const double want = formula_value(f, c);
    const float got = f.decode(c);
    const bool negative = c >= f.sign_bit();
    bool ok = false;
    if (std::isnan(want)) {
      ok = std::isnan(got) && std::signbit(got) == negative;
    } else {
      ok = static_cast<double>(got) == want && std::signbit(got) == negative;
    }
    if (!ok) bad.add(std::string(f.name) + ": code " + hex(c) + " gave " + show(got) + ", formula " + show(want));
  }
  INFO(bad.first);
  CHECK(bad.count == 0);
}

constexpr Saturation sat = Saturation::saturate;
constexpr Saturation nonsat = Saturation::non_saturating;
const float inf = std::numeric_limits<float>::infinity();

}  // namespace

TEST_CASE("numerics: every E4M3 and E5M2 code decodes to its formula value", "[unit][numerics]") {
  check_decode_all(e4m3);
  check_decode_all(e5m2);
}

TEST_CASE("numerics: every fp16 and bf16 code decodes to its formula value", "[unit][numerics]") {
  check_decode_all(fp16);
  check_decode_all(bf16);
}

TEST_CASE("numerics: hand-checked fp8 codes", "[unit][numerics]") {
  // E4M3: S.EEEE.MMM, bias 7; normal (1 + M/8) * 2^(E-7), subnormal (M/8) * 2^-6.
  CHECK(bits_of(e4m3_to_fp32(0x00)) == bits_of(0.0f));
  CHECK(bits_of(e4m3_to_fp32(0x80)) == bits_of(-0.0f));
  CHECK(e4m3_to_fp32(0x01) == 0.001953125f);  // 1/8 * 2^-6 = 2^-9, the smallest subnormal
  CHECK(e4m3_to_fp32(0x07) == 0.013671875f);  // 7/8 * 2^-6 = 7 * 2^-9, the largest subnormal
  CHECK(e4m3_to_fp32(0x08) == 0.015625f);     // E=1, M=0: 2^(1-7) = 2^-6, the smallest normal
  CHECK(e4m3_to_fp32(0x38) == 1.0f);          // E=7, M=0: 2^0
  CHECK(e4m3_to_fp32(0x3C) == 1.5f);          // E=7, M=4: 1 + 4/8
  CHECK(e4m3_to_fp32(0x77) == 240.0f);        // E=14, M=7: 1.875 * 2^7
  CHECK(e4m3_to_fp32(0x78) == 256.0f);        // E=15, M=0: 2^8 (the top exponent holds numbers)
  CHECK(e4m3_to_fp32(0x7E) == 448.0f);        // E=15, M=6: 1.75 * 2^8, the largest
  CHECK(e4m3_to_fp32(0xFE) == -448.0f);       // the same with the sign set
  CHECK(std::isnan(e4m3_to_fp32(0x7F)));      // S.1111.111: the only NaN
  CHECK(std::isnan(e4m3_to_fp32(0xFF)));      // and its negative twin
  CHECK(std::signbit(e4m3_to_fp32(0xFF)));
  // E5M2: S.EEEEE.MM, bias 15; normal (1 + M/4) * 2^(E-15), subnormal (M/4) * 2^-14.
  CHECK(e5m2_to_fp32(0x01) == 0.0000152587890625f);  // 1/4 * 2^-14 = 2^-16, the smallest subnormal
  CHECK(e5m2_to_fp32(0x04) == 0.00006103515625f);    // E=1, M=0: 2^-14, the smallest normal
  CHECK(e5m2_to_fp32(0x3C) == 1.0f);                 // E=15, M=0
  CHECK(e5m2_to_fp32(0xC0) == -2.0f);                // sign, E=16, M=0
  CHECK(e5m2_to_fp32(0x7B) == 57344.0f);             // E=30, M=3: 1.75 * 2^15, the largest
  CHECK(e5m2_to_fp32(0x7C) == inf);                  // E=31, M=0
  CHECK(e5m2_to_fp32(0xFC) == -inf);
  for (std::uint8_t nan : {0x7D, 0x7E, 0x7F, 0xFD, 0xFE, 0xFF}) CHECK(std::isnan(e5m2_to_fp32(nan)));
}

TEST_CASE("numerics: hand-checked fp16 and bf16 codes", "[unit][numerics]") {
  // fp16: S.EEEEE.MMMMMMMMMM, bias 15.
  CHECK(fp16_to_fp32(0x3C00) == 1.0f);                         // E=15, M=0
  CHECK(fp16_to_fp32(0x7BFF) == 65504.0f);                     // E=30, M=1023: (2 - 2^-10) * 2^15
  CHECK(fp16_to_fp32(0x0400) == 0.00006103515625f);            // E=1: 2^-14, the smallest normal
  CHECK(fp16_to_fp32(0x0001) == 0.000000059604644775390625f);  // 2^-10 * 2^-14 = 2^-24
  CHECK(fp16_to_fp32(0x7C00) == inf);
  CHECK(fp16_to_fp32(0xFC00) == -inf);
  CHECK(std::isnan(fp16_to_fp32(0x7E00)));
  // bf16: the upper half of an fp32.
  CHECK(bf16_to_fp32(0x3F80) == 1.0f);                    // fp32 0x3F800000
  CHECK(bf16_to_fp32(0xC040) == -3.0f);                   // fp32 0xC0400000
  CHECK(bf16_to_fp32(0x7F7F) == float_of(0x7F7F0000u));   // (2 - 2^-7) * 2^127, the largest
  CHECK(bf16_to_fp32(0x0001) == std::ldexp(1.0f, -133));  // 2^-7 * 2^-126
  CHECK(bf16_to_fp32(0x7F80) == inf);
}

TEST_CASE("numerics: hand-checked conversions from fp32", "[unit][numerics]") {
  // 0.1f = 1.6000000238 * 2^-4. E4M3: M = 0.6 * 8 = 4.8 -> 5, E = -4 + 7 = 3: 0.0011.101 = 0x1D
  // (= 1.625 * 2^-4 = 0.1015625). E5M2: M = 0.6 * 4 = 2.4 -> 2, E = 11: 0.01011.10 = 0x2E (0.09375).
  CHECK(fp32_to_e4m3(0.1f, sat) == 0x1D);
  CHECK(fp32_to_e5m2(0.1f, sat) == 0x2E);
  // fp16: M = 0.6 * 1024 = 614.4 -> 614 = 0x266, E = 11: 0.01011.1001100110 = 0x2E66.
  CHECK(fp32_to_fp16(0.1f) == 0x2E66);
  // bf16: 0.1f = 0x3DCCCCCD; the lower half 0xCCCD is above half (0x8000): 0x3DCC + 1 = 0x3DCD.
  CHECK(fp32_to_bf16(0.1f) == 0x3DCD);
  // 1/3 = 0x3EAAAAAB: lower half 0xAAAB > 0x8000 -> 0x3EAB. fp16: 1/3 = 1.333 * 2^-2,
  // M = 0.333 * 1024 = 341.3 -> 341 = 0x155, E = -2 + 15 = 13: 0.01101.0101010101 = 0x3555.
  CHECK(fp32_to_bf16(1.0f / 3) == 0x3EAB);
  CHECK(fp32_to_fp16(1.0f / 3) == 0x3555);
  // Ties. E4M3 in [16, 32) steps by 2: 17 is between 16 (M=0) and 18 (M=1) -> 16 = 0.1011.000 = 0x58;
  // 19 is between 18 (M=1) and 20 (M=2) -> 20 = 0x5A.
  CHECK(fp32_to_e4m3(17.0f, sat) == 0x58);
  CHECK(fp32_to_e4m3(19.0f, sat) == 0x5A);
  // E5M2 in [1, 2) steps by 0.25: 1.125 -> 1.0 (M=0) = 0x3C; 1.375 -> 1.5 (M=2) = 0x3E.
  CHECK(fp32_to_e5m2(1.125f, sat) == 0x3C);
  CHECK(fp32_to_e5m2(1.375f, sat) == 0x3E);
  // fp16 in [2048, 4096) steps by 2: 2049 -> 2048 (0x6800, M=0); 2051 -> 2052 (0x6802, M=2).
  CHECK(fp32_to_fp16(2049.0f) == 0x6800);
  CHECK(fp32_to_fp16(2051.0f) == 0x6802);
  // bf16 in [256, 512) steps by 2: 257 -> 256 (0x4380); 259 -> 260 (0x4382).
  CHECK(fp32_to_bf16(257.0f) == 0x4380);
  CHECK(fp32_to_bf16(259.0f) == 0x4382);
}

TEST_CASE("numerics: decode(encode(decode(c))) == decode(c) for every fp8 code", "[unit][numerics]") {
  check_round_trip(e4m3);
  check_round_trip(e5m2);
}

TEST_CASE("numerics: decode(encode(decode(c))) == decode(c) for all 65536 fp16 and bf16 codes", "[unit][numerics]") {
  check_round_trip(fp16);
  check_round_trip(bf16);
}

TEST_CASE("numerics: E4M3 midpoints go to the even value, their fp32 neighbours to the nearer", "[unit][numerics]") {
  check_midpoints(e4m3);
}

TEST_CASE("numerics: E5M2 midpoints go to the even value, their fp32 neighbours to the nearer", "[unit][numerics]") {
  check_midpoints(e5m2);
}

TEST_CASE("numerics: fp16 midpoints go to the even value, their fp32 neighbours to the nearer", "[unit][numerics]") {
  check_midpoints(fp16);  // all 31744 pairs of adjacent non-negative values, both signs
}

TEST_CASE("numerics: bf16 midpoints go to the even value, their fp32 neighbours to the nearer", "[unit][numerics]") {
  check_midpoints(bf16);  // all 32640 pairs, both signs
}

TEST_CASE("numerics: fp32 inputs across the whole range agree with the nearest-value oracle", "[unit][numerics]") {
  // Every 9973rd fp32 bit pattern (a prime stride, so every exponent and many mantissas are hit:
  // about 430000 inputs), finite ones only: NaN and infinity are checked by hand below.
  for (const FormatUnderTest* f : {&e4m3, &e5m2, &fp16, &bf16}) {
    const ValueTable t = value_table(*f);
    Mismatches bad;
    long checked = 0;
    for (std::uint64_t b = 0; b <= 0xFFFFFFFFu; b += 9973) {
      const float x = float_of(static_cast<std::uint32_t>(b));
      if (!std::isfinite(x)) continue;
      check_against_oracle(*f, t, x, bad);
      ++checked;
    }
    INFO(f->name << ": " << bad.count << " disagreements over " << checked << " inputs; first: " << bad.first);
    CHECK(bad.count == 0);
  }
}

TEST_CASE("numerics: overflow, saturation and infinities", "[unit][numerics]") {
  // The documented default for fp8 (docs/numerics.md): saturate, as NVIDIA's and AMD's fp8 conversions do.
  CHECK(default_fp8_saturation == Saturation::saturate);
  // E4M3: past 448 the next step would be 480 (E=15, M=7, the NaN code); the midpoint 464 ties to
  // 448 (M=6 is even), anything above 464 overflows: NaN when non-saturating, 448 when saturating.
  CHECK(fp32_to_e4m3(448.0f, nonsat) == 0x7E);
  CHECK(fp32_to_e4m3(460.0f, nonsat) == 0x7E);
  CHECK(fp32_to_e4m3(464.0f, nonsat) == 0x7E);
  CHECK(fp32_to_e4m3(std::nextafter(464.0f, inf), nonsat) == 0x7F);
  CHECK(fp32_to_e4m3(std::nextafter(464.0f, inf), sat) == 0x7E);
  CHECK(fp32_to_e4m3(-1.0e6f, nonsat) == 0xFF);
  CHECK(fp32_to_e4m3(-1.0e6f, sat) == 0xFE);
  CHECK(fp32_to_e4m3(std::numeric_limits<float>::max(), sat) == 0x7E);
  CHECK(fp32_to_e4m3(inf, nonsat) == 0x7F);  // no infinity in E4M3: NaN
  CHECK(fp32_to_e4m3(-inf, nonsat) == 0xFF);
  CHECK(fp32_to_e4m3(inf, sat) == 0x7E);  // saturating: the largest finite value, sign kept
  CHECK(fp32_to_e4m3(-inf, sat) == 0xFE);
  // E5M2: past 57344 (M=3, odd) comes 65536 (infinity's place, M=0, even); the midpoint 61440
  // ties to infinity.
  CHECK(fp32_to_e5m2(57344.0f, nonsat) == 0x7B);
  CHECK(fp32_to_e5m2(std::nextafter(61440.0f, 0.0f), nonsat) == 0x7B);
  CHECK(fp32_to_e5m2(61440.0f, nonsat) == 0x7C);
  CHECK(fp32_to_e5m2(61440.0f, sat) == 0x7B);
  CHECK(fp32_to_e5m2(-1.0e6f, nonsat) == 0xFC);
  CHECK(fp32_to_e5m2(-1.0e6f, sat) == 0xFB);
  CHECK(fp32_to_e5m2(inf, nonsat) == 0x7C);
  CHECK(fp32_to_e5m2(-inf, nonsat) == 0xFC);
  CHECK(fp32_to_e5m2(inf, sat) == 0x7B);
  CHECK(fp32_to_e5m2(-inf, sat) == 0xFB);
  // fp16: past 65504 (M=1023, odd) comes 65536 (even); the midpoint 65520 goes to infinity.
  CHECK(fp32_to_fp16(65504.0f) == 0x7BFF);
  CHECK(fp32_to_fp16(65519.0f) == 0x7BFF);
  CHECK(fp32_to_fp16(65520.0f) == 0x7C00);
  CHECK(fp32_to_fp16(-std::numeric_limits<float>::max()) == 0xFC00);
  CHECK(fp32_to_fp16(inf) == 0x7C00);
  CHECK(fp32_to_fp16(-inf) == 0xFC00);
  // bf16: the largest is fp32 0x7F7F0000; 0x7F7F8000 is the midpoint to 2^128 and ties up (0x7F7F
  // is odd) to infinity, as does FLT_MAX = 0x7F7FFFFF; 0x7F7F7FFF stays below.
  CHECK(fp32_to_bf16(float_of(0x7F7F7FFFu)) == 0x7F7F);
  CHECK(fp32_to_bf16(float_of(0x7F7F8000u)) == 0x7F80);
  CHECK(fp32_to_bf16(std::numeric_limits<float>::max()) == 0x7F80);
  CHECK(fp32_to_bf16(-inf) == 0xFF80);
}

TEST_CASE("numerics: NaN in gives a quiet NaN of the same sign", "[unit][numerics]") {
  const float qnan = float_of(0x7FC00000u);
  const float neg_qnan = float_of(0xFFC00000u);
  const float snan = float_of(0x7F800001u);  // signalling, payload only in the low bits
  for (Saturation mode : {sat, nonsat}) {
    CHECK(fp32_to_e4m3(qnan, mode) == 0x7F);  // S.1111.111, the only NaN
    CHECK(fp32_to_e4m3(neg_qnan, mode) == 0xFF);
    CHECK(fp32_to_e4m3(snan, mode) == 0x7F);
    CHECK(fp32_to_e5m2(qnan, mode) == 0x7E);  // S.11111.10: the quiet bit (mantissa MSB) set
    CHECK(fp32_to_e5m2(neg_qnan, mode) == 0xFE);
    CHECK(fp32_to_e5m2(snan, mode) == 0x7E);
  }
  CHECK(fp32_to_fp16(qnan) == 0x7E00);
  CHECK(fp32_to_fp16(neg_qnan) == 0xFE00);
  CHECK(fp32_to_fp16(snan) == 0x7E00);
  CHECK(fp32_to_bf16(qnan) == 0x7FC0);
  CHECK(fp32_to_bf16(neg_qnan) == 0xFFC0);
  CHECK(fp32_to_bf16(snan) == 0x7FC0);                   // truncation alone would give 0x7F80, infinity
  CHECK(fp32_to_bf16(float_of(0x7FA00000u)) == 0x7FE0);  // upper payload kept, quiet bit 0x0040 set
  // Decoded NaNs are quiet fp32 NaNs with the sign of the code.
  for (float x : {e4m3_to_fp32(0xFF), e5m2_to_fp32(0xFD), fp16_to_fp32(0xFC01)}) {
    CHECK(std::isnan(x));
    CHECK(std::signbit(x));
    CHECK((bits_of(x) & 0x00400000u) != 0);
  }
}

TEST_CASE("numerics: signed zeros, fp32 subnormals and the smallest subnormal's half-way point", "[unit][numerics]") {
  for (Saturation mode : {sat, nonsat}) {
    CHECK(fp32_to_e4m3(0.0f, mode) == 0x00);
    CHECK(fp32_to_e4m3(-0.0f, mode) == 0x80);
    CHECK(fp32_to_e5m2(-0.0f, mode) == 0x80);
  }
  CHECK(fp32_to_fp16(-0.0f) == 0x8000);
  CHECK(fp32_to_bf16(-0.0f) == 0x8000);
  // The smallest fp32 subnormal, 2^-149, is below half of every target's smallest subnormal:
  // it becomes a zero of its sign.
  const float tiny = float_of(0x00000001u);
  CHECK(fp32_to_e4m3(tiny, sat) == 0x00);
  CHECK(fp32_to_e4m3(-tiny, sat) == 0x80);
  CHECK(fp32_to_e5m2(-tiny, nonsat) == 0x80);
  CHECK(fp32_to_fp16(-tiny) == 0x8000);
  CHECK(fp32_to_bf16(tiny) == 0x0000);
  // E4M3's smallest subnormal is 2^-9; 2^-10 is the tie between 0 (even) and 2^-9 (M=1): zero.
  // One fp32 step above goes to 2^-9, one below to zero; 1.5 * 2^-9 ties to 2^-8 (M=2).
  const float e4m3_half = std::ldexp(1.0f, -10);
  CHECK(fp32_to_e4m3(e4m3_half, sat) == 0x00);
  CHECK(fp32_to_e4m3(-e4m3_half, sat) == 0x80);
  CHECK(fp32_to_e4m3(std::nextafter(e4m3_half, 1.0f), sat) == 0x01);
  CHECK(fp32_to_e4m3(-std::nextafter(e4m3_half, 1.0f), sat) == 0x81);
  CHECK(fp32_to_e4m3(std::nextafter(e4m3_half, 0.0f), sat) == 0x00);
  CHECK(fp32_to_e4m3(1.5f * std::ldexp(1.0f, -9), sat) == 0x02);
  // E5M2: smallest subnormal 2^-16, half-way 2^-17.
  const float e5m2_half = std::ldexp(1.0f, -17);
  CHECK(fp32_to_e5m2(e5m2_half, sat) == 0x00);
  CHECK(fp32_to_e5m2(std::nextafter(e5m2_half, 1.0f), sat) == 0x01);
  // fp16: smallest subnormal 2^-24, half-way 2^-25.
  const float fp16_half = std::ldexp(1.0f, -25);
  CHECK(fp32_to_fp16(fp16_half) == 0x0000);
  CHECK(fp32_to_fp16(std::nextafter(fp16_half, 1.0f)) == 0x0001);
  CHECK(fp32_to_fp16(-std::nextafter(fp16_half, 1.0f)) == 0x8001);
  // fp16: 1023.5 * 2^-24 lies between the largest subnormal (1023 * 2^-24, odd) and the smallest
  // normal (1024 * 2^-24 = 2^-14, 0x0400, even): the tie carries into the exponent.
  CHECK(fp32_to_fp16(1023.5f * std::ldexp(1.0f, -24)) == 0x0400);
  // bf16 keeps fp32's exponent range, so fp32 subnormals land on bf16 subnormals (steps of 2^-133):
  // 0x00008000 = 2^-134 ties to 0; 0x00008001 is just above: 0x0001; 0x00018000 = 1.5 * 2^-133
  // ties to 2 * 2^-133 (0x0002, even); 0x00028000 = 2.5 * 2^-133 ties to 0x0002; the largest fp32
  // subnormal 0x007FFFFF rounds up into the smallest normal 2^-126 = 0x0080.
  CHECK(fp32_to_bf16(float_of(0x00008000u)) == 0x0000);
  CHECK(fp32_to_bf16(float_of(0x00008001u)) == 0x0001);
  CHECK(fp32_to_bf16(float_of(0x00018000u)) == 0x0002);
  CHECK(fp32_to_bf16(float_of(0x00028000u)) == 0x0002);
  CHECK(fp32_to_bf16(float_of(0x807FFFFFu)) == 0x8080);
}

TEST_CASE("numerics: int4 pack and unpack of every byte, and clamping", "[unit][numerics]") {
  // Oracle: a nibble n in 0..15 is the two's complement value n for n < 8 and n - 16 otherwise.
  for (int byte = 0; byte < 256; ++byte) {
    const int lo_nibble = byte % 16;
    const int hi_nibble = byte / 16;
    const int lo = lo_nibble < 8 ? lo_nibble : lo_nibble - 16;
    const int hi = hi_nibble < 8 ? hi_nibble : hi_nibble - 16;
    const auto b = static_cast<std::uint8_t>(byte);
    CHECK(unpack_int4(b, 0) == lo);
    CHECK(unpack_int4(b, 1) == hi);
    CHECK(pack_int4(static_cast<std::int8_t>(lo), static_cast<std::int8_t>(hi)) == byte);
  }
  CHECK(pack_int4(-1, 7) == 0x7F);  // lo -1 = 0xF, hi 7 = 0x7
  CHECK(pack_int4(-8, 1) == 0x18);  // lo -8 = 0x8, hi 1 = 0x1
  CHECK_THROWS_AS(pack_int4(8, 0), std::out_of_range);
  CHECK_THROWS_AS(pack_int4(0, -9), std::out_of_range);
  CHECK_THROWS_AS(unpack_int4(0x12, 2), std::out_of_range);
  CHECK_THROWS_AS(unpack_int4(0x12, -1), std::out_of_range);
  CHECK(to_int4(-9) == -8);
  CHECK(to_int4(-8) == -8);
  CHECK(to_int4(0) == 0);
  CHECK(to_int4(7) == 7);
  CHECK(to_int4(8) == 7);
  CHECK(to_int4(std::numeric_limits<std::int64_t>::max()) == 7);
  CHECK(to_int4(std::numeric_limits<std::int64_t>::min()) == -8);
}
