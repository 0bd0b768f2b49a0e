#include "sim/plan/schedule.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "sim/plan/dataflow.hpp"

namespace arraysim::plan {

namespace {
std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return (a + b - 1) / b; }
}  // namespace

std::vector<std::pair<std::int64_t, std::int64_t>> pieces(std::int64_t total, std::int64_t step) {
  std::vector<std::pair<std::int64_t, std::int64_t>> t;
  for (std::int64_t x = 0; x < total; x += step) t.emplace_back(x, std::min(step, total - x));
  return t;
}

std::string order_word(const config::LoopOrder& o) {
  std::string w;
  for (const config::GemmLoop l : o) w += config::to_string(l);
  return w;
}

std::string to_string(const Mapping& m) {
  return fmt::format("tile {}x{}x{}, order {} {} {}, halves {} {} {}", m.tile.m, m.tile.n, m.tile.k,
                     config::to_string(m.order[0]), config::to_string(m.order[1]), config::to_string(m.order[2]),
                     m.double_buffer[0] ? 2 : 1, m.double_buffer[1] ? 2 : 1, m.double_buffer[2] ? 2 : 1);
}

std::int64_t Schedule::tile_of(std::int64_t f) const {
  const auto it =
      std::upper_bound(tiles.begin(), tiles.end(), f, [](std::int64_t v, const Tile& t) { return v < t.fold_begin; });
  return static_cast<std::int64_t>(it - tiles.begin()) - 1;
}

Fold Schedule::fold(std::int64_t f) const {
  const Tile& t = tiles[static_cast<std::size_t>(tile_of(f))];
  return plan::dataflow(dataflow).fold_at(t, fold_rows, fold_cols, f - t.fold_begin);
}

Schedule make_schedule(config::Dataflow df, std::int64_t rows, std::int64_t cols, const ir::GemmDims& d,
                       const Mapping& mapping) {
  Schedule s;
  s.dataflow = df;
  s.rows = rows;
  s.cols = cols;
  s.dims = d;
  s.fold_rows = rows;
  s.fold_cols = cols;
  auto clip = [](std::int64_t v, std::int64_t total) { return v <= 0 || v > total ? total : v; };
  s.tile = {clip(mapping.tile.m, d.m), clip(mapping.tile.n, d.n), clip(mapping.tile.k, d.k)};
  s.mapping = mapping;
  s.mapping.tile = s.tile;
  const Dataflow& df_obj = dataflow(df);
  const SlotCounts slots{mapping.double_buffer[0] ? 2 : 1, mapping.double_buffer[1] ? 2 : 1,
                         mapping.double_buffer[2] ? 2 : 1};
  const std::array<std::int64_t, 3> total{d.m, d.n, d.k}, step{s.tile.m, s.tile.n, s.tile.k};
  std::array<std::int64_t, 3> count{};
  for (int i = 0; i < 3; ++i) count[i] = ceil_div(total[i], step[i]);
  const auto at = [](config::GemmLoop l) { return static_cast<int>(l); };  // m 0, n 1, k 2
  const int o0 = at(mapping.order[0]), o1 = at(mapping.order[1]), o2 = at(mapping.order[2]);
  int a_loads = 0, b_loads = 0, c_visits = 0;
  std::array<std::int64_t, 3> idx{};
  for (std::int64_t g = 0; g < d.groups; ++g)
    for (idx[o0] = 0; idx[o0] < count[o0]; ++idx[o0])
      for (idx[o1] = 0; idx[o1] < count[o1]; ++idx[o1])
        for (idx[o2] = 0; idx[o2] < count[o2]; ++idx[o2]) {
          Tile t;
          t.index = static_cast<std::int64_t>(s.tiles.size());
          t.group = g;
          t.m0 = idx[0] * step[0], t.n0 = idx[1] * step[1], t.k0 = idx[2] * step[2];
          t.m_len = std::min(step[0], d.m - t.m0), t.n_len = std::min(step[1], d.n - t.n0);
          t.k_len = std::min(step[2], d.k - t.k0);
          if (!s.tiles.empty()) {
            Tile& p = s.tiles.back();
            t.load_a = !(p.group == g && p.m0 == t.m0 && p.k0 == t.k0);
            t.load_b = !(p.group == g && p.n0 == t.n0 && p.k0 == t.k0);
            t.new_c = !(p.group == g && p.m0 == t.m0 && p.n0 == t.n0);
            p.store_c = t.new_c;  // a visit ends where the next tile has another C block
          }
          t.load_c = t.new_c && t.k0 > 0;
          t.a_slot = t.load_a ? a_loads++ % slots.a : s.tiles.back().a_slot;
          t.b_slot = t.load_b ? b_loads++ % slots.b : s.tiles.back().b_slot;
          t.c_slot = t.new_c ? c_visits++ % slots.c : s.tiles.back().c_slot;
          t.fold_begin = s.fold_count;
          s.fold_count += df_obj.folds_in(t, rows, cols);
          t.fold_end = s.fold_count;
          s.tiles.push_back(t);
        }
  return s;
}

TileShape choose_tile(config::Dataflow df, std::int64_t rows, std::int64_t cols, const ir::GemmDims& d,
                      const TileBudget& b, TileFitError* error) {
  // Granules: the dimension of the array each GEMM dimension is folded by.
  const Granules gr = dataflow(df).granules(rows, cols);
  const std::int64_t gm = gr.m, gn = gr.n, gk = gr.k;
  TileShape t{d.m, d.n, d.k};
  const std::int64_t min_m = std::min(gm, d.m), min_n = std::min(gn, d.n), min_k = std::min(gk, d.k);
  // Halves `v` (a multiple of granule g, or the whole dimension) in granules; false at one granule.
  auto halve = [](std::int64_t& v, std::int64_t g, std::int64_t min) {
    if (v <= min) return false;
    v = std::max(min, ceil_div(ceil_div(v, g), 2) * g);
    return true;
  };
  for (;;) {
    const std::int64_t c_need = t.m * t.n * b.c_elem, a_need = t.m * t.k * b.a_elem, w_need = t.k * t.n * b.b_elem;
    // The overflowing buffer's two dimensions, the larger (in granules) halved first.
    std::int64_t *x = nullptr, *y = nullptr, gx = 1, gy = 1, mx = 1, my = 1;
    const char* buffer = nullptr;
    std::int64_t budget = 0, need = 0;
    if (c_need > b.c_bytes) {
      buffer = "output", budget = b.c_bytes, need = min_m * min_n * b.c_elem;
      x = &t.m, gx = gm, mx = min_m, y = &t.n, gy = gn, my = min_n;
    } else if (a_need > b.a_bytes) {
      buffer = "ifmap", budget = b.a_bytes, need = min_m * min_k * b.a_elem;
      x = &t.m, gx = gm, mx = min_m, y = &t.k, gy = gk, my = min_k;
    } else if (w_need > b.b_bytes) {
      buffer = "weight", budget = b.b_bytes, need = min_k * min_n * b.b_elem;
      x = &t.k, gx = gk, mx = min_k, y = &t.n, gy = gn, my = min_n;
    } else {
      return t;
    }
    const bool x_first = ceil_div(*x, gx) >= ceil_div(*y, gy);
    if (x_first ? (halve(*x, gx, mx) || halve(*y, gy, my)) : (halve(*y, gy, my) || halve(*x, gx, mx))) continue;
    if (error) {
      const std::string buf = buffer;
      const std::int64_t e = buf == "output" ? b.c_elem : buf == "ifmap" ? b.a_elem : b.b_elem;
      const std::int64_t rows_e = buf == "weight" ? min_k : min_m, cols_e = buf == "ifmap" ? min_k : min_n;
      *error = {buf, budget, need,
                std::to_string(rows_e) + " x " + std::to_string(cols_e) + " elements x " + std::to_string(e) +
                    (e == 1 ? " byte" : " bytes")};
    }
    return {};
  }
}

std::string to_string(const Schedule& s) {
  std::string out = fmt::format("schedule {} on {}x{}: gemm M={} N={} K={} groups={}, {}, {} tiles, {} folds\n",
                                config::to_string(s.dataflow), s.rows, s.cols, s.dims.m, s.dims.n, s.dims.k,
                                s.dims.groups, to_string(s.mapping), s.tiles.size(), s.fold_count);
  for (const Tile& t : s.tiles)
    out += fmt::format("  tile {:>5} g{} m[{}+{}] n[{}+{}] k[{}+{}] folds {}..{}{}{}{}{}{} slots a{} b{} c{}\n",
                       t.index, t.group, t.m0, t.m_len, t.n0, t.n_len, t.k0, t.k_len, t.fold_begin, t.fold_end - 1,
                       t.load_a ? " load_a" : "", t.load_b ? " load_b" : "", t.new_c ? " new_c" : "",
                       t.load_c ? " load_c" : "", t.store_c ? " store_c" : "", t.a_slot, t.b_slot, t.c_slot);
  for (std::int64_t i = 0; i < s.fold_count; ++i) {
    const Fold f = s.fold(i);
    out += fmt::format("  fold {:>5} g{} m[{}+{}] n[{}+{}] k[{}+{}] rows_used {} cols_used {} stream {}{}\n", f.index,
                       f.group, f.m0, f.m_len, f.n0, f.n_len, f.k0, f.k_len, f.rows_used, f.cols_used, f.stream_len,
                       f.accumulate ? " accumulate" : "");
  }
  return out;
}

}  // namespace arraysim::plan
