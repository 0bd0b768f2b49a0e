#include "sim/io/onnx_graph.hpp"

#include <algorithm>
#include <cctype>
#include <functional>
#include <map>
#include <queue>
#include <optional>
#include <set>

#include "sim/config/diagnostics.hpp"
#include "sim/io/onnx_attributes.hpp"

namespace arraysim::io {
namespace {

/// Attributes whose every value must be at least 1 wherever they appear (shape inference divides
/// by strides and block sizes, and multiplies by dilations, kernel sizes and groups).
const std::set<std::string> kPositiveAttributes{"strides", "dilations", "kernel_shape", "blocksize", "group"};

/// The integer values of an INT or INTS attribute (both fields when the type is not set).
std::vector<std::int64_t> int_values(const onnx::AttributeProto& a) {
  std::vector<std::int64_t> v(a.ints().begin(), a.ints().end());
  if (a.type() == onnx::AttributeProto::INT || (a.type() == onnx::AttributeProto::UNDEFINED && a.has_i()))
    v.push_back(a.i());
  return v;
}

std::string values_text(const std::vector<std::int64_t>& v) {
  std::string s = "[";
  for (std::size_t i = 0; i < v.size() && i < 8; ++i) s += (i ? ", " : "") + std::to_string(v[i]);
  return s + (v.size() > 8 ? ", ...]" : "]");
}

/// A convolution's or pooling's window attributes must agree in length (libonnx's shape inference
/// indexes them by the kernel's rank without checking): kernel_shape, strides and dilations one
/// value per spatial dimension, pads two; none of them empty.
void check_window_lengths(const onnx::NodeProto& n, const std::string& who, std::vector<std::string>& errors) {
  // Without kernel_shape, libonnx takes the kernel from the weight input: a pooling has none, and
  // a convolution needs its second input.
  const bool has_kernel = std::any_of(n.attribute().begin(), n.attribute().end(),
                                      [](const onnx::AttributeProto& a) { return a.name() == "kernel_shape"; });
  const bool pool = n.op_type().find("Pool") != std::string::npos;
  if (!has_kernel && (pool || n.input_size() < 2)) {
    errors.push_back(who + ": needs attribute 'kernel_shape'" + (pool ? "" : " or a weight input"));
    return;
  }
  std::optional<std::size_t> rank;
  for (const char* name : {"kernel_shape", "strides", "dilations", "pads"}) {
    for (const onnx::AttributeProto& a : n.attribute()) {
      if (a.name() != name) continue;
      const std::vector<std::int64_t> v = int_values(a);
      const bool pads = std::string(name) == "pads";
      const std::size_t per_dim = v.size() / (pads ? 2 : 1);
      if (v.empty() || (pads && v.size() % 2 != 0) || (rank && per_dim != *rank)) {
        errors.push_back(who + ": attribute '" + name + "' " + values_text(v) + ": must hold " +
                         (pads ? "two values" : "one value") + " per spatial dimension" +
                         (rank ? " (" + std::to_string(*rank) + " dimensions)" : std::string()));
        return;
      }
      if (!rank) rank = per_dim;
    }
  }
}

/// Attribute problems of the nodes of `g` and of their subgraphs.
void check_attributes(const onnx::GraphProto& g, const std::string& where, std::vector<std::string>& errors) {
  for (int i = 0; i < g.node_size(); ++i) {
    const onnx::NodeProto& n = g.node(i);
    const std::string who = where + config::printable(describe_node(n, i), 120);
    if (n.output_size() == 0) errors.push_back(who + ": has no outputs");
    // An operator type is an identifier; libonnx looks some up by their C string.
    if (n.op_type().empty() || std::any_of(n.op_type().begin(), n.op_type().end(), [](char c) {
          return !(std::isalnum(static_cast<unsigned char>(c)) || c == '_');
        }))
      errors.push_back(who + ": operator type is not an identifier (letters, digits and '_')");
    // GlobalAveragePool, GlobalMaxPool, GlobalLpPool have no window.
    const bool window = n.op_type().rfind("Global", 0) != 0 && (n.op_type().find("Conv") != std::string::npos ||
                                                                n.op_type().find("Pool") != std::string::npos);
    for (const onnx::AttributeProto& a : n.attribute()) {
      const std::vector<std::int64_t> v = int_values(a);
      if (kPositiveAttributes.count(a.name())) {
        for (const std::int64_t x : v)
          if (x < 1) {
            errors.push_back(who + ": attribute '" + a.name() + "' " + values_text(v) + ": every value must be >= 1");
            break;
          }
      } else if (a.name() == "pads" && window) {
        for (const std::int64_t x : v)
          if (x < 0) {
            errors.push_back(who + ": attribute 'pads' " + values_text(v) + ": every value must be >= 0");
            break;
          }
      }
      const std::string inner = who + ": attribute '" + config::printable(a.name(), 40) + "': ";
      if (a.has_g()) check_attributes(a.g(), inner, errors);
      for (const onnx::GraphProto& sub : a.graphs()) check_attributes(sub, inner, errors);
    }
    if (window) check_window_lengths(n, who, errors);
  }
}

}  // namespace

std::vector<std::string> check_onnx_graph(onnx::GraphProto& graph, bool& reordered) {
  reordered = false;
  std::vector<std::string> errors;
  check_attributes(graph, "", errors);
  if (!errors.empty()) return errors;

  const int n = graph.node_size();
  const auto who = [&](int i) { return config::printable(describe_node(graph.node(i), i), 120); };
  // Values given from outside the nodes; then the one node that computes each other value.
  std::set<std::string> given;
  for (const onnx::TensorProto& t : graph.initializer()) given.insert(t.name());
  for (const onnx::ValueInfoProto& v : graph.input()) given.insert(v.name());
  std::map<std::string, int> producer;
  for (int i = 0; i < n; ++i) {
    for (const std::string& o : graph.node(i).output()) {
      if (o.empty()) continue;
      if (const auto [it, fresh] = producer.emplace(o, i); !fresh) {
        errors.push_back(who(i) + ": computes '" + config::printable(o, 80) + "', which " + who(it->second) +
                         " computes too (ONNX values are assigned once)");
      } else if (given.count(o)) {
        errors.push_back(who(i) + ": computes '" + config::printable(o, 80) +
                         "', which is a graph input or initializer (ONNX values are assigned once)");
      }
    }
  }
  if (!errors.empty()) return errors;

  // Kahn's algorithm, taking the lowest index that is ready: the stored order when it is valid.
  std::vector<std::vector<int>> users(static_cast<std::size_t>(n));
  std::vector<int> waiting(static_cast<std::size_t>(n), 0);
  for (int i = 0; i < n; ++i) {
    std::set<int> needs;
    for (const std::string& in : graph.node(i).input())
      if (const auto it = producer.find(in); it != producer.end() && !given.count(in)) needs.insert(it->second);
    for (const int p : needs) users[static_cast<std::size_t>(p)].push_back(i);
    waiting[static_cast<std::size_t>(i)] = static_cast<int>(needs.size());
  }
  std::priority_queue<int, std::vector<int>, std::greater<int>> ready;
  for (int i = 0; i < n; ++i)
    if (waiting[static_cast<std::size_t>(i)] == 0) ready.push(i);
  std::vector<int> order;
  order.reserve(static_cast<std::size_t>(n));
  while (!ready.empty()) {
    const int i = ready.top();
    ready.pop();
    order.push_back(i);
    for (const int u : users[static_cast<std::size_t>(i)])
      if (--waiting[static_cast<std::size_t>(u)] == 0) ready.push(u);
  }
  if (static_cast<int>(order.size()) < n) {
    // Every node left waits for another node left: walking from one to a producer it waits for
    // must come back to a node already walked; that stretch is a cycle.
    std::vector<int> path, at(static_cast<std::size_t>(n), -1);
    int i = 0;
    while (waiting[static_cast<std::size_t>(i)] == 0) ++i;
    while (at[static_cast<std::size_t>(i)] < 0) {
      at[static_cast<std::size_t>(i)] = static_cast<int>(path.size());
      path.push_back(i);
      for (const std::string& in : graph.node(i).input())
        if (const auto it = producer.find(in);
            it != producer.end() && waiting[static_cast<std::size_t>(it->second)] > 0) {
          i = it->second;
          break;
        }
    }
    std::string cycle = who(i);
    const std::size_t first = static_cast<std::size_t>(at[static_cast<std::size_t>(i)]);
    for (std::size_t k = first + 1; k < path.size() && k < first + 8; ++k)
      cycle += " uses the output of " + who(path[k]) + ", which";
    if (path.size() - first > 8) cycle += " (...)";
    errors.push_back("the graph has a cycle: " + cycle + " uses the output of " + who(i));
    return errors;
  }
  for (int k = 0; k < n; ++k) reordered = reordered || order[static_cast<std::size_t>(k)] != k;
  if (reordered) {
    google::protobuf::RepeatedPtrField<onnx::NodeProto> sorted;
    for (const int i : order) *sorted.Add() = graph.node(i);
    graph.mutable_node()->Swap(&sorted);
  }
  return errors;
}

}  // namespace arraysim::io
