#include "sim/io/graph_import.hpp"

#include <memory>
#include <stdexcept>

#include "models/ir/shapes.hpp"
#include "sim/io/import.hpp"
#include "sim/io/onnx_import.hpp"
#include "sim/io/onnx_tensor.hpp"
#include "sim/io/onnx_to_graph.hpp"

namespace arraysim::io {

bool is_batched_matmul(const ir::Shape& b) {
  std::int64_t matrices = 1;
  for (std::size_t d = 0; d + 2 < b.size(); ++d) matrices *= b[d];
  return matrices > 1;
}

GraphLayers graph_gemm_layers(const ir::Graph& g, const std::string& file) {
  GraphLayers out;
  std::vector<std::string> problems;
  for (std::size_t i : g.topological_order()) {
    const ir::Op& op = g.ops()[i];
    const auto shape = [&](std::size_t k) { return g.tensor(op.inputs[k]).shape; };
    ir::Layer l;
    l.name = op.name;
    if (op.kind == ir::OpKind::conv2d) {
      const ir::Shape x = shape(0), w = shape(1);
      const auto& a = std::get<ir::ConvAttrs>(op.attrs);
      l.kind = ir::LayerKind::conv2d;
      ir::Conv2dParams& c = l.conv;
      c.n = x[0], c.c = x[1], c.h = x[2], c.w = x[3], c.out_channels = w[0], c.kernel_h = w[2], c.kernel_w = w[3];
      c.stride_h = a.stride_h, c.stride_w = a.stride_w, c.dilation_h = a.dilation_h, c.dilation_w = a.dilation_w;
      c.pad_top = a.pad_top, c.pad_bottom = a.pad_bottom, c.pad_left = a.pad_left, c.pad_right = a.pad_right;
      c.groups = a.groups;
    } else if (op.kind == ir::OpKind::gemm) {
      const auto& a = std::get<ir::GemmAttrs>(op.attrs);
      const ir::Shape sa = shape(0), sb = shape(1);
      l.kind = ir::LayerKind::gemm;
      l.gemm.m = a.trans_a ? sa[1] : sa[0];
      l.gemm.k = a.trans_a ? sa[0] : sa[1];
      l.gemm.n = a.trans_b ? sb[0] : sb[1];
    } else if (op.kind == ir::OpKind::matmul) {
      const ir::Shape sa = shape(0), sb = shape(1);
      if (sa.size() < 2 || sb.size() < 2) {
        problems.push_back(file + ": " + ir::node_prefix(op) + "A " + ir::shape_str(sa) + " by B " + ir::shape_str(sb) +
                           ": a 1-D operand does not run on the array yet");
        continue;
      }
      l.kind = ir::LayerKind::gemm;
      l.gemm.k = sa.back();
      l.gemm.n = sb.back();
      if (is_batched_matmul(sb)) {
        // One M·K by K·N GEMM per element of the broadcast batch, named NAME[i].
        const std::int64_t count = ir::numel(ir::matmul_batch(sa, sb).batch);
        l.gemm.m = sa[sa.size() - 2];
        for (std::int64_t b = 0; b < count; ++b) {
          l.name = op.name + "[" + std::to_string(b) + "]";
          out.layers.push_back(l);
          out.ops.push_back(i);
        }
        continue;
      }
      l.gemm.m = 1;
      for (std::size_t d = 0; d + 1 < sa.size(); ++d) l.gemm.m *= sa[d];
    } else {
      continue;
    }
    out.layers.push_back(l);
    out.ops.push_back(i);
  }
  if (!problems.empty()) throw ImportError(problems);
  return out;
}

config::Experiment load_graph_experiment(const std::string& model_path, const std::string& arch_ref,
                                         const InputShapes& shapes, const std::vector<std::string>& overrides,
                                         std::vector<std::string>& notes) {
  onnx::ModelProto model;
  try {
    model = load_model(model_path);
  } catch (const std::runtime_error& e) {
    throw ImportError(e.what());
  }
  OnnxWorkload w;
  auto graph = std::make_shared<ir::Graph>(onnx_graph(std::move(model), model_path, shapes, &w.warnings));
  GraphLayers gl = graph_gemm_layers(*graph, model_path);
  w.graph_name = graph->name();
  w.layers = gl.layers;
  for (std::size_t i : gl.ops) {
    const std::string prefix = ir::node_prefix(graph->ops()[i]);  // "node 'NAME' (KIND): "
    w.layer_nodes.push_back(prefix.substr(0, prefix.size() - 2));
  }
  if (w.layers.empty())
    throw ImportError(model_path + ": the graph has no conv2d, gemm or matmul operator; the array has nothing to run");
  const GeneratedExperiment g = generate_onnx_experiment(w, model_path, arch_ref, ".", shapes);
  notes = g.notes;
  config::Experiment e = load_generated(g, overrides);
  e.graph = config::GraphWorkload{graph, gl.ops, {}};
  return e;
}

}  // namespace arraysim::io
