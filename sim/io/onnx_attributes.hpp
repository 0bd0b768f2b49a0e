#pragma once
/// Reading the attributes of an ONNX node (`onnx::NodeProto`), with the operator's defaults.
///
/// An absent attribute yields the default. A present attribute of the wrong type (for example
/// `strides` given as INT instead of INTS) throws std::runtime_error naming the attribute, so a
/// malformed node is never read as if it had the default. An attribute whose `type` field is
/// UNDEFINED (models written before the field was required) is read from the field that the
/// expected type uses.
///
/// Including this header needs the compile definitions ONNX_ML=1 and ONNX_NAMESPACE=onnx; linking
/// the `arraysim_onnx` CMake target provides them.
#include <onnx/onnx_pb.h>

#include <cstdint>
#include <set>
#include <string>
#include <vector>

namespace arraysim::io {

/// The attribute `name` of `node`, or nullptr.
const onnx::AttributeProto* find_attr(const onnx::NodeProto& node, const std::string& name);

std::int64_t attr_int(const onnx::NodeProto& node, const std::string& name, std::int64_t dflt);
float attr_float(const onnx::NodeProto& node, const std::string& name, float dflt);
std::string attr_string(const onnx::NodeProto& node, const std::string& name, const std::string& dflt);
std::vector<std::int64_t> attr_ints(const onnx::NodeProto& node, const std::string& name,
                                    std::vector<std::int64_t> dflt);

/// Names of the attributes of `node` that are not in `known`, in the node's order.
std::vector<std::string> unknown_attributes(const onnx::NodeProto& node, const std::set<std::string>& known);

/// "node 'NAME' (OP_TYPE)", or "node #INDEX (OP_TYPE)" for a node without a name: how messages
/// name a node.
std::string describe_node(const onnx::NodeProto& node, int index);

}  // namespace arraysim::io
