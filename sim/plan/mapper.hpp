#pragma once
/// The mapper (docs/mapping.md): the tile extents, the loop order over tiles and the buffering of
/// each scratchpad for one layer on the systolic array, searched or given. It enumerates a
/// documented space of mappings that fit the scratchpads, ranks them by the closed forms of
/// models/analytic/mapping.hpp (an O(1) lower bound first, the exact ideal-memory recurrence for
/// the candidates that can still win, branch and bound), and can confirm the best few with the
/// cycle model through a callback (plans never include the hardware).
#include <cstdint>
#include <string>
#include <optional>
#include <vector>

#include "models/analytic/mapping.hpp"
#include "sim/config/arch_config.hpp"
#include "sim/plan/schedule.hpp"

namespace arraysim::plan {

/// One mapping with what the closed forms predict for it.
struct MappingCandidate {
  Mapping mapping;
  analytic::MappingTraffic traffic;     ///< DRAM bytes per operand
  std::int64_t lower_bound_cycles = 0;  ///< O(1) bound, ideal memory (then the memory bound)
  std::int64_t ideal_cycles = -1;       ///< exact with ideal memory; −1: not evaluated
  std::int64_t cycles = -1;             ///< ideal_cycles with the DRAM's bound applied (= ideal_cycles for ideal DRAM)
  double energy_pj = 0;                 ///< at `cycles` (or the bound when not evaluated)
  std::int64_t tiles = 0;
  std::int64_t confirmed_cycles = -1;  ///< from the cycle model, when confirmed; −1: not
};

/// Candidates the mapper confirms with the cycle model when arch.mapping.confirm is not given.
inline constexpr std::int64_t kDefaultConfirm = 1;

/// The mapper's answer for one layer.
struct MappingChoice {
  MappingCandidate chosen;
  /// The best candidates in rank order, evaluated exactly: at least the `top` asked for and, when
  /// `confirmable`, arch.mapping.confirm of them.
  std::vector<MappingCandidate> best;
  std::int64_t considered = 0;  ///< mappings of the space that fit the scratchpads
  std::int64_t evaluated = 0;   ///< evaluated exactly (the rest were bounded out)
  std::int64_t confirmed = 0;   ///< confirmed with the cycle model (the plan stage)
  /// The closed form only bounds the cycles from below (a real DRAM, the cycles objective, mapper
  /// search): the plan stage confirms the best candidates with the cycle model.
  bool confirmable = false;
  /// Confirmation stopped at arch.mapping.confirm while an unconfirmed candidate's bound was still
  /// below the best confirmed cycles.
  bool bound_open = false;
  bool searched = true;  ///< false: mapper fixed
  /// When `confirmable`: the halving rule's mapping (plan::choose_tile with the scratchpads as
  /// configured, order m n k), which the plan stage confirms beside the best candidate, so that the
  /// choice is never slower than that rule by the cycle model (docs/mapping.md). Not set when it is
  /// one of `best` or does not fit.
  std::optional<MappingCandidate> rule;
};

/// The closed forms' own dataflow type and view of a mapping (models/ never includes sim/).
analytic::Dataflow analytic_dataflow(config::Dataflow df);
analytic::TileMapping to_analytic(const Mapping& m);

/// The mapping of layer `l` (GEMM view `dims`) on `arch`'s systolic array under `cfg` (arch.mapping
/// with the layer's own mapping over it). `top`: how many of the best candidates to keep in
/// MappingChoice::best at least. Throws config::ConfigError (at the tile given by hand, or at the
/// scratchpad's size_kib) when no mapping fits.
MappingChoice choose_mapping(const config::ArchConfig& arch, const ir::Layer& l, const ir::GemmDims& dims,
                             const config::MappingConfig& cfg, std::size_t top = 1);

/// The balanced tile extents of a dimension of `total` in granules of `granule` (docs/mapping.md):
/// for every tile count T from 1 to ⌈total/granule⌉, the smallest multiple of the granule that
/// needs at most T tiles, distinct, largest first.
std::vector<std::int64_t> balanced_extents(std::int64_t total, std::int64_t granule);

}  // namespace arraysim::plan

namespace arraysim::plan {

/// `arraysim map` text of one layer (docs/mapping.md): a header line with the GEMM, how many
/// mappings fit, were evaluated exactly and confirmed, then the best `top` candidates in rank order
/// with their tile, loop order, buffer halves, predicted cycles (closed form; and the cycle model's
/// where confirmed), DRAM bytes and energy, the chosen one marked.
std::string map_text(const std::string& layer, const ir::GemmDims& dims, const MappingChoice& c, std::size_t top);

}  // namespace arraysim::plan
