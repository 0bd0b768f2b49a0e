#include "sim/io/onnx_to_graph.hpp"

#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>

#include "sim/config/diagnostics.hpp"
#include "sim/io/import.hpp"
#include "sim/io/onnx_attributes.hpp"
#include "sim/io/onnx_import.hpp"
#include "sim/io/onnx_tensor.hpp"

namespace arraysim::io {
namespace {

using ir::OpKind;
using Dims = std::vector<std::int64_t>;

/// The version of the default operator set the model imports (1 when it names none).
std::int64_t default_opset(const onnx::ModelProto& m) {
  for (const onnx::OperatorSetIdProto& o : m.opset_import())
    if (o.domain().empty() || o.domain() == "ai.onnx") return o.version();
  return 1;
}

/// The ONNX operators the graph IR has (Constant and Identity are handled apart).
const std::map<std::string, OpKind> kKinds = {
    {"Conv", OpKind::conv2d},
    {"Gemm", OpKind::gemm},
    {"MatMul", OpKind::matmul},
    {"MaxPool", OpKind::max_pool},
    {"AveragePool", OpKind::average_pool},
    {"GlobalAveragePool", OpKind::global_average_pool},
    {"GlobalMaxPool", OpKind::global_max_pool},
    {"Relu", OpKind::relu},
    {"Clip", OpKind::clip},
    {"Sigmoid", OpKind::sigmoid},
    {"Tanh", OpKind::tanh},
    {"Gelu", OpKind::gelu},
    {"HardSwish", OpKind::hard_swish},
    {"LeakyRelu", OpKind::leaky_relu},
    {"Add", OpKind::add},
    {"Sub", OpKind::sub},
    {"Mul", OpKind::mul},
    {"Div", OpKind::div},
    {"Concat", OpKind::concat},
    {"Reshape", OpKind::reshape},
    {"Flatten", OpKind::flatten},
    {"Transpose", OpKind::transpose},
    {"Squeeze", OpKind::squeeze},
    {"Unsqueeze", OpKind::unsqueeze},
    {"Softmax", OpKind::softmax},
    {"LayerNormalization", OpKind::layer_norm},
    {"BatchNormalization", OpKind::batch_norm},
    {"QuantizeLinear", OpKind::quantize_linear},
    {"DequantizeLinear", OpKind::dequantize_linear},
};

/// The quantized products, decomposed into a conv2d or matmul accumulating in int32 and, for the
/// QLinear ones, a requantize (Importer::integer_product).
const std::set<std::string> kIntegerProducts = {"QLinearConv", "QLinearMatMul", "ConvInteger", "MatMulInteger"};

/// The attributes each mapping reads; any other attribute is an error, never silently ignored.
/// (Conv's are checked by conv2d_from_onnx.)
const std::map<std::string, std::set<std::string>> kKnownAttributes = {
    {"Gemm", {"alpha", "beta", "transA", "transB"}},
    {"MaxPool", {"auto_pad", "ceil_mode", "dilations", "kernel_shape", "pads", "storage_order", "strides"}},
    {"AveragePool", {"auto_pad", "ceil_mode", "count_include_pad", "dilations", "kernel_shape", "pads", "strides"}},
    {"Clip", {"max", "min"}},
    {"Gelu", {"approximate"}},
    {"LeakyRelu", {"alpha"}},
    {"Concat", {"axis"}},
    {"Reshape", {"allowzero", "shape"}},
    {"Flatten", {"axis"}},
    {"Transpose", {"perm"}},
    {"Squeeze", {"axes"}},
    {"Unsqueeze", {"axes"}},
    {"Softmax", {"axis"}},
    {"LayerNormalization", {"axis", "epsilon", "stash_type"}},
    {"BatchNormalization", {"epsilon", "momentum", "training_mode"}},
    {"QuantizeLinear", {"axis"}},
    {"DequantizeLinear", {"axis"}},
};

/// A number as C++ streams print it ("0.5", "2").
std::string number(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

/// Builds the graph of one model; errors are collected, not thrown, so that every node is seen.
class Importer {
 public:
  Importer(const onnx::ModelProto& model, const std::string& file)
      : graph_(model.graph()), file_(file), opset_(default_opset(model)), g_(model.graph().name()) {
    for (const onnx::ValueInfoProto& v : graph_.input()) types_.emplace(v.name(), &v);
    for (const onnx::ValueInfoProto& v : graph_.value_info()) types_.emplace(v.name(), &v);
    for (const onnx::ValueInfoProto& v : graph_.output()) types_.emplace(v.name(), &v);
    for (const onnx::ValueInfoProto& v : graph_.input()) onnx_names_.insert(v.name());
    for (const onnx::TensorProto& t : graph_.initializer()) onnx_names_.insert(t.name());
    for (const onnx::NodeProto& n : graph_.node()) onnx_names_.insert(n.output().begin(), n.output().end());
  }

  ir::Graph run() {
    std::set<std::string> initializers;
    for (const onnx::TensorProto& t : graph_.initializer()) {
      initializers.insert(t.name());
      elem_[t.name()] = t.data_type();
      try {
        add_constant(t.name(), to_ir_tensor(t));
      } catch (const std::exception& e) {
        // to_ir_tensor names the tensor too: once is enough.
        std::string what = e.what();
        const std::string prefix = "ONNX tensor '" + t.name() + "': ";
        if (what.rfind(prefix, 0) == 0) what.erase(0, prefix.size());
        value_error(t.name(), what);
      }
    }
    for (const onnx::ValueInfoProto& v : graph_.input()) {
      if (initializers.count(v.name())) continue;  // a default value: the initializer is the constant
      try {
        ir::TensorInfo t = declared(v.name());
        t.is_input = true;
        g_.add_tensor(std::move(t));
      } catch (const std::exception& e) {
        value_error(v.name(), e.what());
      }
    }
    for (int i = 0; i < graph_.node_size(); ++i) node(i);
    for (const onnx::ValueInfoProto& v : graph_.output()) {
      const std::string name = resolve(v.name());
      if (failed_.count(name)) continue;
      if (ir::TensorInfo* t = g_.find_tensor(name)) {
        t->is_output = true;
        continue;
      }
      try {  // computed by no node: validate() reports it
        ir::TensorInfo t = declared(name);
        t.is_output = true;
        g_.add_tensor(std::move(t));
      } catch (const std::exception& e) {
        value_error(name, e.what());
      }
    }
    if (!errors_.empty()) throw ImportError(errors_);
    std::vector<std::string> issues = g_.validate();
    if (!issues.empty()) {
      for (std::string& s : issues) s = file_ + ": " + s;
      throw ImportError(issues);
    }
    return std::move(g_);
  }

 private:
  void value_error(const std::string& name, const std::string& what) {
    errors_.push_back(file_ + ": tensor '" + shown(name) + "': " + what);
    failed_.insert(name);
  }

  void add_constant(const std::string& name, ir::Tensor value) {
    ir::TensorInfo t;
    t.name = name;
    t.shape = value.shape();
    t.dtype = value.dtype();
    t.value = std::move(value);
    g_.add_tensor(std::move(t));
  }

  /// The ONNX type of a value after shape inference; nullptr when it has none.
  const onnx::TypeProto_Tensor* onnx_type(const std::string& name) const {
    const auto it = types_.find(name);
    if (it == types_.end() || !it->second->type().has_tensor_type()) return nullptr;
    return &it->second->type().tensor_type();
  }

  /// The ONNX element type of a value (0 when unknown).
  int elem_type(const std::string& name) const {
    if (const auto it = elem_.find(name); it != elem_.end()) return it->second;
    const onnx::TypeProto_Tensor* t = onnx_type(name);
    return t ? t->elem_type() : 0;
  }

  /// A value declared with the shape and dtype ONNX shape inference gives it.
  ir::TensorInfo declared(const std::string& name) const {
    const onnx::TypeProto_Tensor* t = onnx_type(name);
    if (!t || t->elem_type() == 0) throw std::runtime_error("the element type is unknown after ONNX shape inference");
    ir::TensorInfo info;
    info.name = name;
    info.dtype = ir_dtype_for(t->elem_type());
    if (!t->has_shape()) throw std::runtime_error("the shape is unknown after ONNX shape inference");
    for (int i = 0; i < t->shape().dim_size(); ++i) {
      const onnx::TensorShapeProto::Dimension& d = t->shape().dim(i);
      if (!d.has_dim_value())
        throw std::runtime_error("the shape is not static after ONNX shape inference: dimension " + std::to_string(i) +
                                 (d.has_dim_param() ? " is symbolic ('" + shown(d.dim_param()) + "')" : " is unknown"));
      info.shape.push_back(d.dim_value());
    }
    return info;
  }

  /// `name` with Identity aliases followed.
  std::string resolve(const std::string& name) const {
    const auto it = alias_.find(name);
    return it == alias_.end() ? name : it->second;
  }

  /// Input k of the node, aliases followed; "" when absent.
  std::string input(const onnx::NodeProto& n, int k) const {
    return k < n.input_size() && !n.input(k).empty() ? resolve(n.input(k)) : std::string();
  }

  /// The value of input k, which must be a constant (an initializer or a Constant node's output).
  const ir::Tensor& constant_input(const onnx::NodeProto& n, int k, const std::string& role) const {
    const std::string name = input(n, k);
    const ir::TensorInfo* t = g_.find_tensor(name);
    if (!t || !t->value)
      throw std::runtime_error(
          role + " '" + shown(name) +
          "' is not a constant (the graph IR takes it as an attribute: give it as an initializer)");
    return *t->value;
  }

  /// The integers of a constant 1-D (or scalar) int64/int32 input.
  Dims int_list(const onnx::NodeProto& n, int k, const std::string& role) const {
    const ir::Tensor& t = constant_input(n, k, role);
    if (t.dtype() != ir::DType::int64 && t.dtype() != ir::DType::int32)
      throw std::runtime_error(role + " '" + shown(input(n, k)) + "' is " + ir::dtype_name(t.dtype()) + ", not int64");
    if (t.shape().size() > 1)
      throw std::runtime_error(role + " '" + shown(input(n, k)) + "' is " + ir::shape_str(t.shape()) + ", not 1-D");
    Dims v;
    for (std::int64_t i = 0; i < t.size(); ++i) v.push_back(t.get_i64(i));
    return v;
  }

  /// The quantized type of an ONNX INT8 / UINT8 value.
  ir::QType qtype(const std::string& name, const std::string& role) const {
    const int e = elem_type(name);
    if (e == onnx::TensorProto::UINT8) return ir::QType::uint8;
    if (e == onnx::TensorProto::INT8) return ir::QType::int8;
    throw std::runtime_error(role + " '" + shown(name) + "' is " + onnx_dtype_name(e) +
                             "; the graph IR quantizes to INT8 and UINT8 only");
  }

  /// Records the quantization of `name` from a quantizer's constant scale and zero point (both
  /// must be constants; otherwise the tensor stays without QuantParams).
  void annotate_quant(const std::string& name, const onnx::NodeProto& n, const ir::QuantAttrs& a) {
    ir::TensorInfo* t = g_.find_tensor(name);
    const ir::TensorInfo* scale = g_.find_tensor(input(n, 1));
    const std::string zp_name = input(n, 2);
    const ir::TensorInfo* zp = zp_name.empty() ? nullptr : g_.find_tensor(zp_name);
    if (!t || t->quant || !scale || !scale->value || (zp && !zp->value) || scale->dtype != ir::DType::fp32) return;
    ir::QuantParams q;
    for (std::int64_t i = 0; i < scale->value->size(); ++i) q.scale.push_back(scale->value->data<float>()[i]);
    if (zp)
      for (std::int64_t i = 0; i < zp->value->size(); ++i) q.zero_point.push_back(zp->value->get_i64(i));
    q.axis = a.axis;
    q.qtype = a.qtype;
    t->quant = q;
  }

  /// The node's first `count` inputs, aliases followed, trailing omitted ones dropped.
  std::vector<std::string> inputs(const onnx::NodeProto& n, int count) const {
    std::vector<std::string> v;
    for (int k = 0; k < count && k < n.input_size(); ++k) v.push_back(input(n, k));
    while (!v.empty() && v.back().empty()) v.pop_back();
    for (std::size_t k = 0; k < v.size(); ++k)
      if (v[k].empty()) throw std::runtime_error("input " + std::to_string(k) + " is omitted but a later one is given");
    return v;
  }

  /// The attributes of node `n` mapped to `kind`; `op.inputs` are set where constant inputs turn
  /// into attributes.
  void map_attributes(const onnx::NodeProto& n, ir::Op& op) {
    const std::string& type = n.op_type();
    switch (op.kind) {
      case OpKind::conv2d: {
        const Dims& xs = g_.tensor(op.inputs.at(0)).shape;
        if (xs.size() != 4)
          throw std::runtime_error("X " + ir::shape_str(xs) + " is not 4-D: only 2-D convolutions are in the graph IR");
        const ir::Conv2dParams p = conv2d_from_onnx(n, xs, g_.tensor(op.inputs.at(1)).shape);
        ir::ConvAttrs a;
        a.stride_h = p.stride_h, a.stride_w = p.stride_w;
        a.pad_top = p.pad_top, a.pad_bottom = p.pad_bottom, a.pad_left = p.pad_left, a.pad_right = p.pad_right;
        a.dilation_h = p.dilation_h, a.dilation_w = p.dilation_w;
        a.groups = p.groups;
        op.attrs = a;
        return;
      }
      case OpKind::gemm: {
        for (const char* k : {"alpha", "beta"}) {
          const float v = attr_float(n, k, 1.0f);
          if (v != 1.0f)
            throw std::runtime_error(std::string(k) + " " + number(v) +
                                     " is not 1: the graph IR's gemm has no scale factors");
        }
        op.attrs = ir::GemmAttrs{attr_int(n, "transA", 0) != 0, attr_int(n, "transB", 0) != 0};
        return;
      }
      case OpKind::max_pool:
      case OpKind::average_pool: {
        if (!find_attr(n, "kernel_shape")) throw std::runtime_error("has no kernel_shape (ONNX requires it)");
        op.attrs = pool_params_from_onnx(n);
        return;
      }
      case OpKind::clip: {
        ir::ClipAttrs a;
        if (opset_ < 11) {  // bounds as attributes (defaults: the float range)
          a.min = attr_float(n, "min", std::numeric_limits<float>::lowest());
          a.max = attr_float(n, "max", std::numeric_limits<float>::max());
        } else {
          for (int k = 1; k <= 2; ++k) {
            if (input(n, k).empty()) continue;
            const std::string role = k == 1 ? "min" : "max";
            const ir::Tensor& t = constant_input(n, k, role);
            if (t.size() != 1)
              throw std::runtime_error(role + " '" + shown(input(n, k)) + "' has " + std::to_string(t.size()) +
                                       " elements, not one");
            (k == 1 ? a.min : a.max) = t.get_f64(0);
          }
        }
        op.attrs = a;
        return;
      }
      case OpKind::gelu: {
        const std::string s = attr_string(n, "approximate", "none");
        if (s != "none" && s != "tanh") throw std::runtime_error("approximate '" + shown(s) + "' is not none or tanh");
        op.attrs = ir::GeluAttrs{s == "tanh"};
        return;
      }
      case OpKind::leaky_relu: op.attrs = ir::LeakyReluAttrs{attr_float(n, "alpha", 0.01f)}; return;
      case OpKind::add:
      case OpKind::sub:
      case OpKind::mul: {
        const int e = elem_type(n.output(0));
        if (e == onnx::TensorProto::UINT8 || e == onnx::TensorProto::UINT16)
          throw std::runtime_error(onnx_dtype_name(e) + " " + type +
                                   " is not in the graph IR yet (held in a wider signed type, it would not wrap)");
        return;
      }
      case OpKind::concat:
        if (!find_attr(n, "axis")) throw std::runtime_error("has no axis (ONNX requires it)");
        op.attrs = ir::AxisAttrs{attr_int(n, "axis", 0)};
        return;
      case OpKind::reshape: {
        ir::ReshapeAttrs a;
        a.shape = opset_ < 5 ? attr_ints(n, "shape", {}) : int_list(n, 1, "shape");
        a.allowzero = attr_int(n, "allowzero", 0) != 0;
        op.attrs = a;
        return;
      }
      case OpKind::flatten: op.attrs = ir::AxisAttrs{attr_int(n, "axis", 1)}; return;
      case OpKind::transpose: op.attrs = ir::TransposeAttrs{attr_ints(n, "perm", {})}; return;
      case OpKind::squeeze:
      case OpKind::unsqueeze: {
        ir::AxesAttrs a;
        if (opset_ < 13)
          a.axes = attr_ints(n, "axes", {});
        else if (!input(n, 1).empty())
          a.axes = int_list(n, 1, "axes");
        if (op.kind == OpKind::unsqueeze && a.axes.empty())
          throw std::runtime_error("has no axes (ONNX requires them)");
        op.attrs = a;
        return;
      }
      case OpKind::softmax: {
        const std::int64_t axis = attr_int(n, "axis", opset_ < 13 ? 1 : -1);
        if (opset_ < 13) {
          // Before opset 13 Softmax normalizes over all dimensions from axis on together; that is
          // the IR's softmax over one axis only when axis is the last one.
          const std::int64_t rank = static_cast<std::int64_t>(g_.tensor(op.inputs.at(0)).shape.size());
          if (axis != -1 && axis != rank - 1)
            throw std::runtime_error("Softmax of opset " + std::to_string(opset_) + " with axis " +
                                     std::to_string(axis) + " of a rank-" + std::to_string(rank) +
                                     " input normalizes over several dimensions: only the last axis maps");
        }
        op.attrs = ir::AxisAttrs{axis};
        return;
      }
      case OpKind::layer_norm:
        if (attr_int(n, "stash_type", 1) != 1)
          throw std::runtime_error("stash_type " + std::to_string(attr_int(n, "stash_type", 1)) +
                                   " is not 1 (fp32 statistics)");
        op.attrs = ir::LayerNormAttrs{attr_int(n, "axis", -1), attr_float(n, "epsilon", 1e-5f)};
        return;
      case OpKind::batch_norm:
        if (attr_int(n, "training_mode", 0) != 0)
          throw std::runtime_error("training_mode 1 is not in the graph IR (inference only)");
        op.attrs = ir::BatchNormAttrs{attr_float(n, "epsilon", 1e-5f)};
        return;
      case OpKind::quantize_linear:
        op.attrs = ir::QuantAttrs{attr_int(n, "axis", 1), qtype(n.output(0), "output")};
        return;
      case OpKind::dequantize_linear:
        op.attrs = ir::QuantAttrs{attr_int(n, "axis", 1), qtype(input(n, 0), "input")};
        return;
      default: return;  // no attributes
    }
  }

  /// Adds `op` and declares its output: the type ONNX shape inference gives it, or, when
  /// inference left it without a type (an operator newer than libonnx, or a tensor an import
  /// decomposition adds), the IR's own rule with `fallback` as the declared dtype.
  void add_op(ir::Op op, ir::DType fallback = ir::DType::fp32) {
    const std::string& y = op.outputs.at(0);
    ir::TensorInfo t;
    const onnx::TypeProto_Tensor* ot = onnx_type(y);
    if (ot && ot->elem_type() != 0 && ot->has_shape()) {
      t = declared(y);
    } else {
      std::vector<ir::TensorType> in;
      for (const std::string& name : op.inputs) in.push_back({g_.tensor(name).shape, g_.tensor(name).dtype});
      const ir::DType want = ot && ot->elem_type() != 0 ? ir_dtype_for(ot->elem_type()) : fallback;
      const ir::TensorType r = ir::infer_output(op, in, want);
      t.name = y, t.shape = r.shape, t.dtype = r.dtype;
    }
    std::string name = op.name;
    for (int k = 2; g_.find_op(name); ++k) name = op.name + "_" + std::to_string(k);
    op.name = name;
    g_.add_tensor(std::move(t));
    g_.add_op(std::move(op));
  }

  void constant(const onnx::NodeProto& n) {
    if (n.attribute_size() != 1)
      throw std::runtime_error("has " + std::to_string(n.attribute_size()) + " attributes; a Constant has one");
    const onnx::AttributeProto& a = n.attribute(0);
    const std::string& y = n.output(0);
    const auto make = [&](ir::DType d, std::int64_t count) { return ir::Tensor(d, count < 0 ? Dims{} : Dims{count}); };
    if (a.name() == "value") {
      elem_[y] = a.t().data_type();
      add_constant(y, to_ir_tensor(a.t()));
    } else if (a.name() == "value_float" || a.name() == "value_floats") {
      const bool one = a.name() == "value_float";
      ir::Tensor t = make(ir::DType::fp32, one ? -1 : a.floats_size());
      for (std::int64_t i = 0; i < t.size(); ++i) t.set_f64(i, one ? a.f() : a.floats(static_cast<int>(i)));
      elem_[y] = onnx::TensorProto::FLOAT;
      add_constant(y, std::move(t));
    } else if (a.name() == "value_int" || a.name() == "value_ints") {
      const bool one = a.name() == "value_int";
      ir::Tensor t = make(ir::DType::int64, one ? -1 : a.ints_size());
      for (std::int64_t i = 0; i < t.size(); ++i) t.set_i64(i, one ? a.i() : a.ints(static_cast<int>(i)));
      elem_[y] = onnx::TensorProto::INT64;
      add_constant(y, std::move(t));
    } else {
      throw std::runtime_error("attribute '" + shown(a.name()) +
                               "' is not supported (supported: value, value_float, value_floats, value_int, "
                               "value_ints)");
    }
  }

  /// Identity: its output names its input. A graph output keeps its name through a copy (a
  /// reshape to the input's own shape).
  void identity(const onnx::NodeProto& n, const std::string& op_name) {
    require_known_attributes(n, {});
    const std::string x = input(n, 0), y = n.output(0);
    if (x.empty()) throw std::runtime_error("has no input");
    bool graph_output = false;
    for (const onnx::ValueInfoProto& v : graph_.output()) graph_output = graph_output || v.name() == y;
    if (!graph_output) {
      alias_[y] = x;
      return;
    }
    add_op(ir::make_op(OpKind::reshape, op_name, {x}, {y}, ir::ReshapeAttrs{g_.tensor(x).shape, true}));
  }

  /// A tensor name not yet taken by the graph nor by any value of the ONNX model: `base`, or
  /// `base_2`, `base_3`, ... (tensors the decompositions add must not collide with later nodes').
  std::string fresh_tensor_name(const std::string& base) const {
    std::string name = base;
    for (int k = 2; g_.find_tensor(name) || onnx_names_.count(name); ++k) name = base + "_" + std::to_string(k);
    return name;
  }

  /// The constant zero point of input k as integers (empty when the input is absent: all 0).
  Dims zero_point_values(const onnx::NodeProto& n, int k, const std::string& role) const {
    const std::string name = input(n, k);
    if (name.empty()) return {};
    const ir::TensorInfo* t = g_.find_tensor(name);
    if (!t || !t->value)
      throw std::runtime_error(role + " '" + shown(name) +
                               "' is not a constant: the import must see its value (only 0 maps to the array)");
    Dims v;
    for (std::int64_t i = 0; i < t->value->size(); ++i) v.push_back(t->value->get_i64(i));
    return v;
  }

  /// The constant fp32 scale of input k (one element, or one per channel).
  std::vector<float> scale_values(const onnx::NodeProto& n, int k, const std::string& role) const {
    const std::string name = input(n, k);
    if (name.empty()) throw std::runtime_error("has no " + role + " (input " + std::to_string(k) + ")");
    const ir::TensorInfo* t = g_.find_tensor(name);
    if (!t || !t->value)
      throw std::runtime_error(role + " '" + shown(name) +
                               "' is not a constant: the requantize multiplier is computed at import (give it as "
                               "an initializer)");
    if (t->dtype != ir::DType::fp32)
      throw std::runtime_error(role + " '" + shown(name) + "' is " + ir::dtype_name(t->dtype) + ", not fp32");
    const float* p = t->value->data<float>();
    return std::vector<float>(p, p + t->value->size());
  }

  /// Operand k of an integer product (QLinearConv, QLinearMatMul, ConvInteger, MatMulInteger) as
  /// an int8 tensor, the array's operand type: the array sums raw products, so the operand must be
  /// int8 with a zero point that is absent or 0. A constant operand whose values minus its zero
  /// point all lie in int8 (a uint8 weight below 128, a weight with a nonzero zero point) is folded
  /// into a new int8 constant, which is exact. Anything else is refused with the reason.
  /// `zp_axis` is the operand's axis a per-channel zero point runs along.
  std::string int8_operand(const onnx::NodeProto& n, const std::string& op_name, int k, int zp_k,
                           const std::string& role, std::size_t zp_axis, const std::string& asymmetric) {
    const std::string name = input(n, k);
    if (name.empty()) throw std::runtime_error("has no " + role + " (input " + std::to_string(k) + ")");
    const ir::TensorInfo* t = g_.find_tensor(name);
    if (!t) throw std::runtime_error("input '" + shown(name) + "' is not a value of the graph");
    const int e = elem_type(name);
    if (e != onnx::TensorProto::INT8 && e != onnx::TensorProto::UINT8)
      throw std::runtime_error(role + " '" + shown(name) + "' is " + onnx_dtype_name(e) + ", not INT8 or UINT8");
    const std::string zp_role = role + "_zero_point";
    const Dims zp = zero_point_values(n, zp_k, zp_role);
    const std::int64_t channels = zp_axis < t->shape.size() ? t->shape[zp_axis] : 0;
    if (zp.size() > 1 && channels == 0)
      throw std::runtime_error(zp_role + " has " + std::to_string(zp.size()) + " elements, not one");
    if (zp.size() > 1 && static_cast<std::int64_t>(zp.size()) != channels)
      throw std::runtime_error(zp_role + " has " + std::to_string(zp.size()) + " elements: neither one nor " +
                               std::to_string(channels) + " (axis " + std::to_string(zp_axis) + " of " + role + " " +
                               ir::shape_str(t->shape) + ")");
    std::size_t nonzero = zp.size();  // index of the first nonzero zero point
    for (std::size_t i = 0; i < zp.size() && nonzero == zp.size(); ++i)
      if (zp[i] != 0) nonzero = i;
    if (e == onnx::TensorProto::INT8 && nonzero == zp.size()) return name;

    const std::string zp_text = nonzero == zp.size() ? std::string()
                                : zp.size() == 1
                                    ? zp_role + " " + std::to_string(zp[0])
                                    : zp_role + "[" + std::to_string(nonzero) + "] " + std::to_string(zp[nonzero]);
    const std::string why = "the array multiplies raw int8 operands (" +
                            (zp_text.empty() ? std::string("uint8 operands") : asymmetric) + ": not yet)";
    const std::string cause = zp_text.empty() ? role + " '" + shown(name) + "' is UINT8" : zp_text + " is not 0";
    if (!t->value) throw std::runtime_error(cause + "; " + why);

    // A constant: fold the zero point in when every difference is an int8 value.
    std::int64_t inner = 1;  // elements per step of the zero point's axis
    for (std::size_t d = zp_axis + 1; d < t->shape.size(); ++d) inner *= t->shape[d];
    ir::Tensor folded(ir::DType::int8, t->shape);
    for (std::int64_t i = 0; i < t->value->size(); ++i) {
      const std::int64_t z = zp.empty()       ? 0
                             : zp.size() == 1 ? zp[0]
                                              : zp[static_cast<std::size_t>((i / inner) % channels)];
      const std::int64_t v = t->value->get_i64(i) - z;
      if (v < -128 || v > 127)
        throw std::runtime_error(cause + " and the constant " + role + " - " + zp_role + " leaves int8 (" +
                                 std::to_string(v) + " at index " + std::to_string(i) + "); " + why);
      folded.set_i64(i, v);
    }
    const std::string folded_name = fresh_tensor_name(op_name + "/" + role + "_int8");
    add_constant(folded_name, std::move(folded));
    return folded_name;
  }

  /// Records quantization parameters on a tensor that has none (the operands and the result of a
  /// QLinear node): real = (q - zero_point) · scale.
  void annotate(const std::string& name, const std::vector<float>& scale, const std::string& zp_name, std::int64_t axis,
                ir::QType q) {
    ir::TensorInfo* t = g_.find_tensor(name);
    if (!t || t->quant || t->dtype != ir::storage_dtype(q)) return;
    ir::QuantParams p;
    p.scale = scale;
    if (!zp_name.empty()) {
      const ir::TensorInfo* zp = g_.find_tensor(zp_name);
      if (!zp || !zp->value) return;
      for (std::int64_t i = 0; i < zp->value->size(); ++i) p.zero_point.push_back(zp->value->get_i64(i));
      // One zero point per scale: a per-tensor zero point of a per-channel scale is repeated.
      if (p.zero_point.size() == 1 && scale.size() > 1) p.zero_point.assign(scale.size(), p.zero_point[0]);
      if (p.zero_point.size() != scale.size()) return;
    }
    p.axis = axis;
    p.qtype = q;
    t->quant = p;
  }

  /// QLinearConv, QLinearMatMul, ConvInteger and MatMulInteger, decomposed into operators the
  /// graph IR has: the product of int8 operands accumulating in int32 (conv2d or matmul, the
  /// array's work; QLinearConv's bias B added in int32), then for the QLinear ones requantize
  /// with multiplier = x_scale · w_scale / y_scale (per tensor, or per output channel for a
  /// per-channel w_scale), computed in fp32 as the ONNX reference and onnxruntime do.
  void integer_product(const onnx::NodeProto& n, const std::string& op_name) {
    const std::string& type = n.op_type();
    const bool conv = type == "QLinearConv" || type == "ConvInteger";
    const bool qlinear = type == "QLinearConv" || type == "QLinearMatMul";
    if (!conv) require_known_attributes(n, {});  // a convolution's are checked by conv2d_from_onnx
    if (n.output_size() != 1 || n.output(0).empty()) throw std::runtime_error("has no output");
    const int max_inputs = type == "QLinearConv" ? 9 : qlinear ? 8 : 4;
    if (n.input_size() > max_inputs)
      throw std::runtime_error("has " + std::to_string(n.input_size()) + " inputs; " + type + " takes at most " +
                               std::to_string(max_inputs));
    // Input positions: QLinear* (x, x_scale, x_zp, w, w_scale, w_zp, y_scale, y_zp, B?),
    // *Integer (x, w, x_zp?, w_zp?).
    const int wi = qlinear ? 3 : 1, x_zp = 2, w_zp = qlinear ? 5 : 3;
    const std::string xr = conv ? "x" : "a", wr = conv ? "w" : "b";
    for (int k = 0; k < n.input_size(); ++k)
      if (!input(n, k).empty() && !g_.find_tensor(input(n, k)))
        throw std::runtime_error("input '" + shown(input(n, k)) + "' is not a value of the graph");
    const std::string x_name = input(n, 0), w_name = input(n, wi);
    // Zero points run along: x (per tensor, or a's rows), w's output channels (axis 0), b's columns.
    const std::size_t x_rank = x_name.empty() ? 0 : g_.tensor(x_name).shape.size();
    const std::size_t w_rank = w_name.empty() ? 0 : g_.tensor(w_name).shape.size();
    const std::size_t x_axis = conv ? x_rank : x_rank - 2;  // conv: past the end (per tensor only)
    const std::size_t w_axis = conv ? 0 : w_rank - 1;
    const std::string x = int8_operand(n, op_name, 0, x_zp, xr, x_axis, "asymmetric inputs");
    const std::string w = int8_operand(n, op_name, wi, w_zp, wr, w_axis, "asymmetric weights");

    std::vector<std::string> product_inputs{x, w};
    if (type == "QLinearConv" && !input(n, 8).empty()) product_inputs.push_back(input(n, 8));
    const ir::OpKind kind = conv ? OpKind::conv2d : OpKind::matmul;
    ir::Op product = ir::make_op(kind, op_name, product_inputs, {n.output(0)});
    map_attributes(n, product);  // conv2d: ConvAttrs by conv2d_from_onnx (attributes checked there)
    if (!qlinear) {
      add_op(std::move(product), ir::DType::int32);
      return;
    }

    // The requantize stage: y = saturate(round_half_even(acc · multiplier) + y_zero_point).
    const std::vector<float> x_scale = scale_values(n, 1, xr + "_scale");
    const std::vector<float> w_scale = scale_values(n, 4, wr + "_scale");
    const std::vector<float> y_scale = scale_values(n, 6, "y_scale");
    if (x_scale.size() != 1)
      throw std::runtime_error(xr + "_scale has " + std::to_string(x_scale.size()) + " elements, not one" +
                               (conv ? "" : ": per-row scales of a are not in the graph IR yet (one multiplier axis)"));
    if (y_scale.size() != 1)
      throw std::runtime_error("y_scale has " + std::to_string(y_scale.size()) + " elements, not one");
    const ir::Shape& ws = g_.tensor(w_name).shape;
    const std::int64_t channels = conv ? ws.at(0) : ws.back();  // output channels / columns of b
    if (w_scale.size() != 1 && static_cast<std::int64_t>(w_scale.size()) != channels)
      throw std::runtime_error(wr + "_scale has " + std::to_string(w_scale.size()) + " elements: neither one nor " +
                               std::to_string(channels) + (conv ? " (W's output channels)" : " (B's columns)"));
    ir::Tensor multiplier(ir::DType::fp32, {static_cast<std::int64_t>(w_scale.size())});
    for (std::size_t c = 0; c < w_scale.size(); ++c) {
      // fp32 as ONNX's reference (numpy float32) and onnxruntime (float) compute it: the product
      // rounded to fp32, then the quotient rounded to fp32.
      const float product_scale = x_scale[0] * w_scale[c];
      const float m = product_scale / y_scale[0];
      if (!std::isfinite(m))
        throw std::runtime_error("the multiplier " + xr + "_scale · " + wr + "_scale / y_scale is " + number(m));
      multiplier.data<float>()[c] = m;
    }
    const ir::QType q = qtype(n.output(0), "output");

    const std::string y = n.output(0);
    const std::string acc = fresh_tensor_name(op_name + "/accumulator");
    product.outputs = {acc};
    add_op(std::move(product), ir::DType::int32);
    const std::int64_t y_rank = static_cast<std::int64_t>(g_.tensor(acc).shape.size());
    const std::int64_t axis = conv ? 1 : y_rank - 1;
    const std::string m_name = fresh_tensor_name(op_name + "/multiplier");
    add_constant(m_name, std::move(multiplier));
    std::vector<std::string> rq_inputs{acc, m_name};
    if (!input(n, 7).empty()) rq_inputs.push_back(input(n, 7));
    add_op(ir::make_op(OpKind::requantize, op_name + "/requantize", rq_inputs, {y}, ir::QuantAttrs{axis, q}));

    annotate(x_name, x_scale, input(n, 2), 1, qtype(x_name, xr));
    annotate(w_name, w_scale, input(n, 5), conv ? 0 : static_cast<std::int64_t>(w_rank) - 1, qtype(w_name, wr));
    annotate(y, y_scale, input(n, 7), 1, q);
  }

  void node(int i) {
    const onnx::NodeProto& n = graph_.node(i);
    const std::string& type = n.op_type();
    // A node reading a value that could not be imported is not reported again.
    for (const std::string& in : n.input())
      if (failed_.count(resolve(in))) {
        failed_.insert(n.output().begin(), n.output().end());
        return;
      }
    const std::string op_name = n.name().empty() ? type + "_" + std::to_string(i) : n.name();
    try {
      const bool default_domain = n.domain().empty() || n.domain() == "ai.onnx";
      const auto kind = kKinds.find(type);
      if (default_domain && type == "Constant") return constant(n);
      if (default_domain && type == "Identity") return identity(n, op_name);
      if (default_domain && kIntegerProducts.count(type)) return integer_product(n, op_name);
      if (!default_domain || kind == kKinds.end())
        throw std::runtime_error(default_domain ? "not in the graph IR yet"
                                                : "not in the graph IR yet (domain '" + shown(n.domain()) + "')");
      // Clip's bounds (opset 11), Reshape's shape (opset 5), Squeeze's and Unsqueeze's axes
      // (opset 13) moved from attributes to inputs.
      const bool moved = (type == "Clip" && opset_ >= 11) || (type == "Reshape" && opset_ >= 5) ||
                         ((type == "Squeeze" || type == "Unsqueeze") && opset_ >= 13);
      if (moved)
        require_known_attributes(n, type == "Reshape" ? std::set<std::string>{"allowzero"} : std::set<std::string>{});
      else if (const auto known = kKnownAttributes.find(type); known != kKnownAttributes.end())
        require_known_attributes(n, known->second);
      else if (kind->second != OpKind::conv2d)
        require_known_attributes(n, {});
      for (int k = 1; k < n.output_size(); ++k)
        if (!n.output(k).empty())
          throw std::runtime_error("output " + std::to_string(k) + " ('" + shown(n.output(k)) +
                                   "') is not in the graph IR yet: its " + ir::op_kind_name(kind->second) +
                                   " has one output");
      if (n.output_size() < 1 || n.output(0).empty()) throw std::runtime_error("has no output");
      // Inputs that become attributes (Clip's bounds, Reshape's shape, the axes) are read by
      // map_attributes and not passed on.
      const bool one_input = kind->second == OpKind::clip || kind->second == OpKind::reshape ||
                             kind->second == OpKind::squeeze || kind->second == OpKind::unsqueeze;
      ir::Op op = ir::make_op(kind->second, op_name, inputs(n, one_input ? 1 : n.input_size()), {n.output(0)});
      if (op.inputs.empty()) throw std::runtime_error("has no input");
      for (const std::string& in : op.inputs)
        if (!g_.find_tensor(in)) throw std::runtime_error("input '" + shown(in) + "' is not a value of the graph");
      map_attributes(n, op);
      const ir::OpKind k = op.kind;
      const ir::OpAttrs attrs = op.attrs;
      add_op(std::move(op));
      if (k == OpKind::quantize_linear) annotate_quant(n.output(0), n, std::get<ir::QuantAttrs>(attrs));
      if (k == OpKind::dequantize_linear) annotate_quant(input(n, 0), n, std::get<ir::QuantAttrs>(attrs));
    } catch (const std::exception& e) {
      errors_.push_back(file_ + ": " + shown(describe_node(n, i)) + ": " + e.what());
      failed_.insert(n.output().begin(), n.output().end());
    }
  }

  const onnx::GraphProto& graph_;
  const std::string& file_;
  const std::int64_t opset_;
  ir::Graph g_;
  std::map<std::string, const onnx::ValueInfoProto*> types_;
  std::map<std::string, int> elem_;           ///< ONNX element types of constants
  std::map<std::string, std::string> alias_;  ///< Identity outputs -> the value they name
  std::set<std::string> failed_;              ///< values not imported (their error is reported)
  std::set<std::string> onnx_names_;          ///< every value name of the ONNX graph
  std::vector<std::string> errors_;
};

}  // namespace

ir::PoolParams pool_params_from_onnx(const onnx::NodeProto& n) {
  const std::string s = attr_string(n, "auto_pad", "NOTSET");
  ir::PoolParams p;
  if (s == "NOTSET") {
    p.auto_pad = ir::AutoPad::notset;
  } else if (s == "VALID") {
    p.auto_pad = ir::AutoPad::valid;
  } else if (s == "SAME_UPPER") {
    p.auto_pad = ir::AutoPad::same_upper;
  } else if (s == "SAME_LOWER") {
    p.auto_pad = ir::AutoPad::same_lower;
  } else {
    throw std::runtime_error("auto_pad '" + shown(s) + "' is not one of NOTSET, SAME_UPPER, SAME_LOWER, VALID");
  }
  p.kernel = attr_ints(n, "kernel_shape", {});
  p.strides = attr_ints(n, "strides", {});
  p.dilations = attr_ints(n, "dilations", {});
  p.pads = attr_ints(n, "pads", {});
  p.ceil_mode = attr_int(n, "ceil_mode", 0) != 0;
  p.count_include_pad = attr_int(n, "count_include_pad", 0) != 0;
  return p;
}

ir::Graph onnx_graph(onnx::ModelProto model, const std::string& file, const InputShapes& shapes,
                     std::vector<std::string>* warnings) {
  std::vector<std::string> w = prepare_onnx_model(model, file, shapes);
  if (warnings) warnings->insert(warnings->end(), w.begin(), w.end());
  return Importer(model, file).run();
}

}  // namespace arraysim::io
