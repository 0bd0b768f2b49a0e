#include "sim/plan/vector_mapping.hpp"

#include <map>
#include <tuple>

namespace arraysim::plan {

VectorCounts& VectorCounts::operator+=(const VectorCounts& o) {
  steps += o.steps, cycles += o.cycles, macs += o.macs;
  a_read_words += o.a_read_words, b_read_words += o.b_read_words;
  c_read_words += o.c_read_words, c_write_words += o.c_write_words;
  stall_read_bandwidth_cycles += o.stall_read_bandwidth_cycles;
  return *this;
}

bool VectorCounts::operator==(const VectorCounts& o) const {
  return steps == o.steps && cycles == o.cycles && macs == o.macs && a_read_words == o.a_read_words &&
         b_read_words == o.b_read_words && c_read_words == o.c_read_words && c_write_words == o.c_write_words &&
         stall_read_bandwidth_cycles == o.stall_read_bandwidth_cycles;
}

VectorCounts count_vector_fold(const config::VectorMapping& map, const VectorUnitShape& unit, std::int64_t m,
                               std::int64_t n, std::int64_t k, bool accumulate) {
  VectorCounts c;
  for_each_vector_step(map, unit, m, n, k, accumulate, [&c](const VectorStep& s) {
    ++c.steps;
    c.cycles += s.cycles;
    c.macs += s.lanes;
    c.a_read_words += s.a_words, c.b_read_words += s.b_words;
    c.c_read_words += s.c_read_words, c.c_write_words += s.c_write_words;
    c.stall_read_bandwidth_cycles += s.cycles - 1;
  });
  return c;
}

std::int64_t vector_register_words(const config::VectorMapping& map, std::int64_t lanes) {
  using config::GemmLoop;
  const GemmLoop p = map.parallel, in = map.order[2];
  if (!map.hoist) return 0;
  const bool a_var = p != GemmLoop::n, b_var = p != GemmLoop::m, c_var = p != GemmLoop::k;
  std::int64_t words = 0;
  // A held across n (or a broadcast register when A does not vary across the lanes), B across m, C across k.
  if (in == GemmLoop::n || !a_var) words += a_var ? lanes : 1;
  if (in == GemmLoop::m || !b_var) words += b_var ? lanes : 1;
  if (in == GemmLoop::k) words += c_var ? lanes : 1;
  return words;
}

std::vector<config::VectorMapping> all_vector_mappings() {
  using config::GemmLoop;
  std::vector<config::VectorMapping> out;
  const std::array<std::array<GemmLoop, 3>, 6> orders{{{GemmLoop::m, GemmLoop::n, GemmLoop::k},
                                                       {GemmLoop::m, GemmLoop::k, GemmLoop::n},
                                                       {GemmLoop::n, GemmLoop::m, GemmLoop::k},
                                                       {GemmLoop::n, GemmLoop::k, GemmLoop::m},
                                                       {GemmLoop::k, GemmLoop::m, GemmLoop::n},
                                                       {GemmLoop::k, GemmLoop::n, GemmLoop::m}}};
  for (GemmLoop p : {GemmLoop::k, GemmLoop::n, GemmLoop::m})
    for (const auto& o : orders)
      for (bool hoist : {true, false}) out.push_back({p, o, hoist});
  return out;
}

std::vector<VectorCounts> count_vector_schedule(const config::VectorMapping& map, const VectorUnitShape& unit,
                                                const Schedule& s) {
  std::map<std::tuple<std::int64_t, std::int64_t, std::int64_t, bool>, VectorCounts> cache;
  std::vector<VectorCounts> out;
  out.reserve(static_cast<std::size_t>(s.fold_count));
  for (std::int64_t i = 0; i < s.fold_count; ++i) {
    const Fold f = s.fold(i);
    const auto key = std::make_tuple(f.m_len, f.n_len, f.k_len, f.accumulate);
    auto it = cache.find(key);
    if (it == cache.end())
      it = cache.emplace(key, count_vector_fold(map, unit, f.m_len, f.n_len, f.k_len, f.accumulate)).first;
    out.push_back(it->second);
  }
  return out;
}

TileShape choose_vector_tile(config::GemmLoop parallel, std::int64_t lanes, const ir::GemmDims& dims,
                             const TileBudget& budget, TileFitError* error) {
  // choose_tile's granules per dataflow (OS: m by rows, n by cols, k by 1; WS: m by 1, n by cols,
  // k by rows) give L along the parallel loop and 1 elsewhere with a 1-wide other dimension.
  switch (parallel) {
    case config::GemmLoop::m: return choose_tile(config::Dataflow::os, lanes, 1, dims, budget, error);
    case config::GemmLoop::n: return choose_tile(config::Dataflow::os, 1, lanes, dims, budget, error);
    case config::GemmLoop::k: return choose_tile(config::Dataflow::ws, lanes, 1, dims, budget, error);
  }
  return {};
}

Schedule make_vector_schedule(const ir::GemmDims& dims, TileShape tile, SlotCounts slots) {
  Mapping m;
  m.tile = tile;
  m.double_buffer = {slots.a == 2, slots.b == 2, slots.c == 2};
  // An output-stationary "array" as large as the GEMM makes exactly one fold per tile, covering it.
  Schedule s = make_schedule(config::Dataflow::os, dims.m, dims.n, dims, m);
  s.rows = 1;
  s.cols = 1;  // not an array: the lanes are in the mapping
  return s;
}

}  // namespace arraysim::plan
