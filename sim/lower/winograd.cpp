#include "sim/lower/winograd.hpp"

#include <stdexcept>
#include <string>

namespace arraysim::lower {

const WinogradMatrices& winograd_matrices(int m) {
  // Lavin and Gray 2016, with G scaled by s to integers.
  static const WinogradMatrices f2{2,
                                   4,
                                   {1, 0, -1, 0,  //
                                    0, 1, 1, 0,   //
                                    0, -1, 1, 0,  //
                                    0, 1, 0, -1},
                                   // G = [1 0 0; 1/2 1/2 1/2; 1/2 -1/2 1/2; 0 0 1], times 2
                                   {2, 0, 0,   //
                                    1, 1, 1,   //
                                    1, -1, 1,  //
                                    0, 0, 2},
                                   {1, 1, 1, 0,  //
                                    0, 1, -1, -1},
                                   2};
  static const WinogradMatrices f4{4,
                                   6,
                                   {4, 0,  -5, 0,  1, 0,  //
                                    0, -4, -4, 1,  1, 0,  //
                                    0, 4,  -4, -1, 1, 0,  //
                                    0, -2, -1, 2,  1, 0,  //
                                    0, 2,  -1, -2, 1, 0,  //
                                    0, 4,  0,  -5, 0, 1},
                                   // G = [1/4 0 0; -1/6 -1/6 -1/6; -1/6 1/6 -1/6;
                                   //      1/24 1/12 1/6; 1/24 -1/12 1/6; 0 0 1], times 24
                                   {6, 0, 0,     //
                                    -4, -4, -4,  //
                                    -4, 4, -4,   //
                                    1, 2, 4,     //
                                    1, -2, 4,    //
                                    0, 0, 24},
                                   {1, 1, 1,  1, 1,  0,  //
                                    0, 1, -1, 2, -2, 0,  //
                                    0, 1, 1,  4, 4,  0,  //
                                    0, 1, -1, 8, -8, 1},
                                   24};
  if (m == 2) return f2;
  if (m == 4) return f4;
  throw std::invalid_argument("winograd: F(" + std::to_string(m) + "x" + std::to_string(m) +
                              ", 3x3) is not provided (m is 2 or 4)");
}

bool winograd_applies(const ir::Conv2dParams& p) {
  return p.kernel_h == 3 && p.kernel_w == 3 && p.stride_h == 1 && p.stride_w == 1 && p.dilation_h == 1 &&
         p.dilation_w == 1;
}

WinogradCounts winograd_counts(const ir::Conv2dParams& p, int m) {
  const WinogradMatrices& t = winograd_matrices(m);
  WinogradCounts c;
  c.tiles_h = (p.out_h() + m - 1) / m;
  c.tiles_w = (p.out_w() + m - 1) / m;
  c.tiles = p.n * c.tiles_h * c.tiles_w;
  c.batch = static_cast<std::int64_t>(t.alpha) * t.alpha;
  c.gemm = {c.tiles, p.oc_per_group(), p.c_per_group(), p.groups};
  c.multiplications = c.batch * c.tiles * p.c_per_group() * p.oc_per_group() * p.groups;
  c.direct_macs = p.n * p.out_h() * p.out_w() * p.out_channels * p.c_per_group() * 9;
  return c;
}

ir::Tensor winograd_conv2d(const ir::Tensor& x, const ir::Tensor& w, const ir::Conv2dParams& p, int m, ir::DType acc) {
  if (!winograd_applies(p)) throw std::invalid_argument("winograd: needs a 3x3 kernel, stride 1 and dilation 1");
  if (!ir::is_integer(x.dtype()) || !ir::is_integer(w.dtype()) || !ir::is_integer(acc))
    throw std::invalid_argument("winograd: integer operands and accumulators only");
  const WinogradMatrices& t = winograd_matrices(m);
  const int a = t.alpha;
  const std::int64_t cg = p.c_per_group(), og = p.oc_per_group(), P = p.out_h(), Q = p.out_w();
  const WinogradCounts counts = winograd_counts(p, m);
  const std::int64_t s2 = t.g_scale * t.g_scale;
  auto bt = [&](int i, int j) { return t.bt[static_cast<std::size_t>(i * a + j)]; };
  auto gm = [&](int i, int j) { return t.g[static_cast<std::size_t>(i * 3 + j)]; };
  auto at = [&](int i, int j) { return t.at[static_cast<std::size_t>(i * a + j)]; };
  const std::size_t aa = static_cast<std::size_t>(a * a);

  // Filter transform, once per layer: U'[oc][c][ξν] = Σ_rs G'[ξ][r] w[oc][c][r][s] G'[ν][s].
  std::vector<std::int64_t> u(static_cast<std::size_t>(p.out_channels * cg) * aa, 0);
  for (std::int64_t oc = 0; oc < p.out_channels; ++oc)
    for (std::int64_t c = 0; c < cg; ++c) {
      std::int64_t* dst = &u[static_cast<std::size_t>(oc * cg + c) * aa];
      for (int xi = 0; xi < a; ++xi)
        for (int nu = 0; nu < a; ++nu) {
          std::int64_t sum = 0;
          for (int r = 0; r < 3; ++r)
            for (int s = 0; s < 3; ++s) sum += gm(xi, r) * w.get_i64(((oc * cg + c) * 3 + r) * 3 + s) * gm(nu, s);
          dst[xi * a + nu] = sum;
        }
    }

  ir::Tensor y(acc, {p.n, p.out_channels, P, Q});
  std::vector<std::int64_t> v(static_cast<std::size_t>(cg) * aa), mm(aa), d(aa);
  for (std::int64_t n = 0; n < p.n; ++n)
    for (std::int64_t g = 0; g < p.groups; ++g)
      for (std::int64_t th = 0; th < counts.tiles_h; ++th)
        for (std::int64_t tw = 0; tw < counts.tiles_w; ++tw) {
          // Input transform of the tile's α×α window (zero outside the image): V = Bᵀ d B.
          const std::int64_t r0 = th * m - p.pad_top, c0 = tw * m - p.pad_left;
          for (std::int64_t c = 0; c < cg; ++c) {
            const std::int64_t ch = g * cg + c;
            for (int i = 0; i < a; ++i)
              for (int j = 0; j < a; ++j) {
                const std::int64_t r = r0 + i, col = c0 + j;
                d[static_cast<std::size_t>(i * a + j)] =
                    r < 0 || r >= p.h || col < 0 || col >= p.w ? 0 : x.get_i64(((n * p.c + ch) * p.h + r) * p.w + col);
              }
            for (int xi = 0; xi < a; ++xi)
              for (int nu = 0; nu < a; ++nu) {
                std::int64_t sum = 0;
                for (int i = 0; i < a; ++i)
                  for (int j = 0; j < a; ++j) sum += bt(xi, i) * d[static_cast<std::size_t>(i * a + j)] * bt(nu, j);
                v[static_cast<std::size_t>(c) * aa + static_cast<std::size_t>(xi * a + nu)] = sum;
              }
          }
          for (std::int64_t o = 0; o < og; ++o) {
            const std::int64_t oc = g * og + o;
            // The α² products summed over the group's input channels (row t, column oc of GEMM ξν).
            for (std::size_t e = 0; e < aa; ++e) {
              std::int64_t sum = 0;
              for (std::int64_t c = 0; c < cg; ++c)
                sum += u[static_cast<std::size_t>(oc * cg + c) * aa + e] * v[static_cast<std::size_t>(c) * aa + e];
              mm[e] = sum;
            }
            // Output transform Y' = Aᵀ M A = s²·Y, divided exactly; outputs past P or Q are dropped.
            for (int i = 0; i < m; ++i)
              for (int j = 0; j < m; ++j) {
                const std::int64_t py = th * m + i, qx = tw * m + j;
                if (py >= P || qx >= Q) continue;
                std::int64_t sum = 0;
                for (int xi = 0; xi < a; ++xi)
                  for (int nu = 0; nu < a; ++nu)
                    sum += at(i, xi) * mm[static_cast<std::size_t>(xi * a + nu)] * at(j, nu);
                if (sum % s2 != 0) throw std::logic_error("winograd: the output transform is not a multiple of s^2");
                y.set_i64(((n * p.out_channels + oc) * P + py) * Q + qx, sum / s2);
              }
          }
        }
  return y;
}

}  // namespace arraysim::lower
