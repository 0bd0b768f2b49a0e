/// `arraysim run --dump-tensors DIR` (docs/outputs.md, "Tensors"): the files, their shapes and
/// types, the simulated output equal to the product of the dumped operands computed here by plain
/// loops, `--only`, and the refusals.
#include <catch2/catch.hpp>

#include <filesystem>

#include "sim/io/npy.hpp"
#include "tests/support.hpp"

using namespace arraysim;
namespace fs = std::filesystem;

namespace {
const char* const kGemm = R"(
arch:
  array: {rows: 4, cols: 4, dataflow: ws}
  dram: {model: ideal}
workload:
  layers:
    - {type: gemm, name: first, m: 5, n: 3, k: 7}
    - {type: conv2d, name: "c/1", in_channels: 2, in_height: 5, in_width: 4, out_channels: 3, kernel: 3, padding: 1}
sim: {fidelity: values}
)";
}  // namespace

TEST_CASE("run --dump-tensors writes every layer's operands and simulated output as .npy", "[system][outputs]") {
  test::TempDir d;
  const std::string exp = test::write_text(d.path() + "/e.yaml", kGemm);
  const std::string dir = d.path() + "/tensors";
  const test::CliResult r = test::run_cli("run " + exp + " --dump-tensors " + dir);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("wrote 6 tensors to " + dir + "/ (.npy)\n") != std::string::npos);
  // Layer names: "first" as it is, "c/1" with its '/' replaced.
  std::vector<std::string> files;
  for (const auto& f : fs::directory_iterator(dir)) files.push_back(f.path().filename().string());
  std::sort(files.begin(), files.end());
  CHECK(files == std::vector<std::string>{"0_first.input.npy", "0_first.output.npy", "0_first.weight.npy",
                                          "1_c_1.input.npy", "1_c_1.output.npy", "1_c_1.weight.npy"});
  const ir::Tensor a = io::read_npy(dir + "/0_first.input.npy").tensor;
  const ir::Tensor b = io::read_npy(dir + "/0_first.weight.npy").tensor;
  const ir::Tensor c = io::read_npy(dir + "/0_first.output.npy").tensor;
  CHECK(a.dtype() == ir::DType::int8);
  CHECK(a.shape() == ir::Shape{5, 7});
  CHECK(b.shape() == ir::Shape{7, 3});
  CHECK(c.dtype() == ir::DType::int32);
  REQUIRE(c.shape() == ir::Shape{5, 3});
  for (std::int64_t i = 0; i < 5; ++i)
    for (std::int64_t j = 0; j < 3; ++j) {
      std::int64_t sum = 0;
      for (std::int64_t k = 0; k < 7; ++k) sum += a.get_i64(i * 7 + k) * b.get_i64(k * 3 + j);
      CHECK(c.get_i64(i * 3 + j) == sum);
    }
  // The convolution: X [1, 2, 5, 4], W [3, 2, 3, 3], Y [1, 3, 5, 4] (padding 1 keeps 5 x 4).
  CHECK(io::read_npy(dir + "/1_c_1.input.npy").tensor.shape() == ir::Shape{1, 2, 5, 4});
  CHECK(io::read_npy(dir + "/1_c_1.weight.npy").tensor.shape() == ir::Shape{3, 2, 3, 3});
  CHECK(io::read_npy(dir + "/1_c_1.output.npy").tensor.shape() == ir::Shape{1, 3, 5, 4});

  SECTION("--only output writes the outputs alone") {
    const std::string only = d.path() + "/only";
    REQUIRE(test::run_cli("run " + exp + " --dump-tensors " + only + " --only output").exit_code == 0);
    std::vector<std::string> names;
    for (const auto& f : fs::directory_iterator(only)) names.push_back(f.path().filename().string());
    std::sort(names.begin(), names.end());
    CHECK(names == std::vector<std::string>{"0_first.output.npy", "1_c_1.output.npy"});
  }
  SECTION("a directory that is not empty is refused and left as it is") {
    const test::CliResult again = test::run_cli("run " + exp + " --dump-tensors " + dir);
    CHECK(again.exit_code == 2);
    CHECK(again.err == "arraysim: error: cannot write '" + dir +
                           "': --dump-tensors names a directory that is not empty (give a new or empty one)\n");
    CHECK(std::distance(fs::directory_iterator(dir), fs::directory_iterator()) == 6);
  }
  SECTION("timing fidelity is refused and nothing is created") {
    const std::string none = d.path() + "/none";
    const test::CliResult t = test::run_cli("run " + exp + " --set sim.fidelity=timing --dump-tensors " + none);
    CHECK(t.exit_code == 2);
    CHECK(t.err ==
          "arraysim: error: --dump-tensors needs values fidelity; the selected layers run in timing fidelity "
          "(sim.fidelity: timing; --set sim.fidelity=values)\n");
    CHECK_FALSE(fs::exists(none));
  }
  SECTION("--only needs --dump-tensors; unknown kinds are refused") {
    const test::CliResult o = test::run_cli("run " + exp + " --only output");
    CHECK(o.exit_code == 2);
    CHECK(o.err == "arraysim: --only needs --dump-tensors DIR (it selects the tensors written there)\n");
    CHECK(test::run_cli("run " + exp + " --dump-tensors " + d.path() + "/x --only bias").exit_code == 2);
  }
}

TEST_CASE("run --input FILE.npy feeds the first layer; its output is the product with the seeded weight",
          "[system][outputs]") {
  test::TempDir d;
  const std::string exp = test::write_text(d.path() + "/e.yaml", R"(
arch:
  array: {rows: 4, cols: 4, dataflow: os}
  dram: {model: ideal}
workload:
  layers:
    - {type: gemm, name: g, m: 2, n: 5, k: 3}
sim: {fidelity: values}
)");
  // A = [[1, 2, 3], [-4, 5, 127]] (int8), written as numpy would.
  ir::Tensor a(ir::DType::int8, {2, 3});
  const std::int64_t av[] = {1, 2, 3, -4, 5, 127};
  for (int i = 0; i < 6; ++i) a.set_i64(i, av[i]);
  const std::string in = d.path() + "/a.npy";
  io::write_npy(in, a);
  const std::string dir = d.path() + "/t";
  const test::CliResult r = test::run_cli("run " + exp + " --input " + in + " --dump-tensors " + dir);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);  // the golden check passed too
  const ir::Tensor dumped = io::read_npy(dir + "/0_g.input.npy").tensor;
  for (int i = 0; i < 6; ++i) CHECK(dumped.get_i64(i) == av[i]);
  const ir::Tensor b = io::read_npy(dir + "/0_g.weight.npy").tensor;
  const ir::Tensor c = io::read_npy(dir + "/0_g.output.npy").tensor;
  REQUIRE(c.shape() == ir::Shape{2, 5});
  for (std::int64_t i = 0; i < 2; ++i)
    for (std::int64_t j = 0; j < 5; ++j) {
      std::int64_t sum = 0;
      for (std::int64_t k = 0; k < 3; ++k) sum += av[i * 3 + k] * b.get_i64(k * 5 + j);
      CHECK(c.get_i64(i * 5 + j) == sum);
    }

  // A file of another shape or type is one error naming it and what the layer takes.
  ir::Tensor wide(ir::DType::int16, {2, 3});
  const std::string w = d.path() + "/w.npy";
  io::write_npy(w, wide);
  const test::CliResult bad = test::run_cli("run " + exp + " --input " + w);
  CHECK(bad.exit_code == 2);
  CHECK(bad.err == "arraysim: error: --input " + w +
                       ": holds [2, 3] int16; layer 'g' takes [2, 3] int8 (its input; arch.array.input_dtype)\n");
  const test::CliResult timing = test::run_cli("run " + exp + " --input " + in + " --set sim.fidelity=timing");
  CHECK(timing.exit_code == 2);
  CHECK(timing.err == "arraysim: error: --input " + in +
                          ": needs values fidelity; the selected layers run in timing fidelity (--set "
                          "sim.fidelity=values)\n");
}
