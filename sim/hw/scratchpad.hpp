#pragma once
/// The scratchpads' tile buffers in values fidelity: per operand one half, or two when
/// double-buffered, each holding one tile block row-major in the array's element types (A [m][k]
/// and B [k][n] as TIn, C [m][n] as TAcc), which is how the compute units read them. The memory
/// engine fills and drains them through the type-free TileBuffers interface; their timing (ports,
/// banks) is the memory engine's and the DMA's (docs/memory.md).
#include <cstdint>
#include <cstring>
#include <vector>

#include "models/ir/dtype.hpp"
#include "models/numeric/float_formats.hpp"
#include "sim/lower/dram_layout.hpp"
#include "sim/plan/dataflow.hpp"
#include "sim/plan/schedule.hpp"

namespace arraysim::hw {

/// The memory engine's view of the tile buffers (values fidelity).
class TileBuffers {
 public:
  virtual ~TileBuffers() = default;
  /// Sizes every half for tiles of extents `t` (the layer's largest tile).
  virtual void begin_layer(const plan::TileShape& t) = 0;
  /// Loads the A (op a), B (op b) or C (op c: partial sums, accumulator type) block of tile `t`
  /// into half `slot` from `dram`, the DMA's copy of DRAM indexed by DRAM address; implicit
  /// padding taps (address −1) are 0.
  virtual void fill(plan::Operand op, int slot, const plan::Tile& t, const lower::AddressGen& addr,
                    const unsigned char* dram) = 0;
  /// Writes the C block of tile `t` from half `slot` into `dram` at its DRAM addresses.
  virtual void drain(int slot, const plan::Tile& t, const lower::AddressGen& addr, unsigned char* dram) const = 0;
};

/// The narrow float at `p` (element type E of models/numeric/float_formats.hpp) decoded to fp32,
/// exactly.
template <class E> float load_narrow(const unsigned char* p) {
  E v;
  std::memcpy(&v, p, sizeof v);
  return static_cast<float>(v);
}

/// Element bytes at `p` holding a `dt` value, converted to T. The narrow floats are decoded to
/// fp32 (exact) on the way from the DMA into the tile buffers, so the compute units see fp32
/// operands whose products are exact in fp32 (docs/numerics.md).
template <class T> T load_element(const unsigned char* p, ir::DType dt) {
  switch (dt) {
    case ir::DType::int8: {
      std::int8_t v;
      std::memcpy(&v, p, 1);
      return static_cast<T>(v);
    }
    case ir::DType::int16: {
      std::int16_t v;
      std::memcpy(&v, p, 2);
      return static_cast<T>(v);
    }
    case ir::DType::int32: {
      std::int32_t v;
      std::memcpy(&v, p, 4);
      return static_cast<T>(v);
    }
    case ir::DType::int64: {
      std::int64_t v;
      std::memcpy(&v, p, 8);
      return static_cast<T>(v);
    }
    case ir::DType::fp32: {
      float v;
      std::memcpy(&v, p, 4);
      return static_cast<T>(v);
    }
    case ir::DType::bf16: return static_cast<T>(load_narrow<numeric::Bf16>(p));
    case ir::DType::fp16: return static_cast<T>(load_narrow<numeric::Fp16>(p));
    case ir::DType::fp8_e4m3: return static_cast<T>(load_narrow<numeric::Fp8E4M3>(p));
    case ir::DType::fp8_e5m2: return static_cast<T>(load_narrow<numeric::Fp8E5M2>(p));
  }
  return T{};
}

/// The typed halves. `input_dtype`/`weight_dtype` are the DRAM element types of A and B (the
/// array computes in TIn, which is the wider of the two; float for fp32 and the narrow floats).
template <class TIn, class TAcc> class Scratchpads final : public TileBuffers {
 public:
  Scratchpads(ir::DType input_dtype, ir::DType weight_dtype) : a_type_(input_dtype), b_type_(weight_dtype) {}

  void begin_layer(const plan::TileShape& t) override {
    for (int i = 0; i < 2; ++i) {
      a_[i].assign(static_cast<std::size_t>(t.m * t.k), TIn{});
      b_[i].assign(static_cast<std::size_t>(t.k * t.n), TIn{});
      c_[i].assign(static_cast<std::size_t>(t.m * t.n), TAcc{});
    }
  }

  void fill(plan::Operand op, int slot, const plan::Tile& t, const lower::AddressGen& addr,
            const unsigned char* dram) override {
    if (op == plan::Operand::a) {
      TIn* dst = a_[slot].data();
      for (std::int64_t i = 0; i < t.m_len; ++i)
        for (std::int64_t j = 0; j < t.k_len; ++j) {
          const std::int64_t at = addr.a_addr(t.group, t.m0 + i, t.k0 + j);
          dst[i * t.k_len + j] = at < 0 ? TIn{} : load_element<TIn>(dram + at, a_type_);
        }
    } else if (op == plan::Operand::b) {
      TIn* dst = b_[slot].data();
      for (std::int64_t i = 0; i < t.k_len; ++i)
        for (std::int64_t j = 0; j < t.n_len; ++j)
          dst[i * t.n_len + j] = load_element<TIn>(dram + addr.b_addr(t.group, t.k0 + i, t.n0 + j), b_type_);
    } else {
      TAcc* dst = c_[slot].data();
      for (std::int64_t i = 0; i < t.m_len; ++i)
        for (std::int64_t j = 0; j < t.n_len; ++j)
          std::memcpy(&dst[i * t.n_len + j], dram + addr.c_addr(t.group, t.m0 + i, t.n0 + j), sizeof(TAcc));
    }
  }

  void drain(int slot, const plan::Tile& t, const lower::AddressGen& addr, unsigned char* dram) const override {
    const TAcc* src = c_[slot].data();
    for (std::int64_t i = 0; i < t.m_len; ++i)
      for (std::int64_t j = 0; j < t.n_len; ++j)
        std::memcpy(dram + addr.c_addr(t.group, t.m0 + i, t.n0 + j), &src[i * t.n_len + j], sizeof(TAcc));
  }

  /// Half `slot` of each operand, row-major over its tile block.
  TIn* a(int slot) { return a_[slot].data(); }
  TIn* b(int slot) { return b_[slot].data(); }
  TAcc* c(int slot) { return c_[slot].data(); }
  /// The half of operand `op` (a or b) the compute units read.
  const TIn* operand(plan::Operand op, int slot) const {
    return op == plan::Operand::a ? a_[slot].data() : b_[slot].data();
  }

 private:
  ir::DType a_type_, b_type_;
  std::vector<TIn> a_[2], b_[2];
  std::vector<TAcc> c_[2];
};

}  // namespace arraysim::hw
