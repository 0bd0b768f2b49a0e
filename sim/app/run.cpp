#include "sim/app/run.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <numeric>
#include <optional>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>

#include "models/golden/golden.hpp"
#include "models/golden/graph_exec.hpp"
#include "sim/app/compare.hpp"
#include "sim/app/graph_run.hpp"
#include "sim/app/progress.hpp"
#include "sim/hw/accelerator.hpp"
#include "sim/io/npy.hpp"
#include "sim/plan/plan.hpp"
#include "sim/plan/resources.hpp"
#include "sim/stats/energy.hpp"
#include "sim/stats/plots.hpp"
#include "sim/stats/scalesim_report.hpp"
#include "sim/stats/timeline.hpp"
#include "sim/util/process.hpp"

namespace arraysim::app {

namespace {
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

/// A graph operator on the post-processing unit as a row of the reports (no MACs, no GEMM view).
stats::LayerResult describe_operator(const plan::VectorOpPlan& p) {
  stats::LayerResult r;
  r.name = p.op.name;
  r.type = ir::op_kind_name(p.op.kind);
  if (!p.inputs.empty()) r.input_shape = p.inputs.front().shape;
  if (p.inputs.size() > 1) r.weight_shape = p.inputs[1].shape;
  r.output_shape = p.output.shape;
  r.gemm = ir::GemmDims{0, 0, 0, 1};
  r.vector_ops = p.vector_ops;
  return r;
}

/// Rethrows a refusal "KEY: message" of the configuration (hw::check_array_impl) as a
/// config::ConfigError at the place KEY was given (`arch.array.rows/cols` at rows); a message
/// that names no key of the experiment is rethrown as it is.
[[noreturn]] void rethrow_located(const config::Experiment& e, const std::invalid_argument& err) {
  const std::string what = err.what();
  const auto colon = what.find(": ");
  const std::string key = colon == std::string::npos ? "" : what.substr(0, colon);
  const std::string lookup = key.substr(0, key.find('/'));
  if (key.empty() || key.find(' ') != std::string::npos || !e.key_locations.count(lookup)) throw err;
  throw config::ConfigError({config::ConfigIssue{e.locate(lookup), key, what.substr(colon + 2)}});
}
/// A name with every character other than letters, digits, '.', '-' and '_' replaced by '_'
/// ("_MatMul" for "/MatMul"): a graph tensor's dumped file name.
std::string file_stem(std::string name) {
  for (char& c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-' && c != '_') c = '_';
  return name;
}
/// The file name stem of a layer's dumped tensors: its workload index, zero-padded to the width
/// of the largest, then file_stem of its name ("007_conv1", "012__MatMul" for "/MatMul").
std::string tensor_file_base(const plan::LayerPlan& p, std::size_t workload_layers) {
  const std::size_t width = std::to_string(workload_layers == 0 ? 0 : workload_layers - 1).size();
  std::string index = std::to_string(p.workload_index);
  index.insert(0, width > index.size() ? width - index.size() : 0, '0');
  return index + "_" + file_stem(p.layer.name);
}
/// The tensor of `--input FILE`: the input of the workload's first layer, which must be selected and
/// simulated in values fidelity; the file's shape and element type must be that input's.
ir::Tensor network_input(const config::Experiment& e, const plan::ExperimentPlan& plan, bool values,
                         const std::string& file) {
  const auto fail = [&](const std::string& why) { throw std::runtime_error("--input " + file + ": " + why); };
  if (!values) fail("needs values fidelity; the selected layers run in timing fidelity (--set sim.fidelity=values)");
  const ir::Layer& first = e.workload.layers.front();
  if (plan.layers.empty() || plan.layers.front().workload_index != 0)
    fail("the input of the first layer ('" + first.name + "'), which --layers does not select");
  const io::NpyArray a = io::read_npy(file);
  const ir::Shape want = ir::input_shape(first);
  const ir::DType dtype = e.arch.array.input_dtype;
  const std::string got =
      ir::shape_str(a.tensor.shape()) + " " + (a.uint8 ? "uint8" : ir::dtype_name(a.tensor.dtype()));
  if (a.uint8 || a.tensor.dtype() != dtype || a.tensor.shape() != want)
    fail("holds " + got + "; layer '" + first.name + "' takes " + ir::shape_str(want) + " " + ir::dtype_name(dtype) +
         " (its input; arch.array.input_dtype)");
  return a.tensor;
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

namespace {
bool winograd_stage(ir::OpKind k) {
  return k == ir::OpKind::winograd_filter || k == ir::OpKind::winograd_input || k == ir::OpKind::winograd_output;
}
}  // namespace

/// The golden graph on the run's inputs against the simulated tensors (docs/graph.md, "Checks"):
/// every graph output, and with `all` the output of every step; a step's row gets golden_match
/// (and its mismatches) for the tensor it wrote, a batched matmul's step for its matrix of the
/// output. A GEMM's accumulator before its bias is not a tensor of the graph: the layer's own
/// golden check covers it. With `all`, a Winograd stage's tensor that is not one of the graph is
/// compared with the golden stage (golden::run_op) on the stage's simulated input.
void check_graph(const config::Experiment& e, const GraphProgram& gp, const TensorMap& sim, bool all,
                 stats::RunResult& res) {
  const ir::Graph& g = *e.graph->graph;
  golden::TensorMap inputs;
  for (const ir::TensorInfo& t : g.tensors())
    if (t.is_input) inputs[t.name] = sim.at(t.name);
  const golden::TensorMap gold = golden::run_graph(g, inputs);
  for (std::size_t k = 0; k < gp.steps.size(); ++k) {
    const GraphStep& s = gp.steps[k];
    const std::optional<plan::VectorOpPlan>& post = gp.plans[k].post;
    if (all && post && winograd_stage(post->op.kind) && !gold.count(s.output)) {
      // A Winograd stage's tensor is not one of the graph: the golden stage on the simulated input.
      const ir::Tensor want = golden::run_op(post->op, {&sim.at(s.inputs[0])}, ir::DType::fp32);
      const ir::Tensor tol = graph_tolerance(want);
      stats::LayerResult& r = res.layers[k];
      r.mismatches = compare_outputs(s.output, want, sim.at(s.output), &tol, 5);
      r.golden_match = r.mismatches.empty();
      continue;
    }
    const auto it = gold.find(s.output);
    if (it == gold.end() || (!all && !g.tensor(s.output).is_output)) continue;
    const ir::Tensor& got = sim.at(s.output);
    std::optional<ir::Tensor> tol;
    if (got.dtype() == ir::DType::fp32) tol = graph_tolerance(it->second);
    std::vector<stats::Mismatch> mm;
    if (s.batches > 0) {
      // This step's matrix of the output: [M][N], the last two dimensions.
      const ir::Shape& shape = s.output_type.shape;
      const std::int64_t rows = shape[shape.size() - 2], cols = shape.back();
      const auto mat = [&](const ir::Tensor& t) { return matrix_of(t, s.batch, rows, cols); };
      const std::optional<ir::Tensor> mtol = tol ? std::optional<ir::Tensor>(mat(*tol)) : std::nullopt;
      mm = compare_outputs(s.output + "[" + std::to_string(s.batch) + "]", mat(it->second), mat(got),
                           mtol ? &*mtol : nullptr, 5);
    } else {
      mm = compare_outputs(s.output, it->second, got, tol ? &*tol : nullptr, 5);
    }
    stats::LayerResult& r = res.layers[k];
    r.golden_match = r.golden_match.value_or(true) && mm.empty();
    r.mismatches.insert(r.mismatches.end(), mm.begin(), mm.end());
  }
}

std::vector<std::int64_t> confirm_mappings(const config::ArchConfig& arch,
                                           const std::vector<plan::ConfirmRequest>& requests, std::int64_t max_cycles) {
  // One child process, one SystemC elaboration (this process elaborates only the real run): each
  // request runs as a layer of its own, in timing fidelity.
  const std::string text = util::run_forked([&] {
    std::vector<plan::LayerPlan> plans;
    plans.reserve(requests.size());
    for (const plan::ConfirmRequest& r : requests)
      plans.push_back(plan::plan_systolic_layer(arch, *r.layer, r.mapping));
    std::vector<hw::LayerProgram> programs;
    for (const plan::LayerPlan& p : plans) programs.push_back({&p, nullptr});
    hw::SimulateOptions so;
    so.fidelity = config::Fidelity::timing;
    so.max_cycles = max_cycles;
    std::string out;
    for (const hw::LayerCounters& c : hw::simulate(arch, programs, so)) out += std::to_string(c.total_cycles) + "\n";
    return out;
  });
  std::vector<std::int64_t> cycles;
  std::istringstream in(text);
  for (std::int64_t c; in >> c;) cycles.push_back(c);
  if (cycles.size() != requests.size())
    throw std::runtime_error("internal: the mapper's confirmation run returned no cycles");
  return cycles;
}

stats::RunResult run_experiment(const config::Experiment& e, const RunOptions& opt) {
  // Plan every selected layer (plain data) before elaborating anything.
  const config::ArrayConfig& arr = e.arch.array;
  plan::PlanOptions po;
  po.layers = opt.layers;
  po.rtl = opt.cosim || arr.impl == config::ArrayImpl::rtl;
  po.confirm = [&e](const std::vector<plan::ConfirmRequest>& r) {
    return confirm_mappings(e.arch, r, e.sim.max_cycles);
  };
  hw::SimulateOptions so;
  so.vcd_path = opt.vcd_path;
  so.max_cycles = e.sim.max_cycles;
  so.fault_pe_row = e.sim.fault_pe_row;
  so.fault_pe_col = e.sim.fault_pe_col;
  so.cosim = opt.cosim;
  so.rtl_fault = opt.rtl_fault;
  so.record_timeline = !opt.timeline_path.empty() || !opt.out_dir.empty();
  so.trace_sram = opt.trace.sram;
  so.trace_dram = opt.trace.dram;
  // arch.array.impl: rtl and cosim: refuse what this build cannot run before doing any work, and
  // again once the plan has resolved `fidelity: auto` for the selected layers.
  const auto check_impl = [&] {
    try {
      hw::check_array_impl(e.arch, so);
    } catch (const std::invalid_argument& err) {
      rethrow_located(e, err);
    }
  };
  so.fidelity = e.sim.fidelity;
  check_impl();
  plan::ExperimentPlan plan = plan::make_plan(e, po);
  std::optional<GraphProgram> graph;
  if (e.graph) {
    if (!opt.layers.empty())
      throw std::runtime_error("--layers selects layers of a layer list; --graph runs every operator");
    graph = plan_graph(e, plan.layers);
    plan.layers = graph->plans;
  } else if (opt.check_all) {
    throw std::runtime_error("--check-all needs a whole graph (--model FILE.onnx --graph)");
  }
  if (!e.graph && e.arch.transform != config::Transform::none)
    throw std::runtime_error("arch.lowering: winograd_f" + std::to_string(config::winograd_m(e.arch.transform)) +
                             " lowers the convolutions of a whole-graph run (--model FILE.onnx --graph); a layer "
                             "list runs im2col (arch.lowering: implicit or explicit)");
  so.fidelity = plan.fidelity;
  check_impl();
  plan::check_resources(e, plan, so.trace_sram, so.trace_dram);
  const bool values = plan.fidelity == config::Fidelity::values;
  std::optional<ir::Tensor> given_input;
  if (!opt.input_npy.empty() && graph) {
    if (!values)
      throw std::runtime_error("--input " + opt.input_npy + ": needs values fidelity (--set sim.fidelity=values)");
    const io::NpyArray a = io::read_npy(opt.input_npy);
    if (a.uint8) throw std::runtime_error("--input " + opt.input_npy + ": uint8 arrays are not graph inputs");
    given_input = a.tensor;
  } else if (!opt.input_npy.empty()) {
    given_input = network_input(e, plan, values, opt.input_npy);
  }
  if (!opt.dump_tensors_dir.empty() && !values)
    throw std::runtime_error("--dump-tensors needs values fidelity; the selected layers run in timing fidelity (" +
                             std::string(e.sim.fidelity == config::Fidelity::timing
                                             ? "sim.fidelity: timing"
                                             : "sim.fidelity: auto chose timing") +
                             "; --set sim.fidelity=values)");

  stats::RunResult res;
  res.experiment = e.name;
  res.arch_name = e.arch.name;
  res.fidelity = config::to_string(plan.fidelity);
  res.fidelity_setting = plan.fidelity_auto ? "auto" : res.fidelity;
  res.layer_selection = opt.layers_spec;
  res.workload_layers = static_cast<std::int64_t>(e.workload.layers.size());
  res.clock_mhz = e.arch.clock_mhz;
  res.input_dtype = arr.input_dtype;
  res.weight_dtype = arr.weight_dtype;
  res.accumulator_dtype = arr.accumulator_dtype;
  res.pe_count = config::pe_count(arr);
  res.post_processor_lanes = e.arch.post_processor.lanes;

  // Operands (values fidelity: seeded by the layer's index in the workload) and the programs.
  std::vector<ir::LayerOperands> operands;
  operands.reserve(plan.layers.size());  // programs point into it
  std::vector<std::vector<ir::Tensor>> post_inputs(plan.layers.size());
  std::vector<hw::LayerProgram> programs;
  std::vector<Progress::Item> progress_items;
  for (const plan::LayerPlan& p : plan.layers) {
    res.layers.push_back(p.post ? describe_operator(*p.post) : describe_layer(p.layer));
    if (opt.dump_schedule && !p.post) std::cout << plan::to_string(p);
    if (opt.progress) progress_items.push_back({p.layer.name, p.host_work});
    hw::LayerProgram prog;
    prog.plan = &p;
    if (values && graph) {
      // Filled at the layer boundary from the tensors computed before (prepare_layer below).
      operands.emplace_back();
      prog.operands = &operands.back();
      if (p.post) prog.inputs = &post_inputs[programs.size()];
    } else if (values) {
      operands.push_back(
          ir::make_operands(p.layer, p.workload_index, e.workload.seed, arr.input_dtype, arr.weight_dtype));
      if (given_input && p.workload_index == 0) operands.back().input = *given_input;
      prog.operands = &operands.back();
    }
    programs.push_back(prog);
  }

  // A graph passes tensors on: before each step, the output of the one before joins the tensors
  // computed so far and the step's operands are taken from them.
  TensorMap tensors, partial;  // partial: a batched matmul's output until its last step ends
  if (graph && values) {
    const ir::Graph& g = *e.graph->graph;
    tensors = graph_inputs(g, e.workload.seed, given_input ? &*given_input : nullptr);
    for (const ir::TensorInfo& t : g.tensors())
      if (t.value) tensors[t.name] = *t.value;
    add_folded_tensors(*graph, tensors);
    so.prepare_layer = [&](std::size_t k, std::vector<hw::LayerCounters>& counters) {
      if (k > 0) take_output(graph->steps[k - 1], counters[k - 1].output, tensors, partial);
      const GraphStep& s = graph->steps[k];
      const plan::LayerPlan& p = plan.layers[k];
      if (s.gemm) {
        operands[k] = gemm_operands(s, p.layer, tensors);
        return;
      }
      post_inputs[k].clear();
      for (std::size_t j = 0; j < s.inputs.size(); ++j)
        post_inputs[k].push_back(reshaped(tensors.at(s.inputs[j]), p.post->inputs[j].shape));
    };
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
  if (graph && values && !graph->steps.empty())
    take_output(graph->steps.back(), counters.back().output, tensors, partial);

  // Checks: cycles against the closed form, outputs against the golden model.
  const bool ideal_dram = e.arch.dram.model == config::DramModel::ideal;
  for (std::size_t k = 0; k < plan.layers.size(); ++k) {
    const plan::LayerPlan& p = plan.layers[k];
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
      r.pe_utilization =
          static_cast<double>(r.macs) / (static_cast<double>(res.pe_count) * static_cast<double>(lc.total_cycles));
    r.array_read_words = lc.array_read_words;
    r.array_write_words = lc.array_write_words;
    r.sram_access_cycles = lc.sram_access_cycles;
    r.dram_access_cycles = lc.dram_access_cycles;
    if (lc.compute_cycles > 0)
      r.compute_utilization =
          static_cast<double>(r.macs) / (static_cast<double>(res.pe_count) * static_cast<double>(lc.compute_cycles));
    if (!p.vector && !p.post && p.schedule.fold_count > 0) {
      // SCALE-Sim's mapping efficiency: the unweighted mean over folds of the PEs each one uses.
      double used = 0;
      for (std::int64_t f = 0; f < p.schedule.fold_count; ++f) {
        const plan::Fold fo = p.schedule.fold(f);
        used += static_cast<double>(fo.rows_used * fo.cols_used) / static_cast<double>(res.pe_count);
      }
      r.mapping_efficiency = used / static_cast<double>(p.schedule.fold_count);
    }
    if (p.mapping_choice) {
      r.mapping = plan::to_string(p.schedule.mapping);
      r.mapper = p.mapping_choice->searched ? "search" : "fixed";
      r.mappings_considered = p.mapping_choice->considered;
      r.scalesim_v2_cycles = p.scalesim_v2_cycles;
    }
    if (p.post) {
      r.analytic_cycles = p.analytic_cycles;
    }
    if (p.vector) {
      r.vector_mapping = config::to_string(p.vector_mapping);
      r.vector_mapping_auto = arr.mapping_auto;
      r.vector_steps = lc.vector_steps;
      r.stall_cycles_read_bandwidth = lc.stall_read_bandwidth_cycles;
      r.relayout_words = lc.relayout_words;
    }
    if (e.sim.check_analytic) {
      // The closed form is what the array needs with ideal memory and conflict-free banks: equal
      // when no fold waited, equal once the array's bank-conflict stalls are added with ideal DRAM
      // (the only stall there), a lower bound otherwise (docs/memory.md, docs/mapping.md).
      r.analytic_cycles = p.analytic_cycles;
      r.analytic_match = lc.stall_cycles == 0 ? p.analytic_cycles == lc.total_cycles
                         : ideal_dram ? p.analytic_cycles + lc.memory.stall_cycles.bank_conflict == lc.total_cycles
                                      : p.analytic_cycles <= lc.total_cycles;
    }
    if (values && e.sim.check_golden && !p.post) {
      const GoldenCheck gc = golden_check(p.layer, operands[k], arr.accumulator_dtype);
      r.mismatches = compare_outputs(p.layer.name + ".output", gc.expected, lc.output,
                                     arr.accumulator_dtype == ir::DType::fp32 ? &gc.tolerance : nullptr, 5);
      r.golden_match = r.mismatches.empty();
    }
  }
  if (graph && values && e.sim.check_golden) check_graph(e, *graph, tensors, opt.check_all, res);
  res.golden_seconds = std::chrono::duration<double>(clock::now() - t1).count();
  if (!opt.dump_tensors_dir.empty()) {
    const auto wanted = [&](const char* kind) {
      return opt.dump_only.empty() ||
             std::find(opt.dump_only.begin(), opt.dump_only.end(), kind) != opt.dump_only.end();
    };
    std::vector<std::pair<std::string, const ir::Tensor*>> files;
    if (graph) {
      // Every tensor of the graph by its name: inputs, weights (constants), intermediates, outputs.
      for (const ir::TensorInfo& t : e.graph->graph->tensors()) {
        const char* kind = t.is_input ? "input" : t.value ? "weight" : t.is_output ? "output" : nullptr;
        const auto it = tensors.find(t.name);
        if (it == tensors.end() || (kind ? !wanted(kind) : !opt.dump_only.empty())) continue;
        files.emplace_back(file_stem(t.name) + ".npy", &it->second);
      }
    } else {
      for (std::size_t k = 0; k < plan.layers.size(); ++k) {
        const std::string base = tensor_file_base(plan.layers[k], e.workload.layers.size());
        const std::pair<const char*, const ir::Tensor*> kinds[] = {
            {"input", &operands[k].input}, {"weight", &operands[k].weight}, {"output", &counters[k].output}};
        for (const auto& [kind, t] : kinds)
          if (wanted(kind)) files.emplace_back(base + "." + kind + ".npy", t);
      }
    }
    std::filesystem::create_directories(opt.dump_tensors_dir);
    for (const auto& [file, t] : files) io::write_npy(opt.dump_tensors_dir + "/" + file, *t);
    res.dumped_tensors = static_cast<std::int64_t>(files.size());
  }
  stats::annotate_run(res, e.arch);  // energy, area, roofline roofs (docs/energy.md)
  return res;
}

std::vector<std::string> write_outputs(const std::string& dir, const config::Experiment& e, const stats::RunResult& r,
                                       bool plots, const stats::TraceRequest& trace,
                                       const stats::PlotOptions& plot_options) {
  std::vector<std::pair<std::string, std::string>> files{{"effective_config.yaml", config::effective_yaml(e)},
                                                         {"stats.json", stats::to_json(r)},
                                                         {"layers.csv", stats::to_csv(r)},
                                                         {"summary.txt", stats::to_text(r)}};
  for (auto& f : stats::scalesim_reports(r)) files.push_back(std::move(f));
  if (stats::timeline_recorded(r)) files.push_back({"timeline.json", stats::to_chrome_trace(r)});
  std::vector<std::string> written;
  for (const auto& f : files) written.push_back(f.first);
  if (trace.sram || trace.dram) {
    for (auto& f : stats::trace_files(r, trace)) files.push_back(std::move(f));
    written.push_back("traces/");
  }
  stats::write_files(dir, files);
  if (!plots) return written;
  const stats::PlotOutcome drawn = stats::write_plots(dir, r, plot_options);
  if (!drawn.warning.empty()) std::cerr << "arraysim: warning: " << drawn.warning << "\n";
  written.insert(written.end(), drawn.written.begin(), drawn.written.end());
  return written;
}

std::string wrote_line(const std::string& dir, const std::vector<std::string>& names) {
  std::string list;
  for (const std::string& n : names) list += (list.empty() ? "" : ",") + n;
  return "wrote " + dir + "/{" + list + "}\n";
}

}  // namespace arraysim::app
