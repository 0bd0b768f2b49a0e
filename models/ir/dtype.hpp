#pragma once
/// Element data types carried through the golden model and the simulator.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace arraysim::ir {

/// Element type of a tensor. Spellings equal the YAML spelling.
enum class DType { int8, int16, int32, int64, fp32 };

/// Size of one element in bytes.
std::size_t dtype_bytes(DType t);
/// YAML spelling ("int8", ...).
std::string dtype_name(DType t);
/// Parses a YAML spelling; empty when unknown.
std::optional<DType> parse_dtype(std::string_view s);
/// True for int8/int16/int32/int64.
bool is_integer(DType t);
/// The accumulator type that holds an exact dot product of two `t` values:
/// int8 -> int32, int16 -> int64, int32 -> int64, fp32 -> fp32.
DType natural_accumulator(DType t);

}  // namespace arraysim::ir
