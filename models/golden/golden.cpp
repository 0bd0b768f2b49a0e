#include "models/golden/golden.hpp"

#include <algorithm>
#include <stdexcept>
#include <vector>

#include "models/golden/dtype_dispatch.hpp"

namespace arraysim::golden {
namespace {

using ir::DType;
using ir::Tensor;

using detail::is_float_element;
using detail::Tag;
using detail::visit_operand_dtype;

void check_operands(const Tensor& a, const Tensor& b, DType acc) {
  if (ir::is_integer(a.dtype()) != ir::is_integer(b.dtype()) || ir::is_integer(a.dtype()) != ir::is_integer(acc))
    throw std::invalid_argument(
        "golden: operands and accumulator must be all integer or all floating-point (fp32 accumulator)");
  if (!ir::is_integer(acc) && acc != DType::fp32)
    throw std::invalid_argument("golden: floating-point operands accumulate in fp32, not " + ir::dtype_name(acc));
}

/// Sum type: exact int64 for integers, fp32 for fp32 and the narrow floats (whose values convert
/// to fp32 exactly).
template <class T> using SumT = std::conditional_t<is_float_element<T>, float, std::int64_t>;

template <class TA, class TB> void gemm_kernel(const Tensor& a, const Tensor& b, Tensor& c) {
  using S = SumT<TA>;
  const std::int64_t M = a.shape()[0], K = a.shape()[1], N = b.shape()[1];
  const TA* A = a.data<TA>();
  const TB* B = b.data<TB>();
  std::vector<S> row(static_cast<std::size_t>(N));
  for (std::int64_t i = 0; i < M; ++i) {
    std::fill(row.begin(), row.end(), S{0});
    // i-k-j order: each row[j] still receives its k terms in ascending k.
    for (std::int64_t k = 0; k < K; ++k) {
      const S av = static_cast<S>(A[i * K + k]);
      const TB* brow = B + k * N;
      for (std::int64_t j = 0; j < N; ++j) row[j] += av * static_cast<S>(brow[j]);
    }
    for (std::int64_t j = 0; j < N; ++j) {
      if constexpr (std::is_same_v<S, float>)
        c.set_f64(i * N + j, row[j]);
      else
        c.set_i64(i * N + j, row[j]);
    }
  }
}

template <class TX, class TW> void conv_kernel(const Tensor& x, const Tensor& w, const ir::Conv2dParams& p, Tensor& y) {
  using S = SumT<TX>;
  const TX* X = x.data<TX>();
  const TW* Wt = w.data<TW>();
  const std::int64_t P = p.out_h(), Q = p.out_w(), Cg = p.c_per_group(), OCg = p.oc_per_group();
  // One output plane at a time, its P x Q sums side by side: the taps run in the order (cl, r, s)
  // outermost, so every sum still receives its terms in ascending (cl, r, s), the order of the
  // definition y = sum over c, r, s of x * w, and the innermost loop runs along an input row.
  std::vector<S> plane(static_cast<std::size_t>(P * Q));
  for (std::int64_t n = 0; n < p.n; ++n)
    for (std::int64_t oc = 0; oc < p.out_channels; ++oc) {
      const std::int64_t g = oc / OCg;
      std::fill(plane.begin(), plane.end(), S{0});
      for (std::int64_t cl = 0; cl < Cg; ++cl) {
        const TX* xc = X + (n * p.c + g * Cg + cl) * p.h * p.w;
        for (std::int64_t r = 0; r < p.kernel_h; ++r)
          for (std::int64_t s = 0; s < p.kernel_w; ++s) {
            const S wv = static_cast<S>(Wt[((oc * Cg + cl) * p.kernel_h + r) * p.kernel_w + s]);
            // Output columns whose tap s lands inside the input row: iw = ow*stride - pad + s*dil
            // in [0, w). Padding taps contribute an exact zero; skipping them keeps the fp32 order.
            const std::int64_t off = s * p.dilation_w - p.pad_left;
            std::int64_t ow0 = 0, ow1 = Q;  // [ow0, ow1)
            while (ow0 < Q && ow0 * p.stride_w + off < 0) ++ow0;
            while (ow1 > ow0 && (ow1 - 1) * p.stride_w + off >= p.w) --ow1;
            for (std::int64_t oh = 0; oh < P; ++oh) {
              const std::int64_t ih = oh * p.stride_h - p.pad_top + r * p.dilation_h;
              if (ih < 0 || ih >= p.h) continue;
              const TX* xrow = xc + ih * p.w;
              S* out = plane.data() + oh * Q;
              if (p.stride_w == 1) {
                for (std::int64_t ow = ow0; ow < ow1; ++ow) out[ow] += static_cast<S>(xrow[ow + off]) * wv;
              } else {
                for (std::int64_t ow = ow0; ow < ow1; ++ow) out[ow] += static_cast<S>(xrow[ow * p.stride_w + off]) * wv;
              }
            }
          }
      }
      const std::int64_t base = (n * p.out_channels + oc) * P * Q;
      for (std::int64_t i = 0; i < P * Q; ++i) {
        if constexpr (std::is_same_v<S, float>)
          y.set_f64(base + i, plane[static_cast<std::size_t>(i)]);
        else
          y.set_i64(base + i, plane[static_cast<std::size_t>(i)]);
      }
    }
}

}  // namespace

Tensor gemm(const Tensor& a, const Tensor& b, DType acc) {
  check_operands(a, b, acc);
  if (a.shape().size() != 2 || b.shape().size() != 2 || a.shape()[1] != b.shape()[0])
    throw std::invalid_argument("golden::gemm: shapes " + ir::shape_str(a.shape()) + " x " + ir::shape_str(b.shape()) +
                                " do not chain");
  Tensor c(acc, {a.shape()[0], b.shape()[1]});
  visit_operand_dtype(a.dtype(), [&](auto ta) {
    visit_operand_dtype(b.dtype(), [&](auto tb) {
      using TA = typename decltype(ta)::type;
      using TB = typename decltype(tb)::type;
      if constexpr (is_float_element<TA> == is_float_element<TB>) gemm_kernel<TA, TB>(a, b, c);
    });
  });
  return c;
}

Tensor conv2d_direct(const Tensor& x, const Tensor& w, const ir::Conv2dParams& p, DType acc) {
  check_operands(x, w, acc);
  const ir::Shape xs{p.n, p.c, p.h, p.w}, ws{p.out_channels, p.c_per_group(), p.kernel_h, p.kernel_w};
  if (x.shape() != xs || w.shape() != ws)
    throw std::invalid_argument("golden::conv2d_direct: operand shapes " + ir::shape_str(x.shape()) + ", " +
                                ir::shape_str(w.shape()) + " do not match the layer (" + ir::shape_str(xs) + ", " +
                                ir::shape_str(ws) + ")");
  Tensor y(acc, {p.n, p.out_channels, p.out_h(), p.out_w()});
  visit_operand_dtype(x.dtype(), [&](auto tx) {
    visit_operand_dtype(w.dtype(), [&](auto tw) {
      using TX = typename decltype(tx)::type;
      using TW = typename decltype(tw)::type;
      if constexpr (is_float_element<TX> == is_float_element<TW>) conv_kernel<TX, TW>(x, w, p, y);
    });
  });
  return y;
}

Tensor run_layer(const ir::Layer& l, const ir::LayerOperands& ops, DType acc) {
  if (l.kind == ir::LayerKind::conv2d) return conv2d_direct(ops.input, ops.weight, l.conv, acc);
  return gemm(ops.input, ops.weight, acc);
}

}  // namespace arraysim::golden
