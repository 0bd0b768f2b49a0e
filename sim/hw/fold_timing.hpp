#pragma once
/// When each fold runs: the controller's counters. Derivations in docs/timing.md.
#include <cstdint>
#include <vector>

#include "sim/sched/schedule.hpp"

namespace arraysim::hw {

/// Cycle numbers (from the layer's first cycle) of one fold.
struct FoldTiming {
  std::int64_t load_start = 0;    ///< WS/IS: first cycle of the stationary load (= stream_start - R)
  std::int64_t stream_start = 0;  ///< first operand enters PE(0,0)
  std::int64_t last_output = 0;   ///< cycle in which the fold's last output leaves the array
};

/// Timing of every fold of a schedule under the issue rules:
///   WS/IS: L_0 = 0, s_f = L_f + R, L_{f+1} = s_f + T_f + C_f - 1,
///          last output s_f + T_f + R + C_f - 3;
///   OS:    s_0 = 0, s_{f+1} = s_f + K + R_f, last output s_f + K + R_f + C_f + R - 3.
/// The layer ends with the latest last_output over all folds (in OS a narrow final fold can end
/// before the full-width fold ahead of it).
std::vector<FoldTiming> fold_timing(const sched::Schedule& s);

}  // namespace arraysim::hw
