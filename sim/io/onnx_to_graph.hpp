#pragma once
/// ONNX models -> the graph IR (models/ir/graph.hpp, docs/import.md "Importing a whole graph").
///
/// Every node of the default domain becomes one ir::Op with typed attributes (Identity becomes
/// an alias of its input); the model's initializers and Constant nodes become constant tensors
/// with their values; graph inputs that are not initializers become graph inputs; shapes and
/// dtypes come from ONNX shape inference (the same checks and isolated inference as the layer-list
/// import, sim/io/onnx_prepare.hpp). Operators the IR does not have are errors, one line per node.
///
/// Including this header needs ONNX_ML=1 and ONNX_NAMESPACE=onnx (the `arraysim_onnx` target).
#include <onnx/onnx_pb.h>

#include <string>
#include <vector>

#include "models/ir/graph.hpp"
#include "sim/io/onnx_prepare.hpp"

namespace arraysim::io {

/// The graph of `model` (docs/import.md has the operator table). `file` names the model in
/// messages; `shapes` replaces the declared shapes of graph inputs (as in onnx_workload). When
/// `warnings` is given, the preparation's warnings are appended to it (a symbolic batch dimension
/// taken as 1, nodes reordered). The result passes ir::Graph::validate(). Throws ImportError with
/// every problem, one line each: `FILE: node 'NAME' (OP): message` for a node (`not in the graph
/// IR yet` for an operator the IR lacks), `FILE: tensor 'NAME': message` for a value, and the
/// issues of validate() prefixed with `FILE: `.
/// MaxPool / AveragePool attributes as the golden model's pooling parameters (kernel_shape,
/// strides, dilations, pads, auto_pad, ceil_mode, count_include_pad; absent ones empty or false).
/// Throws std::runtime_error for an auto_pad that is not NOTSET, SAME_UPPER, SAME_LOWER or VALID.
ir::PoolParams pool_params_from_onnx(const onnx::NodeProto& n);

ir::Graph onnx_graph(onnx::ModelProto model, const std::string& file, const InputShapes& shapes = {},
                     std::vector<std::string>* warnings = nullptr);

}  // namespace arraysim::io
