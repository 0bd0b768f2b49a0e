#pragma once
/// What every ONNX import does before it reads the nodes (docs/import.md): shapes given for graph
/// inputs replace the declared ones, a symbolic batch dimension is taken as 1, the structural
/// checks of check_onnx_graph run (and put the nodes in topological order), then libonnx's shape
/// inference runs in an isolated child process and its types replace the graph's inputs, outputs
/// and value_info. Shared by the layer-list import (onnx_import.hpp) and the graph import
/// (onnx_to_graph.hpp).
///
/// Including this header needs ONNX_ML=1 and ONNX_NAMESPACE=onnx (the `arraysim_onnx` target).
#include <onnx/onnx_pb.h>

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace arraysim::io {

/// Shapes given on the command line for graph inputs (`--input-shape NAME=D0xD1x...`), by name.
using InputShapes = std::map<std::string, std::vector<std::int64_t>>;

/// Prepares `model` for reading its nodes (see the top of the file). `file` names the model in
/// messages. `shapes` replaces the declared shapes of those graph inputs (each must name a graph
/// input that is not an initializer and keep its declared rank). Returns the warnings, one line
/// each ("warning: FILE: ..."): a symbolic batch dimension taken as 1, nodes reordered. Throws
/// ImportError (sim/io/import.hpp) with one line per problem found by check_onnx_graph, for a
/// shape given for no graph input, and when shape inference fails.
std::vector<std::string> prepare_onnx_model(onnx::ModelProto& model, const std::string& file,
                                            const InputShapes& shapes);

/// A name from the model as the importers' messages show it: control characters escaped, at most
/// 80 characters (config::printable).
std::string shown(const std::string& s);

/// Throws std::runtime_error "attribute 'NAME' is not supported (supported: a, b)", or "(OP has no
/// attributes)" for an operator without any, when `node` carries an attribute outside `known`:
/// no attribute is silently ignored.
void require_known_attributes(const onnx::NodeProto& node, const std::set<std::string>& known);

}  // namespace arraysim::io
