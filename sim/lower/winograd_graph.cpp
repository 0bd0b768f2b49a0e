#include "sim/lower/winograd_graph.hpp"

#include "sim/lower/winograd.hpp"

namespace arraysim::lower {

void lower_winograd(config::Experiment& e, std::vector<std::string>& notes) {
  const int m = config::winograd_m(e.arch.transform);
  if (m == 0 || !e.graph) return;
  config::GraphWorkload& gw = *e.graph;
  const ir::Graph& g = *gw.graph;
  std::vector<ir::Layer> layers;
  std::vector<std::size_t> layer_op;
  std::vector<config::MappingConfig> mappings;
  std::vector<std::string> direct;
  std::size_t served = 0;
  for (std::size_t l = 0; l < e.workload.layers.size(); ++l) {
    const ir::Layer& layer = e.workload.layers[l];
    const std::size_t i = gw.layer_op[l];
    const ir::Op& op = g.ops()[i];
    const config::MappingConfig mapping = e.layer_mappings.size() > l ? e.layer_mappings[l] : config::MappingConfig{};
    const auto keep = [&] {
      layers.push_back(layer);
      layer_op.push_back(i);
      mappings.push_back(mapping);
    };
    if (op.kind != ir::OpKind::conv2d) {
      keep();
      continue;
    }
    bool fp32 = true;
    for (const std::string& t : {op.inputs[0], op.inputs[1], op.outputs[0]})
      fp32 = fp32 && g.tensor(t).dtype == ir::DType::fp32;
    if (!winograd_applies(layer.conv) || layer.conv.groups != 1 || !fp32) {
      direct.push_back(op.name);
      keep();
      continue;
    }
    // α² GEMMs of (tiles × C) · (C × OC), one per position of the transformed tile.
    const WinogradCounts counts = winograd_counts(layer.conv, m);
    for (std::int64_t k = 0; k < counts.batch; ++k) {
      ir::Layer gl;
      gl.name = op.name + ".winograd[" + std::to_string(k) + "]";
      gl.kind = ir::LayerKind::gemm;
      gl.gemm.m = counts.gemm.m;
      gl.gemm.k = counts.gemm.k;
      gl.gemm.n = counts.gemm.n;
      layers.push_back(gl);
      layer_op.push_back(i);
      mappings.push_back(mapping);
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

}  // namespace arraysim::lower
