/// Outputs a user reads (each case spawns the real binary): names that follow the effective
/// configuration, the line that lists what a run wrote, SCALE-Sim's three reports, the timeline of
/// a whole network, `arraysim compare` and `arraysim report --html` (docs/outputs.md,
/// docs/import.md).
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support.hpp"

using namespace arraysim::test;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

/// A one-layer GEMM on an 8×8 output-stationary int8 array, ideal DRAM, values fidelity.
std::string gemm_8x8(const std::string& dir, int m, int n, int k) {
  const std::string path = dir + "/gemm.yaml";
  std::ofstream(path) << "name: g8\narch:\n  name: os8\n  clock_mhz: 1000\n"
                      << "  array: {type: systolic, rows: 8, cols: 8, dataflow: os, input_dtype: int8}\n"
                      << "  dram: {model: ideal}\n"
                      << "workload:\n  name: w\n  seed: 3\n  layers:\n    - {name: g, type: gemm, m: " << m
                      << ", n: " << n << ", k: " << k << "}\nsim: {fidelity: values}\n";
  return path;
}

/// The lines of a text, without the line breaks.
std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> v;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) v.push_back(l);
  return v;
}

/// A SCALE-Sim report row `0, a, b, ...,` split into its cells (the trailing comma dropped).
std::vector<std::string> cells(const std::string& row) {
  std::vector<std::string> v;
  std::string s = row;
  REQUIRE(s.size() >= 1);
  REQUIRE(s.back() == ',');
  s.pop_back();
  std::size_t at = 0;
  for (;;) {
    const std::size_t c = s.find(", ", at);
    v.push_back(s.substr(at, c == std::string::npos ? std::string::npos : c - at));
    if (c == std::string::npos) break;
    at = c + 2;
  }
  return v;
}

}  // namespace

TEST_CASE("labels: the header, stats.json, plot titles and the energy table name follow --set", "[system][labels]") {
  TempDir d;
  const std::string out = d.path() + "/ws16";
  const auto r = run_cli("run " + src_path("configs/experiments/quickstart.yaml") +
                         " --set arch.array.dataflow=ws --set arch.array.rows=16"
                         " --set arch.energy.dram_read_pj_per_byte=60 --out " +
                         out);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const std::string arch = "os_8x8_int8 (array.dataflow=ws, array.rows=16)";
  CHECK(r.out.rfind("experiment quickstart  arch " + arch + "  fidelity values\n", 0) == 0);
  CHECK(r.out.find("table horowitz_isscc2014_45nm (dram_read_pj_per_byte=60)\n") != std::string::npos);
  const json s = json::parse(read_text(out + "/stats.json"));
  CHECK(s["arch"] == arch);
  CHECK(s["energy_table"]["source"] == "horowitz_isscc2014_45nm (dram_read_pj_per_byte=60)");
  if (run_shell("command -v gnuplot").exit_code == 0) {  // the plot titles
    CHECK(read_text(out + "/roofline.svg").find(arch) != std::string::npos);
    CHECK(read_text(out + "/cycle_breakdown.svg").find(arch) != std::string::npos);
  }
  // The effective configuration carries the names: running it again gives the same header.
  const auto again = run_cli("run " + out + "/effective_config.yaml --no-plots --out " + d.path() + "/again");
  CHECK(again.out.rfind("experiment quickstart  arch " + arch + "  fidelity values\n", 0) == 0);
  // An explicit name is the name.
  const auto named = run_cli("run " + src_path("configs/experiments/quickstart.yaml") +
                             " --set arch.array.rows=16 --set arch.name=mine");
  CHECK(named.out.rfind("experiment quickstart  arch mine  fidelity values\n", 0) == 0);
}

TEST_CASE("run prints one line naming every file it wrote", "[system][outputs]") {
  TempDir d;
  const std::string out = d.path() + "/q";
  const auto r = run_cli("run --out " + out + " --trace sram");
  REQUIRE(r.exit_code == 0);
  const bool plots = run_shell("command -v gnuplot").exit_code == 0;  // else the plots are left out
  CHECK(r.out.find("wrote " + out +
                   "/{effective_config.yaml,stats.json,layers.csv,summary.txt,COMPUTE_REPORT.csv,"
                   "BANDWIDTH_REPORT.csv,DETAILED_ACCESS_REPORT.csv,timeline.json,traces/" +
                   (plots ? ",roofline.svg,roofline.png,cycle_breakdown.svg,cycle_breakdown.png,utilization.svg,"
                            "utilization.png"
                          : "") +
                   "}\n") != std::string::npos);
  // The summary's fourth table is the roofline, with the columns docs/outputs.md explains.
  CHECK(r.out.find("\nroofline (MACs per cycle; intensity in MACs per scratchpad word and per DRAM byte)\n"
                   "layer           array_words macs_per_word macs_per_byte   attained compute_roof    bw_roof "
                   "port_cycles    bound\n") != std::string::npos);
}

TEST_CASE("SCALE-Sim reports carry SCALE-Sim's columns with arraysim's numbers", "[system][scalesim]") {
  TempDir d;
  // 8×8 OS, GEMM M = 12, N = 8, K = 5: two m-folds (rows 8 and 4, all 8 columns), one n-fold.
  //   Mapping efficiency = mean(8·8/64, 4·8/64) = 75 %.
  //   Fold starts (docs/timing.md, OS): s_0 = 0, s_1 = s_0 + K + R_0 = 13; last output
  //   out_1 = s_2 + C_1 + R − 3 with s_2 = s_1 + K + R_1 = 22: 22 + 8 + 8 − 3 = 35, so 36 cycles, no
  //   stall (ideal DRAM), Overall Util = Compute Util = 480 MACs / (64 · 36) = 20.833... %.
  //   SRAM reads: IFMAP Σ T·R_f = 5·8 + 5·4 = 60 words, FILTER Σ T·C_f = 5·8·2 = 80, OFMAP writes 96.
  //   SRAM windows (the access trace: operand reads at s_f .. s_f + T − 1, output row i of a fold
  //   written at s_f + T + R_f − 1 + R − 1 − i): IFMAP and FILTER 0..17 (s_1 + 4), OFMAP from
  //   0 + 5 + 8 − 1 + 0 = 12 (fold 0, row 7) to 13 + 5 + 4 − 1 + 7 = 28 (fold 1, row 0).
  //   DRAM with ideal memory: the loads' bursts at cycle 0; the store at the complete cycle 36.
  //   DRAM moves whole 64-byte bursts: IFMAP 60 int8 words fetch one burst (64 words), FILTER 40
  //   one burst (64), OFMAP 96 int32 words = 384 bytes = 6 whole bursts (96 words).
  //   DRAM BW: IFMAP 64 words / 1 cycle, FILTER 64 / 1, OFMAP 96 / 1.
  const std::string out = d.path() + "/run";
  const auto r = run_cli("run " + gemm_8x8(d.path(), 12, 8, 5) + " --no-plots --out " + out);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const auto compute = lines(read_text(out + "/COMPUTE_REPORT.csv"));
  REQUIRE(compute.size() == 2);
  CHECK(compute[0] == "LayerID, Total Cycles, Stall Cycles, Overall Util %, Mapping Efficiency %, Compute Util %,");
  const auto c = cells(compute[1]);
  REQUIRE(c.size() == 6);
  CHECK(c[0] == "0");
  CHECK(c[1] == "36");
  CHECK(c[2] == "0");
  CHECK(std::stod(c[3]) == Approx(100.0 * 480 / (64 * 36)));
  CHECK(std::stod(c[4]) == 75);
  CHECK(std::stod(c[5]) == Approx(100.0 * 480 / (64 * 36)));
  const auto bw = lines(read_text(out + "/BANDWIDTH_REPORT.csv"));
  REQUIRE(bw.size() == 2);
  CHECK(bw[0] ==
        "LayerID, Avg IFMAP SRAM BW, Avg FILTER SRAM BW, Avg OFMAP SRAM BW, Avg IFMAP DRAM BW, Avg FILTER DRAM BW, "
        "Avg OFMAP DRAM BW,");
  const auto b = cells(bw[1]);
  REQUIRE(b.size() == 7);
  CHECK(std::stod(b[1]) == Approx(60.0 / 36));
  CHECK(std::stod(b[2]) == Approx(80.0 / 36));
  CHECK(std::stod(b[3]) == Approx(96.0 / 36));
  CHECK(std::stod(b[4]) == 64);
  CHECK(std::stod(b[5]) == 64);
  CHECK(std::stod(b[6]) == 96);
  const auto detail = lines(read_text(out + "/DETAILED_ACCESS_REPORT.csv"));
  REQUIRE(detail.size() == 2);
  CHECK(detail[0] ==
        "LayerID, SRAM IFMAP Start Cycle, SRAM IFMAP Stop Cycle, SRAM IFMAP Reads, SRAM Filter Start Cycle, SRAM "
        "Filter Stop Cycle, SRAM Filter Reads, SRAM OFMAP Start Cycle, SRAM OFMAP Stop Cycle, SRAM OFMAP Writes, "
        "DRAM IFMAP Start Cycle, DRAM IFMAP Stop Cycle, DRAM IFMAP Reads, DRAM Filter Start Cycle, DRAM Filter Stop "
        "Cycle, DRAM Filter Reads, DRAM OFMAP Start Cycle, DRAM OFMAP Stop Cycle, DRAM OFMAP Writes,");
  CHECK(detail[1] == "0, 0, 17, 60, 0, 17, 80, 12, 28, 96, 0, 0, 64, 0, 0, 64, 36, 36, 96,");
  // stats.json holds what the reports were made from, so `arraysim report` rewrites them alike.
  const json s = json::parse(read_text(out + "/stats.json"));
  CHECK(s["layers"][0]["mapping_efficiency"] == 0.75);
  fs::remove(out + "/DETAILED_ACCESS_REPORT.csv");
  REQUIRE(run_cli("report " + out).exit_code == 0);
  CHECK(lines(read_text(out + "/DETAILED_ACCESS_REPORT.csv")) == detail);
}

TEST_CASE("timeline of ResNet-50: no overlap within a track, pe_array MACs add up per layer", "[system][timeline]") {
  TempDir d;
  const std::string out = d.path() + "/r50", tl = d.path() + "/r50.json";
  const auto r = run_cli("run " + src_path("configs/experiments/resnet50_128x128.yaml") + " --no-plots --out " + out +
                         " --timeline " + tl);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const json s = json::parse(read_text(out + "/stats.json"));
  const json t = json::parse(read_text(tl));
  std::map<int, std::string> track_name;
  std::map<int, std::vector<std::pair<long long, long long>>> spans;  // tid -> (start, end) in cycles
  std::map<std::string, long long> macs;
  for (const auto& e : t["traceEvents"]) {
    if (e["ph"] == "M" && e["name"] == "thread_name") track_name[e["tid"].get<int>()] = e["args"]["name"];
    if (e["ph"] != "X") continue;
    const long long start = e["args"]["start_cycle"], dur = e["args"]["duration_cycles"];
    spans[e["tid"].get<int>()].emplace_back(start, start + dur);
    if (e["cat"] == "pe_array") macs[e["args"]["layer"]] += e["args"]["macs"].get<long long>();
  }
  for (auto& [tid, v] : spans) {
    INFO(track_name[tid]);
    std::sort(v.begin(), v.end());
    for (std::size_t i = 1; i < v.size(); ++i) CHECK(v[i].first >= v[i - 1].second);
  }
  // The DMA transfers in flight together are on further tracks (more than the five units').
  CHECK(track_name.size() > 5);
  CHECK(track_name.at(4) == "dma_load");
  CHECK(track_name.at(6).rfind("dma_", 0) == 0);
  REQUIRE(s["layers"].size() == 54);
  for (const auto& l : s["layers"]) {
    INFO(l["name"]);
    CHECK(macs[l["name"]] == l["macs"].get<long long>());
  }
  CHECK(macs["layer1.0.conv3"] == 51380224);  // 56·56 · 256 · 64
}

TEST_CASE("compare prints per-layer and total deltas of two runs and plots their ratios", "[system][compare]") {
  TempDir d;
  const std::string a = d.path() + "/a", b = d.path() + "/b";
  // 8×8 OS, GEMM 12×8×5 takes 36 cycles (see the SCALE-Sim report case); 16×8×5 has two full
  // m-folds: s_1 = 13, s_2 = 26, last output 26 + 8 + 8 − 3 = 39, so 40 cycles: B − A = +4.
  REQUIRE(run_cli("run " + gemm_8x8(d.path(), 12, 8, 5) + " --no-plots --out " + a).exit_code == 0);
  REQUIRE(run_cli("run " + gemm_8x8(d.path(), 16, 8, 5) + " --no-plots --out " + b).exit_code == 0);
  const auto r = run_cli("compare " + a + " " + b + " --plot " + d.path() + "/cmp");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.rfind("A: " + a + " (arch os8)\nB: " + b + " (arch os8)\n\ncycles\nlayer ", 0) == 0);
  CHECK(r.out.find("\ng                            36               40               +4     1.111\n"
                   "total                        36               40               +4     1.111\n") !=
        std::string::npos);
  for (const char* metric :
       {"\nstall cycles\nlayer ", "\nDRAM bytes (read + written)\nlayer ", "\nenergy (nJ)\nlayer "})
    CHECK(r.out.find(metric) != std::string::npos);
  CHECK(read_text(d.path() + "/cmp/compare.svg").find("<svg") != std::string::npos);
  CHECK(r.out.find("wrote " + d.path() + "/cmp/{compare.svg,compare.png}\n") != std::string::npos);
  // A missing run directory: one line, exit 2.
  const auto bad = run_cli("compare " + a + " " + d.path() + "/none");
  CHECK(bad.exit_code == 2);
  CHECK(bad.err ==
        "arraysim: error: " + d.path() + "/none: not a run directory (expected the --out directory of arraysim run)\n");
}
