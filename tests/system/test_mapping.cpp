/// Mappings through the whole run (docs/mapping.md): a mapping given by hand runs as given in both
/// fidelities, every loop order included, and its cycles with ideal DRAM are exactly what the
/// closed form of models/analytic predicts for it; the mapper's choice is reported; `arraysim map`
/// prints the ranked candidates.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>
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
        CHECK(l["dram_read_bytes"]["total"].get<std::int64_t>() == t.a_read_bytes + t.b_read_bytes + t.c_read_bytes);
        CHECK(l["dram_write_bytes"]["total"].get<std::int64_t>() == t.c_write_bytes);
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
