#include "models/analytic/systolic.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace arraysim::analytic {
namespace {

std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return (a + b - 1) / b; }

void check_args(const char* fn, std::int64_t rows, std::int64_t cols, const ir::GemmDims& g) {
  auto positive = [&](const char* what, std::int64_t v) {
    if (v < 1) throw std::invalid_argument(std::string(fn) + ": " + what + " must be >= 1, got " + std::to_string(v));
  };
  positive("rows", rows);
  positive("cols", cols);
  positive("m", g.m);
  positive("n", g.n);
  positive("k", g.k);
  positive("groups", g.groups);
}

/// WS and IS share one timing (IS is WS with Aᵀ stationary and B streamed). In the names below
/// `t` is the streamed length (WS: M, IS: N), `k` maps to the R rows, and `width` is the GEMM
/// dim mapped to the C columns (WS: N, IS: M).
///
/// Per fold f (R_f rows, C_f columns used; R, C array dims):
///   weight load   L_f .. L_f+R−1            (all R rows always shift through the weight chain)
///   stream start  s_f = L_f + R
///   last output   s_f + (t−1) + (R−1) + (C_f−1)   (psum of row t−1, column C_f−1 leaves row R−1)
///   next load     L_{f+1} = s_f + t + C_f − 1     (row i's last use is s_f + t−1 + i + C_f−1 and
///                                                   the next load overwrites row i at L_{f+1}+i)
/// ⇒ s_{f+1} = s_f + (R + t − 1) + C_f, s_0 = R, and
///   total = s_{F−1} + t + R + C_{F−1} − 2
///         = R + Σ_{f<F−1} (R + t − 1 + C_f) + (R + t − 1 + C_{F−1}) − 1
///         = F·(R + t − 1) + Σ_f C_f + R − 1.
/// Folds: per group ⌈width/C⌉ column folds (outer) × ⌈k/R⌉ row folds (inner); the column folds of
/// one group use Σ C_f = width columns, each repeated for every row fold, so over the layer
/// Σ_f C_f = G·⌈k/R⌉·width. R_f does not appear: every value traverses all R rows.
///   total = F·(R + t − 1) + G·⌈k/R⌉·width + R − 1,   F = G·⌈k/R⌉·⌈width/C⌉.
/// Single fold: 2R + t + width − 2 (SCALE-Sim's 2R + C + T − 2 when width = C).
std::int64_t stationary_operand_total(std::int64_t R, std::int64_t C, std::int64_t k, std::int64_t width,
                                      std::int64_t t, std::int64_t G, std::int64_t& folds) {
  const std::int64_t fk = ceil_div(k, R);
  folds = G * fk * ceil_div(width, C);
  return folds * (R + t - 1) + G * fk * width + R - 1;
}

/// OS: rows map M, columns map N, time streams K; per group ⌈M/R⌉ row folds (outer) × ⌈N/C⌉
/// column folds (inner).
/// Per fold f starting at s_f (s_0 = 0), R_f rows and C_f columns used:
///   MAC k at PE(i,j)      s_f + k + i + j
///   drain of column j     d_j = s_f + K + R_f − 1 + j   (cycle after PE(R_f−1,j)'s last MAC)
///   PE(i,j) shifts        d_j .. d_j + i, free from d_j + i + 1
///   bottom PE emits row i at d_j + R − 1 − i (every value traverses all R rows)
///   next fold             first MAC at PE(i,j) is s_{f+1} + i + j ≥ d_j + i + 1
///                         ⇒ s_{f+1} = s_f + K + R_f
///   last output of fold f row 0 of column C_f−1: d_{C_f−1} + R − 1
///                         ⇒ out_f = s_f + K + R_f + C_f + R − 3 = s_{f+1} + C_f + R − 3
/// total = max_f out_f + 1 = R − 2 + max_f (s_{f+1} + C_f).
/// NOTE: out_f is not monotone in f: out_{f+1} − out_f = K + R_{f+1} + C_{f+1} − C_f, negative when
/// a narrow edge column fold (C_last) follows a full one (C) and C − C_last > K + R_{f+1}. Then the
/// full fold F−2 emits last, not fold F−1 (e.g. R=1, C=8, M=1, N=9, K=1: fold 0's column 7 emits
/// at cycle 8, fold 1's only output at cycle 3 ⇒ total 9, not 4).
/// s_{f+1} grows with f, so among folds of width C the latest one wins, likewise for width C_last:
/// candidates are F−1 (width C_last) and, if ⌈N/C⌉ ≥ 2, F−2 (width C, same row fold as F−1).
/// s_F = Σ_f (K + R_f): each row fold's R_f is repeated for each of its ⌈N/C⌉ column folds and the
/// row folds of one group sum to M, so s_F = F·K + G·⌈N/C⌉·M; s_{F−1} = s_F − K − R_last with
/// R_last = M − (⌈M/R⌉−1)·R and C_last = N − (⌈N/C⌉−1)·C:
///   total = F·K + G·⌈N/C⌉·M + R − 2 + max(C_last, C − K − R_last)   (⌈N/C⌉ ≥ 2)
///   total = F·K + G·⌈N/C⌉·M + R − 2 + C_last                         (⌈N/C⌉ = 1)
/// with F = G·⌈M/R⌉·⌈N/C⌉. Single fold (M ≤ R, N ≤ C): K + M + N + R − 2, i.e. K + 2R + C − 2
/// when the fold is full.
std::int64_t os_total(std::int64_t R, std::int64_t C, const ir::GemmDims& g, std::int64_t& folds) {
  const std::int64_t fm = ceil_div(g.m, R), fn = ceil_div(g.n, C);
  const std::int64_t r_last = g.m - (fm - 1) * R;
  const std::int64_t c_last = g.n - (fn - 1) * C;
  folds = g.groups * fm * fn;
  const std::int64_t s_end = folds * g.k + g.groups * fn * g.m;  // s_F
  const std::int64_t tail = fn >= 2 ? std::max(c_last, C - g.k - r_last) : c_last;
  return s_end + R - 2 + tail;
}

}  // namespace

const char* dataflow_name(Dataflow df) {
  switch (df) {
    case Dataflow::os: return "os";
    case Dataflow::ws: return "ws";
    case Dataflow::is: return "is";
  }
  return "?";
}

SystolicEstimate systolic_cycles(Dataflow df, std::int64_t rows, std::int64_t cols, const ir::GemmDims& g) {
  check_args("systolic_cycles", rows, cols, g);
  SystolicEstimate e;
  switch (df) {
    case Dataflow::os: e.total_cycles = os_total(rows, cols, g, e.folds); break;
    // WS: stationary B tile (K on rows, N on columns), A streams M rows.
    case Dataflow::ws: e.total_cycles = stationary_operand_total(rows, cols, g.k, g.n, g.m, g.groups, e.folds); break;
    // IS: stationary Aᵀ tile (K on rows, M on columns), B streams N columns.
    case Dataflow::is: e.total_cycles = stationary_operand_total(rows, cols, g.k, g.m, g.n, g.groups, e.folds); break;
  }
  e.macs = g.groups * g.m * g.n * g.k;
  e.pe_utilization = static_cast<double>(e.macs) /
                     (static_cast<double>(rows) * static_cast<double>(cols) * static_cast<double>(e.total_cycles));
  return e;
}

std::int64_t scalesim_v2_cycles(Dataflow df, std::int64_t rows, std::int64_t cols, const ir::GemmDims& g) {
  check_args("scalesim_v2_cycles", rows, cols, g);
  const std::int64_t R = rows, C = cols;
  // SCALE-Sim v2 (research note §2.3–2.4): strictly sequential folds, each padded to the full
  // R×C array; the reported count is the service cycle of the last demand row = rows − 1.
  switch (df) {
    case Dataflow::os: return g.groups * ceil_div(g.m, R) * ceil_div(g.n, C) * (g.k + R + C - 2) - 1;
    case Dataflow::ws: return g.groups * ceil_div(g.k, R) * ceil_div(g.n, C) * (2 * R + C + g.m - 2) - 1;
    case Dataflow::is: return g.groups * ceil_div(g.k, R) * ceil_div(g.m, C) * (2 * R + C + g.n - 2) - 1;
  }
  return 0;
}

}  // namespace arraysim::analytic
