#pragma once
/// Where a layer's tensors live in DRAM and which DRAM bytes each scratchpad tile moves: the DMA's
/// address generator (docs/memory.md). Plain data, no SystemC.
#include <cstdint>
#include <map>
#include <tuple>
#include <vector>

#include "models/ir/layer.hpp"
#include "sim/config/arch_config.hpp"
#include "sim/lower/im2col.hpp"

namespace arraysim::lower {

/// A contiguous range of DRAM bytes.
struct DramRun {
  std::int64_t addr = 0, bytes = 0;
};

/// Byte regions of one layer in DRAM, each aligned to 4 KiB: the input tensor (NCHW or [M][K]),
/// the weight tensor ([OC][C/g][R][S] or [K][N]), the output tensor in the accumulator type, and
/// with explicit lowering of a convolution the Toeplitz matrices A_g [M][K] of every group.
struct DramLayout {
  std::int64_t input_base = 0, input_bytes = 0;
  std::int64_t weight_base = 0, weight_bytes = 0;
  std::int64_t output_base = 0, output_bytes = 0;
  std::int64_t toeplitz_base = 0, toeplitz_bytes = 0;  ///< 0 bytes unless explicit lowering of a conv
  std::int64_t end = 0;                                ///< bytes spanned, padding included
  std::int64_t footprint_bytes() const { return input_bytes + weight_bytes + output_bytes + toeplitz_bytes; }
};

/// The DMA address generator of one layer: element sizes in bytes, the lowering and the layout.
class AddressGen {
 public:
  AddressGen(const ir::Layer& layer, std::int64_t in_elem, std::int64_t w_elem, std::int64_t acc_elem,
             config::Lowering lowering);

  const DramLayout& layout() const { return layout_; }
  const OperandMap& map() const { return map_; }
  /// True for a convolution lowered explicitly: A tiles are read from the Toeplitz region.
  bool toeplitz() const { return layout_.toeplitz_bytes > 0; }

  /// DRAM byte address of A_g[m][k] (Toeplitz region when explicit, else the input element the
  /// im2col map names), or -1 for a padding tap (implicit: no byte is read, the value is 0).
  std::int64_t a_addr(std::int64_t g, std::int64_t m, std::int64_t k) const;
  std::int64_t b_addr(std::int64_t g, std::int64_t k, std::int64_t n) const;
  std::int64_t c_addr(std::int64_t g, std::int64_t m, std::int64_t n) const;

  /// The distinct DRAM bytes of a tile's A block (m0..m0+ml, k0..k0+kl), B block or C block, as
  /// sorted, merged runs. Implicit lowering reads every input element the block names once: the
  /// duplication of im2col happens on chip. Cached per block.
  const std::vector<DramRun>& a_runs(std::int64_t g, std::int64_t m0, std::int64_t ml, std::int64_t k0,
                                     std::int64_t kl);
  const std::vector<DramRun>& b_runs(std::int64_t g, std::int64_t k0, std::int64_t kl, std::int64_t n0,
                                     std::int64_t nl);
  const std::vector<DramRun>& c_runs(std::int64_t g, std::int64_t m0, std::int64_t ml, std::int64_t n0,
                                     std::int64_t nl);

 private:
  using Key = std::tuple<std::int64_t, std::int64_t, std::int64_t, std::int64_t, std::int64_t>;
  template <class F>
  const std::vector<DramRun>& runs(std::map<Key, std::vector<DramRun>>& cache, const Key& key, std::int64_t rows,
                                   std::int64_t cols, std::int64_t elem, F addr);

  const std::vector<DramRun>& implicit_a_runs(const Key& key, std::int64_t g, std::int64_t m0, std::int64_t ml,
                                              std::int64_t k0, std::int64_t kl);

  OperandMap map_;
  ir::GemmDims dims_;
  std::vector<std::uint8_t> marks_;  ///< scratch bitmap over the input elements
  std::int64_t in_elem_, w_elem_, acc_elem_;
  DramLayout layout_;
  std::map<Key, std::vector<DramRun>> a_cache_, b_cache_, c_cache_;
};

/// Sorted distinct element addresses (-1 skipped) of `elem` bytes each, merged into runs.
std::vector<DramRun> merge_runs(std::vector<std::int64_t> addrs, std::int64_t elem);

}  // namespace arraysim::lower
