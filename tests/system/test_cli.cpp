/// The arraysim command line end to end (each case spawns the real binary).
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "tests/support.hpp"

using arraysim::test::read_text;
using arraysim::test::run_cli;
using arraysim::test::TempDir;

TEST_CASE("cli --help --version and help of every subcommand", "[system][cli]") {
  const auto v = run_cli("--version");
  CHECK(v.exit_code == 0);
  CHECK(v.out == "arraysim 0.1.0\n");
  const auto h = run_cli("--help");
  CHECK(h.exit_code == 0);
  CHECK(h.out.find("run") != std::string::npos);
  CHECK(h.out.find("check") != std::string::npos);
  for (const char* sub : {"run", "check"}) {
    const auto s = run_cli(std::string(sub) + " --help");
    INFO(sub);
    CHECK(s.exit_code == 0);
    CHECK(s.out.find("--set") != std::string::npos);
  }
  const auto none = run_cli("");
  CHECK(none.exit_code == 2);
  const auto bad = run_cli("frobnicate");
  CHECK(bad.exit_code == 2);
}

TEST_CASE("cli run of the built-in demo writes every report and matches golden and analytic", "[system][cli]") {
  TempDir d;
  const std::string out = d.path() + "/demo";
  const auto r = run_cli("run --out " + out);
  REQUIRE(r.exit_code == 0);
  for (const char* f : {"stats.json", "layers.csv", "summary.txt", "effective_config.yaml"})
    CHECK(std::filesystem::exists(out + "/" + f));
  const auto j = nlohmann::json::parse(read_text(out + "/stats.json"));
  CHECK(j["golden_match"] == true);
  CHECK(j["analytic_match"] == true);
  // 8x8 OS demo: conv3x3 is GEMM 196x16x72 -> F = 25*2 folds; F*K + Fn*M + C_last + R - 2
  // = 50*72 + 2*196 + 8 + 8 - 2 = 4006 cycles.
  CHECK(j["layers"][0]["gemm_m"] == 196);
  CHECK(j["layers"][0]["gemm_n"] == 16);
  CHECK(j["layers"][0]["gemm_k"] == 72);
  CHECK(j["layers"][0]["total_cycles"] == 4006);
  CHECK(j["layers"][0]["macs"] == 196 * 16 * 72);
  const std::string csv = read_text(out + "/layers.csv");
  CHECK(csv.rfind("name,type,gemm_m,gemm_n,gemm_k,groups,macs,total_cycles,", 0) == 0);
  CHECK(csv.find("\nconv3x3,conv2d,196,16,72,1,225792,4006,4006,0,50,") != std::string::npos);
  // No leftover temporary files.
  for (const auto& e : std::filesystem::directory_iterator(out)) CHECK(e.path().filename().string()[0] != '.');
}

TEST_CASE("cli check prints the effective configuration and exits 0", "[system][cli]") {
  const auto r = run_cli("check builtin --set arch.array.rows=4");
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("rows: 4") != std::string::npos);
  CHECK(r.out.find("dataflow: os") != std::string::npos);
}

TEST_CASE("cli golden mismatch exits 1 and names tensor index expected and got", "[system][cli]") {
  // A stuck-at-0 multiplier in PE(0,0) of the 8x8 OS demo: output rows m = 0 mod 8 of column
  // n = 0 mod 8 lose every product, so the fc layer (GEMM 4x37x100) output [0, 0] is wrong.
  const auto r = run_cli("run --set 'sim.fault_stuck_pe=[0, 0]'");
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("golden mismatch: fc.output[0, 0] (index 0): expected ") != std::string::npos);
  CHECK(r.err.find(", got 0\n") != std::string::npos);  // the stuck PE accumulated nothing
  CHECK(r.out.find("FAIL") != std::string::npos);
}

namespace {
/// Writes an experiment of one GEMM layer `g` (`mnk`: "M, n: N, k: K") on the 8x8 OS array with
/// `sim` ("FIDELITY, KEY: VALUE") to `path` and returns the path; its sim line is line 6.
std::string one_gemm(const std::string& path, const std::string& mnk, const std::string& sim) {
  return arraysim::test::write_text(
      path, "name: g1\narch: " + arraysim::test::src_path("configs/arch/os_8x8_int8.yaml") +
                "\nworkload:\n  layers:\n    - {name: g, type: gemm, m: " + mnk + "}\nsim: {fidelity: " + sim + "}\n");
}
}  // namespace

TEST_CASE("cli run refuses a layer that needs more than sim.max_cycles before simulating", "[system][cli]") {
  // conv3x3 of the built-in demo is the GEMM 196x16x72 = 225792 MACs; on 8x8 = 64 PEs no schedule
  // takes fewer than ceil(225792 / 64) = 3528 cycles.
  const auto r = run_cli("run --no-plots --set sim.max_cycles=100");
  CHECK(r.exit_code == 2);
  CHECK(r.err ==
        "<--set>:1:1 sim.max_cycles: layer 'conv3x3' needs at least 3528 cycles (225792 MACs on 64 PEs), more than "
        "the limit of 100\n");
  // A 2^40-MAC GEMM in timing fidelity: 2^40 / 64 = 2^34 cycles at least, refused at once.
  TempDir d;
  const std::string exp = one_gemm(d.path() + "/big.yaml", "8192, n: 8192, k: 16384", "timing, max_cycles: 1000");
  const auto big = run_cli("run " + exp + " --no-plots");
  CHECK(big.exit_code == 2);
  CHECK(big.err == exp +
                       ":6:37 sim.max_cycles: layer 'g' needs at least 17179869184 cycles (1099511627776 MACs on 64 "
                       "PEs), more than the limit of 1000\n");
}

TEST_CASE("cli run stops at sim.max_cycles in both fidelities, at the layer's last cycle exactly", "[system][cli]") {
  for (const char* fidelity : {"timing", "values"}) {
    INFO(fidelity);
    TempDir d;
    const std::string set = std::string(" --no-plots --set sim.fidelity=") + fidelity;
    const auto full = run_cli("run --out " + d.path() + "/full" + set);
    REQUIRE(full.exit_code == 0);
    const auto j = nlohmann::json::parse(read_text(d.path() + "/full/stats.json"));
    const std::int64_t cycles = j["layers"][0]["total_cycles"].get<std::int64_t>();  // conv3x3
    REQUIRE(cycles > 3528);  // above the bound checked before the run, so the simulation must stop it
    const auto at = run_cli("run" + set + " --set sim.max_cycles=" + std::to_string(cycles));
    CHECK(at.exit_code == 0);
    const auto below =
        run_cli("run --out " + d.path() + "/below" + set + " --set sim.max_cycles=" + std::to_string(cycles - 1));
    CHECK(below.exit_code == 2);
    CHECK(below.err ==
          "arraysim: error: layer 'conv3x3' exceeded sim.max_cycles (" + std::to_string(cycles - 1) + ")\n");
    CHECK_FALSE(std::filesystem::exists(d.path() + "/below"));
  }
}

TEST_CASE("cli run refuses a run whose memory estimate exceeds sim.max_memory_mib", "[system][cli]") {
  // Values fidelity holds the operands: a 65536x32768 int8 input is 2^31 bytes = 2048 MiB, the
  // 32768x8 weights 0.25 MiB, so the operands alone are 2048.25 MiB (printed 2048.2).
  TempDir d;
  const std::string exp = one_gemm(d.path() + "/big.yaml", "65536, n: 8, k: 32768", "values, max_memory_mib: 1024");
  const auto r = run_cli("run " + exp + " --no-plots");
  CHECK(r.exit_code == 2);
  CHECK(r.err.rfind(exp + ":6:41 sim.max_memory_mib: the run needs about ", 0) == 0);
  CHECK(r.err.find("(operands 2048.2 MiB, layer 'g' ") != std::string::npos);
  CHECK(r.err.find("; the limit is 1024 MiB (raise sim.max_memory_mib if the machine has the memory)\n") !=
        std::string::npos);
}

TEST_CASE("cli --dump-schedule prints every fold", "[system][cli]") {
  const auto r = run_cli(
      "run --set arch.array.rows=4 --set arch.array.cols=4 --set arch.array.dataflow=ws "
      "--set arch.mapping.mapper=fixed --dump-schedule");
  REQUIRE(r.exit_code == 0);
  // fc: GEMM M=4, N=37, K=100 on 4x4 WS: 10 n-folds x 25 k-folds = 250 folds. Its operands fit
  // the demo's 64 KiB scratchpads (A 400 bytes, B 3700, C 592), so the fixed mapping with no
  // extents given is one tile covering the GEMM.
  CHECK(r.out.find("layer fc: schedule ws on 4x4: gemm M=4 N=37 K=100 groups=1, tile 4x37x100, order m n k, "
                   "halves 2 2 2, 1 tiles, 250 folds") != std::string::npos);
  CHECK(r.out.find("  tile     0 g0 m[0+4] n[0+37] k[0+100] folds 0..249 load_a load_b new_c store_c slots a0 b0 c0") !=
        std::string::npos);
  CHECK(r.out.find("  fold   249 g0 m[0+4] n[36+1] k[96+4] rows_used 4 cols_used 1 stream 4 accumulate") !=
        std::string::npos);
}

TEST_CASE("cli --vcd writes a waveform with controller state and PE registers", "[system][cli][vcd]") {
  TempDir d;
  const std::string vcd = d.path() + "/run.vcd";
  const auto r = run_cli("run --set arch.array.rows=4 --set arch.array.cols=4 --vcd " + vcd);
  REQUIRE(r.exit_code == 0);
  const std::string text = read_text(vcd);
  CHECK(text.rfind("$date", 0) == 0);
  for (const char* sig : {"fold_index", "layer_index", "in_valid", "out_valid", "pe_3_3", "acc"})
    CHECK(text.find(sig) != std::string::npos);
  CHECK(text.find("$enddefinitions") != std::string::npos);
  CHECK(text.find("#") != std::string::npos);  // value changes over time
}
