#include "tests/onnx_node_harness.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <sstream>

#include "models/golden/golden.hpp"
#include "models/golden/graph_exec.hpp"
#include "sim/io/import.hpp"
#include "sim/io/onnx_attributes.hpp"
#include "sim/io/onnx_import.hpp"
#include "sim/io/onnx_to_graph.hpp"

namespace fs = std::filesystem;

namespace arraysim::onnx_harness {

const std::string kNodeRoot = ARRAYSIM_ONNX_NODE_DIR;

void require_node_root() {
  if (!fs::is_directory(kNodeRoot))
    FAIL("ONNX node test data not found at " << kNodeRoot
                                             << ": install Debian's libonnx-testdata (scripts/install-deps.sh)");
}

std::string node_dir(const std::string& name) {
  require_node_root();
  const std::string dir = kNodeRoot + "/" + name;
  if (!fs::is_directory(dir)) FAIL("node test " << dir << " does not exist (another libonnx-testdata version?)");
  return dir;
}

void require_known_attributes(const onnx::NodeProto& node, const std::set<std::string>& known) {
  for (const std::string& name : io::unknown_attributes(node, known)) {
    INFO(node.op_type() << " attribute '" << name << "' is not applied by this harness");
    CHECK(known.count(name) == 1);
  }
  REQUIRE(io::unknown_attributes(node, known).empty());
}

const ir::Tensor* optional_input(const onnx::NodeProto& node, const Values& values, int k) {
  if (k >= node.input_size() || node.input(k).empty()) return nullptr;
  const auto it = values.find(node.input(k));
  INFO("node input '" << node.input(k) << "' has no data");
  REQUIRE(it != values.end());
  return &it->second;
}

const ir::Tensor& input(const onnx::NodeProto& node, const Values& values, int k) {
  const ir::Tensor* t = optional_input(node, values, k);
  INFO(node.op_type() << " needs input " << k);
  REQUIRE(t != nullptr);
  return *t;
}

void compare(const ir::Tensor& got, const ir::Tensor& exp, double rel_tol) {
  REQUIRE(ir::shape_str(got.shape()) == ir::shape_str(exp.shape()));
  REQUIRE(ir::dtype_name(got.dtype()) == ir::dtype_name(exp.dtype()));
  const bool integer = ir::is_integer(exp.dtype());
  std::int64_t bad = 0;
  double worst = 0;
  std::ostringstream first;
  for (std::int64_t i = 0; i < exp.size(); ++i) {
    bool ok;
    if (integer) {
      ok = got.get_i64(i) == exp.get_i64(i);
    } else {
      const double g = got.get_f64(i), e = exp.get_f64(i), scale = std::max(1.0, std::fabs(e));
      ok = std::fabs(g - e) <= rel_tol * scale;  // false for NaN
      worst = std::max(worst, std::fabs(g - e) / scale);
    }
    if (!ok && ++bad <= 8)
      first << "\n  element " << i << ": got " << got.element_str(i) << ", expected " << exp.element_str(i);
  }
  INFO(bad << " of " << exp.size() << " elements differ" << first.str());
  std::ostringstream err;
  if (!integer) err << "largest |got - exp| / max(1, |exp|) = " << worst << " (tolerance " << rel_tol << ")";
  INFO(err.str());
  CHECK(bad == 0);
}

// ---- glue shared by the node tests ---------------------------------------------------------

/// Conv / ConvInteger attributes and operand shapes -> the golden model's layer parameters, by the
/// ONNX importer's own mapping (io::conv2d_from_onnx: strides, dilations, group, pads in ONNX order
/// [top, left, bottom, right], auto_pad SAME_UPPER / SAME_LOWER / VALID resolved to explicit pads),
/// so these node tests also check what `arraysim import onnx` makes of a Conv node.
ir::Conv2dParams conv_params(const onnx::NodeProto& node, const ir::Shape& xs, const ir::Shape& ws) {
  INFO("X " << ir::shape_str(xs) << ", W " << ir::shape_str(ws)
            << ": golden::conv2d_direct is 2-D only (rank-4 X and W)");
  REQUIRE(xs.size() == 4);
  REQUIRE(ws.size() == 4);
  ir::Layer l;
  l.kind = ir::LayerKind::conv2d;
  try {
    l.conv = io::conv2d_from_onnx(node, xs, ws);
  } catch (const std::runtime_error& e) {
    FAIL("io::conv2d_from_onnx: " << e.what());
  }
  for (const ir::LayerIssue& issue : ir::validate(l)) FAIL("layer rejected: " << issue.field << ": " << issue.message);
  return l.conv;
}

/// Glue for ConvInteger / MatMulInteger: t - zero_point as int16. Exact: both are 8-bit values, so
/// the difference lies in [-255, 255]. `zp` is absent (0), one element (per tensor), or a 1-D
/// tensor of t.shape()[axis] elements (one zero point per index along `axis`).
ir::Tensor minus_zero_point(const ir::Tensor& t, const ir::Tensor* zp, std::size_t axis) {
  ir::Tensor out(ir::DType::int16, t.shape());
  std::int64_t inner = 1, extent = 1;
  if (zp && zp->size() != 1) {
    INFO("zero point " << ir::shape_str(zp->shape()) << " for operand " << ir::shape_str(t.shape())
                       << (axis == kPerTensorOnly ? ": only a per-tensor zero point is allowed" : ""));
    REQUIRE(axis < t.shape().size());
    REQUIRE(zp->shape() == ir::Shape{t.shape()[axis]});
    extent = t.shape()[axis];
    for (std::size_t d = axis + 1; d < t.shape().size(); ++d) inner *= t.shape()[d];
  }
  for (std::int64_t i = 0; i < t.size(); ++i) {
    const std::int64_t z = zp ? zp->get_i64(zp->size() == 1 ? 0 : (i / inner) % extent) : 0;
    const std::int64_t v = t.get_i64(i) - z;
    REQUIRE((v >= -32768 && v <= 32767));
    out.set_i64(i, v);
  }
  return out;
}

/// Glue for MatMul / MatMulInteger: numpy.matmul of [..., M, K] x [..., K, N] for ranks >= 2. The
/// batch dimensions (all but the last two) are right-aligned and broadcast (equal, or 1); each
/// output batch index is one golden::gemm of the two 2-D slices.
ir::Tensor batched_matmul(const ir::Tensor& a, const ir::Tensor& b, ir::DType acc) {
  const ir::Shape &as = a.shape(), &bs = b.shape();
  INFO("MatMul " << ir::shape_str(as) << " x " << ir::shape_str(bs)
                 << ": rank-1 operands (vector promotion) are not handled");
  REQUIRE(as.size() >= 2);
  REQUIRE(bs.size() >= 2);
  const std::int64_t M = as[as.size() - 2], K = as.back(), N = bs.back();
  REQUIRE(bs[bs.size() - 2] == K);

  const std::size_t ra = as.size() - 2, rb = bs.size() - 2, rank = std::max(ra, rb);
  // Batch dim d of an operand with r batch dims (right-aligned; missing dims are 1).
  const auto dim = [rank](const ir::Shape& s, std::size_t r, std::size_t d) {
    return d + r < rank ? 1 : s[d + r - rank];
  };
  ir::Shape out_shape;
  for (std::size_t d = 0; d < rank; ++d) {
    const std::int64_t da = dim(as, ra, d), db = dim(bs, rb, d);
    REQUIRE((da == db || da == 1 || db == 1));
    out_shape.push_back(std::max(da, db));
  }
  const std::int64_t batches = ir::numel(out_shape);
  out_shape.push_back(M);
  out_shape.push_back(N);

  ir::Tensor out(acc, out_shape);
  ir::Tensor a2(a.dtype(), {M, K}), b2(b.dtype(), {K, N});
  for (std::int64_t bi = 0; bi < batches; ++bi) {
    std::int64_t rem = bi, a_off = 0, b_off = 0, a_stride = 1, b_stride = 1;
    for (std::size_t d = rank; d-- > 0;) {
      const std::int64_t idx = rem % out_shape[d];
      rem /= out_shape[d];
      const std::int64_t da = dim(as, ra, d), db = dim(bs, rb, d);
      a_off += (da == 1 ? 0 : idx) * a_stride, a_stride *= da;
      b_off += (db == 1 ? 0 : idx) * b_stride, b_stride *= db;
    }
    for (std::int64_t e = 0; e < M * K; ++e) a2.copy_element(e, a, a_off * M * K + e);
    for (std::int64_t e = 0; e < K * N; ++e) b2.copy_element(e, b, b_off * K * N + e);
    const ir::Tensor c2 = golden::gemm(a2, b2, acc);
    for (std::int64_t e = 0; e < M * N; ++e) out.copy_element(bi * M * N + e, c2, e);
  }
  return out;
}

namespace {

struct DataSet {
  Values inputs, outputs;
};

/// Graph input i from `<data_set>/input_<i>.pb`, graph output i from `<data_set>/output_<i>.pb`.
DataSet load_data_set(const onnx::GraphProto& g, const std::string& data_set) {
  DataSet ds;
  const auto load = [&](Values& into, const std::string& value_name, const std::string& file) {
    const onnx::TensorProto t = io::load_tensor_proto(data_set + "/" + file);
    INFO(file << " holds tensor '" << t.name() << "', the graph expects '" << value_name << "'");
    CHECK((t.name().empty() || t.name() == value_name));
    into.emplace(value_name, io::to_ir_tensor(t));
  };
  for (int i = 0; i < g.input_size(); ++i) load(ds.inputs, g.input(i).name(), "input_" + std::to_string(i) + ".pb");
  for (int i = 0; i < g.output_size(); ++i) load(ds.outputs, g.output(i).name(), "output_" + std::to_string(i) + ".pb");
  return ds;
}

ElemTypes elem_types(const onnx::GraphProto& g) {
  ElemTypes types;
  const auto add = [&](const onnx::ValueInfoProto& v) {
    if (v.type().has_tensor_type()) types[v.name()] = v.type().tensor_type().elem_type();
  };
  for (const auto& v : g.input()) add(v);
  for (const auto& v : g.output()) add(v);
  for (const auto& v : g.value_info()) add(v);
  return types;
}

/// The test_data_set_* directories of a node test, in order; fails when there is none.
std::vector<std::string> data_set_dirs(const std::string& dir) {
  std::vector<std::string> data_sets;
  for (const fs::directory_entry& e : fs::directory_iterator(dir))
    if (e.is_directory() && e.path().filename().string().rfind("test_data_set_", 0) == 0)
      data_sets.push_back(e.path().string());
  std::sort(data_sets.begin(), data_sets.end());
  REQUIRE(!data_sets.empty());
  return data_sets;
}

}  // namespace

void run_node_test(const std::string& name, const Evaluator& evaluate, double rel_tol) {
  const std::string dir = node_dir(name);
  const onnx::ModelProto model = io::load_model(dir + "/model.onnx");
  const onnx::GraphProto& g = model.graph();
  REQUIRE(g.node_size() >= 1);
  REQUIRE(g.initializer_size() == 0);
  const ElemTypes types = elem_types(g);

  const std::vector<std::string> data_sets = data_set_dirs(dir);

  for (const std::string& ds_dir : data_sets) {
    INFO("data set " << ds_dir);
    const DataSet ds = load_data_set(g, ds_dir);
    Values values = ds.inputs;
    for (const onnx::NodeProto& node : g.node()) {
      INFO(node.op_type() << " node");
      std::vector<ir::Tensor> outs = evaluate(node, values, types);
      REQUIRE(static_cast<int>(outs.size()) == node.output_size());
      for (int k = 0; k < node.output_size(); ++k)
        if (!node.output(k).empty()) values[node.output(k)] = std::move(outs[static_cast<std::size_t>(k)]);
    }
    for (const onnx::ValueInfoProto& out : g.output()) {
      INFO("graph output '" << out.name() << "'");
      const auto it = values.find(out.name());
      REQUIRE(it != values.end());
      compare(it->second, ds.outputs.at(out.name()), rel_tol);
    }
  }
}

namespace {

/// The graph inputs of `model` that `as_constant` selects for some node.
std::set<std::string> constant_inputs(const onnx::ModelProto& model, const ConstantInputs& as_constant) {
  REQUIRE(model.graph().initializer_size() == 0);
  std::set<std::string> constant;
  for (const onnx::NodeProto& node : model.graph().node())
    for (int k = 0; k < node.input_size(); ++k)
      if (!node.input(k).empty() && as_constant(node, k)) constant.insert(node.input(k));
  return constant;
}

/// `model` with the `constant` graph inputs turned into initializers holding the values of data
/// set `ds_dir`; the other inputs' values go to `inputs`.
onnx::ModelProto with_constants(const onnx::ModelProto& model, const std::set<std::string>& constant,
                                const std::string& ds_dir, const DataSet& ds, golden::TensorMap& inputs) {
  onnx::ModelProto m = model;
  onnx::GraphProto* g = m.mutable_graph();
  g->clear_input();
  for (int i = 0; i < model.graph().input_size(); ++i) {
    const onnx::ValueInfoProto& in = model.graph().input(i);
    if (!constant.count(in.name())) {
      *g->add_input() = in;
      inputs.emplace(in.name(), ds.inputs.at(in.name()));
      continue;
    }
    onnx::TensorProto t = io::load_tensor_proto(ds_dir + "/input_" + std::to_string(i) + ".pb");
    t.set_name(in.name());
    *g->add_initializer() = t;
  }
  return m;
}

}  // namespace

std::vector<std::string> graph_import_errors(const std::string& name, const ConstantInputs& as_constant) {
  const std::string dir = node_dir(name);
  const onnx::ModelProto model = io::load_model(dir + "/model.onnx");
  const std::vector<std::string> data_sets = data_set_dirs(dir);
  REQUIRE_FALSE(data_sets.empty());
  golden::TensorMap inputs;
  const onnx::ModelProto m = with_constants(model, constant_inputs(model, as_constant), data_sets.front(),
                                            load_data_set(model.graph(), data_sets.front()), inputs);
  try {
    io::onnx_graph(m, dir + "/model.onnx");
  } catch (const io::ImportError& e) {
    return e.lines();
  }
  return {};
}

void run_graph_node_test(const std::string& name, const ConstantInputs& as_constant, double rel_tol) {
  const std::string dir = node_dir(name);
  const onnx::ModelProto model = io::load_model(dir + "/model.onnx");
  const std::set<std::string> constant = constant_inputs(model, as_constant);

  const std::vector<std::string> data_sets = data_set_dirs(dir);

  for (const std::string& ds_dir : data_sets) {
    INFO("data set " << ds_dir);
    const DataSet ds = load_data_set(model.graph(), ds_dir);
    // The selected graph inputs become initializers with this data set's values.
    golden::TensorMap inputs;
    const onnx::ModelProto m = with_constants(model, constant, ds_dir, ds, inputs);
    golden::TensorMap values;
    try {
      values = golden::run_graph(io::onnx_graph(m, dir + "/model.onnx"), inputs);
    } catch (const std::exception& e) {
      FAIL(e.what());
    }
    for (const onnx::ValueInfoProto& out : model.graph().output()) {
      INFO("graph output '" << out.name() << "'");
      const auto it = values.find(out.name());
      REQUIRE(it != values.end());
      compare(it->second, ds.outputs.at(out.name()), rel_tol);
    }
  }
}

void check_coverage(const std::regex& by_name, const std::set<std::string>& ops, NodeScope scope,
                    const std::set<std::string>& run, const std::map<std::string, std::string>& skipped) {
  require_node_root();
  std::vector<std::string> in_scope;
  for (const fs::directory_entry& e : fs::directory_iterator(kNodeRoot)) {
    if (!e.is_directory()) continue;
    const std::string name = e.path().filename().string();
    bool hit = std::regex_match(name, by_name);
    const fs::path model = e.path() / "model.onnx";
    if (!hit && fs::exists(model)) {
      const onnx::ModelProto m = io::load_model(model.string());
      if (scope == NodeScope::any_node || m.graph().node_size() == 1)
        for (const onnx::NodeProto& n : m.graph().node()) hit = hit || ops.count(n.op_type()) == 1;
    }
    if (hit) in_scope.push_back(name);
  }
  std::sort(in_scope.begin(), in_scope.end());

  std::string uncovered;
  for (const std::string& name : in_scope)
    if (!run.count(name) && !skipped.count(name)) uncovered += " " + name;
  std::string stale;
  for (const std::string& name : run)
    if (!std::binary_search(in_scope.begin(), in_scope.end(), name)) stale += " " + name;
  for (const auto& entry : skipped) {
    if (!std::binary_search(in_scope.begin(), in_scope.end(), entry.first)) stale += " " + entry.first;
    if (run.count(entry.first)) stale += " " + entry.first + "(also run)";
  }
  INFO(in_scope.size() << " node tests in scope, " << run.size() << " run, " << skipped.size() << " skipped");
  INFO("neither run nor in the skip list:" << uncovered);
  INFO("listed but not an in-scope directory on disk:" << stale);
  CHECK(uncovered.empty());
  CHECK(stale.empty());
}

}  // namespace arraysim::onnx_harness
