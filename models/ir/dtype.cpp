#include "models/ir/dtype.hpp"

namespace arraysim::ir {

std::size_t dtype_bytes(DType t) {
  switch (t) {
    case DType::int8: return 1;
    case DType::int16: return 2;
    case DType::int32: return 4;
    case DType::int64: return 8;
    case DType::fp32: return 4;
    case DType::bf16:
    case DType::fp16: return 2;
    case DType::fp8_e4m3:
    case DType::fp8_e5m2: return 1;
  }
  return 0;
}

std::string dtype_name(DType t) {
  switch (t) {
    case DType::int8: return "int8";
    case DType::int16: return "int16";
    case DType::int32: return "int32";
    case DType::int64: return "int64";
    case DType::fp32: return "fp32";
    case DType::bf16: return "bf16";
    case DType::fp16: return "fp16";
    case DType::fp8_e4m3: return "fp8_e4m3";
    case DType::fp8_e5m2: return "fp8_e5m2";
  }
  return "?";
}

std::optional<DType> parse_dtype(std::string_view s) {
  for (DType t : {DType::int8, DType::int16, DType::int32, DType::int64, DType::fp32, DType::bf16, DType::fp16,
                  DType::fp8_e4m3, DType::fp8_e5m2})
    if (dtype_name(t) == s) return t;
  return std::nullopt;
}

bool is_integer(DType t) { return t == DType::int8 || t == DType::int16 || t == DType::int32 || t == DType::int64; }

bool is_narrow_float(DType t) {
  return t == DType::bf16 || t == DType::fp16 || t == DType::fp8_e4m3 || t == DType::fp8_e5m2;
}

DType natural_accumulator(DType t) {
  switch (t) {
    case DType::int8: return DType::int32;
    case DType::int16: return DType::int64;
    case DType::int32: return DType::int64;
    case DType::int64: return DType::int64;
    case DType::fp32:
    case DType::bf16:
    case DType::fp16:
    case DType::fp8_e4m3:
    case DType::fp8_e5m2: return DType::fp32;
  }
  return t;
}

std::string qtype_name(QType q) { return q == QType::int8 ? "int8" : "uint8"; }
DType storage_dtype(QType q) { return q == QType::int8 ? DType::int8 : DType::int16; }
std::int64_t qmin(QType q) { return q == QType::int8 ? -128 : 0; }
std::int64_t qmax(QType q) { return q == QType::int8 ? 127 : 255; }

}  // namespace arraysim::ir
