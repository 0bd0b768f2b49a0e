#pragma once
/// Shared harness of the ONNX backend node tests (tests/unit/test_onnx_nodes.cpp,
/// tests/unit/test_onnx_vector_nodes.cpp): finding the node test directories of Debian's
/// libonnx-testdata, reading a data set, evaluating the graph node by node with a test file's
/// evaluator, comparing, and checking that every in-scope directory is run or skipped with a reason.
///
/// Each node test directory holds model.onnx and test_data_set_*/ with input_<i>.pb for the i-th
/// graph input and output_<i>.pb for the i-th graph output (TensorProto files).
#include <catch2/catch.hpp>

#include <functional>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "models/ir/layer.hpp"
#include "models/ir/tensor.hpp"
#include "sim/io/onnx_tensor.hpp"

namespace arraysim::onnx_harness {

/// Directory of the node tests (tests/CMakeLists.txt: ARRAYSIM_ONNX_NODE_TEST_DIR).
extern const std::string kNodeRoot;
/// Default fp32 tolerance: |got - exp| <= kRelTol · max(1, |exp|).
constexpr double kRelTol = 1e-5;

/// Fails unless the node test data is installed.
void require_node_root();
/// Fails unless the test data is installed and holds node test `name`; returns its directory.
std::string node_dir(const std::string& name);

/// Fails when the node carries an attribute the harness does not apply: none is silently ignored.
void require_known_attributes(const onnx::NodeProto& node, const std::set<std::string>& known);

/// Tensors by graph value name.
using Values = std::map<std::string, ir::Tensor>;
/// ONNX element types (TensorProto::DataType) of the graph's inputs, outputs and value_info by
/// name: tells an ONNX UINT8 value (held in an int16 ir::Tensor) from an INT16 one.
using ElemTypes = std::map<std::string, int>;

/// Input k of the node; nullptr when absent (omitted, or an empty name: ONNX optional inputs).
const ir::Tensor* optional_input(const onnx::NodeProto& node, const Values& values, int k);
/// Input k of the node; fails when absent.
const ir::Tensor& input(const onnx::NodeProto& node, const Values& values, int k);

/// Computes the outputs of one node, in the node's output order (one per output name).
using Evaluator = std::function<std::vector<ir::Tensor>(const onnx::NodeProto&, const Values&, const ElemTypes&)>;

/// Tells which node inputs are made constants before a model is imported: (node, input index).
using ConstantInputs = std::function<bool(const onnx::NodeProto&, int)>;

/// Runs every data set of node test `name` through the graph importer: the graph inputs that
/// `as_constant` selects become initializers holding the data set's values (the importer takes
/// Clip's bounds, Reshape's shape and the axes of Squeeze and Unsqueeze from constants, as
/// exported models give them), the model is imported by io::onnx_graph and run by
/// golden::run_graph, and every graph output is compared with output_<i>.pb.
void run_graph_node_test(const std::string& name, const ConstantInputs& as_constant, double rel_tol = kRelTol);

/// The lines of the io::ImportError that importing node test `name` throws, with the graph inputs
/// `as_constant` selects made initializers holding the values of its first data set (as in
/// run_graph_node_test); empty when the import succeeds. Checks the reason a node test that the
/// importer refuses is refused.
std::vector<std::string> graph_import_errors(const std::string& name, const ConstantInputs& as_constant);

/// Integers: exactly equal. fp32: |got - exp| <= rel_tol · max(1, |exp|) element-wise.
void compare(const ir::Tensor& got, const ir::Tensor& exp, double rel_tol = kRelTol);

/// Runs every data set of node test `name`: the graph's nodes in order through `evaluate` (a
/// graph of more than one node is what the ONNX tests call an expanded function), then compares
/// every graph output with output_<i>.pb.
void run_node_test(const std::string& name, const Evaluator& evaluate, double rel_tol = kRelTol);

// ---- glue shared by the node tests (the golden model does the MACs, this adapts ONNX to it) ----

/// Conv / ConvInteger / QLinearConv attributes and operand shapes -> the golden model's layer
/// parameters, by the ONNX importer's own mapping (io::conv2d_from_onnx; auto_pad resolved to
/// explicit pads), so the node tests also check what `arraysim import onnx` makes of a Conv node.
ir::Conv2dParams conv_params(const onnx::NodeProto& node, const ir::Shape& xs, const ir::Shape& ws);

/// `axis` argument of minus_zero_point for operands whose zero point can only be per tensor.
constexpr std::size_t kPerTensorOnly = static_cast<std::size_t>(-1);

/// t - zero_point as int16 (exact for 8-bit values: the difference lies in [-255, 255]). `zp` is
/// absent (0), one element (per tensor), or a 1-D tensor of t.shape()[axis] elements.
ir::Tensor minus_zero_point(const ir::Tensor& t, const ir::Tensor* zp, std::size_t axis);

/// numpy.matmul of [..., M, K] x [..., K, N] (ranks >= 2, batch dimensions broadcast), one
/// golden::gemm per output batch index, accumulating in `acc`.
ir::Tensor batched_matmul(const ir::Tensor& a, const ir::Tensor& b, ir::DType acc);

/// Which directories a coverage check considers: those whose name matches `by_name`, plus those
/// whose graph has a node of one of `ops` (any node, or only single-node graphs).
enum class NodeScope { any_node, single_node_graph };

/// Fails unless every in-scope directory on disk is in `run` or `skipped` (and only in one), and
/// every listed directory is in scope.
void check_coverage(const std::regex& by_name, const std::set<std::string>& ops, NodeScope scope,
                    const std::set<std::string>& run, const std::map<std::string, std::string>& skipped);

}  // namespace arraysim::onnx_harness

/// A Catch2 test that runs node test `dir` through `evaluate` with fp32 tolerance `tol`.
#define ARRAYSIM_ONNX_NODE_CASE(dir, evaluate, tol) \
  TEST_CASE("onnx node " #dir, "[unit][onnx]") { arraysim::onnx_harness::run_node_test(#dir, evaluate, tol); }
/// A Catch2 test that runs node test `dir` through the graph importer (run_graph_node_test).
#define ARRAYSIM_ONNX_GRAPH_NODE_CASE(dir, as_constant, tol) \
  TEST_CASE("onnx node " #dir, "[unit][onnx]") { arraysim::onnx_harness::run_graph_node_test(#dir, as_constant, tol); }
/// A Catch2 test for a node test that is not run: it prints the reason and ctest reports it as
/// skipped (tests/CMakeLists.txt: SKIP_REGULAR_EXPRESSION).
#define ARRAYSIM_ONNX_NODE_SKIP_CASE(dir, reason)              \
  TEST_CASE("onnx node " #dir, "[unit][onnx]") {               \
    arraysim::onnx_harness::node_dir(#dir);                    \
    WARN("ARRAYSIM_ONNX_NODE_TEST_SKIPPED " #dir ": " reason); \
  }
