/// Fuzz target: reading stats.json back (sim/stats: run_from_json against the declaration of the
/// fields) and what `arraysim report` does with what it read (the summary tables, stats.json and
/// layers.csv again). Errors must be std::runtime_error from run_from_json; whatever it accepts
/// must be written and read back to the same stats.json.
#include "sim/stats/report.hpp"
#include "sim/stats/stats_json.hpp"
#include "tests/fuzz/fuzz_target.hpp"

using namespace arraysim;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  stats::RunResult r;
  try {
    r = stats::run_from_json(fuzz::text_of(data, size));
  } catch (const std::runtime_error&) {
    return 0;
  }
  stats::to_text(r);
  stats::to_csv(r);
  const std::string json = stats::to_json(r);
  try {
    fuzz::fuzz_require(stats::to_json(stats::run_from_json(json)) == json, "stats.json changes when read back");
  } catch (const std::runtime_error& e) {
    std::fprintf(stderr, "%s\n", e.what());
    fuzz::fuzz_require(false, "a stats.json written from an accepted one does not read back");
  }
  return 0;
}
