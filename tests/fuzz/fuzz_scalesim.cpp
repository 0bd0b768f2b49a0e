/// Fuzz target: the SCALE-Sim importer (sim/io: .cfg reader, topology CSV reader, generated
/// experiment). The first byte picks what the rest is: bit 0 clear, a .cfg (with a fixed
/// convolution topology); set, a topology CSV (with a fixed .cfg), a GEMM one when bit 1 is set.
/// Errors must be config::ConfigError; an accepted import must load as an experiment.
#include "sim/io/scalesim_import.hpp"
#include "tests/fuzz/fuzz_target.hpp"

using namespace arraysim;

namespace {
const char* const kCfg =
    "[general]\nrun_name = fuzz\n\n[architecture_presets]\nArrayHeight: 8\nArrayWidth: 8\nIfmapSramSzkB: 16\n"
    "FilterSramSzkB: 16\nOfmapSramSzkB: 16\nIfmapOffset: 0\nFilterOffset: 10000000\nOfmapOffset: 20000000\n"
    "Dataflow: os\nBandwidth: 2\nMemoryBanks: 1\n\n[run_presets]\nInterfaceBandwidth: USER\n";
const char* const kTopology =
    "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\n"
    "Conv1, 8, 8, 3, 3, 2, 4, 1,\n";
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const bool topology = (data[0] & 1) != 0, gemm = (data[0] & 2) != 0;
  const std::string text = fuzz::text_of(data + 1, size - 1);
  try {
    const io::GeneratedExperiment g = topology ? io::import_scalesim_text(kCfg, "fuzz.cfg", text, "fuzz.csv", gemm)
                                               : io::import_scalesim_text(text, "fuzz.cfg", kTopology, "t.csv", false);
    io::load_generated(g);
  } catch (const config::ConfigError&) {
  }
  return 0;
}
