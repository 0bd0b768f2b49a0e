/// sim/io/onnx_tensor: TensorProto -> ir::Tensor for every supported element type and storage
/// (raw_data and the typed fields), and the errors for bad tensors and bad files.
#include <catch2/catch.hpp>

#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "sim/io/onnx_tensor.hpp"
#include "tests/support.hpp"

using namespace arraysim;
using onnx::TensorProto;

namespace {

TensorProto make_proto(int type, std::vector<std::int64_t> dims, const std::string& name = "t") {
  TensorProto t;
  t.set_name(name);
  t.set_data_type(type);
  for (const std::int64_t d : dims) t.add_dims(d);
  return t;
}

/// Little-endian bytes of `v`, `width` bytes wide.
std::string le(std::uint64_t v, std::size_t width) {
  std::string s;
  for (std::size_t b = 0; b < width; ++b) s.push_back(static_cast<char>((v >> (8 * b)) & 0xff));
  return s;
}

std::string float_le(float f) {
  std::uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  return le(u, 4);
}

void write_file(const std::string& path, const std::string& bytes) { std::ofstream(path, std::ios::binary) << bytes; }

/// The message of the std::runtime_error thrown by f (empty when none is thrown).
template <class F> std::string error_of(F&& f) {
  try {
    f();
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("onnx tensor: raw_data of every supported type converts exactly", "[unit][onnx]") {
  SECTION("FLOAT -> fp32") {
    TensorProto p = make_proto(TensorProto::FLOAT, {2, 2});
    p.set_raw_data(float_le(1.5f) + float_le(-0.25f) + float_le(3e-8f) + float_le(-7.0f));
    const ir::Tensor t = io::to_ir_tensor(p);
    CHECK(t.dtype() == ir::DType::fp32);
    CHECK(t.shape() == ir::Shape{2, 2});
    CHECK(t.data<float>()[0] == 1.5f);
    CHECK(t.data<float>()[1] == -0.25f);
    CHECK(t.data<float>()[2] == 3e-8f);
    CHECK(t.data<float>()[3] == -7.0f);
  }
  SECTION("INT8 -> int8") {
    TensorProto p = make_proto(TensorProto::INT8, {3});
    p.set_raw_data(le(0x80, 1) + le(0x7f, 1) + le(0xff, 1));
    const ir::Tensor t = io::to_ir_tensor(p);
    CHECK(t.dtype() == ir::DType::int8);
    CHECK(t.get_i64(0) == -128);
    CHECK(t.get_i64(1) == 127);
    CHECK(t.get_i64(2) == -1);
  }
  SECTION("UINT8 -> int16, values 0..255 kept") {
    TensorProto p = make_proto(TensorProto::UINT8, {3});
    p.set_raw_data(le(0, 1) + le(128, 1) + le(255, 1));
    const ir::Tensor t = io::to_ir_tensor(p);
    CHECK(t.dtype() == ir::DType::int16);
    CHECK(t.get_i64(0) == 0);
    CHECK(t.get_i64(1) == 128);
    CHECK(t.get_i64(2) == 255);
  }
  SECTION("INT16 -> int16 and UINT16 -> int32") {
    TensorProto p = make_proto(TensorProto::INT16, {2});
    p.set_raw_data(le(0x8000, 2) + le(0x1234, 2));
    const ir::Tensor t = io::to_ir_tensor(p);
    CHECK(t.dtype() == ir::DType::int16);
    CHECK(t.get_i64(0) == -32768);
    CHECK(t.get_i64(1) == 0x1234);
    TensorProto q = make_proto(TensorProto::UINT16, {1});
    q.set_raw_data(le(0xffff, 2));
    const ir::Tensor u = io::to_ir_tensor(q);
    CHECK(u.dtype() == ir::DType::int32);
    CHECK(u.get_i64(0) == 65535);
  }
  SECTION("INT32 -> int32, INT64 -> int64") {
    TensorProto p = make_proto(TensorProto::INT32, {2});
    p.set_raw_data(le(0x80000000u, 4) + le(0x01020304u, 4));
    const ir::Tensor t = io::to_ir_tensor(p);
    CHECK(t.dtype() == ir::DType::int32);
    CHECK(t.get_i64(0) == -2147483648LL);
    CHECK(t.get_i64(1) == 0x01020304);
    TensorProto q = make_proto(TensorProto::INT64, {1});
    q.set_raw_data(le(0xfffffffffffffffeULL, 8));
    const ir::Tensor u = io::to_ir_tensor(q);
    CHECK(u.dtype() == ir::DType::int64);
    CHECK(u.get_i64(0) == -2);
  }
}

TEST_CASE("onnx tensor: typed fields float_data int32_data int64_data convert exactly", "[unit][onnx]") {
  TensorProto f = make_proto(TensorProto::FLOAT, {1, 3});
  for (const float v : {0.5f, -2.0f, 1e30f}) f.add_float_data(v);
  const ir::Tensor tf = io::to_ir_tensor(f);
  CHECK(tf.shape() == ir::Shape{1, 3});
  CHECK(tf.data<float>()[2] == 1e30f);

  TensorProto u8 = make_proto(TensorProto::UINT8, {2});
  u8.add_int32_data(0);
  u8.add_int32_data(255);
  const ir::Tensor tu = io::to_ir_tensor(u8);
  CHECK(tu.dtype() == ir::DType::int16);
  CHECK(tu.get_i64(1) == 255);

  TensorProto i8 = make_proto(TensorProto::INT8, {2});
  i8.add_int32_data(-128);
  i8.add_int32_data(127);
  CHECK(io::to_ir_tensor(i8).get_i64(0) == -128);

  TensorProto i32 = make_proto(TensorProto::INT32, {1});
  i32.add_int32_data(-2147483647 - 1);
  CHECK(io::to_ir_tensor(i32).get_i64(0) == -2147483648LL);

  TensorProto i64 = make_proto(TensorProto::INT64, {2});
  i64.add_int64_data(-(1LL << 40));
  i64.add_int64_data(7);
  const ir::Tensor t64 = io::to_ir_tensor(i64);
  CHECK(t64.get_i64(0) == -(1LL << 40));
  CHECK(t64.get_i64(1) == 7);
}

TEST_CASE("onnx tensor: no dims is a scalar of one element and a zero dim is empty", "[unit][onnx]") {
  TensorProto s = make_proto(TensorProto::FLOAT, {});
  s.add_float_data(3.25f);
  const ir::Tensor t = io::to_ir_tensor(s);
  CHECK(t.shape().empty());
  CHECK(t.size() == 1);
  CHECK(t.data<float>()[0] == 3.25f);

  const ir::Tensor e = io::to_ir_tensor(make_proto(TensorProto::INT32, {2, 0}));
  CHECK(e.shape() == ir::Shape{2, 0});
  CHECK(e.size() == 0);
}

TEST_CASE("onnx tensor: bad tensors are rejected with the tensor name in the message", "[unit][onnx]") {
  using Catch::Matchers::Contains;
  TensorProto d = make_proto(TensorProto::DOUBLE, {1}, "dbl");
  d.add_double_data(1.0);
  CHECK_THROWS_WITH(io::to_ir_tensor(d), Contains("'dbl'") && Contains("DOUBLE") && Contains("not supported"));

  TensorProto few = make_proto(TensorProto::FLOAT, {2, 3}, "few");
  few.add_float_data(1.0f);
  CHECK_THROWS_WITH(io::to_ir_tensor(few), Contains("'few'") && Contains("holds 1") && Contains("need 6"));

  TensorProto raw = make_proto(TensorProto::INT32, {2}, "raw");
  raw.set_raw_data(std::string(7, '\0'));
  CHECK_THROWS_WITH(io::to_ir_tensor(raw), Contains("'raw'") && Contains("7 bytes"));

  TensorProto neg = make_proto(TensorProto::INT8, {-1}, "neg");
  CHECK_THROWS_WITH(io::to_ir_tensor(neg), Contains("negative dimension -1"));

  TensorProto big = make_proto(TensorProto::INT8, {1LL << 40, 1LL << 40}, "big");
  CHECK_THROWS_WITH(io::to_ir_tensor(big), Contains("overflows"));

  TensorProto range = make_proto(TensorProto::UINT8, {1}, "range");
  range.add_int32_data(256);
  CHECK_THROWS_WITH(io::to_ir_tensor(range), Contains("256") && Contains("out of range of UINT8"));

  TensorProto ext = make_proto(TensorProto::FLOAT, {1}, "ext");
  ext.set_data_location(TensorProto::EXTERNAL);
  CHECK_THROWS_WITH(io::to_ir_tensor(ext), Contains("external"));

  CHECK(io::onnx_dtype_name(TensorProto::UINT8) == "UINT8");
  CHECK(io::onnx_dtype_name(99) == "data_type 99");
}

TEST_CASE("onnx tensor: load_tensor_pb and load_model name the file on every failure", "[unit][onnx]") {
  using Catch::Matchers::Contains;
  test::TempDir tmp;
  const std::string dir = tmp.path();

  TensorProto p = make_proto(TensorProto::FLOAT, {4}, "x");
  p.set_raw_data(float_le(1.0f) + float_le(2.0f) + float_le(3.0f) + float_le(4.0f));
  const std::string good = p.SerializeAsString();
  write_file(dir + "/good.pb", good);
  const ir::Tensor t = io::load_tensor_pb(dir + "/good.pb");
  CHECK(t.shape() == ir::Shape{4});
  CHECK(t.data<float>()[3] == 4.0f);

  const std::string missing = dir + "/missing.pb";
  CHECK_THROWS_WITH(io::load_tensor_pb(missing), Contains(missing) && Contains("cannot open"));

  write_file(dir + "/empty.pb", "");
  CHECK_THROWS_WITH(io::load_tensor_pb(dir + "/empty.pb"), Contains(dir + "/empty.pb") && Contains("empty"));

  // Cut inside raw_data: the length-delimited field runs past the end of the file.
  write_file(dir + "/cut.pb", good.substr(0, good.size() - 3));
  CHECK_THROWS_WITH(io::load_tensor_pb(dir + "/cut.pb"), Contains(dir + "/cut.pb") && Contains("truncated"));

  // Cut exactly before raw_data (the last field): parses, but the elements are missing.
  TensorProto head = p;
  head.clear_raw_data();
  write_file(dir + "/head.pb", head.SerializeAsString());
  CHECK_THROWS_WITH(io::load_tensor_pb(dir + "/head.pb"), Contains(dir + "/head.pb") && Contains("holds 0"));

  const std::string text = dir + "/text.pb";
  write_file(text, "this is not a protobuf file\n");
  CHECK_THROWS_WITH(io::load_tensor_pb(text), Contains(text) && Contains("not a valid ONNX TensorProto"));
  CHECK_THROWS_WITH(io::load_model(text), Contains(text) && Contains("not a valid ONNX model"));

  // A tensor file is not a model (whether or not its bytes happen to parse as a ModelProto).
  CHECK_THROWS_WITH(io::load_model(dir + "/good.pb"), Contains(dir + "/good.pb") && Contains("ONNX model"));
  CHECK_THROWS_WITH(io::load_model(dir), Contains("is a directory"));

  onnx::ModelProto m;
  m.set_ir_version(8);
  onnx::NodeProto* n = m.mutable_graph()->add_node();
  n->set_op_type("MatMul");
  write_file(dir + "/m.onnx", m.SerializeAsString());
  const onnx::ModelProto back = io::load_model(dir + "/m.onnx");
  REQUIRE(back.graph().node_size() == 1);
  CHECK(back.graph().node(0).op_type() == "MatMul");
}
