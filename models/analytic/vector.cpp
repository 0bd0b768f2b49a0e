#include "models/analytic/vector.hpp"

#include <algorithm>
#include <stdexcept>
#include <tuple>

namespace arraysim::analytic {

namespace {
std::int64_t cdiv(std::int64_t a, std::int64_t b) { return (a + b - 1) / b; }
int ix(VectorLoop l) { return static_cast<int>(l); }

/// A position class along one loop of `iters` iterations: first, last, both, or the middle ones.
struct Position {
  bool first, last;
  std::int64_t count;
};
std::vector<Position> positions(std::int64_t iters) {
  if (iters == 1) return {{true, true, 1}};
  std::vector<Position> p{{true, false, 1}, {false, true, 1}};
  if (iters > 2) p.push_back({false, false, iters - 2});
  return p;
}
}  // namespace

double VectorEstimate::compute_intensity_macs_per_word() const {
  const std::int64_t words = a_read_words + b_read_words + c_read_words + c_write_words;
  return words == 0 ? 0.0 : static_cast<double>(macs) / static_cast<double>(words);
}

VectorEstimate vector_fold(const VectorMapping& map, const VectorUnit& u, std::int64_t m, std::int64_t n,
                           std::int64_t k, bool accumulate) {
  if (u.lanes < 1 || m < 1 || n < 1 || k < 1)
    throw std::invalid_argument("vector_fold: lanes and extents must be >= 1");
  const std::int64_t L = u.lanes;
  const VectorLoop p = map.parallel, in = map.order[2];
  const std::array<std::int64_t, 3> ext{m, n, k};
  const std::int64_t P = ext[ix(p)], P2 = cdiv(P, L), acc = accumulate ? 1 : 0;
  const bool a_var = p != VectorLoop::n, b_var = p != VectorLoop::m, c_var = p != VectorLoop::k;
  const bool a_held = map.hoist && in == VectorLoop::n, b_held = map.hoist && in == VectorLoop::m,
             c_held = map.hoist && in == VectorLoop::k;
  VectorEstimate e;
  e.macs = m * n * k;
  e.steps = m * n * k / P * P2;
  // A[m][k]
  if (a_var)
    e.a_read_words = a_held ? m * k : m * n * k;
  else
    e.a_read_words = !map.hoist ? m * n * k : a_held ? m * k : m * P2 * k;
  // B[k][n]
  if (b_var)
    e.b_read_words = b_held ? k * n : m * n * k;
  else
    e.b_read_words = !map.hoist ? m * n * k : b_held ? k * n : P2 * n * k;
  // C[m][n]: per output, r = k (lanes across m or n) or ⌈k/L⌉ (lanes across k) updates.
  const std::int64_t r = c_var ? k : P2;
  e.c_write_words = c_held ? m * n : m * n * r;
  e.c_read_words = c_held ? acc * m * n : m * n * (r - 1 + acc);

  // Cycles: steps fall into classes by their position along each loop; a class's steps all
  // read the same words and so take the same cycles.
  std::array<std::int64_t, 3> iters = ext;
  iters[ix(p)] = P2;
  const std::int64_t last_lanes = P - (P2 - 1) * L;
  for (const Position& pm : positions(iters[0]))
    for (const Position& pn : positions(iters[1]))
      for (const Position& pk : positions(iters[2])) {
        const std::array<Position, 3> pos{pm, pn, pk};
        const std::int64_t count = pm.count * pn.count * pk.count;
        const std::int64_t l = pos[ix(p)].last ? last_lanes : L;
        const bool first_in = pos[ix(in)].first;
        const std::int64_t aw = a_held && !first_in ? 0 : (a_var || !map.hoist ? l : 1);
        const std::int64_t bw = b_held && !first_in ? 0 : (b_var || !map.hoist ? l : 1);
        const std::int64_t cw = c_var ? l : 1;
        const bool kf = pos[ix(VectorLoop::k)].first, kl = pos[ix(VectorLoop::k)].last;
        const std::int64_t cr = c_held ? (kf && accumulate ? cw : 0) : (!kf || accumulate ? cw : 0);
        const std::int64_t cwr = c_held ? (kl ? cw : 0) : cw;
        const std::int64_t cyc = std::max<std::int64_t>({1, cdiv(aw * u.a_elem, u.ifmap_bytes_per_cycle),
                                                         cdiv(bw * u.b_elem, u.weight_bytes_per_cycle),
                                                         cdiv((cr + cwr) * u.c_elem, u.output_bytes_per_cycle)});
        e.step_cycles += count * cyc;
      }
  e.stall_read_bandwidth_cycles = e.step_cycles - e.steps;
  e.total_cycles = e.step_cycles;
  return e;
}

VectorEstimate vector_layer(const VectorMapping& map, const VectorUnit& u, const ir::GemmDims& g,
                            const TileExtents& tile) {
  auto clip = [](std::int64_t v, std::int64_t total) { return v <= 0 || v > total ? total : v; };
  const std::int64_t tm = clip(tile.m, g.m), tn = clip(tile.n, g.n), tk = clip(tile.k, g.k);
  // Per dimension: (extent, how many tiles have it); k also splits by accumulate (k0 > 0).
  auto split = [](std::int64_t total, std::int64_t t) {
    std::vector<std::pair<std::int64_t, std::int64_t>> v;
    if (total / t > 0) v.emplace_back(t, total / t);
    if (total % t) v.emplace_back(total % t, 1);
    return v;
  };
  VectorEstimate e;
  for (auto [mx, mc] : split(g.m, tm))
    for (auto [nx, nc] : split(g.n, tn)) {
      // k-tiles: the first does not accumulate, every later one does.
      const std::int64_t full = g.k / tk, rem = g.k % tk;
      std::vector<std::tuple<std::int64_t, std::int64_t, bool>> ks;  // extent, count, accumulate
      if (full > 0) {
        ks.emplace_back(tk, 1, false);
        if (full > 1) ks.emplace_back(tk, full - 1, true);
        if (rem) ks.emplace_back(rem, 1, true);
      } else {
        ks.emplace_back(rem, 1, false);
      }
      for (auto [kx, kc, acc] : ks) {
        const VectorEstimate f = vector_fold(map, u, mx, nx, kx, acc);
        const std::int64_t c = g.groups * mc * nc * kc;
        e.macs += c * f.macs, e.steps += c * f.steps;
        e.a_read_words += c * f.a_read_words, e.b_read_words += c * f.b_read_words;
        e.c_read_words += c * f.c_read_words, e.c_write_words += c * f.c_write_words;
        e.step_cycles += c * f.step_cycles;
      }
    }
  e.stall_read_bandwidth_cycles = e.step_cycles - e.steps;
  e.total_cycles = e.step_cycles + (map.parallel == VectorLoop::k ? u.reduction_latency_cycles : 0);
  return e;
}

}  // namespace arraysim::analytic
