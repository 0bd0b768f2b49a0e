#include "sim/hw/vector_ops.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "models/ir/shapes.hpp"
#include "sim/lower/winograd.hpp"

namespace arraysim::hw {
namespace {

using ir::DType;
using ir::OpKind;
using ir::Shape;
using ir::Tensor;

/// Strides (in elements) of one dimension vector.
using Strides = std::vector<std::int64_t>;

/// The error of an operator: "KIND: message".
[[noreturn]] void fail(const ir::Op& op, const std::string& msg) {
  throw std::invalid_argument(ir::op_kind_name(op.kind) + ": " + msg);
}

/// Calls f(T{}) with T the C++ element type of `t`.
template <class F> void with_element_type(DType t, F&& f) {
  switch (t) {
    case DType::int8: f(std::int8_t{}); return;
    case DType::int16: f(std::int16_t{}); return;
    case DType::int32: f(std::int32_t{}); return;
    case DType::int64: f(std::int64_t{}); return;
    case DType::fp32: f(float{}); return;
  }
  throw std::logic_error("vector_ops: unknown dtype");
}

/// The unit's issue loop: `items` independent work items, `lanes` of them per step, item
/// base + j on lane j. `lane(item)` computes one item completely.
template <class F> void run_steps(std::int64_t items, std::int64_t lanes, F&& lane) {
  for (std::int64_t base = 0; base < items; base += lanes) {
    const std::int64_t active = std::min(lanes, items - base);
    for (std::int64_t j = 0; j < active; ++j) lane(base + j);
  }
}

/// Product of s[from, to).
std::int64_t extent(const Shape& s, std::size_t from, std::size_t to) {
  std::int64_t n = 1;
  for (std::size_t d = from; d < to; ++d) n *= s[d];
  return n;
}

/// Row-major strides of a dense tensor of shape `s`.
Strides dense_strides(const Shape& s) {
  Strides st(s.size(), 1);
  for (std::size_t d = s.size(); d-- > 1;) st[d - 1] = st[d] * s[d];
  return st;
}

/// Strides of an operand of shape `s` read at the positions of `to` (numpy broadcasting: right
/// aligned, stride 0 along a dimension the operand has as 1 or lacks).
Strides broadcast_read_strides(const Shape& s, const Shape& to) {
  const Strides dense = dense_strides(s);
  Strides st(to.size(), 0);
  for (std::size_t d = 0; d < s.size(); ++d)
    if (s[d] != 1) st[d + to.size() - s.size()] = dense[d];
  return st;
}

/// A lane's address generator: the flat output index → the offset of an operand element read
/// through `strides` (one per output dimension).
class AddressGen {
 public:
  AddressGen(const Shape& out, Strides strides) : out_(out), strides_(std::move(strides)) {}
  std::int64_t operator()(std::int64_t flat) const {
    std::int64_t off = 0;
    for (std::size_t d = out_.size(); d-- > 0;) {
      off += (flat % out_[d]) * strides_[d];
      flat /= out_[d];
    }
    return off;
  }

 private:
  Shape out_;
  Strides strides_;
};

/// Index into a per-tensor (one element) or per-channel ([shape[axis]]) parameter for flat
/// element i of a tensor of `shape`.
class ChannelIndex {
 public:
  ChannelIndex(const Tensor* param, const Shape& shape, std::int64_t axis) {
    if (!param || (param->size() == 1 && param->shape().size() <= 1)) return;
    const std::size_t a = ir::normalize_axis(axis, shape.size());
    per_channel_ = true;
    channels_ = shape[a];
    inner_ = extent(shape, a + 1, shape.size());
  }
  std::int64_t operator()(std::int64_t i) const { return per_channel_ ? (i / inner_) % channels_ : 0; }

 private:
  bool per_channel_ = false;
  std::int64_t channels_ = 1, inner_ = 1;
};

// ---- element-wise: activations ----------------------------------------------------------------

/// One fp32 lane function: y = fp32(f(fp64(x))).
template <class F> void map_fp32(const Tensor& x, Tensor& y, std::int64_t lanes, F f) {
  const float* in = x.data<float>();
  float* o = y.data<float>();
  run_steps(x.size(), lanes, [&](std::int64_t i) { o[i] = static_cast<float>(f(static_cast<double>(in[i]))); });
}

/// A clip bound as an int64 register value (±inf and beyond-range bounds clamp to int64's range).
std::int64_t int_bound(double b) {
  if (b <= -9223372036854775808.0) return std::numeric_limits<std::int64_t>::min();
  if (b >= 9223372036854775808.0) return std::numeric_limits<std::int64_t>::max();
  return static_cast<std::int64_t>(b);
}

/// min(max(x, lo), hi): the comparator keeps the bound on a tie; NaN passes through (fp32).
void clip_values(const Tensor& x, Tensor& y, double lo, double hi, std::int64_t lanes) {
  if (x.dtype() == DType::fp32) {
    map_fp32(x, y, lanes, [lo, hi](double v) {
      if (std::isnan(v)) return v;
      const double low = lo < v ? v : lo;
      return low < hi ? low : hi;
    });
    return;
  }
  const std::int64_t lo_i = int_bound(lo), hi_i = int_bound(hi);
  with_element_type(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    if constexpr (std::is_integral_v<T>) {
      const T* in = x.data<T>();
      T* o = y.data<T>();
      run_steps(x.size(), lanes, [&](std::int64_t i) {
        const std::int64_t v = in[i];
        const std::int64_t low = lo_i < v ? v : lo_i;
        o[i] = static_cast<T>(low < hi_i ? low : hi_i);  // a bound outside T wraps into it
      });
    }
  });
}

void relu_values(const Tensor& x, Tensor& y, std::int64_t lanes) {
  if (x.dtype() == DType::fp32) {
    map_fp32(x, y, lanes, [](double v) { return v > 0 ? v : 0.0; });
    return;
  }
  clip_values(x, y, 0, std::numeric_limits<double>::infinity(), lanes);
}

// ---- element-wise: arithmetic with broadcasting -----------------------------------------------

/// An integer lane's result in the element type: computed modulo 2^64 and truncated, which is
/// the result modulo 2^bits of the type (two's complement wrap-around).
template <class T> T int_lane(const ir::Op& op, T a, T b) {
  const auto ua = static_cast<std::uint64_t>(static_cast<std::int64_t>(a));
  const auto ub = static_cast<std::uint64_t>(static_cast<std::int64_t>(b));
  switch (op.kind) {
    case OpKind::add: return static_cast<T>(ua + ub);
    case OpKind::sub: return static_cast<T>(ua - ub);
    case OpKind::mul: return static_cast<T>(ua * ub);
    default: break;
  }
  if (b == 0) fail(op, "integer division by zero");
  const std::int64_t a64 = a, b64 = b;
  if (a64 == std::numeric_limits<std::int64_t>::min() && b64 == -1) return a;  // wraps to itself
  return static_cast<T>(a64 / b64);                                            // truncates toward zero
}

float fp_lane(OpKind k, float a, float b) {
  switch (k) {
    case OpKind::add: return a + b;
    case OpKind::sub: return a - b;
    case OpKind::mul: return a * b;
    default: return a / b;
  }
}

void binary_values(const ir::Op& op, const Tensor& a, const Tensor& b, Tensor& y, std::int64_t lanes) {
  const AddressGen addr_a(y.shape(), broadcast_read_strides(a.shape(), y.shape()));
  const AddressGen addr_b(y.shape(), broadcast_read_strides(b.shape(), y.shape()));
  with_element_type(y.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* pa = a.data<T>();
    const T* pb = b.data<T>();
    T* o = y.data<T>();
    run_steps(y.size(), lanes, [&](std::int64_t i) {
      if constexpr (std::is_integral_v<T>)
        o[i] = int_lane<T>(op, pa[addr_a(i)], pb[addr_b(i)]);
      else
        o[i] = fp_lane(op.kind, pa[addr_a(i)], pb[addr_b(i)]);
    });
  });
}

// ---- data movement ----------------------------------------------------------------------------

/// Each lane copies one element: y[i] = x[src(i)].
template <class Src> void gather(const Tensor& x, Tensor& y, std::int64_t lanes, Src src) {
  const std::size_t eb = ir::dtype_bytes(x.dtype());
  const unsigned char* in = x.raw_bytes();
  unsigned char* o = y.raw_bytes();
  run_steps(y.size(), lanes, [&](std::int64_t i) {
    std::memcpy(o + static_cast<std::size_t>(i) * eb, in + static_cast<std::size_t>(src(i)) * eb, eb);
  });
}

void concat_values(const std::vector<const Tensor*>& xs, std::int64_t axis, Tensor& y, std::int64_t lanes) {
  const Shape& ys = y.shape();
  const std::size_t a = ir::normalize_axis(axis, ys.size());
  const std::int64_t inner = extent(ys, a + 1, ys.size()), row = ys[a] * inner;
  // starts[t]: the first position of input t along the axis.
  std::vector<std::int64_t> starts;
  std::int64_t at = 0;
  for (const Tensor* t : xs) starts.push_back(at), at += t->shape()[a];
  const std::size_t eb = ir::dtype_bytes(y.dtype());
  unsigned char* o = y.raw_bytes();
  run_steps(y.size(), lanes, [&](std::int64_t i) {
    const std::int64_t outer = i / row, pos = (i % row) / inner, within = i % inner;
    const std::size_t t =
        static_cast<std::size_t>(std::upper_bound(starts.begin(), starts.end(), pos) - starts.begin()) - 1;
    const std::int64_t len = xs[t]->shape()[a];
    const std::int64_t src = (outer * len + pos - starts[t]) * inner + within;
    std::memcpy(o + static_cast<std::size_t>(i) * eb, xs[t]->raw_bytes() + static_cast<std::size_t>(src) * eb, eb);
  });
}

void transpose_values(const Tensor& x, const std::vector<std::int64_t>& perm_attr, Tensor& y, std::int64_t lanes) {
  const std::vector<std::int64_t> perm = ir::transpose_perm(x.shape().size(), perm_attr);
  const Strides in_st = dense_strides(x.shape());
  Strides st(perm.size());
  for (std::size_t k = 0; k < perm.size(); ++k) st[k] = in_st[static_cast<std::size_t>(perm[k])];
  const AddressGen src(y.shape(), st);
  gather(x, y, lanes, src);
}

// ---- pools ------------------------------------------------------------------------------------

/// The window walk of one pool: X [N][C][D1..Dn] → Y [N][C][O1..On].
struct PoolWalk {
  std::size_t n = 0;
  Shape in, out;
  std::vector<std::int64_t> kernel, stride, dil, pad_begin, pad_end;
  std::int64_t in_size = 1, out_size = 1, taps = 1;

  PoolWalk(const Shape& x, const ir::PoolParams& p) {
    n = p.kernel.size();
    in.assign(x.begin() + 2, x.end());
    const ir::PoolGeometry g = ir::pool_geometry(in, p);
    out = g.out, pad_begin = g.pad_begin, pad_end = g.pad_end, kernel = p.kernel;
    for (std::size_t d = 0; d < n; ++d) {
      stride.push_back(p.strides.empty() ? 1 : p.strides[d]);
      dil.push_back(p.dilations.empty() ? 1 : p.dilations[d]);
      in_size *= in[d], out_size *= out[d], taps *= kernel[d];
    }
  }

  /// Calls tap(offset, inside_pads) for every tap of output position `o` (flat spatial index) in
  /// row-major kernel order: offset is the flat spatial index in X or -1 for a padded position;
  /// inside_pads tells whether the tap lies within [-pad_begin, in + pad_end) in every dimension
  /// (a ceil_mode window may reach beyond the end padding).
  template <class F> void for_each_tap(std::int64_t o, F&& tap) const {
    std::vector<std::int64_t> origin(n), k(n);
    for (std::size_t d = n; d-- > 0;) origin[d] = (o % out[d]) * stride[d] - pad_begin[d], o /= out[d];
    for (std::int64_t t = 0; t < taps; ++t) {
      std::int64_t rest = t;
      for (std::size_t d = n; d-- > 0;) k[d] = rest % kernel[d], rest /= kernel[d];
      std::int64_t off = 0;
      bool in_x = true, inside_pads = true;
      for (std::size_t d = 0; d < n; ++d) {
        const std::int64_t pos = origin[d] + k[d] * dil[d];
        in_x = in_x && pos >= 0 && pos < in[d];
        inside_pads = inside_pads && pos >= -pad_begin[d] && pos < in[d] + pad_end[d];
        off = off * in[d] + pos;
      }
      tap(in_x ? off : -1, inside_pads);
    }
  }
};

/// The global pools' walk: one window covering the whole spatial extent, no padding.
ir::PoolParams global_params(const Shape& x) {
  ir::PoolParams p;
  p.kernel.assign(x.begin() + 2, x.end());
  return p;
}

void max_pool_values(const ir::Op& op, const Tensor& x, const ir::PoolParams& p, Tensor& y, std::int64_t lanes) {
  const PoolWalk w(x.shape(), p);
  with_element_type(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    const T* in = x.data<T>();
    T* o = y.data<T>();
    run_steps(y.size(), lanes, [&](std::int64_t i) {
      const T* plane = in + (i / w.out_size) * w.in_size;
      bool seen = false;
      T best{};
      w.for_each_tap(i % w.out_size, [&](std::int64_t off, bool) {
        if (off < 0) return;
        if (!seen || plane[off] > best) best = plane[off];  // the first of equal maxima stays
        seen = true;
      });
      if (!seen) fail(op, "a window lies entirely in the padding");
      o[i] = best;
    });
  });
}

void average_pool_values(const ir::Op& op, const Tensor& x, const ir::PoolParams& p, Tensor& y, std::int64_t lanes) {
  const PoolWalk w(x.shape(), p);
  const float* in = x.data<float>();
  float* o = y.data<float>();
  run_steps(y.size(), lanes, [&](std::int64_t i) {
    const float* plane = in + (i / w.out_size) * w.in_size;
    double sum = 0;
    std::int64_t count = 0;
    w.for_each_tap(i % w.out_size, [&](std::int64_t off, bool inside_pads) {
      if (off >= 0) sum += static_cast<double>(plane[off]);
      if (off >= 0 || (p.count_include_pad && inside_pads)) ++count;
    });
    if (count == 0) fail(op, "a window lies entirely in the padding");
    o[i] = static_cast<float>(sum / static_cast<double>(count));
  });
}

// ---- normalizations ---------------------------------------------------------------------------

void softmax_values(const Tensor& x, std::int64_t axis, Tensor& y, std::int64_t lanes) {
  const Shape& s = x.shape();
  const std::size_t a = ir::normalize_axis(axis, s.size());
  const std::int64_t n = s[a], inner = extent(s, a + 1, s.size());
  const std::int64_t rows = extent(s, 0, a) * inner;
  const float* in = x.data<float>();
  float* o = y.data<float>();
  // Each lane keeps its row's exponentials between the sum and the division.
  std::vector<double> e(static_cast<std::size_t>(lanes * n));
  run_steps(rows, lanes, [&](std::int64_t r) {
    double* lane_e = e.data() + (r % lanes) * n;
    const std::int64_t base = (r / inner) * n * inner + r % inner;
    double mx = -std::numeric_limits<double>::infinity();
    for (std::int64_t k = 0; k < n; ++k) {
      const double v = in[base + k * inner];
      mx = mx < v ? v : mx;
    }
    double sum = 0;
    for (std::int64_t k = 0; k < n; ++k) {
      lane_e[k] = std::exp(static_cast<double>(in[base + k * inner]) - mx);
      sum += lane_e[k];
    }
    for (std::int64_t k = 0; k < n; ++k) o[base + k * inner] = static_cast<float>(lane_e[k] / sum);
  });
}

void layer_norm_values(const Tensor& x, const Tensor& scale, const Tensor* bias, const ir::LayerNormAttrs& attrs,
                       Tensor& y, std::int64_t lanes) {
  const Shape& s = x.shape();
  const std::size_t a = ir::normalize_axis(attrs.axis, s.size());
  const Shape norm(s.begin() + static_cast<std::ptrdiff_t>(a), s.end());
  const std::int64_t len = ir::numel(norm), rows = extent(s, 0, a);
  // The parameter address table of one row: scale and bias offsets of each normalized position.
  const AddressGen scale_addr(norm, broadcast_read_strides(scale.shape(), norm));
  std::vector<std::int64_t> scale_off(static_cast<std::size_t>(len)), bias_off(static_cast<std::size_t>(len));
  for (std::int64_t j = 0; j < len; ++j) scale_off[static_cast<std::size_t>(j)] = scale_addr(j);
  if (bias) {
    const AddressGen bias_addr(norm, broadcast_read_strides(bias->shape(), norm));
    for (std::int64_t j = 0; j < len; ++j) bias_off[static_cast<std::size_t>(j)] = bias_addr(j);
  }
  const float* in = x.data<float>();
  const float* sc = scale.data<float>();
  const float* bi = bias ? bias->data<float>() : nullptr;
  float* o = y.data<float>();
  run_steps(rows, lanes, [&](std::int64_t r) {
    const float* row = in + r * len;
    double mean = 0;
    for (std::int64_t j = 0; j < len; ++j) mean += static_cast<double>(row[j]);
    mean /= static_cast<double>(len);
    double var = 0;
    for (std::int64_t j = 0; j < len; ++j) {
      const double d = static_cast<double>(row[j]) - mean;
      var += d * d;
    }
    var /= static_cast<double>(len);
    const double inv = 1.0 / std::sqrt(var + attrs.epsilon);
    for (std::int64_t j = 0; j < len; ++j) {
      const std::size_t uj = static_cast<std::size_t>(j);
      double v = (static_cast<double>(row[j]) - mean) * inv * static_cast<double>(sc[scale_off[uj]]);
      if (bi) v += static_cast<double>(bi[bias_off[uj]]);
      o[r * len + j] = static_cast<float>(v);
    }
  });
}

void batch_norm_values(const std::vector<const Tensor*>& in, double epsilon, Tensor& y, std::int64_t lanes) {
  const Tensor& x = *in[0];
  const std::int64_t channels = x.shape()[1], inner = extent(x.shape(), 2, x.shape().size());
  const float* px = x.data<float>();
  const float *scale = in[1]->data<float>(), *bias = in[2]->data<float>();
  const float *mean = in[3]->data<float>(), *var = in[4]->data<float>();
  float* o = y.data<float>();
  run_steps(x.size(), lanes, [&](std::int64_t i) {
    const std::int64_t c = (i / inner) % channels;
    const double centred = static_cast<double>(px[i]) - static_cast<double>(mean[c]);
    const double v = centred / std::sqrt(static_cast<double>(var[c]) + epsilon) * static_cast<double>(scale[c]) +
                     static_cast<double>(bias[c]);
    o[i] = static_cast<float>(v);
  });
}

// ---- quantizers -------------------------------------------------------------------------------

/// rounded + zero_point saturated to q's range; `rounded` is integral or ±inf.
std::int64_t saturate(double rounded, std::int64_t zero_point, ir::QType q) {
  const double v = rounded + static_cast<double>(zero_point);
  if (v <= static_cast<double>(ir::qmin(q))) return ir::qmin(q);
  if (v >= static_cast<double>(ir::qmax(q))) return ir::qmax(q);
  return static_cast<std::int64_t>(v);
}

/// Zero point of element i (0 without a zero-point operand).
class ZeroPoint {
 public:
  ZeroPoint(const Tensor* zp, const Shape& shape, std::int64_t axis) : zp_(zp), index_(zp, shape, axis) {}
  std::int64_t operator()(std::int64_t i) const { return zp_ ? zp_->get_i64(index_(i)) : 0; }

 private:
  const Tensor* zp_;
  ChannelIndex index_;
};

void quantize_values(const ir::Op& op, const std::vector<const Tensor*>& in, const ir::QuantAttrs& q, Tensor& y,
                     std::int64_t lanes) {
  const Tensor& x = *in[0];
  const Tensor* zp = in.size() > 2 ? in[2] : nullptr;
  const ChannelIndex scale_at(in[1], x.shape(), q.axis);
  const ZeroPoint zero_point(zp, x.shape(), q.axis);
  const float* px = x.data<float>();
  const float* scale = in[1]->data<float>();
  run_steps(x.size(), lanes, [&](std::int64_t i) {
    const float quotient = px[i] / scale[scale_at(i)];  // an fp32 divider
    if (std::isnan(quotient)) fail(op, "NaN input");
    y.set_i64(i, saturate(std::nearbyint(static_cast<double>(quotient)), zero_point(i), q.qtype));
  });
}

void dequantize_values(const std::vector<const Tensor*>& in, const ir::QuantAttrs& q, Tensor& y, std::int64_t lanes) {
  const Tensor& x = *in[0];
  const Tensor* zp = in.size() > 2 ? in[2] : nullptr;
  const ChannelIndex scale_at(in[1], x.shape(), q.axis);
  const ZeroPoint zero_point(zp, x.shape(), q.axis);
  const float* scale = in[1]->data<float>();
  float* o = y.data<float>();
  run_steps(x.size(), lanes, [&](std::int64_t i) {
    // |x - zero point| < 2^17: exact in fp32, so the fp32 product is rounded once.
    const auto centred = static_cast<float>(x.get_i64(i) - zero_point(i));
    o[i] = centred * scale[scale_at(i)];
  });
}

void requantize_values(const ir::Op& op, const std::vector<const Tensor*>& in, const ir::QuantAttrs& q, Tensor& y,
                       std::int64_t lanes) {
  const Tensor& acc = *in[0];
  const Tensor* zp = in.size() > 2 ? in[2] : nullptr;
  const ChannelIndex mult_at(in[1], acc.shape(), q.axis);
  const ZeroPoint zero_point(zp, acc.shape(), q.axis);
  const float* mult = in[1]->data<float>();
  run_steps(acc.size(), lanes, [&](std::int64_t i) {
    const double product = static_cast<double>(acc.get_i64(i)) * static_cast<double>(mult[mult_at(i)]);
    if (std::isnan(product)) fail(op, "NaN multiplier");
    y.set_i64(i, saturate(std::nearbyint(product), zero_point(i), q.qtype));
  });
}

// ---- Winograd F(m×m, 3×3) stages --------------------------------------------------------------

/// One separable transform L d Rᵀ of a q×q tile d with a p×q matrix L (= R), in fp32 as the
/// lanes do it: first L·d, then (L·d)·Lᵀ, each sum over the nonzero coefficients in index order.
void transform_tile(const std::vector<float>& l, std::int64_t p, std::int64_t q, const float* d, float* out) {
  std::vector<float> t1(static_cast<std::size_t>(p * q));
  for (std::int64_t i = 0; i < p; ++i)
    for (std::int64_t col = 0; col < q; ++col) {
      float sum = 0;
      for (std::int64_t k = 0; k < q; ++k)
        if (const float c = l[static_cast<std::size_t>(i * q + k)]; c != 0) sum += c * d[k * q + col];
      t1[static_cast<std::size_t>(i * q + col)] = sum;
    }
  for (std::int64_t i = 0; i < p; ++i)
    for (std::int64_t j = 0; j < p; ++j) {
      float sum = 0;
      for (std::int64_t k = 0; k < q; ++k)
        if (const float c = l[static_cast<std::size_t>(j * q + k)]; c != 0)
          sum += t1[static_cast<std::size_t>(i * q + k)] * c;
      out[i * p + j] = sum;
    }
}

void winograd_values(const ir::Op& op, const Tensor& x, Tensor& y) {
  const ir::WinogradAttrs& a = std::get<ir::WinogradAttrs>(op.attrs);
  const lower::WinogradMatrices& w = lower::winograd_matrices(static_cast<int>(a.m));
  const std::int64_t al = w.alpha, m = a.m;
  const auto to_float = [](const std::vector<std::int64_t>& v, double scale) {
    std::vector<float> f;
    for (std::int64_t e : v) f.push_back(static_cast<float>(static_cast<double>(e) / scale));
    return f;
  };
  const std::vector<float> bt = to_float(w.bt, 1), g = to_float(w.g, static_cast<double>(w.g_scale)),
                           at = to_float(w.at, 1);
  const float* in = x.data<float>();
  float* out = y.data<float>();
  std::vector<float> tile(static_cast<std::size_t>(al * al)), res(static_cast<std::size_t>(al * al));
  if (op.kind == OpKind::winograd_filter) {
    const std::int64_t oc_n = x.shape()[0], c_n = x.shape()[1];
    for (std::int64_t o = 0; o < oc_n; ++o)
      for (std::int64_t c = 0; c < c_n; ++c) {
        transform_tile(g, al, 3, in + (o * c_n + c) * 9, res.data());
        for (std::int64_t k = 0; k < al * al; ++k) out[(k * c_n + c) * oc_n + o] = res[static_cast<std::size_t>(k)];
      }
    return;
  }
  const std::int64_t th = (a.out_h + m - 1) / m, tw = (a.out_w + m - 1) / m;
  if (op.kind == OpKind::winograd_input) {
    const std::int64_t c_n = x.shape()[1], h = x.shape()[2], wd = x.shape()[3], tiles = y.shape()[1];
    for (std::int64_t t = 0; t < tiles; ++t) {
      const std::int64_t n = t / (th * tw), row0 = (t / tw) % th * m - a.pad_top, col0 = t % tw * m - a.pad_left;
      for (std::int64_t c = 0; c < c_n; ++c) {
        for (std::int64_t i = 0; i < al; ++i)
          for (std::int64_t j = 0; j < al; ++j) {
            const std::int64_t r = row0 + i, q = col0 + j;
            tile[static_cast<std::size_t>(i * al + j)] =
                r < 0 || r >= h || q < 0 || q >= wd ? 0.0f : in[((n * c_n + c) * h + r) * wd + q];
          }
        transform_tile(bt, al, al, tile.data(), res.data());
        for (std::int64_t k = 0; k < al * al; ++k) out[(k * tiles + t) * c_n + c] = res[static_cast<std::size_t>(k)];
      }
    }
    return;
  }
  const std::int64_t tiles = x.shape()[1], oc_n = x.shape()[2];
  for (std::int64_t t = 0; t < tiles; ++t) {
    const std::int64_t n = t / (th * tw), row0 = (t / tw) % th * m, col0 = t % tw * m;
    for (std::int64_t o = 0; o < oc_n; ++o) {
      for (std::int64_t k = 0; k < al * al; ++k) tile[static_cast<std::size_t>(k)] = in[(k * tiles + t) * oc_n + o];
      transform_tile(at, m, al, tile.data(), res.data());
      for (std::int64_t i = 0; i < m && row0 + i < a.out_h; ++i)
        for (std::int64_t j = 0; j < m && col0 + j < a.out_w; ++j)
          out[((n * oc_n + o) * a.out_h + row0 + i) * a.out_w + col0 + j] = res[static_cast<std::size_t>(i * m + j)];
    }
  }
}

// ---- dispatch ---------------------------------------------------------------------------------

std::string type_str(const ir::TensorType& t) { return ir::shape_str(t.shape) + " " + ir::dtype_name(t.dtype); }

Tensor compute(const ir::Op& op, const std::vector<const Tensor*>& in, const ir::TensorType& out, std::int64_t lanes) {
  const Tensor& x = *in[0];
  Tensor y(out.dtype, out.shape);
  switch (op.kind) {
    case OpKind::conv2d:
    case OpKind::gemm:
    case OpKind::matmul: break;
    case OpKind::max_pool: max_pool_values(op, x, std::get<ir::PoolParams>(op.attrs), y, lanes); break;
    case OpKind::average_pool: average_pool_values(op, x, std::get<ir::PoolParams>(op.attrs), y, lanes); break;
    case OpKind::global_max_pool: max_pool_values(op, x, global_params(x.shape()), y, lanes); break;
    case OpKind::global_average_pool: average_pool_values(op, x, global_params(x.shape()), y, lanes); break;
    case OpKind::relu: relu_values(x, y, lanes); break;
    case OpKind::relu6: clip_values(x, y, 0, 6, lanes); break;
    case OpKind::clip: {
      const ir::ClipAttrs& c = std::get<ir::ClipAttrs>(op.attrs);
      clip_values(x, y, c.min, c.max, lanes);
      break;
    }
    case OpKind::sigmoid: map_fp32(x, y, lanes, [](double v) { return 1.0 / (1.0 + std::exp(-v)); }); break;
    case OpKind::tanh: map_fp32(x, y, lanes, [](double v) { return std::tanh(v); }); break;
    case OpKind::silu: map_fp32(x, y, lanes, [](double v) { return v / (1.0 + std::exp(-v)); }); break;
    case OpKind::gelu:
      if (std::get<ir::GeluAttrs>(op.attrs).tanh_approximation) {
        const double c = std::sqrt(2.0 / std::acos(-1.0));  // sqrt(2/pi)
        map_fp32(x, y, lanes, [c](double v) { return 0.5 * v * (1.0 + std::tanh(c * (v + 0.044715 * v * v * v))); });
      } else {
        map_fp32(x, y, lanes, [](double v) { return 0.5 * v * (1.0 + std::erf(v / std::sqrt(2.0))); });
      }
      break;
    case OpKind::hard_swish:
      map_fp32(x, y, lanes, [](double v) { return v * std::max(0.0, std::min(1.0, v / 6.0 + 0.5)); });
      break;
    case OpKind::leaky_relu: {
      const double alpha = std::get<ir::LeakyReluAttrs>(op.attrs).alpha;
      map_fp32(x, y, lanes, [alpha](double v) { return v >= 0 ? v : alpha * v; });
      break;
    }
    case OpKind::add:
    case OpKind::sub:
    case OpKind::mul:
    case OpKind::div: binary_values(op, x, *in[1], y, lanes); break;
    case OpKind::concat: concat_values(in, std::get<ir::AxisAttrs>(op.attrs).axis, y, lanes); break;
    case OpKind::reshape:
    case OpKind::flatten:
    case OpKind::squeeze:
    case OpKind::unsqueeze: gather(x, y, lanes, [](std::int64_t i) { return i; }); break;
    case OpKind::transpose: transpose_values(x, std::get<ir::TransposeAttrs>(op.attrs).perm, y, lanes); break;
    case OpKind::softmax: softmax_values(x, std::get<ir::AxisAttrs>(op.attrs).axis, y, lanes); break;
    case OpKind::layer_norm:
      layer_norm_values(x, *in[1], in.size() > 2 ? in[2] : nullptr, std::get<ir::LayerNormAttrs>(op.attrs), y, lanes);
      break;
    case OpKind::batch_norm: batch_norm_values(in, std::get<ir::BatchNormAttrs>(op.attrs).epsilon, y, lanes); break;
    case OpKind::quantize_linear: quantize_values(op, in, std::get<ir::QuantAttrs>(op.attrs), y, lanes); break;
    case OpKind::dequantize_linear: dequantize_values(in, std::get<ir::QuantAttrs>(op.attrs), y, lanes); break;
    case OpKind::requantize: requantize_values(op, in, std::get<ir::QuantAttrs>(op.attrs), y, lanes); break;
    case OpKind::winograd_filter:
    case OpKind::winograd_input:
    case OpKind::winograd_output: winograd_values(op, x, y); break;
  }
  return y;
}

}  // namespace

Tensor vector_op_values(const ir::Op& op, const std::vector<const Tensor*>& inputs, const ir::TensorType& out) {
  return vector_op_values(op, inputs, out, default_vector_lanes);
}

Tensor vector_op_values(const ir::Op& op, const std::vector<const Tensor*>& inputs, const ir::TensorType& out,
                        std::int64_t lanes) {
  if (op.kind == OpKind::conv2d || op.kind == OpKind::gemm || op.kind == OpKind::matmul)
    fail(op, "not executed by the post-processing unit (it runs on the PE array as a GEMM)");
  if (lanes < 1) fail(op, "the unit needs at least 1 lane, got " + std::to_string(lanes));
  std::vector<ir::TensorType> types;
  for (const Tensor* t : inputs) {
    if (!t) fail(op, "an input tensor is missing");
    types.push_back({t->shape(), t->dtype()});
  }
  // The operands' dtypes, shapes and attributes as the graph IR defines them; the output must be
  // the declared one.
  ir::TensorType expected;
  try {
    expected = ir::infer_output(op, types, out.dtype);
  } catch (const std::invalid_argument& e) {
    fail(op, e.what());
  }
  if (expected.shape != out.shape || expected.dtype != out.dtype)
    fail(op, "the output is declared " + type_str(out) + ", the operator gives " + type_str(expected));
  return compute(op, inputs, out, lanes);
}

}  // namespace arraysim::hw
