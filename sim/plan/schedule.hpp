#pragma once
/// Tiling of a lowered GEMM into array folds, per dataflow: plain data, printable, testable
/// without SystemC. The hardware decides *when* each fold runs (sim/hw/controller); this decides
/// *what* each fold computes.
#include <array>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "models/ir/layer.hpp"
#include "sim/config/arch_config.hpp"

namespace arraysim::plan {

/// One fold: the array computes C[m0.., n0..] (+)= A[m0.., k0..] · B[k0.., n0..] for group `group`.
///
/// Mapping onto the R×C array:
///   OS: row i ↔ m0+i, column j ↔ n0+j, time streams k over k_len = K.
///   WS: row i ↔ k0+i, column j ↔ n0+j, stationary B tile, time streams m over m_len = M.
///   IS: row i ↔ k0+i, column j ↔ m0+j, stationary Aᵀ tile, time streams n over n_len = N.
struct Fold {
  std::int64_t index = 0;  ///< position in the layer's fold sequence
  std::int64_t group = 0;
  std::int64_t m0 = 0, m_len = 0;
  std::int64_t n0 = 0, n_len = 0;
  std::int64_t k0 = 0, k_len = 0;
  std::int64_t rows_used = 0;   ///< R_f ≤ R
  std::int64_t cols_used = 0;   ///< C_f ≤ C
  std::int64_t stream_len = 0;  ///< T: cycles of operand injection per row
  bool accumulate = false;      ///< add into the output (a later k-fold) rather than overwrite it
};

/// Extents of a scratchpad tile of one GEMM group: A tile m×k, B tile k×n, C tile m×n.
struct TileShape {
  std::int64_t m = 0, n = 0, k = 0;
  bool operator==(const TileShape& o) const { return m == o.m && n == o.n && k == o.k; }
};

/// How a layer is cut and ordered (docs/mapping.md): the tile extents (clipped to the GEMM; 0 =
/// the whole dimension), the loop order over tiles (outermost first; groups run outside all), and
/// per operand (A, B, C) whether its scratchpad is used as two halves, one filling while the array
/// reads the other, or as one buffer of the whole capacity.
struct Mapping {
  TileShape tile;
  config::LoopOrder order{config::GemmLoop::m, config::GemmLoop::n, config::GemmLoop::k};
  std::array<bool, 3> double_buffer{true, true, true};
  bool operator==(const Mapping& o) const {
    return tile == o.tile && order == o.order && double_buffer == o.double_buffer;
  }
};
/// "tile 128x64x576, order m n k, halves 2 2 2" (the spelling of summaries and `arraysim map`).
std::string to_string(const Mapping& m);
/// "mnk": the loop order as a word (the spelling of configuration keys and stats).
std::string order_word(const config::LoopOrder& o);

/// One scratchpad tile: a block of the GEMM whose operands are resident in the scratchpads while
/// the array runs its folds [fold_begin, fold_end). Tiles run in the mapping's loop order.
/// Consecutive tiles with the same C block form a visit of that block; with k innermost a block
/// has one visit, otherwise it is visited once per k tile and its partial sums go out to DRAM
/// between visits and come back at the next one.
struct Tile {
  std::int64_t index = 0;
  std::int64_t group = 0;
  std::int64_t m0 = 0, m_len = 0, n0 = 0, n_len = 0, k0 = 0, k_len = 0;
  std::int64_t fold_begin = 0, fold_end = 0;
  /// Loads: false when the previous tile had the same A (B) block, which then stays resident.
  bool load_a = true, load_b = true;
  /// The first tile of a visit of its C block: takes an output-buffer half.
  bool new_c = true;
  /// A visit that continues partial sums (new_c with k0 > 0): they are read back from DRAM first.
  bool load_c = false;
  /// The last tile of a visit: its C block is stored to DRAM after its last fold (partial sums
  /// unless the visit ends the k dimension).
  bool store_c = true;
  /// Buffer half (0, or 0/1 when double-buffered) holding this tile's A, B and C blocks.
  int a_slot = 0, b_slot = 0, c_slot = 0;
};

/// The tiles of one layer on one array and, generated on demand, their folds: a schedule holds
/// O(tiles) memory, never O(folds), so a layer of 2^40 MACs on a small array costs its tiles only.
struct Schedule {
  config::Dataflow dataflow = config::Dataflow::os;
  std::int64_t rows = 0, cols = 0;
  ir::GemmDims dims;
  TileShape tile;  ///< the tile extents (edge tiles may be smaller)
  Mapping mapping;
  std::vector<Tile> tiles;
  std::int64_t fold_count = 0;  ///< folds of all tiles
  /// The extents folds are cut by: the array's rows and columns, or the whole GEMM's m and n for
  /// the vector unit (one fold per tile).
  std::int64_t fold_rows = 0, fold_cols = 0;
  /// The tile holding fold f (0 ≤ f < fold_count); O(log tiles).
  std::int64_t tile_of(std::int64_t f) const;
  /// Fold f, generated from its tile by the dataflow object.
  Fold fold(std::int64_t f) const;
};

/// The (start, length) pieces of [0, total) of at most `step` elements each, in order.
std::vector<std::pair<std::int64_t, std::int64_t>> pieces(std::int64_t total, std::int64_t step);

/// Buffer halves per scratchpad for slot assignment: 2 when double-buffered, else 1.
struct SlotCounts {
  int a = 2, b = 2, c = 2;
};

/// Tiles `dims` (all groups) by `mapping` and each tile into folds for `df` on a rows×cols array.
/// A fold accumulates (adds into C) when its k0 > 0. With one tile this is the untiled schedule.
Schedule make_schedule(config::Dataflow df, std::int64_t rows, std::int64_t cols, const ir::GemmDims& dims,
                       const Mapping& mapping = {});

/// Scratchpad budgets of a tile choice: bytes per tile (half the buffer when double-buffered) and
/// bytes per element of A, B and C.
struct TileBudget {
  std::int64_t a_bytes = 0, b_bytes = 0, c_bytes = 0;
  std::int64_t a_elem = 1, b_elem = 1, c_elem = 1;
};

/// Which buffer cannot hold even the smallest tile, for the configuration error.
struct TileFitError {
  std::string buffer;         ///< "ifmap", "weight" or "output"
  std::int64_t budget_bytes;  ///< bytes available to one tile
  std::int64_t need_bytes;    ///< bytes of the smallest tile
  std::string shape;          ///< the smallest tile, e.g. "128 x 1 elements x 1 byte"
};

/// The vector unit's tile rule (docs/vector.md; the systolic array's tiles come from the mapper,
/// docs/mapping.md): start from the whole GEMM; while a buffer overflows (checked in the order
/// output, ifmap, weight), halve — in granules — the larger of that buffer's two dimensions,
/// granules being the array dimension the dataflow maps there (OS: m by R, n by C, k by 1; WS: m
/// by 1, n by C, k by R; IS: m by C, n by 1, k by R). Returns the tile, or the error when the
/// smallest tile does not fit.
TileShape choose_tile(config::Dataflow df, std::int64_t rows, std::int64_t cols, const ir::GemmDims& dims,
                      const TileBudget& budget, TileFitError* error);

/// One line per tile and per fold, for `arraysim run --dump-schedule`.
std::string to_string(const Schedule& s);

}  // namespace arraysim::plan
