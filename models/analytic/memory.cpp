#include "models/analytic/memory.hpp"

#include <algorithm>
#include <cmath>

namespace arraysim::analytic {
namespace {
std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return (a + b - 1) / b; }
std::int64_t clip(std::int64_t v, std::int64_t total) { return v <= 0 || v > total ? total : v; }
}  // namespace

std::int64_t tiled_cycles(Dataflow df, std::int64_t rows, std::int64_t cols, const ir::GemmDims& g,
                          const TileExtents& tile) {
  const std::int64_t R = rows, C = cols;
  const std::int64_t tm = clip(tile.m, g.m), tn = clip(tile.n, g.n), tk = clip(tile.k, g.k);
  std::int64_t start = 0, total = 0;
  for (std::int64_t grp = 0; grp < g.groups; ++grp)
    for (std::int64_t m0 = 0; m0 < g.m; m0 += tm)
      for (std::int64_t n0 = 0; n0 < g.n; n0 += tn)
        for (std::int64_t k0 = 0; k0 < g.k; k0 += tk) {
          const ir::GemmDims t{std::min(tm, g.m - m0), std::min(tn, g.n - n0), std::min(tk, g.k - k0), 1};
          const SystolicEstimate e = systolic_cycles(df, R, C, t);
          total = std::max(total, start + e.total_cycles);
          switch (df) {
            case Dataflow::ws: start += e.folds * (R + t.m - 1) + ceil_div(t.k, R) * t.n; break;
            case Dataflow::is: start += e.folds * (R + t.n - 1) + ceil_div(t.k, R) * t.m; break;
            case Dataflow::os: start += e.folds * t.k + ceil_div(t.n, C) * t.m; break;
          }
        }
  return total;
}

GemmTraffic gemm_traffic(const ir::GemmDims& g, const TileExtents& tile, std::int64_t a_elem, std::int64_t b_elem,
                         std::int64_t c_elem) {
  const std::int64_t tm = ceil_div(g.m, clip(tile.m, g.m)), tn = ceil_div(g.n, clip(tile.n, g.n)),
                     tk = ceil_div(g.k, clip(tile.k, g.k));
  GemmTraffic t;
  t.a_read_bytes = g.groups * (tk == 1 ? 1 : tn) * g.m * g.k * a_elem;
  t.b_read_bytes = g.groups * (tn == 1 && tk == 1 ? 1 : tm) * g.k * g.n * b_elem;
  t.c_write_bytes = g.groups * g.m * g.n * c_elem;
  return t;
}

std::int64_t memory_lower_bound_cycles(std::int64_t ideal_cycles, std::int64_t dram_bytes, double bytes_per_cycle,
                                       std::int64_t latency_cycles) {
  const double bus = static_cast<double>(latency_cycles) + static_cast<double>(dram_bytes) / bytes_per_cycle;
  return std::max(ideal_cycles, static_cast<std::int64_t>(std::ceil(bus - 1e-9)));
}

}  // namespace arraysim::analytic
