#pragma once
/// The accelerator architecture, as plain structs after validation (no optionals).
#include <yaml-cpp/yaml.h>

#include <array>
#include <cstdint>
#include <optional>
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

/// A loop order over tiles, outermost first: a permutation of m, n, k.
using LoopOrder = std::array<GemmLoop, 3>;
/// "mnk" → {m, n, k}; empty unless the text is a permutation of the three letters.
std::optional<LoopOrder> parse_loop_order(const std::string& text);

/// arch.mapping.mapper: `search` chooses what is not given (docs/mapping.md); `fixed` takes the
/// given tile (default: the whole layer), loop order (default m n k) and buffering.
enum class Mapper { search, fixed };
/// arch.mapping.objective: what the mapper minimises.
enum class MappingObjective { cycles, energy, edp, dram_bytes };
std::string to_string(Mapper m);
std::string to_string(MappingObjective o);

/// A mapping as configured (arch.mapping, and a layer's own `mapping` over it): every field
/// optional; what is not given the mapper chooses (search) or takes from its defaults (fixed).
struct MappingConfig {
  std::optional<Mapper> mapper;
  std::optional<MappingObjective> objective;
  std::optional<std::int64_t> tile_m, tile_n, tile_k;  ///< tile extents in elements of the GEMM view
  std::optional<LoopOrder> loop_order;
  std::array<std::optional<bool>, 3> double_buffer;  ///< ifmap, weight, output: use two halves
  std::optional<std::int64_t> confirm;               ///< candidates confirmed with the cycle model (non-ideal DRAM)
  std::string path;                                  ///< "arch.mapping" or "workload.layers.3.mapping", for messages
  Location location;       ///< where the mapping was given (or its parent), for errors found later
  Location tile_location;  ///< where the tile was given
  /// `over` with every field this mapping gives replacing it (a layer's mapping over the arch's).
  MappingConfig over(const MappingConfig& base) const;
  bool empty() const;
};

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

/// Bytes the array reads from ("ifmap", "weight") or writes to ("output") that scratchpad in one
/// cycle: one value per PE row or column of the edge it feeds (docs/memory.md).
std::int64_t edge_bytes(const ArrayConfig& c, const char* buffer);

/// The most words of `word_bytes` bytes a contiguous vector of `bytes` bytes touches when it
/// starts at a multiple of `elem_bytes` (powers of two): ⌈bytes / word⌉ when elements are at
/// least a word, else it may start `word − elem` bytes into a word and touch one more.
/// Example: 128 bytes of int8 in 16-byte words: 9 (8 when aligned).
std::int64_t vector_words_max(std::int64_t bytes, std::int64_t elem_bytes, std::int64_t word_bytes);

/// A scratchpad's default banks: the fewest (a power of two, at most 4096) whose `read_ports`
/// serve an edge vector of `edge_bytes` that starts at any element in one cycle (1 for no edge).
std::int64_t default_banks(std::int64_t edge_bytes, std::int64_t elem_bytes, std::int64_t word_bytes,
                           std::int64_t read_ports);

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
                                 ///< config never: the default is the fewest that serve any array
                                 ///< edge vector in one cycle, docs/config.md)
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
/// A transform that replaces im2col for the convolutions it serves (arch.lowering: winograd_f2,
/// winograd_f4; docs/transforms.md). Whole-graph runs only; the convolutions it cannot serve run
/// as implicit im2col.
enum class Transform { none, winograd_f2, winograd_f4 };
/// The output tile side m of a Winograd transform (2 or 4); 0 for none.
int winograd_m(Transform t);

/// The post-processing unit that runs a graph's non-GEMM operators (docs/graph.md, "Execution"):
/// `lanes` elements per step; each instruction class has a latency in cycles (one instruction of
/// a step issues per cycle, fully pipelined). Defaults: 16 lanes, every latency 1.
struct PostProcessorConfig {
  std::int64_t lanes = 16;
  /// Element-wise operators right after a GEMM (its bias, an activation, a requantization) run on
  /// the array's output while it is still on chip: no DRAM round trip between them (docs/graph.md).
  bool fuse = false;
  /// A batch_norm whose input is an fp32 conv's output read by nothing else is folded into the
  /// conv: weights scaled per output channel, its shift added as the conv's bias (docs/graph.md).
  bool fold_batch_norm = true;
  /// Latency in cycles per instruction class, in the order of kPostOpClasses.
  std::array<std::int64_t, 6> latency_cycles{1, 1, 1, 1, 1, 1};
};
/// The instruction classes of the post-processing unit, as spelled in
/// arch.post_processor.latency_cycles: alu (add, subtract, compare, max, min, move), mul, div,
/// exp, sqrt, gelu.
inline constexpr std::array<const char*, 6> kPostOpClasses{"alu", "mul", "div", "exp", "sqrt", "gelu"};

struct ArchConfig {
  std::string name;
  double clock_mhz = 1000;  ///< core clock in MHz
  ArrayConfig array;
  ScratchpadConfig ifmap, weight, output;
  DramConfig dram;
  Lowering lowering = Lowering::implicit;
  Transform transform = Transform::none;  ///< with lowering implicit for the convolutions it does not serve
  EnergyConfig energy;                    ///< per-action energy and area table (docs/energy.md)
  MappingConfig mapping;                  ///< how layers map onto the systolic array (docs/mapping.md)
  PostProcessorConfig post_processor;     ///< runs a graph's non-GEMM operators (docs/graph.md)
};

/// Parses a mapping (arch.mapping or a layer's `mapping`); problems go to the reader's context.
MappingConfig parse_mapping(MapReader r);
/// The mapping's given fields, for effective_config.yaml.
void emit_mapping(YAML::Emitter& out, const MappingConfig& m);

/// The energy table resolved for an architecture (docs/energy.md): the cost of each counted action.
struct EnergyPerAction {
  ir::DType mac_dtype = ir::DType::int8;                                    ///< the wider of the operand types
  double mac_pj = 0;                                                        ///< pJ per multiply-accumulate
  std::array<double, 3> sram_read_pj_per_byte{}, sram_write_pj_per_byte{};  ///< ifmap, weight, output at their sizes
  double dram_read_pj_per_byte = 0, dram_write_pj_per_byte = 0;
  double static_pj_per_cycle = 0;  ///< leakage of the PEs and the scratchpads per core cycle
};
EnergyPerAction energy_per_action(const ArchConfig& a);

/// Parses and validates an architecture mapping; problems go to the reader's context.
ArchConfig parse_arch(MapReader& r);
/// The architecture with every default filled in, for effective_config.yaml.
void emit_arch(YAML::Emitter& out, const ArchConfig& a);

}  // namespace arraysim::config
