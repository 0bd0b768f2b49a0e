#pragma once
/// The systolic array's edge reads through the banked scratchpads (docs/memory.md, "Array
/// side"). Every cycle of a fold the array reads whole edge vectors from its input halves (the
/// dataflow's access trace names their byte addresses); a vector whose words need more than one
/// cycle of its banks' read ports holds the fold back by the extra cycles. The fold's reads go
/// into its edge registers ahead of its stream, so the fold starts that many cycles later (the
/// same end as freezing the stream at each such vector); both fidelities start it there.
#include <array>
#include <cstdint>

#include "sim/config/arch_config.hpp"
#include "sim/hw/banked_scratchpad.hpp"
#include "sim/plan/dataflow.hpp"
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

}  // namespace arraysim::hw
