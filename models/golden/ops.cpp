#include "models/golden/ops.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "models/golden/dtype_dispatch.hpp"

namespace arraysim::golden {
namespace {

using ir::DType;
using ir::Shape;
using ir::Tensor;

[[noreturn]] void fail(const std::string& op, const std::string& msg) {
  throw std::invalid_argument("golden " + op + ": " + msg);
}

using detail::Tag;
using detail::visit_dtype;

/// The result of one of ir's shape rules (models/ir/shapes.hpp), its error reported as op's.
template <class F> auto shape_rule(const std::string& op, F&& f) {
  try {
    return f();
  } catch (const std::invalid_argument& e) {
    fail(op, e.what());
  }
}

void require_fp32(const std::string& op, const Tensor& x) {
  if (x.dtype() != DType::fp32) fail(op, "needs an fp32 tensor, got " + ir::dtype_name(x.dtype()));
}

/// `axis` in [-rank, rank) as an index in [0, rank).
std::size_t norm_axis(const std::string& op, std::int64_t axis, std::size_t rank) {
  return shape_rule(op, [&] { return ir::normalize_axis(axis, rank); });
}

/// Product of s[from, to).
std::int64_t span(const Shape& s, std::size_t from, std::size_t to) {
  std::int64_t n = 1;
  for (std::size_t d = from; d < to; ++d) n *= s[d];
  return n;
}

/// Row-major strides of a shape.
std::vector<std::int64_t> strides_of(const Shape& s) {
  std::vector<std::int64_t> st(s.size(), 1);
  for (std::size_t d = s.size(); d-- > 1;) st[d - 1] = st[d] * s[d];
  return st;
}

/// Applies f (double -> double) to every element of an fp32 tensor, rounding each result once.
template <class F> Tensor map_fp32(const std::string& op, const Tensor& x, F f) {
  require_fp32(op, x);
  Tensor y(DType::fp32, x.shape());
  const float* in = x.data<float>();
  float* out = y.data<float>();
  for (std::int64_t i = 0; i < x.size(); ++i) out[i] = static_cast<float>(f(static_cast<double>(in[i])));
  return y;
}

/// Index into a per-tensor (one element) or per-axis (1-D, shape[axis] elements) parameter for
/// element i of a tensor of `shape`; validated by check_per_axis.
struct PerAxis {
  std::int64_t inner = 1, extent = 1;
  bool per_tensor = true;
  std::int64_t at(std::int64_t i) const { return per_tensor ? 0 : (i / inner) % extent; }
};

PerAxis check_per_axis(const std::string& op, const std::string& what, const Tensor& param, const Shape& shape,
                       std::int64_t axis) {
  PerAxis pa;
  if (param.size() == 1 && param.shape().size() <= 1) return pa;
  const std::size_t a = norm_axis(op, axis, shape.size());
  if (param.shape() != Shape{shape[a]})
    fail(op, what + " " + ir::shape_str(param.shape()) + " is neither one element nor [" + std::to_string(shape[a]) +
                 "] (per axis " + std::to_string(a) + " of " + ir::shape_str(shape) + ")");
  pa.per_tensor = false;
  pa.extent = shape[a];
  pa.inner = span(shape, a + 1, shape.size());
  return pa;
}

/// Saturates a rounded value (+ zero point) to q's range.
std::int64_t saturate(double v, QType q) {
  const double lo = static_cast<double>(qmin(q)), hi = static_cast<double>(qmax(q));
  return static_cast<std::int64_t>(std::min(hi, std::max(lo, v)));
}

// ---- pooling ----------------------------------------------------------------------------------

struct PoolSetup {
  PoolGeometry g;
  std::size_t n = 0;                          // spatial rank
  std::int64_t nc = 0;                        // N·C
  std::vector<std::int64_t> in, stride, dil;  // per spatial dim
  std::int64_t in_size = 1, out_size = 1, taps = 1;
};

PoolSetup setup_pool(const std::string& op, const Tensor& x, const PoolParams& p) {
  PoolSetup s;
  s.n = p.kernel.size();
  shape_rule(op, [&] { return ir::pool_shape(x.shape(), p); });
  s.in.assign(x.shape().begin() + 2, x.shape().end());
  s.g = pool_geometry(s.in, p);
  s.nc = x.shape()[0] * x.shape()[1];
  for (std::size_t d = 0; d < s.n; ++d) {
    s.stride.push_back(p.strides.empty() ? 1 : p.strides[d]);
    s.dil.push_back(p.dilations.empty() ? 1 : p.dilations[d]);
    s.in_size *= s.in[d];
    s.out_size *= s.g.out[d];
    s.taps *= p.kernel[d];
  }
  return s;
}

Shape pool_out_shape(const Tensor& x, const PoolSetup& s) {
  Shape out{x.shape()[0], x.shape()[1]};
  out.insert(out.end(), s.g.out.begin(), s.g.out.end());
  return out;
}

/// Calls visit(in_offset_or_-1, position_in_padded_extent) for every tap of output position `o`
/// (flat spatial index): in_offset is the flat spatial index in X, or -1 for a padded position;
/// `inside_pads` tells whether the tap lies within [-pad_begin, in + pad_end) in every dimension.
template <class V> void for_each_tap(const PoolSetup& s, const PoolParams& p, std::int64_t o, V&& visit) {
  std::vector<std::int64_t> opos(s.n), k(s.n, 0);
  for (std::size_t d = s.n; d-- > 0;) opos[d] = o % s.g.out[d], o /= s.g.out[d];
  for (std::int64_t t = 0; t < s.taps; ++t) {
    std::int64_t rem = t;
    for (std::size_t d = s.n; d-- > 0;) k[d] = rem % p.kernel[d], rem /= p.kernel[d];
    std::int64_t off = 0;
    bool in_x = true, inside_pads = true;
    for (std::size_t d = 0; d < s.n; ++d) {
      const std::int64_t pos = opos[d] * s.stride[d] - s.g.pad_begin[d] + k[d] * s.dil[d];
      if (pos < 0 || pos >= s.in[d]) in_x = false;
      if (pos < -s.g.pad_begin[d] || pos >= s.in[d] + s.g.pad_end[d]) inside_pads = false;
      off = off * s.in[d] + pos;
    }
    visit(in_x ? off : -1, inside_pads);
  }
}

/// Column-major spatial index of row-major spatial index `off` (ONNX storage_order 1).
std::int64_t column_major(const PoolSetup& s, std::int64_t off) {
  std::vector<std::int64_t> pos(s.n);
  for (std::size_t d = s.n; d-- > 0;) pos[d] = off % s.in[d], off /= s.in[d];
  std::int64_t idx = 0;
  for (std::size_t d = s.n; d-- > 0;) idx = idx * s.in[d] + pos[d];
  return idx;
}

}  // namespace

Tensor max_pool(const Tensor& x, const PoolParams& p, Tensor* indices, bool column_major_indices) {
  const PoolSetup s = setup_pool("MaxPool", x, p);
  const Shape out_shape = pool_out_shape(x, s);
  Tensor y(x.dtype(), out_shape);
  if (indices) *indices = Tensor(DType::int64, out_shape);
  visit_dtype(x.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* in = x.data<T>();
    T* out = y.data<T>();
    for (std::int64_t nc = 0; nc < s.nc; ++nc)
      for (std::int64_t o = 0; o < s.out_size; ++o) {
        std::int64_t best = -1;
        for_each_tap(s, p, o, [&](std::int64_t off, bool) {
          if (off >= 0 && (best < 0 || in[nc * s.in_size + off] > in[nc * s.in_size + best])) best = off;
        });
        if (best < 0) fail("MaxPool", "a window lies entirely in the padding");
        out[nc * s.out_size + o] = in[nc * s.in_size + best];
        if (indices)
          indices->data<std::int64_t>()[nc * s.out_size + o] =
              nc * s.in_size + (column_major_indices ? column_major(s, best) : best);
      }
    return 0;
  });
  return y;
}

Tensor average_pool(const Tensor& x, const PoolParams& p) {
  require_fp32("AveragePool", x);
  const PoolSetup s = setup_pool("AveragePool", x, p);
  Tensor y(DType::fp32, pool_out_shape(x, s));
  const float* in = x.data<float>();
  float* out = y.data<float>();
  for (std::int64_t nc = 0; nc < s.nc; ++nc)
    for (std::int64_t o = 0; o < s.out_size; ++o) {
      double sum = 0;
      std::int64_t count = 0;
      for_each_tap(s, p, o, [&](std::int64_t off, bool inside_pads) {
        if (off >= 0) sum += in[nc * s.in_size + off];
        if (off >= 0 || (p.count_include_pad && inside_pads)) ++count;
      });
      if (count == 0) fail("AveragePool", "a window lies entirely in the padding");
      out[nc * s.out_size + o] = static_cast<float>(sum / static_cast<double>(count));
    }
  return y;
}

namespace {
/// Global pools: kernel = the whole spatial extent.
PoolParams global_params(const std::string& op, const Tensor& x) {
  if (x.shape().size() < 3) fail(op, "X " + ir::shape_str(x.shape()) + " has no spatial dimension");
  PoolParams p;
  p.kernel.assign(x.shape().begin() + 2, x.shape().end());
  return p;
}
}  // namespace

Tensor global_average_pool(const Tensor& x) { return average_pool(x, global_params("GlobalAveragePool", x)); }
Tensor global_max_pool(const Tensor& x) { return max_pool(x, global_params("GlobalMaxPool", x)); }

// ---- activations ------------------------------------------------------------------------------

Tensor relu(const Tensor& x) {
  if (x.dtype() == DType::fp32) return map_fp32("Relu", x, [](double v) { return v > 0 ? v : 0.0; });
  return clip(x, 0, std::numeric_limits<double>::infinity());
}

Tensor clip(const Tensor& x, double lo, double hi) {
  if (std::isnan(lo) || std::isnan(hi)) fail("Clip", "NaN bound");
  if (x.dtype() == DType::fp32)
    return map_fp32("Clip", x, [&](double v) { return std::isnan(v) ? v : std::min(hi, std::max(lo, v)); });
  if ((std::isfinite(lo) && lo != std::floor(lo)) || (std::isfinite(hi) && hi != std::floor(hi)))
    fail("Clip", "integer tensor with a non-integral bound");
  // Bounds as int64 (±inf and bounds beyond int64 clamp to its range); then compared exactly.
  const auto to_i64 = [](double b) {
    if (b <= -9223372036854775808.0) return std::numeric_limits<std::int64_t>::min();
    if (b >= 9223372036854775808.0) return std::numeric_limits<std::int64_t>::max();
    return static_cast<std::int64_t>(b);
  };
  const std::int64_t lo_i = to_i64(lo), hi_i = to_i64(hi);
  Tensor y(x.dtype(), x.shape());
  for (std::int64_t i = 0; i < x.size(); ++i) y.set_i64(i, std::min(hi_i, std::max(lo_i, x.get_i64(i))));
  return y;
}

Tensor sigmoid(const Tensor& x) {
  return map_fp32("Sigmoid", x, [](double v) { return 1.0 / (1.0 + std::exp(-v)); });
}

Tensor tanh(const Tensor& x) {
  return map_fp32("Tanh", x, [](double v) { return std::tanh(v); });
}

Tensor silu(const Tensor& x) {
  return map_fp32("SiLU", x, [](double v) { return v / (1.0 + std::exp(-v)); });
}

Tensor gelu(const Tensor& x, GeluApprox approx) {
  if (approx == GeluApprox::none)
    return map_fp32("Gelu", x, [](double v) { return 0.5 * v * (1.0 + std::erf(v / std::sqrt(2.0))); });
  const double c = std::sqrt(2.0 / std::acos(-1.0));  // sqrt(2/pi)
  return map_fp32("Gelu", x, [c](double v) { return 0.5 * v * (1.0 + std::tanh(c * (v + 0.044715 * v * v * v))); });
}

Tensor hard_sigmoid(const Tensor& x, double alpha, double beta) {
  return map_fp32("HardSigmoid", x, [=](double v) { return std::max(0.0, std::min(1.0, alpha * v + beta)); });
}

Tensor hard_swish(const Tensor& x) {
  return map_fp32("HardSwish", x, [](double v) { return v * std::max(0.0, std::min(1.0, v / 6.0 + 0.5)); });
}

Tensor leaky_relu(const Tensor& x, double alpha) {
  return map_fp32("LeakyRelu", x, [=](double v) { return v >= 0 ? v : alpha * v; });
}

// ---- element-wise arithmetic ------------------------------------------------------------------

namespace {

/// Strides of `s` read as a tensor broadcast to `out` (0 along broadcast dimensions).
std::vector<std::int64_t> broadcast_strides(const Shape& s, const Shape& out) {
  const std::vector<std::int64_t> st = strides_of(s);
  std::vector<std::int64_t> r(out.size(), 0);
  for (std::size_t d = 0; d < s.size(); ++d) {
    const std::size_t od = d + out.size() - s.size();
    r[od] = s[d] == 1 ? 0 : st[d];
  }
  return r;
}

enum class BinOp { add, sub, mul, div };

/// Integer result of one operation, exact in int64 (wrapping modulo 2^64 where int64 overflows).
std::int64_t int_op(BinOp op, std::int64_t a, std::int64_t b) {
  const auto ua = static_cast<std::uint64_t>(a), ub = static_cast<std::uint64_t>(b);
  switch (op) {
    case BinOp::add: return static_cast<std::int64_t>(ua + ub);
    case BinOp::sub: return static_cast<std::int64_t>(ua - ub);
    case BinOp::mul: return static_cast<std::int64_t>(ua * ub);
    case BinOp::div:
      if (b == 0) fail("Div", "integer division by zero");
      if (a == std::numeric_limits<std::int64_t>::min() && b == -1) return a;  // wraps
      return a / b;                                                            // truncates toward zero
  }
  return 0;
}

float fp_op(BinOp op, float a, float b) {
  switch (op) {
    case BinOp::add: return a + b;
    case BinOp::sub: return a - b;
    case BinOp::mul: return a * b;
    case BinOp::div: return a / b;
  }
  return 0;
}

Tensor binary(BinOp op, const std::string& name, const Tensor& a, const Tensor& b) {
  if (a.dtype() != b.dtype())
    fail(name, "operands of different dtypes " + ir::dtype_name(a.dtype()) + " and " + ir::dtype_name(b.dtype()));
  const Shape out_shape = shape_rule(name, [&] { return broadcast_shape(a.shape(), b.shape()); });
  const std::vector<std::int64_t> sa = broadcast_strides(a.shape(), out_shape),
                                  sb = broadcast_strides(b.shape(), out_shape);
  Tensor y(a.dtype(), out_shape);
  std::vector<std::int64_t> idx(out_shape.size(), 0);
  std::int64_t ia = 0, ib = 0;
  const bool fp = a.dtype() == DType::fp32;
  for (std::int64_t i = 0; i < y.size(); ++i) {
    if (fp)
      y.data<float>()[i] = fp_op(op, a.data<float>()[ia], b.data<float>()[ib]);
    else
      y.set_i64(i, int_op(op, a.get_i64(ia), b.get_i64(ib)));  // set_i64 wraps to the dtype
    // Next output index (row-major odometer), moving the operand offsets along.
    for (std::size_t d = out_shape.size(); d-- > 0;) {
      ia += sa[d], ib += sb[d];
      if (++idx[d] < out_shape[d]) break;
      ia -= sa[d] * out_shape[d], ib -= sb[d] * out_shape[d];
      idx[d] = 0;
    }
  }
  return y;
}

}  // namespace

Tensor add(const Tensor& a, const Tensor& b) { return binary(BinOp::add, "Add", a, b); }
Tensor sub(const Tensor& a, const Tensor& b) { return binary(BinOp::sub, "Sub", a, b); }
Tensor mul(const Tensor& a, const Tensor& b) { return binary(BinOp::mul, "Mul", a, b); }
Tensor div(const Tensor& a, const Tensor& b) { return binary(BinOp::div, "Div", a, b); }

// ---- shape operators --------------------------------------------------------------------------

Tensor concat(const std::vector<Tensor>& xs, std::int64_t axis) {
  if (xs.empty()) fail("Concat", "no inputs");
  std::vector<Shape> shapes;
  for (const Tensor& t : xs) {
    if (t.dtype() != xs[0].dtype()) fail("Concat", "inputs of different dtypes");
    shapes.push_back(t.shape());
  }
  const Shape out_shape = shape_rule("Concat", [&] { return ir::concat_shape(shapes, axis); });
  const Shape& s0 = xs[0].shape();
  const std::size_t a = norm_axis("Concat", axis, s0.size());
  Tensor y(xs[0].dtype(), out_shape);
  const std::size_t eb = ir::dtype_bytes(y.dtype());
  const std::int64_t outer = span(s0, 0, a), inner = span(s0, a + 1, s0.size());
  unsigned char* dst = y.raw_bytes();
  for (std::int64_t o = 0; o < outer; ++o)
    for (const Tensor& t : xs) {
      const auto block = static_cast<std::size_t>(t.shape()[a] * inner) * eb;
      std::memcpy(dst, t.raw_bytes() + static_cast<std::size_t>(o) * block, block);
      dst += block;
    }
  return y;
}

namespace {
/// The same elements under the shape ir's rule `f` gives (which keeps the element count).
template <class F> Tensor with_shape(const std::string& op, const Tensor& x, F&& f) {
  Tensor y(x.dtype(), shape_rule(op, f));
  if (y.size() != x.size()) fail(op, "shape " + ir::shape_str(y.shape()) + " does not hold the elements of X");
  if (x.size_bytes() != 0) std::memcpy(y.raw_bytes(), x.raw_bytes(), x.size_bytes());
  return y;
}
}  // namespace

Tensor reshape(const Tensor& x, const std::vector<std::int64_t>& shape, bool allowzero) {
  return with_shape("Reshape", x, [&] { return ir::reshape_shape(x.shape(), shape, allowzero); });
}

Tensor flatten(const Tensor& x, std::int64_t axis) {
  return with_shape("Flatten", x, [&] { return ir::flatten_shape(x.shape(), axis); });
}

Tensor transpose(const Tensor& x, const std::vector<std::int64_t>& perm_in) {
  const std::size_t rank = x.shape().size();
  const std::vector<std::int64_t> perm = shape_rule("Transpose", [&] { return ir::transpose_perm(rank, perm_in); });
  Shape out_shape(rank);
  for (std::size_t k = 0; k < rank; ++k) out_shape[k] = x.shape()[static_cast<std::size_t>(perm[k])];
  const std::vector<std::int64_t> in_st = strides_of(x.shape());
  Tensor y(x.dtype(), out_shape);
  std::vector<std::int64_t> idx(rank, 0);
  std::int64_t src = 0;
  for (std::int64_t i = 0; i < y.size(); ++i) {
    y.copy_element(i, x, src);
    for (std::size_t k = rank; k-- > 0;) {
      const std::int64_t st = in_st[static_cast<std::size_t>(perm[k])];
      src += st;
      if (++idx[k] < out_shape[k]) break;
      src -= st * out_shape[k];
      idx[k] = 0;
    }
  }
  return y;
}

Tensor squeeze(const Tensor& x, const std::vector<std::int64_t>& axes) {
  return with_shape("Squeeze", x, [&] { return ir::squeeze_shape(x.shape(), axes); });
}

Tensor unsqueeze(const Tensor& x, const std::vector<std::int64_t>& axes) {
  return with_shape("Unsqueeze", x, [&] { return ir::unsqueeze_shape(x.shape(), axes); });
}

// ---- normalizations ---------------------------------------------------------------------------

Tensor softmax(const Tensor& x, std::int64_t axis) {
  require_fp32("Softmax", x);
  const std::size_t a = norm_axis("Softmax", axis, x.shape().size());
  const std::int64_t outer = span(x.shape(), 0, a), n = x.shape()[a], inner = span(x.shape(), a + 1, x.shape().size());
  Tensor y(DType::fp32, x.shape());
  const float* in = x.data<float>();
  float* out = y.data<float>();
  std::vector<double> e(static_cast<std::size_t>(n));
  for (std::int64_t o = 0; o < outer; ++o)
    for (std::int64_t i = 0; i < inner; ++i) {
      const std::int64_t base = o * n * inner + i;
      double mx = -std::numeric_limits<double>::infinity();
      for (std::int64_t k = 0; k < n; ++k) mx = std::max(mx, static_cast<double>(in[base + k * inner]));
      double sum = 0;
      for (std::int64_t k = 0; k < n; ++k) sum += e[k] = std::exp(static_cast<double>(in[base + k * inner]) - mx);
      for (std::int64_t k = 0; k < n; ++k) out[base + k * inner] = static_cast<float>(e[k] / sum);
    }
  return y;
}

LayerNormResult layer_norm(const Tensor& x, const Tensor& scale, const Tensor* bias, std::int64_t axis,
                           double epsilon) {
  const std::string op = "LayerNormalization";
  require_fp32(op, x);
  require_fp32(op, scale);
  if (bias) require_fp32(op, *bias);
  const Shape& xs = x.shape();
  const std::size_t a = norm_axis(op, axis, xs.size());
  const Shape norm_shape(xs.begin() + static_cast<std::ptrdiff_t>(a), xs.end());
  // scale / bias broadcast unidirectionally to the normalized shape.
  const auto param_strides = [&](const Tensor& t, const std::string& what) {
    if (t.shape().size() > norm_shape.size() ||
        shape_rule(op, [&] { return broadcast_shape(t.shape(), norm_shape); }) != norm_shape)
      fail(op, what + " " + ir::shape_str(t.shape()) + " does not broadcast to " + ir::shape_str(norm_shape));
    return broadcast_strides(t.shape(), norm_shape);
  };
  const std::vector<std::int64_t> ss = param_strides(scale, "scale");
  const std::vector<std::int64_t> bs = bias ? param_strides(*bias, "bias") : std::vector<std::int64_t>{};
  const std::vector<std::int64_t> ns = strides_of(norm_shape);
  const auto param_index = [&](const std::vector<std::int64_t>& st, std::int64_t j) {
    std::int64_t off = 0;
    for (std::size_t d = 0; d < norm_shape.size(); ++d) off += (j / ns[d]) % norm_shape[d] * st[d];
    return off;
  };

  Shape stat_shape = xs;
  for (std::size_t d = a; d < xs.size(); ++d) stat_shape[d] = 1;
  LayerNormResult r{Tensor(DType::fp32, xs), Tensor(DType::fp32, stat_shape), Tensor(DType::fp32, stat_shape)};
  const std::int64_t outer = span(xs, 0, a), inner = ir::numel(norm_shape);
  const float* in = x.data<float>();
  for (std::int64_t o = 0; o < outer; ++o) {
    const float* row = in + o * inner;
    double mean = 0;
    for (std::int64_t j = 0; j < inner; ++j) mean += row[j];
    mean /= static_cast<double>(inner);
    double var = 0;
    for (std::int64_t j = 0; j < inner; ++j) var += (row[j] - mean) * (row[j] - mean);
    var /= static_cast<double>(inner);
    const double inv = 1.0 / std::sqrt(var + epsilon);
    for (std::int64_t j = 0; j < inner; ++j) {
      double v = (row[j] - mean) * inv * static_cast<double>(scale.data<float>()[param_index(ss, j)]);
      if (bias) v += static_cast<double>(bias->data<float>()[param_index(bs, j)]);
      r.y.data<float>()[o * inner + j] = static_cast<float>(v);
    }
    r.mean.data<float>()[o] = static_cast<float>(mean);
    r.inv_std_dev.data<float>()[o] = static_cast<float>(inv);
  }
  return r;
}

Tensor batch_norm(const Tensor& x, const Tensor& scale, const Tensor& bias, const Tensor& mean, const Tensor& var,
                  double epsilon) {
  const std::string op = "BatchNormalization";
  for (const Tensor* t : {&x, &scale, &bias, &mean, &var}) require_fp32(op, *t);
  if (x.shape().size() < 2) fail(op, "X " + ir::shape_str(x.shape()) + " has no channel axis");
  const std::int64_t C = x.shape()[1], inner = span(x.shape(), 2, x.shape().size());
  for (const Tensor* t : {&scale, &bias, &mean, &var})
    if (t->shape() != Shape{C})
      fail(op, "parameter " + ir::shape_str(t->shape()) + " is not [" + std::to_string(C) + "]");
  Tensor y(DType::fp32, x.shape());
  for (std::int64_t i = 0; i < x.size(); ++i) {
    const std::int64_t c = (i / inner) % C;
    const double v = (x.data<float>()[i] - static_cast<double>(mean.data<float>()[c])) /
                         std::sqrt(static_cast<double>(var.data<float>()[c]) + epsilon) *
                         static_cast<double>(scale.data<float>()[c]) +
                     static_cast<double>(bias.data<float>()[c]);
    y.data<float>()[i] = static_cast<float>(v);
  }
  return y;
}

// ---- quantization -----------------------------------------------------------------------------

double round_half_even(double v) {
  const double f = std::floor(v), diff = v - f;
  if (diff > 0.5) return f + 1;
  if (diff < 0.5) return f;
  return std::fmod(f, 2.0) == 0 ? f : f + 1;
}

namespace {
/// The zero point's per-axis indexing (none: 0 everywhere); it must be an integer tensor.
PerAxis zero_point_axis(const std::string& op, const Tensor* zero_point, const Shape& shape, std::int64_t axis) {
  if (!zero_point) return {};
  if (!ir::is_integer(zero_point->dtype())) fail(op, "zero point is not an integer tensor");
  return check_per_axis(op, "zero point", *zero_point, shape, axis);
}
}  // namespace

Tensor quantize_linear(const Tensor& x, const Tensor& scale, const Tensor* zero_point, std::int64_t axis, QType q) {
  const std::string op = "QuantizeLinear";
  require_fp32(op, x);
  require_fp32(op, scale);
  const PerAxis ps = check_per_axis(op, "scale", scale, x.shape(), axis);
  const PerAxis pz = zero_point_axis(op, zero_point, x.shape(), axis);
  Tensor y(storage_dtype(q), x.shape());
  for (std::int64_t i = 0; i < x.size(); ++i) {
    const float quotient = x.data<float>()[i] / scale.data<float>()[ps.at(i)];  // fp32, as ONNX's reference
    if (std::isnan(quotient)) fail(op, "NaN input");
    const std::int64_t zp = zero_point ? zero_point->get_i64(pz.at(i)) : 0;
    y.set_i64(i, saturate(round_half_even(quotient) + static_cast<double>(zp), q));
  }
  return y;
}

Tensor dequantize_linear(const Tensor& x, const Tensor& scale, const Tensor* zero_point, std::int64_t axis) {
  const std::string op = "DequantizeLinear";
  if (!ir::is_integer(x.dtype())) fail(op, "x is not an integer tensor");
  require_fp32(op, scale);
  const PerAxis ps = check_per_axis(op, "scale", scale, x.shape(), axis);
  const PerAxis pz = zero_point_axis(op, zero_point, x.shape(), axis);
  Tensor y(DType::fp32, x.shape());
  for (std::int64_t i = 0; i < x.size(); ++i) {
    const std::int64_t zp = zero_point ? zero_point->get_i64(pz.at(i)) : 0;
    y.data<float>()[i] =
        static_cast<float>(static_cast<double>(x.get_i64(i) - zp) * static_cast<double>(scale.data<float>()[ps.at(i)]));
  }
  return y;
}

std::int64_t requantize(std::int64_t acc, double multiplier, std::int64_t zero_point, QType q) {
  const double v = static_cast<double>(acc) * multiplier;
  if (std::isnan(v)) throw std::invalid_argument("golden requantize: NaN multiplier");
  return saturate(round_half_even(v) + static_cast<double>(zero_point), q);
}

Tensor requantize(const Tensor& acc, const Tensor& multiplier, const Tensor* zero_point, std::int64_t axis, QType q) {
  const std::string op = "requantize";
  if (!ir::is_integer(acc.dtype())) fail(op, "accumulator is not an integer tensor");
  require_fp32(op, multiplier);
  const PerAxis pm = check_per_axis(op, "multiplier", multiplier, acc.shape(), axis);
  const PerAxis pz = zero_point_axis(op, zero_point, acc.shape(), axis);
  Tensor y(storage_dtype(q), acc.shape());
  for (std::int64_t i = 0; i < acc.size(); ++i)
    y.set_i64(i, requantize(acc.get_i64(i), static_cast<double>(multiplier.data<float>()[pm.at(i)]),
                            zero_point ? zero_point->get_i64(pz.at(i)) : 0, q));
  return y;
}

// ---- Winograd F(m×m, 3×3) ---------------------------------------------------------------------

namespace {
/// Bᵀ (α×α), G (α×3) and Aᵀ (m×α) of F(m×m, 3×3), Lavin and Gray (CVPR 2016), row-major.
struct WinogradReal {
  std::int64_t alpha;
  std::vector<double> bt, g, at;
};
const WinogradReal& winograd_real(std::int64_t m) {
  static const WinogradReal f2{4,
                               {1, 0, -1, 0, 0, 1, 1, 0, 0, -1, 1, 0, 0, 1, 0, -1},
                               {1, 0, 0, 0.5, 0.5, 0.5, 0.5, -0.5, 0.5, 0, 0, 1},
                               {1, 1, 1, 0, 0, 1, -1, -1}};
  static const WinogradReal f4{6,
                               {4, 0,  -5, 0, 1, 0, 0, -4, -4, 1,  1, 0, 0, 4, -4, -1, 1, 0,
                                0, -2, -1, 2, 1, 0, 0, 2,  -1, -2, 1, 0, 0, 4, 0,  -5, 0, 1},
                               {1.0 / 4, 0, 0, -1.0 / 6, -1.0 / 6, -1.0 / 6, -1.0 / 6, 1.0 / 6, -1.0 / 6, 1.0 / 24,
                                1.0 / 12, 1.0 / 6, 1.0 / 24, -1.0 / 12, 1.0 / 6, 0, 0, 1},
                               {1, 1, 1, 1, 1, 0, 0, 1, -1, 2, -2, 0, 0, 1, 1, 4, 4, 0, 0, 1, -1, 8, -8, 1}};
  if (m == 2) return f2;
  if (m == 4) return f4;
  fail("Winograd", "m is " + std::to_string(m) + "; F(m×m, 3×3) takes m = 2 or 4");
}
}  // namespace

Tensor winograd_filter(const Tensor& w, const ir::WinogradAttrs& a) {
  require_fp32("winograd_filter", w);
  const WinogradReal& f = winograd_real(a.m);
  if (w.shape().size() != 4 || w.shape()[2] != 3 || w.shape()[3] != 3)
    fail("winograd_filter", "W " + ir::shape_str(w.shape()) + " is not [OC, C, 3, 3]");
  const std::int64_t oc_n = w.shape()[0], c_n = w.shape()[1], al = f.alpha;
  Tensor u(DType::fp32, {al * al, c_n, oc_n});
  const float* W = w.data<float>();
  for (std::int64_t o = 0; o < oc_n; ++o)
    for (std::int64_t c = 0; c < c_n; ++c)
      for (std::int64_t xi = 0; xi < al; ++xi)
        for (std::int64_t nu = 0; nu < al; ++nu) {
          double sum = 0;  // (G g Gᵀ)[ξ][ν] = Σ_r Σ_s G[ξ][r] g[r][s] G[ν][s]
          for (std::int64_t r = 0; r < 3; ++r)
            for (std::int64_t q = 0; q < 3; ++q)
              sum += f.g[static_cast<std::size_t>(xi * 3 + r)] * f.g[static_cast<std::size_t>(nu * 3 + q)] *
                     static_cast<double>(W[((o * c_n + c) * 3 + r) * 3 + q]);
          u.data<float>()[((xi * al + nu) * c_n + c) * oc_n + o] = static_cast<float>(sum);
        }
  return u;
}

Tensor winograd_input(const Tensor& x, const ir::WinogradAttrs& a) {
  require_fp32("winograd_input", x);
  const WinogradReal& f = winograd_real(a.m);
  if (x.shape().size() != 4) fail("winograd_input", "X " + ir::shape_str(x.shape()) + " is not [N, C, H, W]");
  const std::int64_t n_n = x.shape()[0], c_n = x.shape()[1], h = x.shape()[2], wd = x.shape()[3], al = f.alpha;
  const std::int64_t th = (a.out_h + a.m - 1) / a.m, tw = (a.out_w + a.m - 1) / a.m, tiles = n_n * th * tw;
  Tensor v(DType::fp32, {al * al, tiles, c_n});
  const float* X = x.data<float>();
  const auto at = [&](std::int64_t n, std::int64_t c, std::int64_t r, std::int64_t q) {
    return r < 0 || r >= h || q < 0 || q >= wd ? 0.0 : static_cast<double>(X[((n * c_n + c) * h + r) * wd + q]);
  };
  for (std::int64_t t = 0; t < tiles; ++t) {
    const std::int64_t n = t / (th * tw), row0 = (t / tw) % th * a.m - a.pad_top, col0 = t % tw * a.m - a.pad_left;
    for (std::int64_t c = 0; c < c_n; ++c)
      for (std::int64_t xi = 0; xi < al; ++xi)
        for (std::int64_t nu = 0; nu < al; ++nu) {
          double sum = 0;  // (Bᵀ d B)[ξ][ν] = Σ_i Σ_j Bᵀ[ξ][i] d[i][j] Bᵀ[ν][j]
          for (std::int64_t i = 0; i < al; ++i)
            for (std::int64_t j = 0; j < al; ++j)
              sum += f.bt[static_cast<std::size_t>(xi * al + i)] * f.bt[static_cast<std::size_t>(nu * al + j)] *
                     at(n, c, row0 + i, col0 + j);
          v.data<float>()[((xi * al + nu) * tiles + t) * c_n + c] = static_cast<float>(sum);
        }
  }
  return v;
}

Tensor winograd_output(const Tensor& mt, const ir::WinogradAttrs& a) {
  require_fp32("winograd_output", mt);
  const WinogradReal& f = winograd_real(a.m);
  const std::int64_t al = f.alpha, th = (a.out_h + a.m - 1) / a.m, tw = (a.out_w + a.m - 1) / a.m;
  if (mt.shape().size() != 3 || mt.shape()[0] != al * al || mt.shape()[1] % (th * tw) != 0)
    fail("winograd_output", "M " + ir::shape_str(mt.shape()) + " is not [" + std::to_string(al * al) + ", N·" +
                                std::to_string(th * tw) + ", OC]");
  const std::int64_t tiles = mt.shape()[1], oc_n = mt.shape()[2], n_n = tiles / (th * tw);
  Tensor y(DType::fp32, {n_n, oc_n, a.out_h, a.out_w});
  const float* M = mt.data<float>();
  for (std::int64_t t = 0; t < tiles; ++t) {
    const std::int64_t n = t / (th * tw), row0 = (t / tw) % th * a.m, col0 = t % tw * a.m;
    for (std::int64_t o = 0; o < oc_n; ++o)
      for (std::int64_t i = 0; i < a.m && row0 + i < a.out_h; ++i)
        for (std::int64_t j = 0; j < a.m && col0 + j < a.out_w; ++j) {
          double sum = 0;  // (Aᵀ M A)[i][j] = Σ_ξ Σ_ν Aᵀ[i][ξ] M[ξ][ν] Aᵀ[j][ν]
          for (std::int64_t xi = 0; xi < al; ++xi)
            for (std::int64_t nu = 0; nu < al; ++nu)
              sum += f.at[static_cast<std::size_t>(i * al + xi)] * f.at[static_cast<std::size_t>(j * al + nu)] *
                     static_cast<double>(M[((xi * al + nu) * tiles + t) * oc_n + o]);
          y.data<float>()[((n * oc_n + o) * a.out_h + row0 + i) * a.out_w + col0 + j] = static_cast<float>(sum);
        }
  }
  return y;
}

}  // namespace arraysim::golden
