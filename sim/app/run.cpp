#include "sim/app/run.hpp"

#include "models/golden/golden.hpp"
#include "sim/app/compare.hpp"
#include "sim/lower/im2col.hpp"

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
}  // namespace

stats::RunResult run_experiment(const config::Experiment& e, const RunOptions&) {
  stats::RunResult res;
  res.experiment = e.name;
  res.arch_name = e.arch.name;
  res.fidelity = config::to_string(e.sim.fidelity);
  res.clock_mhz = e.arch.clock_mhz;
  res.pe_count = e.arch.array.type == config::ArrayType::systolic ? e.arch.array.rows * e.arch.array.cols
                                                                  : e.arch.array.lanes;
  for (std::size_t i = 0; i < e.workload.layers.size(); ++i) {
    const ir::Layer& l = e.workload.layers[i];
    res.layers.push_back(describe_layer(l));
  }
  return res;
}

void write_outputs(const std::string& dir, const config::Experiment& e, const stats::RunResult& r) {
  stats::write_files(dir, {{"effective_config.yaml", config::effective_yaml(e)},
                           {"stats.json", stats::to_json(r)},
                           {"layers.csv", stats::to_csv(r)},
                           {"summary.txt", stats::to_text(r)}});
}

}  // namespace arraysim::app
