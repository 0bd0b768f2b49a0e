/// The mapper (sim/plan/mapper, docs/mapping.md): its choice is the best of the documented space
/// (enumerated here independently), it never gets worse with more SRAM, it is the untiled schedule
/// when everything fits, and a mapping given by hand is taken as given.
#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <limits>
#include <random>
#include <vector>

#include "models/analytic/mapping.hpp"
#include "models/analytic/systolic.hpp"
#include "sim/plan/mapper.hpp"

using namespace arraysim;
using config::Dataflow;
using config::GemmLoop;

namespace {

std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return (a + b - 1) / b; }

/// A systolic array with ideal DRAM and scratchpads of the given bytes (both halves).
config::ArchConfig arch(Dataflow df, std::int64_t R, std::int64_t C, std::array<std::int64_t, 3> bytes) {
  config::ArchConfig a;
  a.array.type = config::ArrayType::systolic;
  a.array.dataflow = df;
  a.array.rows = R, a.array.cols = C;
  a.array.input_dtype = a.array.weight_dtype = ir::DType::int8;
  a.array.accumulator_dtype = ir::DType::int32;
  config::ScratchpadConfig* sp[3] = {&a.ifmap, &a.weight, &a.output};
  for (int i = 0; i < 3; ++i) {
    sp[i]->size_kib = static_cast<double>(bytes[static_cast<std::size_t>(i)]) / 1024.0;
    sp[i]->double_buffered = true;
  }
  a.dram.model = config::DramModel::ideal;
  return a;
}

ir::Layer gemm(std::int64_t m, std::int64_t n, std::int64_t k) {
  ir::Layer l;
  l.name = "g";
  l.kind = ir::LayerKind::gemm;
  l.gemm = {m, n, k};
  return l;
}

analytic::Dataflow adf(Dataflow df) {
  return df == Dataflow::os   ? analytic::Dataflow::os
         : df == Dataflow::ws ? analytic::Dataflow::ws
                              : analytic::Dataflow::is;
}

/// The documented space, enumerated from docs/mapping.md: per dimension ⌈n/T⌉·granule for every
/// tile count T (capped at the total), all six loop orders, and per operand two halves when its
/// block fits half the scratchpad, else one buffer when it fits the whole; the best exact
/// ideal-memory cycles over it (−1 when nothing fits).
std::int64_t best_in_space(Dataflow df, std::int64_t R, std::int64_t C, const ir::GemmDims& d,
                           std::array<std::int64_t, 3> bytes) {
  // Granules: OS m by R, n by C, k by 1; WS m by 1, n by C, k by R; IS m by C, n by 1, k by R.
  const std::int64_t gm = df == Dataflow::os ? R : df == Dataflow::ws ? 1 : C;
  const std::int64_t gn = df == Dataflow::is ? 1 : C;
  const std::int64_t gk = df == Dataflow::os ? 1 : R;
  auto extents = [](std::int64_t total, std::int64_t g) {
    g = std::min(g, total);
    std::vector<std::int64_t> v;
    const std::int64_t n = ceil_div(total, g);
    for (std::int64_t T = 1; T <= n; ++T) {
      const std::int64_t e = std::min(total, ceil_div(n, T) * g);
      if (std::find(v.begin(), v.end(), e) == v.end()) v.push_back(e);
    }
    return v;
  };
  const std::array<analytic::LoopOrder, 6> orders{{{analytic::Loop::m, analytic::Loop::n, analytic::Loop::k},
                                                   {analytic::Loop::m, analytic::Loop::k, analytic::Loop::n},
                                                   {analytic::Loop::n, analytic::Loop::m, analytic::Loop::k},
                                                   {analytic::Loop::n, analytic::Loop::k, analytic::Loop::m},
                                                   {analytic::Loop::k, analytic::Loop::m, analytic::Loop::n},
                                                   {analytic::Loop::k, analytic::Loop::n, analytic::Loop::m}}};
  std::int64_t best = -1;
  for (const std::int64_t tm : extents(d.m, gm))
    for (const std::int64_t tn : extents(d.n, gn))
      for (const std::int64_t tk : extents(d.k, gk)) {
        const std::array<std::int64_t, 3> need{tm * tk, tk * tn, tm * tn * 4};  // int8, int8, int32
        analytic::TileMapping m;
        m.tile = {tm, tn, tk};
        bool fits = true;
        for (std::size_t op = 0; op < 3; ++op) {
          m.double_buffer[op] = need[op] <= bytes[op] / 2;
          fits = fits && need[op] <= bytes[op];
        }
        if (!fits) continue;
        for (const analytic::LoopOrder& o : orders) {
          m.order = o;
          const std::int64_t c = analytic::mapping_cycles_ideal(adf(df), R, C, d, m);
          if (best < 0 || c < best) best = c;
        }
      }
  return best;
}

struct Case {
  Dataflow df;
  std::int64_t R, C;
  ir::GemmDims d;
  std::array<std::int64_t, 3> bytes;
};

Case random_case(std::mt19937_64& rng, int i, std::int64_t max_dim) {
  auto pick = [&](std::int64_t lo, std::int64_t hi) {
    return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng);
  };
  Case c{static_cast<Dataflow>(i % 3),
         pick(1, 6),
         pick(1, 6),
         {pick(1, max_dim), pick(1, max_dim), pick(1, max_dim), 1},
         {}};
  // Scratchpads from a quarter of the smallest blocks' need up to the whole operand: from no fit
  // at all to no tiling.
  for (std::size_t op = 0; op < 3; ++op) c.bytes[op] = pick(32, 4096);
  return c;
}

plan::MappingChoice choose(const Case& c, config::MappingObjective obj = config::MappingObjective::cycles) {
  config::MappingConfig cfg;
  cfg.objective = obj;
  const ir::Layer l = gemm(c.d.m, c.d.n, c.d.k);
  return plan::choose_mapping(arch(c.df, c.R, c.C, c.bytes), l, ir::gemm_dims(l), cfg);
}

}  // namespace

TEST_CASE("mapper: no mapping of the documented space is faster than its choice (ideal memory)", "[unit][mapper]") {
  std::mt19937_64 rng(16);
  int checked = 0;
  for (int i = 0; checked < 60; ++i) {
    const Case c = random_case(rng, i, 24);
    const std::int64_t best = best_in_space(c.df, c.R, c.C, c.d, c.bytes);
    if (best < 0) continue;  // nothing fits: the mapper's error is tested elsewhere
    ++checked;
    INFO("case " << i << " df " << config::to_string(c.df) << " " << c.R << "x" << c.C << " gemm " << c.d.m << "x"
                 << c.d.n << "x" << c.d.k << " bytes " << c.bytes[0] << "," << c.bytes[1] << "," << c.bytes[2]);
    const plan::MappingChoice ch = choose(c);
    CHECK(ch.chosen.cycles == best);
    CHECK(ch.chosen.ideal_cycles == best);  // ideal DRAM: the memory bound adds nothing
  }
}

TEST_CASE("mapper: more SRAM never makes its best slower, nor its DRAM bytes larger", "[unit][mapper]") {
  std::mt19937_64 rng(17);
  int checked = 0;
  for (int i = 0; checked < 120; ++i) {
    Case c = random_case(rng, i, 40);
    if (best_in_space(c.df, c.R, c.C, c.d, c.bytes) < 0) continue;
    ++checked;
    const plan::MappingChoice base = choose(c), base_bytes = choose(c, config::MappingObjective::dram_bytes);
    for (std::size_t op = 0; op < 3; ++op) {
      Case more = c;
      more.bytes[op] *= 2;
      INFO("case " << i << " df " << config::to_string(c.df) << " " << c.R << "x" << c.C << " gemm " << c.d.m << "x"
                   << c.d.n << "x" << c.d.k << " bytes " << c.bytes[0] << "," << c.bytes[1] << "," << c.bytes[2]
                   << " doubled " << op);
      CHECK(choose(more).chosen.cycles <= base.chosen.cycles);
      CHECK(choose(more, config::MappingObjective::dram_bytes).chosen.traffic.total() <=
            base_bytes.chosen.traffic.total());
    }
  }
}

TEST_CASE("mapper: when every operand fits, the choice is the untiled schedule of docs/timing.md", "[unit][mapper]") {
  std::mt19937_64 rng(18);
  for (int i = 0; i < 60; ++i) {
    Case c = random_case(rng, i, 40);
    // Whole operands fit half of each scratchpad.
    c.bytes = {2 * c.d.m * c.d.k, 2 * c.d.k * c.d.n, 2 * 4 * c.d.m * c.d.n};
    const plan::MappingChoice ch = choose(c);
    INFO("case " << i);
    CHECK(ch.chosen.mapping.tile.m == c.d.m);
    CHECK(ch.chosen.mapping.tile.n == c.d.n);
    CHECK(ch.chosen.mapping.tile.k == c.d.k);
    CHECK(ch.chosen.cycles == analytic::systolic_cycles(adf(c.df), c.R, c.C, c.d).total_cycles);
  }
}

TEST_CASE("mapper: a fixed mapping is taken as given, missing extents whole, order mnk", "[unit][mapper]") {
  const Case c{Dataflow::ws, 4, 4, {20, 12, 16, 1}, {4096, 4096, 4096}};
  config::MappingConfig cfg;
  cfg.mapper = config::Mapper::fixed;
  cfg.tile_m = 8;
  cfg.tile_k = 8;
  const ir::Layer l = gemm(c.d.m, c.d.n, c.d.k);
  const plan::MappingChoice ch = plan::choose_mapping(arch(c.df, c.R, c.C, c.bytes), l, ir::gemm_dims(l), cfg);
  CHECK_FALSE(ch.searched);
  CHECK(ch.considered == 1);
  CHECK(ch.chosen.mapping.tile.m == 8);
  CHECK(ch.chosen.mapping.tile.n == 12);  // not given: the whole dimension
  CHECK(ch.chosen.mapping.tile.k == 8);
  CHECK(ch.chosen.mapping.order == config::LoopOrder{GemmLoop::m, GemmLoop::n, GemmLoop::k});
  // Halves as the scratchpads are (double-buffered).
  CHECK(ch.chosen.mapping.double_buffer == std::array<bool, 3>{true, true, true});
  analytic::TileMapping am;
  am.tile = {8, 12, 8};
  CHECK(ch.chosen.cycles == analytic::mapping_cycles_ideal(analytic::Dataflow::ws, 4, 4, c.d, am));
}

TEST_CASE("mapper: balanced extents reach every tile count with the smallest tile", "[unit][mapper]") {
  // 10 granules of 8 over 75: T = 1..10 tiles need ⌈10/T⌉ granules: 10, 5, 4, 3, 2, 2, 2, 2, 2, 1.
  CHECK(plan::balanced_extents(75, 8) == std::vector<std::int64_t>{75, 40, 32, 24, 16, 8});
  CHECK(plan::balanced_extents(1, 8) == std::vector<std::int64_t>{1});
}
