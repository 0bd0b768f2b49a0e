#include "models/ir/shapes.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace arraysim::ir {
namespace {

[[noreturn]] void fail(const std::string& msg) { throw std::invalid_argument(msg); }

std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return a >= 0 ? (a + b - 1) / b : -((-a) / b); }

/// Product of s[from, to).
std::int64_t span(const Shape& s, std::size_t from, std::size_t to) {
  std::int64_t n = 1;
  for (std::size_t d = from; d < to; ++d) n *= s[d];
  return n;
}

}  // namespace

std::size_t normalize_axis(std::int64_t axis, std::size_t rank) {
  const auto r = static_cast<std::int64_t>(rank);
  if (axis < -r || axis >= r) fail("axis " + std::to_string(axis) + " out of range for rank " + std::to_string(r));
  return static_cast<std::size_t>(axis < 0 ? axis + r : axis);
}

Shape broadcast_shape(const Shape& a, const Shape& b) {
  const std::size_t rank = std::max(a.size(), b.size());
  Shape out(rank);
  for (std::size_t d = 0; d < rank; ++d) {
    const std::int64_t da = d + a.size() < rank ? 1 : a[d + a.size() - rank];
    const std::int64_t db = d + b.size() < rank ? 1 : b[d + b.size() - rank];
    if (da != db && da != 1 && db != 1) fail(shape_str(a) + " and " + shape_str(b) + " do not broadcast");
    out[d] = da == 1 ? db : da;
  }
  return out;
}

MatmulBatch matmul_batch(const Shape& a, const Shape& b) {
  if (a.size() < 2 || b.size() < 2) fail("A and B must have rank 2 or more");
  const Shape ab(a.begin(), a.end() - 2), bb(b.begin(), b.end() - 2);
  MatmulBatch r;
  r.batch = broadcast_shape(ab, bb);
  const std::size_t rank = r.batch.size();
  // Matrix strides of an operand's batch dimensions aligned right to the batch; 0 where it is
  // broadcast (size 1) or missing.
  const auto strides = [rank](const Shape& s) {
    std::vector<std::int64_t> st(rank, 0);
    std::int64_t step = 1;
    for (std::size_t d = s.size(); d-- > 0;) {
      if (s[d] != 1) st[d + rank - s.size()] = step;
      step *= s[d];
    }
    return st;
  };
  const std::vector<std::int64_t> sa = strides(ab), sb = strides(bb);
  std::vector<std::int64_t> idx(rank, 0);
  const std::int64_t count = numel(r.batch);
  for (std::int64_t i = 0; i < count; ++i) {
    std::int64_t ia = 0, ib = 0;
    for (std::size_t d = 0; d < rank; ++d) ia += idx[d] * sa[d], ib += idx[d] * sb[d];
    r.a.push_back(ia);
    r.b.push_back(ib);
    for (std::size_t d = rank; d-- > 0;) {  // the next batch index, row-major
      if (++idx[d] < r.batch[d]) break;
      idx[d] = 0;
    }
  }
  return r;
}

PoolGeometry pool_geometry(const std::vector<std::int64_t>& x_spatial, const PoolParams& p) {
  const std::size_t n = p.kernel.size();
  if (x_spatial.size() != n) fail("kernel rank differs from the spatial rank");
  if (!p.strides.empty() && p.strides.size() != n) fail("strides need one entry per spatial dimension");
  if (!p.dilations.empty() && p.dilations.size() != n) fail("dilations need one entry per spatial dimension");
  if (!p.pads.empty() && p.pads.size() != 2 * n) fail("pads need two entries per spatial dimension");
  PoolGeometry g;
  for (std::size_t d = 0; d < n; ++d) {
    const std::int64_t in = x_spatial[d], k = p.kernel[d];
    const std::int64_t s = p.strides.empty() ? 1 : p.strides[d], dil = p.dilations.empty() ? 1 : p.dilations[d];
    if (k < 1 || s < 1 || dil < 1) fail("kernel, strides and dilations must be >= 1");
    const std::int64_t ek = (k - 1) * dil + 1;  // extent of a dilated window
    std::int64_t pb = 0, pe = 0, out = 0;
    switch (p.auto_pad) {
      case AutoPad::notset: {
        if (!p.pads.empty()) pb = p.pads[d], pe = p.pads[d + n];
        if (pb < 0 || pe < 0) fail("negative pads");
        const std::int64_t room = in + pb + pe - ek;
        if (room < 0) fail("window larger than the padded input");
        out = (p.ceil_mode ? ceil_div(room, s) : room / s) + 1;
        // A last window that starts beyond the input and its begin padding is dropped.
        if (p.ceil_mode && (out - 1) * s >= in + pb) --out;
        break;
      }
      case AutoPad::valid: {
        if (in < ek) fail("window larger than the input (VALID)");
        out = (in - ek) / s + 1;
        break;
      }
      case AutoPad::same_upper:
      case AutoPad::same_lower: {
        out = ceil_div(in, s);
        const std::int64_t total = std::max<std::int64_t>(0, (out - 1) * s + ek - in);
        const std::int64_t small = total / 2, large = total - small;
        pb = p.auto_pad == AutoPad::same_upper ? small : large;
        pe = total - pb;
        break;
      }
    }
    g.out.push_back(out);
    g.pad_begin.push_back(pb);
    g.pad_end.push_back(pe);
  }
  return g;
}

Shape pool_shape(const Shape& x, const PoolParams& p) {
  if (p.kernel.empty()) fail("kernel_shape is empty");
  if (x.size() != p.kernel.size() + 2)
    fail("X " + shape_str(x) + " is not [N][C] + " + std::to_string(p.kernel.size()) + " spatial dimensions");
  const PoolGeometry g = pool_geometry(std::vector<std::int64_t>(x.begin() + 2, x.end()), p);
  Shape out{x[0], x[1]};
  out.insert(out.end(), g.out.begin(), g.out.end());
  return out;
}

Shape reshape_shape(const Shape& x, const std::vector<std::int64_t>& shape, bool allowzero) {
  Shape s(shape.begin(), shape.end());
  std::int64_t infer = -1, known = 1;
  bool has_zero = false;
  for (std::size_t d = 0; d < s.size(); ++d) {
    if (s[d] == -1) {
      if (infer >= 0) fail("more than one -1");
      infer = static_cast<std::int64_t>(d);
      continue;
    }
    if (s[d] < -1) fail("negative dimension " + std::to_string(s[d]));
    if (s[d] == 0) {
      has_zero = true;
      if (!allowzero) {
        if (d >= x.size()) fail("0 at an index beyond X's rank");
        s[d] = x[d];
      }
    }
    known *= s[d];
  }
  if (allowzero && has_zero && infer >= 0) fail("allowzero with both 0 and -1");
  const std::int64_t count = numel(x);
  if (infer >= 0) {
    if (known == 0 || count % known != 0) fail("cannot infer the -1 dimension");
    s[static_cast<std::size_t>(infer)] = count / known;
  }
  if (numel(s) != count)
    fail("shape " + shape_str(s) + " does not hold the " + std::to_string(count) + " elements of " + shape_str(x));
  return s;
}

Shape flatten_shape(const Shape& x, std::int64_t axis) {
  const auto r = static_cast<std::int64_t>(x.size());
  if (axis < -r || axis > r) fail("axis " + std::to_string(axis) + " out of range");
  const auto a = static_cast<std::size_t>(axis < 0 ? axis + r : axis);
  return {span(x, 0, a), span(x, a, x.size())};
}

std::vector<std::int64_t> transpose_perm(std::size_t rank, const std::vector<std::int64_t>& perm_in) {
  std::vector<std::int64_t> perm = perm_in;
  if (perm.empty())
    for (std::size_t d = rank; d-- > 0;) perm.push_back(static_cast<std::int64_t>(d));
  if (perm.size() != rank) fail("perm needs one entry per dimension");
  std::vector<bool> seen(rank, false);
  for (std::int64_t& p : perm) {
    const std::size_t d = normalize_axis(p, rank);
    if (seen[d]) fail("perm repeats an axis");
    seen[d] = true;
    p = static_cast<std::int64_t>(d);
  }
  return perm;
}

Shape transpose_shape(const Shape& x, const std::vector<std::int64_t>& perm) {
  Shape out;
  for (std::int64_t d : transpose_perm(x.size(), perm)) out.push_back(x[static_cast<std::size_t>(d)]);
  return out;
}

Shape squeeze_shape(const Shape& x, const std::vector<std::int64_t>& axes) {
  std::vector<bool> drop(x.size(), false);
  for (std::int64_t axis : axes) {
    const std::size_t d = normalize_axis(axis, x.size());
    if (x[d] != 1) fail("axis " + std::to_string(axis) + " has size " + std::to_string(x[d]));
    drop[d] = true;
  }
  Shape s;
  for (std::size_t d = 0; d < x.size(); ++d)
    if (!(axes.empty() ? x[d] == 1 : drop[d])) s.push_back(x[d]);
  return s;
}

Shape unsqueeze_shape(const Shape& x, const std::vector<std::int64_t>& axes) {
  const std::size_t rank = x.size() + axes.size();
  std::vector<bool> ins(rank, false);
  for (std::int64_t axis : axes) {
    const std::size_t d = normalize_axis(axis, rank);
    if (ins[d]) fail("axes repeat an axis");
    ins[d] = true;
  }
  Shape s;
  std::size_t k = 0;
  for (std::size_t d = 0; d < rank; ++d) s.push_back(ins[d] ? 1 : x[k++]);
  return s;
}

Shape concat_shape(const std::vector<Shape>& xs, std::int64_t axis) {
  if (xs.empty()) fail("no inputs");
  const Shape& s0 = xs[0];
  const std::size_t a = normalize_axis(axis, s0.size());
  Shape out = s0;
  out[a] = 0;
  for (const Shape& x : xs) {
    Shape s = x;
    if (s.size() != s0.size()) fail("inputs of different ranks");
    out[a] += s[a];
    s[a] = s0[a];
    if (s != s0) fail(shape_str(x) + " differs from " + shape_str(s0) + " off the axis");
  }
  return out;
}

}  // namespace arraysim::ir
