/// `arraysim import scalesim|onnx` and `arraysim run --cfg/--topology/--gemm` / `--model/--arch`
/// end to end (each case spawns the real binary).
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>

#include "tests/onnx_builder.hpp"
#include "tests/support.hpp"

namespace fs = std::filesystem;
using arraysim::test::OnnxBuilder;
using arraysim::test::run_cli;
using arraysim::test::src_path;
using arraysim::test::TempDir;
using arraysim::test::write_text;

namespace {

const std::string kCfg = src_path("tests/data/scalesim/c32_sram16_bw2.cfg");

/// A small CNN: conv -> relu -> conv, 8 output channels.
OnnxBuilder small_cnn() {
  OnnxBuilder b("small_cnn");
  b.input("X", {1, 4, 10, 10}).initializer("W1", {8, 4, 3, 3}).initializer("W2", {8, 8, 1, 1}).output("Y");
  OnnxBuilder::ints(b.node("Conv", {"X", "W1"}, {"c1"}, "conv1"), "pads", {1, 1, 1, 1});
  b.node("Relu", {"c1"}, {"r1"}, "relu1");
  b.node("Conv", {"r1", "W2"}, {"Y"}, "conv2");
  return b;
}

}  // namespace

TEST_CASE("cli import: --help of import, import scalesim, import onnx and the run import options", "[system][import]") {
  const auto h = run_cli("--help");
  CHECK(h.out.find("import") != std::string::npos);
  const auto imp = run_cli("import --help");
  CHECK(imp.exit_code == 0);
  CHECK(imp.out.find("scalesim") != std::string::npos);
  CHECK(imp.out.find("onnx") != std::string::npos);
  const auto ss = run_cli("import scalesim --help");
  CHECK(ss.exit_code == 0);
  for (const char* o : {"--cfg", "--topology", "--gemm", "--output"}) CHECK(ss.out.find(o) != std::string::npos);
  const auto ox = run_cli("import onnx --help");
  CHECK(ox.exit_code == 0);
  for (const char* o : {"--model", "--arch", "--input-shape", "--output"}) CHECK(ox.out.find(o) != std::string::npos);
  const auto run = run_cli("run --help");
  for (const char* o : {"--cfg", "--topology", "--gemm", "--model", "--arch", "--input-shape"})
    CHECK(run.out.find(o) != std::string::npos);
  CHECK(run_cli("import").exit_code == 2);
  CHECK(run_cli("import scalesim --cfg " + kCfg + " -o x.yaml").exit_code == 2);  // --topology is required
}

TEST_CASE("cli import scalesim writes an experiment that check and run accept", "[system][import]") {
  TempDir d;
  const std::string topo = write_text(d.path() + "/small.csv", "Layer,M,N,K,\ng0,16,8,24,\ng1,5,40,3,\n");
  const std::string out = d.path() + "/exp.yaml";
  const auto r = run_cli("import scalesim --cfg " + kCfg + " --topology " + topo + " --gemm -o " + out);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out == "wrote " + out + " (2 layers)\n");
  CHECK(r.err.empty());
  const std::string yaml = arraysim::test::read_text(out);
  CHECK(yaml.find("dram: {model: simple, bytes_per_cycle: 2, latency_cycles: 1}") != std::string::npos);
  CHECK(yaml.find("- {name: g0, type: gemm, m: 16, n: 8, k: 24}") != std::string::npos);
  for (const auto& e : fs::directory_iterator(d.path()))  // no temporary file left behind
    CHECK(e.path().filename().string().find(".tmp-") == std::string::npos);

  const auto check = run_cli("check " + out);
  CHECK(check.exit_code == 0);
  CHECK(check.out.find("rows: 32") != std::string::npos);

  // The file and the direct run give the same results.
  const auto from_file = run_cli("run " + out);
  const auto direct = run_cli("run --cfg " + kCfg + " --topology " + topo + " --gemm");
  INFO(direct.err);
  REQUIRE(from_file.exit_code == 0);
  REQUIRE(direct.exit_code == 0);
  CHECK(direct.out.find("g0") != std::string::npos);
  CHECK(direct.out.find("16x8x24") != std::string::npos);
  CHECK(direct.out.substr(direct.out.find('\n')) == from_file.out.substr(from_file.out.find('\n')));
}

TEST_CASE("cli run --cfg --topology applies --set and runs a convolution topology", "[system][import]") {
  TempDir d;
  const std::string topo =
      write_text(d.path() + "/conv.csv",
                 "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num "
                 "Filter, Strides,\nc1,10,10,3,3,4,8,1,\nc2_DP,8,8,3,3,8,1,2,\n");
  const auto r = run_cli("run --cfg " + kCfg + " --topology " + topo +
                         " --set arch.array.rows=8 --set arch.array.cols=8 --out " + d.path() + "/out");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("c1") != std::string::npos);
  const std::string eff = arraysim::test::read_text(d.path() + "/out/effective_config.yaml");
  CHECK(eff.find("rows: 8") != std::string::npos);
  CHECK(eff.find("groups: 8") != std::string::npos);  // the DP row
}

TEST_CASE("cli import errors: malformed CSV and cfg give FILE:LINE:COL, exit 2, nothing written", "[system][import]") {
  TempDir d;
  const std::string topo = write_text(d.path() + "/bad.csv", "Layer,M,N,K,\ng0,16,8,24,\ng1,5,forty,3,\n");
  const std::string out = d.path() + "/exp.yaml";
  const auto r = run_cli("import scalesim --cfg " + kCfg + " --topology " + topo + " --gemm -o " + out);
  CHECK(r.exit_code == 2);
  CHECK(r.err == topo + ":3:6 workload.layers.1.n: N: expected an integer, got 'forty'\n");
  CHECK_FALSE(fs::exists(out));

  // An existing output file is left as it was.
  write_text(out, "old\n");
  const std::string cfg = write_text(d.path() + "/bad.cfg", arraysim::test::read_text(kCfg) + "[run_preset]\nx = 1\n");
  const std::string good_topo = write_text(d.path() + "/ok.csv", "Layer,M,N,K,\ng0,16,8,24,\n");
  const auto c = run_cli("import scalesim --cfg " + cfg + " --topology " + good_topo + " --gemm -o " + out);
  CHECK(c.exit_code == 2);
  CHECK(c.err == cfg + ":19:1 run_preset: unknown section [run_preset] (did you mean [run_presets]?)\n");
  CHECK(arraysim::test::read_text(out) == "old\n");

  const auto run = run_cli("run --cfg " + kCfg + " --topology " + topo + " --gemm");
  CHECK(run.exit_code == 2);
  CHECK(run.err == topo + ":3:6 workload.layers.1.n: N: expected an integer, got 'forty'\n");
}

TEST_CASE("cli run import options: wrong combinations are usage errors", "[system][import]") {
  const std::string topo = src_path("tests/data/scalesim/layers_gemm.csv");
  const auto both = run_cli("run configs/experiments/quickstart.yaml --cfg " + kCfg + " --topology " + topo);
  CHECK(both.exit_code == 2);
  CHECK(both.err ==
        "arraysim: error: run: give an experiment file, or --cfg and --topology (SCALE-Sim), or --model and --arch "
        "(ONNX); not 'configs/experiments/quickstart.yaml' and --cfg/--topology\n");
  const auto no_topo = run_cli("run --cfg " + kCfg);
  CHECK(no_topo.exit_code == 2);
  CHECK(no_topo.err == "arraysim: error: run: --cfg needs --topology (the SCALE-Sim topology CSV)\n");
  const auto gemm_only = run_cli("run --gemm");
  CHECK(gemm_only.exit_code == 2);
  CHECK(gemm_only.err == "arraysim: error: run: --topology and --gemm need --cfg (the SCALE-Sim architecture file)\n");
  const auto model_only = run_cli("run --model net.onnx");
  CHECK(model_only.exit_code == 2);
  CHECK(model_only.err ==
        "arraysim: error: run: --model needs --arch (an architecture YAML, e.g. configs/arch/os_8x8_int8.yaml)\n");
  const auto mixed = run_cli("run --model net.onnx --arch a.yaml --cfg " + kCfg);
  CHECK(mixed.exit_code == 2);
  CHECK(mixed.err ==
        "arraysim: error: run: --cfg/--topology/--gemm (SCALE-Sim) and --model/--arch (ONNX) cannot be combined\n");
}

TEST_CASE("cli import onnx and run --model --arch", "[system][import]") {
  TempDir d;
  const std::string model = small_cnn().save(d.path() + "/cnn.onnx");
  fs::create_directories(d.path() + "/exps");
  const std::string out = d.path() + "/exps/cnn.yaml";
  const std::string arch = src_path("configs/arch/os_8x8_int8.yaml");
  const auto r = run_cli("import onnx --model " + model + " --arch " + arch + " -o " + out);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out == "wrote " + out + " (2 layers)\n");
  CHECK(r.err == "arraysim: skipped 1 ONNX node: Relu x1\n");
  const std::string yaml = arraysim::test::read_text(out);
  INFO(yaml);
  CHECK(yaml.find("arch: " + arch + "\n") != std::string::npos);  // an absolute path stays absolute
  CHECK(yaml.find("name: conv1, type: conv2d, batch: 1, in_channels: 4, in_height: 10, in_width: 10, "
                  "out_channels: 8, kernel_h: 3, kernel_w: 3") != std::string::npos);

  // A relative --arch path is rewritten relative to the experiment file's directory.
  const std::string arch_rel = fs::relative(arch).string();
  REQUIRE(run_cli("import onnx --model " + model + " --arch " + arch_rel + " -o " + out).exit_code == 0);
  CHECK(arraysim::test::read_text(out).find("arch: " + fs::relative(arch, d.path() + "/exps").string() + "\n") !=
        std::string::npos);

  const auto from_file = run_cli("run " + out);
  const auto direct = run_cli("run --model " + model + " --arch " + arch_rel);
  INFO(direct.err);
  REQUIRE(from_file.exit_code == 0);
  REQUIRE(direct.exit_code == 0);
  CHECK(direct.err == "arraysim: skipped 1 ONNX node: Relu x1\n");
  CHECK(direct.out.find("conv2") != std::string::npos);
  CHECK(direct.out.substr(direct.out.find('\n')) == from_file.out.substr(from_file.out.find('\n')));
}

TEST_CASE("cli import onnx errors: truncated and text files, a weight of unknown shape; exit 2", "[system][import]") {
  TempDir d;
  const std::string arch = src_path("configs/arch/os_8x8_int8.yaml");
  std::string bytes;
  small_cnn().model().SerializeToString(&bytes);
  const std::string truncated = write_text(d.path() + "/truncated.onnx", bytes.substr(0, bytes.size() / 2));
  const std::string text = write_text(d.path() + "/text.onnx", "not a model\n");
  const std::string out = d.path() + "/exp.yaml";
  for (const std::string& f : {truncated, text}) {
    const auto r = run_cli("import onnx --model " + f + " --arch " + arch + " -o " + out);
    CHECK(r.exit_code == 2);
    CHECK(r.err == f + ": not a valid ONNX model (truncated, or not a protobuf file)\n");
    CHECK_FALSE(fs::exists(out));
    const auto run = run_cli("run --model " + f + " --arch " + arch);
    CHECK(run.exit_code == 2);
    CHECK(run.err == f + ": not a valid ONNX model (truncated, or not a protobuf file)\n");
  }

  // A model exported without its parameters: the weight is a graph input; its shape is enough.
  OnnxBuilder b;
  b.input("X", {1, 3, 8, 8}).input("W", {4, 3, 3, 3}).output("Y");
  b.node("Conv", {"X", "W"}, {"Y"}, "conv");
  const std::string weight_input = b.save(d.path() + "/weight_input.onnx");
  const auto r = run_cli("run --model " + weight_input + " --arch " + arch + " --no-plots --out " + d.path() + "/wi");
  CHECK(r.exit_code == 0);
  CHECK(r.err.find("arraysim: note: " + weight_input +
                   ": convolution weight 'W' is a graph input, not an initializer: the model was exported without "
                   "its parameters; arraysim uses its shape\n") != std::string::npos);
  // A weight whose shape is not static cannot be imported.
  OnnxBuilder sym;
  sym.input("X", {1, 3, 8, 8}).input("W", {4, 3, std::string("k"), 3}).output("Y");
  sym.node("Conv", {"X", "W"}, {"Y"}, "conv");
  const std::string symbolic = sym.save(d.path() + "/symbolic.onnx");
  const auto rs = run_cli("run --model " + symbolic + " --arch " + arch);
  CHECK(rs.exit_code == 2);
  CHECK(rs.err == symbolic +
                      ": node 'conv' (Conv): the shape of 'W' is not static after ONNX shape inference: dimension 2 "
                      "is symbolic ('k')\n");

  const auto no_arch = run_cli("run --model " + weight_input + " --arch " + d.path() + "/none.yaml");
  CHECK(no_arch.exit_code == 2);
  CHECK(no_arch.err == d.path() + "/none.yaml:1:1 (file): cannot read architecture file: No such file or directory\n");
  // Errors in the architecture file are reported in that file.
  const std::string bad = write_text(d.path() + "/bad_arch.yaml", "name: a\narray: {rows: 4, cols: 4, dataflow: xs}\n");
  const auto bad_arch = run_cli("run --model " + small_cnn().save(d.path() + "/ok.onnx") + " --arch " + bad);
  CHECK(bad_arch.exit_code == 2);
  CHECK(bad_arch.err == "arraysim: skipped 1 ONNX node: Relu x1\n" + bad +
                            ":2:40 arch.array.dataflow: 'xs' is not one of os|ws|is (did you mean 'os'?)\n");
}

TEST_CASE("cli import onnx: a model that crashes ONNX shape inference is one error line, exit 2", "[system][import]") {
  // Issue 14: libonnx's shape inference dereferences a null pointer on a convolution whose weight
  // has no spatial dimensions, with SAME padding (the checks before inference let it pass). It
  // runs in a child process: the crash is the child's, and arraysim reports it.
  TempDir d;
  OnnxBuilder b;
  b.input("X", {1, 2, 16}).initializer("W", {3, 2}).output("Y");
  OnnxBuilder::string(b.node("Conv", {"X", "W"}, {"Y"}, "c"), "auto_pad", "SAME_UPPER");
  const std::string model = b.save(d.path() + "/crash.onnx");
  const std::string arch = src_path("configs/arch/os_8x8_int8.yaml");
  const std::string out = d.path() + "/exp.yaml";
  const std::string line =
      model + ": ONNX shape inference failed on this model (crashed with SIGSEGV); arraysim cannot import it\n";
  const auto imp = run_cli("import onnx --model " + model + " --arch " + arch + " -o " + out);
  CHECK(imp.exit_code == 2);
  CHECK(imp.out.empty());
  CHECK(imp.err == line);
  CHECK_FALSE(fs::exists(out));
  const auto run = run_cli("run --model " + model + " --arch " + arch);
  CHECK(run.exit_code == 2);
  CHECK(run.out.empty());
  CHECK(run.err == line);
}

TEST_CASE("cli import onnx --input-shape: a symbolic sequence length given on the command line", "[system][import]") {
  TempDir d;
  const std::string arch = src_path("configs/arch/os_8x8_int8.yaml");
  OnnxBuilder b;
  b.input("X", {1, std::string("T"), 16}).initializer("W", {16, 8}).output("Y");
  b.node("MatMul", {"X", "W"}, {"Y"}, "proj");
  const std::string model = b.save(d.path() + "/seq.onnx");
  const auto bad = run_cli("run --model " + model + " --arch " + arch);
  CHECK(bad.exit_code == 2);
  CHECK(bad.err == model +
                       ": node 'proj' (MatMul): the shape of 'X' is not static after ONNX shape inference: dimension 1 "
                       "is symbolic ('T')\n");
  // T = 12: one GEMM, m = 1·12, k = 16, n = 8.
  const auto ok = run_cli("run --model " + model + " --arch " + arch + " --input-shape X=1x12x16 --no-plots --out " +
                          d.path() + "/o");
  INFO(ok.err);
  REQUIRE(ok.exit_code == 0);
  const auto j = nlohmann::json::parse(arraysim::test::read_text(d.path() + "/o/stats.json"));
  CHECK(j["layers"][0]["macs"] == 12 * 16 * 8);
  const auto imp = run_cli("import onnx --model " + model + " --arch " + arch + " --input-shape X=1x12x16 -o -");
  CHECK(imp.exit_code == 0);
  CHECK(imp.out.find("--input-shape X=1x12x16") != std::string::npos);
  const auto malformed = run_cli("run --model " + model + " --arch " + arch + " --input-shape X=1xTx16");
  CHECK(malformed.exit_code == 2);
  CHECK(malformed.err.find("--input-shape 'X=1xTx16': dimension 'T' is not a positive integer") != std::string::npos);
  const auto alone = run_cli("run --input-shape X=1x12x16");
  CHECK(alone.exit_code == 2);
  CHECK(alone.err.find("--input-shape needs --model") != std::string::npos);
}
