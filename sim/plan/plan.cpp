#include "sim/plan/plan.hpp"

#include <algorithm>
#include <map>
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

LayerPlan plan_systolic_layer(const config::ArchConfig& arch, const ir::Layer& l, const Mapping& m) {
  LayerPlan p;
  p.layer = l;
  p.dims = ir::gemm_dims(l);
  const config::ArrayConfig& arr = arch.array;
  p.schedule = make_schedule(arr.dataflow, arr.rows, arr.cols, p.dims, m);
  analytic::TileMapping am = to_analytic(m);
  am.tile = {p.schedule.tile.m, p.schedule.tile.n, p.schedule.tile.k};  // clipped to the GEMM
  p.analytic_cycles = analytic::mapping_cycles_ideal(analytic_dataflow(arr.dataflow), arr.rows, arr.cols, p.dims, am);
  p.scalesim_v2_cycles = analytic::scalesim_v2_cycles(analytic_dataflow(arr.dataflow), arr.rows, arr.cols, p.dims);
  return p;
}

namespace {

/// Confirms the mappers' best candidates with the cycle model (docs/mapping.md). Per choice the
/// queue is its best candidate, the halving rule's mapping, then the next best ones; in rounds,
/// each round one call of `confirm` with the next candidate of every queue whose closed-form bound
/// is still below its best confirmed cycles (a candidate at or above it cannot win), at most
/// `confirm` (the layer's arch.mapping.confirm) of the best and the rule; then each choice takes its
/// fastest confirmed candidate (ties: queue order).
struct PendingChoice {
  const ir::Layer* layer = nullptr;
  MappingChoice* choice = nullptr;
  std::int64_t confirm = 0;
};
void confirm_choices(const std::vector<PendingChoice>& pending, const ConfirmFn& confirm) {
  std::vector<std::vector<MappingCandidate*>> queues(pending.size());
  for (std::size_t i = 0; i < pending.size(); ++i) {
    MappingChoice& c = *pending[i].choice;
    const std::size_t n =
        std::min(c.best.size(), static_cast<std::size_t>(std::max<std::int64_t>(pending[i].confirm, 0)));
    for (std::size_t k = 0; k < n; ++k) {
      queues[i].push_back(&c.best[k]);
      if (k == 0 && c.rule) queues[i].push_back(&*c.rule);
    }
  }
  std::vector<std::int64_t> best_sim(pending.size(), -1);
  for (std::size_t r = 0;; ++r) {
    std::vector<ConfirmRequest> req;
    std::vector<std::size_t> who;
    for (std::size_t i = 0; i < pending.size(); ++i) {
      if (r >= queues[i].size() || (best_sim[i] >= 0 && queues[i][r]->cycles >= best_sim[i])) continue;
      req.push_back({pending[i].layer, queues[i][r]->mapping});
      who.push_back(i);
    }
    if (req.empty()) {
      if (std::all_of(queues.begin(), queues.end(), [&](const auto& q) { return r >= q.size(); })) break;
      continue;
    }
    const std::vector<std::int64_t> cycles = confirm(req);
    for (std::size_t q = 0; q < who.size(); ++q) {
      MappingChoice& c = *pending[who[q]].choice;
      queues[who[q]][r]->confirmed_cycles = cycles[q];
      ++c.confirmed;
      if (best_sim[who[q]] < 0 || cycles[q] < best_sim[who[q]]) best_sim[who[q]] = cycles[q];
    }
  }
  for (std::size_t i = 0; i < pending.size(); ++i) {
    MappingChoice& c = *pending[i].choice;
    if (best_sim[i] < 0) continue;
    for (const MappingCandidate* k : queues[i])
      if (k->confirmed_cycles == best_sim[i]) {
        c.chosen = *k;
        break;
      }
    for (const MappingCandidate& k : c.best)
      if (k.confirmed_cycles < 0 && k.cycles < best_sim[i]) c.bound_open = true;
  }
}

/// A key under which two layers get the same mapping: their shapes and their own mapping.
std::string shape_key(const ir::Layer& l, const config::MappingConfig& own, std::size_t index) {
  if (!own.empty()) return "layer " + std::to_string(index);  // a layer's own mapping: never shared
  const ir::Conv2dParams& c = l.conv;
  const ir::GemmDims d = ir::gemm_dims(l);
  return fmt::format("{} {} {} {} {} | {} {} {} {} {} {} {} {} {} {} {} {} {} {} {} {} {}", static_cast<int>(l.kind),
                     d.m, d.n, d.k, d.groups, c.n, c.c, c.h, c.w, c.out_channels, c.kernel_h, c.kernel_w, c.stride_h,
                     c.stride_w, c.pad_top, c.pad_bottom, c.pad_left, c.pad_right, c.dilation_h, c.dilation_w, c.groups,
                     0);
}

}  // namespace

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
  const bool vector = arr.type == config::ArrayType::vector;
  // Before any mapping is searched or confirmed: a layer that cannot finish within sim.max_cycles.
  for (const std::size_t i : selected) check_min_cycles(e, e.workload.layers[i]);
  check_data_memory(e, selected, plan.fidelity);

  // Systolic layers: one mapper run per distinct shape (ResNet-50's 54 layers have 21), then the
  // cycle model confirms the candidates the closed form cannot rank.
  std::map<std::string, MappingChoice> choices;
  std::vector<std::string> keys;
  if (!vector) {
    for (const std::size_t i : selected) {
      const ir::Layer& l = e.workload.layers[i];
      const config::MappingConfig own = i < e.layer_mappings.size() ? e.layer_mappings[i] : config::MappingConfig{};
      const std::string key = shape_key(l, own, i);
      keys.push_back(key);
      if (!choices.count(key))
        choices.emplace(key, choose_mapping(e.arch, l, ir::gemm_dims(l), own.over(e.arch.mapping), opt.top));
    }
    if (opt.confirm) {
      std::vector<PendingChoice> pending;
      for (std::size_t s = 0; s < selected.size(); ++s) {
        MappingChoice& c = choices.at(keys[s]);
        if (!c.confirmable ||
            std::any_of(pending.begin(), pending.end(), [&](const PendingChoice& p) { return p.choice == &c; }))
          continue;
        const std::size_t i = selected[s];
        const config::MappingConfig own = i < e.layer_mappings.size() ? e.layer_mappings[i] : config::MappingConfig{};
        pending.push_back({&e.workload.layers[i], &c, own.over(e.arch.mapping).confirm.value_or(kDefaultConfirm)});
      }
      confirm_choices(pending, opt.confirm);
    }
  }

  const TileBudget budget = tile_budget(e.arch);
  const VectorUnitShape vunit = vector ? vector_unit_shape(e.arch) : VectorUnitShape{};
  const SlotCounts slots{e.arch.ifmap.double_buffered ? 2 : 1, e.arch.weight.double_buffered ? 2 : 1,
                         e.arch.output.double_buffered ? 2 : 1};
  for (std::size_t s = 0; s < selected.size(); ++s) {
    const std::size_t i = selected[s];
    const ir::Layer& l = e.workload.layers[i];
    LayerPlan p;
    if (vector) {
      p.layer = l;
      p.dims = ir::gemm_dims(l);
      p.vector = true;
      // One fold per tile, every fold's step counts (docs/vector.md).
      p.vector_mapping = pick_vector_mapping(e.arch, l.name, p.dims, budget);
      const TileShape tile = fit_tile(e.arch, l.name, p.dims, budget, &p.vector_mapping);
      check_tile_count(e, l.name, p.dims, tile);
      p.schedule = make_vector_schedule(p.dims, tile, slots);
      p.vector_folds = count_vector_schedule(p.vector_mapping, vunit, p.schedule);
      const TileShape& ts = p.schedule.tile;
      p.analytic_cycles = analytic::vector_layer(analytic_mapping(p.vector_mapping), analytic_vector_unit(e.arch),
                                                 p.dims, {ts.m, ts.n, ts.k})
                              .total_cycles;
    } else {
      const MappingChoice& c = choices.at(keys[s]);
      check_tile_count(e, l.name, ir::gemm_dims(l), c.chosen.mapping.tile);
      p = plan_systolic_layer(e.arch, l, c.chosen.mapping);
      p.mapping_choice = c;
    }
    p.workload_index = i;
    // Host time: one SystemC activation per fold in timing fidelity; in values fidelity one per
    // cycle, about the stream of each fold plus the array's fill.
    for (const Tile& t : p.schedule.tiles) {
      const std::int64_t folds = t.fold_end - t.fold_begin;
      if (!values) {
        p.host_work += static_cast<double>(folds);
      } else if (vector) {
        p.host_work += static_cast<double>(p.vector_folds[static_cast<std::size_t>(t.fold_begin)].cycles);
      } else {
        const std::int64_t stream = arr.dataflow == config::Dataflow::os   ? t.k_len
                                    : arr.dataflow == config::Dataflow::ws ? t.m_len
                                                                           : t.n_len;
        p.host_work += static_cast<double>(folds * (stream + arr.rows));
      }
    }
    plan.layers.push_back(std::move(p));
  }
  return plan;
}

std::string to_string(const LayerPlan& p) {
  std::string out = "layer " + p.layer.name + ": " + to_string(p.schedule);
  if (p.mapping_choice) {
    const MappingChoice& c = *p.mapping_choice;
    out += fmt::format("  mapping: {} ({} of {} mappings evaluated exactly{})\n", c.searched ? "searched" : "fixed",
                       c.evaluated, c.considered,
                       c.confirmed ? fmt::format(", {} confirmed by the cycle model", c.confirmed) : "");
  }
  if (p.vector) out += "  vector mapping: " + config::to_string(p.vector_mapping) + "\n";
  return out;
}

}  // namespace arraysim::plan
