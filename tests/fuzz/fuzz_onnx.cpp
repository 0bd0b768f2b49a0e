/// Fuzz target: the ONNX importer (sim/io/onnx_import: graph checks, libonnx shape inference,
/// layer mapping, generated experiment). The input is a serialized ModelProto. Errors must be
/// io::ImportError (or config::ConfigError from validating the generated layers).
#include "sim/io/onnx_import.hpp"
#include "tests/fuzz/fuzz_target.hpp"

using namespace arraysim;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  onnx::ModelProto model;
  if (!model.ParseFromArray(data, static_cast<int>(size)) || !model.has_graph()) return 0;
  try {
    io::onnx_workload(std::move(model), "fuzz.onnx");
  } catch (const io::ImportError&) {
  }
  return 0;
}
