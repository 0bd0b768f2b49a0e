#pragma once
/// ONNX models -> an arraysim workload (docs/import.md).
///
/// Conv, ConvInteger and QLinearConv become conv2d layers; Gemm, MatMul, MatMulInteger,
/// QLinearMatMul, ConvTranspose (per group), RNN, GRU and LSTM (input projections, then per step
/// and direction) become gemm layers. Operand shapes come from ONNX shape inference
/// (onnx::shape_inference::InferShapes in Debian's libonnx); only shapes are needed, so weights
/// may be graph inputs (a model exported without its parameters). Every other operator is skipped
/// and counted.
///
/// Problems are io::ImportError lines `FILE: node 'NAME' (OP): message` (or `FILE: message` for
/// the file itself). Including this header needs ONNX_ML=1 and ONNX_NAMESPACE=onnx (the
/// `arraysim_onnx` CMake target).
#include <onnx/onnx_pb.h>

#include <map>
#include <string>
#include <vector>

#include "models/ir/layer.hpp"
#include "sim/io/import.hpp"
#include "sim/io/onnx_prepare.hpp"

namespace arraysim::io {

/// The conv2d parameters of a Conv, ConvInteger or QLinearConv node with input shape `x`
/// ([N, C, H, W]) and weight shape `w` ([OC, C/group, kH, kW]): strides, dilations, group, pads
/// (ONNX order [top, left, bottom, right]) or auto_pad (SAME_UPPER / SAME_LOWER: output
/// ceil(in / stride), the odd pixel at the end / at the beginning; VALID: no padding).
/// Throws std::runtime_error (without the node's name) for an attribute it does not know or a
/// value that is malformed: wrong ranks, kernel_shape differing from the weight, C != W[1]·group.
/// The parameters are not validated (ir::validate).
ir::Conv2dParams conv2d_from_onnx(const onnx::NodeProto& node, const std::vector<std::int64_t>& x,
                                  const std::vector<std::int64_t>& w);

/// Adds one `--input-shape` value (InputShapes: sim/io/onnx_prepare.hpp), "NAME=D0xD1x..." (dimensions positive
/// integers, e.g. "input_ids=2x128"; NAME may contain '='; the last one splits), to `shapes`. Throws std::runtime_error
/// "--input-shape 'TEXT': ..." when malformed or when NAME is given twice.
void add_input_shape(InputShapes& shapes, const std::string& text);

/// The layers of an ONNX model and what was skipped.
struct OnnxWorkload {
  std::string graph_name;
  std::vector<ir::Layer> layers;
  std::vector<std::string> layer_nodes;  ///< per layer: describe_node() of the node it came from
  /// "skipped 12 ONNX nodes: Relu x8, MaxPool x2, Add x2" (most frequent first); empty when none.
  std::string skipped;
  std::vector<std::string> warnings;  ///< e.g. a symbolic batch dimension taken as 1
};

/// Maps the nodes of `model` (shape inference runs on it first, in a child process that may crash
/// or exceed its memory and time limits: docs/import.md). `file` names the model in messages.
/// Throws ImportError listing every node that cannot be mapped, when no node maps, or when shape
/// inference fails.
/// `shapes` replaces the declared shapes of those graph inputs before shape inference (each must
/// name a graph input that is not an initializer and keep its declared rank).
OnnxWorkload onnx_workload(onnx::ModelProto model, const std::string& file, const InputShapes& shapes = {});

/// The experiment `{name, arch: ARCH_REF, workload}` of the layers of `w` (see import_onnx).
GeneratedExperiment generate_onnx_experiment(const OnnxWorkload& w, const std::string& model_path,
                                             const std::string& arch_ref, const std::string& base_dir,
                                             const InputShapes& shapes);

/// Reads `model_path` and generates the experiment `{name, arch: ARCH_REF, workload}`: the arch
/// is the string `arch_ref` (a path, resolved relative to `base_dir` when loaded). Notes: the
/// skipped-node summary and warnings. Throws ImportError.
GeneratedExperiment import_onnx(const std::string& model_path, const std::string& arch_ref, const std::string& base_dir,
                                const InputShapes& shapes = {});

}  // namespace arraysim::io
