#include "models/golden/graph_exec.hpp"

#include <cstring>
#include <stdexcept>

#include "models/golden/golden.hpp"
#include "models/golden/ops.hpp"
#include "models/ir/layer.hpp"

namespace arraysim::golden {
namespace {

using ir::DType;
using ir::OpKind;
using ir::Shape;
using ir::Tensor;

/// conv2d: the layer parameters from X [N][C][H][W], W [OC][C/groups][R][S] and the attributes.
ir::Conv2dParams conv_params(const Tensor& x, const Tensor& w, const ir::ConvAttrs& a) {
  if (x.shape().size() != 4 || w.shape().size() != 4) throw std::invalid_argument("X and W must have rank 4");
  ir::Conv2dParams p;
  p.n = x.shape()[0], p.c = x.shape()[1], p.h = x.shape()[2], p.w = x.shape()[3];
  p.out_channels = w.shape()[0], p.kernel_h = w.shape()[2], p.kernel_w = w.shape()[3];
  p.stride_h = a.stride_h, p.stride_w = a.stride_w;
  p.pad_top = a.pad_top, p.pad_bottom = a.pad_bottom, p.pad_left = a.pad_left, p.pad_right = a.pad_right;
  p.dilation_h = a.dilation_h, p.dilation_w = a.dilation_w, p.groups = a.groups;
  return p;
}

/// Matrix `index` ([rows][cols]) of a stack of matrices, copied out.
Tensor matrix_at(const Tensor& t, std::int64_t index, std::int64_t rows, std::int64_t cols) {
  Tensor m(t.dtype(), {rows, cols});
  std::memcpy(m.raw_bytes(), t.raw_bytes() + static_cast<std::size_t>(index) * m.size_bytes(), m.size_bytes());
  return m;
}

/// Batched matmul: A [..a][M][K] · B [..b][K][N] -> [broadcast(..a, ..b)][M][N], one golden GEMM per
/// output matrix; a batch dimension of size 1 (or missing) repeats that operand's matrix.
Tensor matmul(const Tensor& a, const Tensor& b, DType acc) {
  const Shape &as = a.shape(), &bs = b.shape();
  if (as.size() < 2 || bs.size() < 2) throw std::invalid_argument("A and B must have rank 2 or more");
  const std::int64_t m = as[as.size() - 2], k = as.back(), n = bs.back();
  const Shape ab(as.begin(), as.end() - 2), bb(bs.begin(), bs.end() - 2);
  const Shape batch = broadcast_shape(ab, bb);
  // Matrix strides of each operand's batch dimensions, aligned right to `batch`; 0 where broadcast.
  const auto strides = [&](const Shape& s) {
    std::vector<std::int64_t> st(batch.size(), 0);
    std::int64_t step = 1;
    for (std::size_t d = s.size(); d-- > 0;) {
      if (s[d] != 1) st[d + batch.size() - s.size()] = step;
      step *= s[d];
    }
    return st;
  };
  const std::vector<std::int64_t> sa = strides(ab), sb = strides(bb);
  Shape out_shape = batch;
  out_shape.push_back(m);
  out_shape.push_back(n);
  Tensor y(acc, out_shape);
  std::vector<std::int64_t> idx(batch.size(), 0);
  for (std::int64_t i = 0; i < ir::numel(batch); ++i) {
    std::int64_t ia = 0, ib = 0;
    for (std::size_t d = 0; d < batch.size(); ++d) ia += idx[d] * sa[d], ib += idx[d] * sb[d];
    const Tensor c = gemm(matrix_at(a, ia, m, k), matrix_at(b, ib, k, n), acc);
    std::memcpy(y.raw_bytes() + static_cast<std::size_t>(i) * c.size_bytes(), c.raw_bytes(), c.size_bytes());
    for (std::size_t d = batch.size(); d-- > 0;) {  // next batch index, row-major
      if (++idx[d] < batch[d]) break;
      idx[d] = 0;
    }
  }
  return y;
}

}  // namespace

Tensor run_op(const ir::Op& op, const std::vector<const Tensor*>& in, DType out_dtype) {
  const ir::Arity arity = ir::op_arity(op.kind);
  if (static_cast<int>(in.size()) < arity.min_inputs ||
      (arity.max_inputs >= 0 && static_cast<int>(in.size()) > arity.max_inputs))
    throw std::invalid_argument("wrong number of inputs");
  const Tensor& x = *in[0];
  const auto optional = [&](std::size_t i) { return in.size() > i ? in[i] : nullptr; };
  switch (op.kind) {
    case OpKind::conv2d: {
      const ir::Conv2dParams p = conv_params(x, *in[1], std::get<ir::ConvAttrs>(op.attrs));
      const Tensor y = conv2d_direct(x, *in[1], p, out_dtype);
      return in.size() == 3 ? add(y, reshape(*in[2], {1, p.out_channels, 1, 1})) : y;
    }
    case OpKind::gemm: {
      const ir::GemmAttrs& g = std::get<ir::GemmAttrs>(op.attrs);
      const Tensor y = gemm(g.trans_a ? transpose(x) : x, g.trans_b ? transpose(*in[1]) : *in[1], out_dtype);
      return in.size() == 3 ? add(y, *in[2]) : y;
    }
    case OpKind::matmul: return matmul(x, *in[1], out_dtype);
    case OpKind::max_pool: return max_pool(x, std::get<ir::PoolParams>(op.attrs));
    case OpKind::average_pool: return average_pool(x, std::get<ir::PoolParams>(op.attrs));
    case OpKind::global_average_pool: return global_average_pool(x);
    case OpKind::global_max_pool: return global_max_pool(x);
    case OpKind::relu: return relu(x);
    case OpKind::relu6: return clip(x, 0, 6);
    case OpKind::clip: {
      const ir::ClipAttrs& c = std::get<ir::ClipAttrs>(op.attrs);
      return clip(x, c.min, c.max);
    }
    case OpKind::sigmoid: return sigmoid(x);
    case OpKind::tanh: return tanh(x);
    case OpKind::gelu:
      return gelu(x, std::get<ir::GeluAttrs>(op.attrs).tanh_approximation ? GeluApprox::tanh : GeluApprox::none);
    case OpKind::silu: return silu(x);
    case OpKind::hard_swish: return hard_swish(x);
    case OpKind::leaky_relu: return leaky_relu(x, std::get<ir::LeakyReluAttrs>(op.attrs).alpha);
    case OpKind::add: return add(x, *in[1]);
    case OpKind::sub: return sub(x, *in[1]);
    case OpKind::mul: return mul(x, *in[1]);
    case OpKind::div: return div(x, *in[1]);
    case OpKind::concat: {
      std::vector<Tensor> xs;
      for (const Tensor* t : in) xs.push_back(*t);
      return concat(xs, std::get<ir::AxisAttrs>(op.attrs).axis);
    }
    case OpKind::reshape: {
      const ir::ReshapeAttrs& r = std::get<ir::ReshapeAttrs>(op.attrs);
      return reshape(x, r.shape, r.allowzero);
    }
    case OpKind::flatten: return flatten(x, std::get<ir::AxisAttrs>(op.attrs).axis);
    case OpKind::transpose: return transpose(x, std::get<ir::TransposeAttrs>(op.attrs).perm);
    case OpKind::squeeze: return squeeze(x, std::get<ir::AxesAttrs>(op.attrs).axes);
    case OpKind::unsqueeze: return unsqueeze(x, std::get<ir::AxesAttrs>(op.attrs).axes);
    case OpKind::softmax: return softmax(x, std::get<ir::AxisAttrs>(op.attrs).axis);
    case OpKind::layer_norm: {
      const ir::LayerNormAttrs& l = std::get<ir::LayerNormAttrs>(op.attrs);
      return layer_norm(x, *in[1], optional(2), l.axis, l.epsilon).y;
    }
    case OpKind::winograd_filter: return winograd_filter(x, std::get<ir::WinogradAttrs>(op.attrs));
    case OpKind::winograd_input: return winograd_input(x, std::get<ir::WinogradAttrs>(op.attrs));
    case OpKind::winograd_output: return winograd_output(x, std::get<ir::WinogradAttrs>(op.attrs));
    case OpKind::batch_norm:
      return batch_norm(x, *in[1], *in[2], *in[3], *in[4], std::get<ir::BatchNormAttrs>(op.attrs).epsilon);
    case OpKind::quantize_linear: {
      const ir::QuantAttrs& q = std::get<ir::QuantAttrs>(op.attrs);
      return quantize_linear(x, *in[1], optional(2), q.axis, q.qtype);
    }
    case OpKind::dequantize_linear:
      return dequantize_linear(x, *in[1], optional(2), std::get<ir::QuantAttrs>(op.attrs).axis);
    case OpKind::requantize: {
      const ir::QuantAttrs& q = std::get<ir::QuantAttrs>(op.attrs);
      return requantize(x, *in[1], optional(2), q.axis, q.qtype);
    }
  }
  throw std::logic_error("unhandled op kind");
}

TensorMap run_graph(const ir::Graph& g, const TensorMap& inputs) {
  const std::string at = "graph '" + g.name() + "': ";
  const std::vector<std::string> issues = g.validate();
  if (!issues.empty()) {
    std::string msg = at + "not valid";
    for (const std::string& i : issues) msg += "\n  " + i;
    throw std::invalid_argument(msg);
  }
  TensorMap values;
  for (const auto& [name, t] : inputs) {
    const ir::TensorInfo* info = g.find_tensor(name);
    if (!info || !info->is_input) throw std::invalid_argument(at + "'" + name + "' is not an input of the graph");
    if (t.shape() != info->shape || t.dtype() != info->dtype)
      throw std::invalid_argument(at + "input '" + name + "' is " + ir::shape_str(t.shape()) + " " +
                                  ir::dtype_name(t.dtype()) + ", declared " + ir::shape_str(info->shape) + " " +
                                  ir::dtype_name(info->dtype));
  }
  for (const ir::TensorInfo& t : g.tensors()) {
    if (t.is_constant()) values[t.name] = *t.value;
    if (!t.is_input) continue;
    const auto it = inputs.find(t.name);
    if (it == inputs.end()) throw std::invalid_argument(at + "input '" + t.name + "' is not given");
    values[t.name] = it->second;
  }
  for (std::size_t i : g.topological_order()) {
    const ir::Op& op = g.ops()[i];
    std::vector<const Tensor*> in;
    for (const std::string& n : op.inputs) in.push_back(&values.at(n));
    const ir::TensorInfo& out = g.tensor(op.outputs.front());
    Tensor y;
    try {
      y = run_op(op, in, out.dtype);
    } catch (const std::exception& e) {
      throw std::invalid_argument(ir::node_prefix(op) + e.what());
    }
    // The graph validated, so the golden operator and ir's shape inference must agree.
    if (y.shape() != out.shape || y.dtype() != out.dtype)
      throw std::logic_error(ir::node_prefix(op) + "the golden result is " + ir::shape_str(y.shape()) + " " +
                             ir::dtype_name(y.dtype()) + ", declared " + ir::shape_str(out.shape) + " " +
                             ir::dtype_name(out.dtype));
    values[out.name] = std::move(y);
  }
  return values;
}

}  // namespace arraysim::golden
