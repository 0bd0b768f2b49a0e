#pragma once
/// The accelerator architecture, as plain structs after validation (no optionals).
#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <string>

#include "models/ir/dtype.hpp"
#include "sim/config/yaml_reader.hpp"

namespace arraysim::config {

enum class ArrayType { systolic, vector };
/// os: output stationary, ws: weight stationary, is: input stationary.
enum class Dataflow { os, ws, is };
/// Which PE-array implementation runs the array: the SystemC model or the Verilated RTL.
enum class ArrayImpl { systemc, rtl };

std::string to_string(ArrayType t);
std::string to_string(Dataflow d);
std::string to_string(ArrayImpl i);

/// The compute array: a rows×cols systolic array or an L-lane vector unit.
struct ArrayConfig {
  ArrayType type = ArrayType::systolic;
  std::int64_t rows = 0;   ///< PE rows (systolic)
  std::int64_t cols = 0;   ///< PE columns (systolic)
  std::int64_t lanes = 0;  ///< MAC lanes (vector)
  Dataflow dataflow = Dataflow::os;
  ArrayImpl impl = ArrayImpl::systemc;
  ir::DType input_dtype = ir::DType::int8;
  ir::DType weight_dtype = ir::DType::int8;
  ir::DType accumulator_dtype = ir::DType::int32;
};

/// One operand's on-chip scratchpad.
struct ScratchpadConfig {
  double size_kib = 64;          ///< capacity in KiB (1024 bytes)
  std::int64_t banks = 1;        ///< independently addressed banks
  std::int64_t word_bytes = 16;  ///< bytes per bank access
  bool double_buffered = true;   ///< ping-pong halves: load the next tile while computing on this one
};

/// Off-chip memory.
struct DramConfig {
  std::string model = "simple";      ///< ideal | simple
  double bytes_per_cycle = 16;       ///< peak bandwidth in bytes per core cycle
  std::int64_t latency_cycles = 100; ///< request-to-first-data latency in core cycles
};

struct ArchConfig {
  std::string name;
  double clock_mhz = 1000;  ///< core clock in MHz
  ArrayConfig array;
  ScratchpadConfig ifmap, weight, output;
  DramConfig dram;
};

/// Parses and validates an architecture mapping; problems go to the reader's context.
ArchConfig parse_arch(MapReader& r);
/// The architecture with every default filled in, for effective_config.yaml.
void emit_arch(YAML::Emitter& out, const ArchConfig& a);

}  // namespace arraysim::config
