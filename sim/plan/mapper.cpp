#include "sim/plan/mapper.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <optional>
#include <tuple>

#include <fmt/format.h>

#include "sim/plan/dataflow.hpp"
#include "sim/plan/plan.hpp"

namespace arraysim::plan {

analytic::Dataflow analytic_dataflow(config::Dataflow df) {
  switch (df) {
    case config::Dataflow::os: return analytic::Dataflow::os;
    case config::Dataflow::ws: return analytic::Dataflow::ws;
    case config::Dataflow::is: return analytic::Dataflow::is;
  }
  return analytic::Dataflow::os;
}

analytic::TileMapping to_analytic(const Mapping& m) {
  analytic::TileMapping a;
  a.tile = {m.tile.m, m.tile.n, m.tile.k};
  for (int i = 0; i < 3; ++i)
    a.order[static_cast<std::size_t>(i)] = static_cast<analytic::Loop>(static_cast<int>(m.order[i]));
  a.double_buffer = m.double_buffer;
  return a;
}

namespace {

using analytic::Loop;

std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return (a + b - 1) / b; }

/// Candidates whose bound ties the kept ones evaluated at most, beyond which the tie-break by
/// bounds stands (deterministic either way).
constexpr std::int64_t kMaxTieEvaluations = 256;

/// The six loop orders; a candidate's position here is its canonical index (tie-break).
const std::array<config::LoopOrder, 6>& all_orders() {
  using config::GemmLoop;
  static const std::array<config::LoopOrder, 6> orders{{{GemmLoop::m, GemmLoop::n, GemmLoop::k},
                                                        {GemmLoop::n, GemmLoop::m, GemmLoop::k},
                                                        {GemmLoop::m, GemmLoop::k, GemmLoop::n},
                                                        {GemmLoop::k, GemmLoop::m, GemmLoop::n},
                                                        {GemmLoop::n, GemmLoop::k, GemmLoop::m},
                                                        {GemmLoop::k, GemmLoop::n, GemmLoop::m}}};
  return orders;
}
int order_index(const config::LoopOrder& o) {
  const auto& all = all_orders();
  return static_cast<int>(std::find(all.begin(), all.end(), o) - all.begin());
}

/// What the search needs about the architecture and the layer.
struct Context {
  analytic::Dataflow df = analytic::Dataflow::os;
  std::int64_t rows = 0, cols = 0;
  ir::GemmDims dims;
  analytic::ElementBytes elem;
  std::array<std::int64_t, 3> capacity{};  ///< bytes of each scratchpad
  std::array<bool, 3> can_double{};        ///< the scratchpad has two halves to use
  double dram_bytes_per_cycle = 0;         ///< 0: ideal DRAM
  std::int64_t dram_latency_cycles = 0;
  analytic::EnergyRatesPj rates;
  const ir::Conv2dParams* implicit_conv = nullptr;  ///< a convolution lowered by implicit im2col
  analytic::BurstLayout layout;                     ///< whole DRAM bursts (a real DRAM)
  config::MappingObjective objective = config::MappingObjective::cycles;
};

/// Bytes of the A, B and C blocks of a tile.
std::array<std::int64_t, 3> block_bytes(const Context& c, const TileShape& t) {
  return {t.m * t.k * c.elem.a, t.k * t.n * c.elem.b, t.m * t.n * c.elem.c};
}

/// DRAM bytes of the first tile's A and B blocks (the load nothing can overlap). For a
/// convolution lowered by implicit im2col only B counts: its A block reads fewer distinct bytes
/// than its elements, and a bound must not overstate them.
std::int64_t first_load_bytes(const Context& c, const Mapping& m) {
  const std::int64_t tm = std::min(m.tile.m, c.dims.m), tn = std::min(m.tile.n, c.dims.n),
                     tk = std::min(m.tile.k, c.dims.k);
  const std::int64_t B = c.layout.burst_bytes;
  if (B <= 0) return (c.implicit_conv ? 0 : tm * tk * c.elem.a) + tk * tn * c.elem.b;
  // Whole bursts (analytic::block_bursts): A [M][K]; B [K][N] or, for a convolution, [N][K].
  const std::int64_t a = c.implicit_conv ? 0 : analytic::block_bursts(tm, tk * c.elem.a, c.dims.k * c.elem.a, B);
  const std::int64_t b = c.layout.b_n_contiguous ? analytic::block_bursts(tk, tn * c.elem.b, c.dims.n * c.elem.b, B)
                                                 : analytic::block_bursts(tn, tk * c.elem.b, c.dims.k * c.elem.b, B);
  return (a + b) * B;
}

/// The candidate's DRAM bytes, O(1) cycle bound and energy at that bound.
MappingCandidate bound(const Context& c, const Mapping& m) {
  MappingCandidate k;
  k.mapping = m;
  const analytic::TileMapping am = to_analytic(m);
  const std::int64_t a_pass = c.implicit_conv ? analytic::conv_a_pass_bytes(*c.implicit_conv, am, c.elem.a) : 0;
  k.traffic = analytic::mapping_burst_traffic(c.dims, am, c.elem, c.layout,
                                              analytic::mapping_traffic(c.dims, am, c.elem, a_pass));
  const analytic::TileTrips trips = analytic::tile_trips(c.dims, am);
  k.tiles = c.dims.groups * trips.m * trips.n * trips.k;
  const std::int64_t lb = analytic::mapping_cycles_lower_bound(c.df, c.rows, c.cols, c.dims, am);
  k.lower_bound_cycles =
      analytic::mapping_cycles_memory_bound(c.df, c.rows, c.cols, lb, c.dims, am, c.elem, k.traffic,
                                            first_load_bytes(c, m), c.dram_bytes_per_cycle, c.dram_latency_cycles);
  k.energy_pj =
      analytic::mapping_energy_pj(c.dims, am, c.elem, analytic::mapping_array_words(c.df, c.rows, c.cols, c.dims, am),
                                  k.traffic, k.lower_bound_cycles, c.rates);
  return k;
}

/// The exact ideal-memory cycles, their memory bound and the energy at it.
void evaluate(const Context& c, MappingCandidate& k) {
  const analytic::TileMapping am = to_analytic(k.mapping);
  k.ideal_cycles = analytic::mapping_cycles_ideal(c.df, c.rows, c.cols, c.dims, am);
  k.cycles = analytic::mapping_cycles_memory_bound(c.df, c.rows, c.cols, k.ideal_cycles, c.dims, am, c.elem, k.traffic,
                                                   first_load_bytes(c, k.mapping), c.dram_bytes_per_cycle,
                                                   c.dram_latency_cycles);
  k.energy_pj =
      analytic::mapping_energy_pj(c.dims, am, c.elem, analytic::mapping_array_words(c.df, c.rows, c.cols, c.dims, am),
                                  k.traffic, k.cycles, c.rates);
}

/// The objective of a candidate: on its exact values when evaluated, else on its bounds.
double objective(const Context& c, const MappingCandidate& k) {
  const double cyc = static_cast<double>(k.cycles >= 0 ? k.cycles : k.lower_bound_cycles);
  switch (c.objective) {
    case config::MappingObjective::cycles: return cyc;
    case config::MappingObjective::energy: return k.energy_pj;
    case config::MappingObjective::edp: return k.energy_pj * cyc;
    case config::MappingObjective::dram_bytes: return static_cast<double>(k.traffic.total());
  }
  return cyc;
}

/// The total order of docs/mapping.md: objective, DRAM bytes, energy, cycles, fewer tiles, more
/// halves, canonical loop order, then the tile extents (smaller first).
auto rank_key(const Context& c, const MappingCandidate& k) {
  const Mapping& m = k.mapping;
  const int singles = !m.double_buffer[0] + !m.double_buffer[1] + !m.double_buffer[2];
  return std::make_tuple(objective(c, k), k.traffic.total(), k.energy_pj,
                         k.cycles >= 0 ? k.cycles : k.lower_bound_cycles, k.tiles, singles, order_index(m.order),
                         m.tile.m, m.tile.n, m.tile.k);
}

/// The configuration error of a layer no mapping fits: at the scratchpad's size_kib (search) or
/// at the tile (a tile given by hand).
config::ConfigError no_fit(const config::ArchConfig& arch, const config::MappingConfig& cfg, const ir::Layer& l, int op,
                           const TileShape& t, std::int64_t need, bool given_tile, bool halves) {
  static const char* names[3] = {"ifmap", "weight", "output"};
  const config::ScratchpadConfig& sp = op == 0 ? arch.ifmap : op == 1 ? arch.weight : arch.output;
  const std::int64_t rows = op == 1 ? t.k : t.m, cols = op == 0 ? t.k : t.n;
  const std::int64_t e = op == 0   ? ir::dtype_bytes(arch.array.input_dtype)
                         : op == 1 ? ir::dtype_bytes(arch.array.weight_dtype)
                                   : ir::dtype_bytes(arch.array.accumulator_dtype);
  const std::string shape = fmt::format("{} x {} elements x {} byte{}", rows, cols, e, e == 1 ? "" : "s");
  const std::int64_t budget = halves ? sp.capacity_bytes() / 2 : sp.capacity_bytes();
  const std::string half = halves ? " (half of it, double-buffered)" : "";
  if (given_tile)
    return config::ConfigError({{cfg.tile_location, cfg.path + ".tile",
                                 fmt::format("the {} tile of layer '{}' ({} = {} bytes) does not fit {} ({} bytes{})",
                                             names[op], l.name, shape, need, sp.path, budget, half)}});
  return config::ConfigError(
      {{sp.size_location, sp.path + ".size_kib",
        fmt::format("{} bytes{} cannot hold one {} tile of layer '{}': the smallest is {} = {} bytes", budget, half,
                    names[op], l.name, shape, need)}});
}

}  // namespace

std::vector<std::int64_t> balanced_extents(std::int64_t total, std::int64_t granule) {
  const std::int64_t n = ceil_div(total, granule);
  std::vector<std::int64_t> out;
  // ⌈n/T⌉ takes about 2·√n distinct values; walk them from T = 1 by jumping to the next T that
  // changes it.
  for (std::int64_t T = 1; T <= n;) {
    const std::int64_t q = ceil_div(n, T);
    out.push_back(std::min(total, q * granule));
    if (q == 1) break;
    T = ceil_div(n, q - 1);  // the smallest T with ⌈n/T⌉ < q
  }
  return out;
}

MappingChoice choose_mapping(const config::ArchConfig& arch, const ir::Layer& l, const ir::GemmDims& dims,
                             const config::MappingConfig& cfg, std::size_t top) {
  const config::ArrayConfig& a = arch.array;
  Context c;
  c.df = analytic_dataflow(a.dataflow);
  c.rows = a.rows, c.cols = a.cols;
  c.dims = dims;
  c.elem = {static_cast<std::int64_t>(ir::dtype_bytes(a.input_dtype)),
            static_cast<std::int64_t>(ir::dtype_bytes(a.weight_dtype)),
            static_cast<std::int64_t>(ir::dtype_bytes(a.accumulator_dtype))};
  const config::ScratchpadConfig* sp[3] = {&arch.ifmap, &arch.weight, &arch.output};
  for (int i = 0; i < 3; ++i) c.capacity[i] = sp[i]->capacity_bytes(), c.can_double[i] = sp[i]->double_buffered;
  if (arch.dram.model != config::DramModel::ideal) {
    c.dram_bytes_per_cycle = arch.dram.bytes_per_cycle;
    c.dram_latency_cycles = arch.dram.latency_cycles;
    // A banked DRAM adds at least a column command's latency and one burst to every transfer
    // (CL or CWL, whichever is shorter, since stores count too; docs/memory.md).
    if (arch.dram.banked())
      c.dram_latency_cycles += static_cast<std::int64_t>(std::floor(
          static_cast<double>(std::min(arch.dram.timing.cl, arch.dram.timing.cwl) + arch.dram.burst_cycles()) *
          arch.dram.core_cycles_per_tck(arch.clock_mhz)));
    // The DMA moves whole bursts (docs/memory.md): the GEMM view's matrices as sim/lower lays
    // them out; a convolution's output is NCHW, contiguous along m only within one image.
    const bool conv = l.kind == ir::LayerKind::conv2d;
    c.layout.burst_bytes = std::max<std::int64_t>(1, arch.dram.burst_bytes);
    c.layout.a_known = !(conv && arch.lowering == config::Lowering::implicit);
    c.layout.b_n_contiguous = !conv;
    c.layout.c_n_contiguous = !conv;
    c.layout.c_known = !conv || l.conv.n == 1;
  }
  const config::EnergyPerAction e = config::energy_per_action(arch);
  c.rates.mac = e.mac_pj;
  c.rates.sram_read_per_byte = e.sram_read_pj_per_byte;
  c.rates.sram_write_per_byte = e.sram_write_pj_per_byte;
  c.rates.dram_read_per_byte = e.dram_read_pj_per_byte;
  c.rates.dram_write_per_byte = e.dram_write_pj_per_byte;
  c.rates.static_per_cycle = e.static_pj_per_cycle;
  if (l.kind == ir::LayerKind::conv2d && arch.lowering == config::Lowering::implicit) c.implicit_conv = &l.conv;
  c.objective = cfg.objective.value_or(config::MappingObjective::cycles);
  const bool fixed = cfg.mapper.value_or(config::Mapper::search) == config::Mapper::fixed;

  // The space: per dimension the given extent, or (fixed) the whole dimension, or the balanced
  // extents in the dataflow's granules; the given loop order or (fixed) m n k, or all six.
  const Granules gr = dataflow(a.dataflow).granules(a.rows, a.cols);
  const auto extents = [&](const std::optional<std::int64_t>& given, std::int64_t total, std::int64_t granule) {
    if (given) return std::vector<std::int64_t>{std::min(*given, total)};
    if (fixed) return std::vector<std::int64_t>{total};
    return balanced_extents(total, std::min(granule, total));
  };
  const std::vector<std::int64_t> ms = extents(cfg.tile_m, dims.m, gr.m), ns = extents(cfg.tile_n, dims.n, gr.n),
                                  ks = extents(cfg.tile_k, dims.k, gr.k);
  std::vector<config::LoopOrder> orders;
  if (cfg.loop_order)
    orders.push_back(*cfg.loop_order);
  else if (fixed)
    orders.push_back(all_orders()[0]);
  else
    orders.assign(all_orders().begin(), all_orders().end());

  MappingChoice choice;
  choice.searched = !fixed;
  std::vector<MappingCandidate> cands;
  std::optional<std::tuple<int, TileShape, std::int64_t, bool>> smallest_miss;  // for the error
  for (const std::int64_t tm : ms)
    for (const std::int64_t tn : ns)
      for (const std::int64_t tk : ks) {
        const TileShape t{tm, tn, tk};
        const std::array<std::int64_t, 3> need = block_bytes(c, t);
        // Buffering: as given; else (fixed) as the scratchpad is; else two halves when the block
        // fits half, one buffer when it fits the whole scratchpad.
        Mapping m;
        m.tile = t;
        bool fits = true;
        for (int op = 0; op < 3; ++op) {
          const bool two = cfg.double_buffer[op] ? *cfg.double_buffer[op]
                           : fixed               ? c.can_double[op]
                                                 : c.can_double[op] && need[op] <= c.capacity[op] / 2;
          m.double_buffer[op] = two;
          if (need[op] > (two ? c.capacity[op] / 2 : c.capacity[op])) {
            fits = false;
            if (!smallest_miss || need[op] < std::get<2>(*smallest_miss))
              smallest_miss = std::make_tuple(op, t, need[op], two);
          }
        }
        if (!fits) continue;
        // Orders that give the same tile sequence (they differ only in loops of one tile) are one.
        const analytic::TileTrips trips = analytic::tile_trips(dims, to_analytic(m));
        const auto trip = [&](config::GemmLoop g) {
          return g == config::GemmLoop::m ? trips.m : g == config::GemmLoop::n ? trips.n : trips.k;
        };
        std::vector<std::vector<config::GemmLoop>> seen;
        for (const config::LoopOrder& o : orders) {
          std::vector<config::GemmLoop> key;
          for (const config::GemmLoop g : o)
            if (trip(g) > 1) key.push_back(g);
          if (std::find(seen.begin(), seen.end(), key) != seen.end()) continue;
          seen.push_back(key);
          m.order = o;
          cands.push_back(bound(c, m));
        }
      }
  if (cands.empty()) {
    const auto& [op, t, need, two] = *smallest_miss;
    throw no_fit(arch, cfg, l, op, t, need, cfg.tile_m || cfg.tile_n || cfg.tile_k, two);
  }
  choice.considered = static_cast<std::int64_t>(cands.size());

  // Branch and bound: evaluate exactly in the order of the bounds until no bound can beat the
  // `top`-th best exact value (the bounds never exceed the exact values).
  std::sort(cands.begin(), cands.end(),
            [&](const MappingCandidate& x, const MappingCandidate& y) { return rank_key(c, x) < rank_key(c, y); });
  // Confirmation with the cycle model (the plan stage) needs the best arch.mapping.confirm
  // candidates known exactly too.
  const bool confirmable = c.dram_bytes_per_cycle > 0 && c.objective == config::MappingObjective::cycles && !fixed;
  const std::size_t keep = std::max<std::size_t>(
      {std::size_t{1}, top, confirmable ? static_cast<std::size_t>(cfg.confirm.value_or(kDefaultConfirm)) : 0});
  std::vector<MappingCandidate> done;
  std::int64_t ties = 0;  // exact evaluations of candidates whose bound ties the kept ones
  for (MappingCandidate& k : cands) {
    if (done.size() >= keep) {
      const double bound = objective(c, k), worst = objective(c, done[keep - 1]);
      if (bound > worst || (bound == worst && ++ties > kMaxTieEvaluations)) break;
    }
    evaluate(c, k);
    ++choice.evaluated;
    done.insert(std::upper_bound(done.begin(), done.end(), k,
                                 [&](const MappingCandidate& x, const MappingCandidate& y) {
                                   return rank_key(c, x) < rank_key(c, y);
                                 }),
                k);
  }
  choice.chosen = done.front();
  done.resize(std::min(done.size(), keep));
  choice.best = std::move(done);
  choice.confirmable = confirmable;
  if (confirmable) {
    // The halving rule's tile, for the plan stage to confirm beside the best (the closed form
    // bounds a real DRAM's cycles from below only; the rule is a known-good reference).
    const TileShape t = choose_tile(a.dataflow, a.rows, a.cols, dims, tile_budget(arch), nullptr);
    Mapping m;
    m.tile = t;
    m.order = all_orders()[0];
    for (int op = 0; op < 3; ++op) m.double_buffer[op] = c.can_double[op];
    if (t.m > 0 && std::none_of(choice.best.begin(), choice.best.end(),
                                [&](const MappingCandidate& k) { return k.mapping == m; })) {
      MappingCandidate k = bound(c, m);
      evaluate(c, k);
      choice.rule = k;
    }
  }
  return choice;
}

}  // namespace arraysim::plan

namespace arraysim::plan {

std::string map_text(const std::string& layer, const ir::GemmDims& d, const MappingChoice& c, std::size_t top) {
  std::string out = fmt::format(
      "layer {}: gemm {}x{}x{} groups {}: {} mappings fit, {} evaluated exactly, {} confirmed{}\n", layer, d.m, d.n,
      d.k, d.groups, c.considered, c.evaluated, c.confirmed, c.searched ? "" : " (mapper: fixed)");
  out += fmt::format("  {:>4} {:>8} {:>8} {:>8} {:>5} {:>6} {:>14} {:>16} {:>14} {:>16}\n", "rank", "tile_m", "tile_n",
                     "tile_k", "order", "halves", "cycles", "confirmed_cycles", "dram_bytes", "energy_pj");
  const std::size_t n = std::min(top, c.best.size());
  for (std::size_t i = 0; i <= n; ++i) {
    // The ranked candidates, then the halving rule's mapping when it was confirmed beside them.
    if (i == n && !c.rule) break;
    const MappingCandidate& k = i < n ? c.best[i] : *c.rule;
    const Mapping& m = k.mapping;
    out += fmt::format(
        "  {:>4} {:>8} {:>8} {:>8} {:>5} {:>6} {:>14} {:>16} {:>14} {:>16.0f}{}\n",
        i < n ? std::to_string(i + 1) : std::string("rule"), m.tile.m, m.tile.n, m.tile.k, order_word(m.order),
        fmt::format("{}{}{}", m.double_buffer[0] ? 2 : 1, m.double_buffer[1] ? 2 : 1, m.double_buffer[2] ? 2 : 1),
        k.cycles >= 0 ? std::to_string(k.cycles) : ">=" + std::to_string(k.lower_bound_cycles),
        k.confirmed_cycles >= 0 ? std::to_string(k.confirmed_cycles) : "-", k.traffic.total(), k.energy_pj,
        m == c.chosen.mapping ? "  chosen" : "");
  }
  return out;
}

}  // namespace arraysim::plan
