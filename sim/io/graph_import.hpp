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

/// Whether a matmul with B of shape `b` runs batched (one GEMM per batch element): B holds more
/// than one matrix. A B of one matrix (rank 2, or leading dimensions of 1) runs as one GEMM with
/// A's leading dimensions folded into M.
bool is_batched_matmul(const ir::Shape& b);

/// The GEMM-like operators of `g` in topological order: conv2d as a conv2d layer, gemm and matmul
/// as GEMM layers (M·K by K·N; a transposed operand is placed transposed), each named as its
/// operator. A matmul whose B is one matrix is one layer, A's leading dimensions folded into M; a
/// batched one (A [..][M][K] by B [..][K][N], batch dimensions broadcast) is one layer per element
/// of the broadcast batch, M·K by K·N, named NAME[i] (i the flat batch index, row-major), in order.
struct GraphLayers {
  std::vector<ir::Layer> layers;
  std::vector<std::size_t> ops;  ///< per layer: its operator's index in g.ops()
};
/// Throws ImportError ("FILE: node 'NAME' (matmul): ...") for a matmul with a 1-D operand.
GraphLayers graph_gemm_layers(const ir::Graph& g, const std::string& file);

/// Reads the model, builds its graph and the experiment around it with `overrides` (--set)
/// applied. `notes` receives the import's notes (warnings). Throws ImportError or ConfigError.
config::Experiment load_graph_experiment(const std::string& model_path, const std::string& arch_ref,
                                         const InputShapes& shapes, const std::vector<std::string>& overrides,
                                         std::vector<std::string>& notes);

}  // namespace arraysim::io
