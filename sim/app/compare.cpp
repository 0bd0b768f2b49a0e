#include "sim/app/compare.hpp"

#include <cmath>
#include <stdexcept>

namespace arraysim::app {

static std::string index_str(const ir::Shape& s, std::int64_t i) {
  std::vector<std::int64_t> idx(s.size());
  for (std::size_t d = s.size(); d-- > 0;) {
    idx[d] = i % s[d];
    i /= s[d];
  }
  return ir::shape_str(idx);
}

std::vector<stats::Mismatch> compare_outputs(const std::string& tensor_name, const ir::Tensor& expected,
                                             const ir::Tensor& got, const ir::Tensor* tol, std::size_t max_report,
                                             std::int64_t* count) {
  if (expected.shape() != got.shape() || expected.dtype() != got.dtype())
    throw std::logic_error("compare_outputs: " + tensor_name + " shape/type differ: " +
                           ir::shape_str(expected.shape()) + " vs " + ir::shape_str(got.shape()));
  std::vector<stats::Mismatch> out;
  std::int64_t n = 0;
  const bool fp = expected.dtype() == ir::DType::fp32;
  for (std::int64_t i = 0; i < expected.size(); ++i) {
    bool same;
    if (fp) {
      const double e = expected.get_f64(i), g = got.get_f64(i);
      const double bound = tol ? tol->get_f64(i) : 0.0;
      same = e == g || std::fabs(e - g) <= bound;  // equal: also the same infinity
    } else {
      same = expected.get_i64(i) == got.get_i64(i);
    }
    if (same) continue;
    if (out.size() < max_report)
      out.push_back({tensor_name, i, index_str(expected.shape(), i), expected.element_str(i), got.element_str(i)});
    ++n;
  }
  if (count) *count = n;
  return out;
}

ir::Tensor fp32_tolerance(const ir::Tensor& abs_sum, std::int64_t k) {
  ir::Tensor t(ir::DType::fp32, abs_sum.shape());
  const double u = std::ldexp(1.0, -24);
  for (std::int64_t i = 0; i < t.size(); ++i) t.set_f64(i, 2.0 * static_cast<double>(k) * u * abs_sum.get_f64(i));
  return t;
}

ir::Tensor abs_tensor(const ir::Tensor& t) {
  ir::Tensor a(t.dtype(), t.shape());
  for (std::int64_t i = 0; i < t.size(); ++i) a.set_f64(i, std::fabs(t.get_f64(i)));
  return a;
}

}  // namespace arraysim::app
