/// The formats of the outputs, on synthetic runs whose numbers are written out here: engineering
/// tick labels, timeline tracks (lanes) for spans in flight together, the roofline's labels for
/// the layers with the most cycles, SCALE-Sim's report text, the comparison of two runs and HTML
/// escaping.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "sim/stats/html_report.hpp"
#include "sim/stats/plot_ticks.hpp"
#include "sim/stats/plots.hpp"
#include "sim/stats/run_compare.hpp"
#include "sim/stats/scalesim_report.hpp"
#include "sim/stats/timeline.hpp"

using namespace arraysim;

namespace {

/// A layer with the counters the reports read.
stats::LayerResult layer(const std::string& name, std::int64_t macs, std::int64_t cycles, std::int64_t stall) {
  stats::LayerResult l;
  l.name = name;
  l.type = "gemm";
  l.macs = macs;
  l.total_cycles = cycles;
  l.stall_cycles = stall;
  l.compute_cycles = cycles - stall;
  l.pe_utilization = static_cast<double>(macs) / (16.0 * static_cast<double>(cycles));
  return l;
}

/// The data lines of one of a plot's data files ("" when it has none).
std::string data_file(const stats::Plot& p, const std::string& name) {
  for (const auto& [n, content] : p.data_files)
    if (n == name) return content;
  return "";
}

std::size_t count_lines(const std::string& s) { return static_cast<std::size_t>(std::count(s.begin(), s.end(), '\n')); }

}  // namespace

TEST_CASE("engineering numbers have 3 significant digits and an SI suffix", "[unit][plots]") {
  CHECK(stats::eng_number(0) == "0");
  CHECK(stats::eng_number(950) == "950");
  CHECK(stats::eng_number(0.35) == "0.35");
  CHECK(stats::eng_number(12.5) == "12.5");
  CHECK(stats::eng_number(1000) == "1k");
  CHECK(stats::eng_number(1048576) == "1.05M");  // 2^20, not gnuplot's 1.04858×10⁶
  CHECK(stats::eng_number(250000) == "250k");
  CHECK(stats::eng_number(999700) == "1M");  // 999.7k rounds up into the next prefix
  CHECK(stats::eng_number(3.5e12) == "3.5T");
  CHECK(stats::eng_number(-2048) == "-2.05k");
}

TEST_CASE("tick positions: 1-2-5 steps on linear axes, powers on log axes", "[unit][plots]") {
  // [0, 1e6]: raw step 1e6 / 6 = 166,667 → the next 1-2-5 step is 200k: 0, 200k, ..., 1M.
  CHECK(stats::tick_positions(0, 1e6, false, 10) == std::vector<double>{0, 2e5, 4e5, 6e5, 8e5, 1e6});
  // [6, 140] on a base-2 log axis: 8, 16, 32, 64, 128.
  CHECK(stats::tick_positions(6, 140, true, 2) == std::vector<double>{8, 16, 32, 64, 128});
  const std::string axis = stats::eng_axis("y", 0, 1e6, false);
  CHECK(axis.find("set ytics (\"0\" 0, \"200k\" 200000, \"400k\" 400000, \"600k\" 600000, \"800k\" 800000, \"1M\" "
                  "1000000)\n") != std::string::npos);
  CHECK(axis.find("set yrange [-50000:1050000]\n") != std::string::npos);  // 5 % margins
}

TEST_CASE("timeline lanes: spans in flight together go to separate tracks", "[unit][timeline]") {
  // Three loads: [0, 10), [0, 6), [6, 12): the second overlaps the first (lane 1), the third
  // starts when the second ends (lane 1 again); the store [3, 5) is alone on its unit (lane 0).
  const std::vector<stats::TimelineEvent> ev{{"dma_load", "load A", "l", 0, 10, 0, 8},
                                             {"dma_load", "load B", "l", 0, 6, 0, 8},
                                             {"dma_store", "store", "l", 3, 2, 0, 8},
                                             {"dma_load", "load A2", "l", 6, 6, 0, 8}};
  CHECK(stats::timeline_lanes(ev) == std::vector<int>{0, 1, 0, 1});
}

TEST_CASE("roofline labels only the layers with the most cycles", "[unit][plots]") {
  stats::RunResult r;
  r.experiment = "x";
  r.arch_name = "a";
  r.pe_count = 16;
  for (int i = 0; i < 12; ++i) {
    stats::LayerResult l = layer("l" + std::to_string(i), 1000 * (i + 1), 100 + 10 * i, 0);
    l.memory.dram_read_bytes.ifmap = 100 * (i + 1);  // intensities 10, 10, ... at different heights
    r.layers.push_back(l);
  }
  stats::PlotOptions opt;
  opt.roofline_labels = 3;
  const stats::Plot p = stats::roofline_plot(r, opt);
  // Cycles grow with the index: l11, l10, l9 have the most and are labelled; nine are dots.
  const std::string labels = data_file(p, "labels.dat");
  CHECK(count_lines(labels) == 3);
  CHECK(labels.find("\"l11\"") != std::string::npos);
  CHECK(labels.find("\"l9\"") != std::string::npos);
  CHECK(labels.find("\"l8\"") == std::string::npos);
  CHECK(count_lines(data_file(p, "measured.dat")) == 3);
  CHECK(count_lines(data_file(p, "dots.dat")) == 9);
  CHECK(p.script.find("labelled: the 3 layers with the most cycles; dots: the other 9") != std::string::npos);
}

TEST_CASE("SCALE-Sim report text: SCALE-Sim's cell layout, empty cells where not measured", "[unit][scalesim]") {
  stats::RunResult r;
  stats::LayerResult a = layer("a", 1600, 200, 40);  // util 1600 / (16 · 200) = 50 %
  a.mapping_efficiency = 0.5;
  a.compute_utilization = 1600.0 / (16 * 160);  // 62.5 %
  a.array_read_words = {400, 100, 0};
  a.array_write_words = {0, 0, 50};
  a.dram_read_words = {80, 20, 0};
  a.dram_write_words = {0, 0, 50};
  a.sram_access_cycles.add(0, 3), a.sram_access_cycles.add(0, 102);
  a.dram_access_cycles.add(0, 0), a.dram_access_cycles.add(0, 39);  // 80 words over 40 cycles
  a.dram_access_cycles.add(2, 190);                                 // 50 words in 1 cycle
  r.layers = {a};
  const auto files = stats::scalesim_reports(r);
  REQUIRE(files.size() == 3);
  CHECK(files[0].first == "COMPUTE_REPORT.csv");
  CHECK(files[0].second ==
        "LayerID, Total Cycles, Stall Cycles, Overall Util %, Mapping Efficiency %, Compute Util %,\n"
        "0, 200, 40, 50, 50, 62.5,\n");
  // SRAM: 400/200, 100/200, 50/200; DRAM: 80/40, weight none (0), 50/1.
  CHECK(files[1].second.substr(files[1].second.find('\n') + 1) == "0, 2, 0.5, 0.25, 2, 0, 50,\n");
  CHECK(files[2].second.substr(files[2].second.find('\n') + 1) ==
        "0, 3, 102, 400, , , 100, , , 50, 0, 39, 80, , , 20, 190, 190, 50,\n");
}

TEST_CASE("compare aligns layers by name and computes B - A and B / A", "[unit][compare]") {
  stats::RunResult a, b;
  a.arch_name = "os", b.arch_name = "ws";
  a.layers = {layer("x", 100, 50, 10), layer("y", 100, 40, 0), layer("only_a", 1, 5, 0)};
  b.layers = {layer("y", 100, 20, 0), layer("x", 100, 100, 30), layer("only_b", 1, 7, 0)};
  const stats::RunComparison c = stats::compare_runs(a, b, "A", "B");
  CHECK(c.layers == std::vector<std::string>{"x", "y", "only_a", "only_b"});
  CHECK(c.only_in == std::vector<std::string>{"", "", "A", "B"});
  const stats::ComparedMetric& cycles = c.metrics.at(0);
  CHECK(cycles.name == "cycles");
  CHECK(*cycles.layers[0].delta() == 50);   // x: 100 − 50
  CHECK(*cycles.layers[0].ratio() == 2);    // 100 / 50
  CHECK(*cycles.layers[1].ratio() == 0.5);  // y: 20 / 40
  CHECK_FALSE(cycles.layers[2].b.has_value());
  CHECK_FALSE(cycles.layers[3].a.has_value());
  CHECK(*cycles.total.a == 95);                     // 50 + 40 + 5
  CHECK(*cycles.total.b == 127);                    // 20 + 100 + 7
  CHECK(*c.metrics.at(1).layers[0].delta() == 20);  // stall cycles of x: 30 − 10
  const std::string text = stats::comparison_text(c);
  CHECK(text.find("only_a (A)") != std::string::npos);
  CHECK(text.find("layers only in A: 1, only in B: 1") != std::string::npos);
}

TEST_CASE("html escape writes the five special characters as references", "[unit][html]") {
  CHECK(stats::html_escape("a<b & \"c\" 'd'>") == "a&lt;b &amp; &quot;c&quot; &#39;d&#39;&gt;");
}
