#pragma once
/// The golden model of a whole network: every operator of an ir::Graph run in topological order
/// with the golden operators (models/golden/golden.hpp, models/golden/ops.hpp), every tensor kept
/// so a simulated run can be checked tensor by tensor.
#include <map>
#include <string>
#include <vector>

#include "models/ir/graph.hpp"
#include "models/ir/tensor.hpp"

namespace arraysim::golden {

/// Tensors by name.
using TensorMap = std::map<std::string, ir::Tensor>;

/// The output of one operator from its input tensors (in op.inputs order). `out_dtype` is the
/// output's declared dtype: integer conv2d, gemm and matmul accumulate exactly and wrap to it
/// (int32 or int64). conv2d's bias and gemm's C are added to the accumulator (same dtype).
/// Throws std::invalid_argument (the golden operator's message) on operands it does not accept.
ir::Tensor run_op(const ir::Op& op, const std::vector<const ir::Tensor*>& inputs, ir::DType out_dtype);

/// Runs every operator of `g` in g.topological_order() on `inputs` (one tensor per graph input,
/// of its declared shape and dtype) and the graph's constants. Returns every tensor of the graph:
/// inputs, constants, intermediates and outputs. Throws std::invalid_argument when the graph does
/// not validate (every issue, one per line), an input is missing, extra or of another type, or
/// an operator fails ("node 'NAME' (KIND): message").
TensorMap run_graph(const ir::Graph& g, const TensorMap& inputs);

}  // namespace arraysim::golden
