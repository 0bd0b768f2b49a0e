#include "sim/plan/plan.hpp"

#include <numeric>
#include <optional>
#include <stdexcept>

#include <fmt/format.h>

#include "models/analytic/memory.hpp"
#include "models/analytic/systolic.hpp"
#include "models/analytic/vector.hpp"
#include "sim/plan/resources.hpp"

namespace arraysim::plan {

namespace {

/// The closed form's own dataflow type (models/ never includes sim/).
analytic::Dataflow analytic_dataflow(config::Dataflow df) {
  switch (df) {
    case config::Dataflow::os: return analytic::Dataflow::os;
    case config::Dataflow::ws: return analytic::Dataflow::ws;
    case config::Dataflow::is: return analytic::Dataflow::is;
  }
  return analytic::Dataflow::os;
}

/// The closed form's view of the vector unit.
analytic::VectorUnit analytic_vector_unit(const config::ArchConfig& a) {
  analytic::VectorUnit u;
  u.lanes = a.array.lanes;
  u.ifmap_bytes_per_cycle = a.ifmap.read_bytes_per_cycle();
  u.weight_bytes_per_cycle = a.weight.read_bytes_per_cycle();
  u.output_bytes_per_cycle = a.output.read_bytes_per_cycle();
  u.a_elem = ir::dtype_bytes(a.array.input_dtype);
  u.b_elem = ir::dtype_bytes(a.array.weight_dtype);
  u.c_elem = ir::dtype_bytes(a.array.accumulator_dtype);
  u.reduction_latency_cycles = a.array.reduction_latency_cycles;
  return u;
}

analytic::VectorMapping analytic_mapping(const config::VectorMapping& m) {
  auto loop = [](config::GemmLoop l) {
    return l == config::GemmLoop::m   ? analytic::VectorLoop::m
           : l == config::GemmLoop::n ? analytic::VectorLoop::n
                                      : analytic::VectorLoop::k;
  };
  return {loop(m.parallel), {loop(m.order[0]), loop(m.order[1]), loop(m.order[2])}, m.hoist};
}

/// The configuration error of a tile that does not fit, at the scratchpad's size_kib.
config::ConfigError tile_error(const config::ArchConfig& a, const TileFitError& err, const std::string& what) {
  const config::ScratchpadConfig& sp = err.buffer == "ifmap" ? a.ifmap : err.buffer == "weight" ? a.weight : a.output;
  return config::ConfigError({{sp.size_location, sp.path + ".size_kib", what}});
}

/// The tile of `dims` (systolic: by the dataflow's granules; vector: by `vector`'s parallel loop),
/// or a configuration error naming what one tile of the layer needs.
TileShape fit_tile(const config::ArchConfig& a, const std::string& layer, const ir::GemmDims& dims,
                   const TileBudget& budget, const config::VectorMapping* vector) {
  TileFitError err;
  const TileShape t = vector ? choose_vector_tile(vector->parallel, a.array.lanes, dims, budget, &err)
                             : choose_tile(a.array.dataflow, a.array.rows, a.array.cols, dims, budget, &err);
  if (t.m > 0) return t;
  const config::ScratchpadConfig& sp = err.buffer == "ifmap" ? a.ifmap : err.buffer == "weight" ? a.weight : a.output;
  const std::string half = sp.double_buffered ? " (half of it, double-buffered)" : "";
  throw tile_error(a, err,
                   fmt::format("{} bytes{} cannot hold one {} tile of layer '{}': the smallest is {} = {} bytes",
                               err.budget_bytes, half, err.buffer, layer, err.shape, err.need_bytes));
}

/// The mapping a vector layer runs: the configured one (an error if the register file cannot hold
/// what it hoists), or with `mapping: auto` the feasible one with the fewest analytic cycles (ties:
/// the first in all_vector_mappings order).
config::VectorMapping pick_vector_mapping(const config::ArchConfig& a, const std::string& layer,
                                          const ir::GemmDims& dims, const TileBudget& budget) {
  const config::ArrayConfig& arr = a.array;
  if (!arr.mapping_auto) {
    const std::int64_t need = vector_register_words(arr.mapping, arr.lanes);
    if (need > arr.register_entries)
      throw std::invalid_argument(
          fmt::format("arch.array.register_entries: {} words cannot hold what mapping '{}' keeps in registers ({} "
                      "words) for layer '{}'; raise register_entries or set hoist: false",
                      arr.register_entries, config::to_string(arr.mapping), need, layer));
    return arr.mapping;
  }
  const analytic::VectorUnit unit = analytic_vector_unit(a);
  std::optional<config::VectorMapping> best;
  std::int64_t best_cycles = 0;
  for (const config::VectorMapping& m : all_vector_mappings()) {
    if (vector_register_words(m, arr.lanes) > arr.register_entries) continue;
    const TileShape t = choose_vector_tile(m.parallel, arr.lanes, dims, budget, nullptr);
    if (t.m <= 0) continue;
    const std::int64_t c = analytic::vector_layer(analytic_mapping(m), unit, dims, {t.m, t.n, t.k}).total_cycles;
    if (!best || c < best_cycles) best = m, best_cycles = c;
  }
  if (best) return *best;
  // Nothing fits: report the tile error of the default mapping.
  TileFitError err;
  choose_vector_tile(config::VectorMapping{}.parallel, arr.lanes, dims, budget, &err);
  throw tile_error(a, err,
                   fmt::format("{} bytes cannot hold one {} tile of layer '{}' under any mapping", err.budget_bytes,
                               err.buffer, layer));
}

}  // namespace

TileBudget tile_budget(const config::ArchConfig& a) {
  TileBudget b;
  b.a_bytes = a.ifmap.tile_budget_bytes();
  b.b_bytes = a.weight.tile_budget_bytes();
  b.c_bytes = a.output.tile_budget_bytes();
  b.a_elem = ir::dtype_bytes(a.array.input_dtype);
  b.b_elem = ir::dtype_bytes(a.array.weight_dtype);
  b.c_elem = ir::dtype_bytes(a.array.accumulator_dtype);
  return b;
}

VectorUnitShape vector_unit_shape(const config::ArchConfig& arch) {
  VectorUnitShape u;
  u.lanes = arch.array.lanes;
  u.register_entries = arch.array.register_entries;
  u.ports.ifmap_bytes_per_cycle = arch.ifmap.read_bytes_per_cycle();
  u.ports.weight_bytes_per_cycle = arch.weight.read_bytes_per_cycle();
  u.ports.output_bytes_per_cycle = arch.output.read_bytes_per_cycle();
  u.ports.a_elem = ir::dtype_bytes(arch.array.input_dtype);
  u.ports.b_elem = ir::dtype_bytes(arch.array.weight_dtype);
  u.ports.c_elem = ir::dtype_bytes(arch.array.accumulator_dtype);
  return u;
}

ExperimentPlan make_plan(const config::Experiment& e, const PlanOptions& opt) {
  ExperimentPlan plan;
  std::vector<std::size_t> selected = opt.layers;
  if (selected.empty()) {
    selected.resize(e.workload.layers.size());
    std::iota(selected.begin(), selected.end(), std::size_t{0});
  }
  // `auto` counts the MACs of the layers that actually run; the RTL array moves values or nothing.
  plan.fidelity_auto = e.sim.fidelity_auto;
  plan.fidelity = e.sim.fidelity;
  if (e.sim.fidelity_auto) {
    std::int64_t macs = 0;
    for (const std::size_t i : selected) macs += ir::macs(e.workload.layers[i]);
    plan.fidelity = opt.rtl ? config::Fidelity::values : config::auto_fidelity(macs);
  }
  const bool values = plan.fidelity == config::Fidelity::values;
  const config::ArrayConfig& arr = e.arch.array;
  const TileBudget budget = tile_budget(e.arch);
  const bool vector = arr.type == config::ArrayType::vector;
  const VectorUnitShape vunit = vector ? vector_unit_shape(e.arch) : VectorUnitShape{};
  const SlotCounts slots{e.arch.ifmap.double_buffered ? 2 : 1, e.arch.weight.double_buffered ? 2 : 1,
                         e.arch.output.double_buffered ? 2 : 1};
  for (const std::size_t i : selected) {
    LayerPlan p;
    p.workload_index = i;
    p.layer = e.workload.layers[i];
    p.dims = ir::gemm_dims(p.layer);
    const std::string& name = p.layer.name;
    p.vector = vector;
    if (vector) {
      // One fold per tile, every fold's step counts (docs/vector.md).
      p.vector_mapping = pick_vector_mapping(e.arch, name, p.dims, budget);
      const TileShape tile = fit_tile(e.arch, name, p.dims, budget, &p.vector_mapping);
      check_tile_count(e, name, p.dims, tile);
      p.schedule = make_vector_schedule(p.dims, tile, slots);
      p.vector_folds = count_vector_schedule(p.vector_mapping, vunit, p.schedule);
      const TileShape& ts = p.schedule.tile;
      p.analytic_cycles = analytic::vector_layer(analytic_mapping(p.vector_mapping), analytic_vector_unit(e.arch),
                                                 p.dims, {ts.m, ts.n, ts.k})
                              .total_cycles;
    } else {
      const TileShape tile = fit_tile(e.arch, name, p.dims, budget, nullptr);
      check_tile_count(e, name, p.dims, tile);
      p.schedule = make_schedule(arr.dataflow, arr.rows, arr.cols, p.dims, tile, slots);
      const TileShape& ts = p.schedule.tile;
      p.analytic_cycles =
          analytic::tiled_cycles(analytic_dataflow(arr.dataflow), arr.rows, arr.cols, p.dims, {ts.m, ts.n, ts.k});
    }
    // Host time: one SystemC activation per fold in timing fidelity; in values fidelity one per
    // cycle, about the stream of each fold plus the array's fill.
    if (!values)
      p.host_work = static_cast<double>(p.schedule.fold_count);
    else
      for (std::int64_t f = 0; f < p.schedule.fold_count; ++f)
        p.host_work += vector ? static_cast<double>(p.vector_folds[static_cast<std::size_t>(f)].cycles)
                              : static_cast<double>(p.schedule.fold(f).stream_len + arr.rows);
    plan.layers.push_back(std::move(p));
  }
  return plan;
}

std::string to_string(const LayerPlan& p) {
  std::string out = "layer " + p.layer.name + ": " + to_string(p.schedule);
  if (p.vector) out += "  vector mapping: " + config::to_string(p.vector_mapping) + "\n";
  return out;
}

}  // namespace arraysim::plan
