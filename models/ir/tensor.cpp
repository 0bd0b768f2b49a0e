#include "models/ir/tensor.hpp"

#include "models/numeric/float_formats.hpp"

#include <cstring>
#include <sstream>
#include <type_traits>

namespace arraysim::ir {

std::int64_t numel(const Shape& s) {
  std::int64_t n = 1;
  for (auto d : s) n *= d;
  return n;
}

std::string shape_str(const Shape& s) {
  std::ostringstream o;
  o << '[';
  for (std::size_t i = 0; i < s.size(); ++i) o << (i ? ", " : "") << s[i];
  o << ']';
  return o.str();
}

Tensor::Tensor(DType dtype, Shape shape)
    : dtype_(dtype), shape_(std::move(shape)), bytes_(static_cast<std::size_t>(numel(shape_)) * dtype_bytes(dtype)) {}

template <class T> void Tensor::check() const {
  bool ok = false;
  switch (dtype_) {
    case DType::int8: ok = std::is_same_v<T, std::int8_t>; break;
    case DType::int16: ok = std::is_same_v<T, std::int16_t>; break;
    case DType::int32: ok = std::is_same_v<T, std::int32_t>; break;
    case DType::int64: ok = std::is_same_v<T, std::int64_t>; break;
    case DType::fp32: ok = std::is_same_v<T, float>; break;
    case DType::bf16: ok = std::is_same_v<T, numeric::Bf16>; break;
    case DType::fp16: ok = std::is_same_v<T, numeric::Fp16>; break;
    case DType::fp8_e4m3: ok = std::is_same_v<T, numeric::Fp8E4M3>; break;
    case DType::fp8_e5m2: ok = std::is_same_v<T, numeric::Fp8E5M2>; break;
  }
  if (!ok) throw std::logic_error("tensor element type mismatch: tensor is " + dtype_name(dtype_));
}

template void Tensor::check<std::int8_t>() const;
template void Tensor::check<std::int16_t>() const;
template void Tensor::check<std::int32_t>() const;
template void Tensor::check<std::int64_t>() const;
template void Tensor::check<float>() const;
template void Tensor::check<numeric::Bf16>() const;
template void Tensor::check<numeric::Fp16>() const;
template void Tensor::check<numeric::Fp8E4M3>() const;
template void Tensor::check<numeric::Fp8E5M2>() const;

namespace {
/// Element i of a narrow-float tensor of element type T, widened (exactly) to double.
template <class T> double narrow_get(const unsigned char* bytes, std::int64_t i) {
  T v;
  std::memcpy(&v, bytes + static_cast<std::size_t>(i) * sizeof(T), sizeof(T));
  return static_cast<double>(static_cast<float>(v));
}
/// Stores `v` rounded once to nearest, ties to even, into element i of type T (round-to-odd to
/// fp32 first, which keeps the single rounding exact: numeric::fp64_to_fp32_round_to_odd).
template <class T> void narrow_set(unsigned char* bytes, std::int64_t i, double v) {
  const T e = T::from_fp32(numeric::fp64_to_fp32_round_to_odd(v));
  std::memcpy(bytes + static_cast<std::size_t>(i) * sizeof(T), &e, sizeof(T));
}
}  // namespace

double Tensor::get_f64(std::int64_t i) const {
  switch (dtype_) {
    case DType::int8: return data<std::int8_t>()[i];
    case DType::int16: return data<std::int16_t>()[i];
    case DType::int32: return data<std::int32_t>()[i];
    case DType::int64: return static_cast<double>(data<std::int64_t>()[i]);
    case DType::fp32: return data<float>()[i];
    case DType::bf16: return narrow_get<numeric::Bf16>(bytes_.data(), i);
    case DType::fp16: return narrow_get<numeric::Fp16>(bytes_.data(), i);
    case DType::fp8_e4m3: return narrow_get<numeric::Fp8E4M3>(bytes_.data(), i);
    case DType::fp8_e5m2: return narrow_get<numeric::Fp8E5M2>(bytes_.data(), i);
  }
  return 0;
}

std::int64_t Tensor::get_i64(std::int64_t i) const {
  switch (dtype_) {
    case DType::int8: return data<std::int8_t>()[i];
    case DType::int16: return data<std::int16_t>()[i];
    case DType::int32: return data<std::int32_t>()[i];
    case DType::int64: return data<std::int64_t>()[i];
    case DType::fp32:
    case DType::bf16:
    case DType::fp16:
    case DType::fp8_e4m3:
    case DType::fp8_e5m2: break;
  }
  throw std::logic_error("get_i64 on an " + dtype_name(dtype_) + " tensor");
}

void Tensor::set_i64(std::int64_t i, std::int64_t v) {
  switch (dtype_) {
    case DType::int8: data<std::int8_t>()[i] = static_cast<std::int8_t>(v); return;
    case DType::int16: data<std::int16_t>()[i] = static_cast<std::int16_t>(v); return;
    case DType::int32: data<std::int32_t>()[i] = static_cast<std::int32_t>(v); return;
    case DType::int64: data<std::int64_t>()[i] = v; return;
    case DType::fp32: data<float>()[i] = static_cast<float>(v); return;
    case DType::bf16:
    case DType::fp16:
    case DType::fp8_e4m3:
    case DType::fp8_e5m2: set_f64(i, static_cast<double>(v)); return;
  }
}

void Tensor::set_f64(std::int64_t i, double v) {
  switch (dtype_) {
    case DType::fp32: data<float>()[i] = static_cast<float>(v); return;
    case DType::bf16: narrow_set<numeric::Bf16>(bytes_.data(), i, v); return;
    case DType::fp16: narrow_set<numeric::Fp16>(bytes_.data(), i, v); return;
    case DType::fp8_e4m3: narrow_set<numeric::Fp8E4M3>(bytes_.data(), i, v); return;
    case DType::fp8_e5m2: narrow_set<numeric::Fp8E5M2>(bytes_.data(), i, v); return;
    case DType::int8:
    case DType::int16:
    case DType::int32:
    case DType::int64: set_i64(i, static_cast<std::int64_t>(v)); return;
  }
}

void Tensor::copy_element(std::int64_t i, const Tensor& src, std::int64_t j) {
  if (src.dtype_ != dtype_) throw std::logic_error("copy_element: dtype mismatch");
  const std::size_t eb = dtype_bytes(dtype_);
  std::memcpy(bytes_.data() + static_cast<std::size_t>(i) * eb, src.bytes_.data() + static_cast<std::size_t>(j) * eb,
              eb);
}

std::string Tensor::element_str(std::int64_t i) const {
  if (is_integer(dtype_)) return std::to_string(get_i64(i));
  std::ostringstream o;
  o.precision(9);
  o << static_cast<float>(get_f64(i));
  return o.str();
}

std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

void fill_random(Tensor& t, std::uint64_t seed, std::uint64_t stream) {
  const std::uint64_t base = splitmix64(seed ^ splitmix64(stream + 0x51ed27ULL));
  const std::int64_t n = t.size();
  for (std::int64_t i = 0; i < n; ++i) {
    const std::uint64_t r = splitmix64(base + static_cast<std::uint64_t>(i));
    switch (t.dtype()) {
      case DType::int8: t.data<std::int8_t>()[i] = static_cast<std::int8_t>(r & 0xff); break;
      case DType::int16: t.data<std::int16_t>()[i] = static_cast<std::int16_t>(r & 0xffff); break;
      case DType::int32: t.data<std::int32_t>()[i] = static_cast<std::int32_t>(r & 0xffff) - 32768; break;
      case DType::int64: t.data<std::int64_t>()[i] = static_cast<std::int64_t>(r & 0xffff) - 32768; break;
      case DType::fp32:
        // 13 random bits -> k/4096 - 1 in [-1, 1): exactly representable, products exact in fp32.
        t.data<float>()[i] = static_cast<float>(static_cast<int>(r & 0x1fff) - 4096) / 4096.0f;
        break;
      case DType::bf16:
      case DType::fp16:
        // 8 random bits -> k/128 - 1 in [-1, 1): |k - 128| <= 128 needs at most 8 significant
        // bits, exact in bf16 (8) and fp16 (11). Products lie on a 2^-14 grid below 1 in
        // magnitude, so every partial sum of up to 2^10 of them is exact in fp32 (24 bits) and
        // the fp32 result does not depend on the summation order.
        t.set_f64(i, static_cast<double>(static_cast<int>(r & 0xff) - 128) / 128.0);
        break;
      case DType::fp8_e4m3:
      case DType::fp8_e5m2:
        // 4 random bits -> k/8 - 1 in [-1, 1): |k - 8| <= 8 has at most 3 significant bits,
        // exact in E4M3 (4) and E5M2 (3). Products lie on a 2^-6 grid, so sums of up to 2^18
        // of them are exact in fp32.
        t.set_f64(i, static_cast<double>(static_cast<int>(r & 0xf) - 8) / 8.0);
        break;
    }
  }
}

}  // namespace arraysim::ir
