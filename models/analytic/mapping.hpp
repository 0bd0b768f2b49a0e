#pragma once
/// Closed forms of a mapping (docs/mapping.md): a layer's GEMM view cut into scratchpad tiles of
/// given extents, visited in a given loop order, each scratchpad used as one buffer or as two
/// halves. DRAM traffic per operand, a lower bound on the ideal-memory cycles in O(1), the exact
/// ideal-memory cycles by the fold recurrence with the buffer rules of docs/memory.md in O(folds),
/// a lower bound with a DRAM of finite bandwidth and latency, the scratchpad words the array moves
/// and the energy of those actions. Written from the docs, independent of sim/ (own types).
#include <array>
#include <cstdint>

#include "models/analytic/memory.hpp"
#include "models/analytic/systolic.hpp"
#include "models/ir/layer.hpp"

namespace arraysim::analytic {

/// A loop over tiles: output pixels (m), output channels (n), reduction (k).
enum class Loop { m, n, k };
/// Loop order over tiles, outermost first (a permutation of m, n, k); groups run outside all.
using LoopOrder = std::array<Loop, 3>;

/// One mapping of a layer.
struct TileMapping {
  TileExtents tile;  ///< extents; 0 or more than the GEMM: the whole dimension
  LoopOrder order{Loop::m, Loop::n, Loop::k};
  /// Per operand A, B, C: two halves (a tile loads into one while the array reads the other) or
  /// one buffer of the whole capacity.
  std::array<bool, 3> double_buffer{true, true, true};
};

/// Bytes of one element of A (input), B (weight) and C (accumulator, also for partial sums).
struct ElementBytes {
  std::int64_t a = 1, b = 1, c = 4;
};

/// DRAM bytes of a layer under a mapping.
struct MappingTraffic {
  std::int64_t a_read_bytes = 0, b_read_bytes = 0;
  std::int64_t c_read_bytes = 0;   ///< partial sums read back (orders with k outside the C loops)
  std::int64_t c_write_bytes = 0;  ///< outputs, and partial sums written out between k tiles
  std::int64_t total() const { return a_read_bytes + b_read_bytes + c_read_bytes + c_write_bytes; }
};

/// Trip counts of the tile loops and the reuse factors of the loop order (docs/mapping.md):
/// drop the loops of trip count 1; for operand X the factor R_X is the product of the trip counts
/// of the loops outside X's innermost indexing loop that do not index X (A: m, k; B: k, n;
/// C: m, n). A block is loaded again whenever the previous tile had another block of it.
struct TileTrips {
  std::int64_t m = 1, n = 1, k = 1;                    ///< ⌈extent / tile⌉
  std::int64_t reuse_a = 1, reuse_b = 1, reuse_c = 1;  ///< R_A, R_B, R_C
};
TileTrips tile_trips(const ir::GemmDims& g, const TileMapping& m);

/// DRAM traffic: A = G·M·K·R_A, B = G·K·N·R_B elements; C written G·M·N·R_C and read back
/// G·M·N·(R_C − 1) accumulator elements. Exact for a GEMM view read as matrices (gemm, fc, explicit
/// im2col); `a_pass_bytes` > 0 replaces G·M·K·b_a by the bytes one pass over all A blocks reads
/// (implicit im2col reads each block's distinct input elements; conv_a_pass_bytes).
MappingTraffic mapping_traffic(const ir::GemmDims& g, const TileMapping& m, const ElementBytes& e,
                               std::int64_t a_pass_bytes = 0);

/// How the GEMM view's matrices lie in DRAM, for counting whole bursts: A [M][K] (k contiguous;
/// unknown for a convolution read by implicit im2col), B [K][N] (n contiguous: a GEMM) or W
/// [N][K] (k contiguous: a convolution's weights), C [M][N] (n contiguous: a GEMM) or NCHW (m
/// contiguous within an image: a convolution of batch 1; unknown for a larger batch).
struct BurstLayout {
  std::int64_t burst_bytes = 0;  ///< 0: bytes as asked for
  bool a_known = true, c_known = true;
  bool b_n_contiguous = true, c_n_contiguous = true;
};

/// Bursts of `burst_bytes` that `rows` segments of `segment_bytes`, `stride_bytes` apart, touch at
/// least: one run when contiguous; the whole span when the gaps are shorter than a burst (no burst
/// fits in a gap); else ⌈segment / burst⌉ per segment. A lower bound whatever the alignment.
std::int64_t block_bursts(std::int64_t rows, std::int64_t segment_bytes, std::int64_t stride_bytes,
                          std::int64_t burst_bytes);

/// `useful` (mapping_traffic) as whole bursts over the DRAM interface: every block of every pass
/// counted with block_bursts (A and C kept as asked for when their layout is unknown). The DMA fetches
/// and writes whole bursts (docs/memory.md), so this bounds its bytes from below.
MappingTraffic mapping_burst_traffic(const ir::GemmDims& g, const TileMapping& m, const ElementBytes& e,
                                     const BurstLayout& layout, const MappingTraffic& useful);

/// An estimate of the bytes one pass over all A blocks of a convolution lowered by implicit im2col
/// reads: per block, the smaller of its elements and its input footprint (the channels its k
/// range touches × the input rows its output pixels need × the input width). Exact when tiles
/// cover whole images and whole channels; an estimate otherwise (docs/mapping.md).
std::int64_t conv_a_pass_bytes(const ir::Conv2dParams& c, const TileMapping& m, std::int64_t a_elem);

/// Ideal memory, O(1): the fold recurrence runs on across tiles, so the last tile starts at the
/// sum of every other tile's fold advances and ends its own span later (analytic::tiled_cycles'
/// terms). A lower bound of mapping_cycles_ideal (equal when no fold waits for a buffer half and
/// the last tile emits last).
std::int64_t mapping_cycles_lower_bound(Dataflow df, std::int64_t rows, std::int64_t cols, const ir::GemmDims& g,
                                        const TileMapping& m);

/// Ideal memory, exact (O(folds)): the tiles in loop order, each tile's folds in the dataflow's
/// order and recurrence (docs/timing.md), with the buffer rules of docs/memory.md: one load engine
/// and one store engine, each in tile order; a block's half is free the cycle after the last read
/// of the block it held; partial sums are read back after their block's previous store; a tile's
/// first fold waits for its blocks and its output half; the layer ends at the later of its last
/// output + 1 and its last store. Transfers take no time.
std::int64_t mapping_cycles_ideal(Dataflow df, std::int64_t rows, std::int64_t cols, const ir::GemmDims& g,
                                  const TileMapping& m);

/// With a DRAM of `bytes_per_cycle` and `latency_cycles` (per request), a lower bound of the cycles
/// of `m` on a `rows` x `cols` array of dataflow `df` (docs/mapping.md): every time of the ideal
/// schedule moves at least by the first tile's load (latency + its A and B bytes / bandwidth), and
/// the last C block's store takes latency + its bytes / bandwidth after the last output; nor can the
/// layer end before latency + all DRAM bytes / bandwidth, nor before the ideal schedule plus the
/// bytes of its single-buffered operands over the bandwidth (their transfers cannot overlap the
/// folds that wait for them), nor before every block's residency in its halves allows (each block
/// holds a half for its load's latency and bytes and for its visit's folds; h halves hold h blocks).
/// `first_load_bytes`: the DRAM bytes of the first tile's A and B blocks.
std::int64_t mapping_cycles_memory_bound(Dataflow df, std::int64_t rows, std::int64_t cols, std::int64_t ideal_cycles,
                                         const ir::GemmDims& g, const TileMapping& m, const ElementBytes& e,
                                         const MappingTraffic& t, std::int64_t first_load_bytes, double bytes_per_cycle,
                                         std::int64_t latency_cycles);

/// Scratchpad words the array moves over the whole layer (every fold's reads and writes,
/// docs/memory.md): operands A and B read, outputs written, and read back first by every fold
/// that accumulates (k tiles and k folds after the first).
struct ArrayWordCounts {
  std::int64_t a_read = 0, b_read = 0, c_write = 0, c_read = 0;
  std::int64_t folds = 0;
};
ArrayWordCounts mapping_array_words(Dataflow df, std::int64_t rows, std::int64_t cols, const ir::GemmDims& g,
                                    const TileMapping& m);

/// Energy per action in pJ (the arch's energy table resolved for its scratchpad sizes).
struct EnergyRatesPj {
  double mac = 0;
  std::array<double, 3> sram_read_per_byte{}, sram_write_per_byte{};  ///< ifmap, weight, output
  double dram_read_per_byte = 0, dram_write_per_byte = 0;
  double static_per_cycle = 0;
};
/// Energy in pJ of a mapping that takes `cycles`: MACs, the array's scratchpad words, the DMA's
/// scratchpad writes of every loaded block and reads of every stored one, DRAM bytes, leakage.
double mapping_energy_pj(const ir::GemmDims& g, const TileMapping& m, const ElementBytes& e, const ArrayWordCounts& w,
                         const MappingTraffic& t, std::int64_t cycles, const EnergyRatesPj& r);

}  // namespace arraysim::analytic
