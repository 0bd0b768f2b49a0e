#pragma once
/// Element data types carried through the golden model and the simulator.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace arraysim::ir {

/// Element type of a tensor. Spellings equal the YAML spelling. bf16, fp16, fp8_e4m3 and
/// fp8_e5m2 are the narrow floating-point operand formats of models/numeric/float_formats.hpp
/// (docs/numerics.md), accumulated in fp32.
enum class DType { int8, int16, int32, int64, fp32, bf16, fp16, fp8_e4m3, fp8_e5m2 };

/// Size of one element in bytes.
std::size_t dtype_bytes(DType t);
/// YAML spelling ("int8", ...).
std::string dtype_name(DType t);
/// Parses a YAML spelling; empty when unknown.
std::optional<DType> parse_dtype(std::string_view s);
/// True for int8/int16/int32/int64.
bool is_integer(DType t);
/// True for the narrow floating-point formats bf16, fp16, fp8_e4m3 and fp8_e5m2.
bool is_narrow_float(DType t);
/// The accumulator type that holds an exact dot product of two `t` values:
/// int8 -> int32, int16 -> int64, int32 -> int64, fp32 and the narrow floats -> fp32.
DType natural_accumulator(DType t);

/// A quantized element type: int8 (held in an int8 tensor) or uint8. ir has no unsigned dtype, so
/// uint8 values are held in int16 tensors (0..255); the quantized type is therefore carried
/// explicitly wherever it matters (quantization parameters, quantizing operators).
enum class QType { int8, uint8 };
/// YAML spelling ("int8", "uint8").
std::string qtype_name(QType q);
/// The dtype that holds q's values: int8 -> int8, uint8 -> int16.
DType storage_dtype(QType q);
/// Smallest and largest value of q: -128/127 for int8, 0/255 for uint8.
std::int64_t qmin(QType q);
std::int64_t qmax(QType q);

}  // namespace arraysim::ir
