#pragma once
/// The graph IR of a whole network: named tensors (shape, dtype, quantization, location, an
/// optional constant value) joined by operators that read and write them by name. Validation,
/// per-operator shape and dtype inference, and a stable topological order. docs/graph.md.
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "models/ir/dtype.hpp"
#include "models/ir/shapes.hpp"
#include "models/ir/tensor.hpp"

namespace arraysim::ir {

/// Where a tensor lives between operators. Spellings equal the YAML spelling.
enum class Location { dram, scratchpad };
std::string location_name(Location l);

/// Quantization of a tensor: real = (q - zero_point) · scale. Per tensor when `scale` has one
/// element, else per channel along `axis` with shape[axis] elements. `zero_point` is empty (all 0)
/// or has as many elements as `scale`.
struct QuantParams {
  std::vector<float> scale;
  std::vector<std::int64_t> zero_point;
  std::int64_t axis = 1;  ///< only read when per channel; negative counts from the end
  QType qtype = QType::int8;
  bool per_tensor() const { return scale.size() == 1; }
};

/// A named tensor of the graph. Invariant checked by Graph::validate(): a constant `value` has
/// exactly `shape` and `dtype`; a quantized tensor has dtype storage_dtype(quant->qtype).
struct TensorInfo {
  std::string name;
  Shape shape;
  DType dtype = DType::fp32;
  std::optional<QuantParams> quant;
  Location location = Location::dram;
  std::optional<Tensor> value;  ///< weights, biases, scales: known before the run
  bool is_input = false;        ///< supplied by the caller of a run
  bool is_output = false;       ///< a result of the network
  bool is_constant() const { return value.has_value(); }
};

/// Operator kinds; spellings (op_kind_name) equal the YAML spelling, ONNX's names in snake case.
enum class OpKind {
  conv2d,
  gemm,
  matmul,
  max_pool,
  average_pool,
  global_average_pool,
  global_max_pool,
  relu,
  relu6,
  clip,
  sigmoid,
  tanh,
  gelu,
  silu,
  hard_swish,
  leaky_relu,
  add,
  sub,
  mul,
  div,
  concat,
  reshape,
  flatten,
  transpose,
  squeeze,
  unsqueeze,
  softmax,
  layer_norm,
  batch_norm,
  quantize_linear,
  dequantize_linear,
  requantize,
  winograd_filter,
  winograd_input,
  winograd_output,
};
/// Every kind, in declaration order.
const std::vector<OpKind>& all_op_kinds();
/// "conv2d", "max_pool", "quantize_linear", ...
std::string op_kind_name(OpKind k);
/// The kind of a spelling; empty when unknown.
std::optional<OpKind> parse_op_kind(std::string_view s);

// ---- attributes: one small struct per family of operators ---------------------------------------

/// Operators without attributes.
struct NoAttrs {};
/// conv2d: every option of Conv2dParams that is not read from the operand shapes (N, C, H, W
/// from X; OC, kernel from W [OC][C/groups][R][S]).
struct ConvAttrs {
  std::int64_t stride_h = 1, stride_w = 1;
  std::int64_t pad_top = 0, pad_bottom = 0, pad_left = 0, pad_right = 0;
  std::int64_t dilation_h = 1, dilation_w = 1;
  std::int64_t groups = 1;
};
/// gemm: Y = op(A) · op(B) (+ C), op = transpose when the flag is set.
struct GemmAttrs {
  bool trans_a = false, trans_b = false;
};
/// max_pool, average_pool: PoolParams (models/ir/shapes.hpp).

/// clip: min(max(x, min), max). relu6 is clip with 0 and 6 and takes NoAttrs.
struct ClipAttrs {
  double min = -std::numeric_limits<double>::infinity();
  double max = std::numeric_limits<double>::infinity();
};
/// gelu: exact (erf) or the tanh approximation.
struct GeluAttrs {
  bool tanh_approximation = false;
};
/// leaky_relu: x for x >= 0, alpha·x below.
struct LeakyReluAttrs {
  double alpha = 0.01;
};
/// concat (the axis joined), flatten (the first axis of the second factor), softmax (the axis
/// normalized). Negative counts from the end.
struct AxisAttrs {
  std::int64_t axis = 1;
};
/// reshape: the target shape (0 copies, -1 infers; ONNX opset 14).
struct ReshapeAttrs {
  std::vector<std::int64_t> shape;
  bool allowzero = false;
};
/// transpose: output dimension k is input dimension perm[k]; empty reverses the axes.
struct TransposeAttrs {
  std::vector<std::int64_t> perm;
};
/// squeeze (empty: every size-1 axis), unsqueeze: the axes removed or inserted.
struct AxesAttrs {
  std::vector<std::int64_t> axes;
};
/// layer_norm: normalizes over the axes [axis, rank).
struct LayerNormAttrs {
  std::int64_t axis = -1;
  double epsilon = 1e-5;
};
/// batch_norm (inference): channel axis 1.
struct BatchNormAttrs {
  double epsilon = 1e-5;
};
/// quantize_linear, dequantize_linear, requantize: the axis of per-channel parameters and the
/// quantized type produced (quantize_linear, requantize) or read (dequantize_linear).
struct QuantAttrs {
  std::int64_t axis = 1;
  QType qtype = QType::int8;
};

/// The three stages of a 3×3 stride-1 convolution by Winograd F(m×m, 3×3) (Lavin and Gray, CVPR
/// 2016; docs/transforms.md), α = m + 2, fp32:
///   winograd_filter  W [OC][C][3][3] -> U [α²][C][OC]      U[ξα+ν][c][o] = (G w[o][c] Gᵀ)[ξ][ν]
///   winograd_input   X [N][C][H][W]  -> V [α²][T][C]       V[ξα+ν][t][c] = (Bᵀ d Bᵀᵀ)[ξ][ν], d the
///                    α×α window of tile t = (n, i, j) at rows i·m − pad_top, columns j·m − pad_left
///                    (zero outside X); T = N·⌈out_h/m⌉·⌈out_w/m⌉ tiles
///   winograd_output  M [α²][T][OC]   -> Y [N][OC][out_h][out_w], tile t's m×m pixels (Aᵀ M_t A),
///                    cropped at the edges
/// Between them, α² GEMMs M[k] = V[k] · U[k] (a batched matmul).
struct WinogradAttrs {
  std::int64_t m = 2;  ///< output tile side: 2 or 4
  std::int64_t pad_top = 0, pad_left = 0;
  std::int64_t out_h = 0, out_w = 0;  ///< the convolution's output size
};

/// An operator's attributes; the alternative must be the one default_attrs(kind) holds.
using OpAttrs =
    std::variant<NoAttrs, ConvAttrs, GemmAttrs, PoolParams, ClipAttrs, GeluAttrs, LeakyReluAttrs, AxisAttrs,
                 ReshapeAttrs, TransposeAttrs, AxesAttrs, LayerNormAttrs, BatchNormAttrs, QuantAttrs, WinogradAttrs>;
/// The attributes of a kind with ONNX's defaults (softmax axis -1, flatten and concat axis 1, ...).
OpAttrs default_attrs(OpKind k);

/// One operator: reads `inputs` and writes `outputs` (tensor names). Optional inputs are omitted
/// from the end (conv2d bias, gemm C, layer_norm bias, the zero point of the quantizers).
struct Op {
  OpKind kind = OpKind::relu;
  std::string name;
  std::vector<std::string> inputs;
  std::vector<std::string> outputs;
  OpAttrs attrs;
};

/// An Op of `kind` with default attributes.
Op make_op(OpKind kind, std::string name, std::vector<std::string> inputs, std::vector<std::string> outputs);
/// An Op with the given attributes (which must be the kind's alternative, see validate()).
Op make_op(OpKind kind, std::string name, std::vector<std::string> inputs, std::vector<std::string> outputs,
           OpAttrs attrs);

/// Minimum and maximum number of inputs of a kind (max -1: unbounded, concat).
struct Arity {
  int min_inputs = 1, max_inputs = 1;
};
Arity op_arity(OpKind k);

/// Shape and dtype of a tensor.
struct TensorType {
  Shape shape;
  DType dtype = DType::fp32;
};

/// The output an operator computes from its inputs' types and its attributes. `declared_output`
/// is the dtype the graph declares for the output: conv2d, gemm and matmul on integers produce
/// that accumulator (int32 or int64). Throws std::invalid_argument with a message (without the
/// node's name) when the inputs do not fit: wrong rank, shapes that do not agree, unsupported
/// dtypes or dtype combinations, attributes out of range.
TensorType infer_output(const Op& op, const std::vector<TensorType>& inputs, DType declared_output);

/// A network: tensors and operators, each unique by name. Operators are kept in insertion order;
/// topological_order() gives the order to run them in.
class Graph {
 public:
  explicit Graph(std::string name = "") : name_(std::move(name)) {}

  const std::string& name() const { return name_; }

  /// Adds a tensor; throws std::invalid_argument when the name is empty or taken.
  void add_tensor(TensorInfo t);
  /// Adds an operator; throws std::invalid_argument when the name is empty or taken. Its
  /// tensors need not exist yet: validate() checks the finished graph.
  void add_op(Op op);

  /// The tensor or operator of a name; nullptr when there is none.
  const TensorInfo* find_tensor(const std::string& name) const;
  TensorInfo* find_tensor(const std::string& name);
  const Op* find_op(const std::string& name) const;
  /// The tensor of a name; throws std::invalid_argument when there is none.
  const TensorInfo& tensor(const std::string& name) const;

  const std::vector<TensorInfo>& tensors() const { return tensors_; }
  const std::vector<Op>& ops() const { return ops_; }

  /// Every problem of the graph, one line each, "node 'NAME' (KIND): message" for an operator's
  /// and "tensor 'NAME': message" for a tensor's: unknown tensors, a tensor produced twice or
  /// never, cycles, input and output counts, attributes of the wrong kind, shapes and dtypes
  /// against infer_output, constants and quantization parameters against their tensor. Empty
  /// when the graph is valid. Operators in insertion order, then tensors, then cycles.
  std::vector<std::string> validate() const;

  /// The shape and dtype issues alone (part of validate()): for every operator whose tensors
  /// exist, infer_output from the declared input types against the declared output type.
  std::vector<std::string> infer_shapes() const;

  /// Indices into ops() in an order where every operator follows the producers of its inputs.
  /// Stable: among the operators ready to run, the earliest inserted comes first, so a graph
  /// already in order keeps it. Throws std::invalid_argument naming a cycle when there is one.
  std::vector<std::size_t> topological_order() const;

 private:
  /// Index of the operator producing each tensor (the first, if several do).
  std::map<std::string, std::size_t> producers() const;
  /// The operators on cycles, each cycle as indices in data-flow order starting at its earliest
  /// inserted operator; empty when the graph is acyclic.
  std::vector<std::vector<std::size_t>> cycles() const;
  std::string cycle_message(const std::vector<std::size_t>& cycle) const;

  std::string name_;
  std::vector<TensorInfo> tensors_;
  std::vector<Op> ops_;
  std::map<std::string, std::size_t> tensor_index_, op_index_;
};

/// "node 'NAME' (KIND): " — the prefix of an operator's messages.
std::string node_prefix(const Op& op);

}  // namespace arraysim::ir
