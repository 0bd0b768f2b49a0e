#include "sim/sched/schedule.hpp"

#include <fmt/format.h>

namespace arraysim::sched {

Schedule make_schedule(config::Dataflow df, std::int64_t rows, std::int64_t cols, const ir::GemmDims& d) {
  Schedule s;
  s.dataflow = df;
  s.rows = rows;
  s.cols = cols;
  s.dims = d;
  auto tiles = [](std::int64_t total, std::int64_t step) {
    std::vector<std::pair<std::int64_t, std::int64_t>> t;  // (start, length)
    for (std::int64_t x = 0; x < total; x += step) t.emplace_back(x, std::min(step, total - x));
    return t;
  };
  for (std::int64_t g = 0; g < d.groups; ++g) {
    auto push = [&](std::int64_t m0, std::int64_t ml, std::int64_t n0, std::int64_t nl, std::int64_t k0,
                    std::int64_t kl, std::int64_t ru, std::int64_t cu, std::int64_t t) {
      Fold f;
      f.index = static_cast<std::int64_t>(s.folds.size());
      f.group = g;
      f.m0 = m0, f.m_len = ml, f.n0 = n0, f.n_len = nl, f.k0 = k0, f.k_len = kl;
      f.rows_used = ru, f.cols_used = cu, f.stream_len = t;
      f.accumulate = k0 > 0;
      s.folds.push_back(f);
    };
    switch (df) {
      case config::Dataflow::os:
        for (auto [m0, ml] : tiles(d.m, rows))
          for (auto [n0, nl] : tiles(d.n, cols)) push(m0, ml, n0, nl, 0, d.k, ml, nl, d.k);
        break;
      case config::Dataflow::ws:
        for (auto [n0, nl] : tiles(d.n, cols))
          for (auto [k0, kl] : tiles(d.k, rows)) push(0, d.m, n0, nl, k0, kl, kl, nl, d.m);
        break;
      case config::Dataflow::is:
        for (auto [m0, ml] : tiles(d.m, cols))
          for (auto [k0, kl] : tiles(d.k, rows)) push(m0, ml, 0, d.n, k0, kl, kl, ml, d.n);
        break;
    }
  }
  return s;
}

std::string to_string(const Schedule& s) {
  std::string out = fmt::format("schedule {} on {}x{}: gemm M={} N={} K={} groups={}, {} folds\n",
                                config::to_string(s.dataflow), s.rows, s.cols, s.dims.m, s.dims.n, s.dims.k,
                                s.dims.groups, s.folds.size());
  for (const Fold& f : s.folds)
    out += fmt::format("  fold {:>5} g{} m[{}+{}] n[{}+{}] k[{}+{}] rows_used {} cols_used {} stream {}{}\n",
                       f.index, f.group, f.m0, f.m_len, f.n0, f.n_len, f.k0, f.k_len, f.rows_used, f.cols_used,
                       f.stream_len, f.accumulate ? " accumulate" : "");
  return out;
}

}  // namespace arraysim::sched
