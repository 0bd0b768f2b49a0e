#pragma once
/// Small tensors written out in a test.
#include <initializer_list>
#include <utility>

#include "models/ir/tensor.hpp"

namespace arraysim::test {

/// A tensor of `t` and shape `s` holding `v` in row-major order (set_f64: rounded to the type).
inline ir::Tensor make_tensor(ir::DType t, ir::Shape s, std::initializer_list<double> v) {
  ir::Tensor x(t, std::move(s));
  std::int64_t i = 0;
  for (double e : v) x.set_f64(i++, e);
  return x;
}

}  // namespace arraysim::test
