#pragma once
/// Workloads in YAML: an ordered list of layers (gemm, fc, conv2d) and the seed of their data.
#include <yaml-cpp/yaml.h>

#include <cstddef>

#include "models/ir/layer.hpp"
#include "sim/config/yaml_reader.hpp"

namespace arraysim::config {

/// Most layers one workload may have (and so an imported SCALE-Sim topology or ONNX model): far
/// above whole networks decomposed per attention head, and a bound on the memory and time that
/// loading and planning take (docs/config.md, Limits).
constexpr std::size_t kMaxLayers = 16384;

/// Parses and validates a workload mapping (shapes, cross-field rules, unique layer names).
ir::Network parse_workload(MapReader& r);
/// The workload in canonical long-form keys, for effective_config.yaml.
void emit_workload(YAML::Emitter& out, const ir::Network& n);
/// One layer as a mapping in canonical long-form keys (the style of the enclosing emitter applies).
void emit_layer(YAML::Emitter& out, const ir::Layer& l);

}  // namespace arraysim::config
