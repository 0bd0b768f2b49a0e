/// The SystemC systolic array end to end: outputs bit-exact against the golden model, cycles
/// equal to hand derivations and to models/analytic, `timing` equal to `values`.
/// Each TEST_CASE elaborates one accelerator (ctest runs every case in its own process).
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "models/analytic/systolic.hpp"
#include "sim/app/run.hpp"
#include "sim/config/experiment.hpp"
#include "tests/support.hpp"

using namespace arraysim;

namespace {

std::string arch_yaml(const std::string& df, const std::string& dtype, std::int64_t R, std::int64_t C) {
  return fmt::format(
      "arch:\n  name: t\n  array: {{rows: {}, cols: {}, dataflow: {}, input_dtype: {}}}\n  dram: {{model: ideal}}\n", R,
      C, df, dtype);
}

/// Runs `layers_yaml` (a YAML list body, one "- {...}" per line) in values fidelity.
stats::RunResult run_values(const std::string& df, const std::string& dtype, std::int64_t R, std::int64_t C,
                            const std::string& layers_yaml, std::uint64_t seed = 3) {
  const std::string text = arch_yaml(df, dtype, R, C) + fmt::format("workload:\n  seed: {}\n  layers:\n", seed) +
                           layers_yaml + "sim: {fidelity: values}\n";
  const config::Experiment e = config::load_experiment_text(text, "test.yaml", ".");
  app::RunOptions opt;
  opt.progress = false;
  return app::run_experiment(e, opt);
}

std::string gemm(std::int64_t m, std::int64_t n, std::int64_t k) {
  return fmt::format("    - {{type: gemm, m: {}, n: {}, k: {}}}\n", m, n, k);
}

std::vector<std::int64_t> cycles_of(const stats::RunResult& r) {
  std::vector<std::int64_t> v;
  for (const auto& l : r.layers) {
    INFO("layer " << l.name);
    REQUIRE(l.golden_match == true);
    v.push_back(*l.total_cycles);
  }
  return v;
}

struct Rng {
  std::uint64_t s;
  std::int64_t operator()(std::int64_t lo, std::int64_t hi) {
    s = ir::splitmix64(s);
    return lo + static_cast<std::int64_t>(s % static_cast<std::uint64_t>(hi - lo + 1));
  }
};

analytic::Dataflow adf(const std::string& df) {
  return df == "os" ? analytic::Dataflow::os : df == "ws" ? analytic::Dataflow::ws : analytic::Dataflow::is;
}

/// Random GEMM and convolution layers (M, N, K in 1..300 incl. primes and non-multiples of R and C),
/// kept to a simulation budget so the suite stays fast on small arrays.
std::string random_layers(Rng& rng, const std::string& df, std::int64_t R, std::int64_t C, int count) {
  static const std::int64_t primes[] = {1, 2, 3, 5, 7, 11, 13, 17, 31, 61, 97, 127, 251, 293};
  std::string out;
  for (int made = 0; made < count;) {
    std::string line;
    ir::GemmDims g;
    if (rng(0, 3) == 0) {  // a convolution (possibly grouped/depthwise, strided, dilated, padded)
      const std::int64_t groups = rng(0, 2) == 0 ? rng(1, 4) : 1;
      const std::int64_t c = groups * rng(1, 3), oc = groups * rng(1, 4), h = rng(3, 12), w = rng(3, 12);
      const std::int64_t k = rng(1, 3), s = rng(1, 2), p = rng(0, 1), d = rng(1, 2);
      if (d * (k - 1) + 1 > std::min(h, w) + 2 * p) continue;
      line = fmt::format(
          "    - {{type: conv2d, batch: {}, in_channels: {}, in_height: {}, in_width: {}, out_channels: {}, "
          "kernel: {}, stride: {}, padding: {}, dilation: {}, groups: {}}}\n",
          rng(1, 2), c, h, w, oc, k, s, p, d, groups);
      ir::Conv2dParams cp;
      cp.n = 2, cp.c = c, cp.h = h, cp.w = w, cp.out_channels = oc, cp.kernel_h = cp.kernel_w = k;
      cp.stride_h = cp.stride_w = s, cp.pad_top = cp.pad_bottom = cp.pad_left = cp.pad_right = p;
      cp.dilation_h = cp.dilation_w = d, cp.groups = groups;
      g = {cp.n * cp.out_h() * cp.out_w(), oc / groups, (c / groups) * k * k, groups};
    } else {
      auto dim = [&] { return rng(0, 2) == 0 ? primes[rng(0, 13)] : rng(1, 300); };
      g = {dim(), dim(), dim(), 1};
      line = gemm(g.m, g.n, g.k);
    }
    // Budget: simulated cycles x PEs per layer (values fidelity costs per PE-cycle).
    const std::int64_t cyc = analytic::systolic_cycles(adf(df), R, C, g).total_cycles;
    if (cyc > 60000 || cyc * R * C > 40'000'000) continue;
    out += line;
    ++made;
  }
  return out;
}

/// Bit-exact against golden and cycle-exact against the closed form, for one array and dtype.
void check_random(const std::string& df, const std::string& dtype, std::int64_t R, std::int64_t C) {
  Rng rng{static_cast<std::uint64_t>(R * 1000 + C) ^ std::hash<std::string>{}(df + dtype)};
  const stats::RunResult r = run_values(df, dtype, R, C, random_layers(rng, df, R, C, 10), rng.s % 100000);
  REQUIRE(r.layers.size() == 10);
  for (const auto& l : r.layers) {
    INFO(df << " " << dtype << " " << R << "x" << C << " layer " << l.name << " gemm " << l.gemm.m << "x" << l.gemm.n
            << "x" << l.gemm.k << " groups " << l.gemm.groups);
    for (const auto& m : l.mismatches) INFO(m.tensor << m.where << " expected " << m.expected << " got " << m.got);
    CHECK(l.golden_match == true);
    CHECK(l.total_cycles == l.analytic_cycles);
    CHECK(l.analytic_match == true);
  }
}

}  // namespace

// Every dataflow x data type x array shape: 10 random layers each, i.e. 210 analytic comparisons
// per dataflow (7 shapes x 3 types x 10).
#define SYSTOLIC_RANDOM_CASE(DF, DT, R, C)                                                                             \
  TEST_CASE("systolic " DF " " DT " " #R "x" #C ": random layers bit-exact and equal to analytic", "[hw][systolic]") { \
    check_random(DF, DT, R, C);                                                                                        \
  }
#define SYSTOLIC_SHAPES(DF, DT)        \
  SYSTOLIC_RANDOM_CASE(DF, DT, 1, 1)   \
  SYSTOLIC_RANDOM_CASE(DF, DT, 1, 8)   \
  SYSTOLIC_RANDOM_CASE(DF, DT, 8, 1)   \
  SYSTOLIC_RANDOM_CASE(DF, DT, 3, 5)   \
  SYSTOLIC_RANDOM_CASE(DF, DT, 4, 4)   \
  SYSTOLIC_RANDOM_CASE(DF, DT, 16, 16) \
  SYSTOLIC_RANDOM_CASE(DF, DT, 32, 32)
SYSTOLIC_SHAPES("os", "int8")
SYSTOLIC_SHAPES("os", "int16")
SYSTOLIC_SHAPES("os", "fp32")
SYSTOLIC_SHAPES("ws", "int8")
SYSTOLIC_SHAPES("ws", "int16")
SYSTOLIC_SHAPES("ws", "fp32")
SYSTOLIC_SHAPES("is", "int8")
SYSTOLIC_SHAPES("is", "int16")
SYSTOLIC_SHAPES("is", "fp32")

// ---- Hand-derived cycle counts (cycle 0 = the layer's first cycle; total = last output + 1) ----

// One elaboration per TEST_CASE: each case runs all its layers on one array.

TEST_CASE("systolic os hand-derived cycles on 1x1", "[hw][systolic][cycles]") {
  // M=N=1, K=5: MAC k at cycle k (0..4); the drain emits at cycle 5. Total 6.
  // M=2, N=3, K=4: 6 folds, each starts K + R_f = 4 + 1 = 5 cycles after the previous: the last
  //   starts at 25 and emits at 25 + K + R_f - 1 + (C_f - 1) + (R - 1) = 29. Total 30.
  CHECK(cycles_of(run_values("os", "int8", 1, 1, gemm(1, 1, 5) + gemm(2, 3, 4))) == std::vector<std::int64_t>{6, 30});
}

TEST_CASE("systolic os hand-derived cycles on 2x2", "[hw][systolic][cycles]") {
  // M=N=2, K=3: PE(1,1) does its last MAC at 2+1+1 = 4; column 1 drains at 5 (row 1) and 6 (row 0).
  //   Total 7 = SCALE-Sim's 2R + C + T - 2 = 4 + 2 + 3 - 2.
  // Depthwise conv, C=OC=groups=2, 2x2 input, 1x1 kernel: per group M=4, N=1, K=1: folds of R_f = 2
  //   start at 0, 3, 6, 9 (K + R_f = 3 apart); the last drains column 0 from 9 + 1 + 2 - 1 = 11 and
  //   emits row 0 at 11 + R - 1 = 12. Total 13.
  CHECK(cycles_of(run_values("os", "int8", 2, 2,
                             gemm(2, 2, 3) + "    - {type: conv2d, in_channels: 2, in_height: 2, in_width: 2, "
                                             "out_channels: 2, kernel: 1, groups: 2}\n")) ==
        std::vector<std::int64_t>{7, 13});
}

TEST_CASE("systolic os hand-derived cycles on 4x4", "[hw][systolic][cycles]") {
  // 4x4, M=5, N=3, K=2: fold 0 (R_f=4) at 0, fold 1 (R_f=1, C_f=3) at 0 + K + 4 = 6; its last
  //   output at 6 + 2 + 1 - 1 + 2 + 3 = 13. Total 14.
  CHECK(cycles_of(run_values("os", "int16", 4, 4, gemm(5, 3, 2))) == std::vector<std::int64_t>{14});
}

TEST_CASE("systolic os hand-derived cycles on 3x5", "[hw][systolic][cycles]") {
  // M=7, N=11, K=4: 3 m-folds (3,3,1) x 3 n-folds (5,5,1); starts advance by K + R_f: over the
  //   first 8 folds 8*4 + (3+3+3 + 3+3+3 + 1+1) = 52; the last fold (R_f=1, C_f=1) emits at
  //   52 + 4 + 1 - 1 + 0 + 2 = 58. Total 59.
  CHECK(cycles_of(run_values("os", "fp32", 3, 5, gemm(7, 11, 4))) == std::vector<std::int64_t>{59});
}

TEST_CASE("systolic os hand-derived cycles on 1x8 where a narrow last fold ends early", "[hw][systolic][cycles]") {
  // M=1, N=9, K=1: n-folds of 8 and 1 columns, R_f = 1: s0 = 0, s1 = 0 + K + R_f = 2.
  //   Fold 0 emits its last value (column 7) at 0 + 1 + 1 - 1 + 7 + 0 = 8; fold 1 at 2 + 1 + 0 + 0 = 3.
  //   The layer ends with fold 0: total 9 (not 4).
  CHECK(cycles_of(run_values("os", "int8", 1, 8, gemm(1, 9, 1))) == std::vector<std::int64_t>{9});
}

TEST_CASE("systolic ws hand-derived cycles on 1x1", "[hw][systolic][cycles]") {
  // M=3, N=1, K=1: weight load at cycle 0, rows m stream at 1, 2, 3. Total 4.
  // M=3, N=2, K=2: 4 folds; s_f = L_f + 1 and L_{f+1} = s_f + M + C_f - 1 = s_f + 3:
  //   L = 0, 4, 8, 12; s = 1, 5, 9, 13; last output 13 + 2 = 15. Total 16.
  CHECK(cycles_of(run_values("ws", "int8", 1, 1, gemm(3, 1, 1) + gemm(3, 2, 2))) == std::vector<std::int64_t>{4, 16});
}

TEST_CASE("systolic ws hand-derived cycles on 2x2", "[hw][systolic][cycles]") {
  // M=N=K=2: load 0-1, stream from 2; output (m=1, column 1) at 2 + 1 + 1 + 1 = 5. Total 6.
  CHECK(cycles_of(run_values("ws", "int8", 2, 2, gemm(2, 2, 2))) == std::vector<std::int64_t>{6});
}

TEST_CASE("systolic ws hand-derived cycles on 4x4", "[hw][systolic][cycles]") {
  // M=5, N=3, K=6: k-folds of 4 and 2 rows, C_f = 3: L0 = 0, s0 = 4, L1 = 4 + 5 + 3 - 1 = 11,
  //   s1 = 15, last output 15 + (5-1) + (4-1) + (3-1) = 24. Total 25.
  CHECK(cycles_of(run_values("ws", "fp32", 4, 4, gemm(5, 3, 6))) == std::vector<std::int64_t>{25});
}

TEST_CASE("systolic ws hand-derived cycles on 3x5", "[hw][systolic][cycles]") {
  // M=4, N=7, K=5: folds (n-fold, k-fold) with C_f = 5, 5, 2, 2: s = 3, 3 + 4 + 5 - 1 + 3 = 14,
  //   14 + 4 + 5 - 1 + 3 = 25, 25 + 4 + 2 - 1 + 3 = 33; last output 33 + 3 + 2 + 1 = 39. Total 40.
  CHECK(cycles_of(run_values("ws", "int16", 3, 5, gemm(4, 7, 5))) == std::vector<std::int64_t>{40});
}

TEST_CASE("systolic ws hand-derived cycles on 8x1", "[hw][systolic][cycles]") {
  // M=2, N=3, K=3: 3 n-folds, C_f = 1: s = 8, 8 + 2 + 0 + 8 = 18, 28; last 28 + 1 + 7 + 0 = 36. Total 37.
  CHECK(cycles_of(run_values("ws", "int8", 8, 1, gemm(2, 3, 3))) == std::vector<std::int64_t>{37});
}

TEST_CASE("systolic is hand-derived cycles on 1x1", "[hw][systolic][cycles]") {
  // 1x1, M=1, N=3, K=1: load at 0 (input A[0][0]), weights B[0][n] stream at 1..3. Total 4.
  CHECK(cycles_of(run_values("is", "int8", 1, 1, gemm(1, 3, 1))) == std::vector<std::int64_t>{4});
}

TEST_CASE("systolic is hand-derived cycles on 2x2", "[hw][systolic][cycles]") {
  // M=N=K=2: as WS with T = N = 2: load 0-1, stream 2-3, last output 2 + 1 + 1 + 1 = 5. Total 6.
  CHECK(cycles_of(run_values("is", "int8", 2, 2, gemm(2, 2, 2))) == std::vector<std::int64_t>{6});
}

TEST_CASE("systolic is hand-derived cycles on 1x8", "[hw][systolic][cycles]") {
  // M=10, N=4, K=3: m-folds (8, 2) x 3 k-folds; L_{f+1} = L_f + R + N + C_f - 1 = L_f + 4 + C_f:
  //   L = 0, 12, 24, 36, 42, 48; s_last = 49; last output 49 + 3 + 0 + 1 = 53. Total 54.
  CHECK(cycles_of(run_values("is", "fp32", 1, 8, gemm(10, 4, 3))) == std::vector<std::int64_t>{54});
}

TEST_CASE("systolic is hand-derived cycles on 4x4", "[hw][systolic][cycles]") {
  // M=6, N=2, K=9: m-folds (4, 2) x k-folds (4, 4, 1); L_{f+1} = L_f + 4 + 2 + C_f - 1:
  //   L = 0, 9, 18, 27, 34, 41; s_last = 45; last output 45 + 1 + 3 + 1 = 50. Total 51.
  CHECK(cycles_of(run_values("is", "int16", 4, 4, gemm(6, 2, 9))) == std::vector<std::int64_t>{51});
}

TEST_CASE("systolic is hand-derived cycles on 3x5", "[hw][systolic][cycles]") {
  // M=5, N=1, K=4: 2 k-folds, C_f = 5: L1 = 3 + 1 + 5 - 1 = 8, s1 = 11; last 11 + 0 + 2 + 4 = 17. Total 18.
  CHECK(cycles_of(run_values("is", "int8", 3, 5, gemm(5, 1, 4))) == std::vector<std::int64_t>{18});
}

TEST_CASE("systolic is hand-derived cycles on 8x1", "[hw][systolic][cycles]") {
  // M=2, N=5, K=10: folds with C_f = 1, L_{f+1} = L_f + 8 + 5 + 0: L = 0, 13, 26, 39; s_last = 47;
  //   last output 47 + 4 + 7 + 0 = 58. Total 59.
  CHECK(cycles_of(run_values("is", "int8", 8, 1, gemm(2, 5, 10))) == std::vector<std::int64_t>{59});
}

// ---- timing fidelity equals values fidelity ----

namespace {
void check_timing_equals_values(const std::string& df, std::int64_t R, std::int64_t C) {
  Rng rng{static_cast<std::uint64_t>(991 + R + 7 * C) ^ std::hash<std::string>{}(df)};
  test::TempDir dir;
  const std::string file = dir.path() + "/exp.yaml";
  {
    std::ofstream f(file);
    f << arch_yaml(df, "int8", R, C) << "workload:\n  seed: 5\n  layers:\n" << random_layers(rng, df, R, C, 20);
  }
  const auto values = test::run_cli("run " + file + " --set sim.fidelity=values --out " + dir.path() + "/v");
  const auto timing = test::run_cli("run " + file + " --set sim.fidelity=timing --out " + dir.path() + "/t");
  REQUIRE(values.exit_code == 0);
  REQUIRE(timing.exit_code == 0);
  auto load = [](const std::string& p) { return nlohmann::json::parse(test::read_text(p)); };
  const auto jv = load(dir.path() + "/v/stats.json"), jt = load(dir.path() + "/t/stats.json");
  REQUIRE(jv["layers"].size() == 20);
  REQUIRE(jt["layers"].size() == 20);
  CHECK(jv["fidelity"] == "values");
  CHECK(jt["fidelity"] == "timing");
  for (std::size_t i = 0; i < 20; ++i) {
    INFO("layer " << i);
    CHECK(jv["layers"][i]["golden_match"] == true);
    CHECK(jt["layers"][i]["golden_match"].is_null());
    CHECK(jv["layers"][i]["total_cycles"] == jt["layers"][i]["total_cycles"]);
    CHECK(jv["layers"][i]["compute_cycles"] == jt["layers"][i]["compute_cycles"]);
    CHECK(jv["layers"][i]["folds"] == jt["layers"][i]["folds"]);
  }
}
}  // namespace

TEST_CASE("systolic timing fidelity equals values fidelity (os 20 layers)", "[hw][systolic][fidelity]") {
  check_timing_equals_values("os", 4, 6);
}
TEST_CASE("systolic timing fidelity equals values fidelity (ws 20 layers)", "[hw][systolic][fidelity]") {
  check_timing_equals_values("ws", 5, 3);
}
TEST_CASE("systolic timing fidelity equals values fidelity (is 20 layers)", "[hw][systolic][fidelity]") {
  check_timing_equals_values("is", 8, 8);
}
