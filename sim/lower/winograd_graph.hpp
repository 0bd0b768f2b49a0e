#pragma once
/// arch.lowering winograd_f2 / winograd_f4 on a whole-graph experiment (docs/transforms.md): which
/// convolutions the transform serves, and the GEMM layers each of them runs as.
#include <string>
#include <vector>

#include "sim/config/experiment.hpp"

namespace arraysim::lower {

/// With e.arch.transform a Winograd F(m×m, 3×3) and e.graph set: every fp32 conv2d that
/// winograd_applies() accepts and that has one group gets, instead of its conv layer, α² = (m + 2)²
/// GEMM layers NAME.winograd[k] of (N·⌈P/m⌉·⌈Q/m⌉ tiles × C) · (C × OC) (winograd_counts), and an
/// entry in e.graph->winograd; the others stay implicit im2col. Appends one note to `notes`: how
/// many it served, naming the others. Does nothing without a transform.
void lower_winograd(config::Experiment& e, std::vector<std::string>& notes);

}  // namespace arraysim::lower
