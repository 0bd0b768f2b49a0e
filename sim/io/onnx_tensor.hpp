#pragma once
/// Reading ONNX protobuf files and converting ONNX tensors into `ir::Tensor`.
///
/// The protobuf classes are Debian's libonnx-dev build (`onnx::TensorProto`, `onnx::ModelProto`
/// from onnx-ml.proto). Including this header needs the compile definitions ONNX_ML=1 and
/// ONNX_NAMESPACE=onnx; linking the `arraysim_onnx` CMake target provides them.
///
/// Element types: ir has no unsigned types, so an unsigned ONNX type widens to the smallest signed
/// ir type that holds all of its values exactly:
///
///   | ONNX data_type | ir::DType |
///   |----------------|-----------|
///   | FLOAT          | fp32      |
///   | INT8           | int8      |
///   | UINT8          | int16     |  (0..255)
///   | INT16          | int16     |
///   | UINT16         | int32     |  (0..65535)
///   | INT32          | int32     |
///   | INT64          | int64     |
///
/// Every other type (DOUBLE, FLOAT16, BFLOAT16, BOOL, STRING, UINT32, UINT64, COMPLEX64/128) is
/// rejected with std::runtime_error: ir cannot hold it exactly.
#include <onnx/onnx_pb.h>

#include <cstddef>
#include <string>

#include "models/ir/tensor.hpp"

namespace arraysim::io {

/// Largest ONNX file (a model or a tensor) arraysim reads: protobuf parses one message of at
/// most 2 GiB, and the parsed model costs about as much memory again as the file.
constexpr std::size_t kMaxOnnxBytes = std::size_t{1} << 30;

/// The ONNX spelling of a TensorProto data type: "FLOAT", "UINT8", ...; "data_type N" when N is
/// not a TensorProto::DataType value.
std::string onnx_dtype_name(int onnx_data_type);

/// The ir element type that holds every value of an ONNX element type exactly (table above).
/// Throws std::runtime_error naming the type when there is none.
ir::DType ir_dtype_for(int onnx_data_type);

/// Converts a TensorProto into a dense row-major ir::Tensor of type ir_dtype_for(t.data_type()).
///
/// Shape: `dims`, outermost first; a tensor without dims is a scalar (shape {}, one element).
/// Elements: from `raw_data` (little-endian, packed, the ONNX element width, independent of the
/// host's byte order) when the field is present, otherwise from the typed field the ONNX spec
/// assigns to the type: float_data (FLOAT), int32_data (INT8, UINT8, INT16, UINT16, INT32; one
/// value per element), int64_data (INT64).
///
/// Throws std::runtime_error when the type is unsupported, a dim is negative, the data is stored
/// externally (data_location EXTERNAL) or split into segments, the number of stored elements
/// differs from the product of the dims, or an int32_data value is out of range of the ONNX type.
ir::Tensor to_ir_tensor(const onnx::TensorProto& t);

/// Parses a serialized TensorProto (the `input_N.pb` / `output_N.pb` files of the ONNX tests).
/// Throws std::runtime_error, with `path` in the message, when the file cannot be read, is empty,
/// does not parse as a protobuf message (e.g. truncated inside a field, or not a protobuf file)
/// or has no data_type. A file truncated exactly between two fields still parses; to_ir_tensor
/// then reports the missing elements.
onnx::TensorProto load_tensor_proto(const std::string& path);

/// load_tensor_proto(path) converted by to_ir_tensor; conversion errors are prefixed with `path`.
ir::Tensor load_tensor_pb(const std::string& path);

/// Parses a serialized ModelProto (an `.onnx` file). Throws std::runtime_error, with `path` in the
/// message, when the file cannot be read, is empty, does not parse as a protobuf message, or has
/// no ir_version or no graph (which every ONNX model has). Data in external files is not loaded.
onnx::ModelProto load_model(const std::string& path);

}  // namespace arraysim::io
