/// Winograd F(m×m, 3×3) in whole-graph runs (arch.lowering: winograd_f2 | winograd_f4,
/// docs/transforms.md): the transforms on the post-processing unit, the α² GEMMs on the array,
/// every tensor checked against the golden graph's direct convolution. Each case spawns the binary.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <random>

#include "tests/onnx_builder.hpp"
#include "tests/stats_support.hpp"
#include "tests/support.hpp"

using arraysim::test::grid_values;
using arraysim::test::OnnxBuilder;
using arraysim::test::read_text;
using arraysim::test::run_cli;
using arraysim::test::src_path;
using arraysim::test::stats_row;
using arraysim::test::TempDir;
using nlohmann::json;

namespace {
/// x [1][4][8][8] -> conv1 (3x3, pads 1, 8 channels, bias) -> relu1 -> conv2 (3x3, no pad, 4
/// channels) -> conv3 (1x1, 4 channels) -> y [1][4][6][6], fp32.
OnnxBuilder three_convs() {
  OnnxBuilder b("three_convs");
  b.input("x", {1, 4, 8, 8});
  b.floats("W1", {8, 4, 3, 3}, grid_values(288, 0.5f, 1)).floats("B1", {8}, grid_values(8, 0.5f, 2));
  b.floats("W2", {4, 8, 3, 3}, grid_values(288, 0.5f, 3)).floats("W3", {4, 4, 1, 1}, grid_values(16, 0.5f, 4));
  OnnxBuilder::ints(b.node("Conv", {"x", "W1", "B1"}, {"c1"}, "conv1"), "pads", {1, 1, 1, 1});
  b.node("Relu", {"c1"}, {"r1"}, "relu1");
  b.node("Conv", {"r1", "W2"}, {"c2"}, "conv2");
  b.node("Conv", {"c2", "W3"}, {"y"}, "conv3");
  b.output("y");
  return b;
}

}  // namespace

TEST_CASE("winograd graph run: F(2x2) and F(4x4) rows, MACs, unit cycles by hand, outputs against golden",
          "[system][graph][winograd]") {
  TempDir d;
  const std::string model = three_convs().save(d.path() + "/m.onnx");
  for (int m : {2, 4}) {
    SECTION("winograd_f" + std::to_string(m)) {
      const std::string out = d.path() + "/f" + std::to_string(m);
      const auto r = run_cli("run --model " + model + " --arch " + src_path("configs/arch/ws_4x4_fp32.yaml") +
                             " --graph --check-all --no-plots --set arch.lowering=winograd_f" + std::to_string(m) +
                             " --out " + out);
      INFO(r.out << r.err);
      REQUIRE(r.exit_code == 0);
      CHECK(r.err.find("arraysim: arch.lowering winograd_f" + std::to_string(m) + ": 2 of 3 convolutions by F(" +
                       std::to_string(m) + "x" + std::to_string(m) +
                       ", 3x3); as implicit im2col (not 3x3, stride 1, dilation 1, groups 1, fp32): conv3\n") !=
            std::string::npos);
      const json j = json::parse(read_text(out + "/stats.json"));
      const std::int64_t a2 = (m + 2) * (m + 2);
      // Every row: conv1's filter and input transforms, α² GEMMs, output transform, bias; relu1;
      // conv2's (no bias); conv3 as a conv2d. --check-all: each within the fp32 bound of golden.
      std::vector<std::string> names, want;
      for (const json& l : j["layers"]) {
        names.push_back(l["name"]);
        INFO(l["name"]);
        CHECK(l["golden_match"] == true);
        CHECK(l["analytic_match"] == true);
      }
      for (const char* conv : {"conv1", "conv2"}) {
        want.push_back(std::string(conv) + ".winograd_filter");
        want.push_back(std::string(conv) + ".winograd_input");
        for (std::int64_t k = 0; k < a2; ++k)
          want.push_back(std::string(conv) + ".winograd[" + std::to_string(k) + "]");
        want.push_back(std::string(conv) + ".winograd_output");
        if (std::string(conv) == "conv1") want.insert(want.end(), {"conv1.bias", "relu1"});
      }
      want.push_back("conv3");
      CHECK(names == want);
      // MACs: conv1 has an 8x8 output, conv2 6x6. F(2x2): 16 and 9 tiles; F(4x4): 4 and 4 (conv2's
      // 6x6 in 2x2 tiles of 4x4, the edges cropped). Each GEMM is tiles x C by C x OC.
      const std::int64_t t1 = m == 2 ? 16 : 4, t2 = m == 2 ? 9 : 4;
      CHECK(stats_row(j, "conv1.winograd[0]")["macs"] == t1 * 4 * 8);
      CHECK(stats_row(j, "conv2.winograd[" + std::to_string(a2 - 1) + "]")["macs"] == t2 * 8 * 4);
      std::int64_t conv1_macs = 0;
      for (std::int64_t k = 0; k < a2; ++k)
        conv1_macs += stats_row(j, "conv1.winograd[" + std::to_string(k) + "]")["macs"].get<std::int64_t>();
      // The direct convolution does 8·8·8·4·9 = 18,432 MACs; F(2x2): 16 GEMMs of 16·4·8 = 512,
      // 8,192 (2.25x fewer); F(4x4): 36 GEMMs of 4·4·8 = 128, 4,608 (4x fewer).
      CHECK(conv1_macs == (m == 2 ? 8192 : 4608));
      // Unit cycles (16 lanes, every latency 1, ideal DRAM, one chunk each): a transform of u
      // units runs each of its instructions over ⌈u/16⌉ steps.
      //   conv1 filter: 4·8 = 32 filters, 2 steps; F(2x2) 70 instructions: 140; F(4x4) 189: 378.
      //   conv1 input: 16·4 = 64 tile-channels, 4 steps, 32 instructions: 128; F(4x4): 4·4 = 16,
      //     1 step, 336 instructions: 336.
      //   conv1 output: 16·8 = 128 tile-channels, 8 steps, 24 instructions: 192; F(4x4): 4·8 =
      //     32, 2 steps, 200 instructions: 400.
      CHECK(stats_row(j, "conv1.winograd_filter")["total_cycles"] == (m == 2 ? 140 : 378));
      CHECK(stats_row(j, "conv1.winograd_input")["total_cycles"] == (m == 2 ? 128 : 336));
      CHECK(stats_row(j, "conv1.winograd_output")["total_cycles"] == (m == 2 ? 192 : 400));
      CHECK(stats_row(j, "conv1.winograd_input")["type"] == "winograd_input");
      // V is α²/m² times the input: 16·16·4 (F(2x2)) or 36·4·4 (F(4x4)) fp32 written.
      CHECK(stats_row(j, "conv1.winograd_input")["dram_write_bytes"]["output"] == (m == 2 ? 4096 : 2304));
    }
  }
}

TEST_CASE("winograd lowering: a layer list is refused with the reason", "[system][winograd]") {
  const auto r =
      run_cli("run " + src_path("configs/experiments/quickstart.yaml") + " --set arch.lowering=winograd_f2 --no-plots");
  CHECK(r.exit_code == 2);
  CHECK(r.err ==
        "arraysim: error: arch.lowering: winograd_f2 lowers the convolutions of a whole-graph run (--model FILE.onnx "
        "--graph); a layer list runs im2col (arch.lowering: implicit or explicit)\n");
}
