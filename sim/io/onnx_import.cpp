#include "sim/io/onnx_import.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>

#include "sim/config/workload_config.hpp"
#include "sim/io/onnx_attributes.hpp"
#include "sim/io/onnx_prepare.hpp"
#include "sim/io/onnx_tensor.hpp"
#include "sim/util/utf8.hpp"

namespace arraysim::io {
namespace {

namespace fs = std::filesystem;
using Dims = std::vector<std::int64_t>;

std::string dims_str(const Dims& d) {
  std::string s = "[";
  for (std::size_t i = 0; i < d.size(); ++i) s += (i ? ", " : "") + std::to_string(d[i]);
  return s + "]";
}

/// Layer names: control characters (which arraysim names may not contain) and bytes that are not
/// UTF-8 (protobuf does not check the strings of ONNX's proto2 schema) become '_'.
std::string sanitize(const std::string& name) {
  std::string s = util::with_valid_utf8(name);
  for (char& c : s)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '_';
  return s;
}

/// The product of `d`, or nullopt on overflow.
std::optional<std::int64_t> product(const Dims& d) {
  std::int64_t p = 1;
  for (const std::int64_t x : d)
    if (__builtin_mul_overflow(p, x, &p)) return std::nullopt;
  return p;
}

/// Operators that keep a constant constant (for QDQ models: a weight stored as an initializer and
/// passed through DequantizeLinear is still a constant).
const std::set<std::string> kConstPreserving{"Identity",  "Cast",    "DequantizeLinear", "QuantizeLinear",
                                             "Transpose", "Reshape", "Squeeze",          "Unsqueeze"};

/// What the importer knows about the values of one graph (after shape inference).
class Values {
 public:
  explicit Values(const onnx::GraphProto& g) {
    for (const onnx::TensorProto& t : g.initializer()) {
      init_dims_[t.name()] = Dims(t.dims().begin(), t.dims().end());
      constant_.insert(t.name());
    }
    for (const onnx::ValueInfoProto& v : g.input()) {
      add_info(v);
      if (!constant_.count(v.name())) graph_inputs_.insert(v.name());
    }
    for (const onnx::ValueInfoProto& v : g.value_info()) add_info(v);
    for (const onnx::ValueInfoProto& v : g.output()) add_info(v);
    for (int i = 0; i < g.node_size(); ++i) {
      const onnx::NodeProto& n = g.node(i);
      for (const std::string& o : n.output())
        if (!o.empty()) producer_[o] = i;
      if (n.op_type() == "Constant" && n.domain().empty() && n.output_size() == 1) {
        for (const onnx::AttributeProto& a : n.attribute())
          if (a.name() == "value" && a.has_t())
            init_dims_[n.output(0)] = Dims(a.t().dims().begin(), a.t().dims().end());
        constant_.insert(n.output(0));
      } else if (kConstPreserving.count(n.op_type()) && n.domain().empty()) {
        bool all = n.input_size() > 0;
        for (const std::string& in : n.input()) all = all && (in.empty() || constant_.count(in));
        if (all)
          for (const std::string& o : n.output()) constant_.insert(o);
      }
    }
  }

  bool is_constant(const std::string& name) const { return constant_.count(name) != 0; }
  bool is_graph_input(const std::string& name) const { return graph_inputs_.count(name) != 0; }
  /// Index of the node that computes `name`, or -1.
  int producer(const std::string& name) const {
    const auto it = producer_.find(name);
    return it == producer_.end() ? -1 : it->second;
  }

  /// The static shape of `name`; otherwise std::runtime_error saying what is missing.
  Dims shape(const std::string& name) const {
    if (const auto it = init_dims_.find(name); it != init_dims_.end()) return it->second;
    const auto it = info_.find(name);
    if (it == info_.end() || !it->second->type().has_tensor_type() || !it->second->type().tensor_type().has_shape())
      throw std::runtime_error("the shape of '" + shown(name) + "' is unknown after ONNX shape inference");
    Dims d;
    const onnx::TensorShapeProto& s = it->second->type().tensor_type().shape();
    for (int i = 0; i < s.dim_size(); ++i) {
      const onnx::TensorShapeProto::Dimension& dim = s.dim(i);
      if (dim.has_dim_value()) {
        d.push_back(dim.dim_value());
        continue;
      }
      throw std::runtime_error(
          "the shape of '" + shown(name) + "' is not static after ONNX shape inference: dimension " +
          std::to_string(i) +
          (dim.has_dim_param() ? " is symbolic ('" + shown(dim.dim_param()) + "')" : " is unknown"));
    }
    return d;
  }

 private:
  void add_info(const onnx::ValueInfoProto& v) { info_.emplace(v.name(), &v); }

  std::map<std::string, Dims> init_dims_;
  std::map<std::string, const onnx::ValueInfoProto*> info_;
  std::set<std::string> constant_, graph_inputs_;
  std::map<std::string, int> producer_;
};

/// Input `k` of the node, or "" when absent.
std::string input_name(const onnx::NodeProto& n, int k) { return k < n.input_size() ? n.input(k) : std::string(); }

/// The operand shape of input `k`, with the input named in errors.
Dims operand_shape(const Values& v, const onnx::NodeProto& n, int k, const char* role) {
  const std::string name = input_name(n, k);
  if (name.empty())
    throw std::runtime_error(std::string("has no ") + role + " input (input " + std::to_string(k) + ")");
  return v.shape(name);
}

ir::Layer conv_layer(const onnx::NodeProto& n, const Values& v) {
  const int wi = n.op_type() == "QLinearConv" ? 3 : 1;
  const std::string w = input_name(n, wi);
  if (w.empty()) throw std::runtime_error("has no weight input (input " + std::to_string(wi) + ")");
  // Only the weight's shape is needed: a constant, a graph input (a model exported without its
  // parameters) or a computed weight all do, as long as shape inference gives a static shape.
  if (!v.is_constant(w) && !v.is_graph_input(w) && v.producer(w) < 0)
    throw std::runtime_error("weight '" + shown(w) + "' is not defined in the graph");
  const Dims xs = operand_shape(v, n, 0, "data"), ws = v.shape(w);
  ir::Layer l;
  l.kind = ir::LayerKind::conv2d;
  l.conv = conv2d_from_onnx(n, xs, ws);
  // Cross-check the output size with ONNX shape inference (when the layer is valid).
  if (ir::validate(l).empty() && n.output_size() > 0) {
    Dims ys;
    try {
      ys = v.shape(n.output(0));
    } catch (const std::runtime_error&) {
      return l;  // no inferred output shape: nothing to compare
    }
    const ir::Conv2dParams& c = l.conv;
    const Dims ours =
        xs.size() == 3 ? Dims{c.n, c.out_channels, c.out_w()} : Dims{c.n, c.out_channels, c.out_h(), c.out_w()};
    if (ys != ours)
      throw std::runtime_error("ONNX shape inference gives output '" + shown(n.output(0)) + "' the shape " +
                               dims_str(ys) + ", arraysim computes " + dims_str(ours));
  }
  return l;
}

ir::Layer gemm_layer(const onnx::NodeProto& n, const Values& v) {
  require_known_attributes(n, {"alpha", "beta", "transA", "transB"});
  const Dims a = operand_shape(v, n, 0, "A"), b = operand_shape(v, n, 1, "B");
  if (a.size() != 2 || b.size() != 2)
    throw std::runtime_error("A " + dims_str(a) + " and B " + dims_str(b) + " must both be 2-D");
  const bool ta = attr_int(n, "transA", 0) != 0, tb = attr_int(n, "transB", 0) != 0;
  ir::Layer l;
  l.kind = ir::LayerKind::gemm;
  l.gemm.m = ta ? a[1] : a[0];
  l.gemm.k = ta ? a[0] : a[1];
  const std::int64_t kb = tb ? b[1] : b[0];
  l.gemm.n = tb ? b[0] : b[1];
  if (kb != l.gemm.k)
    throw std::runtime_error("A " + dims_str(a) + (ta ? " (transA)" : "") + " gives K = " + std::to_string(l.gemm.k) +
                             " but B " + dims_str(b) + (tb ? " (transB)" : "") + " gives K = " + std::to_string(kb));
  return l;
}

/// At most this many layers from one node (batched products, groups, recurrent steps).
constexpr std::int64_t kMaxLayersPerNode = 4096;

/// MatMul-like nodes (numpy.matmul semantics): one GEMM, or one per batch index when both operands
/// have batch dimensions (batched products with a different B each).
std::vector<ir::Layer> matmul_layers(const onnx::NodeProto& n, const Values& v) {
  require_known_attributes(n, {});
  const int bi = n.op_type() == "QLinearMatMul" ? 3 : 1;
  const Dims a = operand_shape(v, n, 0, "A"), b = operand_shape(v, n, bi, "B");
  if (a.empty() || b.empty())
    throw std::runtime_error("A " + dims_str(a) + " and B " + dims_str(b) + " must not be scalars");
  const std::int64_t m = a.size() >= 2 ? a[a.size() - 2] : 1, k = a.back();
  const std::int64_t kb = b.size() >= 2 ? b[b.size() - 2] : b[0], nn = b.size() >= 2 ? b.back() : 1;
  if (k != kb)
    throw std::runtime_error("A " + dims_str(a) + " has K = " + std::to_string(k) + " but B " + dims_str(b) +
                             " has K = " + std::to_string(kb));
  const Dims ba(a.begin(), a.size() > 2 ? a.end() - 2 : a.begin()),
      bb(b.begin(), b.size() > 2 ? b.end() - 2 : b.begin());
  // Broadcast the batch dimensions (right-aligned; 1 stretches).
  const std::size_t rank = std::max(ba.size(), bb.size());
  Dims batch(rank);
  for (std::size_t d = 0; d < rank; ++d) {
    const std::int64_t da = d + ba.size() >= rank ? ba[d + ba.size() - rank] : 1;
    const std::int64_t db = d + bb.size() >= rank ? bb[d + bb.size() - rank] : 1;
    if (da != db && da != 1 && db != 1)
      throw std::runtime_error("batch dimensions of A " + dims_str(a) + " and B " + dims_str(b) + " do not broadcast");
    batch[d] = std::max(da, db);
  }
  const auto pa = product(ba), pb = product(bb), pg = product(batch);
  if (!pa || !pb || !pg) throw std::runtime_error("batch size overflows");
  ir::Layer l;
  l.kind = ir::LayerKind::gemm;
  l.gemm.m = m, l.gemm.n = nn, l.gemm.k = k;
  std::int64_t r = 0;
  if (*pb == 1) {  // one B for every batch index: the batch rows stack into M
    if (__builtin_mul_overflow(m, *pg, &r)) throw std::runtime_error("M overflows");
    l.gemm.m = r;
    return {l};
  }
  if (*pa == 1) {  // one A for every batch index: the B matrices side by side give one GEMM
    if (__builtin_mul_overflow(nn, *pg, &r)) throw std::runtime_error("N overflows");
    l.gemm.n = r;
    return {l};
  }
  if (*pg > kMaxLayersPerNode)
    throw std::runtime_error("batched product of " + std::to_string(*pg) + " independent GEMMs (A " + dims_str(a) +
                             ", B " + dims_str(b) + "): more than " + std::to_string(kMaxLayersPerNode) + " layers");
  return std::vector<ir::Layer>(static_cast<std::size_t>(*pg), l);
}

/// ConvTranspose: X [N, C, H, W] (or [N, C, L]), W [C, OC/group, kH, kW]. Per group one GEMM of
/// the input pixels by the kernel columns, m = N·H·W, k = C/group, n = (OC/group)·kH·kW: every
/// input pixel times every kernel tap for every output channel of its group. The col2im that adds
/// the columns into the output (strides, pads, dilations, output_padding place them) is not
/// multiply-accumulate work and is not simulated.
std::vector<ir::Layer> conv_transpose_layers(const onnx::NodeProto& n, const Values& v) {
  require_known_attributes(
      n, {"auto_pad", "dilations", "group", "kernel_shape", "output_padding", "output_shape", "pads", "strides"});
  const Dims x = operand_shape(v, n, 0, "data"), w = operand_shape(v, n, 1, "weight");
  if ((x.size() != 3 && x.size() != 4) || w.size() != x.size())
    throw std::runtime_error("X " + dims_str(x) + " and W " + dims_str(w) +
                             " must both be 3-D or both 4-D (1-D or 2-D ConvTranspose)");
  const std::int64_t g = attr_int(n, "group", 1);
  if (g < 1 || x[1] % g != 0 || x[1] != w[0])
    throw std::runtime_error("X " + dims_str(x) + " has C = " + std::to_string(x[1]) + ", W " + dims_str(w) +
                             " needs C = W[0] = " + std::to_string(w[0]) + " divisible by group " + std::to_string(g));
  if (g > kMaxLayersPerNode)
    throw std::runtime_error("group " + std::to_string(g) + " gives more than " + std::to_string(kMaxLayersPerNode) +
                             " layers");
  const Dims kernel = attr_ints(n, "kernel_shape", Dims(w.begin() + 2, w.end()));
  if (kernel != Dims(w.begin() + 2, w.end()))
    throw std::runtime_error("kernel_shape " + dims_str(kernel) + " differs from W's spatial dimensions " +
                             dims_str(Dims(w.begin() + 2, w.end())));
  const auto pixels = product(Dims(x.begin() + 2, x.end())), taps = product(Dims(w.begin() + 2, w.end()));
  std::int64_t m = 0, nn = 0;
  if (!pixels || !taps || __builtin_mul_overflow(x[0], *pixels, &m) || __builtin_mul_overflow(w[1], *taps, &nn))
    throw std::runtime_error("GEMM size overflows");
  ir::Layer l;
  l.kind = ir::LayerKind::gemm;
  l.gemm.m = m, l.gemm.k = x[1] / g, l.gemm.n = nn;
  return std::vector<ir::Layer>(static_cast<std::size_t>(g), l);
}

/// RNN, GRU, LSTM: X [T, B, I] (layout 1: [B, T, I]), W [D, G·H, I], R [D, G·H, H] with D
/// directions and G gates (RNN 1, GRU 3, LSTM 4). The input projections of every step and
/// direction are one GEMM, m = T·B, k = I, n = D·G·H (the directions' W side by side); each step
/// of each direction then multiplies its previous hidden state: T·D GEMMs m = B, k = H, n = G·H,
/// in time order. The gates' elementwise work (activations, peepholes, the state update) is not
/// simulated.
std::vector<ir::Layer> recurrent_layers(const onnx::NodeProto& n, const Values& v) {
  require_known_attributes(n, {"activation_alpha", "activation_beta", "activations", "clip", "direction", "hidden_size",
                               "input_forget", "layout", "linear_before_reset"});
  const Dims x = operand_shape(v, n, 0, "X"), w = operand_shape(v, n, 1, "W"), r = operand_shape(v, n, 2, "R");
  if (x.size() != 3 || w.size() != 3 || r.size() != 3)
    throw std::runtime_error("X " + dims_str(x) + ", W " + dims_str(w) + " and R " + dims_str(r) + " must be 3-D");
  const std::int64_t gates = n.op_type() == "LSTM" ? 4 : n.op_type() == "GRU" ? 3 : 1;
  const bool batch_first = attr_int(n, "layout", 0) == 1;
  const std::int64_t steps = batch_first ? x[1] : x[0], batch = batch_first ? x[0] : x[1], in = x[2];
  const std::int64_t dirs = w[0], hidden = r[2];
  const std::int64_t want_hidden = attr_int(n, "hidden_size", hidden);
  if (w[1] != gates * hidden || r[1] != gates * hidden || w[2] != in || r[0] != dirs || want_hidden != hidden)
    throw std::runtime_error("X " + dims_str(x) + ", W " + dims_str(w) + ", R " + dims_str(r) + " and hidden_size " +
                             std::to_string(want_hidden) + " do not agree (W [D, " + std::to_string(gates) +
                             "·H, I], R [D, " + std::to_string(gates) + "·H, H])");
  if (steps < 1 || steps * dirs + 1 > kMaxLayersPerNode)
    throw std::runtime_error(std::to_string(steps) + " steps x " + std::to_string(dirs) +
                             " directions give more than " + std::to_string(kMaxLayersPerNode) + " layers");
  std::vector<ir::Layer> out;
  ir::Layer proj;
  proj.kind = ir::LayerKind::gemm;
  proj.gemm.m = steps * batch, proj.gemm.k = in, proj.gemm.n = dirs * gates * hidden;
  out.push_back(proj);
  ir::Layer step = proj;
  step.gemm.m = batch, step.gemm.k = hidden, step.gemm.n = gates * hidden;
  out.insert(out.end(), static_cast<std::size_t>(steps * dirs), step);
  return out;
}

/// The layer names of a node that gives several layers: ConvTranspose `_g0`.. per group (none for
/// one group), recurrent `_x` for the input projection and `_t0`.. per step (`_t0_d0`, `_t0_d1`
/// with two directions), batched products `_b0`...
std::vector<std::string> layer_suffixes(const onnx::NodeProto& n, const std::vector<ir::Layer>& layers) {
  std::vector<std::string> s;
  if (layers.size() == 1) return {""};
  const std::string& op = n.op_type();
  if (op == "ConvTranspose") {
    for (std::size_t i = 0; i < layers.size(); ++i) s.push_back("_g" + std::to_string(i));
  } else if (op == "LSTM" || op == "GRU" || op == "RNN") {
    s.push_back("_x");
    // The input projection has the directions side by side: n = D·G·H against a step's G·H.
    const auto dirs = static_cast<std::size_t>(layers[0].gemm.n / layers[1].gemm.n);
    for (std::size_t i = 0; i + 1 < layers.size(); ++i)
      s.push_back("_t" + std::to_string(i / dirs) + (dirs > 1 ? "_d" + std::to_string(i % dirs) : ""));
  } else {
    for (std::size_t i = 0; i < layers.size(); ++i) s.push_back("_b" + std::to_string(i));
  }
  return s;
}

const std::set<std::string> kConvOps{"Conv", "ConvInteger", "QLinearConv"};
const std::set<std::string> kMatMulOps{"MatMul", "MatMulInteger", "QLinearMatMul"};
const std::set<std::string> kRecurrentOps{"RNN", "GRU", "LSTM"};

/// Whether a skipped operator (`op`, or `domain.op` outside the default domain) multiplies and
/// accumulates: Einsum, DeformConv, and the fused products and attention of other domains
/// (com.microsoft.FusedMatMul, Attention, QLinearConv, ...).
bool carries_macs(const std::string& key) {
  if (key == "Einsum" || key == "DeformConv") return true;
  if (key.find('.') == std::string::npos) return false;
  const std::string op = key.substr(key.rfind('.') + 1);
  for (const char* part : {"MatMul", "Conv", "Gemm", "Attention", "Einsum"})
    if (op.find(part) != std::string::npos) return true;
  return false;
}

}  // namespace

ir::Conv2dParams conv2d_from_onnx(const onnx::NodeProto& node, const std::vector<std::int64_t>& x,
                                  const std::vector<std::int64_t>& w) {
  require_known_attributes(node, {"auto_pad", "dilations", "group", "kernel_shape", "pads", "strides"});
  if (x.size() != 3 && x.size() != 4)
    throw std::runtime_error("input " + dims_str(x) +
                             ": only 1-D and 2-D convolutions ([N, C, W] or [N, C, H, W]) "
                             "are supported");
  const std::size_t sp = x.size() - 2;  // spatial dimensions
  if (w.size() != x.size())
    throw std::runtime_error("weight " + dims_str(w) + " has rank " + std::to_string(w.size()) + ", input " +
                             dims_str(x) + " has rank " + std::to_string(x.size()));
  const Dims kernel(w.begin() + 2, w.end());
  const Dims ks = attr_ints(node, "kernel_shape", kernel);
  if (ks != kernel)
    throw std::runtime_error("kernel_shape " + dims_str(ks) + " differs from the weight's kernel " + dims_str(kernel));
  const auto spatial_attr = [&](const char* name, std::size_t count, std::int64_t dflt) {
    const Dims v = attr_ints(node, name, Dims(count, dflt));
    if (v.size() != count)
      throw std::runtime_error(std::string(name) + " " + dims_str(v) + " has " + std::to_string(v.size()) +
                               " values, expected " + std::to_string(count));
    return v;
  };
  const Dims strides = spatial_attr("strides", sp, 1), dilations = spatial_attr("dilations", sp, 1);
  Dims pads = spatial_attr("pads", 2 * sp, 0);  // [x1_begin, x2_begin, x1_end, x2_end]
  const std::string auto_pad = attr_string(node, "auto_pad", "NOTSET");
  if (auto_pad == "VALID") {
    pads.assign(2 * sp, 0);
  } else if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
    for (std::size_t i = 0; i < sp; ++i) {
      if (strides[i] < 1 || dilations[i] < 1 || kernel[i] < 1)
        throw std::runtime_error("auto_pad " + auto_pad + " needs positive strides, dilations and kernel");
      const std::int64_t in = x[2 + i], out = (in + strides[i] - 1) / strides[i];
      const std::int64_t extent = (kernel[i] - 1) * dilations[i] + 1;
      const std::int64_t total = std::max<std::int64_t>(0, (out - 1) * strides[i] + extent - in);
      const std::int64_t half = total / 2, rest = total - half;
      pads[i] = auto_pad == "SAME_UPPER" ? half : rest;
      pads[i + sp] = auto_pad == "SAME_UPPER" ? rest : half;
    }
  } else if (auto_pad != "NOTSET") {
    throw std::runtime_error("auto_pad '" + shown(auto_pad) + "' is not one of NOTSET, SAME_UPPER, SAME_LOWER, VALID");
  }
  const std::int64_t group = attr_int(node, "group", 1);
  if (group < 1) throw std::runtime_error("group " + std::to_string(group) + " must be >= 1");
  std::int64_t expect = 0;
  if (__builtin_mul_overflow(w[1], group, &expect) || expect != x[1])
    throw std::runtime_error("input " + dims_str(x) + " has " + std::to_string(x[1]) + " channels, but weight " +
                             dims_str(w) + " with group " + std::to_string(group) + " expects " + std::to_string(w[1]) +
                             " x " + std::to_string(group));

  ir::Conv2dParams p;
  p.n = x[0], p.c = x[1], p.out_channels = w[0], p.groups = group;
  if (sp == 2) {
    p.h = x[2], p.w = x[3], p.kernel_h = w[2], p.kernel_w = w[3];
    p.stride_h = strides[0], p.stride_w = strides[1];
    p.dilation_h = dilations[0], p.dilation_w = dilations[1];
    p.pad_top = pads[0], p.pad_left = pads[1], p.pad_bottom = pads[2], p.pad_right = pads[3];
  } else {  // 1-D: a 2-D convolution of height 1
    p.h = 1, p.w = x[2], p.kernel_h = 1, p.kernel_w = w[2];
    p.stride_w = strides[0], p.dilation_w = dilations[0];
    p.pad_left = pads[0], p.pad_right = pads[1];
  }
  return p;
}

void add_input_shape(InputShapes& shapes, const std::string& text) {
  const auto bad = [&](const std::string& why) {
    return std::runtime_error("--input-shape '" + shown(text) + "': " + why);
  };
  const std::size_t eq = text.rfind('=');
  if (eq == std::string::npos || eq == 0)
    throw bad("expected NAME=D0xD1x... (a graph input and its dimensions, e.g. input_ids=2x128)");
  const std::string name = text.substr(0, eq), dims = text.substr(eq + 1);
  Dims d;
  std::size_t i = 0;
  while (true) {
    const std::size_t x = dims.find('x', i);
    const std::string part = dims.substr(i, x == std::string::npos ? std::string::npos : x - i);
    if (part.empty() || part.size() > 12 || part.find_first_not_of("0123456789") != std::string::npos ||
        std::stoll(part) < 1)
      throw bad("dimension '" + shown(part) + "' is not a positive integer (dimensions are separated by 'x')");
    d.push_back(std::stoll(part));
    if (x == std::string::npos) break;
    i = x + 1;
  }
  if (!shapes.emplace(name, d).second) throw bad("'" + shown(name) + "' is given twice");
}

OnnxWorkload onnx_workload(onnx::ModelProto model, const std::string& file, const InputShapes& shapes) {
  OnnxWorkload out;
  onnx::GraphProto* g = model.mutable_graph();
  out.graph_name = g->name();

  out.warnings = prepare_onnx_model(model, file, shapes);
  const onnx::GraphProto& graph = model.graph();
  const Values values(graph);

  std::vector<std::string> errors;
  std::vector<std::pair<std::string, int>> skipped;  // op -> count, in order of first appearance
  int skipped_total = 0;
  std::set<std::string> names;
  for (const onnx::NodeProto& n : graph.node())
    if (!n.name().empty()) names.insert(sanitize(n.name()));
  std::vector<std::string> weight_inputs;  // convolution weights that are graph inputs
  std::set<std::string> taken;
  const auto unique = [&](const std::string& want) {
    std::string name = want;
    for (int k = 2; taken.count(name); ++k) name = want + "_" + std::to_string(k);
    taken.insert(name);
    return name;
  };

  for (int i = 0; i < graph.node_size(); ++i) {
    const onnx::NodeProto& n = graph.node(i);
    const std::string& op = n.op_type();
    const bool default_domain = n.domain().empty() || n.domain() == "ai.onnx";
    const bool conv = default_domain && kConvOps.count(op), matmul = default_domain && kMatMulOps.count(op);
    const bool gemm = default_domain && op == "Gemm", deconv = default_domain && op == "ConvTranspose";
    const bool recurrent = default_domain && kRecurrentOps.count(op);
    if (!conv && !matmul && !gemm && !deconv && !recurrent) {
      const std::string key = default_domain ? op : n.domain() + "." + op;
      auto it = std::find_if(skipped.begin(), skipped.end(), [&](const auto& p) { return p.first == key; });
      if (it == skipped.end())
        skipped.emplace_back(key, 1);
      else
        ++it->second;
      ++skipped_total;
      continue;
    }
    const std::string who = describe_node(n, i);
    std::vector<ir::Layer> layers;
    try {
      if (conv) {
        layers.push_back(conv_layer(n, values));
        const std::string w = input_name(n, op == "QLinearConv" ? 3 : 1);
        if (values.is_graph_input(w)) weight_inputs.push_back(w);
      } else if (gemm) {
        layers.push_back(gemm_layer(n, values));
      } else if (deconv) {
        layers = conv_transpose_layers(n, values);
      } else if (recurrent) {
        layers = recurrent_layers(n, values);
      } else {
        layers = matmul_layers(n, values);
      }
    } catch (const std::runtime_error& e) {
      errors.push_back(file + ": " + shown(who) + ": " + e.what());
      continue;
    }
    std::string base = n.name().empty() ? sanitize(op) + std::to_string(i) : sanitize(n.name());
    if (n.name().empty())  // avoid a generated name that some other node is called
      while (names.count(base)) base += "_";
    if (out.layers.size() + layers.size() > config::kMaxLayers)
      throw ImportError(file + ": " + shown(who) + ": the model gives more than " + std::to_string(config::kMaxLayers) +
                        " layers; a workload has at most " + std::to_string(config::kMaxLayers));
    const std::vector<std::string> suffix = layer_suffixes(n, layers);
    for (std::size_t b = 0; b < layers.size(); ++b) {
      layers[b].name = unique(base + suffix[b]);
      out.layers.push_back(layers[b]);
      out.layer_nodes.push_back(shown(who));
    }
  }
  if (!errors.empty()) throw ImportError(errors);
  if (!weight_inputs.empty()) {
    std::string list;
    for (std::size_t i = 0; i < weight_inputs.size() && i < 3; ++i)
      list += (i ? ", '" : "'") + shown(weight_inputs[i]) + "'";
    if (weight_inputs.size() > 3) list += ", ...";
    const bool one = weight_inputs.size() == 1;
    out.warnings.push_back("note: " + file + ": " +
                           (one ? "convolution weight " + list + " is a graph input, not an initializer"
                                : std::to_string(weight_inputs.size()) + " convolution weights (" + list +
                                      ") are graph inputs, not initializers") +
                           ": the model was exported without its parameters; arraysim uses " +
                           (one ? "its shape" : "their shapes"));
  }

  std::stable_sort(skipped.begin(), skipped.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
  // Skipped nodes that multiply and accumulate: their work is missing from the run, so say so.
  std::string mac_list;
  int mac_total = 0;
  for (const auto& [key, count] : skipped)
    if (carries_macs(key)) {
      mac_list += (mac_list.empty() ? "" : ", ") + shown(key) + " x" + std::to_string(count);
      mac_total += count;
    }
  if (mac_total > 0)
    out.warnings.push_back("warning: " + file + ": " + std::to_string(mac_total) + " skipped node" +
                           (mac_total == 1 ? " carries" : "s carry") +
                           " multiply-accumulates that are not simulated: " + mac_list);
  if (skipped_total > 0) {
    out.skipped = "skipped " + std::to_string(skipped_total) + " ONNX node" + (skipped_total == 1 ? "" : "s") + ":";
    for (std::size_t i = 0; i < skipped.size(); ++i)
      out.skipped += (i ? ", " : " ") + shown(skipped[i].first) + " x" + std::to_string(skipped[i].second);
  }
  if (out.layers.empty())
    throw ImportError(file +
                      ": no Conv, ConvInteger, QLinearConv, ConvTranspose, Gemm, MatMul, MatMulInteger, "
                      "QLinearMatMul, RNN, GRU or LSTM node: nothing to simulate" +
                      (out.skipped.empty() ? std::string(" (the graph has no nodes)") : " (" + out.skipped + ")"));
  return out;
}

GeneratedExperiment generate_onnx_experiment(const OnnxWorkload& w, const std::string& model_path,
                                             const std::string& arch_ref, const std::string& base_dir,
                                             const InputShapes& shapes) {
  // Fail early, and at the right place, when the architecture file cannot be read.
  const fs::path arch_file = fs::path(arch_ref).is_absolute() ? fs::path(arch_ref) : fs::path(base_dir) / arch_ref;
  read_input_file(arch_file.lexically_normal().string(), "architecture file");

  GeneratedExperiment g;
  g.display_name = "<import:onnx>";
  g.base_dir = base_dir;
  g.notes = w.warnings;
  if (!w.skipped.empty()) g.notes.push_back(w.skipped);
  g.origins.add("", config::Location{model_path, 1, 1}, "model");
  g.origins.add("arch", config::Location{arch_file.lexically_normal().string(), 1, 1});

  const std::string stem = fs::path(model_path).stem().string();
  YAML::Emitter out;
  out << YAML::BeginMap;
  out << YAML::Key << "name" << YAML::Value << (stem.empty() ? std::string("onnx") : sanitize(stem));
  out << YAML::Key << "arch" << YAML::Value << arch_ref;
  out << YAML::Key << "workload" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "name" << YAML::Value
      << (w.graph_name.empty() ? (stem.empty() ? std::string("onnx") : sanitize(stem)) : sanitize(w.graph_name));
  out << YAML::Key << "layers" << YAML::Value << YAML::BeginSeq;
  for (std::size_t i = 0; i < w.layers.size(); ++i) {
    const ir::Layer& l = w.layers[i];
    g.origins.add("workload.layers." + std::to_string(i), config::Location{model_path, 1, 1}, w.layer_nodes[i]);
    out << YAML::Flow;
    config::emit_layer(out, l);
  }
  out << YAML::EndSeq << YAML::EndMap << YAML::EndMap;
  std::string given;
  for (const auto& [name, dims] : shapes) {
    given += " --input-shape " + sanitize(name) + "=";
    for (std::size_t i = 0; i < dims.size(); ++i) given += (i ? "x" : "") + std::to_string(dims[i]);
  }
  g.yaml = "# arraysim experiment imported from ONNX model " + sanitize(model_path) + given +
           "; mapping: docs/import.md\n" + out.c_str() + "\n";
  g.layers = w.layers.size();
  return g;
}

GeneratedExperiment import_onnx(const std::string& model_path, const std::string& arch_ref, const std::string& base_dir,
                                const InputShapes& shapes) {
  onnx::ModelProto model;
  try {
    model = load_model(model_path);
  } catch (const std::runtime_error& e) {
    throw ImportError(e.what());
  }
  return generate_onnx_experiment(onnx_workload(std::move(model), model_path, shapes), model_path, arch_ref, base_dir,
                                  shapes);
}

}  // namespace arraysim::io
