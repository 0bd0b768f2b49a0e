#pragma once
/// A whole graph's run (docs/graph.md): one step per operator in topological order, GEMM-like
/// operators on the array (plus the addition of their bias on the post-processing unit), the
/// rest on the post-processing unit; the tensors each step reads come from the steps before.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "models/ir/graph.hpp"
#include "models/ir/layer.hpp"
#include "sim/config/experiment.hpp"
#include "sim/plan/plan.hpp"

namespace arraysim::app {

/// Tensors by name.
using TensorMap = std::map<std::string, ir::Tensor>;

/// One step: an operator of the graph, or the addition of a GEMM operator's bias.
struct GraphStep {
  const ir::Op* op = nullptr;  ///< the operator (for a bias step: the GEMM's)
  bool gemm = false;           ///< runs on the array as workload layer `layer`
  std::size_t layer = 0;
  std::vector<std::string> inputs;  ///< tensor names read, in the operator's order
  std::string output;               ///< the tensor written
  ir::TensorType output_type;
  /// A batched matmul runs as consecutive GEMM steps, one per element of its broadcast batch
  /// (docs/graph.md): this step's element `batch` of `batches` (0 for every other step), taking
  /// matrix `a_matrix` of A and `b_matrix` of B; it writes matrix `batch` of `output`, which is
  /// complete when the last of them ends.
  std::int64_t batch = 0, batches = 0;
  std::int64_t a_matrix = 0, b_matrix = 0;
  /// A conv with a batch_norm folded into it (arch.post_processor.fold_batch_norm): the
  /// batch_norm; the step reads folded_weight_name(*folded_bn) as its weight, and its bias step
  /// adds folded_bias_name(*folded_bn) and writes the batch_norm's output.
  const ir::Op* folded_bn = nullptr;
};

/// The steps of a graph and their plans (one LayerPlan per step: the GEMM's from `gemm_plans`,
/// indexed by workload layer, or a post-processing plan). Throws std::invalid_argument naming
/// the node when an operand's dtype is not the array's or a step does not fit the scratchpads.
struct GraphProgram {
  std::vector<GraphStep> steps;
  std::vector<plan::LayerPlan> plans;
};
GraphProgram plan_graph(const config::Experiment& e, const std::vector<plan::LayerPlan>& gemm_plans);

/// The same elements under another shape of as many elements (a layout-only change: a conv's
/// [OC] bias as [1][OC][1][1], the array's [M][N] output as a matmul's [..][M][N]).
ir::Tensor reshaped(const ir::Tensor& t, const ir::Shape& shape);

/// arch.post_processor.fuse: marks each chain of element-wise steps right after a GEMM step
/// (each reading the previous one's output as its data operand, every other operand resident,
/// the tensor between them read by no other operator and not a graph output) to run in the GEMM's
/// output path: the GEMM hands its output over on chip, the chain's steps load nothing from DRAM
/// and only its last step stores. A GEMM that reads partial sums back from DRAM is not fused.
void fuse_chains(const ir::Graph& g, GraphProgram& prog);

/// The tensors a batch_norm folded into the conv before it stands for: the conv's weights scaled
/// per output channel, and the bias that replaces the conv's own.
std::string folded_weight_name(const ir::Op& bn);
std::string folded_bias_name(const ir::Op& bn);

/// Adds to `tensors` the folded weight and bias of every conv step with a folded batch_norm,
/// from the conv's weight and bias and the batch_norm's parameters found there: with
/// k = scale / sqrt(var + epsilon) in double, w'[oc] = fp32(w[oc] · k[oc]) and
/// b'[oc] = fp32((b[oc] - mean[oc]) · k[oc] + B[oc]) (b = 0 for a conv without a bias).
void add_folded_tensors(const GraphProgram& prog, TensorMap& tensors);

/// The name of the accumulator tensor a GEMM with a bias writes before its bias step.
std::string accumulator_name(const ir::Op& op);

/// The array operands of GEMM step `s` (layer `l`) from `tensors`: a conv's X and W as they are,
/// a gemm's A and B transposed when the operator says so, a matmul's A with its leading
/// dimensions folded into M; for a step of a batched matmul, its A and B matrices.
ir::LayerOperands gemm_operands(const GraphStep& s, const ir::Layer& l, const TensorMap& tensors);

/// Matrix `index` ([rows][cols]) of a stack of matrices `t` (row-major), copied out.
ir::Tensor matrix_of(const ir::Tensor& t, std::int64_t index, std::int64_t rows, std::int64_t cols);

/// Takes the output of step `s` as the array or the unit left it: `tensors[s.output]` in the
/// output's shape. A step of a batched matmul writes its matrix into `partial[s.output]` instead,
/// and the last of them moves the assembled tensor into `tensors`.
void take_output(const GraphStep& s, const ir::Tensor& out, TensorMap& tensors, TensorMap& partial);

/// The graph inputs of a run: seeded (ir::fill_random with `seed`, stream 1000 + the input's
/// position; a batch_norm's variance as 0.5 + |value|, a conv's, gemm's or matmul's weight
/// operand scaled by 2^-ceil(log2(fan_in) / 2)) or, for the first graph input, `given` when it is
/// non-null (shape and dtype checked).
TensorMap graph_inputs(const ir::Graph& g, std::uint64_t seed, const ir::Tensor* given);

/// The fp32 tolerance of a graph tensor (docs/graph.md, "Checks"): every element within
/// 1e-4 · (1 + max |golden|) of the golden value.
ir::Tensor graph_tolerance(const ir::Tensor& golden);

}  // namespace arraysim::app
