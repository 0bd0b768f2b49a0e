#pragma once
/// Workloads in YAML: an ordered list of layers (gemm, fc, conv2d) and the seed of their data.
#include <yaml-cpp/yaml.h>

#include <cstddef>

#include "models/ir/layer.hpp"
#include "sim/config/arch_config.hpp"
#include "sim/config/yaml_reader.hpp"

namespace arraysim::config {

/// Most layers one workload may have (and so an imported SCALE-Sim topology or ONNX model): far
/// above whole networks decomposed per attention head, and a bound on the memory and time that
/// loading and planning take (docs/config.md, Limits).
constexpr std::size_t kMaxLayers = 16384;

/// Parses and validates a workload mapping (shapes, cross-field rules, unique layer names). A
/// layer's own `mapping` (docs/mapping.md) goes to `mappings` (one entry per layer, empty when the
/// layer has none).
ir::Network parse_workload(MapReader& r, std::vector<MappingConfig>* mappings = nullptr);
/// The workload in canonical long-form keys, for effective_config.yaml; `mappings` (may be null)
/// adds each layer's own mapping.
void emit_workload(YAML::Emitter& out, const ir::Network& n, const std::vector<MappingConfig>* mappings = nullptr);
/// One layer as a mapping in canonical long-form keys (the style of the enclosing emitter applies),
/// with its own mapping when `mapping` is non-null and not empty.
void emit_layer(YAML::Emitter& out, const ir::Layer& l, const MappingConfig* mapping = nullptr);

}  // namespace arraysim::config
