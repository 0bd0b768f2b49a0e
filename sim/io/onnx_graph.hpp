#pragma once
/// Checks of an ONNX graph that must pass before libonnx's shape inference sees it: its C++
/// divides by strides and block sizes without checking them (a zero stride is a SIGFPE, not an
/// error) and follows the nodes in the order they are stored. So every attribute shape inference
/// computes with is range-checked first, and the nodes are put in an order where every value is
/// computed before it is used, which fails exactly when the graph has a cycle.
///
/// Including this header needs ONNX_ML=1 and ONNX_NAMESPACE=onnx (the `arraysim_onnx` target).
#include <onnx/onnx_pb.h>

#include <string>
#include <vector>

namespace arraysim::io {

/// The problems of `graph` (and of the graphs in its nodes' attributes, e.g. If and Loop bodies),
/// one line each, `node 'NAME' (OP): message` (the caller prefixes the file):
///  * `strides`, `dilations`, `kernel_shape`, `blocksize` and `group` values below 1, and `pads`
///    below 0 in convolutions and poolings;
///  * a node without outputs;
///  * a value computed by two nodes (ONNX values are assigned once);
///  * a cycle: nodes that (through their inputs) need their own outputs.
/// When there is none and the nodes of `graph` are not in topological order, they are reordered
/// (stable: nodes that are already in order keep it) and `reordered` is set.
std::vector<std::string> check_onnx_graph(onnx::GraphProto& graph, bool& reordered);

}  // namespace arraysim::io
