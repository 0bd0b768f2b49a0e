#include "models/analytic/mapping.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <tuple>
#include <vector>

namespace arraysim::analytic {
namespace {

std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return (a + b - 1) / b; }
std::int64_t clip(std::int64_t v, std::int64_t total) { return v <= 0 || v > total ? total : v; }

/// The extents of the tile of index i along a dimension of `total` cut into `tile`.
std::int64_t piece(std::int64_t total, std::int64_t tile, std::int64_t i) { return std::min(tile, total - i * tile); }

bool indexes(Loop l, int op) {  // op 0: A (m, k), 1: B (k, n), 2: C (m, n)
  switch (op) {
    case 0: return l == Loop::m || l == Loop::k;
    case 1: return l == Loop::k || l == Loop::n;
    default: return l == Loop::m || l == Loop::n;
  }
}

/// One fold's timing from its start s (docs/timing.md): the next fold's earliest start, the
/// last reads of A and B, and its last output, all from the fold's extents.
struct FoldTimes {
  std::int64_t next, last_a, last_b, last_out;
};
FoldTimes fold_times(Dataflow df, std::int64_t R, std::int64_t s, std::int64_t T, std::int64_t Rf, std::int64_t Cf) {
  if (df == Dataflow::os)  // A row i at s+k+i, B column j at s+k+j; drain from s+T+Rf-1+j
    return {s + T + Rf, s + T + Rf - 2, s + T + Cf - 2, s + T + Rf + Cf + R - 3};
  // WS/IS: load L = s, stream from s + R; the stationary operand's last read is the load's last
  // cycle, the streamed one's the last row of the stream.
  const std::int64_t st = s + R;
  const std::int64_t streamed = st + T + Rf - 2, loaded = st - 1;
  const bool ws = df == Dataflow::ws;
  return {st + T + Cf - 1, ws ? streamed : loaded, ws ? loaded : streamed, st + T + R + Cf - 3};
}

/// Folds of one tile (extents tm, tn, tk) in the dataflow's order: (rows used, cols used,
/// stream length), passed to f.
template <class F>
void for_each_fold(Dataflow df, std::int64_t R, std::int64_t C, std::int64_t tm, std::int64_t tn, std::int64_t tk,
                   F&& f) {
  switch (df) {
    case Dataflow::os:  // m-folds outer, n-folds inner; stream k
      for (std::int64_t i = 0; i < tm; i += R)
        for (std::int64_t j = 0; j < tn; j += C) f(std::min(R, tm - i), std::min(C, tn - j), tk);
      break;
    case Dataflow::ws:  // n-folds outer, k-folds inner; stream m
      for (std::int64_t j = 0; j < tn; j += C)
        for (std::int64_t i = 0; i < tk; i += R) f(std::min(R, tk - i), std::min(C, tn - j), tm);
      break;
    case Dataflow::is:  // m-folds outer, k-folds inner; stream n
      for (std::int64_t j = 0; j < tm; j += C)
        for (std::int64_t i = 0; i < tk; i += R) f(std::min(R, tk - i), std::min(C, tm - j), tn);
      break;
  }
}

/// The sum of one tile's fold advances (next start − start) in the recurrence:
///   OS: F_t·k_t + ⌈n_t/C⌉·m_t;  WS: F_t·(R + m_t − 1) + ⌈k_t/R⌉·n_t;  IS: F_t·(R + n_t − 1) + ⌈k_t/R⌉·m_t.
std::int64_t tile_advance(Dataflow df, std::int64_t R, std::int64_t C, std::int64_t tm, std::int64_t tn,
                          std::int64_t tk) {
  switch (df) {
    case Dataflow::os: return ceil_div(tm, R) * ceil_div(tn, C) * tk + ceil_div(tn, C) * tm;
    case Dataflow::ws: return ceil_div(tn, C) * ceil_div(tk, R) * (R + tm - 1) + ceil_div(tk, R) * tn;
    case Dataflow::is: return ceil_div(tm, C) * ceil_div(tk, R) * (R + tn - 1) + ceil_div(tk, R) * tm;
  }
  return 0;
}

}  // namespace

TileTrips tile_trips(const ir::GemmDims& g, const TileMapping& m) {
  TileTrips t;
  t.m = ceil_div(g.m, clip(m.tile.m, g.m));
  t.n = ceil_div(g.n, clip(m.tile.n, g.n));
  t.k = ceil_div(g.k, clip(m.tile.k, g.k));
  const auto trips = [&](Loop l) { return l == Loop::m ? t.m : l == Loop::n ? t.n : t.k; };
  std::int64_t* reuse[3] = {&t.reuse_a, &t.reuse_b, &t.reuse_c};
  for (int op = 0; op < 3; ++op) {
    // The innermost loop (trip count > 1) that indexes the operand; R = the trip counts of the
    // loops outside it that do not index the operand.
    int inner = -1;
    for (int i = 0; i < 3; ++i)
      if (trips(m.order[i]) > 1 && indexes(m.order[i], op)) inner = i;
    std::int64_t r = 1;
    for (int i = 0; i < inner; ++i)
      if (!indexes(m.order[i], op)) r *= trips(m.order[i]);
    *reuse[op] = r;
  }
  return t;
}

MappingTraffic mapping_traffic(const ir::GemmDims& g, const TileMapping& m, const ElementBytes& e,
                               std::int64_t a_pass_bytes) {
  const TileTrips t = tile_trips(g, m);
  MappingTraffic r;
  r.a_read_bytes = (a_pass_bytes > 0 ? a_pass_bytes : g.groups * g.m * g.k * e.a) * t.reuse_a;
  r.b_read_bytes = g.groups * g.k * g.n * e.b * t.reuse_b;
  r.c_write_bytes = g.groups * g.m * g.n * e.c * t.reuse_c;
  r.c_read_bytes = g.groups * g.m * g.n * e.c * (t.reuse_c - 1);
  return r;
}

std::int64_t block_bursts(std::int64_t rows, std::int64_t segment_bytes, std::int64_t stride_bytes,
                          std::int64_t burst_bytes) {
  if (rows <= 0 || segment_bytes <= 0) return 0;
  const std::int64_t gap = stride_bytes - segment_bytes;
  if (rows == 1 || gap <= 0) return ceil_div(rows * segment_bytes, burst_bytes);  // one contiguous run
  // Gaps shorter than a burst hold no whole burst: every burst of the span has a byte asked for.
  if (gap < burst_bytes) return ceil_div((rows - 1) * stride_bytes + segment_bytes, burst_bytes);
  return rows * ceil_div(segment_bytes, burst_bytes);  // no burst serves two segments
}

MappingTraffic mapping_burst_traffic(const ir::GemmDims& g, const TileMapping& m, const ElementBytes& e,
                                     const BurstLayout& layout, const MappingTraffic& useful) {
  if (layout.burst_bytes <= 0) return useful;
  const TileTrips t = tile_trips(g, m);
  const std::int64_t tm = clip(m.tile.m, g.m), tn = clip(m.tile.n, g.n), tk = clip(m.tile.k, g.k);
  const std::int64_t em = g.m - (t.m - 1) * tm, en = g.n - (t.n - 1) * tn, ek = g.k - (t.k - 1) * tk;
  const std::int64_t B = layout.burst_bytes;
  // One pass over all blocks of a matrix cut into tiles of x by y (edges ex, ey, counts cx, cy):
  // per block, its `rows` segments along the contiguous dimension.
  const auto pass = [&](std::int64_t x, std::int64_t ex, std::int64_t cx, std::int64_t y, std::int64_t ey,
                        std::int64_t cy, std::int64_t total_y, std::int64_t elem, bool y_contiguous) {
    std::int64_t bursts = 0;
    for (int bx = 0; bx < 2; ++bx)
      for (int by = 0; by < 2; ++by) {
        const std::int64_t nx = bx ? 1 : cx - 1, ny = by ? 1 : cy - 1;
        if (nx * ny == 0) continue;
        const std::int64_t lx = bx ? ex : x, ly = by ? ey : y;
        const std::int64_t total_x = (cx - 1) * x + ex;
        bursts += nx * ny *
                  (y_contiguous ? block_bursts(lx, ly * elem, total_y * elem, B)
                                : block_bursts(ly, lx * elem, total_x * elem, B));
      }
    return bursts * B * g.groups;
  };
  MappingTraffic r = useful;
  if (layout.a_known) r.a_read_bytes = pass(tm, em, t.m, tk, ek, t.k, g.k, e.a, true) * t.reuse_a;
  r.b_read_bytes = pass(tk, ek, t.k, tn, en, t.n, g.n, e.b, layout.b_n_contiguous) * t.reuse_b;
  if (layout.c_known) {
    const std::int64_t c_pass = pass(tm, em, t.m, tn, en, t.n, g.n, e.c, layout.c_n_contiguous);
    r.c_write_bytes = c_pass * t.reuse_c;
    r.c_read_bytes = c_pass * (t.reuse_c - 1);
  }
  return r;
}

std::int64_t conv_a_pass_bytes(const ir::Conv2dParams& c, const TileMapping& m, std::int64_t a_elem) {
  const std::int64_t groups = c.groups, cg = c.c / c.groups;
  const std::int64_t oh = c.out_h(), ow = c.out_w(), M = c.n * oh * ow;
  const std::int64_t taps = c.kernel_h * c.kernel_w, K = cg * taps;
  const std::int64_t tm = clip(m.tile.m, M), tk = clip(m.tile.k, K);
  std::int64_t total = 0;
  for (std::int64_t m0 = 0; m0 < M; m0 += tm) {
    const std::int64_t ml = std::min(tm, M - m0);
    // Output rows the block's pixels span (pixels run over n, oh, ow) and the input rows they read.
    const std::int64_t first_row = m0 / ow, last_row = (m0 + ml - 1) / ow;
    const std::int64_t out_rows = last_row - first_row + 1;
    const std::int64_t in_rows = std::min(c.n * c.h, (out_rows - 1) * c.stride_h + (c.kernel_h - 1) * c.dilation_h + 1);
    for (std::int64_t k0 = 0; k0 < K; k0 += tk) {
      const std::int64_t kl = std::min(tk, K - k0);
      const std::int64_t channels = (k0 + kl - 1) / taps - k0 / taps + 1;
      total += std::min(ml * kl, channels * in_rows * c.w);
    }
  }
  return total * groups * a_elem;
}

namespace {
/// The sum of every fold's advance over the layer: tiles in at most 8 classes (full or edge along
/// each dimension).
std::int64_t advance_sum(Dataflow df, std::int64_t R, std::int64_t C, const ir::GemmDims& g, const TileMapping& m) {
  const std::int64_t tm = clip(m.tile.m, g.m), tn = clip(m.tile.n, g.n), tk = clip(m.tile.k, g.k);
  const TileTrips t = tile_trips(g, m);
  const std::int64_t em = g.m - (t.m - 1) * tm, en = g.n - (t.n - 1) * tn, ek = g.k - (t.k - 1) * tk;
  std::int64_t sum = 0;
  for (int bm = 0; bm < 2; ++bm)
    for (int bn = 0; bn < 2; ++bn)
      for (int bk = 0; bk < 2; ++bk) {
        const std::int64_t cm = bm ? 1 : t.m - 1, cn = bn ? 1 : t.n - 1, ck = bk ? 1 : t.k - 1;
        if (cm * cn * ck == 0) continue;
        sum += cm * cn * ck * tile_advance(df, R, C, bm ? em : tm, bn ? en : tn, bk ? ek : tk);
      }
  return sum * g.groups;
}
}  // namespace

std::int64_t mapping_cycles_lower_bound(Dataflow df, std::int64_t R, std::int64_t C, const ir::GemmDims& g,
                                        const TileMapping& m) {
  const std::int64_t tm = clip(m.tile.m, g.m), tn = clip(m.tile.n, g.n), tk = clip(m.tile.k, g.k);
  const TileTrips t = tile_trips(g, m);
  const std::int64_t em = g.m - (t.m - 1) * tm, en = g.n - (t.n - 1) * tn, ek = g.k - (t.k - 1) * tk;
  const std::int64_t sum = advance_sum(df, R, C, g, m);
  // The last tile (the edge along every dimension, whatever the order) starts after every other
  // tile's advance and ends its own span later.
  const std::int64_t last_start = sum - tile_advance(df, R, C, em, en, ek);
  return last_start + systolic_cycles(df, R, C, {em, en, ek, 1}).total_cycles;
}

std::int64_t mapping_cycles_ideal(Dataflow df, std::int64_t R, std::int64_t C, const ir::GemmDims& g,
                                  const TileMapping& m) {
  const std::int64_t tm = clip(m.tile.m, g.m), tn = clip(m.tile.n, g.n), tk = clip(m.tile.k, g.k);
  const TileTrips trips = tile_trips(g, m);
  const std::array<std::int64_t, 3> count{trips.m, trips.n, trips.k};
  const auto loop_index = [](Loop l) { return l == Loop::m ? 0 : l == Loop::n ? 1 : 2; };

  // Buffer halves: per operand, the free cycle of each half and which half the next block takes.
  std::array<std::array<std::int64_t, 2>, 3> half_free{};
  std::array<int, 3> next_half{0, 0, 0};
  const std::array<int, 3> halves{m.double_buffer[0] ? 2 : 1, m.double_buffer[1] ? 2 : 1, m.double_buffer[2] ? 2 : 1};
  std::int64_t load_engine = 0, store_engine = 0;  // each engine handles its transfers in tile order
  std::int64_t natural = 0, last_output = -1, last_store = 0;
  // The block each operand currently holds (group, and the two indices it depends on), its half,
  // when it became ready, its latest use; -1: none yet.
  struct Block {
    std::int64_t g = -1, i = -1, j = -1;
    int half = 0;
    std::int64_t ready = 0, last_use = -1;
  };
  std::array<Block, 3> cur;
  std::map<std::tuple<std::int64_t, std::int64_t, std::int64_t>, std::int64_t> stored;  // C block → its store's done

  // Frees operand op's current block's half (the cycle after its last use) when it changes.
  const auto retire = [&](int op) {
    if (cur[op].g >= 0 && op < 2) half_free[op][cur[op].half] = cur[op].last_use + 1;
  };
  // The C block's visit ends: its store (in store-engine order) frees the half when done.
  const auto store_c = [&]() {
    const std::int64_t done = std::max(store_engine, cur[2].last_use + 1);
    store_engine = done;
    half_free[2][cur[2].half] = done;
    stored[{cur[2].g, cur[2].i, cur[2].j}] = done;
    last_store = std::max(last_store, done);
  };

  std::array<std::int64_t, 3> idx{};  // tile indices m, n, k
  const Loop o0 = m.order[0], o1 = m.order[1], o2 = m.order[2];
  for (std::int64_t grp = 0; grp < g.groups; ++grp)
    for (idx[loop_index(o0)] = 0; idx[loop_index(o0)] < count[loop_index(o0)]; ++idx[loop_index(o0)])
      for (idx[loop_index(o1)] = 0; idx[loop_index(o1)] < count[loop_index(o1)]; ++idx[loop_index(o1)])
        for (idx[loop_index(o2)] = 0; idx[loop_index(o2)] < count[loop_index(o2)]; ++idx[loop_index(o2)]) {
          const std::int64_t mi = idx[0], ni = idx[1], ki = idx[2];
          const std::int64_t ml = piece(g.m, tm, mi), nl = piece(g.n, tn, ni), kl = piece(g.k, tk, ki);
          // Blocks of this tile: A (m, k), B (k, n), C (m, n).
          const std::array<std::array<std::int64_t, 2>, 3> key{{{mi, ki}, {ki, ni}, {mi, ni}}};
          std::array<bool, 3> fresh{};
          for (int op = 0; op < 3; ++op)
            fresh[op] = cur[op].g != grp || cur[op].i != key[op][0] || cur[op].j != key[op][1];
          if (fresh[2] && cur[2].g >= 0) store_c();
          // Loads, in the load engine's order: partial sums back, then A, then B. A new block takes
          // the next half once the block it held last is released.
          const auto take = [&](int op, std::int64_t after) {
            retire(op);
            const int h = next_half[op];
            next_half[op] = (h + 1) % halves[op];
            const std::int64_t issue = std::max({load_engine, half_free[op][h], after});
            cur[op] = Block{grp, key[op][0], key[op][1], h, issue, -1};
            return issue;
          };
          std::int64_t ready = natural;
          if (fresh[2]) {
            const auto it = stored.find({grp, mi, ni});
            if (it != stored.end()) {  // partial sums back from DRAM after their store
              load_engine = take(2, it->second);
              ready = std::max(ready, load_engine);
            } else {  // a fresh output half, free once its previous block is stored
              const int h = next_half[2];
              next_half[2] = (h + 1) % halves[2];
              cur[2] = Block{grp, mi, ni, h, half_free[2][h], -1};
              ready = std::max(ready, half_free[2][h]);
            }
          }
          for (int op = 0; op < 2; ++op) {
            if (fresh[op]) load_engine = take(op, 0);
            ready = std::max(ready, cur[op].ready);
          }
          // The tile's folds, the first one no earlier than its blocks.
          bool first = true;
          for_each_fold(df, R, C, ml, nl, kl, [&](std::int64_t rf, std::int64_t cf, std::int64_t T) {
            const std::int64_t s = first ? ready : natural;
            first = false;
            const FoldTimes ft = fold_times(df, R, s, T, rf, cf);
            natural = ft.next;
            cur[0].last_use = std::max(cur[0].last_use, ft.last_a);
            cur[1].last_use = std::max(cur[1].last_use, ft.last_b);
            cur[2].last_use = std::max(cur[2].last_use, ft.last_out);
            last_output = std::max(last_output, ft.last_out);
          });
        }
  store_c();
  return std::max(last_output + 1, last_store);
}

std::int64_t mapping_cycles_memory_bound(Dataflow df, std::int64_t R, std::int64_t C, std::int64_t ideal_cycles,
                                         const ir::GemmDims& g, const TileMapping& m, const ElementBytes& e,
                                         const MappingTraffic& t, std::int64_t first_load_bytes, double bytes_per_cycle,
                                         std::int64_t latency_cycles) {
  if (bytes_per_cycle <= 0) return ideal_cycles;
  const std::int64_t tm = clip(m.tile.m, g.m), tn = clip(m.tile.n, g.n);
  const double lat = static_cast<double>(latency_cycles);
  const double first_load = lat + static_cast<double>(first_load_bytes) / bytes_per_cycle;
  const std::int64_t em = g.m - (ceil_div(g.m, tm) - 1) * tm, en = g.n - (ceil_div(g.n, tn) - 1) * tn;
  const double last_store = lat + static_cast<double>(em * en * e.c) / bytes_per_cycle;
  const double chain = static_cast<double>(ideal_cycles) + std::ceil(first_load - 1e-9) + std::ceil(last_store - 1e-9);
  const double bus = lat + static_cast<double>(t.total()) / bytes_per_cycle;
  // A single-buffered operand's next block can only load once its previous block's last use is
  // past, and the next tile waits for it: those transfers fall in gaps of the fold sequence (for
  // C: its stores and partial-sum reads). The gaps add up to at least their bytes over the
  // bandwidth on top of the ideal schedule.
  const std::int64_t single_bytes = (m.double_buffer[0] ? 0 : t.a_read_bytes) +
                                    (m.double_buffer[1] ? 0 : t.b_read_bytes) +
                                    (m.double_buffer[2] ? 0 : t.c_read_bytes + t.c_write_bytes);
  const double serial = static_cast<double>(ideal_cycles) + static_cast<double>(single_bytes) / bytes_per_cycle;
  // Residency: a block holds its half from its load's issue to its last read, at least the
  // latency and its bytes over the bandwidth (less the cycle its last byte arrives in) and then
  // the advances of its visit's folds, less what the last fold's advance runs past its last read
  // of the operand (D); an operand's h halves hold h blocks at once. C holds its half for its
  // visit's folds, its store's bytes and, when reloaded, its partial sums' latency and bytes.
  const TileTrips trips = tile_trips(g, m);
  const double S = static_cast<double>(advance_sum(df, R, C, g, m));
  std::int64_t d_a = 0, d_b = 0;
  switch (df) {
    case Dataflow::os: d_a = 2, d_b = R + 1; break;
    case Dataflow::ws: d_a = C, d_b = tm + C; break;
    case Dataflow::is: d_a = tn + C, d_b = C; break;
  }
  const auto resident = [&](std::int64_t visits, std::int64_t bytes, std::int64_t d, bool two) {
    const double v = static_cast<double>(visits);
    return (v * (lat - 1 - static_cast<double>(d)) + static_cast<double>(bytes) / bytes_per_cycle + S) / (two ? 2 : 1);
  };
  const std::int64_t a_visits = g.groups * trips.m * trips.k * trips.reuse_a;
  const std::int64_t b_visits = g.groups * trips.k * trips.n * trips.reuse_b;
  const std::int64_t c_reloads = g.groups * trips.m * trips.n * (trips.reuse_c - 1);
  const double res_a = resident(a_visits, t.a_read_bytes, d_a, m.double_buffer[0]);
  const double res_b = resident(b_visits, t.b_read_bytes, d_b, m.double_buffer[1]);
  const double res_c = (S + static_cast<double>(c_reloads) * (lat - 1) +
                        static_cast<double>(t.c_read_bytes + t.c_write_bytes) / bytes_per_cycle) /
                       (m.double_buffer[2] ? 2 : 1);
  return static_cast<std::int64_t>(std::ceil(std::max({chain, bus, serial, res_a, res_b, res_c}) - 1e-9));
}

ArrayWordCounts mapping_array_words(Dataflow df, std::int64_t R, std::int64_t C, const ir::GemmDims& g,
                                    const TileMapping& m) {
  const std::int64_t tm = clip(m.tile.m, g.m), tn = clip(m.tile.n, g.n), tk = clip(m.tile.k, g.k);
  const TileTrips t = tile_trips(g, m);
  const std::int64_t em = g.m - (t.m - 1) * tm, en = g.n - (t.n - 1) * tn, ek = g.k - (t.k - 1) * tk;
  ArrayWordCounts w;
  // Tiles come in classes: full or edge along m and n, and along k the first tile (its folds
  // accumulate only after the first k-fold), the middle ones and the last (all accumulate).
  for (int bm = 0; bm < 2; ++bm)
    for (int bn = 0; bn < 2; ++bn)
      for (int kc = 0; kc < 3; ++kc) {
        const std::int64_t cm = bm ? 1 : t.m - 1, cn = bn ? 1 : t.n - 1;
        // k classes: 0 the first tile (full unless it is the only one), 1 the middle ones, 2 the last.
        const std::int64_t ck = kc == 0 ? 1 : kc == 1 ? std::max<std::int64_t>(0, t.k - 2) : (t.k > 1 ? 1 : 0);
        const std::int64_t count = cm * cn * ck;
        if (count == 0) continue;
        const std::int64_t ml = bm ? em : tm, nl = bn ? en : tn, kl = kc == 0 && t.k == 1 ? ek : kc == 2 ? ek : tk;
        const bool later_k_tile = kc > 0;
        std::int64_t k_fold = 0;  // WS/IS: k-fold index inside the tile
        ArrayWordCounts c;
        for_each_fold(df, R, C, ml, nl, kl, [&](std::int64_t rf, std::int64_t cf, std::int64_t T) {
          // docs/memory.md: OS reads A R_f·T, B C_f·T, writes R_f·C_f; WS reads A T·R_f, B R_f·C_f,
          // writes T·C_f; IS reads A R_f·C_f, B T·R_f, writes T·C_f. A fold accumulates (reads its
          // outputs back first) unless it is the first along k.
          std::int64_t a = 0, b = 0, out = 0;
          bool acc = later_k_tile;
          switch (df) {
            case Dataflow::os: a = rf * T, b = cf * T, out = rf * cf; break;
            case Dataflow::ws: a = T * rf, b = rf * cf, out = T * cf, acc = acc || k_fold > 0; break;
            case Dataflow::is: a = rf * cf, b = T * rf, out = T * cf, acc = acc || k_fold > 0; break;
          }
          if (df != Dataflow::os) k_fold = (k_fold + 1) % ceil_div(kl, R);
          c.a_read += a, c.b_read += b, c.c_write += out;
          if (acc) c.c_read += out;
          ++c.folds;
        });
        const std::int64_t n = count * g.groups;
        w.a_read += n * c.a_read, w.b_read += n * c.b_read, w.c_write += n * c.c_write, w.c_read += n * c.c_read;
        w.folds += n * c.folds;
      }
  return w;
}

double mapping_energy_pj(const ir::GemmDims& g, const TileMapping& m, const ElementBytes& e, const ArrayWordCounts& w,
                         const MappingTraffic& t, std::int64_t cycles, const EnergyRatesPj& r) {
  const double macs = static_cast<double>(g.groups * g.m * g.n * g.k);
  const TileTrips trips = tile_trips(g, m);
  // Scratchpad bytes: the array's words, the DMA's writes of loaded blocks (A and B as the GEMM
  // view's blocks, C partial sums read back) and its reads of stored C blocks.
  const double a_dma = static_cast<double>(g.groups * g.m * g.k * e.a * trips.reuse_a);
  const double b_dma = static_cast<double>(t.b_read_bytes);
  const double sram_read[3] = {static_cast<double>(w.a_read * e.a), static_cast<double>(w.b_read * e.b),
                               static_cast<double>(w.c_read * e.c + t.c_write_bytes)};
  const double sram_write[3] = {a_dma, b_dma, static_cast<double>(w.c_write * e.c + t.c_read_bytes)};
  double pj = macs * r.mac;
  for (int op = 0; op < 3; ++op)
    pj += sram_read[op] * r.sram_read_per_byte[op] + sram_write[op] * r.sram_write_per_byte[op];
  pj += static_cast<double>(t.a_read_bytes + t.b_read_bytes + t.c_read_bytes) * r.dram_read_per_byte;
  pj += static_cast<double>(t.c_write_bytes) * r.dram_write_per_byte;
  pj += static_cast<double>(cycles) * r.static_per_cycle;
  return pj;
}

}  // namespace arraysim::analytic
