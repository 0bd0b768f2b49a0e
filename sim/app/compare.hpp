#pragma once
/// Comparison of simulated outputs with the golden model.
#include <vector>

#include "models/ir/tensor.hpp"
#include "sim/stats/report.hpp"

namespace arraysim::app {

/// Integers: bit-exact. fp32: |got - expected| <= tol[i], where tol comes from fp32_tolerance().
/// Returns the first `max_report` mismatches (empty when equal); `count` receives the total.
std::vector<stats::Mismatch> compare_outputs(const std::string& tensor_name, const ir::Tensor& expected,
                                             const ir::Tensor& got, const ir::Tensor* tol, std::size_t max_report,
                                             std::int64_t* count = nullptr);

/// Per-element fp32 error bound for a dot product of K terms summed in any order:
/// |error| <= 2·K·u·Σ|a·b| with u = 2^-24 (Higham's γ_K bound, doubled for the product rounding),
/// given `abs_sum` = Σ|a·b| per element (the golden model run on |A| and |B|).
ir::Tensor fp32_tolerance(const ir::Tensor& abs_sum, std::int64_t k);

/// |t| elementwise (fp32 tensors).
ir::Tensor abs_tensor(const ir::Tensor& t);

}  // namespace arraysim::app
