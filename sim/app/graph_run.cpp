#include "sim/app/graph_run.hpp"

#include <algorithm>
#include <optional>
#include <cmath>
#include <cstring>
#include <set>
#include <stdexcept>

#include "models/ir/shapes.hpp"

namespace arraysim::app {

namespace {
ir::TensorType type_of(const ir::Graph& g, const std::string& name) {
  const ir::TensorInfo& t = g.tensor(name);
  return ir::TensorType{t.shape, t.dtype};
}
/// A 2-D tensor transposed (the DMA places a transposed GEMM operand).
ir::Tensor transposed(const ir::Tensor& t) {
  const std::int64_t rows = t.shape()[0], cols = t.shape()[1];
  ir::Tensor r(t.dtype(), {cols, rows});
  for (std::int64_t i = 0; i < rows; ++i)
    for (std::int64_t j = 0; j < cols; ++j) r.copy_element(j * rows + i, t, i * cols + j);
  return r;
}
const ir::Tensor& find(const TensorMap& tensors, const std::string& name) {
  const auto it = tensors.find(name);
  if (it == tensors.end()) throw std::logic_error("graph run: tensor '" + name + "' is not computed yet");
  return it->second;
}
}  // namespace

ir::Tensor reshaped(const ir::Tensor& t, const ir::Shape& shape) {
  if (t.shape() == shape) return t;
  ir::Tensor r(t.dtype(), shape);
  if (r.size_bytes() != t.size_bytes())
    throw std::logic_error("reshaped: " + ir::shape_str(t.shape()) + " to " + ir::shape_str(shape));
  if (r.size_bytes() > 0) std::memcpy(r.raw_bytes(), t.raw_bytes(), t.size_bytes());
  return r;
}

namespace {
/// Kinds the post-processing unit can apply in a GEMM's output path: element-wise on the data
/// operand, any other operand resident (a broadcast bias or scale, quantization parameters).
bool fusable(ir::OpKind k) {
  using K = ir::OpKind;
  switch (k) {
    case K::relu:
    case K::relu6:
    case K::clip:
    case K::leaky_relu:
    case K::sigmoid:
    case K::tanh:
    case K::gelu:
    case K::silu:
    case K::hard_swish:
    case K::add:
    case K::sub:
    case K::mul:
    case K::div:
    case K::batch_norm:
    case K::quantize_linear:
    case K::dequantize_linear:
    case K::requantize: return true;
    default: return false;
  }
}
}  // namespace

void fuse_chains(const ir::Graph& g, GraphProgram& prog) {
  std::map<std::string, int> uses;
  for (const ir::Op& op : g.ops())
    for (const std::string& n : op.inputs) ++uses[n];
  for (std::size_t k = 0; k < prog.steps.size(); ++k) {
    // A batched matmul's output is whole only after its last step: it goes to DRAM.
    if (!prog.steps[k].gemm || prog.steps[k].batches > 0) continue;
    // A GEMM that reads partial sums back from DRAM needs its stores there.
    const plan::Schedule& sched = prog.plans[k].schedule;
    if (std::any_of(sched.tiles.begin(), sched.tiles.end(), [](const plan::Tile& t) { return t.load_c; })) continue;
    std::string cur = prog.steps[k].output;
    for (std::size_t j = k + 1; j < prog.steps.size(); ++j) {
      const GraphStep& s = prog.steps[j];
      std::optional<plan::VectorOpPlan>& post = prog.plans[j].post;
      if (s.gemm || !post || !fusable(post->op.kind) || s.inputs.empty() || s.inputs[0] != cur) break;
      if (std::any_of(post->resident.begin() + 1, post->resident.end(), [](bool r) { return !r; })) break;
      // A tensor of the graph read by another operator too, or a graph output, goes to DRAM.
      if (g.find_tensor(cur) && (uses[cur] != 1 || g.tensor(cur).is_output)) break;
      post->input_on_chip = true;
      if (j == k + 1)
        prog.plans[k].store_on_chip = true;
      else
        prog.plans[j - 1].post->output_on_chip = true;
      cur = s.output;
    }
  }
}

std::string accumulator_name(const ir::Op& op) { return op.name + ":accumulator"; }
std::string folded_weight_name(const ir::Op& bn) { return bn.name + ":folded_weight"; }
std::string folded_bias_name(const ir::Op& bn) { return bn.name + ":folded_bias"; }

void add_folded_tensors(const GraphProgram& prog, TensorMap& tensors) {
  for (const GraphStep& s : prog.steps) {
    if (!s.folded_bn || tensors.count(folded_weight_name(*s.folded_bn))) continue;  // once per conv
    const ir::Op& conv = *s.op;
    const ir::Op& bn = *s.folded_bn;
    const ir::Tensor& w = find(tensors, conv.inputs[1]);
    const ir::Tensor* b = conv.inputs.size() > 2 ? &find(tensors, conv.inputs[2]) : nullptr;
    const ir::Tensor &scale = find(tensors, bn.inputs[1]), &shift = find(tensors, bn.inputs[2]),
                     &mean = find(tensors, bn.inputs[3]), &var = find(tensors, bn.inputs[4]);
    const double epsilon = std::get<ir::BatchNormAttrs>(bn.attrs).epsilon;
    const std::int64_t oc_count = w.shape().at(0), per_oc = w.size() / oc_count;
    ir::Tensor fw(ir::DType::fp32, w.shape()), fb(ir::DType::fp32, {oc_count});
    for (std::int64_t oc = 0; oc < oc_count; ++oc) {
      const double k = scale.get_f64(oc) / std::sqrt(var.get_f64(oc) + epsilon);
      for (std::int64_t j = 0; j < per_oc; ++j) fw.set_f64(oc * per_oc + j, w.get_f64(oc * per_oc + j) * k);
      fb.set_f64(oc, ((b ? b->get_f64(oc) : 0.0) - mean.get_f64(oc)) * k + shift.get_f64(oc));
    }
    tensors[folded_weight_name(bn)] = std::move(fw);
    tensors[folded_bias_name(bn)] = std::move(fb);
  }
}

GraphProgram plan_graph(const config::Experiment& e, const std::vector<plan::LayerPlan>& gemm_plans) {
  const ir::Graph& g = *e.graph->graph;
  const config::ArrayConfig& arr = e.arch.array;
  // Per operator on the array: its first workload layer and how many it has (a batched matmul has
  // one per batch element, consecutive).
  std::map<std::size_t, std::size_t> layer_of, layer_count;
  for (std::size_t l = e.graph->layer_op.size(); l-- > 0;) {
    layer_of[e.graph->layer_op[l]] = l;
    ++layer_count[e.graph->layer_op[l]];
  }
  // The batch_norm a conv folds (docs/graph.md, "Batch norm folding"), or null: the conv's output
  // is read by that batch_norm alone and is no graph output, and every tensor involved is fp32.
  std::map<std::string, std::vector<std::size_t>> readers;
  for (std::size_t i = 0; i < g.ops().size(); ++i)
    for (const std::string& n : g.ops()[i].inputs) readers[n].push_back(i);
  const auto foldable_bn = [&](const ir::Op& conv) -> const ir::Op* {
    if (!e.arch.post_processor.fold_batch_norm || conv.kind != ir::OpKind::conv2d) return nullptr;
    const std::string& y = conv.outputs[0];
    const auto it = readers.find(y);
    if (it == readers.end() || it->second.size() != 1 || g.tensor(y).is_output) return nullptr;
    const ir::Op& bn = g.ops()[it->second[0]];
    if (bn.kind != ir::OpKind::batch_norm || bn.inputs.size() != 5 || bn.inputs[0] != y) return nullptr;
    std::vector<std::string> names(conv.inputs.begin() + 1, conv.inputs.end());
    names.insert(names.end(), bn.inputs.begin(), bn.inputs.end());
    names.push_back(bn.outputs[0]);
    for (const std::string& n : names)
      if (g.tensor(n).dtype != ir::DType::fp32) return nullptr;
    return &bn;
  };
  std::set<const ir::Op*> folded;
  GraphProgram prog;
  // A step on the post-processing unit running `vop` (its inputs and output are the step's);
  // `owner` is the graph operator it belongs to.
  const auto unit_step = [&](const ir::Op& owner, const ir::Op& vop, const std::vector<ir::TensorType>& in,
                             const ir::TensorType& out_type) {
    GraphStep st;
    st.op = &owner;
    st.inputs = vop.inputs;
    st.output = vop.outputs[0];
    st.output_type = out_type;
    plan::LayerPlan lp;
    lp.layer.name = vop.name;
    lp.post = plan::plan_vector_op(e.arch, vop, in, out_type);
    lp.analytic_cycles = lp.post->analytic_cycles;
    lp.host_work = static_cast<double>(lp.post->chunks.size());
    prog.steps.push_back(std::move(st));
    prog.plans.push_back(std::move(lp));
    prog.plans.back().workload_index = prog.steps.size() - 1;
  };
  const auto gemm_step = [&](const GraphStep& st) {
    prog.steps.push_back(st);
    prog.plans.push_back(gemm_plans.at(st.layer));
    prog.plans.back().workload_index = prog.steps.size() - 1;
  };
  for (std::size_t i : g.topological_order()) {
    const ir::Op& op = g.ops()[i];
    if (folded.count(&op)) continue;
    const ir::TensorType out = type_of(g, op.outputs[0]);
    if (!plan::is_gemm_kind(op.kind)) {
      std::vector<ir::TensorType> in;
      for (const std::string& n : op.inputs) in.push_back(type_of(g, n));
      unit_step(op, op, in, out);
      continue;
    }
    const ir::TensorType a = type_of(g, op.inputs[0]), b = type_of(g, op.inputs[1]);
    const auto refuse = [&](const std::string& what, ir::DType got, const char* key, ir::DType want) {
      throw std::invalid_argument(ir::node_prefix(op) + what + " is " + ir::dtype_name(got) + "; the array takes " +
                                  ir::dtype_name(want) + " (arch.array." + key + ")");
    };
    if (a.dtype != arr.input_dtype) refuse(op.inputs[0], a.dtype, "input_dtype", arr.input_dtype);
    if (b.dtype != arr.weight_dtype) refuse(op.inputs[1], b.dtype, "weight_dtype", arr.weight_dtype);
    if (out.dtype != arr.accumulator_dtype)
      refuse(op.outputs[0], out.dtype, "accumulator_dtype", arr.accumulator_dtype);
    GraphStep s;
    s.op = &op;
    s.gemm = true;
    s.layer = layer_of.at(i);
    s.inputs = {op.inputs[0], op.inputs[1]};
    const auto winograd = e.graph->winograd.find(i);
    if (layer_count.at(i) > 1 && winograd == e.graph->winograd.end()) {
      // A batched matmul: one GEMM step per batch element, each on its own A and B matrices.
      const ir::MatmulBatch mb = ir::matmul_batch(a.shape, b.shape);
      s.output = op.outputs[0];
      s.output_type = out;
      s.batches = static_cast<std::int64_t>(mb.a.size());
      for (std::int64_t k = 0; k < s.batches; ++k) {
        s.batch = k;
        s.layer = layer_of.at(i) + static_cast<std::size_t>(k);
        s.a_matrix = mb.a[static_cast<std::size_t>(k)];
        s.b_matrix = mb.b[static_cast<std::size_t>(k)];
        gemm_step(s);
      }
      continue;
    }
    const ir::Op* bn = foldable_bn(op);
    if (bn) {
      folded.insert(bn);
      s.folded_bn = bn;
      s.inputs[1] = folded_weight_name(*bn);
    }
    const bool bias = op.inputs.size() > 2 || bn;
    const std::string product = bias ? accumulator_name(op) : op.outputs[0];
    if (winograd != e.graph->winograd.end()) {
      // Winograd F(m×m, 3×3) (docs/transforms.md): the filter and input transforms on the unit,
      // α² GEMMs M[k] = V[k] · U[k] on the array, the output transform on the unit.
      const auto& c = std::get<ir::ConvAttrs>(op.attrs);
      ir::WinogradAttrs wa;
      wa.m = winograd->second;
      wa.pad_top = c.pad_top, wa.pad_left = c.pad_left;
      wa.out_h = out.shape.at(2), wa.out_w = out.shape.at(3);
      // Its α² GEMM layers (lower::lower_winograd): tiles × C by C × OC each.
      const auto positions = static_cast<std::int64_t>(layer_count.at(i));
      const ir::GemmDims d = ir::gemm_dims(e.workload.layers.at(layer_of.at(i)));
      const std::string u = op.name + ":winograd_U", v = op.name + ":winograd_V", mm = op.name + ":winograd_M";
      const ir::TensorType ut{{positions, d.k, d.n}, ir::DType::fp32}, vt{{positions, d.m, d.k}, ir::DType::fp32},
          mt{{positions, d.m, d.n}, ir::DType::fp32};
      unit_step(op, ir::make_op(ir::OpKind::winograd_filter, op.name + ".winograd_filter", {s.inputs[1]}, {u}, wa), {b},
                ut);
      unit_step(op, ir::make_op(ir::OpKind::winograd_input, op.name + ".winograd_input", {s.inputs[0]}, {v}, wa), {a},
                vt);
      s.inputs = {v, u};
      s.output = mm;
      s.output_type = mt;
      s.batches = positions;
      for (std::int64_t k = 0; k < s.batches; ++k) {
        s.batch = s.a_matrix = s.b_matrix = k;
        s.layer = layer_of.at(i) + static_cast<std::size_t>(k);
        gemm_step(s);
      }
      unit_step(op, ir::make_op(ir::OpKind::winograd_output, op.name + ".winograd_output", {mm}, {product}, wa), {mt},
                out);
    } else {
      s.output = product;
      s.output_type = out;
      gemm_step(s);
    }
    if (!bias) continue;
    // The bias is added by the post-processing unit; a conv's [OC] bias broadcasts as [1][OC][1][1].
    // A folded batch_norm's step adds the folded bias and writes the batch_norm's output.
    ir::TensorType bt = bn ? ir::TensorType{{b.shape.at(0)}, ir::DType::fp32} : type_of(g, op.inputs[2]);
    if (op.kind == ir::OpKind::conv2d) bt.shape = {1, bt.shape.at(0), 1, 1};
    unit_step(op,
              ir::make_op(ir::OpKind::add, bn ? bn->name : op.name + ".bias",
                          {product, bn ? folded_bias_name(*bn) : op.inputs[2]}, {bn ? bn->outputs[0] : op.outputs[0]}),
              {out, bt}, out);
  }
  if (e.arch.post_processor.fuse) fuse_chains(g, prog);
  return prog;
}

ir::LayerOperands gemm_operands(const GraphStep& s, const ir::Layer& l, const TensorMap& tensors) {
  const ir::Tensor& a = find(tensors, s.inputs[0]);
  const ir::Tensor& b = find(tensors, s.inputs[1]);
  ir::LayerOperands ops;
  if (s.batches > 0) {
    const ir::GemmDims d = ir::gemm_dims(l);
    ops.input = matrix_of(a, s.a_matrix, d.m, d.k);
    ops.weight = matrix_of(b, s.b_matrix, d.k, d.n);
    return ops;
  }
  if (s.op->kind == ir::OpKind::gemm) {
    const auto& attrs = std::get<ir::GemmAttrs>(s.op->attrs);
    ops.input = attrs.trans_a ? transposed(a) : a;
    ops.weight = attrs.trans_b ? transposed(b) : b;
  } else {
    ops.input = a;
    ops.weight = b;
  }
  ops.input = reshaped(ops.input, ir::input_shape(l));
  ops.weight = reshaped(ops.weight, ir::weight_shape(l));
  return ops;
}

ir::Tensor matrix_of(const ir::Tensor& t, std::int64_t index, std::int64_t rows, std::int64_t cols) {
  ir::Tensor m(t.dtype(), {rows, cols});
  const std::size_t offset = static_cast<std::size_t>(index) * m.size_bytes();
  if (offset + m.size_bytes() > t.size_bytes())
    throw std::logic_error("matrix_of: matrix " + std::to_string(index) + " of " + ir::shape_str(t.shape()));
  if (m.size_bytes() > 0) std::memcpy(m.raw_bytes(), t.raw_bytes() + offset, m.size_bytes());
  return m;
}

void take_output(const GraphStep& s, const ir::Tensor& out, TensorMap& tensors, TensorMap& partial) {
  if (s.batches == 0) {
    tensors[s.output] = reshaped(out, s.output_type.shape);
    return;
  }
  auto it = partial.find(s.output);
  if (it == partial.end()) it = partial.emplace(s.output, ir::Tensor(out.dtype(), s.output_type.shape)).first;
  ir::Tensor& whole = it->second;
  const std::size_t offset = static_cast<std::size_t>(s.batch) * out.size_bytes();
  if (out.dtype() != whole.dtype() || offset + out.size_bytes() > whole.size_bytes())
    throw std::logic_error("take_output: matrix " + std::to_string(s.batch) + " " + ir::shape_str(out.shape()) +
                           " does not fit " + s.output + " " + ir::shape_str(whole.shape()));
  if (out.size_bytes() > 0) std::memcpy(whole.raw_bytes() + offset, out.raw_bytes(), out.size_bytes());
  if (s.batch + 1 == s.batches) {
    tensors[s.output] = std::move(whole);
    partial.erase(it);
  }
}

TensorMap graph_inputs(const ir::Graph& g, std::uint64_t seed, const ir::Tensor* given) {
  // Parameters given as graph inputs (a model exported without its weights) are seeded in their
  // role, so that values stay in range through a deep network: a batch_norm's variance as
  // 0.5 + |x| (never negative, never near 0), the weight operand of a conv, gemm or matmul
  // scaled by 2^-ceil(log2(fan_in) / 2), about PyTorch's default bound 1/sqrt(fan_in) rounded down
  // to a power of two (the values stay on their grid).
  std::set<std::string> variances;
  std::map<std::string, std::int64_t> fan_in;
  for (const ir::Op& op : g.ops()) {
    if (op.kind == ir::OpKind::batch_norm && op.inputs.size() > 4) variances.insert(op.inputs[4]);
    if (!plan::is_gemm_kind(op.kind)) continue;
    const ir::Shape& w = g.tensor(op.inputs[1]).shape;
    std::int64_t f = 0;
    if (op.kind == ir::OpKind::conv2d && !w.empty() && w[0] > 0)
      f = ir::numel(w) / w[0];
    else if (op.kind == ir::OpKind::gemm && w.size() == 2)
      f = std::get<ir::GemmAttrs>(op.attrs).trans_b ? w[1] : w[0];
    else if (op.kind == ir::OpKind::matmul && w.size() >= 2)
      f = w[w.size() - 2];
    if (f > 1) fan_in[op.inputs[1]] = f;
  }
  TensorMap m;
  std::uint64_t stream = 1000;
  bool first = true;
  for (const ir::TensorInfo& t : g.tensors()) {
    if (!t.is_input) continue;
    if (first && given) {
      if (given->shape() != t.shape || given->dtype() != t.dtype)
        throw std::runtime_error("--input holds " + ir::shape_str(given->shape()) + " " +
                                 ir::dtype_name(given->dtype()) + "; graph input '" + t.name + "' is " +
                                 ir::shape_str(t.shape) + " " + ir::dtype_name(t.dtype));
      m[t.name] = *given;
    } else {
      ir::Tensor x(t.dtype, t.shape);
      ir::fill_random(x, seed, stream);
      if (!ir::is_integer(t.dtype)) {
        if (variances.count(t.name))
          for (std::int64_t i = 0; i < x.size(); ++i) x.set_f64(i, 0.5 + std::fabs(x.get_f64(i)));
        if (const auto f = fan_in.find(t.name); f != fan_in.end()) {
          const int shift = (static_cast<int>(std::ceil(std::log2(static_cast<double>(f->second)))) + 1) / 2;
          for (std::int64_t i = 0; i < x.size(); ++i) x.set_f64(i, std::ldexp(x.get_f64(i), -shift));
        }
      }
      m[t.name] = std::move(x);
    }
    first = false;
    ++stream;
  }
  return m;
}

ir::Tensor graph_tolerance(const ir::Tensor& golden) {
  double max_abs = 0;
  for (std::int64_t i = 0; i < golden.size(); ++i) max_abs = std::max(max_abs, std::fabs(golden.get_f64(i)));
  ir::Tensor tol(ir::DType::fp32, golden.shape());
  const double bound = 1e-4 * (1 + max_abs);
  for (std::int64_t i = 0; i < tol.size(); ++i) tol.set_f64(i, bound);
  return tol;
}

}  // namespace arraysim::app
