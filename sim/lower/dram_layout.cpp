#include "sim/lower/dram_layout.hpp"

#include <algorithm>

namespace arraysim::lower {
namespace {
constexpr std::int64_t kAlign = 4096;
std::int64_t align_up(std::int64_t v) { return (v + kAlign - 1) / kAlign * kAlign; }
}  // namespace

AddressGen::AddressGen(const ir::Layer& layer, std::int64_t in_elem, std::int64_t w_elem, std::int64_t acc_elem,
                       config::Lowering lowering)
    : map_(layer), dims_(map_.dims()), in_elem_(in_elem), w_elem_(w_elem), acc_elem_(acc_elem) {
  auto count = [](const ir::Shape& s) {
    std::int64_t n = 1;
    for (const std::int64_t d : s) n *= d;
    return n;
  };
  DramLayout& l = layout_;
  l.input_bytes = count(ir::input_shape(layer)) * in_elem;
  l.weight_bytes = count(ir::weight_shape(layer)) * w_elem;
  l.output_bytes = count(ir::output_shape(layer)) * acc_elem;
  if (layer.kind == ir::LayerKind::conv2d && lowering == config::Lowering::explicit_)
    l.toeplitz_bytes = dims_.groups * dims_.m * dims_.k * in_elem;
  l.input_base = 0;
  l.weight_base = align_up(l.input_base + l.input_bytes);
  l.output_base = align_up(l.weight_base + l.weight_bytes);
  l.toeplitz_base = align_up(l.output_base + l.output_bytes);
  l.end = l.toeplitz_base + l.toeplitz_bytes;
}

std::int64_t AddressGen::a_addr(std::int64_t g, std::int64_t m, std::int64_t k) const {
  if (toeplitz()) return layout_.toeplitz_base + ((g * dims_.m + m) * dims_.k + k) * in_elem_;
  const std::int64_t off = map_.a_offset(g, m, k);
  return off < 0 ? -1 : layout_.input_base + off * in_elem_;
}

std::int64_t AddressGen::b_addr(std::int64_t g, std::int64_t k, std::int64_t n) const {
  return layout_.weight_base + map_.b_offset(g, k, n) * w_elem_;
}

std::int64_t AddressGen::c_addr(std::int64_t g, std::int64_t m, std::int64_t n) const {
  return layout_.output_base + map_.c_offset(g, m, n) * acc_elem_;
}

std::vector<DramRun> merge_runs(std::vector<std::int64_t> addrs, std::int64_t elem) {
  std::sort(addrs.begin(), addrs.end());
  addrs.erase(std::unique(addrs.begin(), addrs.end()), addrs.end());
  std::vector<DramRun> runs;
  for (const std::int64_t a : addrs) {
    if (a < 0) continue;
    if (!runs.empty() && runs.back().addr + runs.back().bytes == a)
      runs.back().bytes += elem;
    else
      runs.push_back({a, elem});
  }
  return runs;
}

template <class F>
const std::vector<DramRun>& AddressGen::runs(std::map<Key, std::vector<DramRun>>& cache, const Key& key,
                                             std::int64_t rows, std::int64_t cols, std::int64_t elem, F addr) {
  auto it = cache.find(key);
  if (it != cache.end()) return it->second;
  // Walk the block along whichever dimension is contiguous in DRAM (B of a convolution is
  // [n][k], its C is [n][pixel]: both run along the block's second index... or first).
  const bool transpose = rows > 1 && cols > 1 && addr(0, 1) != addr(0, 0) + elem && addr(1, 0) == addr(0, 0) + elem;
  const std::int64_t outer = transpose ? cols : rows, inner = transpose ? rows : cols;
  auto at = [&](std::int64_t i, std::int64_t j) { return transpose ? addr(j, i) : addr(i, j); };
  // Every map but implicit im2col is contiguous along a row of the block (or jumps at a batch
  // boundary): take a row as one run when its end lies where contiguity puts it, else element by
  // element. Runs are then sorted and merged.
  std::vector<DramRun> runs;
  std::vector<std::int64_t> scattered;
  for (std::int64_t i = 0; i < outer; ++i) {
    const std::int64_t first = at(i, 0), last = at(i, inner - 1);
    if (first >= 0 && last == first + (inner - 1) * elem) {
      bool contiguous = true;
      if (inner > 2) {  // the middle too (a row may leave and re-enter the range)
        const std::int64_t mid = inner / 2;
        contiguous = at(i, mid) == first + mid * elem;
      }
      if (contiguous) {
        runs.push_back({first, inner * elem});
        continue;
      }
    }
    for (std::int64_t j = 0; j < inner; ++j) scattered.push_back(at(i, j));
  }
  std::vector<DramRun> more = merge_runs(std::move(scattered), elem);
  runs.insert(runs.end(), more.begin(), more.end());
  std::sort(runs.begin(), runs.end(), [](const DramRun& a, const DramRun& b) { return a.addr < b.addr; });
  std::vector<DramRun> merged;
  for (const DramRun& r : runs) {
    if (!merged.empty() && merged.back().addr + merged.back().bytes >= r.addr) {
      merged.back().bytes = std::max(merged.back().bytes, r.addr + r.bytes - merged.back().addr);
    } else {
      merged.push_back(r);
    }
  }
  return cache.emplace(key, std::move(merged)).first->second;
}

/// Implicit im2col: the input elements a block of A touches, marked in a bitmap over the input
/// (taps repeat heavily: a 3x3 kernel names most elements 9 times), then scanned into runs.
const std::vector<DramRun>& AddressGen::implicit_a_runs(const Key& key, std::int64_t g, std::int64_t m0,
                                                        std::int64_t ml, std::int64_t k0, std::int64_t kl) {
  auto it = a_cache_.find(key);
  if (it != a_cache_.end()) return it->second;
  const std::int64_t n_in = layout_.input_bytes / in_elem_;
  std::vector<std::uint8_t>& mark = marks_;
  mark.assign(static_cast<std::size_t>(n_in), 0);
  std::int64_t lo = n_in, hi = -1;
  map_.for_each_a_offset(g, m0, ml, k0, kl, [&](std::int64_t off) {
    mark[static_cast<std::size_t>(off)] = 1;
    lo = std::min(lo, off), hi = std::max(hi, off);
  });
  std::vector<DramRun> runs;
  for (std::int64_t off = lo; off <= hi; ++off) {
    if (!mark[static_cast<std::size_t>(off)]) continue;
    const std::int64_t a = layout_.input_base + off * in_elem_;
    if (!runs.empty() && runs.back().addr + runs.back().bytes == a)
      runs.back().bytes += in_elem_;
    else
      runs.push_back({a, in_elem_});
  }
  return a_cache_.emplace(key, std::move(runs)).first->second;
}

const std::vector<DramRun>& AddressGen::a_runs(std::int64_t g, std::int64_t m0, std::int64_t ml, std::int64_t k0,
                                               std::int64_t kl) {
  if (map_.implicit_im2col() && !toeplitz()) return implicit_a_runs(Key{g, m0, ml, k0, kl}, g, m0, ml, k0, kl);
  return runs(a_cache_, Key{g, m0, ml, k0, kl}, ml, kl, in_elem_,
              [&](std::int64_t i, std::int64_t j) { return a_addr(g, m0 + i, k0 + j); });
}

const std::vector<DramRun>& AddressGen::b_runs(std::int64_t g, std::int64_t k0, std::int64_t kl, std::int64_t n0,
                                               std::int64_t nl) {
  return runs(b_cache_, Key{g, k0, kl, n0, nl}, kl, nl, w_elem_,
              [&](std::int64_t i, std::int64_t j) { return b_addr(g, k0 + i, n0 + j); });
}

const std::vector<DramRun>& AddressGen::c_runs(std::int64_t g, std::int64_t m0, std::int64_t ml, std::int64_t n0,
                                               std::int64_t nl) {
  return runs(c_cache_, Key{g, m0, ml, n0, nl}, ml, nl, acc_elem_,
              [&](std::int64_t i, std::int64_t j) { return c_addr(g, m0 + i, n0 + j); });
}

}  // namespace arraysim::lower
