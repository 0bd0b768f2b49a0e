#pragma once
/// Mappings of a GEMM onto an L-lane vector unit as data (docs/vector.md): which loop runs
/// across the lanes, the order of the outer loops, hoisting; the step sequence of one fold and its
/// counts (words read and written, cycles), by walking the steps. Plain data, no SystemC.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "models/ir/layer.hpp"
#include "sim/config/arch_config.hpp"
#include "sim/plan/schedule.hpp"

namespace arraysim::plan {

/// What the lanes can move per cycle: each scratchpad's read bandwidth in bytes per cycle (banks ×
/// read_ports × word_bytes; the output scratchpad serves the lanes' reads and writes of C) and the
/// element sizes in bytes (A input, B weight, C accumulator). Invariant: every field ≥ 1.
struct VectorPorts {
  std::int64_t ifmap_bytes_per_cycle = 1, weight_bytes_per_cycle = 1, output_bytes_per_cycle = 1;
  std::int64_t a_elem = 1, b_elem = 1, c_elem = 1;
};

/// The vector unit's shape and ports: lanes L ≥ 1, register file words, ports.
struct VectorUnitShape {
  std::int64_t lanes = 1;
  std::int64_t register_entries = 3;
  VectorPorts ports;
};

/// Counts over a set of steps. Words are elements (32-bit words when the operands are 32-bit);
/// register-file hits are not scratchpad reads.
struct VectorCounts {
  std::int64_t steps = 0;                            ///< loop-nest steps (one iteration of the innermost outer loop)
  std::int64_t cycles = 0;                           ///< Σ cycles per step = Σ max(1, port cycles of the step)
  std::int64_t macs = 0;                             ///< Σ active lanes
  std::int64_t a_read_words = 0, b_read_words = 0;   ///< input and weight words read from the scratchpads
  std::int64_t c_read_words = 0, c_write_words = 0;  ///< output words read (accumulate) and written
  std::int64_t stall_read_bandwidth_cycles = 0;  ///< Σ (cycles per step − 1): steps the ports, not the lanes, bound
  VectorCounts& operator+=(const VectorCounts& o);
  bool operator==(const VectorCounts& o) const;
};

/// One step: lane j works on the GEMM element whose parallel index is lane-0's plus j.
struct VectorStep {
  std::int64_t m = 0, n = 0, k = 0;  ///< fold-relative indices of lane 0
  std::int64_t lanes = 0;            ///< active lanes l ≤ L (fewer in the last step along the parallel loop)
  std::int64_t a_words = 0, b_words = 0, c_read_words = 0, c_write_words = 0;  ///< scratchpad words
  bool read_a = false, read_b = false;  ///< the operand comes from the scratchpad (else from a register)
  bool c_first = false;                 ///< first step of this output's k-run inside the fold
  bool c_last = false;                  ///< last step of this output's k-run inside the fold
  bool c_held = false;                  ///< the accumulator stays in a register across the k-run
  std::int64_t cycles = 1;              ///< max(1, ⌈bytes of each scratchpad / its bytes per cycle⌉)
};

/// Calls `f(step)` for every step of a fold of extents m×n×k (in loop-nest order) under mapping
/// `map` on `unit`; `accumulate`: the fold adds into C (its tile is not the first k-tile).
template <class F>
void for_each_vector_step(const config::VectorMapping& map, const VectorUnitShape& unit, std::int64_t m, std::int64_t n,
                          std::int64_t k, bool accumulate, F&& f);

/// Counts of one fold, by walking its steps.
VectorCounts count_vector_fold(const config::VectorMapping& map, const VectorUnitShape& unit, std::int64_t m,
                               std::int64_t n, std::int64_t k, bool accumulate);

/// Register-file words the mapping holds: hoisted operands (L words when they vary across lanes,
/// 1 for a broadcast value) and held accumulators.
std::int64_t vector_register_words(const config::VectorMapping& map, std::int64_t lanes);

/// Every mapping: parallel k, n, m × the 6 orders × hoist on, off (36), in that order.
std::vector<config::VectorMapping> all_vector_mappings();

/// Per fold of `s`: its counts (identical folds are counted once).
std::vector<VectorCounts> count_vector_schedule(const config::VectorMapping& map, const VectorUnitShape& unit,
                                                const Schedule& s);

/// The largest tile that fits, by choose_tile's rule with granules of L along the parallel loop
/// and 1 along the others; like choose_tile, an empty tile (m == 0) and `*error` when none fits.
TileShape choose_vector_tile(config::GemmLoop parallel, std::int64_t lanes, const ir::GemmDims& dims,
                             const TileBudget& budget, TileFitError* error);
/// The tiled schedule of a vector unit: make_schedule's tiles, one fold per tile (the lanes walk
/// the whole tile).
Schedule make_vector_schedule(const ir::GemmDims& dims, TileShape tile, SlotCounts slots);

// ------------------------------------------------------------------------------------------
template <class F>
void for_each_vector_step(const config::VectorMapping& map, const VectorUnitShape& unit, std::int64_t m, std::int64_t n,
                          std::int64_t k, bool accumulate, F&& f) {
  using config::GemmLoop;
  const std::int64_t L = unit.lanes;
  const int p = static_cast<int>(map.parallel);
  const std::array<std::int64_t, 3> extent{m, n, k};  // indexed by GemmLoop
  std::array<std::int64_t, 3> iters = extent;
  iters[p] = (extent[p] + L - 1) / L;
  const int o0 = static_cast<int>(map.order[0]), o1 = static_cast<int>(map.order[1]),
            in = static_cast<int>(map.order[2]);
  const int im = static_cast<int>(GemmLoop::m), ink = static_cast<int>(GemmLoop::k),
            inn = static_cast<int>(GemmLoop::n);
  const bool a_var = p == im || p == ink, b_var = p == ink || p == inn, c_var = p == im || p == inn;
  const bool a_held = map.hoist && in == inn, b_held = map.hoist && in == im, c_held = map.hoist && in == ink;
  const VectorPorts& pt = unit.ports;
  auto cdiv = [](std::int64_t a, std::int64_t b) { return (a + b - 1) / b; };
  std::array<std::int64_t, 3> idx{0, 0, 0};
  for (idx[o0] = 0; idx[o0] < iters[o0]; ++idx[o0])
    for (idx[o1] = 0; idx[o1] < iters[o1]; ++idx[o1])
      for (idx[in] = 0; idx[in] < iters[in]; ++idx[in]) {
        VectorStep s;
        const std::int64_t lanes = std::min(L, extent[p] - idx[p] * L);
        s.m = idx[im] * (p == im ? L : 1);
        s.n = idx[inn] * (p == inn ? L : 1);
        s.k = idx[ink] * (p == ink ? L : 1);
        s.lanes = lanes;
        s.read_a = !a_held || idx[in] == 0;
        s.read_b = !b_held || idx[in] == 0;
        s.a_words = s.read_a ? (a_var || !map.hoist ? lanes : 1) : 0;
        s.b_words = s.read_b ? (b_var || !map.hoist ? lanes : 1) : 0;
        s.c_first = idx[ink] == 0;
        s.c_last = idx[ink] == iters[ink] - 1;
        s.c_held = c_held;
        const std::int64_t cw = c_var ? lanes : 1;
        if (c_held) {
          s.c_read_words = s.c_first && accumulate ? cw : 0;
          s.c_write_words = s.c_last ? cw : 0;
        } else {
          s.c_read_words = !s.c_first || accumulate ? cw : 0;
          s.c_write_words = cw;
        }
        s.cycles =
            std::max<std::int64_t>({1, cdiv(s.a_words * pt.a_elem, pt.ifmap_bytes_per_cycle),
                                    cdiv(s.b_words * pt.b_elem, pt.weight_bytes_per_cycle),
                                    cdiv((s.c_read_words + s.c_write_words) * pt.c_elem, pt.output_bytes_per_cycle)});
        f(s);
      }
}

}  // namespace arraysim::plan
