#include "sim/app/map_cli.hpp"

#include <iostream>

#include "sim/app/run.hpp"
#include "sim/config/layer_select.hpp"
#include "sim/plan/plan.hpp"

namespace arraysim::app {

void add_map_command(CLI::App& app, MapCommand& c) {
  c.command = app.add_subcommand("map",
                                 "Print the mapper's best mappings of each layer (tile, loop order, buffer halves) "
                                 "with predicted cycles, DRAM bytes and energy, without running the experiment");
  c.command->add_option("experiment", c.file, "Experiment YAML file ('builtin': the built-in demo)")->required();
  c.command->add_option("--set", c.sets, "Override a configuration value: key.path=value (repeatable)")->take_all();
  c.command->add_option("--layers", c.layers_spec, "Only these layers: names or indices, e.g. 'conv1,3,5-7'");
  c.command->add_option("--top", c.top, "Candidates printed per layer (default 5)")->check(CLI::Range(1, 1000));
}

int run_map_command(const MapCommand& c, const config::Experiment& e) {
  plan::PlanOptions po;
  if (c.command->count("--layers")) po.layers = config::select_layers(e.workload, c.layers_spec);
  po.top = c.top;
  po.confirm = [&e](const std::vector<plan::ConfirmRequest>& r) {
    return confirm_mappings(e.arch, r, e.sim.max_cycles);
  };
  const plan::ExperimentPlan plan = plan::make_plan(e, po);
  for (const plan::LayerPlan& p : plan.layers) {
    if (!p.mapping_choice) {
      std::cout << "layer " << p.layer.name << ": runs on the vector unit (docs/vector.md), mapping "
                << config::to_string(p.vector_mapping) << "\n";
      continue;
    }
    std::cout << plan::map_text(p.layer.name, p.dims, *p.mapping_choice, c.top);
  }
  return 0;
}

}  // namespace arraysim::app
