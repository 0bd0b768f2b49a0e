#include "sim/lower/strassen.hpp"

#include <stdexcept>
#include <string>
#include <vector>

namespace arraysim::lower {
namespace {

/// A dense row-major int64 matrix.
struct Mat {
  std::int64_t rows = 0, cols = 0;
  std::vector<std::int64_t> v;
  Mat(std::int64_t r, std::int64_t c) : rows(r), cols(c), v(static_cast<std::size_t>(r * c), 0) {}
  std::int64_t& at(std::int64_t r, std::int64_t c) { return v[static_cast<std::size_t>(r * cols + c)]; }
  std::int64_t at(std::int64_t r, std::int64_t c) const { return v[static_cast<std::size_t>(r * cols + c)]; }
};

/// Block (i, j) of the 2×2 split of `m` (rows and columns padded to even with zeros).
Mat block(const Mat& m, int i, int j) {
  const std::int64_t h = (m.rows + 1) / 2, w = (m.cols + 1) / 2;
  Mat b(h, w);
  for (std::int64_t r = 0; r < h; ++r)
    for (std::int64_t c = 0; c < w; ++c) {
      const std::int64_t rr = i * h + r, cc = j * w + c;
      b.at(r, c) = rr < m.rows && cc < m.cols ? m.at(rr, cc) : 0;
    }
  return b;
}

Mat combine(const Mat& x, const Mat& y, std::int64_t sign) {
  Mat z(x.rows, x.cols);
  for (std::size_t i = 0; i < z.v.size(); ++i) z.v[i] = x.v[i] + sign * y.v[i];
  return z;
}
Mat add(const Mat& x, const Mat& y) { return combine(x, y, 1); }
Mat sub(const Mat& x, const Mat& y) { return combine(x, y, -1); }

Mat multiply(const Mat& a, const Mat& b, int levels) {
  if (levels == 0) {
    Mat c(a.rows, b.cols);
    for (std::int64_t i = 0; i < a.rows; ++i)
      for (std::int64_t k = 0; k < a.cols; ++k)
        for (std::int64_t j = 0; j < b.cols; ++j) c.at(i, j) += a.at(i, k) * b.at(k, j);
    return c;
  }
  const Mat a11 = block(a, 0, 0), a12 = block(a, 0, 1), a21 = block(a, 1, 0), a22 = block(a, 1, 1);
  const Mat b11 = block(b, 0, 0), b12 = block(b, 0, 1), b21 = block(b, 1, 0), b22 = block(b, 1, 1);
  const int l = levels - 1;
  const Mat m1 = multiply(add(a11, a22), add(b11, b22), l);
  const Mat m2 = multiply(add(a21, a22), b11, l);
  const Mat m3 = multiply(a11, sub(b12, b22), l);
  const Mat m4 = multiply(a22, sub(b21, b11), l);
  const Mat m5 = multiply(add(a11, a12), b22, l);
  const Mat m6 = multiply(sub(a21, a11), add(b11, b12), l);
  const Mat m7 = multiply(sub(a12, a22), add(b21, b22), l);
  const Mat c11 = add(sub(add(m1, m4), m5), m7), c12 = add(m3, m5), c21 = add(m2, m4);
  const Mat c22 = add(add(sub(m1, m2), m3), m6);
  Mat c(a.rows, b.cols);
  const std::int64_t h = c11.rows, w = c11.cols;
  for (std::int64_t r = 0; r < c.rows; ++r)
    for (std::int64_t col = 0; col < c.cols; ++col) {
      const Mat& q = r < h ? (col < w ? c11 : c12) : (col < w ? c21 : c22);
      c.at(r, col) = q.at(r % h, col % w);
    }
  return c;
}

void check_levels(int levels) {
  if (levels != 1 && levels != 2)
    throw std::invalid_argument("strassen: " + std::to_string(levels) + " levels (1 or 2 are provided)");
}

}  // namespace

StrassenCounts strassen_counts(const ir::GemmDims& d, int levels) {
  check_levels(levels);
  StrassenCounts c;
  c.direct_macs = d.m * d.n * d.k;
  std::int64_t m = d.m, n = d.n, k = d.k, calls = 1;
  for (int l = 0; l < levels; ++l) {
    m = (m + 1) / 2, n = (n + 1) / 2, k = (k + 1) / 2;  // this level's block size
    c.additions += calls * (5 * m * k + 5 * k * n + 8 * m * n);
    calls *= 7;
  }
  c.products = calls;
  c.block = {m, n, k, 1};
  c.multiplications = calls * m * n * k;
  return c;
}

ir::Tensor strassen_gemm(const ir::Tensor& a, const ir::Tensor& b, int levels, ir::DType acc) {
  check_levels(levels);
  if (!ir::is_integer(a.dtype()) || !ir::is_integer(b.dtype()) || !ir::is_integer(acc))
    throw std::invalid_argument("strassen: integer operands and accumulators only");
  if (a.shape().size() != 2 || b.shape().size() != 2 || a.shape()[1] != b.shape()[0])
    throw std::invalid_argument("strassen: A [M][K] and B [K][N] must agree on K");
  Mat ma(a.shape()[0], a.shape()[1]), mb(b.shape()[0], b.shape()[1]);
  for (std::size_t i = 0; i < ma.v.size(); ++i) ma.v[i] = a.get_i64(static_cast<std::int64_t>(i));
  for (std::size_t i = 0; i < mb.v.size(); ++i) mb.v[i] = b.get_i64(static_cast<std::int64_t>(i));
  const Mat mc = multiply(ma, mb, levels);
  ir::Tensor c(acc, {mc.rows, mc.cols});
  for (std::size_t i = 0; i < mc.v.size(); ++i) c.set_i64(static_cast<std::int64_t>(i), mc.v[i]);
  return c;
}

}  // namespace arraysim::lower
