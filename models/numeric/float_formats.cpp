#include "models/numeric/float_formats.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <string>

namespace arraysim::numeric {

namespace {

/// A binary floating-point format of 1 + exp_bits + man_bits bits, as codes of its magnitude.
struct Format {
  int exp_bits;
  int man_bits;
  int bias;
  /// True when the all-ones exponent holds only infinities (mantissa 0) and NaNs (IEEE-like).
  bool ieee_specials;
  /// Magnitude code of the largest finite value.
  std::uint32_t max_finite;
  /// Magnitude code of infinity (only with ieee_specials).
  std::uint32_t inf;
  /// Magnitude code of the quiet NaN a conversion produces.
  std::uint32_t nan;
};

// bf16: max (2 - 2^-7) * 2^127 = 0x7F7F, inf 0x7F80, quiet NaN 0x7FC0.
constexpr Format bf16_format{8, 7, 127, true, 0x7F7F, 0x7F80, 0x7FC0};
// fp16: max (2 - 2^-10) * 2^15 = 65504 = 0x7BFF, inf 0x7C00, quiet NaN 0x7E00.
constexpr Format fp16_format{5, 10, 15, true, 0x7BFF, 0x7C00, 0x7E00};
// E4M3: max 1.75 * 2^8 = 448 = 0x7E; 0x7F is NaN; no infinity.
constexpr Format e4m3_format{4, 3, 7, false, 0x7E, 0, 0x7F};
// E5M2: max 1.75 * 2^15 = 57344 = 0x7B, inf 0x7C, quiet NaN 0x7E (mantissa MSB set).
constexpr Format e5m2_format{5, 2, 15, true, 0x7B, 0x7C, 0x7E};

std::uint32_t bits_of(float x) {
  std::uint32_t b = 0;
  std::memcpy(&b, &x, sizeof b);
  return b;
}

float float_of(std::uint32_t b) {
  float x = 0;
  std::memcpy(&x, &b, sizeof x);
  return x;
}

/// Rounds a finite, non-zero fp32 magnitude (its bits, sign clear) to nearest, ties to even, in
/// `f`. Returns the magnitude code; a value past the largest finite one gives a code above
/// f.max_finite (the caller decides between infinity, NaN and saturation).
std::uint32_t round_magnitude(std::uint32_t abs_bits, const Format& f) {
  const std::uint32_t exp_field = abs_bits >> 23;
  const std::uint32_t fraction = abs_bits & 0x7FFFFFu;
  // |x| = m * 2^e2 exactly: normals carry the implicit bit, fp32 subnormals have exponent -149.
  const std::uint64_t m = exp_field == 0 ? fraction : (fraction | 0x800000u);
  const int e2 = exp_field == 0 ? -149 : static_cast<int>(exp_field) - 150;
  // e = floor(log2 |x|).
  const int e = e2 + (31 - __builtin_clz(static_cast<std::uint32_t>(m)));
  const int emin = 1 - f.bias;
  const int binade = std::max(e, emin);
  // Near |x| the representable values of f are the multiples of 2^(binade - man_bits).
  const int shift = binade - f.man_bits - e2;
  std::uint64_t q = 0;
  if (shift <= 0) {
    q = m << -shift;
  } else if (shift < 40) {
    const std::uint64_t rest = m & ((std::uint64_t{1} << shift) - 1);
    const std::uint64_t half = std::uint64_t{1} << (shift - 1);
    q = m >> shift;
    if (rest > half || (rest == half && (q & 1) != 0)) ++q;
  }
  // (otherwise |x| < 2^24 * 2^e2 <= half the spacing: q = 0.)
  // Code = (biased exponent << man_bits) + mantissa = ((binade - emin) << man_bits) + q, since a
  // normal q holds the implicit bit 2^man_bits and a subnormal q is below it. A q rounded up to
  // 2^(man_bits + 1) carries into the exponent, which is the correct next binade.
  return (static_cast<std::uint32_t>(binade - emin) << f.man_bits) + static_cast<std::uint32_t>(q);
}

std::uint32_t encode(float x, const Format& f, Saturation mode) {
  const std::uint32_t b = bits_of(x);
  const std::uint32_t sign = (b >> 31) << (f.exp_bits + f.man_bits);
  const std::uint32_t abs_bits = b & 0x7FFFFFFFu;
  const std::uint32_t overflow = mode == Saturation::saturate ? f.max_finite : (f.ieee_specials ? f.inf : f.nan);
  if (abs_bits > 0x7F800000u) return sign | f.nan;
  if (abs_bits == 0x7F800000u) return sign | overflow;
  if (abs_bits == 0) return sign;
  const std::uint32_t code = round_magnitude(abs_bits, f);
  return sign | (code > f.max_finite ? overflow : code);
}

float decode(std::uint32_t code, const Format& f) {
  const int total_bits = 1 + f.exp_bits + f.man_bits;
  const bool negative = ((code >> (total_bits - 1)) & 1) != 0;
  const std::uint32_t magnitude = code & ((1u << (total_bits - 1)) - 1);
  const std::uint32_t exp_field = magnitude >> f.man_bits;
  const std::uint32_t mantissa = magnitude & ((1u << f.man_bits) - 1);
  const bool is_nan = f.ieee_specials ? (exp_field == (1u << f.exp_bits) - 1 && mantissa != 0) : magnitude == f.nan;
  if (is_nan) {
    // A quiet fp32 NaN with the sign, the mantissa bits at the top of the fp32 fraction.
    return float_of((negative ? 0x80000000u : 0u) | 0x7FC00000u | (mantissa << (23 - f.man_bits)));
  }
  float value = 0;
  if (f.ieee_specials && exp_field == (1u << f.exp_bits) - 1) {
    value = float_of(0x7F800000u);
  } else if (exp_field == 0) {
    // Subnormal: mantissa * 2^(emin - man_bits), emin = 1 - bias.
    value = std::ldexp(static_cast<float>(mantissa), 1 - f.bias - f.man_bits);
  } else {
    // Normal: (2^man_bits + mantissa) * 2^(exp_field - bias - man_bits).
    value = std::ldexp(static_cast<float>((1u << f.man_bits) + mantissa),
                       static_cast<int>(exp_field) - f.bias - f.man_bits);
  }
  return negative ? -value : value;
}

}  // namespace

std::uint16_t fp32_to_bf16(float x) {
  const std::uint32_t b = bits_of(x);
  // NaN keeps its sign and upper payload; the quiet bit makes sure it stays a NaN when the payload
  // lay only in the lower 16 bits.
  if ((b & 0x7FFFFFFFu) > 0x7F800000u) return static_cast<std::uint16_t>((b >> 16) | 0x0040u);
  return static_cast<std::uint16_t>(encode(x, bf16_format, Saturation::non_saturating));
}

float bf16_to_fp32(std::uint16_t bits) { return float_of(static_cast<std::uint32_t>(bits) << 16); }

std::uint16_t fp32_to_fp16(float x) {
  return static_cast<std::uint16_t>(encode(x, fp16_format, Saturation::non_saturating));
}

float fp16_to_fp32(std::uint16_t bits) { return decode(bits, fp16_format); }

std::uint8_t fp32_to_e4m3(float x, Saturation mode) { return static_cast<std::uint8_t>(encode(x, e4m3_format, mode)); }

float e4m3_to_fp32(std::uint8_t bits) { return decode(bits, e4m3_format); }

std::uint8_t fp32_to_e5m2(float x, Saturation mode) { return static_cast<std::uint8_t>(encode(x, e5m2_format, mode)); }

float e5m2_to_fp32(std::uint8_t bits) { return decode(bits, e5m2_format); }

std::uint8_t pack_int4(std::int8_t lo, std::int8_t hi) {
  if (lo < -8 || lo > 7 || hi < -8 || hi > 7) {
    throw std::out_of_range("pack_int4: values " + std::to_string(lo) + " and " + std::to_string(hi) +
                            " must both lie in the int4 range [-8, 7] (to_int4 clamps)");
  }
  // The low four bits of a two's complement int8 in [-8, 7] are its int4 encoding.
  return static_cast<std::uint8_t>((static_cast<unsigned>(lo) & 0xFu) | ((static_cast<unsigned>(hi) & 0xFu) << 4));
}

std::int8_t unpack_int4(std::uint8_t byte, int which) {
  if (which != 0 && which != 1) {
    throw std::out_of_range("unpack_int4: nibble " + std::to_string(which) + " must be 0 (bits 0-3) or 1 (bits 4-7)");
  }
  const int nibble = (byte >> (4 * which)) & 0xF;
  // Sign extension: nibbles 8..15 are -8..-1.
  return static_cast<std::int8_t>(nibble >= 8 ? nibble - 16 : nibble);
}

std::int8_t to_int4(std::int64_t v) { return static_cast<std::int8_t>(std::clamp<std::int64_t>(v, -8, 7)); }

float fp64_to_fp32_round_to_odd(double x) {
  const float nearest = static_cast<float>(x);
  if (std::isnan(x) || std::isinf(nearest) || static_cast<double>(nearest) == x) return nearest;
  // The fp32 value toward zero from x, then its odd neighbour: the truncation if it is odd, the
  // next value away from zero (still on x's side of the following one) if it is even.
  std::uint32_t b = bits_of(nearest);
  if (std::fabs(static_cast<double>(nearest)) > std::fabs(x)) --b;  // magnitude one step down
  return float_of(b | 1u);
}

}  // namespace arraysim::numeric
