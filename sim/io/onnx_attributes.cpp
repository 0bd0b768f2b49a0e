#include "sim/io/onnx_attributes.hpp"

#include <stdexcept>

namespace arraysim::io {
namespace {

using onnx::AttributeProto;

/// The attribute, checked to have `type` (UNDEFINED is accepted: older writers leave it unset).
const AttributeProto* typed_attr(const onnx::NodeProto& node, const std::string& name,
                                 AttributeProto::AttributeType type) {
  const AttributeProto* a = find_attr(node, name);
  if (a && a->type() != type && a->type() != AttributeProto::UNDEFINED)
    throw std::runtime_error("attribute '" + name + "' has type " + AttributeProto::AttributeType_Name(a->type()) +
                             ", expected " + AttributeProto::AttributeType_Name(type));
  return a;
}

}  // namespace

const AttributeProto* find_attr(const onnx::NodeProto& node, const std::string& name) {
  for (const AttributeProto& a : node.attribute())
    if (a.name() == name) return &a;
  return nullptr;
}

std::int64_t attr_int(const onnx::NodeProto& node, const std::string& name, std::int64_t dflt) {
  const AttributeProto* a = typed_attr(node, name, AttributeProto::INT);
  return a ? a->i() : dflt;
}

float attr_float(const onnx::NodeProto& node, const std::string& name, float dflt) {
  const AttributeProto* a = typed_attr(node, name, AttributeProto::FLOAT);
  return a ? a->f() : dflt;
}

std::string attr_string(const onnx::NodeProto& node, const std::string& name, const std::string& dflt) {
  const AttributeProto* a = typed_attr(node, name, AttributeProto::STRING);
  return a ? a->s() : dflt;
}

std::vector<std::int64_t> attr_ints(const onnx::NodeProto& node, const std::string& name,
                                    std::vector<std::int64_t> dflt) {
  const AttributeProto* a = typed_attr(node, name, AttributeProto::INTS);
  return a ? std::vector<std::int64_t>(a->ints().begin(), a->ints().end()) : dflt;
}

std::vector<std::string> unknown_attributes(const onnx::NodeProto& node, const std::set<std::string>& known) {
  std::vector<std::string> out;
  for (const AttributeProto& a : node.attribute())
    if (known.count(a.name()) == 0) out.push_back(a.name());
  return out;
}

std::string describe_node(const onnx::NodeProto& node, int index) {
  const std::string who = node.name().empty() ? "#" + std::to_string(index) : "'" + node.name() + "'";
  return "node " + who + " (" + node.op_type() + ")";
}

}  // namespace arraysim::io
