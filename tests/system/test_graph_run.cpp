/// Whole-graph runs (`arraysim run --model F.onnx --arch A.yaml --graph`, docs/graph.md): tensors
/// flow from operator to operator, non-GEMM operators run on the post-processing unit, outputs are
/// checked against the golden graph. Each case spawns the real binary.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <filesystem>
#include <functional>
#include <random>
#include <set>

#include "sim/io/npy.hpp"

#include "tests/onnx_builder.hpp"
#include "tests/stats_support.hpp"
#include "tests/support.hpp"

namespace fs = std::filesystem;
using arraysim::test::grid_values;
using arraysim::test::OnnxBuilder;
using arraysim::test::read_text;
using arraysim::test::run_cli;
using arraysim::test::src_path;
using arraysim::test::stats_row;
using arraysim::test::TempDir;
using arraysim::test::write_text;
using nlohmann::json;

namespace {

/// conv(+bias) -> relu -> maxpool -> conv(+bias) -> relu -> residual add -> global average pool ->
/// flatten -> fc (Gemm, transB, bias) -> softmax, fp32, weights as initializers.
OnnxBuilder small_cnn() {
  OnnxBuilder b("small_cnn");
  b.input("x", {1, 3, 8, 8});
  b.floats("W1", {8, 3, 3, 3}, grid_values(216, 0.5f, 1)).floats("B1", {8}, grid_values(8, 0.1f, 2));
  b.floats("W2", {8, 8, 3, 3}, grid_values(576, 0.25f, 3)).floats("B2", {8}, grid_values(8, 0.1f, 4));
  b.floats("WF", {10, 8}, grid_values(80, 0.5f, 5)).floats("BF", {10}, grid_values(10, 0.1f, 6));
  OnnxBuilder::ints(b.node("Conv", {"x", "W1", "B1"}, {"c1"}, "conv1"), "pads", {1, 1, 1, 1});
  b.node("Relu", {"c1"}, {"r1"}, "relu1");
  auto& pool = b.node("MaxPool", {"r1"}, {"p1"}, "pool1");
  OnnxBuilder::ints(pool, "kernel_shape", {2, 2});
  OnnxBuilder::ints(pool, "strides", {2, 2});
  OnnxBuilder::ints(b.node("Conv", {"p1", "W2", "B2"}, {"c2"}, "conv2"), "pads", {1, 1, 1, 1});
  b.node("Relu", {"c2"}, {"r2"}, "relu2");
  b.node("Add", {"r2", "p1"}, {"s"}, "residual");
  b.node("GlobalAveragePool", {"s"}, {"g"}, "gap");
  b.node("Flatten", {"g"}, {"f"}, "flatten");
  OnnxBuilder::integer(b.node("Gemm", {"f", "WF", "BF"}, {"logits"}, "fc"), "transB", 1);
  OnnxBuilder::integer(b.node("Softmax", {"logits"}, {"y"}, "softmax"), "axis", 1);
  b.output("y");
  return b;
}

/// x [1][3][8][8] -> conv1 (no bias) -> bn1 -> relu1 -> conv2 (bias) -> bn2 -> y, fp32; with
/// `c2_out` conv2's output is a graph output too (then bn2 cannot fold).
OnnxBuilder conv_bn_graph(bool c2_out = false) {
  OnnxBuilder b("conv_bn");
  b.input("x", {1, 3, 8, 8});
  b.floats("W1", {8, 3, 3, 3}, grid_values(216, 0.5f, 21));
  b.floats("W2", {8, 8, 3, 3}, grid_values(576, 0.25f, 22)).floats("B2", {8}, grid_values(8, 0.1f, 23));
  for (const char* bn : {"bn1", "bn2"}) {
    const std::string n = bn;
    std::vector<float> var = grid_values(8, 1.0f, n == "bn1" ? 24 : 25);
    for (float& v : var) v = std::abs(v) + 0.25f;
    b.floats(n + ".scale", {8}, grid_values(8, 2.0f, n == "bn1" ? 26 : 27));
    b.floats(n + ".bias", {8}, grid_values(8, 0.5f, n == "bn1" ? 28 : 29));
    b.floats(n + ".mean", {8}, grid_values(8, 0.5f, n == "bn1" ? 30 : 31)).floats(n + ".var", {8}, var);
  }
  OnnxBuilder::ints(b.node("Conv", {"x", "W1"}, {"c1"}, "conv1"), "pads", {1, 1, 1, 1});
  b.node("BatchNormalization", {"c1", "bn1.scale", "bn1.bias", "bn1.mean", "bn1.var"}, {"n1"}, "bn1");
  b.node("Relu", {"n1"}, {"r1"}, "relu1");
  OnnxBuilder::ints(b.node("Conv", {"r1", "W2", "B2"}, {"c2"}, "conv2"), "pads", {1, 1, 1, 1});
  b.node("BatchNormalization", {"c2", "bn2.scale", "bn2.bias", "bn2.mean", "bn2.var"}, {"y"}, "bn2");
  b.output("y");
  if (c2_out) b.output("c2");
  return b;
}

/// x [1][1000] fp32 -> relu -> y, beside a matmul of x (a graph run needs a GEMM for the array).
OnnxBuilder relu_graph() {
  OnnxBuilder b("relu");
  b.input("x", {1, 1000}).floats("W", {1000, 4}, grid_values(4000, 0.5f, 7));
  b.node("MatMul", {"x", "W"}, {"m"}, "mm");
  b.node("Relu", {"x"}, {"y"}, "relu");
  b.output("y").output("m");
  return b;
}

/// The names of the rows of `stats`, each checked to match the golden graph.
std::vector<std::string> golden_checked_rows(const json& stats) {
  std::vector<std::string> names;
  for (const json& l : stats["layers"]) {
    names.push_back(l["name"]);
    INFO(l["name"]);
    CHECK(l["golden_match"] == true);
  }
  return names;
}

}  // namespace

TEST_CASE("graph run: a small fp32 CNN runs every operator, tensors flowing, each checked against the golden graph",
          "[system][graph]") {
  TempDir d;
  const std::string model = small_cnn().save(d.path() + "/cnn.onnx");
  const auto r = run_cli("run --model " + model + " --arch " + src_path("configs/arch/ws_4x4_fp32.yaml") +
                         " --graph --check-all --no-plots --out " + d.path() + "/out");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const json j = json::parse(read_text(d.path() + "/out/stats.json"));
  std::vector<std::string> names, types;
  for (const json& l : j["layers"]) {
    names.push_back(l["name"]);
    types.push_back(l["type"]);
    INFO(l["name"]);
    CHECK(l["golden_match"] == true);
    CHECK(l["analytic_match"] == true);
  }
  // One step per operator in topological order; a conv's or gemm's bias is its own addition.
  CHECK(names == std::vector<std::string>{"conv1", "conv1.bias", "relu1", "pool1", "conv2", "conv2.bias", "relu2",
                                          "residual", "gap", "flatten", "fc", "fc.bias", "softmax"});
  CHECK(types == std::vector<std::string>{"conv2d", "add", "relu", "max_pool", "conv2d", "add", "relu", "add",
                                          "global_average_pool", "flatten", "gemm", "add", "softmax"});
  // Post-processing unit, 16 lanes, every latency 1 (the defaults), ideal DRAM (docs/graph.md):
  // relu1 over 8·8·8 = 512 elements: 512/16 = 32 steps of one alu instruction: 32 + 1 - 1 cycles.
  CHECK(stats_row(j, "relu1")["total_cycles"] == 32);
  CHECK(stats_row(j, "relu1")["vector_ops"] == 512);
  // pool1: 8 planes of 4 output rows of 4 (one step each: a step never mixes rows) = 32 steps,
  // 2x2 window = 3 max instructions per output: 3 · (32 + 1 - 1) = 96.
  CHECK(stats_row(j, "pool1")["total_cycles"] == 96);
  // gap: 8 planes of 16 elements (one step each): one add over 8 steps (8 cycles), then per plane
  // an add tree over 16 lanes (log2 16 = 4 levels) and one multiply: 8 · (4 + 1) = 40; 48 in all.
  CHECK(stats_row(j, "gap")["total_cycles"] == 48);
  // softmax over one row of 10: one step, 5 instructions (max, subtract, exp, sum, divide) = 5
  // cycles, then 2 add trees of 4 levels = 8: 13.
  CHECK(stats_row(j, "softmax")["total_cycles"] == 13);
  // flatten is a view of the same bytes: no cycles, no traffic.
  CHECK(stats_row(j, "flatten")["total_cycles"] == 0);
  CHECK(stats_row(j, "flatten")["dram_read_bytes"]["ifmap"] == 0);
  // The summary's per-unit line adds up the rows of each unit; utilization is MACs per PE-cycle
  // (4x4 = 16 PEs) for the array and vector_ops per lane-cycle (16 lanes) for the unit.
  std::int64_t array_cycles = 0, post_cycles = 0, vector_ops = 0, macs = 0;
  for (const json& l : j["layers"]) {
    if (l["vector_ops"].is_null()) {
      array_cycles += l["total_cycles"].get<std::int64_t>();
      macs += l["macs"].get<std::int64_t>();
    } else {
      post_cycles += l["total_cycles"].get<std::int64_t>();
      vector_ops += l["vector_ops"].get<std::int64_t>();
    }
  }
  const std::string summary = read_text(d.path() + "/out/summary.txt");
  CHECK(summary.find("units: array 3 layers, " + std::to_string(array_cycles) + " cycles (") != std::string::npos);
  CHECK(summary.find("post-processing unit 10 operators, " + std::to_string(post_cycles) + " cycles (") !=
        std::string::npos);
  const auto percent = [](std::int64_t work, std::int64_t width, std::int64_t cycles) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f%%", 100.0 * static_cast<double>(work) / static_cast<double>(width * cycles));
    return std::string(buf);
  };
  CHECK(summary.find(" cycles (" + percent(array_cycles, 1, j["total_cycles"].get<std::int64_t>()) + "), utilization " +
                     percent(macs, 16, array_cycles) + "; ") != std::string::npos);
  CHECK(summary.find(std::to_string(vector_ops) + " vector_ops, utilization " + percent(vector_ops, 16, post_cycles) +
                     "\n") != std::string::npos);
}

TEST_CASE("graph run: the summary of a long graph groups the post-processing operators between array layers",
          "[system][graph]") {
  TempDir d;
  // x -> matmul, and x -> 45 chained relus: 46 rows, more than the 40 the summary lists one by one.
  OnnxBuilder b("chain");
  b.input("x", {1, 16}).floats("W", {16, 4}, grid_values(64, 0.5f, 1));
  b.node("MatMul", {"x", "W"}, {"m"}, "mm");
  std::string prev = "x";
  for (int i = 0; i < 45; ++i) {
    const std::string out = "r" + std::to_string(i);
    b.node("Relu", {prev}, {out}, i == 44 ? "relu44_of_a_long_name" : "relu" + std::to_string(i));
    prev = out;
  }
  b.output(prev).output("m");
  const std::string model = b.save(d.path() + "/chain.onnx");
  const auto r = run_cli("run --model " + model + " --arch " + src_path("configs/arch/ws_4x4_fp32.yaml") +
                         " --graph --no-plots --out " + d.path() + "/o");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const json j = json::parse(read_text(d.path() + "/o/stats.json"));
  CHECK(j["layers"].size() == 46);
  // Each relu: 16 elements = one step of one instruction: 1 cycle; 45 of them in one row.
  CHECK(r.out.find("relu0 +44      post") != std::string::npos);
  // Every table (per layer, traffic, energy, roofline) holds the grouped row, not the operators
  // it groups; stats.json keeps every one.
  const std::string summary = read_text(d.path() + "/o/summary.txt");
  std::size_t grouped = 0;
  for (std::size_t at = 0; (at = summary.find("\nrelu0 +44 ", at)) != std::string::npos; ++at) ++grouped;
  CHECK(grouped == 4);
  CHECK(summary.find("relu1 ") == std::string::npos);
  CHECK(summary.find("relu44_of_a_long_name") == std::string::npos);
  CHECK(stats_row(j, "relu44_of_a_long_name")["total_cycles"] == 1);
  // The unit: 45 relus of 1 cycle, 45 · 16 = 720 vector_ops on 16 lanes: 720 / (16 · 45) = 100%.
  CHECK(summary.find("post-processing unit 45 operators, 45 cycles (") != std::string::npos);
  CHECK(summary.find("720 vector_ops, utilization 100.0%\n") != std::string::npos);
}

TEST_CASE("graph run: the summary's name column widens to the longest name", "[system][graph]") {
  TempDir d;
  OnnxBuilder b("long");
  b.input("x", {1, 16}).floats("W", {16, 4}, grid_values(64, 0.5f, 1));
  b.node("MatMul", {"x", "W"}, {"m"}, "mm");
  b.node("Relu", {"m"}, {"y"}, "relu_of_a_rather_long_name");  // 26 characters
  b.output("y");
  const std::string model = b.save(d.path() + "/long.onnx");
  const auto r = run_cli("run --model " + model + " --arch " + src_path("configs/arch/ws_4x4_fp32.yaml") +
                         " --graph --no-plots --out " + d.path() + "/o");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const std::string summary = read_text(d.path() + "/o/summary.txt");
  // Each table's rows start with the name padded to 26 characters and one space.
  CHECK(summary.find("\nlayer" + std::string(21, ' ') + " type ") != std::string::npos);
  CHECK(summary.find("\nmm" + std::string(24, ' ') + " gemm ") != std::string::npos);
  CHECK(summary.find("\nrelu_of_a_rather_long_name relu ") != std::string::npos);
  CHECK(summary.find("\ntotal" + std::string(21, ' ') + " ") != std::string::npos);
  std::size_t headers = 0;
  for (std::size_t at = 0; (at = summary.find("\nlayer" + std::string(21, ' ') + " ", at)) != std::string::npos; ++at)
    ++headers;
  CHECK(headers == 5);  // per layer, traffic, energy, roofline, mapping
}

TEST_CASE("graph run: a batch norm after a conv folds into its weights and bias, within the fp32 bound of golden",
          "[system][graph]") {
  TempDir d;
  const auto run = [&](const OnnxBuilder& b, const std::string& extra) {
    const std::string model = b.save(d.path() + "/m.onnx");
    const auto r = run_cli("run --model " + model + " --arch " + src_path("configs/arch/ws_4x4_fp32.yaml") +
                           " --graph --check-all --no-plots" + extra + " --out " + d.path() + "/o");
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    return json::parse(read_text(d.path() + "/o/stats.json"));
  };
  const auto rows = [](const json& j) {
    std::vector<std::string> out;
    for (const json& l : j["layers"]) {
      INFO(l["name"]);
      CHECK(l["golden_match"] == true);
      out.push_back(l["name"].get<std::string>() + ":" + l["type"].get<std::string>());
    }
    return out;
  };
  // Post-processing unit: 16 lanes, every latency 1, ideal DRAM; each tensor after a conv is
  // [1][8][8][8] = 512 elements = 32 steps of 16 lanes.
  SECTION("folded (the default): each batch norm is the addition of its folded bias") {
    const json j = run(conv_bn_graph(), "");
    CHECK(rows(j) == std::vector<std::string>{"conv1:conv2d", "bn1:add", "relu1:relu", "conv2:conv2d", "bn2:add"});
    // One alu instruction over 32 steps: 32 + 1 - 1 = 32 cycles, 512 vector_ops.
    CHECK(stats_row(j, "bn1")["total_cycles"] == 32);
    CHECK(stats_row(j, "bn1")["vector_ops"] == 512);
    CHECK(stats_row(j, "bn2")["total_cycles"] == 32);
  }
  SECTION("arch.post_processor.fold_batch_norm: false runs each batch norm on the unit") {
    const json j = run(conv_bn_graph(), " --set arch.post_processor.fold_batch_norm=false");
    CHECK(rows(j) == std::vector<std::string>{"conv1:conv2d", "bn1:batch_norm", "relu1:relu", "conv2:conv2d",
                                              "conv2.bias:add", "bn2:batch_norm"});
    // mul and alu per element: 2 · 32 = 64 cycles, plus the per-channel setup (alu, sqrt, div,
    // mul, mul, alu: 6 cycles) for 8 channels: 48; 112 cycles. vector_ops: 512 · 2 + 8 · 6 = 1072.
    CHECK(stats_row(j, "bn1")["total_cycles"] == 112);
    CHECK(stats_row(j, "bn1")["vector_ops"] == 1072);
  }
  SECTION("a conv output read by another (here: a graph output) keeps its batch norm") {
    const json j = run(conv_bn_graph(true), "");
    CHECK(rows(j) == std::vector<std::string>{"conv1:conv2d", "bn1:add", "relu1:relu", "conv2:conv2d", "conv2.bias:add",
                                              "bn2:batch_norm"});
  }
}

TEST_CASE("graph run: relu on the post-processing unit takes the cycles and bytes derived by hand", "[system][graph]") {
  TempDir d;
  const std::string model = relu_graph().save(d.path() + "/relu.onnx");
  const std::string arch = " --arch " + src_path("configs/arch/ws_4x4_fp32.yaml");
  SECTION("one chunk, alu latency 3") {
    const auto r =
        run_cli("run --model " + model + arch +
                " --graph --no-plots --set arch.post_processor.latency_cycles.alu=3 --out " + d.path() + "/o");
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    const json j = json::parse(read_text(d.path() + "/o/stats.json"));
    const json& relu = stats_row(j, "relu");
    // 1000 elements on 16 lanes: ceil(1000/16) = 63 steps of one alu instruction of latency 3:
    // its last result is out 3 - 1 = 2 cycles after its last issue: 63 + 2 = 65.
    CHECK(relu["total_cycles"] == 65);
    CHECK(relu["golden_match"] == true);
    // 4000 bytes from DRAM address 0 in 64-byte bursts: ceil(4000/64) = 63 bursts = 4032 bytes read,
    // and as many written.
    CHECK(relu["dram_read_bytes"]["ifmap"] == 4032);
    CHECK(relu["dram_write_bytes"]["output"] == 4032);
    CHECK(relu["dram_useful_read_bytes"]["ifmap"] == 4000);
  }
  SECTION("chunks of a 1 KiB ifmap scratchpad, alu latency 3") {
    const auto r = run_cli("run --model " + model + arch +
                           " --graph --no-plots --set arch.scratchpad.ifmap.size_kib=1"
                           " --set arch.post_processor.latency_cycles.alu=3 --out " +
                           d.path() + "/o");
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    const json j = json::parse(read_text(d.path() + "/o/stats.json"));
    // A tile of the double-buffered 1 KiB scratchpad holds 512 bytes = 128 fp32 elements: chunks of
    // 128, 128, ..., 104 (7 · 128 + 104 = 1000). 128 elements = 8 steps, + 3 - 1 = 10 cycles;
    // 104 elements = 7 steps, 9 cycles; ideal DRAM, so 7 · 10 + 9 = 79 cycles (one chunk: 65).
    CHECK(stats_row(j, "relu")["total_cycles"] == 79);
    CHECK(stats_row(j, "relu")["golden_match"] == true);
  }
}

TEST_CASE("graph run: a broadcast operand too large to stay resident streams with the chunks, once per repeat",
          "[system][graph]") {
  // scores [1][4][16][16] + mask [1][1][16][16] (a constant, 1 KiB), beside a matmul for the array.
  OnnxBuilder b("mask");
  b.input("s", {1, 4, 16, 16}).input("x", {1, 4}).floats("W", {4, 2}, grid_values(8, 0.5f, 1));
  b.floats("mask", {1, 1, 16, 16}, grid_values(256, 4.0f, 2));
  b.node("MatMul", {"x", "W"}, {"m"}, "mm");
  b.node("Add", {"s", "mask"}, {"y"}, "masked");
  b.output("y").output("m");
  TempDir d;
  const std::string model = b.save(d.path() + "/mask.onnx");
  const auto r =
      run_cli("run --model " + model + " --arch " + src_path("configs/arch/ws_4x4_fp32.yaml") +
              " --graph --check-all --no-plots --set arch.scratchpad.ifmap.size_kib=1 --out " + d.path() + "/o");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const json j = json::parse(read_text(d.path() + "/o/stats.json"));
  const json& add = stats_row(j, "masked");
  CHECK(add["golden_match"] == true);
  // A tile of the double-buffered 1 KiB ifmap scratchpad is 512 bytes: the 1024-byte mask cannot
  // stay resident, so it streams beside the scores, 4 + 4 bytes per element: chunks of 512 / 8 = 64
  // elements (a multiple-of-256 boundary never falls inside one). 1024 / 64 = 16 chunks of 4 steps
  // of one alu instruction: 16 · 4 = 64 cycles (ideal DRAM).
  CHECK(add["total_cycles"] == 64);
  // DRAM: the scores once (4096 bytes) and the mask once per head (4 · 1024), all as streamed
  // (ifmap) bytes; nothing resident (weight).
  CHECK(add["dram_read_bytes"]["ifmap"] == 8192);
  CHECK(add["dram_read_bytes"]["weight"] == 0);
  CHECK(add["dram_write_bytes"]["output"] == 4096);
  // With a 4 KiB ifmap scratchpad (2 KiB tiles) the mask stays resident: read once, as weight.
  const auto big = run_cli("run --model " + model + " --arch " + src_path("configs/arch/ws_4x4_fp32.yaml") +
                           " --graph --no-plots --set arch.scratchpad.ifmap.size_kib=4 --out " + d.path() + "/big");
  REQUIRE(big.exit_code == 0);
  const json jb = json::parse(read_text(d.path() + "/big/stats.json"));
  CHECK(stats_row(jb, "masked")["dram_read_bytes"]["weight"] == 1024);
  CHECK(stats_row(jb, "masked")["dram_read_bytes"]["ifmap"] == 4096);
}

TEST_CASE("graph run: an int8 graph with QLinearConv and QLinearMatMul is bit-exact against the golden graph",
          "[system][graph]") {
  // x int8 [1][4][8][8] -> QLinearConv (8 channels, 3x3, pads 1, int32 bias, per-channel w_scale)
  // -> relu -> 2x2 max pool -> flatten -> QLinearMatMul by [128][10] -> y int8 [1][10].
  using onnx::TensorProto;
  OnnxBuilder b("qcnn");
  b.input("x", {1, 4, 8, 8}, TensorProto::INT8);
  std::vector<std::int32_t> w(8 * 4 * 9), wm(128 * 10), bias(8);
  std::mt19937 g(11);
  std::uniform_int_distribution<int> di(-128, 127), db(-2000, 2000);
  for (auto& v : w) v = di(g);
  for (auto& v : wm) v = di(g);
  for (auto& v : bias) v = db(g);
  b.floats("xs", {}, {0.05f}).int32s("xz", {}, {0}, TensorProto::INT8);
  b.int32s("w", {8, 4, 3, 3}, w, TensorProto::INT8);
  b.floats("wsc", {8}, {0.002f, 0.003f, 0.001f, 0.004f, 0.0025f, 0.0015f, 0.002f, 0.003f});
  b.int32s("wz", {8}, {0, 0, 0, 0, 0, 0, 0, 0}, TensorProto::INT8);
  b.floats("ys", {}, {0.1f}).int32s("yz", {}, {0}, TensorProto::INT8).int32s("B", {8}, bias);
  OnnxBuilder::ints(b.node("QLinearConv", {"x", "xs", "xz", "w", "wsc", "wz", "ys", "yz", "B"}, {"c"}, "qconv"), "pads",
                    {1, 1, 1, 1});
  b.node("Relu", {"c"}, {"r"}, "relu");
  auto& pool = b.node("MaxPool", {"r"}, {"p"}, "pool");
  OnnxBuilder::ints(pool, "kernel_shape", {2, 2});
  OnnxBuilder::ints(pool, "strides", {2, 2});
  b.node("Flatten", {"p"}, {"f"}, "flatten");
  b.int32s("m", {128, 10}, wm, TensorProto::INT8).floats("ms", {}, {0.01f}).int32s("mz", {}, {0}, TensorProto::INT8);
  b.floats("os", {}, {0.5f}).int32s("oz", {}, {5}, TensorProto::INT8);
  b.node("QLinearMatMul", {"f", "ys", "yz", "m", "ms", "mz", "os", "oz"}, {"y"}, "qfc");
  b.output("y", TensorProto::INT8);
  TempDir d;
  const std::string model = b.save(d.path() + "/qcnn.onnx");
  const auto r = run_cli("run --model " + model + " --arch " + src_path("configs/arch/os_8x8_int8.yaml") +
                         " --graph --check-all --no-plots --out " + d.path() + "/o");
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  const json j = json::parse(read_text(d.path() + "/o/stats.json"));
  CHECK(golden_checked_rows(j) == std::vector<std::string>{"qconv", "qconv.bias", "qconv/requantize", "relu", "pool",
                                                           "flatten", "qfc", "qfc/requantize"});
}

TEST_CASE("graph run: a small int8 CNN with requantization, a residual add, global pool, fc and softmax is bit-exact",
          "[system][graph]") {
  // x fp32 [1][3][8][8] -> QuantizeLinear -> QLinearConv (8 channels, 3x3, pads 1, int32 bias,
  // per-channel w_scale) -> relu -> 2x2 max pool -> QLinearConv (8 -> 8, 3x3, pads 1) -> relu ->
  // residual: DequantizeLinear of both branches -> Add -> QuantizeLinear -> DequantizeLinear ->
  // GlobalAveragePool -> Flatten -> QuantizeLinear -> QLinearMatMul by [8][10] -> DequantizeLinear
  // -> Softmax -> y fp32 [1][10]. The int8 QDQ pattern of ONNX's quantized exports.
  using onnx::TensorProto;
  OnnxBuilder b("qcnn_residual");
  b.input("x", {1, 3, 8, 8});
  std::mt19937 g(13);
  std::uniform_int_distribution<int> di(-128, 127), db(-3000, 3000);
  const auto ints = [&](std::size_t n, std::uniform_int_distribution<int>& d) {
    std::vector<std::int32_t> v(n);
    for (auto& e : v) e = d(g);
    return v;
  };
  const auto zero8 = [&](const std::string& name, std::int64_t n) {
    b.int32s(name, n ? std::vector<std::int64_t>{n} : std::vector<std::int64_t>{},
             std::vector<std::int32_t>(static_cast<std::size_t>(n ? n : 1), 0), TensorProto::INT8);
  };
  b.floats("xs", {}, {0.02f});
  zero8("z", 0);
  b.int32s("w1", {8, 3, 3, 3}, ints(216, di), TensorProto::INT8);
  b.floats("w1s", {8}, {0.002f, 0.003f, 0.001f, 0.004f, 0.0025f, 0.0015f, 0.002f, 0.003f});
  zero8("w1z", 8);
  b.int32s("b1", {8}, ints(8, db)).floats("c1s", {}, {0.05f});
  b.int32s("w2", {8, 8, 3, 3}, ints(576, di), TensorProto::INT8).floats("w2s", {}, {0.002f});
  b.int32s("b2", {8}, ints(8, db)).floats("c2s", {}, {0.1f}).floats("ss", {}, {0.025f});
  b.int32s("wf", {8, 10}, ints(80, di), TensorProto::INT8).floats("wfs", {}, {0.01f});
  b.floats("gs", {}, {0.05f}).floats("fs", {}, {0.05f});
  b.node("QuantizeLinear", {"x", "xs", "z"}, {"xq"}, "quant_x");
  OnnxBuilder::ints(b.node("QLinearConv", {"xq", "xs", "z", "w1", "w1s", "w1z", "c1s", "z", "b1"}, {"c1"}, "qconv1"),
                    "pads", {1, 1, 1, 1});
  b.node("Relu", {"c1"}, {"r1"}, "relu1");
  auto& pool = b.node("MaxPool", {"r1"}, {"p1"}, "pool1");
  OnnxBuilder::ints(pool, "kernel_shape", {2, 2});
  OnnxBuilder::ints(pool, "strides", {2, 2});
  OnnxBuilder::ints(b.node("QLinearConv", {"p1", "c1s", "z", "w2", "w2s", "z", "c2s", "z", "b2"}, {"c2"}, "qconv2"),
                    "pads", {1, 1, 1, 1});
  b.node("Relu", {"c2"}, {"r2"}, "relu2");
  b.node("DequantizeLinear", {"r2", "c2s", "z"}, {"r2f"}, "deq_r2");
  b.node("DequantizeLinear", {"p1", "c1s", "z"}, {"p1f"}, "deq_p1");
  b.node("Add", {"r2f", "p1f"}, {"sf"}, "residual");
  b.node("QuantizeLinear", {"sf", "ss", "z"}, {"sq"}, "quant_s");
  b.node("DequantizeLinear", {"sq", "ss", "z"}, {"sd"}, "deq_s");
  b.node("GlobalAveragePool", {"sd"}, {"gp"}, "gap");
  b.node("Flatten", {"gp"}, {"f"}, "flatten");
  b.node("QuantizeLinear", {"f", "gs", "z"}, {"fq"}, "quant_f");
  b.node("QLinearMatMul", {"fq", "gs", "z", "wf", "wfs", "z", "fs", "z"}, {"lq"}, "qfc");
  b.node("DequantizeLinear", {"lq", "fs", "z"}, {"logits"}, "deq_logits");
  OnnxBuilder::integer(b.node("Softmax", {"logits"}, {"y"}, "softmax"), "axis", 1);
  b.output("y");
  TempDir d;
  const std::string model = b.save(d.path() + "/qcnn.onnx");
  const auto r = run_cli("run --model " + model + " --arch " + src_path("configs/arch/os_8x8_int8.yaml") +
                         " --graph --check-all --no-plots --dump-tensors " + d.path() + "/t --out " + d.path() + "/o");
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  const json j = json::parse(read_text(d.path() + "/o/stats.json"));
  // --check-all: every step's tensor against the golden graph, int8 and int32 bit-exact.
  CHECK(golden_checked_rows(j) == std::vector<std::string>{"quant_x",
                                                           "qconv1",
                                                           "qconv1.bias",
                                                           "qconv1/requantize",
                                                           "relu1",
                                                           "pool1",
                                                           "qconv2",
                                                           "qconv2.bias",
                                                           "qconv2/requantize",
                                                           "relu2",
                                                           "deq_r2",
                                                           "deq_p1",
                                                           "residual",
                                                           "quant_s",
                                                           "deq_s",
                                                           "gap",
                                                           "flatten",
                                                           "quant_f",
                                                           "qfc",
                                                           "qfc/requantize",
                                                           "deq_logits",
                                                           "softmax"});
  // The int8 tensors are not degenerate: the residual sum uses most of the int8 range, and the
  // logits are not all one value (a saturated or all-zero graph would pass any comparison).
  const auto read = [&](const std::string& name) { return arraysim::io::read_npy(d.path() + "/t/" + name + ".npy"); };
  const arraysim::io::NpyArray sq = read("sq"), lq = read("lq");
  std::int64_t lo = 127, hi = -128;
  for (std::int64_t i = 0; i < sq.tensor.size(); ++i) {
    lo = std::min(lo, sq.tensor.get_i64(i));
    hi = std::max(hi, sq.tensor.get_i64(i));
  }
  CHECK(hi - lo > 64);
  std::set<std::int64_t> logits;
  for (std::int64_t i = 0; i < lq.tensor.size(); ++i) logits.insert(lq.tensor.get_i64(i));
  CHECK(logits.size() > 3);
}

TEST_CASE("graph run: fused and unfused give the same outputs; fusion saves exactly the intermediate tensors' traffic",
          "[system][graph]") {
  TempDir d;
  const std::string model = small_cnn().save(d.path() + "/cnn.onnx");
  const auto run = [&](const std::string& fuse) {
    const auto r = run_cli("run --model " + model + " --arch " + src_path("configs/arch/ws_16x16_fp32.yaml") +
                           " --graph --check-all --no-plots --set arch.post_processor.fuse=" + fuse + " --out " +
                           d.path() + "/" + fuse);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    return json::parse(read_text(d.path() + "/" + fuse + "/stats.json"));
  };
  const json unfused = run("false"), fused = run("true");
  std::int64_t read[2] = {0, 0}, written[2] = {0, 0};
  for (int f = 0; f < 2; ++f)
    for (const json& l : (f ? fused : unfused)["layers"]) {
      INFO(l["name"]);
      CHECK(l["golden_match"] == true);
      for (const char* op : {"ifmap", "weight", "output"}) {
        read[f] += l["dram_read_bytes"][op].get<std::int64_t>();
        written[f] += l["dram_write_bytes"][op].get<std::int64_t>();
      }
    }
  // Fused chains: conv1 -> conv1.bias -> relu1, conv2 -> conv2.bias -> relu2 (relu2's output
  // feeds the residual add with another streamed operand: the chain ends), fc -> fc.bias
  // (softmax is not element-wise). Each tensor handed on chip is neither written nor read back:
  // conv1's accumulator and c1 (1·8·8·8 fp32 = 2048 bytes each), conv2's accumulator and c2
  // (1·8·4·4 fp32 = 512 each), fc's accumulator (10 fp32 = 40 bytes, one 64-byte burst):
  // 2048 + 2048 + 512 + 512 + 64 = 5184 bytes in each direction.
  CHECK(read[0] - read[1] == 5184);
  CHECK(written[0] - written[1] == 5184);
  CHECK(stats_row(fused, "relu1")["dram_read_bytes"]["ifmap"] == 0);
  CHECK(stats_row(fused, "conv1")["dram_write_bytes"]["output"] == 0);
  CHECK(stats_row(fused, "relu1")["dram_write_bytes"]["output"] == 2048);
}

TEST_CASE("graph run: timing fidelity gives the cycles of values fidelity on DDR4", "[system][graph]") {
  TempDir d;
  const std::string model = small_cnn().save(d.path() + "/cnn.onnx");
  const std::string base = "run --model " + model + " --arch " + src_path("configs/arch/ddr4_os_16x16.yaml") +
                           " --graph --no-plots --set arch.array.input_dtype=fp32 --set sim.fidelity=";
  const auto v = run_cli(base + "values --out " + d.path() + "/v");
  const auto t = run_cli(base + "timing --out " + d.path() + "/t");
  INFO(v.err << t.err);
  REQUIRE(v.exit_code == 0);
  REQUIRE(t.exit_code == 0);
  const json jv = json::parse(read_text(d.path() + "/v/stats.json"));
  const json jt = json::parse(read_text(d.path() + "/t/stats.json"));
  REQUIRE(jv["layers"].size() == jt["layers"].size());
  for (std::size_t i = 0; i < jv["layers"].size(); ++i) {
    INFO(jv["layers"][i]["name"]);
    CHECK(jv["layers"][i]["total_cycles"] == jt["layers"][i]["total_cycles"]);
    CHECK(jv["layers"][i]["stall_cycles"] == jt["layers"][i]["stall_cycles"]);
    CHECK(jv["layers"][i]["dram_read_bytes"] == jt["layers"][i]["dram_read_bytes"]);
  }
  // With DDR4 the unit waits for its loads: the stalls are counted, and cycles exceed the closed form.
  CHECK(stats_row(jv, "relu1")["stall_cycles"].get<std::int64_t>() > 0);
  CHECK(stats_row(jv, "relu1")["total_cycles"].get<std::int64_t>() ==
        32 + stats_row(jv, "relu1")["stall_cycles"].get<std::int64_t>());
}

TEST_CASE("graph run: --dump-tensors writes every tensor of the graph by name", "[system][graph]") {
  TempDir d;
  const std::string model = small_cnn().save(d.path() + "/cnn.onnx");
  const auto r = run_cli("run --model " + model + " --arch " + src_path("configs/arch/ws_4x4_fp32.yaml") +
                         " --graph --dump-tensors " + d.path() + "/t --only output");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("wrote 1 tensors to " + d.path() + "/t/ (.npy)") != std::string::npos);
  CHECK(fs::exists(d.path() + "/t/y.npy"));
  const auto all = run_cli("run --model " + model + " --arch " + src_path("configs/arch/ws_4x4_fp32.yaml") +
                           " --graph --dump-tensors " + d.path() + "/all");
  REQUIRE(all.exit_code == 0);
  // 1 input, 6 constants and the outputs of the 10 operators (the accumulators of conv1, conv2
  // and fc before their bias are not tensors of the graph): 17.
  CHECK(all.out.find("wrote 17 tensors") != std::string::npos);
  CHECK(fs::exists(d.path() + "/all/r1.npy"));
  CHECK(fs::exists(d.path() + "/all/W1.npy"));
}

TEST_CASE("graph run: bad input is one clear line, exit 2", "[system][graph]") {
  TempDir d;
  const std::string model = small_cnn().save(d.path() + "/cnn.onnx");
  SECTION("operands of another type than the array's") {
    const auto r =
        run_cli("run --model " + model + " --arch " + src_path("configs/arch/os_8x8_int8.yaml") + " --graph");
    CHECK(r.exit_code == 2);
    CHECK(r.err ==
          "arraysim: error: node 'conv1' (conv2d): x is fp32; the array takes int8 (arch.array.input_dtype)\n");
  }
  SECTION("--check-all without a graph") {
    const auto r = run_cli("run --check-all");
    CHECK(r.exit_code == 2);
    CHECK(r.err == "arraysim: error: --check-all needs a whole graph (--model FILE.onnx --graph)\n");
  }
  SECTION("--graph without a model") {
    const auto r = run_cli("run --graph");
    CHECK(r.exit_code == 2);
    CHECK(r.err == "arraysim: error: run: --graph needs --model (an ONNX model)\n");
  }
  // x [1][4] by W [4][2] on the array, then the operators under test; returns the run's stderr
  // with the model's path as FILE.
  const auto graph = [&](const std::string& name, const std::function<void(OnnxBuilder&)>& nodes, int exit_code) {
    OnnxBuilder b(name);
    b.input("x", {1, 4}).floats("W", {4, 2}, grid_values(8, 0.5f, 1)).floats("V", {1, 3}, grid_values(3, 0.5f, 2));
    b.node("MatMul", {"x", "W"}, {"m"}, "mm");
    nodes(b);
    b.output("y");
    const std::string file = b.save(d.path() + "/" + name + ".onnx"), out = d.path() + "/o_" + name;
    const auto r = run_cli("run --model " + file + " --arch " + src_path("configs/arch/ws_4x4_fp32.yaml") +
                           " --graph --no-plots --out " + out);
    CHECK(r.exit_code == exit_code);
    CHECK(fs::exists(out) == (exit_code == 0));  // a refused model leaves no output behind
    std::string err = r.err;
    for (std::size_t at; (at = err.find(file)) != std::string::npos;) err.replace(at, file.size(), "FILE");
    return err;
  };
  struct Refused {
    const char* name;
    std::function<void(OnnxBuilder&)> nodes;
    const char* err;
  };
  const Refused refused[] = {
      {"cycle",
       [](OnnxBuilder& b) {
         b.node("Add", {"m", "y"}, {"a"}, "add_a");
         b.node("Relu", {"a"}, {"y"}, "relu_y");
       },
       "FILE: the graph has a cycle: node 'add_a' (Add) uses the output of node 'relu_y' (Relu), which uses the "
       "output of node 'add_a' (Add)\n"},
      {"undefined",
       [](OnnxBuilder& b) {
         b.node("Add", {"m", "nowhere"}, {"y"}, "add1");
       },
       "FILE: node 'add1' (Add): input 'nowhere' is not a value of the graph\n"},
      {"shape",
       [](OnnxBuilder& b) {
         b.node("Add", {"m", "V"}, {"y"}, "add_bad");
       },
       "FILE: node 'add_bad' (Add): [1, 2] and [1, 3] do not broadcast\n"},
  };
  for (const Refused& c : refused) {
    SECTION(std::string("refused: ") + c.name) { CHECK(graph(c.name, c.nodes, 2) == c.err); }
  }
  SECTION("a tensor read before the node that produces it: ONNX requires topological order; the run sorts, warns") {
    const std::string err = graph(
        "order",
        [](OnnxBuilder& b) {
          b.node("Relu", {"late"}, {"y"}, "relu_y");
          b.node("Relu", {"m"}, {"late"}, "relu_late");
        },
        0);
    CHECK(err.rfind("arraysim: warning: FILE: the nodes are not in topological order (as ONNX requires); taken in an "
                    "order where every value is computed before it is used\n",
                    0) == 0);
    const json j = json::parse(read_text(d.path() + "/o_order/stats.json"));
    std::vector<std::string> names;
    for (const json& l : j["layers"]) names.push_back(l["name"]);
    CHECK(names == std::vector<std::string>{"mm", "relu_late", "relu_y"});
  }
  SECTION("an operator the graph IR does not have") {
    OnnxBuilder b("pad");
    b.input("x", {1, 4}).floats("W", {4, 2}, grid_values(8, 0.5f, 1));
    b.node("MatMul", {"x", "W"}, {"m"}, "mm");
    b.node("Erf", {"m"}, {"y"}, "erf1");
    b.output("y");
    const std::string bad = b.save(d.path() + "/erf.onnx");
    const auto r = run_cli("run --model " + bad + " --arch " + src_path("configs/arch/ws_4x4_fp32.yaml") + " --graph");
    CHECK(r.exit_code == 2);
    CHECK(r.err.find(bad + ": node 'erf1' (Erf): not in the graph IR yet") != std::string::npos);
  }
}
