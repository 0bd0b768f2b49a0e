#pragma once
/// Conversions between fp32 and the narrow number formats of DNN accelerators: bfloat16, IEEE
/// binary16 (fp16), the two OCP 8-bit floating-point formats (E4M3, E5M2) and packed int4.
/// Every conversion from fp32 rounds to nearest, ties to even; every conversion to fp32 is exact.
/// docs/numerics.md describes each format, with its sources.
#include <cstdint>

namespace arraysim::numeric {

/// What a conversion to fp8 does with a finite value too large for the format (judged after
/// rounding) and with an infinity. NaN stays NaN in both modes.
/// - saturate: the result is the largest finite value of the format with the input's sign
///   (E4M3 +-448, E5M2 +-57344).
/// - non_saturating: E5M2 gives +-infinity; E4M3, which has no infinity, gives NaN (OCP OFP8 v1.0).
enum class Saturation { saturate, non_saturating };

/// The mode the simulator uses for fp8 conversions unless told otherwise: saturate. The OCP OFP8
/// spec v1.0 defines both modes; NVIDIA's PTX converts fp32 to fp8 only with `.satfinite`, and
/// AMD's Composable Kernel uses saturating conversion for its OCP fp8 types by default.
constexpr Saturation default_fp8_saturation = Saturation::saturate;

/// fp32 -> bfloat16 (1 sign, 8 exponent bits, bias 127, 7 mantissa bits: the upper half of an
/// fp32). Overflow gives +-infinity; NaN gives a quiet NaN keeping the sign and upper payload.
std::uint16_t fp32_to_bf16(float x);
/// bfloat16 -> fp32, exact (the 16 bits become the upper half of the fp32).
float bf16_to_fp32(std::uint16_t bits);

/// fp32 -> IEEE binary16 (1 sign, 5 exponent bits, bias 15, 10 mantissa bits; max 65504,
/// subnormals down to 2^-24). Overflow gives +-infinity; NaN gives the quiet NaN 0x7E00 with the sign.
std::uint16_t fp32_to_fp16(float x);
/// IEEE binary16 -> fp32, exact.
float fp16_to_fp32(std::uint16_t bits);

/// fp32 -> OCP E4M3 (1 sign, 4 exponent bits, bias 7, 3 mantissa bits; max 448, subnormals down
/// to 2^-9; no infinity; NaN only S.1111.111). NaN gives S.1111.111 with the input's sign.
std::uint8_t fp32_to_e4m3(float x, Saturation mode);
/// OCP E4M3 -> fp32, exact; S.1111.111 gives a quiet NaN with that sign.
float e4m3_to_fp32(std::uint8_t bits);

/// fp32 -> OCP E5M2 (1 sign, 5 exponent bits, bias 15, 2 mantissa bits; max 57344, subnormals
/// down to 2^-16; IEEE-like infinities S.11111.00 and NaNs S.11111.{01,10,11}). NaN gives the quiet
/// NaN S.11111.10 with the input's sign.
std::uint8_t fp32_to_e5m2(float x, Saturation mode);
/// OCP E5M2 -> fp32, exact; infinities and NaNs keep their sign.
float e5m2_to_fp32(std::uint8_t bits);

/// Tensor element types of the narrow floating-point formats: the format's bit pattern, with an
/// exact conversion to fp32 (`static_cast<float>(x)`). Converting from fp32 is `from_fp32`, which
/// rounds to nearest, ties to even (fp8: saturating, default_fp8_saturation).
struct Bf16 {
  std::uint16_t bits;
  explicit operator float() const { return bf16_to_fp32(bits); }
  static Bf16 from_fp32(float x) { return {fp32_to_bf16(x)}; }
};
/// IEEE binary16 element (see Bf16).
struct Fp16 {
  std::uint16_t bits;
  explicit operator float() const { return fp16_to_fp32(bits); }
  static Fp16 from_fp32(float x) { return {fp32_to_fp16(x)}; }
};
/// OCP E4M3 element (see Bf16).
struct Fp8E4M3 {
  std::uint8_t bits;
  explicit operator float() const { return e4m3_to_fp32(bits); }
  static Fp8E4M3 from_fp32(float x) { return {fp32_to_e4m3(x, default_fp8_saturation)}; }
};
/// OCP E5M2 element (see Bf16).
struct Fp8E5M2 {
  std::uint8_t bits;
  explicit operator float() const { return e5m2_to_fp32(bits); }
  static Fp8E5M2 from_fp32(float x) { return {fp32_to_e5m2(x, default_fp8_saturation)}; }
};

/// fp32 nearest to `x` under round-to-odd: x itself when it is an fp32 value, otherwise the one of
/// its two fp32 neighbours whose last significand bit is 1. Rounding this once more to a format at
/// least two bits narrower than fp32 gives the same result as rounding `x` directly (no double
/// rounding), which is how a double is converted to the narrow formats.
float fp64_to_fp32_round_to_odd(double x);

/// Two int4 values in one byte: `lo` in bits 0-3, `hi` in bits 4-7, each in two's complement.
/// Both must lie in [-8, 7]; anything else throws std::out_of_range.
std::uint8_t pack_int4(std::int8_t lo, std::int8_t hi);
/// The int4 value in nibble `which` of `byte` (0: bits 0-3, 1: bits 4-7), sign-extended to
/// [-8, 7]. A `which` other than 0 or 1 throws std::out_of_range.
std::int8_t unpack_int4(std::uint8_t byte, int which);
/// `v` clamped to the int4 range [-8, 7].
std::int8_t to_int4(std::int64_t v);

}  // namespace arraysim::numeric
