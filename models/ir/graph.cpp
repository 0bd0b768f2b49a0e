#include "models/ir/graph.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <queue>
#include <set>
#include <sstream>
#include <stdexcept>

#include "models/ir/layer.hpp"

namespace arraysim::ir {

std::string location_name(Location l) { return l == Location::dram ? "dram" : "scratchpad"; }

// ---- kinds ---------------------------------------------------------------------------------------

namespace {

struct KindInfo {
  OpKind kind;
  const char* name;
  Arity arity;
};

/// One row per kind: its spelling and its input count. Every kind has exactly one output.
const std::vector<KindInfo>& kind_table() {
  static const std::vector<KindInfo> table = {
      {OpKind::conv2d, "conv2d", {2, 3}},  // X, W, optional bias
      {OpKind::gemm, "gemm", {2, 3}},      // A, B, optional C
      {OpKind::matmul, "matmul", {2, 2}},
      {OpKind::max_pool, "max_pool", {1, 1}},
      {OpKind::average_pool, "average_pool", {1, 1}},
      {OpKind::global_average_pool, "global_average_pool", {1, 1}},
      {OpKind::global_max_pool, "global_max_pool", {1, 1}},
      {OpKind::relu, "relu", {1, 1}},
      {OpKind::relu6, "relu6", {1, 1}},
      {OpKind::clip, "clip", {1, 1}},
      {OpKind::sigmoid, "sigmoid", {1, 1}},
      {OpKind::tanh, "tanh", {1, 1}},
      {OpKind::gelu, "gelu", {1, 1}},
      {OpKind::silu, "silu", {1, 1}},
      {OpKind::hard_swish, "hard_swish", {1, 1}},
      {OpKind::leaky_relu, "leaky_relu", {1, 1}},
      {OpKind::add, "add", {2, 2}},
      {OpKind::sub, "sub", {2, 2}},
      {OpKind::mul, "mul", {2, 2}},
      {OpKind::div, "div", {2, 2}},
      {OpKind::concat, "concat", {1, -1}},
      {OpKind::reshape, "reshape", {1, 1}},
      {OpKind::flatten, "flatten", {1, 1}},
      {OpKind::transpose, "transpose", {1, 1}},
      {OpKind::squeeze, "squeeze", {1, 1}},
      {OpKind::unsqueeze, "unsqueeze", {1, 1}},
      {OpKind::softmax, "softmax", {1, 1}},
      {OpKind::layer_norm, "layer_norm", {2, 3}},                // X, scale, optional bias
      {OpKind::batch_norm, "batch_norm", {5, 5}},                // X, scale, bias, mean, var
      {OpKind::quantize_linear, "quantize_linear", {2, 3}},      // x, scale, optional zero point
      {OpKind::dequantize_linear, "dequantize_linear", {2, 3}},  // x, scale, optional zero point
      {OpKind::requantize, "requantize", {2, 3}},                // acc, multiplier, optional zero point
      {OpKind::winograd_filter, "winograd_filter", {1, 1}},
      {OpKind::winograd_input, "winograd_input", {1, 1}},
      {OpKind::winograd_output, "winograd_output", {1, 1}},
  };
  return table;
}

const KindInfo& kind_info(OpKind k) {
  for (const KindInfo& i : kind_table())
    if (i.kind == k) return i;
  throw std::logic_error("op kind missing from the kind table");
}

}  // namespace

const std::vector<OpKind>& all_op_kinds() {
  static const std::vector<OpKind> kinds = [] {
    std::vector<OpKind> v;
    for (const KindInfo& i : kind_table()) v.push_back(i.kind);
    return v;
  }();
  return kinds;
}

std::string op_kind_name(OpKind k) { return kind_info(k).name; }

std::optional<OpKind> parse_op_kind(std::string_view s) {
  for (const KindInfo& i : kind_table())
    if (s == i.name) return i.kind;
  return std::nullopt;
}

Arity op_arity(OpKind k) { return kind_info(k).arity; }

OpAttrs default_attrs(OpKind k) {
  switch (k) {
    case OpKind::conv2d: return ConvAttrs{};
    case OpKind::gemm: return GemmAttrs{};
    case OpKind::max_pool:
    case OpKind::average_pool: return PoolParams{};
    case OpKind::clip: return ClipAttrs{};
    case OpKind::gelu: return GeluAttrs{};
    case OpKind::leaky_relu: return LeakyReluAttrs{};
    case OpKind::concat:
    case OpKind::flatten: return AxisAttrs{1};
    case OpKind::softmax: return AxisAttrs{-1};
    case OpKind::reshape: return ReshapeAttrs{};
    case OpKind::transpose: return TransposeAttrs{};
    case OpKind::squeeze:
    case OpKind::unsqueeze: return AxesAttrs{};
    case OpKind::layer_norm: return LayerNormAttrs{};
    case OpKind::batch_norm: return BatchNormAttrs{};
    case OpKind::quantize_linear:
    case OpKind::dequantize_linear:
    case OpKind::requantize: return QuantAttrs{};
    case OpKind::winograd_filter:
    case OpKind::winograd_input:
    case OpKind::winograd_output: return WinogradAttrs{};
    default: return NoAttrs{};
  }
}

Op make_op(OpKind kind, std::string name, std::vector<std::string> inputs, std::vector<std::string> outputs) {
  return make_op(kind, std::move(name), std::move(inputs), std::move(outputs), default_attrs(kind));
}

Op make_op(OpKind kind, std::string name, std::vector<std::string> inputs, std::vector<std::string> outputs,
           OpAttrs attrs) {
  return Op{kind, std::move(name), std::move(inputs), std::move(outputs), std::move(attrs)};
}

std::string node_prefix(const Op& op) { return "node '" + op.name + "' (" + op_kind_name(op.kind) + "): "; }

// ---- shape and dtype inference -----------------------------------------------------------------

namespace {

[[noreturn]] void fail(const std::string& msg) { throw std::invalid_argument(msg); }

/// A bound as written: "0.5", "6", "inf".
std::string num_str(double v) {
  std::ostringstream os;
  os << v;
  return os.str();
}

std::string type_str(const TensorType& t) { return shape_str(t.shape) + " " + dtype_name(t.dtype); }

void require_fp32(const TensorType& t, const std::string& what) {
  if (t.dtype != DType::fp32) fail(what + " must be fp32, got " + dtype_name(t.dtype));
}

void require_integer(const TensorType& t, const std::string& what) {
  if (!is_integer(t.dtype)) fail(what + " must be an integer tensor, got fp32");
}

void require_rank(const TensorType& t, const std::string& what, std::size_t rank) {
  if (t.shape.size() != rank)
    fail(what + " " + shape_str(t.shape) + " must have rank " + std::to_string(rank) + ", has " +
         std::to_string(t.shape.size()));
}

/// The output dtype of a product of a and b (conv2d, gemm, matmul): fp32 for fp32 operands; for
/// integer operands the declared accumulator, which must be int32 or int64.
DType product_dtype(const TensorType& a, const TensorType& b, DType declared) {
  if (is_integer(a.dtype) != is_integer(b.dtype))
    fail("operands " + dtype_name(a.dtype) + " and " + dtype_name(b.dtype) + " are not both integer or both fp32");
  if (!is_integer(a.dtype)) return DType::fp32;
  if (declared != DType::int32 && declared != DType::int64)
    fail("integer operands accumulate in int32 or int64, the output is declared " + dtype_name(declared));
  return declared;
}

/// A bias / C operand: `out` dtype and unidirectionally broadcastable to `to`.
void check_addend(const TensorType& c, const std::string& what, const Shape& to, DType out) {
  if (c.dtype != out) fail(what + " is " + dtype_name(c.dtype) + ", the output is " + dtype_name(out));
  bool fits = c.shape.size() <= to.size();
  for (std::size_t d = 0; fits && d < c.shape.size(); ++d) {
    const std::int64_t from = c.shape[c.shape.size() - 1 - d];
    fits = from == 1 || from == to[to.size() - 1 - d];
  }
  if (!fits) fail(what + " " + shape_str(c.shape) + " does not broadcast to " + shape_str(to));
}

/// A quantizer's scale or zero point: one element, or [shape[axis]].
void check_per_axis(const TensorType& p, const std::string& what, const Shape& x, std::int64_t axis) {
  if (numel(p.shape) == 1 && p.shape.size() <= 1) return;
  const std::size_t a = normalize_axis(axis, x.size());
  if (p.shape != Shape{x[a]})
    fail(what + " " + shape_str(p.shape) + " is neither one element nor [" + std::to_string(x[a]) + "] (axis " +
         std::to_string(a) + " of " + shape_str(x) + ")");
}

TensorType infer_conv(const ConvAttrs& a, const std::vector<TensorType>& in, DType declared) {
  const TensorType &x = in[0], &w = in[1];
  require_rank(x, "X", 4);
  require_rank(w, "W", 4);
  const DType out = product_dtype(x, w, declared);
  Layer l;
  l.kind = LayerKind::conv2d;
  Conv2dParams& p = l.conv;
  p.n = x.shape[0], p.c = x.shape[1], p.h = x.shape[2], p.w = x.shape[3];
  p.out_channels = w.shape[0], p.kernel_h = w.shape[2], p.kernel_w = w.shape[3];
  p.stride_h = a.stride_h, p.stride_w = a.stride_w;
  p.pad_top = a.pad_top, p.pad_bottom = a.pad_bottom, p.pad_left = a.pad_left, p.pad_right = a.pad_right;
  p.dilation_h = a.dilation_h, p.dilation_w = a.dilation_w, p.groups = a.groups;
  const std::vector<LayerIssue> issues = validate(l);
  if (!issues.empty()) fail(issues.front().field + ": " + issues.front().message);
  if (w.shape[1] != p.c_per_group())
    fail("W " + shape_str(w.shape) + " has " + std::to_string(w.shape[1]) + " input channels per group, X " +
         shape_str(x.shape) + " with groups " + std::to_string(p.groups) + " needs " + std::to_string(p.c_per_group()));
  if (in.size() == 3) {
    if (in[2].shape != Shape{p.out_channels})
      fail("bias " + shape_str(in[2].shape) + " is not [" + std::to_string(p.out_channels) + "]");
    if (in[2].dtype != out) fail("bias is " + dtype_name(in[2].dtype) + ", the output is " + dtype_name(out));
  }
  return {{p.n, p.out_channels, p.out_h(), p.out_w()}, out};
}

TensorType infer_gemm(const GemmAttrs& a, const std::vector<TensorType>& in, DType declared) {
  const TensorType &ta = in[0], &tb = in[1];
  require_rank(ta, "A", 2);
  require_rank(tb, "B", 2);
  const DType out = product_dtype(ta, tb, declared);
  const std::int64_t m = a.trans_a ? ta.shape[1] : ta.shape[0], k = a.trans_a ? ta.shape[0] : ta.shape[1];
  const std::int64_t kb = a.trans_b ? tb.shape[1] : tb.shape[0], n = a.trans_b ? tb.shape[0] : tb.shape[1];
  if (k != kb)
    fail("A " + shape_str(ta.shape) + " and B " + shape_str(tb.shape) + " do not chain (K " + std::to_string(k) +
         " vs " + std::to_string(kb) + ")");
  if (in.size() == 3) check_addend(in[2], "C", {m, n}, out);
  return {{m, n}, out};
}

TensorType infer_matmul(const std::vector<TensorType>& in, DType declared) {
  const TensorType &ta = in[0], &tb = in[1];
  if (ta.shape.size() < 2 || tb.shape.size() < 2)
    fail("A " + shape_str(ta.shape) + " and B " + shape_str(tb.shape) + " must have rank 2 or more");
  const DType out = product_dtype(ta, tb, declared);
  const std::int64_t m = ta.shape[ta.shape.size() - 2], k = ta.shape.back();
  const std::int64_t kb = tb.shape[tb.shape.size() - 2], n = tb.shape.back();
  if (k != kb)
    fail("A " + shape_str(ta.shape) + " and B " + shape_str(tb.shape) + " do not chain (K " + std::to_string(k) +
         " vs " + std::to_string(kb) + ")");
  Shape s = broadcast_shape(Shape(ta.shape.begin(), ta.shape.end() - 2), Shape(tb.shape.begin(), tb.shape.end() - 2));
  s.push_back(m);
  s.push_back(n);
  return {s, out};
}

/// Element-wise operators of one operand: same shape and dtype; `fp32_only` for the
/// transcendental ones.
TensorType same_as_input(const TensorType& x, bool fp32_only) {
  if (fp32_only) require_fp32(x, "X");
  return x;
}

TensorType infer_quantizer(OpKind k, const QuantAttrs& a, const std::vector<TensorType>& in) {
  const TensorType& x = in[0];
  const DType storage = storage_dtype(a.qtype);
  switch (k) {
    case OpKind::quantize_linear: require_fp32(x, "x"); break;
    case OpKind::dequantize_linear:
      if (x.dtype != storage)
        fail("x is " + dtype_name(x.dtype) + ", " + qtype_name(a.qtype) + " is held in " + dtype_name(storage));
      break;
    default:
      require_integer(x, "the accumulator");
      if (x.dtype != DType::int32 && x.dtype != DType::int64)
        fail("the accumulator must be int32 or int64, got " + dtype_name(x.dtype));
      break;
  }
  const std::string scale_name = k == OpKind::requantize ? "multiplier" : "scale";
  require_fp32(in[1], scale_name);
  check_per_axis(in[1], scale_name, x.shape, a.axis);
  if (in.size() == 3) {
    if (in[2].dtype != storage)
      fail("zero point is " + dtype_name(in[2].dtype) + ", " + qtype_name(a.qtype) + " is held in " +
           dtype_name(storage));
    check_per_axis(in[2], "zero point", x.shape, a.axis);
  }
  return {x.shape, k == OpKind::dequantize_linear ? DType::fp32 : storage};
}

/// The Winograd stages (WinogradAttrs): fp32 tensors of the shapes documented there.
TensorType infer_winograd(OpKind k, const WinogradAttrs& a, const TensorType& x) {
  require_fp32(x, "X");
  if (a.m != 2 && a.m != 4) fail("m is " + std::to_string(a.m) + "; F(m×m, 3×3) takes m = 2 or 4");
  const std::int64_t alpha = a.m + 2;
  if (k == OpKind::winograd_filter) {
    if (x.shape.size() != 4 || x.shape[2] != 3 || x.shape[3] != 3)
      fail("W " + shape_str(x.shape) + " is not [OC, C, 3, 3]");
    return {{alpha * alpha, x.shape[1], x.shape[0]}, DType::fp32};
  }
  if (a.out_h < 1 || a.out_w < 1 || a.pad_top < 0 || a.pad_left < 0)
    fail("out_h " + std::to_string(a.out_h) + ", out_w " + std::to_string(a.out_w) + ", pads " +
         std::to_string(a.pad_top) + ", " + std::to_string(a.pad_left) + ": sizes must be positive, pads not negative");
  const std::int64_t tiles = ((a.out_h + a.m - 1) / a.m) * ((a.out_w + a.m - 1) / a.m);
  if (k == OpKind::winograd_input) {
    if (x.shape.size() != 4) fail("X " + shape_str(x.shape) + " is not [N, C, H, W]");
    return {{alpha * alpha, x.shape[0] * tiles, x.shape[1]}, DType::fp32};
  }
  if (x.shape.size() != 3 || x.shape[0] != alpha * alpha || x.shape[1] % tiles != 0)
    fail("M " + shape_str(x.shape) + " is not [" + std::to_string(alpha * alpha) + ", N·" + std::to_string(tiles) +
         ", OC]");
  return {{x.shape[1] / tiles, x.shape[2], a.out_h, a.out_w}, DType::fp32};
}

TensorType infer(const Op& op, const std::vector<TensorType>& in, DType declared) {
  const TensorType& x = in[0];
  switch (op.kind) {
    case OpKind::winograd_filter:
    case OpKind::winograd_input:
    case OpKind::winograd_output: return infer_winograd(op.kind, std::get<WinogradAttrs>(op.attrs), x);
    case OpKind::conv2d: return infer_conv(std::get<ConvAttrs>(op.attrs), in, declared);
    case OpKind::gemm: return infer_gemm(std::get<GemmAttrs>(op.attrs), in, declared);
    case OpKind::matmul: return infer_matmul(in, declared);
    case OpKind::max_pool:
    case OpKind::average_pool:
      if (op.kind == OpKind::average_pool) require_fp32(x, "X");
      return {pool_shape(x.shape, std::get<PoolParams>(op.attrs)), x.dtype};
    case OpKind::global_average_pool:
    case OpKind::global_max_pool: {
      if (op.kind == OpKind::global_average_pool) require_fp32(x, "X");
      if (x.shape.size() < 3) fail("X " + shape_str(x.shape) + " has no spatial dimension");
      Shape s = x.shape;
      std::fill(s.begin() + 2, s.end(), 1);
      return {s, x.dtype};
    }
    case OpKind::relu:
    case OpKind::relu6: return same_as_input(x, false);
    case OpKind::clip: {
      const ClipAttrs& c = std::get<ClipAttrs>(op.attrs);
      if (std::isnan(c.min) || std::isnan(c.max)) fail("NaN bound");
      const auto integral = [](double b) { return !std::isfinite(b) || b == std::floor(b); };
      if (is_integer(x.dtype) && (!integral(c.min) || !integral(c.max)))
        fail("an integer tensor needs integral bounds, got " + num_str(c.min) + " and " + num_str(c.max));
      return x;
    }
    case OpKind::sigmoid:
    case OpKind::tanh:
    case OpKind::gelu:
    case OpKind::silu:
    case OpKind::hard_swish:
    case OpKind::leaky_relu: return same_as_input(x, true);
    case OpKind::add:
    case OpKind::sub:
    case OpKind::mul:
    case OpKind::div:
      if (in[0].dtype != in[1].dtype)
        fail("operands " + dtype_name(in[0].dtype) + " and " + dtype_name(in[1].dtype) + " differ in dtype");
      return {broadcast_shape(in[0].shape, in[1].shape), x.dtype};
    case OpKind::concat: {
      std::vector<Shape> shapes;
      for (const TensorType& t : in) {
        if (t.dtype != x.dtype)
          fail("inputs " + dtype_name(x.dtype) + " and " + dtype_name(t.dtype) + " differ in dtype");
        shapes.push_back(t.shape);
      }
      return {concat_shape(shapes, std::get<AxisAttrs>(op.attrs).axis), x.dtype};
    }
    case OpKind::reshape: {
      const ReshapeAttrs& r = std::get<ReshapeAttrs>(op.attrs);
      return {reshape_shape(x.shape, r.shape, r.allowzero), x.dtype};
    }
    case OpKind::flatten: return {flatten_shape(x.shape, std::get<AxisAttrs>(op.attrs).axis), x.dtype};
    case OpKind::transpose: return {transpose_shape(x.shape, std::get<TransposeAttrs>(op.attrs).perm), x.dtype};
    case OpKind::squeeze: return {squeeze_shape(x.shape, std::get<AxesAttrs>(op.attrs).axes), x.dtype};
    case OpKind::unsqueeze: return {unsqueeze_shape(x.shape, std::get<AxesAttrs>(op.attrs).axes), x.dtype};
    case OpKind::softmax:
      require_fp32(x, "X");
      normalize_axis(std::get<AxisAttrs>(op.attrs).axis, x.shape.size());
      return x;
    case OpKind::layer_norm: {
      for (const TensorType& t : in) require_fp32(t, "every operand");
      const std::size_t a = normalize_axis(std::get<LayerNormAttrs>(op.attrs).axis, x.shape.size());
      const Shape normalized(x.shape.begin() + static_cast<std::ptrdiff_t>(a), x.shape.end());
      check_addend(in[1], "scale", normalized, DType::fp32);
      if (in.size() == 3) check_addend(in[2], "bias", normalized, DType::fp32);
      return x;
    }
    case OpKind::batch_norm: {
      for (const TensorType& t : in) require_fp32(t, "every operand");
      if (x.shape.size() < 2) fail("X " + shape_str(x.shape) + " has no channel axis");
      static const char* const names[] = {"", "scale", "bias", "mean", "var"};
      for (std::size_t i = 1; i < 5; ++i)
        if (in[i].shape != Shape{x.shape[1]})
          fail(std::string(names[i]) + " " + shape_str(in[i].shape) + " is not [" + std::to_string(x.shape[1]) + "]");
      return x;
    }
    case OpKind::quantize_linear:
    case OpKind::dequantize_linear:
    case OpKind::requantize: return infer_quantizer(op.kind, std::get<QuantAttrs>(op.attrs), in);
  }
  throw std::logic_error("unhandled op kind");
}

std::string count_str(int n, const char* what) { return std::to_string(n) + " " + what + (n == 1 ? "" : "s"); }

/// The arity problem of an operator, empty when its input and output counts fit its kind.
std::string arity_issue(const Op& op) {
  const Arity a = op_arity(op.kind);
  const int n = static_cast<int>(op.inputs.size());
  if (n < a.min_inputs || (a.max_inputs >= 0 && n > a.max_inputs)) {
    std::string takes;
    if (a.max_inputs < 0)
      takes = "at least " + count_str(a.min_inputs, "input");
    else if (a.min_inputs == a.max_inputs)
      takes = count_str(a.min_inputs, "input");
    else
      takes = std::to_string(a.min_inputs) + " to " + count_str(a.max_inputs, "input");
    return "takes " + takes + ", got " + std::to_string(n);
  }
  if (op.outputs.size() != 1) return "produces 1 output, got " + std::to_string(op.outputs.size());
  return "";
}

bool attrs_fit(const Op& op) { return op.attrs.index() == default_attrs(op.kind).index(); }

}  // namespace

TensorType infer_output(const Op& op, const std::vector<TensorType>& inputs, DType declared_output) {
  Op probe;
  probe.kind = op.kind;
  probe.inputs.resize(inputs.size());
  probe.outputs.resize(1);
  if (const std::string issue = arity_issue(probe); !issue.empty()) fail(issue);
  if (!attrs_fit(op)) fail("attributes are not those of a " + op_kind_name(op.kind));
  return infer(op, inputs, declared_output);
}

// ---- the graph -----------------------------------------------------------------------------------

void Graph::add_tensor(TensorInfo t) {
  if (t.name.empty()) throw std::invalid_argument("graph '" + name_ + "': a tensor without a name");
  if (tensor_index_.count(t.name)) throw std::invalid_argument("graph '" + name_ + "': tensor '" + t.name + "' twice");
  tensor_index_[t.name] = tensors_.size();
  tensors_.push_back(std::move(t));
}

void Graph::add_op(Op op) {
  if (op.name.empty()) throw std::invalid_argument("graph '" + name_ + "': an operator without a name");
  if (op_index_.count(op.name)) throw std::invalid_argument("graph '" + name_ + "': node '" + op.name + "' twice");
  op_index_[op.name] = ops_.size();
  ops_.push_back(std::move(op));
}

const TensorInfo* Graph::find_tensor(const std::string& name) const {
  const auto it = tensor_index_.find(name);
  return it == tensor_index_.end() ? nullptr : &tensors_[it->second];
}

TensorInfo* Graph::find_tensor(const std::string& name) {
  const auto it = tensor_index_.find(name);
  return it == tensor_index_.end() ? nullptr : &tensors_[it->second];
}

const Op* Graph::find_op(const std::string& name) const {
  const auto it = op_index_.find(name);
  return it == op_index_.end() ? nullptr : &ops_[it->second];
}

const TensorInfo& Graph::tensor(const std::string& name) const {
  if (const TensorInfo* t = find_tensor(name)) return *t;
  throw std::invalid_argument("graph '" + name_ + "': no tensor '" + name + "'");
}

std::map<std::string, std::size_t> Graph::producers() const {
  std::map<std::string, std::size_t> p;
  for (std::size_t i = 0; i < ops_.size(); ++i)
    for (const std::string& o : ops_[i].outputs) p.emplace(o, i);
  return p;
}

namespace {
/// For every operator, the operators producing its inputs (ascending, without repeats).
std::vector<std::vector<std::size_t>> predecessors(const std::vector<Op>& ops,
                                                   const std::map<std::string, std::size_t>& producer) {
  std::vector<std::vector<std::size_t>> preds(ops.size());
  for (std::size_t i = 0; i < ops.size(); ++i) {
    std::set<std::size_t> s;
    for (const std::string& in : ops[i].inputs)
      if (const auto it = producer.find(in); it != producer.end()) s.insert(it->second);
    preds[i].assign(s.begin(), s.end());
  }
  return preds;
}
}  // namespace

std::vector<std::vector<std::size_t>> Graph::cycles() const {
  const std::vector<std::vector<std::size_t>> preds = predecessors(ops_, producers());
  std::vector<bool> done(ops_.size(), false);
  std::vector<std::vector<std::size_t>> found;
  for (;;) {
    // Retire every operator whose producers are all retired, until none moves.
    for (bool moved = true; moved;) {
      moved = false;
      for (std::size_t i = 0; i < ops_.size(); ++i)
        if (!done[i] && std::all_of(preds[i].begin(), preds[i].end(), [&](std::size_t p) { return done[p]; }))
          done[i] = moved = true;
    }
    const auto first = std::find(done.begin(), done.end(), false);
    if (first == done.end()) return found;
    // Every remaining operator has a remaining producer: walking producers from the earliest
    // remaining operator must come back to an operator already on the walk.
    std::vector<std::size_t> walk;
    std::map<std::size_t, std::size_t> at;  // operator -> position in walk
    std::size_t cur = static_cast<std::size_t>(first - done.begin());
    while (!at.count(cur)) {
      at[cur] = walk.size();
      walk.push_back(cur);
      cur = *std::find_if(preds[cur].begin(), preds[cur].end(), [&](std::size_t p) { return !done[p]; });
    }
    // walk[at[cur]..] runs against the data flow; reverse it and start at the earliest operator.
    std::vector<std::size_t> cycle(walk.rbegin(), walk.rend() - static_cast<std::ptrdiff_t>(at[cur]));
    std::rotate(cycle.begin(), std::min_element(cycle.begin(), cycle.end()), cycle.end());
    for (std::size_t i : cycle) done[i] = true;
    found.push_back(std::move(cycle));
  }
}

std::string Graph::cycle_message(const std::vector<std::size_t>& cycle) const {
  std::string path;
  for (std::size_t i : cycle) path += ops_[i].name + " -> ";
  return node_prefix(ops_[cycle.front()]) + "is part of a cycle: " + path + ops_[cycle.front()].name;
}

std::vector<std::size_t> Graph::topological_order() const {
  const std::vector<std::vector<std::size_t>> preds = predecessors(ops_, producers());
  std::vector<std::vector<std::size_t>> succs(ops_.size());
  std::vector<std::size_t> waiting(ops_.size());
  for (std::size_t i = 0; i < ops_.size(); ++i) {
    waiting[i] = preds[i].size();
    for (std::size_t p : preds[i]) succs[p].push_back(i);
  }
  // Kahn's algorithm taking the earliest inserted ready operator first.
  std::priority_queue<std::size_t, std::vector<std::size_t>, std::greater<>> ready;
  for (std::size_t i = 0; i < ops_.size(); ++i)
    if (waiting[i] == 0) ready.push(i);
  std::vector<std::size_t> order;
  while (!ready.empty()) {
    const std::size_t i = ready.top();
    ready.pop();
    order.push_back(i);
    for (std::size_t s : succs[i])
      if (--waiting[s] == 0) ready.push(s);
  }
  if (order.size() != ops_.size()) throw std::invalid_argument(cycle_message(cycles().front()));
  return order;
}

std::vector<std::string> Graph::infer_shapes() const {
  std::vector<std::string> issues;
  for (const Op& op : ops_) {
    if (!arity_issue(op).empty() || !attrs_fit(op)) continue;
    std::vector<TensorType> in;
    for (const std::string& n : op.inputs)
      if (const TensorInfo* t = find_tensor(n)) in.push_back({t->shape, t->dtype});
    const TensorInfo* out = find_tensor(op.outputs.front());
    if (in.size() != op.inputs.size() || !out) continue;
    const TensorType declared{out->shape, out->dtype};
    try {
      const TensorType got = infer(op, in, declared.dtype);
      if (got.shape != declared.shape || got.dtype != declared.dtype)
        issues.push_back(node_prefix(op) + "output '" + out->name + "' is declared " + type_str(declared) +
                         ", the operator gives " + type_str(got));
    } catch (const std::invalid_argument& e) {
      issues.push_back(node_prefix(op) + e.what());
    }
  }
  return issues;
}

std::vector<std::string> Graph::validate() const {
  std::vector<std::string> issues;
  const std::map<std::string, std::size_t> producer = producers();
  for (std::size_t i = 0; i < ops_.size(); ++i) {
    const Op& op = ops_[i];
    const std::string at = node_prefix(op);
    if (const std::string a = arity_issue(op); !a.empty()) issues.push_back(at + a);
    if (!attrs_fit(op)) issues.push_back(at + "attributes are not those of a " + op_kind_name(op.kind));
    for (const std::string& n : op.inputs) {
      const TensorInfo* t = find_tensor(n);
      if (!t)
        issues.push_back(at + "input '" + n + "' is not a tensor of the graph");
      else if (!t->is_input && !t->is_constant() && !producer.count(n))
        issues.push_back(at + "input '" + n + "' is never produced and is neither a graph input nor a constant");
    }
    for (const std::string& n : op.outputs) {
      const TensorInfo* t = find_tensor(n);
      if (!t)
        issues.push_back(at + "output '" + n + "' is not a tensor of the graph");
      else if (t->is_input)
        issues.push_back(at + "output '" + n + "' is a graph input");
      else if (t->is_constant())
        issues.push_back(at + "output '" + n + "' is a constant");
      if (producer.at(n) != i)
        issues.push_back(at + "output '" + n + "' is already produced by node '" + ops_[producer.at(n)].name + "'");
    }
  }
  const std::vector<std::string> shape_issues = infer_shapes();
  issues.insert(issues.end(), shape_issues.begin(), shape_issues.end());

  for (const TensorInfo& t : tensors_) {
    const std::string at = "tensor '" + t.name + "': ";
    if (t.is_input && t.is_constant()) issues.push_back(at + "is both a graph input and a constant");
    if (t.is_constant() && (t.value->shape() != t.shape || t.value->dtype() != t.dtype))
      issues.push_back(at + "constant value is " + type_str({t.value->shape(), t.value->dtype()}) + ", declared " +
                       type_str({t.shape, t.dtype}));
    if (t.is_output && !t.is_input && !t.is_constant() && !producer.count(t.name))
      issues.push_back(at + "graph output is never produced");
    if (t.quant) {
      const QuantParams& q = *t.quant;
      if (t.dtype != storage_dtype(q.qtype))
        issues.push_back(at + "quantized as " + qtype_name(q.qtype) + " but held in " + dtype_name(t.dtype) + " (" +
                         qtype_name(q.qtype) + " is held in " + dtype_name(storage_dtype(q.qtype)) + ")");
      if (q.scale.empty()) {
        issues.push_back(at + "quantization has no scale");
      } else if (!q.per_tensor()) {
        const auto rank = static_cast<std::int64_t>(t.shape.size());
        if (q.axis < -rank || q.axis >= rank)
          issues.push_back(at + "quantization axis " + std::to_string(q.axis) + " out of range for rank " +
                           std::to_string(rank));
        else if (static_cast<std::int64_t>(q.scale.size()) != t.shape[normalize_axis(q.axis, t.shape.size())])
          issues.push_back(at + "quantization has " + std::to_string(q.scale.size()) + " scales, axis " +
                           std::to_string(q.axis) + " has " +
                           std::to_string(t.shape[normalize_axis(q.axis, t.shape.size())]) + " channels");
      }
      if (!q.zero_point.empty() && q.zero_point.size() != q.scale.size())
        issues.push_back(at + "quantization has " + std::to_string(q.zero_point.size()) + " zero points for " +
                         std::to_string(q.scale.size()) + " scales");
      for (std::int64_t z : q.zero_point)
        if (z < qmin(q.qtype) || z > qmax(q.qtype))
          issues.push_back(at + "zero point " + std::to_string(z) + " is outside " + qtype_name(q.qtype) + "'s range " +
                           std::to_string(qmin(q.qtype)) + ".." + std::to_string(qmax(q.qtype)));
    }
  }
  for (const std::vector<std::size_t>& c : cycles()) issues.push_back(cycle_message(c));
  return issues;
}

}  // namespace arraysim::ir
