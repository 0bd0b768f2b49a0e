/// Scratchpad tiling (sim/plan): the tile rule of docs/memory.md on hand-worked cases, the fold
/// cover of tiled schedules, reuse flags and buffer halves, and the DMA address generator's runs.
#include <catch2/catch.hpp>

#include <array>
#include <limits>
#include <map>
#include <random>
#include <set>
#include <tuple>

#include "models/ir/layer.hpp"
#include "sim/lower/dram_layout.hpp"
#include "sim/plan/dataflow.hpp"
#include "sim/plan/schedule.hpp"

using namespace arraysim;
using config::Dataflow;

TEST_CASE("tiling: the whole GEMM when it fits, else halving the larger dimension in granules", "[unit][tiling]") {
  plan::TileBudget b;
  b.a_bytes = b.b_bytes = b.c_bytes = 1 << 20;
  b.a_elem = b.b_elem = 1, b.c_elem = 4;
  const plan::TileShape all = plan::choose_tile(Dataflow::os, 8, 8, {100, 50, 300, 1}, b, nullptr);
  CHECK((all.m == 100 && all.n == 50 && all.k == 300));
  // OS 4x4, A 32x256 int8 = 8 KiB into 2 KiB: m has 8 granules of 4, k 256 granules of 1, so k
  // halves: 128 (4 KiB), 64 (2 KiB) fits.
  b.a_bytes = 2048;
  const plan::TileShape t = plan::choose_tile(Dataflow::os, 4, 4, {32, 4, 256, 1}, b, nullptr);
  CHECK((t.m == 32 && t.n == 4 && t.k == 64));
  // WS 8x8: C 100x50 int32 = 20000 bytes into 4096: m (100 granules of 1) halves to 50, 25,
  // 13 (2600 bytes... 13x50x4 = 2600 fits).
  b.a_bytes = 1 << 20, b.c_bytes = 4096;
  const plan::TileShape w = plan::choose_tile(Dataflow::ws, 8, 8, {100, 50, 30, 1}, b, nullptr);
  CHECK((w.m == 13 && w.n == 50 && w.k == 30));
  // The smallest OS output tile is R x C accumulators: 16x16x4 = 1024 bytes > 512.
  b.c_bytes = 512;
  plan::TileFitError err;
  const plan::TileShape none = plan::choose_tile(Dataflow::os, 16, 16, {64, 64, 8, 1}, b, &err);
  CHECK(none.m == 0);
  CHECK(err.buffer == "output");
  CHECK(err.budget_bytes == 512);
  CHECK(err.need_bytes == 1024);
  CHECK(err.shape == "16 x 16 elements x 4 bytes");
}

TEST_CASE("tiling: tiled schedules in every loop order cover every MAC once with correct reuse flags and visits",
          "[unit][tiling]") {
  std::mt19937_64 rng(11);
  auto pick = [&](std::int64_t lo, std::int64_t hi) {
    return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng);
  };
  for (int c = 0; c < 300; ++c) {
    const Dataflow df = static_cast<Dataflow>(c % 3);
    const std::int64_t R = pick(1, 9), C = pick(1, 9);
    const ir::GemmDims d{pick(1, 40), pick(1, 40), pick(1, 40), pick(1, 3)};
    plan::Mapping mapping;
    mapping.tile = {pick(1, d.m), pick(1, d.n), pick(1, d.k)};
    const std::string orders[6] = {"mnk", "mkn", "nmk", "nkm", "kmn", "knm"};
    mapping.order = *config::parse_loop_order(orders[(c / 3) % 6]);
    const plan::SlotCounts slots{static_cast<int>(pick(1, 2)), static_cast<int>(pick(1, 2)),
                                 static_cast<int>(pick(1, 2))};
    mapping.double_buffer = {slots.a == 2, slots.b == 2, slots.c == 2};
    const plan::Schedule s = plan::make_schedule(df, R, C, d, mapping);
    INFO("case " << c << " order " << orders[(c / 3) % 6]);
    // Every (g, m, n, k) is covered by exactly one fold.
    std::map<std::tuple<std::int64_t, std::int64_t, std::int64_t, std::int64_t>, int> cover;
    for (std::int64_t i = 0; i < s.fold_count; ++i) {
      const plan::Fold f = s.fold(i);
      for (std::int64_t m = f.m0; m < f.m0 + f.m_len; ++m)
        for (std::int64_t n = f.n0; n < f.n0 + f.n_len; ++n)
          for (std::int64_t k = f.k0; k < f.k0 + f.k_len; ++k) ++cover[{f.group, m, n, k}];
    }
    CHECK(cover.size() == static_cast<std::size_t>(d.groups * d.m * d.n * d.k));
    bool once = true;
    for (const auto& [key, count] : cover) once = once && count == 1;
    CHECK(once);
    // Folds stay inside their tile; tiles are contiguous fold ranges in order; inside a tile the
    // folds run in the dataflow's order (OS m-fold then n-fold, WS n then k, IS m then k).
    std::int64_t next = 0;
    auto order_key = [df](const plan::Fold& f) {
      return df == Dataflow::os   ? std::make_pair(f.m0, f.n0)
             : df == Dataflow::ws ? std::make_pair(f.n0, f.k0)
                                  : std::make_pair(f.m0, f.k0);
    };
    for (const plan::Tile& t : s.tiles) {
      CHECK(t.fold_begin == next);
      next = t.fold_end;
      for (std::int64_t f = t.fold_begin; f < t.fold_end; ++f) {
        const plan::Fold fo = s.fold(f);
        CHECK(fo.index == f);
        CHECK(s.tile_of(f) == t.index);
        if (f > t.fold_begin) CHECK(order_key(s.fold(f - 1)) < order_key(fo));
        CHECK((fo.m0 >= t.m0 && fo.m0 + fo.m_len <= t.m0 + t.m_len));
        CHECK((fo.n0 >= t.n0 && fo.n0 + fo.n_len <= t.n0 + t.n_len));
        CHECK((fo.k0 >= t.k0 && fo.k0 + fo.k_len <= t.k0 + t.k_len));
        CHECK(fo.accumulate == (fo.k0 > 0));
      }
    }
    CHECK(next == s.fold_count);
    // A visit of a C block is a run of consecutive tiles with that block: it takes an output half
    // at its first tile, reads partial sums back when it does not start the k dimension, and is
    // stored at its last tile.
    for (std::size_t i = 0; i < s.tiles.size(); ++i) {
      const plan::Tile& t = s.tiles[i];
      const auto same_c = [&](const plan::Tile& u) { return u.group == t.group && u.m0 == t.m0 && u.n0 == t.n0; };
      CHECK(t.new_c == (i == 0 || !same_c(s.tiles[i - 1])));
      CHECK(t.load_c == (t.new_c && t.k0 > 0));
      CHECK(t.store_c == (i + 1 == s.tiles.size() || !same_c(s.tiles[i + 1])));
    }
    // A block reloads exactly when its coordinates change; halves alternate over loads.
    int a_loads = 0;
    for (std::size_t i = 0; i < s.tiles.size(); ++i) {
      const plan::Tile& t = s.tiles[i];
      const bool same =
          i > 0 && s.tiles[i - 1].group == t.group && s.tiles[i - 1].m0 == t.m0 && s.tiles[i - 1].k0 == t.k0;
      CHECK(t.load_a == !same);
      if (t.load_a) CHECK(t.a_slot == a_loads++ % slots.a);
    }
  }
}

TEST_CASE("dram layout: regions are 4 KiB aligned and runs are the distinct bytes of a block", "[unit][tiling]") {
  ir::Layer l;
  l.name = "c";
  l.kind = ir::LayerKind::conv2d;
  l.conv.n = 2, l.conv.c = 3, l.conv.h = 5, l.conv.w = 5, l.conv.out_channels = 4;
  l.conv.kernel_h = l.conv.kernel_w = 3;
  l.conv.stride_h = l.conv.stride_w = 1, l.conv.dilation_h = l.conv.dilation_w = 1, l.conv.groups = 1;
  l.conv.pad_top = l.conv.pad_left = l.conv.pad_bottom = l.conv.pad_right = 0;
  lower::AddressGen a(l, 1, 1, 4, config::Lowering::implicit);
  const lower::DramLayout& d = a.layout();
  CHECK(d.input_bytes == 2 * 3 * 5 * 5);
  CHECK(d.weight_base == 4096);
  CHECK(d.weight_bytes == 4 * 3 * 3 * 3);
  CHECK(d.output_base == 8192);
  CHECK(d.output_bytes == 2 * 4 * 3 * 3 * 4);
  CHECK(d.toeplitz_bytes == 0);
  // Output pixel m = 0 (image 0, p = q = 0), all K = 27 taps: channels 0..2, rows 0..2, cols
  // 0..2 of image 0: per channel 3 runs of 3 bytes at c*25 + r*5.
  const std::vector<lower::DramRun>& r = a.a_runs(0, 0, 1, 0, 27);
  REQUIRE(r.size() == 9);
  CHECK((r[0].addr == 0 && r[0].bytes == 3));
  CHECK((r[1].addr == 5 && r[1].bytes == 3));
  CHECK((r[8].addr == 2 * 25 + 10 && r[8].bytes == 3));
  // Every pixel of image 1 and every tap: the whole second image, one run of 75 bytes.
  const std::vector<lower::DramRun>& all = a.a_runs(0, 9, 9, 0, 27);
  REQUIRE(all.size() == 1);
  CHECK((all[0].addr == 75 && all[0].bytes == 75));
  // B [k][n] of a conv lives as [n][k]: the whole block is the whole weight tensor.
  const std::vector<lower::DramRun>& w = a.b_runs(0, 0, 27, 0, 4);
  REQUIRE(w.size() == 1);
  CHECK((w[0].addr == 4096 && w[0].bytes == 108));
  // C of channels 1..2 for image 0's 9 pixels: [n][pixel] per image: runs (n=1: 9 px, n=2: 9 px)
  // adjacent in DRAM, so one run of 72 bytes at 8192 + 9*4.
  const std::vector<lower::DramRun>& c = a.c_runs(0, 0, 9, 1, 2);
  REQUIRE(c.size() == 1);
  CHECK((c[0].addr == 8192 + 36 && c[0].bytes == 72));
  // Explicit lowering reads A from the Toeplitz region, row-major M x K.
  lower::AddressGen e(l, 1, 1, 4, config::Lowering::explicit_);
  CHECK(e.layout().toeplitz_bytes == 18 * 27);
  CHECK(e.a_addr(0, 1, 2) == e.layout().toeplitz_base + 27 + 2);
}

TEST_CASE("tiling: folds are generated on demand, so a 2^40-fold layer costs one tile", "[unit][tiling]") {
  // M = N = 2^20, K = 1 on a 1x1 OS array: one fold per output element, 2^40 folds in one tile.
  const std::int64_t big = std::int64_t{1} << 20;
  const plan::Schedule s = plan::make_schedule(Dataflow::os, 1, 1, ir::GemmDims{big, big, 1, 1});
  CHECK(s.tiles.size() == 1);
  CHECK(s.fold_count == big * big);
  // Fold f covers m0 = f / N, n0 = f % N (m-fold outer, n-fold inner).
  const plan::Fold last = s.fold(s.fold_count - 1);
  CHECK(last.m0 == big - 1);
  CHECK(last.n0 == big - 1);
  const plan::Fold mid = s.fold(3 * big + 5);
  CHECK(mid.m0 == 3);
  CHECK(mid.n0 == 5);
  CHECK(mid.index == 3 * big + 5);
}

TEST_CASE("tiling: a fold's access spans are the first and last cycles its trace reports", "[unit][tiling]") {
  // The oracle is the trace: every access it reports, the minimum and maximum cycle per operand.
  std::mt19937_64 rng(5);
  auto pick = [&](std::int64_t lo, std::int64_t hi) {
    return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng);
  };
  for (int c = 0; c < 200; ++c) {
    const Dataflow df = static_cast<Dataflow>(c % 3);
    const std::int64_t R = pick(1, 9), C = pick(1, 9);
    const ir::GemmDims d{pick(1, 30), pick(1, 30), pick(1, 30), 1};
    const plan::Schedule s = plan::make_schedule(df, R, C, d);
    const plan::Dataflow& obj = plan::dataflow(df);
    const std::int64_t f = pick(0, s.fold_count - 1);
    const plan::Fold fo = s.fold(f);
    const std::int64_t load = pick(0, 100);
    const plan::FoldTiming ft{load, load + (obj.stationary() ? R : 0), 0};
    std::array<std::pair<std::int64_t, std::int64_t>, 3> seen;
    seen.fill({std::numeric_limits<std::int64_t>::max(), std::numeric_limits<std::int64_t>::min()});
    obj.trace(fo, s.tiles[static_cast<std::size_t>(s.tile_of(f))], ft, R, plan::TraceLayout{},
              [&](std::int64_t cycle, plan::Operand op, const char*, std::int64_t, std::int64_t) {
                auto& [lo, hi] = seen[static_cast<std::size_t>(op)];
                lo = std::min(lo, cycle), hi = std::max(hi, cycle);
              });
    const std::array<plan::AccessSpan, 3> spans = obj.access_spans(fo, ft, R);
    INFO("case " << c << " dataflow " << config::to_string(df));
    for (std::size_t op = 0; op < 3; ++op) {
      CHECK(spans[op].first == seen[op].first);
      CHECK(spans[op].last == seen[op].second);
    }
  }
}
