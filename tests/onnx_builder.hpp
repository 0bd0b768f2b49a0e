#pragma once
/// Building small ONNX models in a test with libonnx's protobuf classes (no downloads, no Python).
#include <onnx/onnx_pb.h>

#include <cstdint>
#include <fstream>
#include <random>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

namespace arraysim::test {

/// n seeded values on a 1/64 grid in [-scale, scale] (exact in fp32), for a model's constants.
inline std::vector<float> grid_values(std::size_t n, float scale, unsigned seed) {
  std::mt19937 g(seed);
  std::uniform_int_distribution<int> d(-64, 64);
  std::vector<float> v(n);
  for (float& x : v) x = static_cast<float>(d(g)) * scale / 64.0f;
  return v;
}

/// A dimension: a number, or a symbolic name ("N").
using Dim = std::variant<std::int64_t, std::string>;

class OnnxBuilder {
 public:
  explicit OnnxBuilder(const std::string& graph_name = "g", std::int64_t opset = 13) {
    m_.set_ir_version(8);
    m_.set_producer_name("arraysim-test");
    auto* op = m_.add_opset_import();
    op->set_domain("");
    op->set_version(opset);
    m_.mutable_graph()->set_name(graph_name);
  }

  /// A graph input of element type `type` (TensorProto::FLOAT, UINT8, ...).
  OnnxBuilder& input(const std::string& name, const std::vector<Dim>& dims, int type = onnx::TensorProto::FLOAT) {
    info(m_.mutable_graph()->add_input(), name, dims, type);
    return *this;
  }
  /// A graph output (its shape left to shape inference).
  OnnxBuilder& output(const std::string& name, int type = onnx::TensorProto::FLOAT) {
    auto* v = m_.mutable_graph()->add_output();
    v->set_name(name);
    v->mutable_type()->mutable_tensor_type()->set_elem_type(type);
    return *this;
  }
  /// A constant initializer of zeros (raw_data) with `dims`.
  OnnxBuilder& initializer(const std::string& name, const std::vector<std::int64_t>& dims,
                           int type = onnx::TensorProto::FLOAT) {
    auto* t = m_.mutable_graph()->add_initializer();
    t->set_name(name);
    t->set_data_type(type);
    std::int64_t n = 1;
    for (const std::int64_t d : dims) t->add_dims(d), n *= d;
    const int width = type == onnx::TensorProto::FLOAT || type == onnx::TensorProto::INT32 ? 4
                      : type == onnx::TensorProto::INT64                                   ? 8
                                                                                           : 1;
    t->set_raw_data(std::string(static_cast<std::size_t>(n * width), '\0'));
    return *this;
  }
  /// A constant int64 initializer holding `values` (shape operands: Reshape's shape, axes).
  OnnxBuilder& int64s(const std::string& name, const std::vector<std::int64_t>& dims,
                      const std::vector<std::int64_t>& values) {
    auto* t = m_.mutable_graph()->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::INT64);
    for (const std::int64_t d : dims) t->add_dims(d);
    for (const std::int64_t v : values) t->add_int64_data(v);
    return *this;
  }
  /// A constant FLOAT initializer holding `values` (row-major, float_data).
  OnnxBuilder& floats(const std::string& name, const std::vector<std::int64_t>& dims,
                      const std::vector<float>& values) {
    auto* t = m_.mutable_graph()->add_initializer();
    t->set_name(name);
    t->set_data_type(onnx::TensorProto::FLOAT);
    for (const std::int64_t d : dims) t->add_dims(d);
    for (const float v : values) t->add_float_data(v);
    return *this;
  }
  /// A constant initializer of an 8-, 16- or 32-bit integer `type` (INT8, UINT8, INT32, ...)
  /// holding `values` (row-major, int32_data as ONNX stores these types).
  OnnxBuilder& int32s(const std::string& name, const std::vector<std::int64_t>& dims,
                      const std::vector<std::int32_t>& values, int type = onnx::TensorProto::INT32) {
    auto* t = m_.mutable_graph()->add_initializer();
    t->set_name(name);
    t->set_data_type(type);
    for (const std::int64_t d : dims) t->add_dims(d);
    for (const std::int32_t v : values) t->add_int32_data(v);
    return *this;
  }
  /// A node; returns it so that attributes can be added.
  onnx::NodeProto& node(const std::string& op, const std::vector<std::string>& inputs,
                        const std::vector<std::string>& outputs, const std::string& name = "") {
    auto* n = m_.mutable_graph()->add_node();
    n->set_op_type(op);
    n->set_name(name);
    for (const auto& i : inputs) n->add_input(i);
    for (const auto& o : outputs) n->add_output(o);
    return *n;
  }

  static void ints(onnx::NodeProto& n, const std::string& name, const std::vector<std::int64_t>& v) {
    auto* a = n.add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INTS);
    for (const std::int64_t x : v) a->add_ints(x);
  }
  static void integer(onnx::NodeProto& n, const std::string& name, std::int64_t v) {
    auto* a = n.add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(v);
  }
  static void real(onnx::NodeProto& n, const std::string& name, float v) {
    auto* a = n.add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::FLOAT);
    a->set_f(v);
  }
  static void string(onnx::NodeProto& n, const std::string& name, const std::string& v) {
    auto* a = n.add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::STRING);
    a->set_s(v);
  }

  const onnx::ModelProto& model() const { return m_; }
  onnx::ModelProto& model() { return m_; }

  /// Serializes the model to `path`; returns `path`.
  std::string save(const std::string& path) const {
    std::string bytes;
    if (!m_.SerializeToString(&bytes)) throw std::runtime_error("cannot serialize the test model");
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  }

 private:
  static void info(onnx::ValueInfoProto* v, const std::string& name, const std::vector<Dim>& dims, int type) {
    v->set_name(name);
    auto* tt = v->mutable_type()->mutable_tensor_type();
    tt->set_elem_type(type);
    auto* shape = tt->mutable_shape();
    for (const Dim& d : dims) {
      auto* dim = shape->add_dim();
      if (std::holds_alternative<std::int64_t>(d))
        dim->set_dim_value(std::get<std::int64_t>(d));
      else
        dim->set_dim_param(std::get<std::string>(d));
    }
  }

  onnx::ModelProto m_;
};

}  // namespace arraysim::test
