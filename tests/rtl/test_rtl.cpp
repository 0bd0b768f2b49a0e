/// The Verilated RTL array (rtl/pe_array.sv through sim/rtl_bridge): lock-step equality with the
/// SystemC model every cycle, whole layers through arch.array.impl: rtl against golden and the
/// SystemC cycle counts, a fault the co-simulation must find, configuration errors, waveforms.
/// Built only WITH_VERILATOR. Each TEST_CASE elaborates at most one SystemC design (in-process
/// cases) or none (cases that spawn the arraysim binary); ctest runs every case in its own process.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>

#include "sim/app/run.hpp"
#include "sim/config/experiment.hpp"
#include "sim/lower/im2col.hpp"
#include "tests/support.hpp"

using namespace arraysim;

namespace {

/// An int8 experiment on an R x C array (ideal memory, values fidelity) with `layers` as the YAML
/// body of workload.layers, one "    - {...}" line per layer.
std::string experiment(const std::string& df, std::int64_t R, std::int64_t C, const std::string& layers,
                       std::uint64_t seed, const std::string& impl = "systemc") {
  return fmt::format(
      "name: rtl_test\n"
      "arch:\n  name: t\n  array: {{rows: {}, cols: {}, dataflow: {}, input_dtype: int8, impl: {}}}\n"
      "  dram: {{model: ideal}}\n"
      "workload:\n  seed: {}\n  layers:\n{}"
      "sim: {{fidelity: values}}\n",
      R, C, df, impl, seed, layers);
}

std::string gemm(std::int64_t m, std::int64_t n, std::int64_t k) {
  return fmt::format("    - {{type: gemm, m: {}, n: {}, k: {}}}\n", m, n, k);
}

struct Rng {
  std::uint64_t s;
  std::int64_t operator()(std::int64_t lo, std::int64_t hi) {
    s = ir::splitmix64(s);
    return lo + static_cast<std::int64_t>(s % static_cast<std::uint64_t>(hi - lo + 1));
  }
};

/// Lock-step co-simulation of seeded random GEMMs on an R x C array (in this process). The first
/// layer has a partial edge fold in every dimension for every dataflow: M = 2R + 3 (OS rows, IS
/// columns), N = C + 1 (OS/WS columns), K = R + 2 (WS/IS rows); the other five are random in
/// 1..3R+5 (1..3C+5 for N), so most also end in partial folds.
void check_lockstep(const std::string& df, std::int64_t R, std::int64_t C) {
  Rng rng{static_cast<std::uint64_t>(R * 131 + C) ^ std::hash<std::string>{}(df)};
  std::string layers = gemm(2 * R + 3, C + 1, R + 2);
  for (int i = 0; i < 5; ++i) layers += gemm(rng(1, 3 * R + 5), rng(1, 3 * C + 5), rng(1, 3 * R + 5));
  const config::Experiment e =
      config::load_experiment_text(experiment(df, R, C, layers, rng.s % 1000), "rtl_lockstep.yaml", ".");
  app::RunOptions opt;
  opt.progress = false;
  opt.cosim = true;
  stats::RunResult r;
  // A difference in any PE register, output or valid bit throws hw::ArrayMismatchError.
  REQUIRE_NOTHROW(r = app::run_experiment(e, opt));
  REQUIRE(r.layers.size() == 6);
  std::int64_t cycles = 0;
  for (const auto& l : r.layers) {
    INFO(df << " " << R << "x" << C << " layer " << l.name << " gemm " << l.gemm.m << "x" << l.gemm.n << "x"
            << l.gemm.k);
    CHECK(l.golden_match == true);
    CHECK(l.analytic_match == true);  // the SystemC model's cycle count (docs/timing.md)
    cycles += *l.total_cycles;
  }
  // One comparison per array cycle; per cycle 3 registers in each of the R*C PEs (a, b or w,
  // acc or psum), C bottom values and C valid bits.
  CHECK(r.cosim_cycles == cycles);
  CHECK(r.cosim_values == cycles * (3 * R * C + 2 * C));
}

}  // namespace

#define RTL_LOCKSTEP_CASE(DF, N)                                                                                  \
  TEST_CASE("rtl lock-step " DF " " #N "x" #N ": seeded random tiles incl. partial edge folds equal every cycle", \
            "[rtl]") {                                                                                            \
    check_lockstep(DF, N, N);                                                                                     \
  }
RTL_LOCKSTEP_CASE("os", 4)
RTL_LOCKSTEP_CASE("os", 8)
RTL_LOCKSTEP_CASE("os", 16)
RTL_LOCKSTEP_CASE("ws", 4)
RTL_LOCKSTEP_CASE("ws", 8)
RTL_LOCKSTEP_CASE("ws", 16)
RTL_LOCKSTEP_CASE("is", 4)
RTL_LOCKSTEP_CASE("is", 8)
RTL_LOCKSTEP_CASE("is", 16)

namespace {

/// A whole convolution through arch.array.impl: rtl and through the SystemC model (two arraysim
/// processes): bit-exact against golden and the same cycle count, layer by layer.
void check_conv_layer(const std::string& df) {
  // 3 -> 16 channels, 12x12, 3x3 kernel, padding 1: GEMM M = 144, N = 16, K = 27 on 8x8, so the
  // K folds end in a partial one (27 = 3*8 + 3); a depthwise layer (groups 4) adds groups.
  const std::string layers =
      "    - {type: conv2d, in_channels: 3, in_height: 12, in_width: 12, out_channels: 16, kernel: 3, padding: 1}\n"
      "    - {type: conv2d, in_channels: 4, in_height: 6, in_width: 6, out_channels: 4, kernel: 3, groups: 4}\n";
  test::TempDir dir;
  const std::string file = dir.path() + "/conv.yaml";
  std::ofstream(file) << experiment(df, 8, 8, layers, 11);
  const auto sc = test::run_cli("run " + file + " --out " + dir.path() + "/sc");
  const auto rtl = test::run_cli("run " + file + " --set arch.array.impl=rtl --out " + dir.path() + "/rtl");
  INFO(sc.err << rtl.err);
  REQUIRE(sc.exit_code == 0);
  REQUIRE(rtl.exit_code == 0);
  const auto js = nlohmann::json::parse(arraysim::test::read_text(dir.path() + "/sc/stats.json"));
  const auto jr = nlohmann::json::parse(arraysim::test::read_text(dir.path() + "/rtl/stats.json"));
  REQUIRE(jr["layers"].size() == 2);
  for (std::size_t i = 0; i < 2; ++i) {
    INFO(df << " layer " << i);
    CHECK(jr["layers"][i]["golden_match"] == true);
    CHECK(jr["layers"][i]["total_cycles"] == js["layers"][i]["total_cycles"]);
    CHECK(jr["layers"][i]["analytic_match"] == true);
  }
  CHECK(jr["layers"][0]["gemm_m"] == 144);
  CHECK(jr["layers"][0]["gemm_k"] == 27);
}

}  // namespace

TEST_CASE("rtl impl os: convolution layers equal golden and the SystemC cycle counts", "[rtl]") {
  check_conv_layer("os");
}
TEST_CASE("rtl impl ws: convolution layers equal golden and the SystemC cycle counts", "[rtl]") {
  check_conv_layer("ws");
}
TEST_CASE("rtl impl is: convolution layers equal golden and the SystemC cycle counts", "[rtl]") {
  check_conv_layer("is");
}

TEST_CASE("rtl cosim prints the pass line with hand-derived counts", "[rtl]") {
  // WS 4x4, M=5, N=3, K=6 (tests/hw/test_systolic.cpp): k-folds of 4 and 2 rows, total 25 cycles.
  // Each cycle compares 3*16 PE registers + 4 bottom values + 4 valid bits = 56 values:
  // 25 * 56 = 1400.
  test::TempDir dir;
  const std::string file = dir.path() + "/ws.yaml";
  std::ofstream(file) << experiment("ws", 4, 4, gemm(5, 3, 6), 3);
  const auto r = test::run_cli("cosim " + file);
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("\ncosim: PASS  cycles compared 25  values compared 1400\n") != std::string::npos);
  const auto help = test::run_cli("cosim --help");
  CHECK(help.exit_code == 0);
  CHECK(help.out.find("--vcd") != std::string::npos);
}

namespace {

/// The GEMM operands of layer 0 as the array sees them: A [M][K] and B [K][N].
struct Operands {
  ir::Tensor a, b;
  std::int64_t k = 0, n = 0;
  std::int64_t A(std::int64_t m, std::int64_t kk) const { return a.get_i64(m * k + kk); }
  std::int64_t B(std::int64_t kk, std::int64_t nn) const { return b.get_i64(kk * n + nn); }
};
Operands operands_of(const std::string& yaml) {
  const config::Experiment e = config::load_experiment_text(yaml, "fault.yaml", ".");
  const ir::Layer& l = e.workload.layers[0];
  const ir::LayerOperands ops = ir::make_operands(l, 0, e.workload.seed, ir::DType::int8, ir::DType::int8);
  const lower::OperandMap map(l);
  return {lower::materialize_a(map, ops.input, 0), lower::materialize_b(map, ops.weight, 0), map.dims().k,
          map.dims().n};
}

/// Runs `arraysim cosim --inject-rtl-fault` and checks the report against the derivation.
void check_fault_report(const std::string& df, const std::string& yaml, std::int64_t cycle, std::int64_t expected,
                        std::int64_t got) {
  test::TempDir dir;
  const std::string file = dir.path() + "/fault.yaml";
  std::ofstream(file) << yaml;
  const auto r = test::run_cli("cosim " + file + " --inject-rtl-fault");
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  CHECK(r.out.find(
            fmt::format("cosim: MISMATCH at cycle {} row 1 col 2: expected {} got {}\n", cycle, expected, got)) == 0);
  CHECK(r.out.find(std::string(df == "os" ? "acc" : "psum") + " of PE(1, 2) in layer gemm0") != std::string::npos);
  // The same experiment without the fault passes.
  const auto ok = test::run_cli("cosim " + file);
  CHECK(ok.exit_code == 0);
}

}  // namespace

// The fault-injected build (sim/rtl_bridge/CMakeLists.txt): 4x4, PE(1, 2) multiplies the
// streamed operand it held in the previous cycle instead of the one entering it. a, b/w registers
// stay equal; only that PE's sum can differ, from the first cycle its two multiplier inputs differ.

TEST_CASE("rtl cosim finds the injected fault: ws at cycle 7 row 1 col 2", "[rtl]") {
  // WS 4x4, one fold (M=3, N=3, K=4): weights load in cycles 0..3, streaming starts at s = 4;
  // A[m][i] enters PE(i, 0) at s + m + i and PE(i, j) at s + m + i + j. PE(1, 2) first sees data at
  // 4 + 0 + 1 + 2 = 7 (A[0][1]); a cycle earlier its a register held the bubble that entered row 1
  // at cycle 4. So at cycle 7 psum(1, 2) = psum(0, 2)@6 + A[0][1]*B[1][2] = A[0][0]*B[0][2] +
  // A[0][1]*B[1][2] is expected, and the faulty PE adds 0*B[1][2]: got A[0][0]*B[0][2].
  const std::string yaml = experiment("ws", 4, 4, gemm(3, 3, 4), 3);
  const Operands o = operands_of(yaml);
  REQUIRE(o.A(0, 1) * o.B(1, 2) != 0);  // otherwise the fault would show later
  check_fault_report("ws", yaml, 7, o.A(0, 0) * o.B(0, 2) + o.A(0, 1) * o.B(1, 2), o.A(0, 0) * o.B(0, 2));
}

TEST_CASE("rtl cosim finds the injected fault: is at cycle 7 row 1 col 2", "[rtl]") {
  // IS 4x4 (M=3, N=3, K=4): PE(i, j) holds A[j][i] after the load (cycles 0..3), B[i][n] enters
  // PE(i, 0) at 4 + n + i. As in WS, PE(1, 2) first sees data (B[1][0]) at cycle 7:
  // expected A[2][0]*B[0][0] + A[2][1]*B[1][0], got A[2][0]*B[0][0].
  const std::string yaml = experiment("is", 4, 4, gemm(3, 3, 4), 5);
  const Operands o = operands_of(yaml);
  REQUIRE(o.A(2, 1) * o.B(1, 0) != 0);
  check_fault_report("is", yaml, 7, o.A(2, 0) * o.B(0, 0) + o.A(2, 1) * o.B(1, 0), o.A(2, 0) * o.B(0, 0));
}

TEST_CASE("rtl cosim finds the injected fault: os at cycle 3 row 1 col 2", "[rtl]") {
  // OS 4x4 (M=4, N=4, K=3), s = 0: A[i][k] enters row i at k + i, B[k][j] column j at k + j, PE(i, j)
  // does MAC k at k + i + j. PE(1, 2)'s first MAC (k = 0) is at cycle 3 with A[1][0] arriving; its a
  // register held the bubble of cycle 2. Expected acc(1, 2) = A[1][0]*B[0][2], got 0.
  const std::string yaml = experiment("os", 4, 4, gemm(4, 4, 3), 7);
  const Operands o = operands_of(yaml);
  REQUIRE(o.A(1, 0) * o.B(0, 2) != 0);
  check_fault_report("os", yaml, 3, o.A(1, 0) * o.B(0, 2), 0);
}

TEST_CASE("rtl impl configuration errors name the setting and the built sizes", "[rtl]") {
  const std::string base = "run builtin --set arch.array.impl=rtl";  // the demo: 8x8 OS int8
  const auto size = test::run_cli(base + " --set arch.array.rows=12 --set arch.array.cols=12");
  CHECK(size.exit_code == 2);
  // A configuration error like any other (issue 14): FILE:LINE:COL of the key, here the second --set.
  CHECK(size.err ==
        "<--set>:2:1 arch.array.rows/cols: the RTL array (arch.array.impl: rtl) is not built for 12x12; "
        "built sizes: 4x4, 8x8, 16x16 (add sizes to the CMake list ARRAYSIM_RTL_SIZES)\n");
  const auto dtype = test::run_cli(base + " --set arch.array.input_dtype=int16");
  CHECK(dtype.exit_code == 2);
  CHECK(dtype.err.find(
            "<--set>:2:1 arch.array.input_dtype: the RTL array (arch.array.impl: rtl) multiplies int8 x int8 into "
            "int32 accumulators, not int16 x int16 into int64") != std::string::npos);
  const auto timing = test::run_cli(base + " --set sim.fidelity=timing");
  CHECK(timing.exit_code == 2);
  CHECK(timing.err.find("<--set>:2:1 sim.fidelity: the RTL array (arch.array.impl: rtl) needs values fidelity") !=
        std::string::npos);
  const auto cosim = test::run_cli("cosim builtin --set arch.array.rows=5");
  CHECK(cosim.exit_code == 2);
  CHECK(cosim.err.find("the RTL array (arraysim cosim) is not built for 5x8") != std::string::npos);
  const auto fault = test::run_cli("cosim builtin --inject-rtl-fault");
  CHECK(fault.exit_code == 2);
  CHECK(fault.err.find("the fault-injected RTL is built for 4x4 only, not 8x8") != std::string::npos);
  for (const auto* r : {&size, &dtype, &timing, &cosim, &fault})  // one line each
    CHECK(std::count(r->err.begin(), r->err.end(), '\n') == 1);
}

TEST_CASE("rtl --vcd writes the Verilated array's waveform", "[rtl]") {
  // WS 8x8, M=5, N=3, K=6: one fold, 2R + M + C_f - 2 = 16 + 5 + 3 - 2 = 22 cycles at 1 GHz.
  // Clock: rising edges at 500 ps + 1000 ps * cycle. 8x8 has 64-bit pins (left, top), the trace
  // writer's 64-bit path (see sim/rtl_bridge/CMakeLists.txt on the sanitizer build).
  test::TempDir dir;
  const std::string file = dir.path() + "/ws.yaml", vcd = dir.path() + "/rtl.vcd";
  std::ofstream(file) << experiment("ws", 8, 8, gemm(5, 3, 6), 3, "rtl");
  const auto r = test::run_cli("run " + file + " --vcd " + vcd);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const std::string w = arraysim::test::read_text(vcd);
  CHECK(w.rfind("$version Generated by VerilatedVcd", 0) == 0);
  CHECK(w.find("$timescale 1ps $end") != std::string::npos);
  for (const char* sig :
       {" clk ", " clear ", " load_start ", " left [63:0] ", " bottom_valid [7:0] ", " acc_q[1][2] [31:0] "})
    CHECK(w.find(sig) != std::string::npos);
  CHECK(w.find("\n#500\n") != std::string::npos);
  CHECK(w.find("\n#21500\n") != std::string::npos);  // the rising edge of the last cycle (21)
  CHECK(w.find("\n#22500\n") == std::string::npos);  // and no later one
}
