/// Plots, the Chrome trace-event timeline, utilization over time and reading a run back, on a
/// synthetic two-layer run whose numbers are worked out by hand below.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "sim/stats/gnuplot.hpp"
#include "sim/stats/plots.hpp"
#include "sim/stats/stats_json.hpp"
#include "sim/stats/timeline.hpp"
#include "tests/support.hpp"

using namespace arraysim;
using arraysim::test::svg_points;
using Catch::Matchers::Contains;

namespace {

/// 16 PEs at 500 MHz, two layers back to back:
///   conv_a: 1600 MACs in 150 cycles = 100 compute + 30 dram_bandwidth + 20 dependency stall;
///           800 DRAM bytes read -> intensity 1600 / 800 = 2 MACs/byte, attained 1600 / 150.
///   fc "b": 3200 MACs in 250 cycles, all compute, no DRAM bytes counted; compulsory traffic
///           320 bytes -> intensity 3200 / 320 = 10, attained 3200 / 250 = 12.8.
/// Timeline: conv_a computes [0,60) (960 MACs), stalls [60,90) on bandwidth, computes [90,130)
/// (640 MACs), stalls [130,150) on a dependency; fc computes [150,400) (3200 MACs).
stats::RunResult synthetic_run() {
  stats::RunResult r;
  r.experiment = "synthetic";
  r.arch_name = "ws_4x4";
  r.fidelity = r.fidelity_setting = "timing";
  r.workload_layers = 2;
  r.pe_count = 16;
  r.clock_mhz = 500;
  r.dram_bytes_per_cycle = 8;
  stats::LayerResult a;
  a.name = "conv_a";
  a.type = "conv2d";
  a.input_shape = {1, 4, 6, 6};
  a.weight_shape = {4, 4, 3, 3};
  a.output_shape = {1, 4, 4, 4};
  a.gemm = {16, 4, 36, 1};
  a.macs = 1600;
  a.total_cycles = 150;
  a.compute_cycles = 100;
  a.stall_cycles = 50;
  a.folds = 3;
  a.pe_utilization = 1600.0 / (16 * 150);
  a.memory.stall_cycles.dram_bandwidth = 30;
  a.memory.stall_cycles.dependency = 20;
  a.memory.dram_read_bytes = {400, 400, 0};
  a.memory.sram_read_bytes = {1000, 2000, 300};
  a.compulsory_dram_bytes = 144 + 144 + 256;
  a.energy = stats::EnergyPj{480, 10, 20, 30, 130000, 1500};
  stats::LayerResult b;
  b.name = "fc \"b\"";
  b.type = "fc";
  b.input_shape = {4, 20};
  b.weight_shape = {20, 40};
  b.output_shape = {4, 40};
  b.gemm = {4, 40, 20, 1};
  b.macs = 3200;
  b.total_cycles = 250;
  b.compute_cycles = 250;
  b.stall_cycles = 0;
  b.folds = 10;
  b.pe_utilization = 3200.0 / (16 * 250);
  b.golden_match = true;
  b.start_cycle = 150;
  b.compulsory_dram_bytes = 320;
  b.energy = stats::EnergyPj{960, 0, 0, 0, 0, 2500};
  r.layers = {a, b};
  r.energy_rates = stats::EnergyRates{"test_table", "int8", 0.3, {8, 1, 1}, {8, 1, 1}, {8, 1, 1}, 162.5, 162.5, 10};
  r.area_um2 = stats::AreaUm2{16 * 419.0, std::nullopt};
  r.timeline = {
      {"layer", "conv_a", "conv_a", 0, 150, 0, 0},       {"dma_load", "load ifmap tile 0", "conv_a", 0, 50, 0, 800},
      {"pe_array", "compute", "conv_a", 0, 60, 960, 0},  {"stall", "stall dram_bandwidth", "conv_a", 60, 30, 0, 0},
      {"pe_array", "compute", "conv_a", 90, 40, 640, 0}, {"stall", "stall dependency", "conv_a", 130, 20, 0, 0},
      {"layer", "fc \"b\"", "fc \"b\"", 150, 250, 0, 0}, {"pe_array", "compute", "fc \"b\"", 150, 250, 3200, 0},
  };
  return r;
}

bool have_gnuplot() {
  if (!stats::gnuplot_path().empty()) return true;
  WARN("ARRAYSIM_PLOT_TEST_SKIPPED: gnuplot not on PATH (Debian package gnuplot-nox)");
  return false;
}

}  // namespace

TEST_CASE("roofline points use measured intensity or else compulsory traffic", "[unit][plots]") {
  const auto pts = stats::roofline_points(synthetic_run());
  REQUIRE(pts.size() == 2);
  CHECK(pts[0].layer == "conv_a");
  CHECK_FALSE(pts[0].compulsory);
  CHECK(pts[0].intensity_macs_per_byte == Approx(2.0));
  CHECK(pts[0].attained_macs_per_cycle == Approx(1600.0 / 150));
  CHECK(pts[1].compulsory);
  CHECK(pts[1].intensity_macs_per_byte == Approx(10.0));
  CHECK(pts[1].attained_macs_per_cycle == Approx(12.8));
}

TEST_CASE("roofline svg holds one point per layer and both roofs", "[unit][plots]") {
  if (!have_gnuplot()) return;
  test::TempDir d;
  const stats::RunResult r = synthetic_run();
  const stats::Plot p = stats::roofline_plot(r);
  CHECK_THAT(p.script, Contains("bw = 8"));
  CHECK_THAT(p.script, Contains("peak = 16"));
  stats::render_plot(d.path(), p);
  const std::string svg = test::read_text(d.path() + "/roofline.svg");
  CHECK(svg_points(svg) == 2);
  CHECK_THAT(svg, Contains("conv_a"));
  CHECK_THAT(svg, Contains("fc 'b'"));  // a double quote in a name becomes a single quote
  CHECK_THAT(svg, Contains("roof: min(16 MACs/cycle, 8 bytes/cycle x intensity)"));
  CHECK(std::filesystem::file_size(d.path() + "/roofline.png") > 0);

  // Ideal DRAM: the compute roof alone, the points unchanged.
  stats::RunResult ideal = r;
  ideal.dram_bytes_per_cycle.reset();
  stats::render_plot(d.path(), stats::roofline_plot(ideal));
  const std::string svg2 = test::read_text(d.path() + "/roofline.svg");
  CHECK(svg_points(svg2) == 2);
  CHECK_THAT(svg2, Contains("ideal DRAM: no bandwidth roof"));
}

TEST_CASE("cycle breakdown stacks compute and the stall causes per layer", "[unit][plots]") {
  stats::RunResult r = synthetic_run();
  const auto p = stats::cycle_breakdown_plot(r);
  REQUIRE(p);
  REQUIRE(p->data_files.size() == 1);
  // name compute dram_bandwidth dram_write_bandwidth dram_latency bank_conflict dependency
  CHECK(p->data_files[0].second == "\"conv_a\" 100 30 0 0 0 20\n\"fc 'b'\" 250 0 0 0 0 0\n");
  if (have_gnuplot()) {
    test::TempDir d;
    stats::render_plot(d.path(), *p);
    const std::string svg = test::read_text(d.path() + "/cycle_breakdown.svg");
    for (const char* s : {"compute", "stall: DRAM read bandwidth", "stall: DRAM write-back bandwidth",
                          "stall: DRAM latency", "stall: bank conflict", "stall: dependency", "conv_a"})
      CHECK_THAT(svg, Contains(s));
  }
  for (auto& l : r.layers) l.total_cycles.reset();
  CHECK_FALSE(stats::cycle_breakdown_plot(r));
}

TEST_CASE("utilization over time spreads each span's MACs over its cycles", "[unit][plots]") {
  const stats::RunResult r = synthetic_run();
  // 400 cycles in 4 buckets of 100:
  //  [0,100):   960 + 10 cycles of the [90,130) span at 640/40 = 16 MACs/cycle = 1120 -> 1120 / 1600 = 0.7
  //  [100,200): 30·16 = 480 + 50 cycles of fc at 3200/250 = 12.8 -> 480 + 640 = 1120 -> 0.7
  //  [200,300), [300,400): 100·12.8 = 1280 -> 0.8
  const auto u = stats::utilization_over_time(r.timeline, r.pe_count, 4);
  REQUIRE(u.size() == 4);
  CHECK(u[0].start_cycle == 0);
  CHECK(u[0].end_cycle == 100);
  CHECK(u[0].utilization == Approx(0.7));
  CHECK(u[1].utilization == Approx(0.7));
  CHECK(u[2].utilization == Approx(0.8));
  CHECK(u[3].end_cycle == 400);
  CHECK(u[3].utilization == Approx(0.8));
  // 3 buckets: width ceil(400 / 3) = 134; the last bucket [268,400) is shorter.
  const auto v = stats::utilization_over_time(r.timeline, r.pe_count, 3);
  REQUIRE(v.size() == 3);
  CHECK(v[2].start_cycle == 268);
  CHECK(v[2].end_cycle == 400);
  CHECK(v[2].utilization == Approx(12.8 / 16));
  // MACs are conserved: Σ utilization · PEs · bucket cycles = 1600 + 3200.
  double macs = 0;
  for (const auto& s : v) macs += s.utilization * 16 * static_cast<double>(s.end_cycle - s.start_cycle);
  CHECK(macs == Approx(4800));
  CHECK(stats::utilization_over_time({}, 16).empty());
}

TEST_CASE("utilization plot needs a recorded timeline", "[unit][plots]") {
  stats::RunResult r = synthetic_run();
  const auto p = stats::utilization_plot(r);
  REQUIRE(p);
  CHECK_THAT(p->script, Contains("buckets of 2 cycles"));          // 400 cycles / 200 buckets
  CHECK_THAT(p->script, Contains("set arrow from 150, graph 0"));  // the fc layer's boundary
  if (have_gnuplot()) {
    test::TempDir d;
    stats::render_plot(d.path(), *p);
    CHECK(std::filesystem::file_size(d.path() + "/utilization.svg") > 0);
  }
  r.timeline.clear();
  CHECK_FALSE(stats::utilization_plot(r));
}

TEST_CASE("write_plots without gnuplot warns in one line and writes nothing", "[unit][plots]") {
  test::TempDir empty, out;
  ::setenv("PATH", empty.path().c_str(), 1);  // this process only (one process per test case)
  const stats::PlotOutcome o = stats::write_plots(out.path(), synthetic_run());
  CHECK(o.written.empty());
  CHECK(o.warning == "plots not written: gnuplot not found on PATH (Debian package gnuplot-nox)");
  CHECK(std::filesystem::is_empty(out.path()));
}

TEST_CASE("write_plots writes roofline breakdown and utilization", "[unit][plots]") {
  if (!have_gnuplot()) return;
  test::TempDir d;
  const stats::PlotOutcome o = stats::write_plots(d.path(), synthetic_run());
  CHECK(o.warning.empty());
  CHECK(o.written == std::vector<std::string>{"roofline.svg", "roofline.png", "cycle_breakdown.svg",
                                              "cycle_breakdown.png", "utilization.svg", "utilization.png"});
  for (const auto& f : o.written) CHECK(std::filesystem::file_size(d.path() + "/" + f) > 0);
}

TEST_CASE("chrome trace has one thread per unit and exact cycles in args", "[unit][timeline]") {
  const stats::RunResult r = synthetic_run();
  const nlohmann::json j = nlohmann::json::parse(stats::to_chrome_trace(r));
  CHECK(j["otherData"]["timeline_source"] == "simulator");
  std::map<int, std::string> threads;
  std::map<std::string, std::int64_t> cycles;
  std::size_t spans = 0;
  for (const auto& e : j["traceEvents"]) {
    if (e["ph"] == "M" && e["name"] == "thread_name") threads[e["tid"].get<int>()] = e["args"]["name"];
    if (e["ph"] != "X") continue;
    ++spans;
    CHECK(threads.at(e["tid"].get<int>()) == e["cat"]);  // metadata precedes the spans
    const std::int64_t c = e["args"]["duration_cycles"];
    cycles[e["cat"]] += c;
    // ts and dur in microseconds at 500 MHz: cycles / 500.
    CHECK(e["dur"].get<double>() == Approx(static_cast<double>(c) / 500));
    CHECK(e["ts"].get<double>() == Approx(e["args"]["start_cycle"].get<double>() / 500));
  }
  CHECK(spans == r.timeline.size());
  CHECK(threads ==
        std::map<int, std::string>{{1, "layer"}, {2, "pe_array"}, {3, "stall"}, {4, "dma_load"}, {5, "dma_store"}});
  CHECK(cycles["layer"] == 400);                       // Σ total_cycles
  CHECK(cycles["pe_array"] + cycles["stall"] == 400);  // busy + stalled = total
  CHECK(cycles["stall"] == 50);                        // Σ stall_cycles
  // Read back: the same spans.
  const auto back = stats::timeline_from_chrome_trace(stats::to_chrome_trace(r));
  REQUIRE(back.size() == r.timeline.size());
  for (std::size_t i = 0; i < back.size(); ++i) {
    CHECK(back[i].unit == r.timeline[i].unit);
    CHECK(back[i].name == r.timeline[i].name);
    CHECK(back[i].layer == r.timeline[i].layer);
    CHECK(back[i].start_cycle == r.timeline[i].start_cycle);
    CHECK(back[i].duration_cycles == r.timeline[i].duration_cycles);
    CHECK(back[i].macs == r.timeline[i].macs);
    CHECK(back[i].bytes == r.timeline[i].bytes);
  }
  CHECK_THROWS_WITH(stats::timeline_from_chrome_trace("{}"), Contains("traceEvents"));
}

TEST_CASE("without a recorded timeline the trace is derived from the layer totals", "[unit][timeline]") {
  stats::RunResult r = synthetic_run();
  r.timeline.clear();
  const auto ev = stats::timeline_events(r);
  // conv_a: layer [0,150), compute [0,100) with its 1600 MACs, stalls [100,130) bandwidth, [130,150) dependency;
  // fc: layer [150,400), compute [150,400).
  REQUIRE(ev.size() == 6);
  CHECK(ev[1].unit == "pe_array");
  CHECK(ev[1].duration_cycles == 100);
  CHECK(ev[1].macs == 1600);
  CHECK(ev[2].name == "stall dram_bandwidth");
  CHECK(ev[2].start_cycle == 100);
  CHECK(ev[3].name == "stall dependency");
  CHECK(ev[3].start_cycle == 130);
  CHECK(ev[4].unit == "layer");
  CHECK(ev[4].start_cycle == 150);
  CHECK(ev[5].duration_cycles == 250);
  const nlohmann::json j = nlohmann::json::parse(stats::to_chrome_trace(r));
  CHECK(j["otherData"]["timeline_source"] == "layer totals");
}

TEST_CASE("stats json reads back into the same summary and csv", "[unit][report]") {
  const stats::RunResult r = synthetic_run();
  const stats::RunResult back = stats::run_from_json(stats::to_json(r));
  CHECK(stats::to_text(back) == stats::to_text(r));
  CHECK(stats::to_csv(back) == stats::to_csv(r));
  CHECK(stats::to_json(back) == stats::to_json(r));
  CHECK_THROWS_WITH(stats::run_from_json("{\"experiment\": 1}"), "experiment: expected a string");
  CHECK_THROWS_WITH(stats::run_from_json("[1"), Contains("not JSON"));
}

TEST_CASE("summary shows stall shares dram traffic and energy by component", "[unit][report]") {
  const std::string t = stats::to_text(synthetic_run());
  // The first table keeps its header; the memory and energy tables follow.
  CHECK_THAT(t, Contains("layer          type          output_shape       gemm MxNxK  groups           macs       "
                         "cycles    util golden analytic\n"));
  // conv_a: 30 / 150 = 20.0% bandwidth stall, no write-back, 20 / 150 = 13.3% dependency, 50 / 150 = 33.3% in all;
  // 800 DRAM bytes read, intensity 1600 / 800 = 2.00.
  CHECK_THAT(t, Contains("conv_a                  150   33.3%      20.0%       0.0%   "
                         "    0.0%       0.0%      13.3%              800                0          2.00\n"));
  // conv_a energy 480 + 10 + 20 + 30 + 130000 + 1500 = 132040 pJ = 132.040 nJ, 132040 / 1600 = 82.525 pJ/MAC;
  // DRAM 130000 / 132040 = 98.5%.
  CHECK_THAT(
      t,
      Contains("conv_a              132.040     82.525    0.4%       0.0%        0.0%        0.0%   98.5%    1.1%\n"));
  CHECK_THAT(t,
             Contains("area_um2: pe_array 6704 (multipliers and adders only), scratchpads not in the energy table\n"));
}
