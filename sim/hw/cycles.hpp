#pragma once
/// Cycle arithmetic shared by the hardware model: SystemC time to core cycles and back.
#include <cmath>
#include <cstdint>

namespace arraysim::hw {

/// ⌈x⌉ for a cycle time computed in floating point (a hair below an integer counts as it).
inline std::int64_t ceil_cycle(double x) { return static_cast<std::int64_t>(std::ceil(x - 1e-6)); }
/// ⌊x⌋ for a cycle time computed in floating point (a hair below an integer counts as it).
inline std::int64_t floor_cycle(double x) { return static_cast<std::int64_t>(std::floor(x + 1e-9)); }

}  // namespace arraysim::hw
