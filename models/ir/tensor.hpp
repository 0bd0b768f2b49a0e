#pragma once
/// Dense row-major tensors with a runtime element type, filled from a seed.
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "models/ir/dtype.hpp"

namespace arraysim::ir {

/// Dimensions, outermost first (row-major). NCHW for activations, [OC][C/g][R][S] for weights.
using Shape = std::vector<std::int64_t>;

/// Number of elements of a shape (1 for a scalar shape {}).
std::int64_t numel(const Shape& s);
/// "[1, 3, 224, 224]".
std::string shape_str(const Shape& s);

/// A tensor owns its elements as raw bytes and is typed at run time. The narrow floating-point
/// types hold their bit patterns: data<numeric::Bf16>() etc. (models/numeric/float_formats.hpp).
/// Invariant: bytes_.size() == numel(shape_) * dtype_bytes(dtype_).
class Tensor {
 public:
  Tensor() = default;
  /// A zero-filled tensor.
  Tensor(DType dtype, Shape shape);

  DType dtype() const { return dtype_; }
  const Shape& shape() const { return shape_; }
  std::int64_t size() const { return numel(shape_); }
  std::size_t size_bytes() const { return bytes_.size(); }

  /// Typed element pointer; throws std::logic_error when T does not match dtype().
  template <class T> T* data() {
    check<T>();
    return reinterpret_cast<T*>(bytes_.data());
  }
  template <class T> const T* data() const {
    check<T>();
    return reinterpret_cast<const T*>(bytes_.data());
  }

  /// The elements' bytes, row-major, in the host's byte order (size_bytes() of them).
  unsigned char* raw_bytes() { return bytes_.data(); }
  const unsigned char* raw_bytes() const { return bytes_.data(); }

  /// Element i widened to double (exact for every integer type up to 2^53 and for every float type).
  double get_f64(std::int64_t i) const;
  /// Element i as int64 (integers only).
  std::int64_t get_i64(std::int64_t i) const;
  /// Sets element i from an int64 (integers, truncating to the type) or a double (floats: fp32
  /// rounds to nearest even; the narrow floats round once to nearest, ties to even, fp8
  /// saturating, as models/numeric/float_formats.hpp converts).
  void set_i64(std::int64_t i, std::int64_t v);
  void set_f64(std::int64_t i, double v);
  /// Copies element j of `src` (same dtype) into element i.
  void copy_element(std::int64_t i, const Tensor& src, std::int64_t j);
  /// Element i as text ("-3", "0.125").
  std::string element_str(std::int64_t i) const;

 private:
  template <class T> void check() const;
  DType dtype_ = DType::int8;
  Shape shape_;
  std::vector<unsigned char> bytes_;
};

/// Fills `t` with values that depend only on (seed, stream, element index):
/// int8 uniform in [-128, 127], int16 in [-32768, 32767], int32 in [-2^15, 2^15),
/// fp32 uniform in [-1, 1) on a 2^-12 grid, bf16 and fp16 in [-1, 1) on a 2^-7 grid, fp8_e4m3
/// and fp8_e5m2 in [-1, 1) on a 2^-3 grid (each value exact in its type; products and their sums
/// exact in fp32 for dot products of up to 2^10 terms). `stream` separates tensors of one seed.
void fill_random(Tensor& t, std::uint64_t seed, std::uint64_t stream);

/// splitmix64: the hash used for seeded data (public so tests can derive values).
std::uint64_t splitmix64(std::uint64_t x);

}  // namespace arraysim::ir
