/// Fuzz target: the experiment loader (sim/config) with --set overrides. The input is YAML text;
/// its lines that start with `#set ` (comments to YAML) are also passed as overrides, so one input
/// exercises both. An accepted experiment's effective configuration must load again to the same
/// effective configuration (what `arraysim run --out` writes is itself a valid experiment).
#include <sstream>
#include <vector>

#include "sim/config/experiment.hpp"
#include "tests/fuzz/fuzz_target.hpp"

using namespace arraysim;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text = fuzz::text_of(data, size);
  std::vector<std::string> overrides;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line) && overrides.size() < 16;)
    if (line.rfind("#set ", 0) == 0) overrides.push_back(line.substr(5));
  // Relative `arch:` / `workload:` paths resolve in the source tree's configs/experiments.
  const std::string base = std::string(ARRAYSIM_SOURCE_DIR) + "/configs/experiments";
  config::Experiment e;
  try {
    e = config::load_experiment_text(text, "fuzz.yaml", base, overrides);
  } catch (const config::ConfigError&) {
    return 0;
  }
  const std::string effective = config::effective_yaml(e);
  try {
    const config::Experiment again = config::load_experiment_text(effective, "effective.yaml", base);
    fuzz::fuzz_require(config::effective_yaml(again) == effective, "the effective configuration changes on reload");
  } catch (const config::ConfigError& err) {
    std::fprintf(stderr, "%s\n--- effective configuration:\n%s", err.what(), effective.c_str());
    fuzz::fuzz_require(false, "the effective configuration of an accepted experiment does not load");
  }
  return 0;
}
