#include "sim/app/run.hpp"

#include <chrono>
#include <iostream>
#include <numeric>
#include <optional>
#include <stdexcept>

#include <fmt/format.h>

#include "models/analytic/memory.hpp"
#include "models/analytic/systolic.hpp"
#include "models/analytic/vector.hpp"
#include "models/golden/golden.hpp"
#include "sim/app/compare.hpp"
#include "sim/app/progress.hpp"
#include "sim/hw/accelerator.hpp"
#include "sim/lower/im2col.hpp"
#include "sim/hw/vector_unit.hpp"
#include "sim/sched/schedule.hpp"
#include "sim/sched/vector_mapping.hpp"
#include "sim/stats/energy.hpp"
#include "sim/stats/plots.hpp"
#include "sim/stats/timeline.hpp"

namespace arraysim::app {

namespace {
analytic::Dataflow analytic_dataflow(config::Dataflow df) {
  return df == config::Dataflow::os ? analytic::Dataflow::os
         : df == config::Dataflow::ws ? analytic::Dataflow::ws
                                      : analytic::Dataflow::is;
}

/// Bytes one tile of each operand may occupy, and the element sizes.
sched::TileBudget tile_budget(const config::ArchConfig& a) {
  sched::TileBudget b;
  b.a_bytes = a.ifmap.tile_budget_bytes();
  b.b_bytes = a.weight.tile_budget_bytes();
  b.c_bytes = a.output.tile_budget_bytes();
  b.a_elem = ir::dtype_bytes(a.array.input_dtype);
  b.b_elem = ir::dtype_bytes(a.array.weight_dtype);
  b.c_elem = ir::dtype_bytes(a.array.accumulator_dtype);
  return b;
}

/// The tile of `dims` for this architecture, or a configuration error at the scratchpad's
/// size_kib naming what one tile of the layer needs.
sched::TileShape fit_tile(const config::ArchConfig& a, const std::string& layer, const ir::GemmDims& dims,
                          const sched::TileBudget& budget, const config::VectorMapping* vector = nullptr) {
  sched::TileFitError err;
  const sched::TileShape t =
      vector ? sched::choose_vector_tile(vector->parallel, a.array.lanes, dims, budget, &err)
             : sched::choose_tile(a.array.dataflow, a.array.rows, a.array.cols, dims, budget, &err);
  if (t.m > 0) return t;
  const config::ScratchpadConfig& sp = err.buffer == "ifmap" ? a.ifmap : err.buffer == "weight" ? a.weight : a.output;
  const std::string half = sp.double_buffered ? " (half of it, double-buffered)" : "";
  throw config::ConfigError({{sp.size_location, sp.path + ".size_kib",
                              fmt::format("{} bytes{} cannot hold one {} tile of layer '{}': the smallest is {} = {} bytes",
                                          err.budget_bytes, half, err.buffer, layer, err.shape, err.need_bytes)}});
}

/// The analytic model's view of the vector unit (its own types: models/ never includes sim/).
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
  auto loop = [](config::VectorLoop l) {
    return l == config::VectorLoop::m ? analytic::VectorLoop::m
           : l == config::VectorLoop::n ? analytic::VectorLoop::n
                                        : analytic::VectorLoop::k;
  };
  return {loop(m.parallel), {loop(m.order[0]), loop(m.order[1]), loop(m.order[2])}, m.hoist};
}

/// The vector tile of `dims` under `map`, or empty (m == 0) with `err` filled when none fits.
sched::TileShape vector_tile(const config::ArchConfig& a, const config::VectorMapping& map, const ir::GemmDims& dims,
                             const sched::TileBudget& budget, sched::TileFitError* err) {
  return sched::choose_vector_tile(map.parallel, a.array.lanes, dims, budget, err);
}

/// The mapping a vector layer runs: the configured one (an error if the register file cannot hold
/// what it hoists), or with `mapping: auto` the feasible one with the fewest analytic cycles (ties:
/// the first in sched::all_vector_mappings order).
config::VectorMapping pick_vector_mapping(const config::ArchConfig& a, const std::string& layer,
                                          const ir::GemmDims& dims, const sched::TileBudget& budget) {
  const config::ArrayConfig& arr = a.array;
  if (!arr.mapping_auto) {
    const std::int64_t need = sched::vector_register_words(arr.mapping, arr.lanes);
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
  for (const config::VectorMapping& m : sched::all_vector_mappings()) {
    if (sched::vector_register_words(m, arr.lanes) > arr.register_entries) continue;
    const sched::TileShape t = vector_tile(a, m, dims, budget, nullptr);
    if (t.m <= 0) continue;
    const std::int64_t c = analytic::vector_layer(analytic_mapping(m), unit, dims, {t.m, t.n, t.k}).total_cycles;
    if (!best || c < best_cycles) best = m, best_cycles = c;
  }
  if (!best) {
    // Nothing fits: report the tile error of the default mapping.
    sched::TileFitError err;
    vector_tile(a, config::VectorMapping{}, dims, budget, &err);
    const config::ScratchpadConfig& sp = err.buffer == "ifmap" ? a.ifmap : err.buffer == "weight" ? a.weight : a.output;
    throw config::ConfigError({{sp.size_location, sp.path + ".size_kib",
                                fmt::format("{} bytes cannot hold one {} tile of layer '{}' under any mapping",
                                            err.budget_bytes, err.buffer, layer)}});
  }
  return *best;
}

stats::LayerResult describe_layer(const ir::Layer& l) {
  stats::LayerResult r;
  r.name = l.name;
  r.type = ir::layer_kind_name(l.kind);
  r.input_shape = ir::input_shape(l);
  r.weight_shape = ir::weight_shape(l);
  r.output_shape = ir::output_shape(l);
  r.gemm = ir::gemm_dims(l);
  r.macs = ir::macs(l);
  return r;
}
}  // namespace

/// Golden output of a layer and, for fp32, the per-element tolerance.
struct GoldenCheck {
  ir::Tensor expected;
  ir::Tensor tolerance;  ///< fp32 only
};

GoldenCheck golden_check(const ir::Layer& l, const ir::LayerOperands& ops, ir::DType acc) {
  GoldenCheck g;
  g.expected = golden::run_layer(l, ops, acc);
  if (acc == ir::DType::fp32) {
    const ir::LayerOperands abs_ops{abs_tensor(ops.input), abs_tensor(ops.weight)};
    g.tolerance = fp32_tolerance(golden::run_layer(l, abs_ops, acc), ir::gemm_dims(l).k);
  }
  return g;
}

stats::RunResult run_experiment(const config::Experiment& e, const RunOptions& opt) {
  stats::RunResult res;
  res.experiment = e.name;
  res.arch_name = e.arch.name;
  // The layers that run (--layers), by their index in the workload.
  std::vector<std::size_t> selected = opt.layers;
  if (selected.empty()) {
    selected.resize(e.workload.layers.size());
    std::iota(selected.begin(), selected.end(), std::size_t{0});
  }
  // `auto` counts the MACs of the layers that actually run.
  config::Fidelity fidelity = e.sim.fidelity;
  if (e.sim.fidelity_auto) {
    std::int64_t macs = 0;
    for (const std::size_t i : selected) macs += ir::macs(e.workload.layers[i]);
    fidelity = config::auto_fidelity(macs);
  }
  // The RTL array (impl: rtl, cosim) moves values or nothing: for it `auto` means values.
  if (e.sim.fidelity_auto && (opt.cosim || e.arch.array.impl == config::ArrayImpl::rtl))
    fidelity = config::Fidelity::values;
  res.fidelity = config::to_string(fidelity);
  res.fidelity_setting = e.sim.fidelity_auto ? "auto" : res.fidelity;
  res.layer_selection = opt.layers_spec;
  res.workload_layers = static_cast<std::int64_t>(e.workload.layers.size());
  res.clock_mhz = e.arch.clock_mhz;
  res.input_dtype = e.arch.array.input_dtype;
  res.weight_dtype = e.arch.array.weight_dtype;
  res.accumulator_dtype = e.arch.array.accumulator_dtype;
  res.pe_count = e.arch.array.type == config::ArrayType::systolic ? e.arch.array.rows * e.arch.array.cols
                                                                  : e.arch.array.lanes;
  const config::ArrayConfig& arr = e.arch.array;
  const bool values = fidelity == config::Fidelity::values;
  hw::SimulateOptions so;
  so.fidelity = fidelity;
  so.vcd_path = opt.vcd_path;
  so.max_cycles = e.sim.max_cycles;
  so.fault_pe_row = e.sim.fault_pe_row;
  so.fault_pe_col = e.sim.fault_pe_col;
  so.cosim = opt.cosim;
  so.rtl_fault = opt.rtl_fault;
  so.record_timeline = !opt.timeline_path.empty() || !opt.out_dir.empty();
  so.trace_sram = opt.trace.sram;
  so.trace_dram = opt.trace.dram;
  // arch.array.impl: rtl and cosim: refuse what this build cannot run before doing any work.
  hw::check_array_impl(e.arch, so);

  // Lower every layer and build the tiled fold schedules (plain data) before elaborating anything.
  std::vector<hw::LayerProgram> programs;
  std::vector<ir::LayerOperands> operands;
  operands.reserve(selected.size());  // programs point into it
  std::vector<Progress::Item> progress_items;
  const sched::TileBudget budget = tile_budget(e.arch);
  const bool vector = arr.type == config::ArrayType::vector;
  const sched::VectorUnitShape vunit = vector ? hw::vector_unit_shape(e.arch) : sched::VectorUnitShape{};
  const sched::SlotCounts slots{e.arch.ifmap.double_buffered ? 2 : 1, e.arch.weight.double_buffered ? 2 : 1,
                                e.arch.output.double_buffered ? 2 : 1};
  for (const std::size_t i : selected) {  // i: the index in the workload, which seeds the operands
    const ir::Layer& l = e.workload.layers[i];
    res.layers.push_back(describe_layer(l));
    hw::LayerProgram p;
    p.name = l.name;
    p.layer = l;
    const ir::GemmDims dims = ir::gemm_dims(l);
    if (vector) {
      // The vector unit: a mapping per layer (auto: the fewest analytic cycles), one fold per
      // tile, and every fold's step counts (docs/vector.md).
      p.vector_mapping = pick_vector_mapping(e.arch, l.name, dims, budget);
      p.schedule = sched::make_vector_schedule(dims, fit_tile(e.arch, l.name, dims, budget, &p.vector_mapping), slots);
      p.vector_folds = sched::count_vector_schedule(p.vector_mapping, vunit, p.schedule);
    } else {
      p.schedule = sched::make_schedule(arr.dataflow, arr.rows, arr.cols, dims,
                                        fit_tile(e.arch, l.name, dims, budget), slots);
    }
    if (opt.dump_schedule) {
      std::cout << "layer " << l.name << ": " << sched::to_string(p.schedule);
      if (vector) std::cout << "  vector mapping: " << config::to_string(p.vector_mapping) << "\n";
    }
    if (opt.progress) {
      // Host time of a layer: one SystemC activation per fold in timing fidelity; in values
      // fidelity one per cycle, about the stream of each fold plus the array's fill.
      double work = 0;
      for (std::size_t f = 0; f < p.schedule.folds.size(); ++f)
        work += !values ? 1.0
                : vector ? static_cast<double>(p.vector_folds[f].cycles)
                         : static_cast<double>(p.schedule.folds[f].stream_len + arr.rows);
      progress_items.push_back({l.name, work});
    }
    if (values) {
      operands.push_back(ir::make_operands(l, i, e.workload.seed, arr.input_dtype, arr.weight_dtype));
      p.operands = &operands.back();
    }
    programs.push_back(std::move(p));
  }

  std::optional<Progress> progress;
  if (opt.progress) {
    progress.emplace(std::cerr, std::move(progress_items));
    so.on_layer_start = [&progress](std::size_t k) { progress->layer_started(k); };
  }
  using clock = std::chrono::steady_clock;
  const auto t0 = clock::now();
  std::vector<hw::LayerCounters> counters;
  try {
    counters = hw::simulate(e.arch, programs, so);
  } catch (...) {
    if (progress) progress->finish();
    throw;
  }
  if (progress) progress->finish();
  const auto t1 = clock::now();
  res.simulate_seconds = std::chrono::duration<double>(t1 - t0).count();

  for (std::size_t k = 0; k < selected.size(); ++k) {
    const ir::Layer& l = e.workload.layers[selected[k]];
    stats::LayerResult& r = res.layers[k];
    hw::LayerCounters& lc = counters[k];
    r.total_cycles = lc.total_cycles;
    r.compute_cycles = lc.compute_cycles;
    r.stall_cycles = lc.stall_cycles;
    r.folds = lc.folds;
    r.start_cycle = lc.start_cycle;
    r.memory = lc.memory;
    for (auto& ev : lc.timeline) res.timeline.push_back(std::move(ev));
    for (auto& a : lc.accesses) res.accesses.push_back(std::move(a));
    res.cosim_cycles += lc.compared_cycles;
    res.cosim_values += lc.compared_values;
    if (lc.total_cycles > 0)
      r.pe_utilization = static_cast<double>(r.macs) / (static_cast<double>(res.pe_count) * static_cast<double>(lc.total_cycles));
    r.array_read_words = lc.array_read_words;
    r.array_write_words = lc.array_write_words;
    if (vector) {
      r.vector_mapping = config::to_string(programs[k].vector_mapping);
      r.vector_mapping_auto = arr.mapping_auto;
      r.vector_steps = lc.vector_steps;
      r.stall_cycles_read_bandwidth = lc.stall_read_bandwidth_cycles;
      r.relayout_words = lc.relayout_words;
    }
    if (e.sim.check_analytic) {
      // The closed form of the tiled fold sequence is what the array needs with operands always
      // ready: a lower bound, reached exactly when no fold waited (docs/memory.md).
      const sched::TileShape& ts = programs[k].schedule.tile;
      const std::int64_t ideal =
          vector ? analytic::vector_layer(analytic_mapping(programs[k].vector_mapping), analytic_vector_unit(e.arch),
                                          ir::gemm_dims(l), {ts.m, ts.n, ts.k})
                       .total_cycles
                 : analytic::tiled_cycles(analytic_dataflow(arr.dataflow), arr.rows, arr.cols, ir::gemm_dims(l),
                                          {ts.m, ts.n, ts.k});
      r.analytic_cycles = ideal;
      r.analytic_match = lc.stall_cycles == 0 ? ideal == lc.total_cycles : ideal <= lc.total_cycles;
    }
    if (values && e.sim.check_golden) {
      const GoldenCheck gc = golden_check(l, operands[k], arr.accumulator_dtype);
      r.mismatches = compare_outputs(l.name + ".output", gc.expected, lc.output,
                                     arr.accumulator_dtype == ir::DType::fp32 ? &gc.tolerance : nullptr, 5);
      r.golden_match = r.mismatches.empty();
    }
  }
  res.golden_seconds = std::chrono::duration<double>(clock::now() - t1).count();
  stats::annotate_run(res, e.arch);  // energy, area, roofline roofs (docs/energy.md)
  return res;
}

void write_outputs(const std::string& dir, const config::Experiment& e, const stats::RunResult& r, bool plots,
                   const stats::TraceRequest& trace) {
  std::vector<std::pair<std::string, std::string>> files{{"effective_config.yaml", config::effective_yaml(e)},
                                                          {"stats.json", stats::to_json(r)},
                                                          {"layers.csv", stats::to_csv(r)},
                                                          {"summary.txt", stats::to_text(r)}};
  if (stats::timeline_recorded(r)) files.push_back({"timeline.json", stats::to_chrome_trace(r)});
  if (trace.sram || trace.dram)
    for (auto& f : stats::trace_files(r, trace)) files.push_back(std::move(f));
  stats::write_files(dir, files);
  if (!plots) return;
  const stats::PlotOutcome drawn = stats::write_plots(dir, r);
  if (!drawn.warning.empty()) std::cerr << "arraysim: warning: " << drawn.warning << "\n";
}

}  // namespace arraysim::app
