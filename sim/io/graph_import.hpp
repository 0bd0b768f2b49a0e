#pragma once
/// A whole ONNX graph as an experiment (`arraysim run --model F.onnx --arch A.yaml --graph`,
/// docs/graph.md): the graph IR of the model (sim/io/onnx_to_graph.hpp) and its GEMM-like
/// operators as the experiment's workload layers, loaded and validated like any experiment.
#include <string>
#include <vector>

#include "models/ir/graph.hpp"
#include "sim/config/experiment.hpp"
#include "sim/io/onnx_prepare.hpp"

namespace arraysim::io {

/// The GEMM-like operators of `g` in topological order: conv2d as a conv2d layer, gemm and matmul
/// as GEMM layers (M·K by K·N; a transposed operand is placed transposed; matmul's leading A
/// dimensions fold into M), each named as its operator.
struct GraphLayers {
  std::vector<ir::Layer> layers;
  std::vector<std::size_t> ops;  ///< per layer: its operator's index in g.ops()
};
/// Throws ImportError ("FILE: node 'NAME' (matmul): ...") for a matmul whose B is batched.
GraphLayers graph_gemm_layers(const ir::Graph& g, const std::string& file);

/// Reads the model, builds its graph and the experiment around it with `overrides` (--set)
/// applied. `notes` receives the import's notes (warnings). Throws ImportError or ConfigError.
config::Experiment load_graph_experiment(const std::string& model_path, const std::string& arch_ref,
                                         const InputShapes& shapes, const std::vector<std::string>& overrides,
                                         std::vector<std::string>& notes);

}  // namespace arraysim::io
