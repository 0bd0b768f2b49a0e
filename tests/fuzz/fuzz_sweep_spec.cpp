/// Fuzz target: sweep specs (sim/sweep: the spec reader, axes, ranges, zip groups, the constraint
/// expression parser and evaluator, metrics and Pareto objectives). The input is a spec's text,
/// read as if it were tests/fuzz/spec.yaml (so `base: ../../configs/experiments/quickstart.yaml`
/// names a real experiment). Errors must be config::ConfigError.
#include "sim/sweep/sweep_spec.hpp"
#include "tests/fuzz/fuzz_target.hpp"

using namespace arraysim;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = std::string(ARRAYSIM_SOURCE_DIR) + "/tests/fuzz/spec.yaml";
  try {
    const sweep::SweepSpec spec = sweep::load_sweep_spec_text(fuzz::text_of(data, size), path);
    // Enumerating is bounded by kMaxSweepCombinations; keep fuzz inputs fast.
    double combinations = 1;
    for (const auto& g : spec.groups) combinations *= static_cast<double>(spec.axes[g.front()].values.size());
    if (combinations <= 10000)
      for (const sweep::SweepPoint& p : sweep::enumerate_points(spec)) sweep::point_overrides(spec, p);
  } catch (const config::ConfigError&) {
  }
  return 0;
}
