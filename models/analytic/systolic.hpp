#pragma once
/// Closed-form cycle counts of a rows×cols systolic array with ideal memory (no stalls), for the
/// three dataflows of arraysim's microarchitecture (docs/timing.md), plus SCALE-Sim v2's
/// stall-free count for the same problem (for comparison only).
///
/// Conventions: cycle 0 is the layer's first cycle; total_cycles = index of the last cycle in
/// which an output is written + 1. A layer is `groups` independent GEMMs
/// C[M][N] = A[M][K]·B[K][N] whose folds run back to back as one fold sequence.
#include <cstdint>

#include "models/ir/layer.hpp"

namespace arraysim::analytic {

/// Which operand stays in the PEs: outputs (os), weights B (ws) or inputs A (is).
/// (Own copy: models/ never includes sim/.)
enum class Dataflow { os, ws, is };

/// Cycle estimate of one layer.
struct SystolicEstimate {
  std::int64_t total_cycles = 0;  ///< cycles, last output cycle index + 1
  std::int64_t folds = 0;         ///< array tiles executed, over all groups
  std::int64_t macs = 0;          ///< useful multiply-accumulates: groups·M·N·K
  double pe_utilization = 0.0;    ///< macs / (rows·cols·total_cycles), in [0, 1]
};

/// One layer given as `g.groups` independent GEMMs C[M][N] = A[M][K]·B[K][N] on a rows×cols
/// array (arraysim's timing, docs/timing.md). O(1). Closed forms (F folds, G groups):
///   WS: F·(R + M − 1) + G·⌈K/R⌉·N + R − 1
///   IS: F·(R + N − 1) + G·⌈K/R⌉·M + R − 1
///   OS: F·K + G·⌈N/C⌉·M + R − 2 + max(C_last, C − K − R_last)  (second term only if ⌈N/C⌉ ≥ 2)
/// with R_last, C_last the rows/columns of the last m-/n-fold. Throws std::invalid_argument unless all of
/// rows, cols, m, n, k, groups are >= 1.
SystolicEstimate systolic_cycles(Dataflow df, std::int64_t rows, std::int64_t cols, const ir::GemmDims& g);

/// SCALE-Sim v2's stall-free cycle count (`Total Cycles − Stall Cycles`) for the same problem, in
/// cycles: folds·(per-fold cost) − 1 with per-fold cost OS K+R+C−2, WS 2R+C+M−2, IS 2R+C+N−2
/// (array dims R, C; edge folds cost as much as full ones). Groups are treated as one layer whose
/// fold loop runs groups times as long (one final −1). Same argument checks as systolic_cycles.
std::int64_t scalesim_v2_cycles(Dataflow df, std::int64_t rows, std::int64_t cols, const ir::GemmDims& g);

/// "os", "ws", "is".
const char* dataflow_name(Dataflow df);

}  // namespace arraysim::analytic
