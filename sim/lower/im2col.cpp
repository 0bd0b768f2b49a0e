#include "sim/lower/im2col.hpp"

namespace arraysim::lower {

OperandMap::OperandMap(const ir::Layer& layer) : layer_(layer), dims_(ir::gemm_dims(layer)) {
  if (layer.kind == ir::LayerKind::conv2d) {
    p_ = layer.conv.out_h();
    q_ = layer.conv.out_w();
  }
}

std::int64_t OperandMap::a_offset(std::int64_t g, std::int64_t m, std::int64_t k) const {
  if (layer_.kind != ir::LayerKind::conv2d) return m * dims_.k + k;
  const ir::Conv2dParams& c = layer_.conv;
  // m -> (batch, p, q); k -> (c_local, r, s)
  const std::int64_t q = m % q_, p = (m / q_) % p_, nb = m / (q_ * p_);
  const std::int64_t s = k % c.kernel_w, r = (k / c.kernel_w) % c.kernel_h;
  const std::int64_t ch = g * c.c_per_group() + k / (c.kernel_w * c.kernel_h);
  const std::int64_t ih = p * c.stride_h - c.pad_top + r * c.dilation_h;
  const std::int64_t iw = q * c.stride_w - c.pad_left + s * c.dilation_w;
  if (ih < 0 || ih >= c.h || iw < 0 || iw >= c.w) return -1;
  return ((nb * c.c + ch) * c.h + ih) * c.w + iw;
}

std::int64_t OperandMap::b_offset(std::int64_t g, std::int64_t k, std::int64_t n) const {
  if (layer_.kind != ir::LayerKind::conv2d) return k * dims_.n + n;
  // weight [OC][C/g][R][S]: row oc = g·OCg + n holds the K = (C/g)·R·S taps contiguously.
  return (g * dims_.n + n) * dims_.k + k;
}

std::int64_t OperandMap::c_offset(std::int64_t g, std::int64_t m, std::int64_t n) const {
  if (layer_.kind != ir::LayerKind::conv2d) return m * dims_.n + n;
  const std::int64_t pq = p_ * q_, nb = m / pq, pix = m % pq;
  const std::int64_t oc = g * dims_.n + n;
  return (nb * layer_.conv.out_channels + oc) * pq + pix;
}

ir::Tensor materialize_a(const OperandMap& map, const ir::Tensor& input, std::int64_t g) {
  const ir::GemmDims& d = map.dims();
  ir::Tensor a(input.dtype(), {d.m, d.k});
  for (std::int64_t m = 0; m < d.m; ++m)
    for (std::int64_t k = 0; k < d.k; ++k) {
      const std::int64_t off = map.a_offset(g, m, k);
      if (off < 0) continue;  // the tensor is zero-initialised: padding stays 0
      a.copy_element(m * d.k + k, input, off);
    }
  return a;
}

ir::Tensor materialize_b(const OperandMap& map, const ir::Tensor& weight, std::int64_t g) {
  const ir::GemmDims& d = map.dims();
  ir::Tensor b(weight.dtype(), {d.k, d.n});
  for (std::int64_t k = 0; k < d.k; ++k)
    for (std::int64_t n = 0; n < d.n; ++n) {
      b.copy_element(k * d.n + n, weight, map.b_offset(g, k, n));
    }
  return b;
}

void scatter_c(const OperandMap& map, const ir::Tensor& c, std::int64_t g, ir::Tensor& output) {
  const ir::GemmDims& d = map.dims();
  for (std::int64_t m = 0; m < d.m; ++m)
    for (std::int64_t n = 0; n < d.n; ++n) {
      output.copy_element(map.c_offset(g, m, n), c, m * d.n + n);
    }
}

}  // namespace arraysim::lower
