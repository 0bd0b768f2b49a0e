#include "sim/io/onnx_tensor.hpp"

#include <cstring>
#include <limits>
#include <stdexcept>

#include "sim/util/read_file.hpp"

namespace arraysim::io {
namespace {

using onnx::TensorProto;

/// Bytes of one element in raw_data for the supported types (0 for the others).
std::size_t onnx_width(int t) {
  switch (t) {
    case TensorProto::INT8:
    case TensorProto::UINT8: return 1;
    case TensorProto::INT16:
    case TensorProto::UINT16: return 2;
    case TensorProto::FLOAT:
    case TensorProto::INT32: return 4;
    case TensorProto::INT64: return 8;
    default: return 0;
  }
}

/// Value range of a type stored in int32_data.
struct Range {
  std::int64_t lo, hi;
};
Range int32_field_range(int t) {
  switch (t) {
    case TensorProto::INT8: return {-128, 127};
    case TensorProto::UINT8: return {0, 255};
    case TensorProto::INT16: return {-32768, 32767};
    case TensorProto::UINT16: return {0, 65535};
    default: return {std::numeric_limits<std::int32_t>::min(), std::numeric_limits<std::int32_t>::max()};
  }
}

/// Element `i` of a packed little-endian raw_data buffer of `width`-byte elements, as raw bits.
std::uint64_t raw_bits(const std::string& raw, std::int64_t i, std::size_t width) {
  std::uint64_t bits = 0;
  const std::size_t base = static_cast<std::size_t>(i) * width;
  for (std::size_t b = 0; b < width; ++b)
    bits |= static_cast<std::uint64_t>(static_cast<unsigned char>(raw[base + b])) << (8 * b);
  return bits;
}

/// Stores raw bits of ONNX type `t` as element `i` of `out` (whose dtype is ir_dtype_for(t)).
void store_raw(ir::Tensor& out, std::int64_t i, int t, std::uint64_t bits) {
  switch (t) {
    case TensorProto::FLOAT: {
      const auto u = static_cast<std::uint32_t>(bits);
      float f;
      std::memcpy(&f, &u, sizeof f);
      out.data<float>()[i] = f;
      return;
    }
    case TensorProto::INT8: out.set_i64(i, static_cast<std::int8_t>(bits)); return;
    case TensorProto::INT16: out.set_i64(i, static_cast<std::int16_t>(bits)); return;
    case TensorProto::INT32: out.set_i64(i, static_cast<std::int32_t>(bits)); return;
    case TensorProto::INT64: out.set_i64(i, static_cast<std::int64_t>(bits)); return;
    default: out.set_i64(i, static_cast<std::int64_t>(bits)); return;  // UINT8, UINT16: zero-extended
  }
}

/// Number of elements stored in the typed field of `t`'s type.
std::int64_t typed_count(const TensorProto& t) {
  switch (t.data_type()) {
    case TensorProto::FLOAT: return t.float_data_size();
    case TensorProto::INT64: return t.int64_data_size();
    default: return t.int32_data_size();
  }
}

/// The bytes of a protobuf file. Throws std::runtime_error "PATH: PROBLEM", an empty file too.
std::string read_file(const std::string& path) {
  std::string bytes;
  try {
    bytes = util::read_input(path, kMaxOnnxBytes);
  } catch (const util::FileReadError& e) {
    if (e.problem() != util::FileReadError::Problem::too_large) throw;
    throw std::runtime_error(std::string(e.what()) +
                             "; arraysim reads ONNX files up to that size (a model may keep its weights as "
                             "ONNX external data: the importer reads only their shapes)");
  }
  if (bytes.empty()) throw std::runtime_error(path + ": file is empty");
  return bytes;
}

}  // namespace

std::string onnx_dtype_name(int onnx_data_type) {
  if (!onnx::TensorProto_DataType_IsValid(onnx_data_type)) return "data_type " + std::to_string(onnx_data_type);
  return onnx::TensorProto_DataType_Name(static_cast<onnx::TensorProto_DataType>(onnx_data_type));
}

ir::DType ir_dtype_for(int onnx_data_type) {
  switch (onnx_data_type) {
    case TensorProto::FLOAT: return ir::DType::fp32;
    case TensorProto::INT8: return ir::DType::int8;
    case TensorProto::UINT8: return ir::DType::int16;
    case TensorProto::INT16: return ir::DType::int16;
    case TensorProto::UINT16: return ir::DType::int32;
    case TensorProto::INT32: return ir::DType::int32;
    case TensorProto::INT64: return ir::DType::int64;
    default: break;
  }
  throw std::runtime_error("ONNX element type " + onnx_dtype_name(onnx_data_type) +
                           " is not supported (supported: FLOAT, INT8, UINT8, INT16, UINT16, INT32, INT64)");
}

ir::Tensor to_ir_tensor(const TensorProto& t) {
  const std::string what = t.name().empty() ? std::string("ONNX tensor") : "ONNX tensor '" + t.name() + "'";
  const auto fail = [&](const std::string& msg) { return std::runtime_error(what + ": " + msg); };

  const ir::DType dtype = [&] {
    try {
      return ir_dtype_for(t.data_type());
    } catch (const std::runtime_error& e) {
      throw fail(e.what());
    }
  }();
  if (t.data_location() == TensorProto::EXTERNAL) throw fail("data is stored in an external file (not supported)");
  if (t.has_segment()) throw fail("segmented tensors are not supported");

  ir::Shape shape;
  std::int64_t n = 1;
  for (const std::int64_t d : t.dims()) {
    if (d < 0) throw fail("negative dimension " + std::to_string(d));
    if (__builtin_mul_overflow(n, d, &n)) throw fail("element count overflows int64");
    shape.push_back(d);
  }

  // Count the stored elements before allocating, so corrupt dims cannot trigger a huge allocation.
  const int type = t.data_type();
  const std::size_t width = onnx_width(type);
  std::int64_t stored;
  if (t.has_raw_data()) {
    if (t.raw_data().size() % width != 0)
      throw fail("raw_data holds " + std::to_string(t.raw_data().size()) + " bytes, not a multiple of the " +
                 std::to_string(width) + "-byte " + onnx_dtype_name(type) + " element");
    stored = static_cast<std::int64_t>(t.raw_data().size() / width);
  } else {
    stored = typed_count(t);
  }
  if (stored != n)
    throw fail("holds " + std::to_string(stored) + " " + onnx_dtype_name(type) + " elements but dims " +
               ir::shape_str(shape) + " need " + std::to_string(n));

  ir::Tensor out(dtype, std::move(shape));
  if (t.has_raw_data()) {
    for (std::int64_t i = 0; i < n; ++i) store_raw(out, i, type, raw_bits(t.raw_data(), i, width));
    return out;
  }
  switch (type) {
    case TensorProto::FLOAT:
      for (std::int64_t i = 0; i < n; ++i) out.data<float>()[i] = t.float_data(static_cast<int>(i));
      break;
    case TensorProto::INT64:
      for (std::int64_t i = 0; i < n; ++i) out.set_i64(i, t.int64_data(static_cast<int>(i)));
      break;
    default: {
      const Range r = int32_field_range(type);
      for (std::int64_t i = 0; i < n; ++i) {
        const std::int64_t v = t.int32_data(static_cast<int>(i));
        if (v < r.lo || v > r.hi)
          throw fail("int32_data[" + std::to_string(i) + "] = " + std::to_string(v) + " is out of range of " +
                     onnx_dtype_name(type));
        out.set_i64(i, v);
      }
    }
  }
  return out;
}

TensorProto load_tensor_proto(const std::string& path) {
  const std::string bytes = read_file(path);
  TensorProto t;
  if (!t.ParseFromString(bytes))
    throw std::runtime_error(path + ": not a valid ONNX TensorProto (truncated, or not a protobuf file)");
  if (t.data_type() == TensorProto::UNDEFINED)
    throw std::runtime_error(path + ": TensorProto has no data_type (not an ONNX tensor file?)");
  return t;
}

ir::Tensor load_tensor_pb(const std::string& path) {
  const TensorProto t = load_tensor_proto(path);
  try {
    return to_ir_tensor(t);
  } catch (const std::runtime_error& e) {
    throw std::runtime_error(path + ": " + e.what());
  }
}

onnx::ModelProto load_model(const std::string& path) {
  const std::string bytes = read_file(path);
  onnx::ModelProto m;
  if (!m.ParseFromString(bytes))
    throw std::runtime_error(path + ": not a valid ONNX model (truncated, or not a protobuf file)");
  if (!m.has_ir_version() || !m.has_graph())
    throw std::runtime_error(path + ": protobuf message has no ir_version or no graph (not an ONNX model?)");
  return m;
}

}  // namespace arraysim::io
