#include "sim/io/onnx_prepare.hpp"

#include <onnx/shape_inference/implementation.h>

#include <set>
#include <stdexcept>

#include "sim/config/diagnostics.hpp"
#include "sim/io/import.hpp"
#include "sim/io/onnx_attributes.hpp"
#include "sim/io/onnx_graph.hpp"
#include "sim/util/process.hpp"

namespace arraysim::io {

std::string shown(const std::string& s) { return config::printable(s, 80); }

void require_known_attributes(const onnx::NodeProto& node, const std::set<std::string>& known) {
  const std::vector<std::string> bad = unknown_attributes(node, known);
  if (bad.empty()) return;
  std::string list;
  for (const std::string& k : known) list += (list.empty() ? "" : ", ") + k;
  throw std::runtime_error(
      "attribute '" + shown(bad.front()) + "' is not supported" +
      (known.empty() ? " (" + node.op_type() + " has no attributes)" : " (supported: " + list + ")"));
}

namespace {

/// The nodes of `g` and of its subgraphs.
std::size_t node_count(const onnx::GraphProto& g) {
  std::size_t n = static_cast<std::size_t>(g.node_size());
  for (const onnx::NodeProto& node : g.node())
    for (const onnx::AttributeProto& a : node.attribute()) {
      if (a.has_g()) n += node_count(a.g());
      for (const onnx::GraphProto& sub : a.graphs()) n += node_count(sub);
    }
  return n;
}

/// Runs libonnx's shape inference (with data propagation) on `model` and takes from it what the
/// importer reads: the graph's inputs, outputs and value_info. libonnx crashes (SIGFPE, SIGSEGV,
/// aborts) on malformed models that check_onnx_graph does not foresee, so it runs in a child
/// process with bounded memory and time; a child that fails is an ImportError naming the file.
void infer_shapes(onnx::ModelProto& model, const std::string& file) {
  // The operator schemas are registered on first use: once here, not once per child.
  onnx::OpSchemaRegistry* const registry = onnx::OpSchemaRegistry::Instance();
  onnx::OpSchemaRegistry::Schema("Conv", 13, "");
  const std::size_t model_bytes = model.ByteSizeLong();
  util::IsolationLimits limits;
  // Inference keeps a few views of the graph and propagates small constants: 2 GiB beyond a few
  // copies of the model is far above what it needs for any valid model.
  limits.memory_bytes = (std::uint64_t{2} << 30) + 4 * std::uint64_t{model_bytes};
  // About a millisecond per node at most; hostile input that loops is stopped within seconds.
  limits.cpu_time_s = 2 + node_count(model.graph()) / 2000;
  limits.wall_time_s = limits.cpu_time_s + 2;
  // The inferred types are a fraction of the graph's size (initializers are not sent back).
  limits.max_result_bytes = (std::size_t{64} << 20) + model_bytes;
  util::IsolatedResult r;
  try {
    r = util::run_isolated(
        [&] {
          onnx::shape_inference::InferShapes(model, registry, onnx::ShapeInferenceOptions(false, 0, true));
          onnx::GraphProto types;
          *types.mutable_input() = model.graph().input();
          *types.mutable_output() = model.graph().output();
          *types.mutable_value_info() = model.graph().value_info();
          return types.SerializeAsString();
        },
        limits);
  } catch (const std::runtime_error& e) {
    throw ImportError(file + ": cannot run ONNX shape inference: " + e.what());
  }
  using Status = util::IsolatedResult::Status;
  if (r.status == Status::threw) throw ImportError(file + ": ONNX shape inference failed: " + r.text);
  onnx::GraphProto types;
  if (r.status == Status::returned && !types.ParseFromString(r.text)) {
    r.status = Status::failed;
    r.text = "gave a result that is not a graph";
  }
  if (r.status == Status::failed)
    throw ImportError(file + ": ONNX shape inference failed on this model (" + r.text + "); arraysim cannot import it");
  onnx::GraphProto* g = model.mutable_graph();
  g->mutable_input()->Swap(types.mutable_input());
  g->mutable_output()->Swap(types.mutable_output());
  g->mutable_value_info()->Swap(types.mutable_value_info());
}

}  // namespace

std::vector<std::string> prepare_onnx_model(onnx::ModelProto& model, const std::string& file,
                                            const InputShapes& shapes) {
  std::vector<std::string> warnings;
  onnx::GraphProto* g = model.mutable_graph();
  // Shapes given for graph inputs replace the declared ones.
  {
    std::set<std::string> initializers, found;
    for (const onnx::TensorProto& t : g->initializer()) initializers.insert(t.name());
    std::string inputs;
    for (onnx::ValueInfoProto& in : *g->mutable_input()) {
      if (initializers.count(in.name())) continue;
      inputs += (inputs.empty() ? "'" : ", '") + shown(in.name()) + "'";
      const auto it = shapes.find(in.name());
      if (it == shapes.end()) continue;
      found.insert(it->first);
      onnx::TypeProto_Tensor* tt = in.mutable_type()->mutable_tensor_type();
      if (tt->has_shape() && tt->shape().dim_size() != static_cast<int>(it->second.size()))
        throw ImportError(file + ": --input-shape " + shown(it->first) + "=...: graph input '" + shown(it->first) +
                          "' has " + std::to_string(tt->shape().dim_size()) + " dimensions, not " +
                          std::to_string(it->second.size()));
      tt->mutable_shape()->clear_dim();
      for (const std::int64_t v : it->second) tt->mutable_shape()->add_dim()->set_dim_value(v);
    }
    for (const auto& [name, dims] : shapes)
      if (!found.count(name))
        throw ImportError(file + ": --input-shape " + shown(name) + "=...: no graph input is called '" + shown(name) +
                          "' (graph inputs: " + (inputs.empty() ? "none" : inputs) + ")");
  }

  // A symbolic leading (batch) dimension of a graph input is taken as 1, so that shape inference
  // gives static shapes.
  std::set<std::string> inits;
  for (const onnx::TensorProto& t : g->initializer()) inits.insert(t.name());
  for (onnx::ValueInfoProto& in : *g->mutable_input()) {
    if (inits.count(in.name()) || !in.type().has_tensor_type() || !in.type().tensor_type().has_shape()) continue;
    onnx::TensorShapeProto* s = in.mutable_type()->mutable_tensor_type()->mutable_shape();
    if (s->dim_size() < 2 || s->dim(0).has_dim_value()) continue;
    const std::string what =
        s->dim(0).has_dim_param() ? "symbolic ('" + shown(s->dim(0).dim_param()) + "')" : "unknown";
    s->mutable_dim(0)->set_dim_value(1);
    warnings.push_back("warning: " + file + ": graph input '" + shown(in.name()) + "': dimension 0 is " + what +
                       "; taken as 1 (batch 1)");
  }

  // libonnx's shape inference divides by attributes it does not check and follows the stored
  // node order: check both first (a crash in the child says less than these messages do).
  bool reordered = false;
  std::vector<std::string> graph_errors = check_onnx_graph(*g, reordered);
  if (!graph_errors.empty()) {
    for (std::string& e : graph_errors) e = file + ": " + e;
    throw ImportError(graph_errors);
  }
  if (reordered)
    warnings.push_back("warning: " + file +
                       ": the nodes are not in topological order (as ONNX requires); taken in an order where "
                       "every value is computed before it is used");
  infer_shapes(model, file);
  return warnings;
}

}  // namespace arraysim::io
