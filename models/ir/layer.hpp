#pragma once
/// Workload layers (GEMM, fully connected, 2-D convolution) and their shape arithmetic.
#include <cstdint>
#include <string>
#include <vector>

#include "models/ir/tensor.hpp"

namespace arraysim::ir {

/// Layer kinds; spellings equal the YAML `type:` values.
enum class LayerKind { gemm, fc, conv2d };
std::string layer_kind_name(LayerKind k);

/// C[M][N] = A[M][K] · B[K][N].
struct GemmParams {
  std::int64_t m = 0, n = 0, k = 0;
};

/// Y[batch][out] = X[batch][in] · W[in][out]: a GEMM with M = batch, K = in, N = out.
struct FcParams {
  std::int64_t batch = 1, in_features = 0, out_features = 0;
};

/// Y[N][OC][P][Q] = conv(X[N][C][H][W], W[OC][C/groups][R][S]).
/// Output size P = floor((H + pad_top + pad_bottom - dilation_h·(R-1) - 1) / stride_h) + 1 (Q alike).
/// Depthwise is groups == C (and OC a multiple of C).
struct Conv2dParams {
  std::int64_t n = 1, c = 0, h = 0, w = 0, out_channels = 0;
  std::int64_t kernel_h = 1, kernel_w = 1;
  std::int64_t stride_h = 1, stride_w = 1;
  std::int64_t pad_top = 0, pad_bottom = 0, pad_left = 0, pad_right = 0;
  std::int64_t dilation_h = 1, dilation_w = 1;
  std::int64_t groups = 1;

  std::int64_t out_h() const;  ///< P
  std::int64_t out_w() const;  ///< Q
  std::int64_t c_per_group() const { return c / groups; }
  std::int64_t oc_per_group() const { return out_channels / groups; }
};

/// One layer of a network: its kind selects which parameter block is meaningful.
struct Layer {
  std::string name;
  LayerKind kind = LayerKind::gemm;
  GemmParams gemm;
  FcParams fc;
  Conv2dParams conv;
};

/// The GEMM view of a layer: `groups` independent GEMMs of C[m][n] = A[m][k]·B[k][n].
/// Convolution: m = N·P·Q, k = (C/groups)·R·S, n = OC/groups.
struct GemmDims {
  std::int64_t m = 0, n = 0, k = 0, groups = 1;
};

/// A problem found by validate(): the layer field (YAML key) and a message.
struct LayerIssue {
  std::string field;
  std::string message;
};

/// Shape and cross-field checks (positive sizes, non-zero stride, groups dividing channels,
/// kernel no larger than the padded input, ...). Empty when the layer is valid.
std::vector<LayerIssue> validate(const Layer& l);

GemmDims gemm_dims(const Layer& l);
/// Multiply-accumulates of the layer: m·n·k·groups.
std::int64_t macs(const Layer& l);

Shape input_shape(const Layer& l);   ///< A for gemm/fc, NCHW for conv2d
Shape weight_shape(const Layer& l);  ///< B for gemm/fc, [OC][C/g][R][S] for conv2d
Shape output_shape(const Layer& l);  ///< C for gemm/fc, [N][OC][P][Q] for conv2d

/// An ordered list of layers with the seed that generates every tensor.
struct Network {
  std::string name;
  std::uint64_t seed = 1;
  std::vector<Layer> layers;
};

/// Multiply-accumulates of every layer of a network.
std::int64_t macs(const Network& n);

/// Input and weight tensors of layer `index` of a network, generated from `seed`.
struct LayerOperands {
  Tensor input;
  Tensor weight;
};
LayerOperands make_operands(const Layer& l, std::size_t index, std::uint64_t seed, DType input_dtype,
                            DType weight_dtype);

}  // namespace arraysim::ir
