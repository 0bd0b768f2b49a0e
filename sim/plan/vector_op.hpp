#pragma once
/// The plan of a non-GEMM graph operator on the post-processing unit (docs/graph.md,
/// "Execution"): its instructions per element, how its tensors are cut into chunks that fit the
/// scratchpad halves, and the closed form of its cycles with ideal memory. Plain data, no SystemC.
#include <cstdint>
#include <string>
#include <vector>

#include "models/ir/graph.hpp"
#include "sim/config/arch_config.hpp"

namespace arraysim::plan {

/// Index of an instruction class in config::kPostOpClasses.
enum class PostOp { alu = 0, mul = 1, div = 2, exp = 3, sqrt = 4, gelu = 5 };

/// The instructions one operator executes. The operator's work is `units` granules that a chunk
/// never splits (an element for element-wise operators, a row for softmax and layer norm, an
/// output row of one plane for max and average pools, a plane for global pools); each unit has `elements_per_unit`
/// elements that the lanes step over.
struct VectorOpCost {
  std::int64_t units = 0;
  std::int64_t elements_per_unit = 1;
  /// Vector instructions over every element of a unit, in program order.
  std::vector<PostOp> per_element;
  /// Reductions across the lanes per unit: each is an add tree of ⌈log2 lanes⌉ alu levels.
  std::int64_t lane_reductions = 0;
  /// Scalar instructions per unit after its element instructions, in order (layer norm's mean,
  /// variance and reciprocal square root).
  std::vector<PostOp> per_unit;
  /// Scalar instructions once per operator before the first chunk, `setup_count` times each
  /// (batch norm's per-channel scale and shift).
  std::vector<PostOp> setup;
  std::int64_t setup_count = 0;
};

/// The instructions of `op` (a kind the post-processing unit runs: every kind but conv2d, gemm
/// and matmul) on inputs of `inputs` types producing `output`. Layout-only kinds (reshape,
/// flatten, squeeze, unsqueeze) have no units.
VectorOpCost vector_op_cost(const ir::Op& op, const std::vector<ir::TensorType>& inputs, const ir::TensorType& output);

/// ⌈log2 lanes⌉ (0 for one lane): the alu levels of an add tree across the lanes.
std::int64_t tree_levels(std::int64_t lanes);

/// Steps the lanes take over `units` units: ⌈units / lanes⌉ for one element per unit, else
/// units · ⌈elements_per_unit / lanes⌉ (a step never mixes two rows or planes).
std::int64_t vector_steps(const VectorOpCost& c, std::int64_t units, std::int64_t lanes);

/// The closed form of one chunk of `units` units (docs/graph.md, "Timing"): every vector
/// instruction issues one step per cycle and the next instruction starts when its last result is
/// out, so an instruction of class c over s steps takes s + latency(c) − 1 cycles; then per unit
/// its lane reductions (⌈log2 lanes⌉ · latency(alu) each) and its scalar instructions.
std::int64_t chunk_compute_cycles(const VectorOpCost& c, std::int64_t units, const config::PostProcessorConfig& pp);
/// Cycles of the setup instructions (0 when none).
std::int64_t setup_cycles(const VectorOpCost& c, const config::PostProcessorConfig& pp);
/// Instructions executed per element over the whole operator (vector_ops in the reports): steps ×
/// lanes are not counted, elements are: units · elements_per_unit · |per_element| + units ·
/// (|per_unit| + lane_reductions) + setup_count · |setup|.
std::int64_t vector_op_count(const VectorOpCost& c);

/// One chunk: units [first_unit, first_unit + units), the bytes of each streamed input it reads
/// (0 for a resident input), the output bytes it writes, and its compute cycles.
struct VectorChunk {
  std::int64_t first_unit = 0, units = 0;
  std::vector<std::int64_t> input_offset, input_bytes;  ///< per input: byte range of the tensor
  std::int64_t output_offset = 0, output_bytes = 0;
  std::int64_t compute_cycles = 0;
};

/// The plan of one operator on the post-processing unit.
struct VectorOpPlan {
  ir::Op op;
  std::vector<ir::TensorType> inputs;
  ir::TensorType output;
  std::vector<std::int64_t> input_bytes;  ///< per input: its whole tensor
  std::int64_t output_bytes = 0;
  /// Per input: read whole once, before the first chunk, and kept (a broadcast operand, a
  /// parameter); otherwise streamed chunk by chunk.
  std::vector<bool> resident;
  /// Per input: 0, or for a broadcast operand too large to stay resident (the causal mask of a
  /// long sequence) its element count P: it is streamed with the chunks instead, output element j
  /// reading its element j mod P, and no chunk straddles a multiple of P (docs/graph.md).
  std::vector<std::int64_t> cyclic_period;
  bool layout_only = false;  ///< reshape, flatten, squeeze, unsqueeze: the same bytes under a new shape
  /// Fused into the output path of the GEMM before it (arch.post_processor.fuse): the first input
  /// is still on chip (no DRAM load), and, unless this is the last operator of the fused chain,
  /// so is the output (no DRAM store).
  bool input_on_chip = false, output_on_chip = false;
  VectorOpCost cost;
  std::vector<VectorChunk> chunks;
  std::int64_t setup_cycles = 0;
  std::int64_t vector_ops = 0;
  /// Closed form with ideal memory: setup + Σ chunk compute cycles.
  std::int64_t analytic_cycles = 0;
};

/// Plans `op` on `arch`'s post-processing unit: the fewest equal chunks (in units) whose streamed
/// inputs plus the resident ones fit a tile of the ifmap scratchpad and whose output fits a tile of
/// the output scratchpad. When the resident operands leave no room for one unit, a broadcast
/// operand of an element-wise add, sub, mul or div whose shape is the output's trailing
/// dimensions (leading 1s aside) is streamed cyclically instead (`cyclic_period`). Throws
/// std::invalid_argument ("node 'NAME' (KIND): ...") when one unit does not fit.
VectorOpPlan plan_vector_op(const config::ArchConfig& arch, const ir::Op& op, const std::vector<ir::TensorType>& inputs,
                            const ir::TensorType& output);

/// True for the kinds the systolic array (or the vector unit) runs as GEMMs: conv2d, gemm, matmul.
bool is_gemm_kind(ir::OpKind k);

}  // namespace arraysim::plan
