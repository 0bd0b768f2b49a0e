#include "models/ir/tensor.hpp"

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
  }
  if (!ok) throw std::logic_error("tensor element type mismatch: tensor is " + dtype_name(dtype_));
}

template void Tensor::check<std::int8_t>() const;
template void Tensor::check<std::int16_t>() const;
template void Tensor::check<std::int32_t>() const;
template void Tensor::check<std::int64_t>() const;
template void Tensor::check<float>() const;

double Tensor::get_f64(std::int64_t i) const {
  switch (dtype_) {
    case DType::int8: return data<std::int8_t>()[i];
    case DType::int16: return data<std::int16_t>()[i];
    case DType::int32: return data<std::int32_t>()[i];
    case DType::int64: return static_cast<double>(data<std::int64_t>()[i]);
    case DType::fp32: return data<float>()[i];
  }
  return 0;
}

std::int64_t Tensor::get_i64(std::int64_t i) const {
  switch (dtype_) {
    case DType::int8: return data<std::int8_t>()[i];
    case DType::int16: return data<std::int16_t>()[i];
    case DType::int32: return data<std::int32_t>()[i];
    case DType::int64: return data<std::int64_t>()[i];
    case DType::fp32: break;
  }
  throw std::logic_error("get_i64 on an fp32 tensor");
}

void Tensor::set_i64(std::int64_t i, std::int64_t v) {
  switch (dtype_) {
    case DType::int8: data<std::int8_t>()[i] = static_cast<std::int8_t>(v); return;
    case DType::int16: data<std::int16_t>()[i] = static_cast<std::int16_t>(v); return;
    case DType::int32: data<std::int32_t>()[i] = static_cast<std::int32_t>(v); return;
    case DType::int64: data<std::int64_t>()[i] = v; return;
    case DType::fp32: data<float>()[i] = static_cast<float>(v); return;
  }
}

void Tensor::set_f64(std::int64_t i, double v) {
  if (dtype_ == DType::fp32)
    data<float>()[i] = static_cast<float>(v);
  else
    set_i64(i, static_cast<std::int64_t>(v));
}

void Tensor::copy_element(std::int64_t i, const Tensor& src, std::int64_t j) {
  if (src.dtype_ != dtype_) throw std::logic_error("copy_element: dtype mismatch");
  const std::size_t eb = dtype_bytes(dtype_);
  std::memcpy(bytes_.data() + static_cast<std::size_t>(i) * eb, src.bytes_.data() + static_cast<std::size_t>(j) * eb,
              eb);
}

std::string Tensor::element_str(std::int64_t i) const {
  if (dtype_ != DType::fp32) return std::to_string(get_i64(i));
  std::ostringstream o;
  o.precision(9);
  o << data<float>()[i];
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
    }
  }
}

}  // namespace arraysim::ir
