#pragma once
/// The systolic array's edge reads through the banked scratchpads (docs/memory.md, "Array
/// side"). Every cycle of a fold the array reads whole edge vectors from its input halves (the
/// dataflow's access trace names their byte addresses); a vector whose words need more than one
/// cycle of its banks' read ports holds the fold back by the extra cycles. The fold's reads go
/// into its edge registers ahead of its stream, so the fold starts that many cycles later (the
/// same end as freezing the stream at each such vector); both fidelities start it there.
///
/// The vector unit's lanes read A and B and read and write C through the same banks (LanePorts,
/// docs/vector.md "Banks"): a step whose accesses need more cycles of their banks' ports than the
/// port bandwidth gives it holds its fold back by the difference, counted the same way.
#include <array>
#include <cstdint>
#include <map>
#include <tuple>

#include "sim/config/arch_config.hpp"
#include "sim/hw/banked_scratchpad.hpp"
#include "sim/plan/dataflow.hpp"
#include "sim/plan/plan.hpp"
#include "sim/plan/schedule.hpp"

namespace arraysim::hw {

/// What a fold's edge reads cost beyond one cycle per read cycle.
struct EdgeReadCost {
  std::int64_t cycles = 0;     ///< Σ over the fold's read cycles of max over its vectors (bank cycles − 1)
  std::int64_t conflicts = 0;  ///< word reads that waited for a port of their bank
};

class EdgeReadPorts {
 public:
  explicit EdgeReadPorts(const config::ArchConfig& arch);

  /// The extra cycles and conflicts of fold `f` of `s`, from its reads' addresses in its tile's
  /// halves (the layouts of docs/memory.md).
  EdgeReadCost cost(const plan::Schedule& s, std::int64_t f) const;

 private:
  std::array<BankedScratchpad, 2> spads_;  ///< ifmap (A), weight (B)
  std::array<std::int64_t, 2> ports_{};    ///< their read ports
  plan::TraceLayout halves_;               ///< plan::scratchpad_halves
  /// No edge vector can ever wait: low-order interleave one word deep, every half starting on a
  /// word, and enough banks × read ports for a vector starting anywhere (config::vector_words_max).
  /// cost() is then 0 for every fold without looking at addresses.
  bool conflict_free_ = true;
};

/// The vector lanes' accesses through the banked scratchpads. In its tile's halves every block is
/// laid out with the lane dimension contiguous (docs/vector.md, "Strided accesses"): a step reads
/// its varying operand as l consecutive elements from lane 0's, an operand that does not vary
/// across the lanes as one element (the bank reads it once; the read network delivers it to every
/// lane that needs it, which the port bandwidth charges), and C as its l (or 1, parallel k)
/// accumulators read and then written through the output scratchpad's read ports.
class LanePorts {
 public:
  explicit LanePorts(const config::ArchConfig& arch);

  /// What fold `f` of vector layer `p` costs beyond the port-bandwidth cycles of its steps
  /// (plan::VectorStep::cycles): Σ over steps of the bank cycles beyond them, and the word
  /// accesses that found their bank's ports taken within them.
  EdgeReadCost cost(const plan::LayerPlan& p, std::int64_t f) const;

 private:
  EdgeReadCost walk(const plan::LayerPlan& p, const plan::Fold& fo, const plan::Tile& t,
                    const plan::TraceLayout& l) const;

  std::array<BankedScratchpad, 3> spads_;  ///< ifmap (A), weight (B), output (C)
  std::array<std::int64_t, 3> ports_{};    ///< their read ports
  plan::VectorUnitShape unit_;
  plan::TraceLayout halves_;
  /// Folds with the same extents, accumulation, offsets in their tile, tile extents, halves and
  /// mapping cost the same.
  using Key =
      std::tuple<std::int64_t, std::int64_t, std::int64_t, bool, std::int64_t, std::int64_t, std::int64_t, std::int64_t,
                 std::int64_t, std::int64_t, std::int64_t, std::int64_t, std::int64_t, int, int, int, bool>;
  mutable std::map<Key, EdgeReadCost> cache_;
};

}  // namespace arraysim::hw
