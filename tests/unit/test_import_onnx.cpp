/// The ONNX importer (sim/io/onnx_import.hpp) on models built in the test with libonnx's protobuf
/// classes (tests/onnx_builder.hpp): exact layer parameters for every supported operator, shapes
/// from ONNX shape inference, skipped operators, names, and the errors.
#include <catch2/catch.hpp>

#include <fstream>

#include "sim/io/onnx_import.hpp"
#include "tests/onnx_builder.hpp"
#include "tests/support.hpp"

using namespace arraysim;
using arraysim::test::OnnxBuilder;
using arraysim::test::src_path;
using arraysim::test::TempDir;
using F = onnx::TensorProto;

namespace {

const std::string kArch = "configs/arch/os_8x8_int8.yaml";

/// Saves the model, imports it and loads the experiment; `notes` receives the importer's notes.
config::Experiment import_model(const OnnxBuilder& b, std::vector<std::string>* notes = nullptr) {
  TempDir d;
  const std::string path = b.save(d.path() + "/net.onnx");
  const io::GeneratedExperiment g = io::import_onnx(path, src_path(kArch), ".");
  if (notes) *notes = g.notes;
  return io::load_generated(g);
}

/// The ImportError (or ConfigError) text of importing the model saved as `<dir>/net.onnx`.
std::string import_error(const OnnxBuilder& b, std::string* path_out = nullptr) {
  TempDir d;
  const std::string path = b.save(d.path() + "/net.onnx");
  if (path_out) *path_out = path;
  try {
    io::load_generated(io::import_onnx(path, src_path(kArch), "."));
  } catch (const io::ImportError& e) {
    return e.what();
  } catch (const config::ConfigError& e) {
    return e.what();
  }
  return "(no error)";
}

/// The error text with the model path replaced by "net.onnx".
std::string import_error_short(const OnnxBuilder& b) {
  std::string path;
  std::string e = import_error(b, &path);
  for (std::size_t p; (p = e.find(path)) != std::string::npos;) e.replace(p, path.size(), "net.onnx");
  return e;
}

/// A gemm layer's {m, k, n}.
std::vector<std::int64_t> mkn(const ir::Layer& l) { return {l.gemm.m, l.gemm.k, l.gemm.n}; }

std::vector<std::int64_t> conv_fields(const ir::Conv2dParams& c) {
  return {c.n,        c.c,          c.h,          c.w,       c.out_channels, c.kernel_h, c.kernel_w,  c.stride_h,
          c.stride_w, c.dilation_h, c.dilation_w, c.pad_top, c.pad_bottom,   c.pad_left, c.pad_right, c.groups};
}

}  // namespace

TEST_CASE("import onnx Conv: pads in ONNX order, strides, dilations, group, batch", "[unit][import]") {
  OnnxBuilder b;
  b.input("X", {2, 4, 10, 12}).initializer("W", {6, 2, 3, 5}).initializer("B", {6}).output("Y");
  auto& n = b.node("Conv", {"X", "W", "B"}, {"Y"}, "conv_a");
  OnnxBuilder::ints(n, "pads", {1, 2, 3, 4});  // [top, left, bottom, right]
  OnnxBuilder::ints(n, "strides", {2, 1});
  OnnxBuilder::ints(n, "dilations", {1, 2});
  OnnxBuilder::integer(n, "group", 2);
  OnnxBuilder::ints(n, "kernel_shape", {3, 5});
  std::vector<std::string> notes;
  const config::Experiment e = import_model(b, &notes);
  CHECK(notes.empty());
  CHECK(e.name == "net");
  CHECK(e.workload.name == "g");
  CHECK(e.arch.name == "os_8x8_int8");
  REQUIRE(e.workload.layers.size() == 1);
  const ir::Layer& l = e.workload.layers[0];
  CHECK(l.name == "conv_a");
  REQUIRE(l.kind == ir::LayerKind::conv2d);
  //                      n  c  h   w  oc kh kw sh sw dh dw pt pb pl pr g
  CHECK(conv_fields(l.conv) == std::vector<std::int64_t>{2, 4, 10, 12, 6, 3, 5, 2, 1, 1, 2, 1, 3, 2, 4, 2});
  CHECK(l.conv.out_h() == 6);
  CHECK(l.conv.out_w() == 10);
}

TEST_CASE("import onnx Conv auto_pad SAME_UPPER, SAME_LOWER and VALID", "[unit][import]") {
  const auto pads = [](const std::string& auto_pad) {
    OnnxBuilder b;
    b.input("X", {1, 3, 7, 7}).initializer("W", {8, 3, 4, 4}).output("Y");
    auto& n = b.node("Conv", {"X", "W"}, {"Y"}, "c");
    OnnxBuilder::ints(n, "strides", {2, 2});
    OnnxBuilder::string(n, "auto_pad", auto_pad);
    const ir::Conv2dParams c = import_model(b).workload.layers[0].conv;
    CHECK(c.out_h() == (auto_pad == "VALID" ? 2 : 4));  // SAME: ceil(7 / 2)
    return std::vector<std::int64_t>{c.pad_top, c.pad_bottom, c.pad_left, c.pad_right};
  };
  // Total padding (4 - 1)·2 + 4 - 7 = 3: the odd pixel at the end (UPPER) or the beginning (LOWER).
  CHECK(pads("SAME_UPPER") == std::vector<std::int64_t>{1, 2, 1, 2});
  CHECK(pads("SAME_LOWER") == std::vector<std::int64_t>{2, 1, 2, 1});
  CHECK(pads("VALID") == std::vector<std::int64_t>{0, 0, 0, 0});
}

TEST_CASE("import onnx 1-D Conv is a conv2d of height 1", "[unit][import]") {
  OnnxBuilder b;
  b.input("X", {1, 4, 20}).initializer("W", {8, 4, 3}).output("Y");
  auto& n = b.node("Conv", {"X", "W"}, {"Y"}, "c1d");
  OnnxBuilder::ints(n, "pads", {1, 2});
  OnnxBuilder::ints(n, "strides", {2});
  const ir::Conv2dParams c = import_model(b).workload.layers[0].conv;
  CHECK(conv_fields(c) == std::vector<std::int64_t>{1, 4, 1, 20, 8, 1, 3, 1, 2, 1, 1, 0, 0, 1, 2, 1});
}

TEST_CASE("import onnx ConvInteger and QLinearConv (weight is input 3)", "[unit][import]") {
  OnnxBuilder b;
  b.input("X", {1, 16, 9, 9}, F::UINT8)
      .initializer("W", {32, 16, 3, 3}, F::UINT8)
      .initializer("xz", {}, F::UINT8)
      .initializer("xs", {}, F::FLOAT)
      .initializer("W2", {8, 8, 1, 1}, F::UINT8)
      .initializer("ys", {}, F::FLOAT)
      .initializer("yz", {}, F::UINT8)
      .output("Z", F::UINT8);
  auto& ci = b.node("ConvInteger", {"X", "W", "xz"}, {"Y"}, "ci");
  OnnxBuilder::ints(ci, "pads", {1, 1, 1, 1});
  OnnxBuilder::integer(b.node("Cast", {"Y"}, {"Yf"}, "cast"), "to", F::UINT8);
  auto& q = b.node("QLinearConv", {"Yf", "xs", "xz", "W2", "xs", "xz", "ys", "yz"}, {"Z"}, "qc");
  OnnxBuilder::integer(q, "group", 4);
  std::vector<std::string> notes;
  const config::Experiment e = import_model(b, &notes);
  REQUIRE(e.workload.layers.size() == 2);
  CHECK(e.workload.layers[0].name == "ci");
  CHECK(conv_fields(e.workload.layers[0].conv) ==
        std::vector<std::int64_t>{1, 16, 9, 9, 32, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1});
  CHECK(e.workload.layers[1].name == "qc");
  CHECK(conv_fields(e.workload.layers[1].conv) ==
        std::vector<std::int64_t>{1, 32, 9, 9, 8, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 4});
  CHECK(notes == std::vector<std::string>{"skipped 1 ONNX node: Cast x1"});
}

TEST_CASE("import onnx Gemm with transA and transB", "[unit][import]") {
  OnnxBuilder b;
  b.input("A", {5, 3}).initializer("B", {7, 5}).initializer("C", {7}).output("Y");
  auto& n = b.node("Gemm", {"A", "B", "C"}, {"Y"}, "fc");
  OnnxBuilder::integer(n, "transA", 1);
  OnnxBuilder::integer(n, "transB", 1);
  const ir::Layer l = import_model(b).workload.layers[0];
  CHECK(l.name == "fc");
  REQUIRE(l.kind == ir::LayerKind::gemm);
  CHECK(l.gemm.m == 3);
  CHECK(l.gemm.n == 7);
  CHECK(l.gemm.k == 5);
}

TEST_CASE("import onnx MatMul: 2-D, stacked batch, shared A, batched products", "[unit][import]") {
  OnnxBuilder b;
  b.input("A", {4, 6})
      .input("A4", {2, 3, 4, 6})
      .input("Q", {2, 4, 6})
      .input("K", {2, 6, 5})
      .initializer("W", {6, 5})
      .initializer("Wb", {3, 6, 5})
      .initializer("v", {6});
  b.node("MatMul", {"A", "W"}, {"y1"}, "mm2d");
  b.node("MatMul", {"A4", "W"}, {"y2"}, "stacked");   // [2,3,4,6]·[6,5]: one GEMM, M = 2·3·4
  b.node("MatMul", {"A", "Wb"}, {"y3"}, "shared_a");  // [4,6]·[3,6,5]: one GEMM, N = 3·5
  b.node("MatMul", {"Q", "K"}, {"y4"}, "attn");       // [2,4,6]·[2,6,5]: two GEMMs
  b.node("MatMul", {"A", "v"}, {"y5"}, "gemv");       // [4,6]·[6]: N = 1
  for (const char* o : {"y1", "y2", "y3", "y4", "y5"}) b.output(o);
  const config::Experiment e = import_model(b);
  std::vector<std::tuple<std::string, std::int64_t, std::int64_t, std::int64_t>> got;
  for (const ir::Layer& l : e.workload.layers) {
    REQUIRE(l.kind == ir::LayerKind::gemm);
    got.emplace_back(l.name, l.gemm.m, l.gemm.n, l.gemm.k);
  }
  const std::vector<std::tuple<std::string, std::int64_t, std::int64_t, std::int64_t>> expect{
      {"mm2d", 4, 5, 6},    {"stacked", 24, 5, 6}, {"shared_a", 4, 15, 6},
      {"attn_b0", 4, 5, 6}, {"attn_b1", 4, 5, 6},  {"gemv", 4, 1, 6}};
  CHECK(got == expect);
}

TEST_CASE("import onnx MatMulInteger and QLinearMatMul (B is input 3)", "[unit][import]") {
  OnnxBuilder b;
  b.input("A", {3, 8}, F::UINT8)
      .initializer("B", {8, 2}, F::UINT8)
      .initializer("s", {}, F::FLOAT)
      .initializer("z", {}, F::UINT8)
      .output("Y", F::INT32)
      .output("Z", F::UINT8);
  b.node("MatMulInteger", {"A", "B", "z", "z"}, {"Y"}, "mmi");
  b.node("QLinearMatMul", {"A", "s", "z", "B", "s", "z", "s", "z"}, {"Z"}, "qmm");
  const config::Experiment e = import_model(b);
  REQUIRE(e.workload.layers.size() == 2);
  for (const ir::Layer& l : e.workload.layers) {
    INFO(l.name);
    CHECK(l.gemm.m == 3);
    CHECK(l.gemm.n == 2);
    CHECK(l.gemm.k == 8);
  }
}

TEST_CASE("import onnx takes shapes from shape inference and lists skipped operators once", "[unit][import]") {
  OnnxBuilder b("tiny_cnn");
  b.input("X", {1, 3, 32, 32})
      .initializer("W1", {8, 3, 3, 3})
      .initializer("W2", {16, 8, 3, 3})
      .initializer("W3", {3136, 10})
      .output("logits");
  OnnxBuilder::ints(b.node("Conv", {"X", "W1"}, {"c1"}, "conv1"), "pads", {1, 1, 1, 1});
  b.node("Relu", {"c1"}, {"r1"}, "relu1");
  auto& mp = b.node("MaxPool", {"r1"}, {"p1"}, "pool1");
  OnnxBuilder::ints(mp, "kernel_shape", {2, 2});
  OnnxBuilder::ints(mp, "strides", {2, 2});
  b.node("Conv", {"p1", "W2"}, {"c2"}, "conv2");
  b.node("Relu", {"c2"}, {"r2"}, "relu2");
  b.node("Flatten", {"r2"}, {"f"}, "flat");
  b.node("Gemm", {"f", "W3"}, {"logits"}, "fc");
  std::vector<std::string> notes;
  const config::Experiment e = import_model(b, &notes);
  CHECK(notes == std::vector<std::string>{"skipped 4 ONNX nodes: Relu x2, MaxPool x1, Flatten x1"});
  CHECK(e.workload.name == "tiny_cnn");
  REQUIRE(e.workload.layers.size() == 3);
  const ir::Conv2dParams& c2 = e.workload.layers[1].conv;
  CHECK(c2.h == 16);  // after the 2x2 max pool: from shape inference
  CHECK(c2.w == 16);
  CHECK(c2.c == 8);
  CHECK(c2.out_h() == 14);
  const ir::Layer& fc = e.workload.layers[2];
  CHECK(fc.gemm.m == 1);
  CHECK(fc.gemm.k == 16 * 14 * 14);
  CHECK(fc.gemm.n == 10);
}

TEST_CASE("import onnx layer names: node names, op type and index, made unique", "[unit][import]") {
  OnnxBuilder b;
  b.input("A", {2, 4}).initializer("W", {4, 4}).output("y4");
  b.node("MatMul", {"A", "W"}, {"y1"}, "dup");
  b.node("MatMul", {"y1", "W"}, {"y2"}, "dup");
  b.node("MatMul", {"y2", "W"}, {"y3"}, "");
  b.node("MatMul", {"y3", "W"}, {"y4"}, "MatMul2");  // the name the unnamed node would get
  std::vector<std::string> names;
  for (const ir::Layer& l : import_model(b).workload.layers) names.push_back(l.name);
  CHECK(names == std::vector<std::string>{"dup", "dup_2", "MatMul2_", "MatMul2"});
}

TEST_CASE("import onnx: a symbolic batch dimension is taken as 1, with a warning", "[unit][import]") {
  OnnxBuilder b;
  b.input("X", {std::string("N"), 3, 8, 8}).initializer("W", {4, 3, 3, 3}).output("Y");
  b.node("Conv", {"X", "W"}, {"Y"}, "c");
  std::vector<std::string> notes;
  const config::Experiment e = import_model(b, &notes);
  CHECK(e.workload.layers[0].conv.n == 1);
  REQUIRE(notes.size() == 1);
  CHECK(notes[0].find(": graph input 'X': dimension 0 is symbolic ('N'); taken as 1 (batch 1)") != std::string::npos);
}

TEST_CASE("import onnx: a quantized weight behind DequantizeLinear is a constant", "[unit][import]") {
  OnnxBuilder b;
  b.input("X", {1, 4, 6, 6})
      .initializer("Wq", {8, 4, 3, 3}, F::INT8)
      .initializer("s", {}, F::FLOAT)
      .initializer("z", {}, F::INT8)
      .output("Y");
  b.node("DequantizeLinear", {"Wq", "s", "z"}, {"W"}, "dq");
  b.node("Conv", {"X", "W"}, {"Y"}, "c");
  const config::Experiment e = import_model(b);
  REQUIRE(e.workload.layers.size() == 1);
  CHECK(e.workload.layers[0].conv.out_channels == 8);
}

TEST_CASE("import onnx errors name the file and the node", "[unit][import]") {
  SECTION("a Conv whose weight is not defined anywhere") {
    OnnxBuilder b;
    b.input("X", {1, 3, 8, 8}).output("Y");
    b.node("Conv", {"X", "W"}, {"Y"}, "conv");
    CHECK(import_error_short(b) == "net.onnx: node 'conv' (Conv): weight 'W' is not defined in the graph");
  }
  SECTION("unsupported attributes and a non-static shape, all reported") {
    OnnxBuilder b;
    b.input("X", {1, 3, 8, 8}).input("H", {1, 3, std::string("h"), 8}).initializer("W", {4, 3, 3, 3});
    OnnxBuilder::integer(b.node("Conv", {"X", "W"}, {"Y"}, "c1"), "frobnicate", 1);
    b.node("Conv", {"H", "W"}, {"Y2"}, "c2");
    OnnxBuilder::integer(b.node("MatMul", {"X", "X"}, {"Y3"}, "m"), "transA", 1);
    CHECK(import_error_short(b) ==
          "net.onnx: node 'c1' (Conv): attribute 'frobnicate' is not supported (supported: auto_pad, dilations, "
          "group, kernel_shape, pads, strides)\n"
          "net.onnx: node 'c2' (Conv): the shape of 'H' is not static after ONNX shape inference: dimension 2 is "
          "symbolic ('h')\n"
          "net.onnx: node 'm' (MatMul): attribute 'transA' is not supported (MatMul has no attributes)");
  }
  SECTION("malformed attribute values") {
    OnnxBuilder b;
    b.input("X", {1, 3, 8, 8}).initializer("W", {4, 3, 3, 3});
    OnnxBuilder::ints(b.node("Conv", {"X", "W"}, {"Y"}, "c1"), "pads", {1, 1});
    OnnxBuilder::integer(b.node("Conv", {"X", "W"}, {"Y2"}, "c2"), "strides", 2);
    OnnxBuilder::integer(b.node("Conv", {"X", "W"}, {"Y3"}, "c3"), "group", 2);
    CHECK(import_error_short(b) ==
          "net.onnx: node 'c1' (Conv): pads [1, 1] has 2 values, expected 4\n"
          "net.onnx: node 'c2' (Conv): attribute 'strides' has type INT, expected INTS\n"
          "net.onnx: node 'c3' (Conv): input [1, 3, 8, 8] has 3 channels, but weight [4, 3, 3, 3] with group 2 "
          "expects 3 x 2");
  }
  SECTION("a layer arraysim rejects is reported at its node") {
    OnnxBuilder b;
    b.input("X", {1, 3, 4, 4}).initializer("W", {4, 3, 5, 5}).output("Y");
    b.node("Conv", {"X", "W"}, {"Y"}, "big_kernel");
    CHECK(import_error_short(b) ==
          "net.onnx: node 'big_kernel' (Conv): workload.layers.0.kernel_h: dilated kernel height 5 exceeds padded "
          "input height 4\n"
          "net.onnx: node 'big_kernel' (Conv): workload.layers.0.kernel_w: dilated kernel width 5 exceeds padded "
          "input width 4");
  }
  SECTION("no node to simulate") {
    OnnxBuilder b;
    b.input("X", {1, 3}).output("Y");
    b.node("Relu", {"X"}, {"Y"}, "r");
    CHECK(import_error_short(b) ==
          "net.onnx: no Conv, ConvInteger, QLinearConv, ConvTranspose, Gemm, MatMul, MatMulInteger, QLinearMatMul, "
          "RNN, GRU or LSTM node: nothing to simulate (skipped 1 ONNX node: Relu x1)");
  }
}

TEST_CASE("import onnx errors for files that are not ONNX models", "[unit][import]") {
  TempDir d;
  const auto error_of = [&](const std::string& path) {
    try {
      io::import_onnx(path, src_path(kArch), ".");
    } catch (const io::ImportError& e) {
      return std::string(e.what());
    }
    return std::string("(no error)");
  };
  OnnxBuilder b;
  b.input("X", {1, 3, 8, 8}).initializer("W", {4, 3, 3, 3}).output("Y");
  b.node("Conv", {"X", "W"}, {"Y"}, "c");
  std::string bytes;
  b.model().SerializeToString(&bytes);
  const std::string truncated = d.path() + "/truncated.onnx";
  std::ofstream(truncated, std::ios::binary) << bytes.substr(0, bytes.size() / 2);
  CHECK(error_of(truncated) == truncated + ": not a valid ONNX model (truncated, or not a protobuf file)");
  const std::string text = d.path() + "/notes.onnx";
  std::ofstream(text) << "this is a text file, not an ONNX model\n";
  CHECK(error_of(text) == text + ": not a valid ONNX model (truncated, or not a protobuf file)");
  const std::string empty = d.path() + "/empty.onnx";
  std::ofstream{empty};
  CHECK(error_of(empty) == empty + ": file is empty");
  CHECK(error_of(d.path() + "/missing.onnx") == d.path() + "/missing.onnx: cannot open: No such file or directory");

  const std::string good = b.save(d.path() + "/good.onnx");
  try {
    io::import_onnx(good, d.path() + "/no_arch.yaml", ".");
    FAIL("no error");
  } catch (const config::ConfigError& e) {
    CHECK(std::string(e.what()) ==
          d.path() + "/no_arch.yaml:1:1 (file): cannot read architecture file: No such file or directory");
  }
}

TEST_CASE("import onnx checks attributes before shape inference divides by them", "[unit][import]") {
  // Issue 14: a zero stride crashed with SIGFPE inside libonnx's shape inference.
  SECTION("zero stride, negative pads, zero group, in any node") {
    OnnxBuilder b;
    b.input("X", {1, 3, 8, 8}).initializer("W", {4, 3, 3, 3}).output("Y").output("Z");
    OnnxBuilder::ints(b.node("Conv", {"X", "W"}, {"Y"}, "c"), "strides", {1, 0});
    auto& pool = b.node("MaxPool", {"X"}, {"P"}, "pool");
    OnnxBuilder::ints(pool, "kernel_shape", {2, 2});
    OnnxBuilder::ints(pool, "pads", {0, -1, 0, 0});
    OnnxBuilder::integer(b.node("DepthToSpace", {"X"}, {"Z"}, "d2s"), "blocksize", 0);
    CHECK(import_error_short(b) ==
          "net.onnx: node 'c' (Conv): attribute 'strides' [1, 0]: every value must be >= 1\n"
          "net.onnx: node 'pool' (MaxPool): attribute 'pads' [0, -1, 0, 0]: every value must be >= 0\n"
          "net.onnx: node 'd2s' (DepthToSpace): attribute 'blocksize' [0]: every value must be >= 1");
  }
  SECTION("a node without outputs") {
    OnnxBuilder b;
    b.input("X", {1, 3, 8, 8}).initializer("W", {4, 3, 3, 3});
    b.node("Split", {"X"}, {}, "split");
    CHECK(import_error_short(b) == "net.onnx: node 'split' (Split): has no outputs");
  }
}

TEST_CASE("import onnx reports what shape inference throws, and a model it crashes on", "[unit][import]") {
  SECTION("an error libonnx reports keeps its message") {
    OnnxBuilder b;
    b.input("X", {2, 3}).initializer("W", {3, 5}).output("Y", onnx::TensorProto::INT64);
    b.node("MatMul", {"X", "W"}, {"Y"}, "m");
    CHECK(import_error_short(b) ==
          "net.onnx: ONNX shape inference failed: [ShapeInferenceError] (op_type:MatMul, node name: m): "
          "[TypeInferenceError] Inferred elem type differs from existing elem type: (FLOAT) vs (INT64)");
  }
  SECTION("a crash inside libonnx is the child's: the import fails with one line") {
    // Issue 14: a convolution whose weight has no spatial dimensions, with SAME padding, passes
    // the checks before inference; libonnx's shape inference dereferences a null pointer on it.
    OnnxBuilder b;
    b.input("X", {1, 2, 16}).initializer("W", {3, 2}).output("Y");
    OnnxBuilder::string(b.node("Conv", {"X", "W"}, {"Y"}, "c"), "auto_pad", "SAME_UPPER");
    CHECK(import_error_short(b) ==
          "net.onnx: ONNX shape inference failed on this model (crashed with SIGSEGV); arraysim cannot import it");
  }
}

TEST_CASE("import onnx refuses cycles and values computed twice, and sorts unsorted graphs", "[unit][import]") {
  SECTION("a cycle") {  // issue 14: cyclic graphs imported (this one gave two gemm layers)
    OnnxBuilder b;
    b.input("X", {4, 4}).initializer("W", {4, 4}).output("Y");
    b.node("MatMul", {"X", "W"}, {"A"}, "m1");
    b.node("Relu", {"B"}, {"C"}, "r");
    b.node("Add", {"A", "C"}, {"B"}, "add");
    b.node("MatMul", {"A", "W"}, {"Y"}, "m2");
    CHECK(import_error_short(b) ==
          "net.onnx: the graph has a cycle: node 'r' (Relu) uses the output of node 'add' (Add), which uses the "
          "output of node 'r' (Relu)");
  }
  SECTION("a value computed twice") {
    OnnxBuilder b;
    b.input("X", {4, 4}).initializer("W", {4, 4}).output("Y");
    b.node("Relu", {"X"}, {"A"}, "r1");
    b.node("Relu", {"X"}, {"A"}, "r2");
    b.node("MatMul", {"A", "W"}, {"Y"}, "m");
    CHECK(import_error_short(b) ==
          "net.onnx: node 'r2' (Relu): computes 'A', which node 'r1' (Relu) computes too (ONNX values are assigned "
          "once)");
  }
  SECTION("nodes out of order are taken in dependency order, with a warning") {
    OnnxBuilder b;
    b.input("X", {2, 6}).initializer("W", {6, 5}).output("Y");
    b.node("MatMul", {"A", "W"}, {"Y"}, "m");
    b.node("Relu", {"X"}, {"A"}, "r");
    std::vector<std::string> notes;
    const config::Experiment e = import_model(b, &notes);
    REQUIRE(e.workload.layers.size() == 1);
    CHECK(e.workload.layers[0].gemm.m == 2);  // shape inference saw Relu first: A is [2, 6]
    CHECK(e.workload.layers[0].gemm.n == 5);
    CHECK(e.workload.layers[0].gemm.k == 6);
    REQUIRE(notes.size() == 2);
    CHECK(notes[0].find("the nodes are not in topological order") != std::string::npos);
  }
}

TEST_CASE("import onnx names that are not UTF-8 are made valid; the file size is capped", "[unit][import]") {
  OnnxBuilder b("g\xff");
  b.input("X", {2, 6}).initializer("W", {6, 5}).output("Y");
  b.node("MatMul", {"X", "W"}, {"Y"}, "mm\xfe");
  const config::Experiment e = import_model(b);
  REQUIRE(e.workload.layers.size() == 1);
  CHECK(e.workload.layers[0].name == "mm_");
  CHECK(e.workload.name == "g_");
}

TEST_CASE("import onnx: attention heads split by a Reshape whose shape is computed from Shape (view(B, T, h, -1))",
          "[unit][import]") {
  // PyTorch's x.view(B, T, h, -1) exports as Shape -> Gather -> Unsqueeze -> Concat with [h, -1]
  // -> Reshape; then Transpose to [B, h, T, d] and a batched MatMul Q·Kᵀ per head.
  OnnxBuilder b("view", 14);
  b.input("x", {2, 128, 64}).int64s("i0", {}, {0}).int64s("i1", {}, {1}).int64s("ax", {1}, {0});
  b.int64s("hm", {2}, {4, -1}).output("z");
  b.node("Shape", {"x"}, {"s"});
  OnnxBuilder::integer(b.node("Gather", {"s", "i0"}, {"bb"}), "axis", 0);
  OnnxBuilder::integer(b.node("Gather", {"s", "i1"}, {"t"}), "axis", 0);
  b.node("Unsqueeze", {"bb", "ax"}, {"bu"});
  b.node("Unsqueeze", {"t", "ax"}, {"tu"});
  OnnxBuilder::integer(b.node("Concat", {"bu", "tu", "hm"}, {"shape"}), "axis", 0);
  b.node("Reshape", {"x", "shape"}, {"y"});
  OnnxBuilder::ints(b.node("Transpose", {"y"}, {"q"}), "perm", {0, 2, 1, 3});
  OnnxBuilder::ints(b.node("Transpose", {"y"}, {"k"}), "perm", {0, 2, 3, 1});
  b.node("MatMul", {"q", "k"}, {"z"}, "qk");
  const config::Experiment e = import_model(b);
  // [2, 4, 128, 16] · [2, 4, 16, 128]: 8 products of 128 × 16 · 16 × 128.
  REQUIRE(e.workload.layers.size() == 8);
  CHECK(mkn(e.workload.layers[0]) == std::vector<std::int64_t>{128, 16, 128});
}

TEST_CASE("import onnx: a convolution weight that is a graph input (exported without parameters) is used by shape",
          "[unit][import]") {
  OnnxBuilder b;
  b.input("X", {1, 3, 8, 8}).input("W", {4, 3, 3, 3}).input("W2", {2, 4, 1, 1}).output("Z");
  b.node("Conv", {"X", "W"}, {"Y"}, "c1");
  b.node("Conv", {"Y", "W2"}, {"Z"}, "c2");
  std::vector<std::string> notes;
  const config::Experiment e = import_model(b, &notes);
  REQUIRE(e.workload.layers.size() == 2);
  CHECK(e.workload.layers[0].conv.out_channels == 4);
  CHECK(e.workload.layers[1].conv.out_channels == 2);
  REQUIRE(notes.size() == 1);
  CHECK(notes[0].find(": 2 convolution weights ('W', 'W2') are graph inputs, not initializers: the model was exported "
                      "without its parameters; arraysim uses their shapes") != std::string::npos);
}

TEST_CASE("import onnx ConvTranspose: one GEMM per group of input pixels by kernel columns", "[unit][import]") {
  // X [1, 4, 5, 6], W [4, 3, 2, 2], group 2, stride 2: per group m = 1·5·6 = 30 input pixels,
  // k = 4/2 = 2 input channels, n = 3·2·2 = 12 kernel columns (3 output channels per group × 4
  // taps). MACs 2 · 30·2·12 = 1,440 = every input value (120) × its group's 3·4 = 12 taps.
  OnnxBuilder b;
  b.input("X", {1, 4, 5, 6}).initializer("W", {4, 3, 2, 2}).output("Y");
  auto& n = b.node("ConvTranspose", {"X", "W"}, {"Y"}, "up");
  OnnxBuilder::integer(n, "group", 2);
  OnnxBuilder::ints(n, "strides", {2, 2});
  const config::Experiment e = import_model(b);
  REQUIRE(e.workload.layers.size() == 2);
  for (std::size_t g = 0; g < 2; ++g) {
    const ir::Layer& l = e.workload.layers[g];
    CHECK(l.name == "up_g" + std::to_string(g));
    CHECK(l.kind == ir::LayerKind::gemm);
    CHECK(mkn(l) == std::vector<std::int64_t>{30, 2, 12});
  }
  // One group and a 1-D ConvTranspose: X [2, 3, 7], W [3, 5, 4]: m = 2·7 = 14, k = 3, n = 5·4 = 20.
  OnnxBuilder b1;
  b1.input("X", {2, 3, 7}).initializer("W", {3, 5, 4}).output("Y");
  b1.node("ConvTranspose", {"X", "W"}, {"Y"}, "up1");
  const config::Experiment e1 = import_model(b1);
  REQUIRE(e1.workload.layers.size() == 1);
  CHECK(e1.workload.layers[0].name == "up1");
  CHECK(mkn(e1.workload.layers[0]) == std::vector<std::int64_t>{14, 3, 20});
}

TEST_CASE("import onnx LSTM and GRU: the input projections in one GEMM, then one GEMM per step and direction",
          "[unit][import]") {
  // LSTM, X [T 5, B 2, I 3], hidden 4, bidirectional: W [2, 16, 3], R [2, 16, 4].
  //   input projection: m = T·B = 10, k = I = 3, n = 2 directions · 4 gates · 4 = 32;
  //   then t0_d0, t0_d1, ..., t4_d1: m = B = 2, k = H = 4, n = 4·4 = 16.
  // MACs 10·3·32 + 10·(2·4·16) = 960 + 1,280 = 2,240.
  OnnxBuilder b;
  b.input("X", {5, 2, 3}).initializer("W", {2, 16, 3}).initializer("R", {2, 16, 4}).output("Y");
  auto& n = b.node("LSTM", {"X", "W", "R"}, {"Y"}, "lstm");
  OnnxBuilder::integer(n, "hidden_size", 4);
  OnnxBuilder::string(n, "direction", "bidirectional");
  const config::Experiment e = import_model(b);
  REQUIRE(e.workload.layers.size() == 11);
  CHECK(e.workload.layers[0].name == "lstm_x");
  CHECK(mkn(e.workload.layers[0]) == std::vector<std::int64_t>{10, 3, 32});
  CHECK(e.workload.layers[1].name == "lstm_t0_d0");
  CHECK(e.workload.layers[2].name == "lstm_t0_d1");
  CHECK(e.workload.layers[10].name == "lstm_t4_d1");
  std::int64_t macs = 0;
  for (std::size_t i = 1; i < 11; ++i) {
    CHECK(mkn(e.workload.layers[i]) == std::vector<std::int64_t>{2, 4, 16});
  }
  for (const ir::Layer& l : e.workload.layers) macs += ir::macs(l);
  CHECK(macs == 2240);

  // GRU, batch first (layout 1): X [B 3, T 2, I 5], hidden 6, forward: W [1, 18, 5], R [1, 18, 6]:
  // projection m = 6, k = 5, n = 18; steps t0, t1: m = 3, k = 6, n = 18.
  OnnxBuilder g;
  g.input("X", {3, 2, 5}).initializer("W", {1, 18, 5}).initializer("R", {1, 18, 6}).output("Y");
  auto& gn = g.node("GRU", {"X", "W", "R"}, {"Y"}, "gru");
  OnnxBuilder::integer(gn, "hidden_size", 6);
  OnnxBuilder::integer(gn, "layout", 1);
  const config::Experiment eg = import_model(g);
  REQUIRE(eg.workload.layers.size() == 3);
  CHECK(eg.workload.layers[0].gemm.m == 6);
  CHECK(eg.workload.layers[0].gemm.n == 18);
  CHECK(eg.workload.layers[2].name == "gru_t1");
  CHECK(eg.workload.layers[2].gemm.m == 3);
  CHECK(eg.workload.layers[2].gemm.k == 6);

  // W and R that disagree with hidden_size: one error naming the node.
  OnnxBuilder bad;
  bad.input("X", {5, 2, 3}).initializer("W", {1, 16, 3}).initializer("R", {1, 16, 4}).output("Y");
  OnnxBuilder::integer(bad.node("LSTM", {"X", "W", "R"}, {"Y"}, "l"), "hidden_size", 5);
  CHECK(import_error_short(bad) ==
        "net.onnx: node 'l' (LSTM): X [5, 2, 3], W [1, 16, 3], R [1, 16, 4] and hidden_size 5 do not agree (W [D, "
        "4·H, I], R [D, 4·H, H])");
}

TEST_CASE("import onnx --input-shape: given shapes replace the declared ones before shape inference",
          "[unit][import]") {
  // A transformer-like input with a symbolic sequence length: MatMul of X [1, T, 16] by W [16, 8]
  // needs T. Given X=2x128x16: m = 2·128 = 256 (the batch rows stack), k = 16, n = 8.
  OnnxBuilder b;
  b.input("X", {std::string("B"), std::string("T"), 16}).initializer("W", {16, 8}).output("Y");
  b.node("MatMul", {"X", "W"}, {"Y"}, "proj");
  CHECK(import_error_short(b) ==
        "net.onnx: node 'proj' (MatMul): the shape of 'X' is not static after ONNX shape inference: dimension 1 is "
        "symbolic ('T')");
  TempDir d;
  const std::string path = b.save(d.path() + "/net.onnx");
  io::InputShapes shapes;
  io::add_input_shape(shapes, "X=2x128x16");
  const io::GeneratedExperiment g = io::import_onnx(path, src_path(kArch), ".", shapes);
  CHECK(g.notes.empty());  // no batch-1 warning: the shape was given
  CHECK(g.yaml.find(" --input-shape X=2x128x16; mapping: docs/import.md") != std::string::npos);
  const config::Experiment e = io::load_generated(g);
  REQUIRE(e.workload.layers.size() == 1);
  CHECK(mkn(e.workload.layers[0]) == std::vector<std::int64_t>{256, 16, 8});

  auto import_err = [&](const std::string& given) {
    io::InputShapes s;
    io::add_input_shape(s, given);
    try {
      io::import_onnx(path, src_path(kArch), ".", s);
    } catch (const io::ImportError& e) {
      std::string m = e.what();
      return m.replace(m.find(path), path.size(), "net.onnx");
    }
    return std::string("(no error)");
  };
  CHECK(import_err("X=2x128") == "net.onnx: --input-shape X=...: graph input 'X' has 3 dimensions, not 2");
  CHECK(import_err("W=16x8") == "net.onnx: --input-shape W=...: no graph input is called 'W' (graph inputs: 'X')");
}

TEST_CASE("import onnx --input-shape: malformed values are one error naming the value", "[unit][import]") {
  auto err = [](const std::string& text) {
    io::InputShapes s{{"a", {1}}};
    try {
      io::add_input_shape(s, text);
    } catch (const std::runtime_error& e) {
      return std::string(e.what());
    }
    return std::string("(no error)");
  };
  CHECK(err("x") ==
        "--input-shape 'x': expected NAME=D0xD1x... (a graph input and its dimensions, e.g. "
        "input_ids=2x128)");
  CHECK(err("=2x3") ==
        "--input-shape '=2x3': expected NAME=D0xD1x... (a graph input and its dimensions, e.g. "
        "input_ids=2x128)");
  CHECK(err("x=2x") ==
        "--input-shape 'x=2x': dimension '' is not a positive integer (dimensions are separated by 'x')");
  CHECK(err("x=2x0") ==
        "--input-shape 'x=2x0': dimension '0' is not a positive integer (dimensions are separated by 'x')");
  CHECK(err("x=-1") ==
        "--input-shape 'x=-1': dimension '-1' is not a positive integer (dimensions are separated by 'x')");
  CHECK(err("x=99999999999999") ==
        "--input-shape 'x=99999999999999': dimension '99999999999999' is not a positive "
        "integer (dimensions are separated by 'x')");
  CHECK(err("a=3") == "--input-shape 'a=3': 'a' is given twice");
  // The last '=' splits: a name may contain '='.
  io::InputShapes s;
  io::add_input_shape(s, "k=v=4x5");
  CHECK(s.at("k=v") == std::vector<std::int64_t>{4, 5});
}

TEST_CASE("import onnx: skipped nodes that multiply and accumulate are named in a warning", "[unit][import]") {
  // Two Einsum nodes (a batched product) next to a MatMul: the MatMul is simulated, the Einsums
  // are skipped, and their multiply-accumulates missing from the run are said, not lost silently.
  OnnxBuilder b("e", 13);
  b.input("A", {2, 3, 4}).input("B", {2, 4, 5}).initializer("W", {4, 6}).output("Z").output("E").output("E2");
  OnnxBuilder::string(b.node("Einsum", {"A", "B"}, {"E"}, "e1"), "equation", "bij,bjk->bik");
  OnnxBuilder::string(b.node("Einsum", {"A", "B"}, {"E2"}, "e2"), "equation", "bij,bjk->bik");
  b.node("MatMul", {"A", "W"}, {"Y"}, "mm");
  b.node("Relu", {"Y"}, {"Z"}, "r");
  std::vector<std::string> notes;
  const config::Experiment e = import_model(b, &notes);
  REQUIRE(e.workload.layers.size() == 1);
  REQUIRE(notes.size() == 2);
  CHECK(notes[0].find(": 2 skipped nodes carry multiply-accumulates that are not simulated: Einsum x2") !=
        std::string::npos);
  CHECK(notes[0].rfind("warning: ", 0) == 0);
  CHECK(notes[1] == "skipped 3 ONNX nodes: Einsum x2, Relu x1");
}
