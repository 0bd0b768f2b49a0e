#pragma once
/// The accelerator architecture, as plain structs after validation (no optionals).
#include <yaml-cpp/yaml.h>

#include <array>
#include <cstdint>
#include <string>

#include "models/ir/dtype.hpp"
#include "sim/config/diagnostics.hpp"
#include "sim/config/dram_config.hpp"
#include "sim/config/energy_config.hpp"
#include "sim/config/yaml_reader.hpp"

namespace arraysim::config {

enum class ArrayType { systolic, vector };
/// os: output stationary, ws: weight stationary, is: input stationary.
enum class Dataflow { os, ws, is };
/// Which PE-array implementation runs the array: the SystemC model or the Verilated RTL.
enum class ArrayImpl { systemc, rtl };

/// A loop of the GEMM view C[m][n] += A[m][k]·B[k][n]: output pixel (m), output channel (n),
/// reduction (k). The vector unit runs one of them across its lanes (docs/vector.md).
enum class GemmLoop { m, n, k };

/// A vector-unit mapping as data (docs/vector.md): the loop split across the lanes (its outer
/// part, ⌈extent/L⌉ iterations, stays in `order`), the order of the three outer loops (outermost
/// first; a permutation of m, n, k), and whether loop-invariant operands are held in registers.
struct VectorMapping {
  GemmLoop parallel = GemmLoop::n;
  std::array<GemmLoop, 3> order{GemmLoop::m, GemmLoop::n, GemmLoop::k};
  bool hoist = true;
  bool operator==(const VectorMapping& o) const {
    return parallel == o.parallel && order == o.order && hoist == o.hoist;
  }
};

std::string to_string(ArrayType t);
/// "m", "n", "k".
std::string to_string(GemmLoop l);
/// "parallel n, order m n k, hoist" (or "no hoist"): the spelling of summaries and stats.json.
std::string to_string(const VectorMapping& m);
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
  /// Vector register file in words (one word holds one operand or accumulator value; vector);
  /// hoisted operands and lane accumulators must fit (docs/vector.md). Default 3·lanes.
  std::int64_t register_entries = 0;
  /// Cycles from a step's L products entering the cross-lane adder tree to its sum being added
  /// into the accumulator (vector, parallel: k; pipelined, one step per cycle). Default ⌈log2 L⌉.
  std::int64_t reduction_latency_cycles = 0;
  /// Vector: true for `mapping: auto` (the fewest analytic cycles; `mapping` then holds the
  /// choice once run_experiment made it), false for an explicit mapping.
  bool mapping_auto = true;
  VectorMapping mapping;
};
/// Multiply-accumulate units of the array: rows·cols PEs (systolic) or lanes (vector).
std::int64_t pe_count(const ArrayConfig& a);

/// How a scratchpad word address selects its bank: interleave: bank = (w / interleave_words)
/// mod banks (low-order interleave; interleave_words 1 by default); block: each bank holds one
/// contiguous 1/banks of the capacity (high-order bits).
enum class BankMapping { interleave, block };
std::string to_string(BankMapping m);

/// One operand's on-chip scratchpad: banks of word_bytes words, each with read ports (the array)
/// and write ports (the DMA), and an address-to-bank mapping (sim/hw/banked_scratchpad.hpp).
struct ScratchpadConfig {
  double size_kib = 64;          ///< capacity in KiB (1024 bytes), both halves when double-buffered
  std::int64_t banks = 0;        ///< independently addressed banks, a power of two (0 in a parsed
                                 ///< config never: the default is the fewest that feed the array edge)
  std::int64_t word_bytes = 16;  ///< bytes per bank access, a power of two
  std::int64_t read_ports = 1;   ///< array reads per bank per cycle
  std::int64_t write_ports = 1;  ///< DMA writes per bank per cycle
  bool double_buffered = true;   ///< ping-pong halves: load the next tile while computing on this one
  BankMapping bank_mapping = BankMapping::interleave;
  std::int64_t interleave_words = 1;  ///< interleave: consecutive words per bank before the next, a power of two
  std::string path;                   ///< "arch.scratchpad.ifmap" etc., for messages
  Location size_location;             ///< where size_kib was given (or the scratchpad's mapping), for messages

  std::int64_t capacity_bytes() const { return static_cast<std::int64_t>(size_kib * 1024); }
  /// Bytes one tile may occupy: the whole capacity, or half of it when double-buffered.
  std::int64_t tile_budget_bytes() const { return double_buffered ? capacity_bytes() / 2 : capacity_bytes(); }
  /// Bytes the banks deliver to the array per cycle: banks × read_ports × word_bytes.
  std::int64_t read_bytes_per_cycle() const { return banks * read_ports * word_bytes; }
  /// Bytes the DMA can write per cycle: banks × write_ports × word_bytes.
  std::int64_t write_bytes_per_cycle() const { return banks * write_ports * word_bytes; }
};

/// How convolutions reach the array as GEMMs (docs/memory.md).
/// implicit: the DMA generates im2col addresses into the input in DRAM (no duplication);
/// explicit: the Toeplitz matrix is first written to DRAM and tiles are read from it.
enum class Lowering { implicit, explicit_ };
std::string to_string(Lowering l);

struct ArchConfig {
  std::string name;
  double clock_mhz = 1000;  ///< core clock in MHz
  ArrayConfig array;
  ScratchpadConfig ifmap, weight, output;
  DramConfig dram;
  Lowering lowering = Lowering::implicit;
  EnergyConfig energy;  ///< per-action energy and area table (docs/energy.md)
};

/// Parses and validates an architecture mapping; problems go to the reader's context.
ArchConfig parse_arch(MapReader& r);
/// The architecture with every default filled in, for effective_config.yaml.
void emit_arch(YAML::Emitter& out, const ArchConfig& a);

}  // namespace arraysim::config
