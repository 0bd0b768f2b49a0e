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
  if (const int m = config::winograd_m(e.arch.transform)) lower_winograd(e, m, notes);
  return e;
}

void lower_winograd(config::Experiment& e, int m, std::vector<std::string>& notes) {
  config::GraphWorkload& gw = *e.graph;
  const ir::Graph& g = *gw.graph;
  const std::int64_t alpha = m + 2;
  std::vector<ir::Layer> layers;
  std::vector<std::size_t> layer_op;
  std::vector<config::MappingConfig> mappings;
  std::vector<std::string> direct;
  std::size_t served = 0;
  for (std::size_t l = 0; l < e.workload.layers.size(); ++l) {
    const ir::Layer& layer = e.workload.layers[l];
    const std::size_t i = gw.layer_op[l];
    const ir::Op& op = g.ops()[i];
    const auto keep = [&] {
      layers.push_back(layer);
      layer_op.push_back(i);
      mappings.push_back(e.layer_mappings.size() > l ? e.layer_mappings[l] : config::MappingConfig{});
    };
    if (op.kind != ir::OpKind::conv2d) {
      keep();
      continue;
    }
    const ir::Conv2dParams& c = layer.conv;
    bool fp32 = true;
    for (const std::string& t : {op.inputs[0], op.inputs[1], op.outputs[0]})
      fp32 = fp32 && g.tensor(t).dtype == ir::DType::fp32;
    if (c.kernel_h != 3 || c.kernel_w != 3 || c.stride_h != 1 || c.stride_w != 1 || c.dilation_h != 1 ||
        c.dilation_w != 1 || c.groups != 1 || !fp32) {
      direct.push_back(op.name);
      keep();
      continue;
    }
    // α² GEMMs of (tiles × C) · (C × OC), one per position of the transformed tile.
    const std::int64_t tiles = c.n * ((c.out_h() + m - 1) / m) * ((c.out_w() + m - 1) / m);
    for (std::int64_t k = 0; k < alpha * alpha; ++k) {
      ir::Layer gl;
      gl.name = op.name + ".winograd[" + std::to_string(k) + "]";
      gl.kind = ir::LayerKind::gemm;
      gl.gemm.m = tiles;
      gl.gemm.k = c.c;
      gl.gemm.n = c.out_channels;
      layers.push_back(gl);
      layer_op.push_back(i);
      mappings.push_back(e.layer_mappings.size() > l ? e.layer_mappings[l] : config::MappingConfig{});
    }
    gw.winograd[i] = m;
    ++served;
  }
  std::string note = "arch.lowering winograd_f" + std::to_string(m) + ": " + std::to_string(served) + " of " +
                     std::to_string(served + direct.size()) + " convolutions by F(" + std::to_string(m) + "x" +
                     std::to_string(m) + ", 3x3)";
  if (!direct.empty()) {
    note += "; as implicit im2col (not 3x3, stride 1, dilation 1, groups 1, fp32):";
    for (std::size_t k = 0; k < direct.size(); ++k) {
      if (k == 8) {
        note += " and " + std::to_string(direct.size() - 8) + " more";
        break;
      }
      note += (k ? ", " : " ") + direct[k];
    }
  }
  notes.push_back(note);
  e.workload.layers = std::move(layers);
  gw.layer_op = std::move(layer_op);
  if (!e.layer_mappings.empty()) e.layer_mappings = std::move(mappings);
}

}  // namespace arraysim::io
