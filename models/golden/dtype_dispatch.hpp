#pragma once
/// The golden model's dispatch from a tensor's dtype to its C++ element type (golden.cpp and
/// ops.cpp; internal to models/golden).
#include <cstdint>
#include <stdexcept>

#include "models/ir/dtype.hpp"

namespace arraysim::golden::detail {

template <class T> struct Tag { using type = T; };

/// Calls f(Tag<T>{}) with T the C++ element type of `t`.
template <class F> auto visit_dtype(ir::DType t, F&& f) {
  switch (t) {
    case ir::DType::int8: return f(Tag<std::int8_t>{});
    case ir::DType::int16: return f(Tag<std::int16_t>{});
    case ir::DType::int32: return f(Tag<std::int32_t>{});
    case ir::DType::int64: return f(Tag<std::int64_t>{});
    case ir::DType::fp32: return f(Tag<float>{});
  }
  throw std::logic_error("bad dtype");
}

}  // namespace arraysim::golden::detail
