#include "sim/plan/vector_op.hpp"

#include <algorithm>
#include <stdexcept>

#include "sim/lower/winograd.hpp"

namespace arraysim::plan {

namespace {
using ir::OpKind;

std::int64_t latency(const config::PostProcessorConfig& pp, PostOp c) {
  return pp.latency_cycles[static_cast<std::size_t>(c)];
}
std::int64_t product(const ir::Shape& s, std::size_t from, std::size_t to) {
  std::int64_t p = 1;
  for (std::size_t i = from; i < to; ++i) p *= s[i];
  return p;
}
std::size_t norm_axis(std::int64_t axis, std::size_t rank) {
  return static_cast<std::size_t>(axis < 0 ? axis + static_cast<std::int64_t>(rank) : axis);
}
/// The instructions of one Winograd transform L d Lᵀ of a q×q tile (L p×q, its real coefficients
/// `l` = integer entries / scale): pass 1 (L·d, q columns) and pass 2 ((L·d)·Lᵀ, p rows) each
/// compute every row i of L as a sum of its nonzero terms: nnz_i − 1 adds and a multiply per
/// coefficient other than ±1. Classes in the order: every mul, then every alu.
std::vector<PostOp> winograd_instructions(const std::vector<std::int64_t>& l, std::int64_t scale, std::int64_t p,
                                          std::int64_t q) {
  std::int64_t adds = 0, muls = 0;
  for (std::int64_t i = 0; i < p; ++i) {
    std::int64_t nnz = 0;
    for (std::int64_t k = 0; k < q; ++k) {
      const std::int64_t c = l[static_cast<std::size_t>(i * q + k)];
      if (c == 0) continue;
      ++nnz;
      if (c != scale && c != -scale) ++muls;
    }
    adds += std::max<std::int64_t>(nnz - 1, 0);
  }
  std::vector<PostOp> v(static_cast<std::size_t>((q + p) * muls), PostOp::mul);
  v.insert(v.end(), static_cast<std::size_t>((q + p) * adds), PostOp::alu);
  return v;
}
}  // namespace

std::int64_t tree_levels(std::int64_t lanes) {
  std::int64_t levels = 0;
  for (std::int64_t w = 1; w < lanes; w *= 2) ++levels;
  return levels;
}

bool is_gemm_kind(ir::OpKind k) { return k == OpKind::conv2d || k == OpKind::gemm || k == OpKind::matmul; }

VectorOpCost vector_op_cost(const ir::Op& op, const std::vector<ir::TensorType>& inputs, const ir::TensorType& output) {
  using P = PostOp;
  VectorOpCost c;
  const ir::Shape& x = inputs.front().shape;
  c.units = ir::numel(output.shape);
  switch (op.kind) {
    case OpKind::conv2d:
    case OpKind::gemm:
    case OpKind::matmul: throw std::logic_error("vector_op_cost: " + ir::op_kind_name(op.kind) + " runs as a GEMM");
    case OpKind::reshape:
    case OpKind::flatten:
    case OpKind::squeeze:
    case OpKind::unsqueeze: c.units = 0; break;
    case OpKind::relu:
    case OpKind::add:
    case OpKind::sub:
    case OpKind::concat:
    case OpKind::transpose: c.per_element = {P::alu}; break;
    case OpKind::mul: c.per_element = {P::mul}; break;
    case OpKind::div: c.per_element = {P::div}; break;
    case OpKind::relu6:
    case OpKind::clip: c.per_element = {P::alu, P::alu}; break;  // max, min
    case OpKind::leaky_relu: c.per_element = {P::mul, P::alu}; break;
    case OpKind::sigmoid: c.per_element = {P::exp, P::alu, P::div}; break;       // 1 / (1 + e^-x)
    case OpKind::tanh: c.per_element = {P::exp, P::alu, P::alu, P::div}; break;  // (e^2x - 1) / (e^2x + 1)
    case OpKind::silu: c.per_element = {P::exp, P::alu, P::div, P::mul}; break;  // x · sigmoid(x)
    case OpKind::gelu: c.per_element = {P::gelu}; break;                         // one table/unit op
    case OpKind::hard_swish: c.per_element = {P::mul, P::alu, P::alu, P::alu, P::mul}; break;
    case OpKind::quantize_linear:
      c.per_element = {P::div, P::alu, P::alu, P::alu, P::alu};
      break;                                                                                   // ÷, round, +zp, clamp
    case OpKind::dequantize_linear: c.per_element = {P::alu, P::mul}; break;                   // −zp, ×scale
    case OpKind::requantize: c.per_element = {P::mul, P::alu, P::alu, P::alu, P::alu}; break;  // ×m, round, +zp, clamp
    case OpKind::winograd_filter:
    case OpKind::winograd_input:
    case OpKind::winograd_output: {
      // One unit per transformed tile: a filter (c, oc), an input tile and channel, an output
      // tile and channel; the lanes run units side by side (docs/transforms.md).
      const ir::WinogradAttrs& a = std::get<ir::WinogradAttrs>(op.attrs);
      const lower::WinogradMatrices& w = lower::winograd_matrices(static_cast<int>(a.m));
      if (op.kind == OpKind::winograd_filter) {
        c.units = x[0] * x[1];
        c.per_element = winograd_instructions(w.g, w.g_scale, w.alpha, 3);
      } else if (op.kind == OpKind::winograd_input) {
        c.units = output.shape[1] * output.shape[2];
        c.per_element = winograd_instructions(w.bt, 1, w.alpha, w.alpha);
      } else {
        c.units = x[1] * x[2];
        c.per_element = winograd_instructions(w.at, 1, a.m, w.alpha);
      }
      break;
    }
    case OpKind::batch_norm:
      c.per_element = {P::mul, P::alu};  // x · a[c] + b[c]
      // a = scale / sqrt(var + eps), b = bias − mean · a, once per channel.
      c.setup = {P::alu, P::sqrt, P::div, P::mul, P::mul, P::alu};
      c.setup_count = x.size() > 1 ? x[1] : 1;
      break;
    case OpKind::max_pool:
    case OpKind::average_pool: {
      const auto& p = std::get<ir::PoolParams>(op.attrs);
      std::int64_t window = 1;
      for (std::int64_t k : p.kernel) window *= k;
      // A unit is one output row of one plane (its input rows are streamed with it), so that a
      // large plane is processed in strips.
      c.units = product(output.shape, 0, output.shape.size() - 1);
      c.elements_per_unit = output.shape.back();
      c.per_element.assign(static_cast<std::size_t>(std::max<std::int64_t>(1, window - 1)), P::alu);
      if (op.kind == OpKind::average_pool) c.per_element.push_back(P::mul);
      break;
    }
    case OpKind::global_average_pool:
    case OpKind::global_max_pool:
      c.units = x[0] * x[1];
      c.elements_per_unit = product(x, 2, x.size());
      c.per_element = {P::alu};
      c.lane_reductions = 1;
      if (op.kind == OpKind::global_average_pool) c.per_unit = {P::mul};
      break;
    case OpKind::softmax: {
      const std::size_t a = norm_axis(std::get<ir::AxisAttrs>(op.attrs).axis, x.size());
      c.elements_per_unit = x[a];
      c.units = c.elements_per_unit == 0 ? 0 : ir::numel(x) / c.elements_per_unit;
      c.per_element = {P::alu, P::alu, P::exp, P::alu, P::div};  // max, −max, exp, sum, ÷sum
      c.lane_reductions = 2;                                     // the row's max and sum
      break;
    }
    case OpKind::layer_norm: {
      const std::size_t a = norm_axis(std::get<ir::LayerNormAttrs>(op.attrs).axis, x.size());
      c.elements_per_unit = product(x, a, x.size());
      c.units = c.elements_per_unit == 0 ? 0 : ir::numel(x) / c.elements_per_unit;
      // Σx, x − mean, (x − mean)², Σ, × inv_std, × scale, + bias.
      c.per_element = {P::alu, P::alu, P::mul, P::alu, P::mul, P::mul};
      if (inputs.size() > 2) c.per_element.push_back(P::alu);
      c.lane_reductions = 2;
      c.per_unit = {P::div, P::div, P::alu, P::sqrt, P::div};  // mean, variance, + eps, sqrt, reciprocal
      break;
    }
  }
  return c;
}

std::int64_t vector_steps(const VectorOpCost& c, std::int64_t units, std::int64_t lanes) {
  if (c.elements_per_unit == 1) return (units + lanes - 1) / lanes;
  return units * ((c.elements_per_unit + lanes - 1) / lanes);
}

std::int64_t chunk_compute_cycles(const VectorOpCost& c, std::int64_t units, const config::PostProcessorConfig& pp) {
  if (units == 0) return 0;
  const std::int64_t steps = vector_steps(c, units, pp.lanes);
  std::int64_t cycles = 0;
  if (steps > 0)
    for (PostOp i : c.per_element) cycles += steps + latency(pp, i) - 1;
  std::int64_t tail = c.lane_reductions * tree_levels(pp.lanes) * latency(pp, PostOp::alu);
  for (PostOp i : c.per_unit) tail += latency(pp, i);
  return cycles + units * tail;
}

std::int64_t setup_cycles(const VectorOpCost& c, const config::PostProcessorConfig& pp) {
  std::int64_t per = 0;
  for (PostOp i : c.setup) per += latency(pp, i);
  return per * c.setup_count;
}

std::int64_t vector_op_count(const VectorOpCost& c) {
  return c.units * c.elements_per_unit * static_cast<std::int64_t>(c.per_element.size()) +
         c.units * (static_cast<std::int64_t>(c.per_unit.size()) + c.lane_reductions) +
         c.setup_count * static_cast<std::int64_t>(c.setup.size());
}

VectorOpPlan plan_vector_op(const config::ArchConfig& arch, const ir::Op& op, const std::vector<ir::TensorType>& inputs,
                            const ir::TensorType& output) {
  VectorOpPlan p;
  p.op = op;
  p.inputs = inputs;
  p.output = output;
  p.cost = vector_op_cost(op, inputs, output);
  p.layout_only = op.kind == OpKind::reshape || op.kind == OpKind::flatten || op.kind == OpKind::squeeze ||
                  op.kind == OpKind::unsqueeze;
  for (const ir::TensorType& t : inputs)
    p.input_bytes.push_back(ir::numel(t.shape) * static_cast<std::int64_t>(ir::dtype_bytes(t.dtype)));
  p.output_bytes = ir::numel(output.shape) * static_cast<std::int64_t>(ir::dtype_bytes(output.dtype));
  p.vector_ops = vector_op_count(p.cost);
  p.cyclic_period.assign(inputs.size(), 0);
  if (p.layout_only || p.cost.units == 0) {
    p.resident.assign(inputs.size(), false);
    return p;
  }
  // Streamed: the data operands whose elements follow the units (the first input, both operands
  // of an element-wise operator when not broadcast, every input of concat); resident: the rest.
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    bool streamed = i == 0 || op.kind == OpKind::concat;
    if (op.kind == OpKind::add || op.kind == OpKind::sub || op.kind == OpKind::mul || op.kind == OpKind::div)
      streamed = inputs[i].shape == output.shape;
    p.resident.push_back(!streamed);
  }
  const std::int64_t units = p.cost.units;
  const std::int64_t out_per_unit = (p.output_bytes + units - 1) / units;
  const std::int64_t out_budget = arch.output.tile_budget_bytes();
  std::int64_t resident_bytes = 0, in_per_unit = 0, in_budget = 0, per_chunk = 0;
  const auto size_chunks = [&] {
    resident_bytes = in_per_unit = 0;
    for (std::size_t i = 0; i < inputs.size(); ++i) {
      if (p.resident[i])
        resident_bytes += p.input_bytes[i];
      else if (p.cyclic_period[i] > 0)
        in_per_unit += static_cast<std::int64_t>(ir::dtype_bytes(inputs[i].dtype));
      else
        in_per_unit += (p.input_bytes[i] + units - 1) / units;
    }
    in_budget = arch.ifmap.tile_budget_bytes() - resident_bytes;
    per_chunk = std::min(in_per_unit > 0 ? in_budget / in_per_unit : units,
                         out_per_unit > 0 ? out_budget / out_per_unit : units);
  };
  size_chunks();
  const bool elementwise =
      op.kind == OpKind::add || op.kind == OpKind::sub || op.kind == OpKind::mul || op.kind == OpKind::div;
  if (per_chunk < 1 && elementwise && p.cost.elements_per_unit == 1) {
    // Resident operands too large: one that repeats along the output's leading dimensions is
    // streamed with the chunks instead.
    bool changed = false;
    for (std::size_t i = 0; i < inputs.size(); ++i) {
      if (!p.resident[i]) continue;
      ir::Shape s = inputs[i].shape;
      while (!s.empty() && s.front() == 1) s.erase(s.begin());
      const ir::Shape& o = output.shape;
      if (s.empty() || s.size() > o.size() ||
          !std::equal(s.begin(), s.end(), o.end() - static_cast<std::ptrdiff_t>(s.size())))
        continue;
      p.resident[i] = false;
      p.cyclic_period[i] = ir::numel(s);
      changed = true;
    }
    if (changed) size_chunks();
  }
  if (per_chunk < 1) {
    const bool input_side = in_per_unit == 0 || in_budget / std::max<std::int64_t>(in_per_unit, 1) < 1;
    throw std::invalid_argument(
        ir::node_prefix(op) + "one unit of its work (" + std::to_string(input_side ? in_per_unit : out_per_unit) +
        " bytes" +
        (input_side && resident_bytes > 0 ? " beside " + std::to_string(resident_bytes) + " resident bytes" : "") +
        ") does not fit a tile of the " + (input_side ? arch.ifmap.path : arch.output.path) + " scratchpad (" +
        std::to_string(input_side ? arch.ifmap.tile_budget_bytes() : out_budget) + " bytes)");
  }
  // Byte offsets proportional to the units (exact for whole units; a concat input that does not
  // divide evenly is cut at the nearest byte below).
  __extension__ typedef __int128 Wide;  // bytes · unit exceeds 64 bits on large tensors
  const auto offset = [units](std::int64_t bytes, std::int64_t unit) {
    return static_cast<std::int64_t>(static_cast<Wide>(bytes) * unit / units);
  };
  // A chunk ends at a multiple of every cyclic operand's period (its slice is one range).
  std::int64_t period = 0;
  for (std::int64_t c : p.cyclic_period)
    if (c > 0) period = period == 0 ? c : std::min(period, c);
  for (std::int64_t first = 0; first < units;) {
    VectorChunk ch;
    ch.first_unit = first;
    ch.units = std::min(per_chunk, units - first);
    if (period > 0) ch.units = std::min(ch.units, (first / period + 1) * period - first);
    for (std::size_t i = 0; i < inputs.size(); ++i) {
      if (p.resident[i]) {
        ch.input_offset.push_back(0);
        ch.input_bytes.push_back(0);
        continue;
      }
      if (p.cyclic_period[i] > 0) {
        const std::int64_t eb = static_cast<std::int64_t>(ir::dtype_bytes(inputs[i].dtype));
        ch.input_offset.push_back(first % p.cyclic_period[i] * eb);
        ch.input_bytes.push_back(ch.units * eb);
        continue;
      }
      const std::int64_t b = offset(p.input_bytes[i], first), e = offset(p.input_bytes[i], first + ch.units);
      ch.input_offset.push_back(b);
      ch.input_bytes.push_back(e - b);
    }
    ch.output_offset = offset(p.output_bytes, first);
    ch.output_bytes = offset(p.output_bytes, first + ch.units) - ch.output_offset;
    ch.compute_cycles = chunk_compute_cycles(p.cost, ch.units, arch.post_processor);
    p.analytic_cycles += ch.compute_cycles;
    first += ch.units;
    p.chunks.push_back(std::move(ch));
  }
  p.setup_cycles = setup_cycles(p.cost, arch.post_processor);
  p.analytic_cycles += p.setup_cycles;
  return p;
}

}  // namespace arraysim::plan
