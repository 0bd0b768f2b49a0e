#pragma once
/// The golden model's dispatch from a tensor's dtype to its C++ element type (golden.cpp and
/// ops.cpp; internal to models/golden).
#include <cstdint>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

#include "models/ir/dtype.hpp"
#include "models/numeric/float_formats.hpp"

namespace arraysim::golden::detail {

template <class T> struct Tag { using type = T; };

/// Calls f(Tag<T>{}) with T the C++ element type of `t`. The narrow floats (operands of GEMM and
/// convolution only, visit_operand_dtype) throw std::invalid_argument.
template <class F> auto visit_dtype(ir::DType t, F&& f) {
  switch (t) {
    case ir::DType::int8: return f(Tag<std::int8_t>{});
    case ir::DType::int16: return f(Tag<std::int16_t>{});
    case ir::DType::int32: return f(Tag<std::int32_t>{});
    case ir::DType::int64: return f(Tag<std::int64_t>{});
    case ir::DType::fp32: return f(Tag<float>{});
    case ir::DType::bf16:
    case ir::DType::fp16:
    case ir::DType::fp8_e4m3:
    case ir::DType::fp8_e5m2: break;
  }
  throw std::invalid_argument("golden: operator not defined for " + ir::dtype_name(t) +
                              " tensors (the narrow float types are GEMM and convolution operands only)");
}

/// visit_dtype plus the narrow floats, whose element types are numeric::Bf16, Fp16, Fp8E4M3 and
/// Fp8E5M2 (each with an exact conversion to float).
template <class F> auto visit_operand_dtype(ir::DType t, F&& f) {
  switch (t) {
    case ir::DType::bf16: return f(Tag<numeric::Bf16>{});
    case ir::DType::fp16: return f(Tag<numeric::Fp16>{});
    case ir::DType::fp8_e4m3: return f(Tag<numeric::Fp8E4M3>{});
    case ir::DType::fp8_e5m2: return f(Tag<numeric::Fp8E5M2>{});
    default: return visit_dtype(t, std::forward<F>(f));
  }
}

/// True for the element types summed in fp32: float and the narrow floats.
template <class T>
constexpr bool is_float_element =
    std::is_same_v<T, float> || std::is_same_v<T, numeric::Bf16> || std::is_same_v<T, numeric::Fp16> ||
    std::is_same_v<T, numeric::Fp8E4M3> || std::is_same_v<T, numeric::Fp8E5M2>;

}  // namespace arraysim::golden::detail
