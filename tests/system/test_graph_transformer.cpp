/// Batched matmuls and transformer blocks as whole graphs (docs/graph.md, "Running a whole
/// graph"): a matmul whose B holds several matrices runs as one GEMM step per batch element, the
/// committed GPT-2 and BERT blocks run every operator, checked against the golden graph. Each case
/// spawns the real binary.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "tests/onnx_builder.hpp"
#include "tests/support.hpp"

using arraysim::test::OnnxBuilder;
using arraysim::test::read_text;
using arraysim::test::run_cli;
using arraysim::test::src_path;
using arraysim::test::TempDir;
using nlohmann::json;

namespace {

/// a [A] × b [B] -> mm -> relu -> y, both operands graph inputs (seeded by the run); the relu
/// reads the output assembled from the batch elements.
std::string matmul_graph(const std::string& dir, const std::string& name, const std::vector<std::int64_t>& a,
                         const std::vector<std::int64_t>& b) {
  OnnxBuilder g(name);
  std::vector<arraysim::test::Dim> da(a.begin(), a.end()), db(b.begin(), b.end());
  g.input("a", da).input("b", db);
  g.node("MatMul", {"a", "b"}, {"m"}, "mm");
  g.node("Relu", {"m"}, {"y"}, "relu");
  g.output("y");
  return g.save(dir + "/" + name + ".onnx");
}

json run_graph(const std::string& model, const std::string& arch, const std::string& out,
               const std::string& extra = "") {
  const auto r =
      run_cli("run --model " + model + " --arch " + src_path(arch) + " --graph --no-plots " + extra + " --out " + out);
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  return json::parse(read_text(out + "/stats.json"));
}

std::vector<std::string> row_names(const json& stats) {
  std::vector<std::string> names;
  for (const json& l : stats["layers"]) names.push_back(l["name"]);
  return names;
}

}  // namespace

TEST_CASE("graph run: a batched matmul runs as one GEMM per batch element, each checked against the golden graph",
          "[system][graph]") {
  TempDir d;
  const std::string arch = "configs/arch/ws_16x16_fp32.yaml";
  SECTION("[2,3,4,5] x [2,3,5,6]: six 4x5 by 5x6 GEMMs") {
    const json j =
        run_graph(matmul_graph(d.path(), "batched", {2, 3, 4, 5}, {2, 3, 5, 6}), arch, d.path() + "/o", "--check-all");
    CHECK(row_names(j) == std::vector<std::string>{"mm[0]", "mm[1]", "mm[2]", "mm[3]", "mm[4]", "mm[5]", "relu"});
    for (const json& l : j["layers"]) {
      INFO(l["name"]);
      CHECK(l["golden_match"] == true);
    }
    // Each element is M·N·K = 4·6·5 = 120 MACs.
    for (int i = 0; i < 6; ++i) CHECK(j["layers"][i]["macs"] == 120);
  }
  SECTION("broadcast [2,1,4,5] x [1,3,5,6]: batch [2,3], A's matrix repeated along 3, B's along 2") {
    const json j = run_graph(matmul_graph(d.path(), "broadcast", {2, 1, 4, 5}, {1, 3, 5, 6}), arch, d.path() + "/o",
                             "--check-all");
    CHECK(row_names(j) == std::vector<std::string>{"mm[0]", "mm[1]", "mm[2]", "mm[3]", "mm[4]", "mm[5]", "relu"});
    for (const json& l : j["layers"]) {
      INFO(l["name"]);
      CHECK(l["golden_match"] == true);
    }
  }
  SECTION("A of one matrix by a batched B [3,5,6]") {
    const json j =
        run_graph(matmul_graph(d.path(), "shared_a", {4, 5}, {3, 5, 6}), arch, d.path() + "/o", "--check-all");
    CHECK(row_names(j) == std::vector<std::string>{"mm[0]", "mm[1]", "mm[2]", "relu"});
    for (const json& l : j["layers"]) {
      INFO(l["name"]);
      CHECK(l["golden_match"] == true);
    }
  }
  SECTION("a B of one matrix keeps folding A's leading dimensions into M: one layer") {
    const json j =
        run_graph(matmul_graph(d.path(), "folded", {2, 3, 4, 5}, {1, 5, 6}), arch, d.path() + "/o", "--check-all");
    CHECK(row_names(j) == std::vector<std::string>{"mm", "relu"});
    // M = 2·3·4 = 24 rows: 24·6·5 = 720 MACs.
    CHECK(j["layers"][0]["macs"] == 720);
    CHECK(j["layers"][0]["golden_match"] == true);
  }
}

TEST_CASE("graph run: a batch element of a batched matmul takes the cycles of the same 2-D GEMM run alone",
          "[system][graph]") {
  TempDir d;
  // Simple DRAM (latency 120, 32 bytes per cycle): every batch element loads its own operands and
  // stores its output as a GEMM of its own would, so the cycles must match exactly.
  const std::string arch = "configs/arch/ws_16x16_fp32.yaml";
  const json batched = run_graph(matmul_graph(d.path(), "batched", {2, 3, 4, 5}, {2, 3, 5, 6}), arch, d.path() + "/b");
  const json alone = run_graph(matmul_graph(d.path(), "alone", {4, 5}, {5, 6}), arch, d.path() + "/a");
  REQUIRE(row_names(alone).front() == "mm");
  const json& single = alone["layers"][0];
  CHECK(single["total_cycles"].get<std::int64_t>() > 0);
  for (int i = 0; i < 6; ++i) {
    const json& l = batched["layers"][i];
    INFO(l["name"]);
    CHECK(l["total_cycles"] == single["total_cycles"]);
    CHECK(l["stall_cycles"] == single["stall_cycles"]);
    CHECK(l["dram_read_bytes"] == single["dram_read_bytes"]);
    CHECK(l["dram_write_bytes"] == single["dram_write_bytes"]);
  }
  // The elements run one after another: each starts when the one before has ended.
  for (int i = 1; i < 6; ++i)
    CHECK(batched["layers"][i]["start_cycle"].get<std::int64_t>() >=
          batched["layers"][i - 1]["start_cycle"].get<std::int64_t>() +
              batched["layers"][i - 1]["total_cycles"].get<std::int64_t>());
  // Timing fidelity runs the same schedule without values: the same cycles row by row.
  const json timing = run_graph(matmul_graph(d.path(), "batched_t", {2, 3, 4, 5}, {2, 3, 5, 6}), arch, d.path() + "/t",
                                "--set sim.fidelity=timing");
  REQUIRE(timing["layers"].size() == batched["layers"].size());
  for (std::size_t i = 0; i < timing["layers"].size(); ++i)
    CHECK(timing["layers"][i]["total_cycles"] == batched["layers"][i]["total_cycles"]);
}

TEST_CASE("graph run: the small GPT-2 and BERT blocks run every operator, every tensor within the fp32 bound",
          "[system][graph]") {
  TempDir d;
  const std::string arch = "configs/arch/ws_16x16_fp32.yaml";
  // seq 16, d_model 64, 4 heads of 16, MLP 256 (configs/workloads/networks/generate_graphs.py).
  // Array rows: the q, k, v and output projections and the two MLP matmuls (one GEMM each, the
  // batch dimension 1 folded into M = 16), and Q·Kᵀ and P·V as 4 GEMMs each (one per head).
  const auto check = [&](const std::string& file, const std::vector<std::string>& array_rows) {
    const json j =
        run_graph(src_path("configs/workloads/networks/graphs/" + file), arch, d.path() + "/" + file, "--check-all");
    std::vector<std::string> on_array;
    std::int64_t macs = 0;
    for (const json& l : j["layers"]) {
      INFO(l["name"]);
      CHECK(l["golden_match"] == true);
      if (l["vector_ops"].is_null()) {
        on_array.push_back(l["name"]);
        macs += l["macs"].get<std::int64_t>();
      }
    }
    CHECK(on_array == array_rows);
    // 4·seq·d² + 2·seq²·d + 2·seq·d·ff = 4·16·64² + 2·16²·64 + 2·16·64·256 = 262,144 + 32,768 +
    // 524,288 = 819,200.
    CHECK(macs == 819200);
    return j;
  };
  SECTION("GPT-2 (pre-LN, causal mask)") {
    const json j = check("gpt2_block_tiny.onnx",
                         {"attn.c_attn.q", "attn.c_attn.k", "attn.c_attn.v", "attn.scores[0]", "attn.scores[1]",
                          "attn.scores[2]", "attn.scores[3]", "attn.context[0]", "attn.context[1]", "attn.context[2]",
                          "attn.context[3]", "attn.c_proj", "mlp.c_fc", "mlp.c_proj"});
    // Q·Kᵀ per head: 16 queries by 16 keys over dh = 16: 16·16·16 = 4096 MACs.
    for (const json& l : j["layers"])
      if (l["name"].get<std::string>().rfind("attn.scores[", 0) == 0) CHECK(l["macs"] == 4096);
    // Timing fidelity moves no values and gives the same cycles, row by row.
    const json t = run_graph(src_path("configs/workloads/networks/graphs/gpt2_block_tiny.onnx"), arch,
                             d.path() + "/timing", "--set sim.fidelity=timing");
    REQUIRE(t["layers"].size() == j["layers"].size());
    for (std::size_t i = 0; i < t["layers"].size(); ++i) {
      INFO(j["layers"][i]["name"]);
      CHECK(t["layers"][i]["total_cycles"] == j["layers"][i]["total_cycles"]);
    }
  }
  SECTION("BERT (post-LN)") {
    check("bert_block_tiny.onnx",
          {"attention.self.query", "attention.self.key", "attention.self.value", "attention.self.scores[0]",
           "attention.self.scores[1]", "attention.self.scores[2]", "attention.self.scores[3]",
           "attention.self.context[0]", "attention.self.context[1]", "attention.self.context[2]",
           "attention.self.context[3]", "attention.output.dense", "intermediate.dense", "output.dense"});
  }
}
