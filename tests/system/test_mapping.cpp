/// Mappings through the whole run (docs/mapping.md): a mapping given by hand runs as given in both
/// fidelities, every loop order included, and its cycles with ideal DRAM are exactly what the
/// closed form of models/analytic predicts for it; the mapper's choice is reported; `arraysim map`
/// prints the ranked candidates.
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <cstdint>
#include <sstream>
#include <string>

#include "models/analytic/mapping.hpp"
#include "tests/support.hpp"

using arraysim::test::read_text;
using arraysim::test::run_cli;
using arraysim::test::TempDir;
using arraysim::test::write_text;
namespace analytic = arraysim::analytic;

namespace {

/// A 4x4 array with ideal DRAM and scratchpads that hold the tiles below with two halves each.
std::string experiment(const std::string& df, const std::string& order, const std::string& fidelity) {
  return "name: map\n"
         "arch:\n"
         "  name: a4\n"
         "  array: {type: systolic, rows: 4, cols: 4, dataflow: " +
         df +
         ", input_dtype: int8}\n"
         "  scratchpad:\n"
         "    ifmap: {size_kib: 4}\n"
         "    weight: {size_kib: 4}\n"
         "    output: {size_kib: 4}\n"
         "  dram: {model: ideal}\n"
         "  mapping: {mapper: fixed, tile: {m: 8, n: 4, k: 6}, loop_order: " +
         order +
         "}\n"
         "workload:\n"
         "  layers:\n"
         "    - {name: g, type: gemm, m: 12, n: 10, k: 14}\n"
         "sim: {fidelity: " +
         fidelity + "}\n";
}

analytic::LoopOrder order_of(const std::string& o) {
  analytic::LoopOrder r{};
  for (std::size_t i = 0; i < 3; ++i)
    r[i] = o[i] == 'm' ? analytic::Loop::m : o[i] == 'n' ? analytic::Loop::n : analytic::Loop::k;
  return r;
}

}  // namespace

TEST_CASE("mapping: a fixed mapping runs as given, its cycles those of its closed form, in every order",
          "[system][mapping]") {
  TempDir d;
  for (const char* df : {"os", "ws", "is"})
    for (const char* order : {"mnk", "mkn", "nmk", "nkm", "kmn", "knm"})
      for (const char* fidelity : {"timing", "values"}) {
        INFO(df << " " << order << " " << fidelity);
        const std::string exp = write_text(d.path() + "/e.yaml", experiment(df, order, fidelity));
        const auto r = run_cli("run " + exp + " --no-plots --out " + d.path() + "/out");
        REQUIRE(r.exit_code == 0);
        const auto j = nlohmann::json::parse(read_text(d.path() + "/out/stats.json"));
        const auto& l = j["layers"][0];
        // The closed form of this mapping: tiles 8x4x6 of the 12x10x14 GEMM, halves 2 2 2.
        analytic::TileMapping m;
        m.tile = {8, 4, 6};
        m.order = order_of(order);
        const analytic::Dataflow adf = std::string(df) == "os"   ? analytic::Dataflow::os
                                       : std::string(df) == "ws" ? analytic::Dataflow::ws
                                                                 : analytic::Dataflow::is;
        CHECK(l["total_cycles"].get<std::int64_t>() == analytic::mapping_cycles_ideal(adf, 4, 4, {12, 10, 14, 1}, m));
        CHECK(l["mapping"] ==
              std::string("tile 8x4x6, order ") + order[0] + " " + order[1] + " " + order[2] + ", halves 2 2 2");
        CHECK(l["mapper"] == "fixed");
        if (std::string(fidelity) == "values") CHECK(l["golden_match"] == true);
        // DRAM bytes of the order: A 12x14 int8 read R_A times, B 14x10 R_B times, C 12x10 int32
        // written R_C times and read back R_C − 1 times (docs/mapping.md); T_m = 2, T_n = 3, T_k = 3.
        const analytic::MappingTraffic t = analytic::mapping_traffic({12, 10, 14, 1}, m, {1, 1, 4});
        CHECK(l["dram_useful_read_bytes"]["total"].get<std::int64_t>() ==
              t.a_read_bytes + t.b_read_bytes + t.c_read_bytes);
        CHECK(l["dram_useful_write_bytes"]["total"].get<std::int64_t>() == t.c_write_bytes);
      }
}

TEST_CASE("mapping: arraysim map ranks the candidates and marks the one a run takes", "[system][mapping]") {
  TempDir d;
  std::string text = experiment("os", "mnk", "timing");
  text.replace(text.find("mapper: fixed, tile: {m: 8, n: 4, k: 6}, loop_order: mnk"),
               std::string("mapper: fixed, tile: {m: 8, n: 4, k: 6}, loop_order: mnk").size(), "mapper: search");
  const std::string exp = write_text(d.path() + "/e.yaml", text);
  const auto r = run_cli("map " + exp + " --top 3");
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.rfind("layer g: gemm 12x10x14 groups 1: ", 0) == 0);
  CHECK(r.out.find("\n  rank   tile_m   tile_n   tile_k order halves         cycles confirmed_cycles     dram_bytes"
                   "        energy_pj\n     1 ") != std::string::npos);
  CHECK(r.out.find("  chosen\n") != std::string::npos);
  // The run takes the mapping ranked first.
  const auto run = run_cli("run " + exp + " --no-plots --out " + d.path() + "/out");
  REQUIRE(run.exit_code == 0);
  const auto j = nlohmann::json::parse(read_text(d.path() + "/out/stats.json"));
  std::istringstream first(r.out.substr(r.out.find("     1 ")));
  std::string rank, tm, tn, tk, order, halves;
  first >> rank >> tm >> tn >> tk >> order >> halves;
  CHECK(j["layers"][0]["mapping"] == "tile " + tm + "x" + tn + "x" + tk + ", order " + order.substr(0, 1) + " " +
                                         order.substr(1, 1) + " " + order.substr(2, 1) + ", halves " +
                                         halves.substr(0, 1) + " " + halves.substr(1, 1) + " " + halves.substr(2, 1));
  CHECK(j["layers"][0]["mapper"] == "search");
  CHECK(j["layers"][0]["total_cycles"] == j["layers"][0]["analytic_cycles"]);  // ideal DRAM: exact
}

TEST_CASE("mapping: with a real DRAM the cycle model never beats the memory bound; the choice is the fastest confirmed",
          "[system][mapping]") {
  // 12 seeded random GEMMs on small arrays, small scratchpads and a simple DRAM of random
  // bandwidth and latency: `arraysim map --top 6` confirms its best candidates with the cycle
  // model (timing fidelity); every confirmed candidate's measured cycles are at least the closed
  // form's memory bound printed beside them (docs/mapping.md), and the chosen one is the fastest.
  TempDir d;
  std::uint64_t x = 12345;
  const auto next = [&](std::int64_t lo, std::int64_t hi) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    return lo + static_cast<std::int64_t>((x >> 33) % static_cast<std::uint64_t>(hi - lo + 1));
  };
  const char* dfs[3] = {"os", "ws", "is"};
  const char* bandwidths[4] = {"0.5", "2", "4", "16"};
  int confirmed = 0;
  for (int i = 0; i < 12; ++i) {
    const std::string text = fmt::format(
        "arch:\n"
        "  array: {{rows: {0}, cols: {0}, dataflow: {1}}}\n"
        "  scratchpad: {{ifmap: {{size_kib: {2}}}, weight: {{size_kib: {3}}}, output: {{size_kib: {4}}}}}\n"
        "  dram: {{model: simple, bytes_per_cycle: {5}, latency_cycles: {6}}}\n"
        "workload:\n"
        "  layers:\n"
        "    - {{name: g, type: gemm, m: {7}, n: {8}, k: {9}}}\n",
        next(0, 1) ? 4 : 8, dfs[next(0, 2)], next(1, 4), next(1, 4), next(2, 8), bandwidths[next(0, 3)], next(0, 200),
        next(16, 200), next(16, 120), next(16, 400));
    const std::string exp = write_text(d.path() + "/e" + std::to_string(i) + ".yaml", text);
    const auto r = run_cli("map " + exp + " --top 6");
    REQUIRE(r.exit_code == 0);
    std::istringstream lines(r.out);
    std::string line;
    std::int64_t fastest = -1, chosen = -1;
    while (std::getline(lines, line)) {
      std::istringstream row(line);
      std::string rank, tm, tn, tk, order, halves, bound, measured, energy, mark;
      if (!(row >> rank >> tm >> tn >> tk >> order >> halves >> bound >> measured >> energy >> energy) ||
          (rank != "rule" && rank.find_first_not_of("0123456789") != std::string::npos))
        continue;  // the layer's header and the column names
      if (measured == "-") continue;
      INFO(text << line);
      if (bound.rfind(">=", 0) != 0) CHECK(std::stoll(measured) >= std::stoll(bound));
      const std::int64_t cycles = std::stoll(measured);
      if (fastest < 0 || cycles < fastest) fastest = cycles;
      if (row >> mark && mark == "chosen") chosen = cycles;
      ++confirmed;
    }
    // The run takes the fastest mapping the cycle model confirmed: the best candidates' and the
    // halving rule's (`rule`), so the mapper is never slower than that rule.
    INFO(text << r.out);
    CHECK(chosen == fastest);
  }
  CHECK(confirmed >= 12);  // at least the chosen candidate of every layer was confirmed
}

TEST_CASE("mapping: each layer confirms as many candidates as its own confirm says", "[system][mapping]") {
  // Two layers of different shapes with a simple DRAM: the first confirms its best candidate
  // (arch.mapping.confirm 1), the second's own mapping says confirm: 0, so the cycle model runs
  // none of its candidates.
  TempDir d;
  const std::string exp =
      write_text(d.path() + "/e.yaml",
                 "arch:\n"
                 "  array: {rows: 4, cols: 4, dataflow: os}\n"
                 "  scratchpad: {ifmap: {size_kib: 1}, weight: {size_kib: 1}, output: {size_kib: 2}}\n"
                 "  dram: {model: simple, bytes_per_cycle: 2, latency_cycles: 20}\n"
                 "  mapping: {confirm: 1}\n"
                 "workload:\n"
                 "  layers:\n"
                 "    - {name: a, type: gemm, m: 64, n: 32, k: 96}\n"
                 "    - {name: b, type: gemm, m: 48, n: 40, k: 80, mapping: {confirm: 0}}\n");
  const auto r = run_cli("map " + exp + " --top 2");
  REQUIRE(r.exit_code == 0);
  const auto header = [&](const std::string& layer) {
    const std::size_t at = r.out.find("layer " + layer + ": ");
    return at == std::string::npos ? std::string() : r.out.substr(at, r.out.find('\n', at) - at);
  };
  INFO(r.out);
  CHECK(header("a").rfind("layer a: gemm 64x32x96 groups 1: ", 0) == 0);
  CHECK(header("a").find(", 0 confirmed") == std::string::npos);
  CHECK(header("b").rfind("layer b: gemm 48x40x80 groups 1: ", 0) == 0);
  CHECK(header("b").size() > std::string(", 0 confirmed").size());
  CHECK(header("b").substr(header("b").size() - std::string(", 0 confirmed").size()) == ", 0 confirmed");
}
