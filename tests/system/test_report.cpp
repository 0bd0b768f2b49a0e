/// Reports end to end (each case spawns the real binary): stats.json and layers.csv carry every
/// documented field (docs/outputs.md) with consistent values; the plots exist with one roofline
/// point per layer; energy equals the action counts times the table of effective_config.yaml,
/// recomputed here independently; the --timeline trace adds up per unit; `arraysim report`
/// regenerates the summary and plots of a finished run.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdlib>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>
#include <yaml-cpp/yaml.h>

#include "sim/io/csv.hpp"
#include "tests/support.hpp"

namespace io = arraysim::io;
using arraysim::test::read_text;
using arraysim::test::run_cli;
using arraysim::test::src_path;
using arraysim::test::svg_points;
using arraysim::test::TempDir;
using Catch::Matchers::Contains;
namespace fs = std::filesystem;

namespace {

/// layers.csv as rows of column name -> cell (RFC 4180: the mapping column is quoted, it holds commas).
std::vector<std::map<std::string, std::string>> read_csv(const std::string& text) {
  const std::vector<io::CsvRecord> records = io::parse_csv(text);
  REQUIRE(!records.empty());
  const std::vector<io::CsvField>& header = records[0].fields;
  std::vector<std::map<std::string, std::string>> rows;
  for (std::size_t i = 1; i < records.size(); ++i) {
    const std::vector<io::CsvField>& cells = records[i].fields;
    REQUIRE(cells.size() == header.size());
    std::map<std::string, std::string> row;
    for (std::size_t c = 0; c < header.size(); ++c) row[header[c].text] = cells[c].text;
    rows.push_back(row);
  }
  return rows;
}

/// Every identifier written inside backticks in docs/outputs.md.
std::set<std::string> documented_words() {
  const std::string doc = read_text(src_path("docs/outputs.md"));
  std::set<std::string> words;
  const std::regex code("`([^`]*)`"), word("[A-Za-z_][A-Za-z0-9_]*");
  for (auto it = std::sregex_iterator(doc.begin(), doc.end(), code); it != std::sregex_iterator(); ++it) {
    const std::string span = (*it)[1];
    for (auto w = std::sregex_iterator(span.begin(), span.end(), word); w != std::sregex_iterator(); ++w)
      words.insert(w->str());
  }
  return words;
}

/// Every object key of `j`, recursively (the keys of list elements too), as "path" for messages.
void collect_keys(const nlohmann::json& j, const std::string& path,
                  std::vector<std::pair<std::string, std::string>>& out) {
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it) {
      out.push_back({it.key(), path + "." + it.key()});
      collect_keys(it.value(), path + "." + it.key(), out);
    }
  } else if (j.is_array()) {
    for (const auto& e : j) collect_keys(e, path + "[]", out);
  }
}

/// The scratchpad pJ per byte of the table's `sram` points for `kib`: linear in log2(size)
/// between points, the end points' values outside (docs/energy.md), written out again here.
double sram_rate(const YAML::Node& points, double kib, const char* key) {
  std::vector<std::pair<double, double>> p;
  for (const auto& n : points) p.push_back({n["size_kib"].as<double>(), n[key].as<double>()});
  if (kib <= p.front().first) return p.front().second;
  if (kib >= p.back().first) return p.back().second;
  for (std::size_t i = 1; i < p.size(); ++i)
    if (kib <= p[i].first) {
      const double t =
          (std::log2(kib) - std::log2(p[i - 1].first)) / (std::log2(p[i].first) - std::log2(p[i - 1].first));
      return p[i - 1].second + t * (p[i].second - p[i - 1].second);
    }
  return p.back().second;
}

/// pJ as the summary's energy_nj column prints it.
std::string fmt_nj(double pj) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.3f", pj / 1000);
  return buf;
}

bool have_gnuplot() {
  if (std::system("command -v gnuplot >/dev/null 2>&1") == 0) return true;
  WARN("ARRAYSIM_PLOT_TEST_SKIPPED: gnuplot not on PATH (Debian package gnuplot-nox)");
  return false;
}

}  // namespace

TEST_CASE("report stats json and layers csv carry every documented field", "[system][report]") {
  TempDir d;
  const std::string out = d.path() + "/run";
  REQUIRE(run_cli("run --out " + out).exit_code == 0);
  const auto j = nlohmann::json::parse(read_text(out + "/stats.json"));
  const auto csv = read_csv(read_text(out + "/layers.csv"));
  const std::set<std::string> doc = documented_words();

  // Every key of stats.json (nested ones too) and every layers.csv column is documented.
  std::vector<std::pair<std::string, std::string>> keys;
  collect_keys(j, "stats.json", keys);
  for (const auto& [key, path] : keys) {
    INFO(path);
    CHECK(doc.count(key) == 1);
  }
  for (const auto& [column, cell] : csv.at(0)) {
    INFO("layers.csv column " << column);
    CHECK(doc.count(column) == 1);
  }
  // Units are part of the names of the fields this report adds.
  for (const char* k : {"energy_pj", "energy_pj_per_mac", "area_um2", "dram_bytes_per_cycle", "energy_table"})
    CHECK(j.contains(k));
  for (const char* k : {"energy_pj", "compulsory_dram_bytes", "attained_macs_per_cycle"})
    CHECK(j["layers"][0].contains(k));
  for (const char* k : {"mac_pj", "dram_read_pj_per_byte", "dram_write_pj_per_byte", "static_pj_per_cycle"})
    CHECK(j["energy_table"].contains(k));

  // The values agree with each other.
  const auto& layers = j["layers"];
  REQUIRE(layers.size() == csv.size());
  double total_pj = 0;
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const auto& l = layers[i];
    INFO(l["name"]);
    const auto& e = l["energy_pj"];
    const double parts = e["mac"].get<double>() + e["sram_ifmap"].get<double>() + e["sram_weight"].get<double>() +
                         e["sram_output"].get<double>() + e["dram"].get<double>() + e["static"].get<double>();
    CHECK(e["total"].get<double>() == Approx(parts));
    total_pj += parts;
    CHECK(l["attained_macs_per_cycle"].get<double>() ==
          Approx(l["macs"].get<double>() / l["total_cycles"].get<double>()));
    // The CSV row holds the same numbers (6 decimals).
    CHECK(csv[i].at("name") == l["name"]);
    CHECK(std::stod(csv[i].at("energy_pj_total")) == Approx(e["total"].get<double>()).epsilon(1e-9));
    CHECK(std::stod(csv[i].at("energy_pj_mac")) == Approx(e["mac"].get<double>()).epsilon(1e-9));
    CHECK(std::stoll(csv[i].at("compulsory_dram_bytes")) == l["compulsory_dram_bytes"].get<std::int64_t>());
    // Stall causes add up to stall_cycles; compute + stall = total.
    const auto& s = l["stall_cycles_by_cause"];
    CHECK(s["dram_bandwidth"].get<std::int64_t>() + s["dram_write_bandwidth"].get<std::int64_t>() +
              s["dram_latency"].get<std::int64_t>() + s["bank_conflict"].get<std::int64_t>() +
              s["dependency"].get<std::int64_t>() ==
          l["stall_cycles"].get<std::int64_t>());
    CHECK(l["compute_cycles"].get<std::int64_t>() + l["stall_cycles"].get<std::int64_t>() ==
          l["total_cycles"].get<std::int64_t>());
  }
  CHECK(j["energy_pj"]["total"].get<double>() == Approx(total_pj));
  CHECK(j["energy_pj_per_mac"].get<double>() == Approx(total_pj / j["macs"].get<double>()));
  // The demo's array is 8x8 int8: 64 PEs of 282 + 137 um^2 (docs/energy.md); no scratchpad area by default.
  CHECK(j["area_um2"]["pe_array"].get<double>() == Approx(64 * 419.0));
  CHECK(j["area_um2"]["scratchpad"].is_null());
  CHECK(j["area_um2"]["total"].is_null());
}

TEST_CASE("report energy equals action counts times the table recomputed from the effective config",
          "[system][report]") {
  TempDir d;
  const std::string out = d.path() + "/run";
  // Overrides make every component differ from the defaults: if the table were ignored, this fails.
  REQUIRE(run_cli("run --out " + out +
                  " --set arch.energy.mac_pj.int8=0.7 --set arch.energy.dram_read_pj_per_byte=90"
                  " --set arch.energy.static_uw_per_kib=20 --set arch.clock_mhz=800"
                  " --set arch.scratchpad.weight.size_kib=128")
              .exit_code == 0);
  const YAML::Node cfg = YAML::LoadFile(out + "/effective_config.yaml");
  const YAML::Node arch = cfg["arch"], en = arch["energy"];
  CHECK(en["mac_pj"]["int8"].as<double>() == 0.7);
  const double clock_mhz = arch["clock_mhz"].as<double>();
  const std::int64_t pes = arch["array"]["rows"].as<std::int64_t>() * arch["array"]["cols"].as<std::int64_t>();
  const std::string dtype = arch["array"]["input_dtype"].as<std::string>();  // weight_dtype is the same here
  REQUIRE(arch["array"]["weight_dtype"].as<std::string>() == dtype);
  double kib = 0;
  std::map<std::string, std::pair<double, double>> sram;  // buffer -> (read, write) pJ per byte
  for (const char* b : {"ifmap", "weight", "output"}) {
    const double size = arch["scratchpad"][b]["size_kib"].as<double>();
    kib += size;
    sram[b] = {sram_rate(en["sram"], size, "read_pj_per_byte"), sram_rate(en["sram"], size, "write_pj_per_byte")};
  }
  // Leakage: microwatts / MHz = pJ per cycle.
  const double static_pj_per_cycle = (static_cast<double>(pes) * en["static_uw_per_pe"][dtype].as<double>() +
                                      kib * en["static_uw_per_kib"].as<double>()) /
                                     clock_mhz;
  const double mac_pj = en["mac_pj"][dtype].as<double>();
  const double dram_r = en["dram_read_pj_per_byte"].as<double>(), dram_w = en["dram_write_pj_per_byte"].as<double>();

  const auto j = nlohmann::json::parse(read_text(out + "/stats.json"));
  const auto csv = read_csv(read_text(out + "/layers.csv"));
  std::map<std::string, double> total;
  for (std::size_t i = 0; i < j["layers"].size(); ++i) {
    const auto& l = j["layers"][i];
    INFO(l["name"]);
    std::map<std::string, double> want;
    want["mac"] = l["macs"].get<double>() * mac_pj;
    for (const char* b : {"ifmap", "weight", "output"})
      want[std::string("sram_") + b] = l["sram_read_bytes"][b].get<double>() * sram[b].first +
                                       l["sram_write_bytes"][b].get<double>() * sram[b].second;
    want["dram"] =
        l["dram_read_bytes"]["total"].get<double>() * dram_r + l["dram_write_bytes"]["total"].get<double>() * dram_w;
    want["static"] = l["total_cycles"].get<double>() * static_pj_per_cycle;
    double sum = 0;
    for (const auto& [k, v] : want) {
      INFO(k);
      CHECK(l["energy_pj"][k].get<double>() == Approx(v).epsilon(1e-12));
      CHECK(std::stod(csv[i].at("energy_pj_" + k)) == Approx(v).epsilon(1e-9));
      total[k] += v;
      sum += v;
    }
    CHECK(l["energy_pj"]["total"].get<double>() == Approx(sum).epsilon(1e-12));
  }
  for (const auto& [k, v] : total) CHECK(j["energy_pj"][k].get<double>() == Approx(v).epsilon(1e-12));
  // The resolved table in stats.json is the one recomputed here.
  CHECK(j["energy_table"]["mac_pj"].get<double>() == Approx(mac_pj));
  CHECK(j["energy_table"]["sram_weight"]["read_pj_per_byte"].get<double>() == Approx(sram["weight"].first));
  CHECK(j["energy_table"]["static_pj_per_cycle"].get<double>() == Approx(static_pj_per_cycle));
  // The summary shows the energy table and the run's energy in nJ.
  const std::string summary = read_text(out + "/summary.txt");
  CHECK_THAT(summary, Contains("energy by component (share of the layer's energy), table horowitz_isscc2014_45nm"));
  double run_pj = 0;
  for (const auto& [k, v] : total) run_pj += v;
  CHECK_THAT(summary, Contains(fmt_nj(run_pj)));
}

TEST_CASE("report run writes plots with one roofline point per layer", "[system][report]") {
  if (!have_gnuplot()) return;
  TempDir d;
  const std::string out = d.path() + "/run";
  const auto r = run_cli("run --out " + out);
  REQUIRE(r.exit_code == 0);
  CHECK(r.err.find("warning") == std::string::npos);
  const auto j = nlohmann::json::parse(read_text(out + "/stats.json"));
  for (const char* f : {"roofline.svg", "roofline.png", "cycle_breakdown.svg", "cycle_breakdown.png"}) {
    INFO(f);
    REQUIRE(fs::exists(out + "/" + f));
    CHECK(fs::file_size(out + "/" + f) > 0);
  }
  const std::string roof = read_text(out + "/roofline.svg");
  CHECK(svg_points(roof) == j["layers"].size());
  for (const auto& l : j["layers"]) CHECK_THAT(roof, Contains(l["name"].get<std::string>()));
  const std::string bars = read_text(out + "/cycle_breakdown.svg");
  for (const auto& l : j["layers"]) CHECK_THAT(bars, Contains(l["name"].get<std::string>()));
  // The network case: one point per selected layer of ResNet-18 too.
  const std::string out2 = d.path() + "/r18";
  REQUIRE(run_cli("run " + src_path("configs/experiments/quickstart.yaml") +
                  " --set workload=../workloads/networks/resnet18.yaml --set sim.fidelity=timing --layers 0-5 --out " +
                  out2)
              .exit_code == 0);
  CHECK(svg_points(read_text(out2 + "/roofline.svg")) == 6);
}

TEST_CASE("report run without gnuplot warns in one line and writes the other files", "[system][report]") {
  TempDir d, empty;
  const std::string out = d.path() + "/run";
  ::setenv("PATH", empty.path().c_str(), 1);  // this test process and its children only
  const auto r = run_cli("run --out " + out);
  CHECK(r.exit_code == 0);
  CHECK(r.err == "arraysim: warning: plots not written: gnuplot not found on PATH (Debian package gnuplot-nox)\n");
  for (const char* f : {"stats.json", "layers.csv", "summary.txt", "effective_config.yaml"})
    CHECK(fs::exists(out + "/" + f));
  CHECK_FALSE(fs::exists(out + "/roofline.svg"));
}

TEST_CASE("report run with --no-plots writes no plots", "[system][report]") {
  TempDir d;
  const std::string out = d.path() + "/run";
  REQUIRE(run_cli("run --no-plots --out " + out).exit_code == 0);
  CHECK(fs::exists(out + "/stats.json"));
  for (const auto& e : fs::directory_iterator(out)) CHECK(e.path().extension() != ".svg");
}

TEST_CASE("report timeline json parses and its durations add up per unit", "[system][report]") {
  TempDir d;
  const std::string out = d.path() + "/run", tl = d.path() + "/trace/timeline.json";
  const auto r = run_cli("run --out " + out + " --timeline " + tl);
  REQUIRE(r.exit_code == 0);
  CHECK_THAT(r.out, Contains("wrote " + tl));
  const auto s = nlohmann::json::parse(read_text(out + "/stats.json"));
  const auto t = nlohmann::json::parse(read_text(tl));
  const double mhz = s["clock_mhz"].get<double>();
  std::map<int, std::string> threads;
  std::map<std::string, std::int64_t> unit_cycles;
  std::map<std::string, std::map<std::string, std::int64_t>> layer_unit_cycles;  // layer -> unit -> cycles
  std::map<std::string, std::int64_t> pe_macs;
  for (const auto& e : t.at("traceEvents")) {
    if (e["ph"] == "M" && e["name"] == "thread_name") threads[e["tid"].get<int>()] = e["args"]["name"];
    if (e["ph"] != "X") continue;
    const std::string unit = e.at("cat");
    REQUIRE(threads.count(e.at("tid").get<int>()) == 1);
    // One track per unit, and more for DMA transfers in flight together: named UNIT, UNIT 2, ...
    const std::string track = threads[e["tid"].get<int>()];
    CHECK((track == unit || track.rfind(unit + " ", 0) == 0));
    const std::int64_t c = e["args"]["duration_cycles"];
    // ts and dur are microseconds: cycles / clock_mhz.
    CHECK(e["dur"].get<double>() * mhz == Approx(static_cast<double>(c)));
    unit_cycles[unit] += c;
    layer_unit_cycles[e["args"]["layer"]][unit] += c;
    if (unit == "pe_array") pe_macs[e["args"]["layer"]] += e["args"]["macs"].get<std::int64_t>();
  }
  // The invariants of report.hpp: Σ layer = total_cycles, Σ pe_array + Σ stall = total_cycles,
  // Σ stall = stall_cycles, for the run and for every layer; pe_array spans hold the layer's MACs.
  CHECK(unit_cycles["layer"] == s["total_cycles"].get<std::int64_t>());
  CHECK(unit_cycles["pe_array"] + unit_cycles["stall"] == s["total_cycles"].get<std::int64_t>());
  CHECK(unit_cycles["stall"] == s["stall_cycles"].get<std::int64_t>());
  for (const auto& l : s["layers"]) {
    const std::string name = l["name"];
    INFO(name);
    CHECK(layer_unit_cycles[name]["layer"] == l["total_cycles"].get<std::int64_t>());
    CHECK(layer_unit_cycles[name]["pe_array"] + layer_unit_cycles[name]["stall"] ==
          l["total_cycles"].get<std::int64_t>());
    CHECK(layer_unit_cycles[name]["stall"] == l["stall_cycles"].get<std::int64_t>());
    CHECK(pe_macs[name] == l["macs"].get<std::int64_t>());
  }
}

TEST_CASE("report subcommand regenerates the summary and plots without simulating", "[system][report]") {
  TempDir d;
  const std::string out = d.path() + "/run";
  const auto run = run_cli("run --out " + out + " --layers conv3x3,fc");
  REQUIRE(run.exit_code == 0);
  const std::string summary = read_text(out + "/summary.txt");
  fs::remove(out + "/summary.txt");
  for (const char* f : {"roofline.svg", "roofline.png", "cycle_breakdown.svg", "cycle_breakdown.png"})
    fs::remove(out + "/" + f);
  const auto rep = run_cli("report " + out);
  REQUIRE(rep.exit_code == 0);
  CHECK(read_text(out + "/summary.txt") == summary);  // identical to what the run wrote
  CHECK(rep.out.rfind(summary, 0) == 0);              // and printed first
  CHECK_THAT(summary, Contains("layers conv3x3,fc (2 of 3)"));
  if (have_gnuplot()) {
    CHECK_THAT(rep.out, Contains("roofline.svg"));
    CHECK(svg_points(read_text(out + "/roofline.svg")) == 2);
    CHECK(fs::file_size(out + "/cycle_breakdown.png") > 0);
  }
  // stats.json is read, not rewritten.
  CHECK(rep.err.find("error") == std::string::npos);
}

TEST_CASE("report of a missing or broken run directory exits 2 with one line", "[system][report]") {
  TempDir d;
  auto one_line = [](const std::string& s) { return !s.empty() && s.find('\n') == s.size() - 1; };
  const auto missing = run_cli("report " + d.path() + "/nope");
  CHECK(missing.exit_code == 2);
  CHECK(one_line(missing.err));
  CHECK_THAT(missing.err, Contains("nope: not a run directory"));
  const auto empty = run_cli("report " + d.path());
  CHECK(empty.exit_code == 2);
  CHECK(one_line(empty.err));
  CHECK_THAT(empty.err, Contains("stats.json: missing"));
  { std::ofstream(d.path() + "/stats.json") << "{\"experiment\": \"x\", \"arch\": 3}"; }
  const auto broken = run_cli("report " + d.path());
  CHECK(broken.exit_code == 2);
  CHECK(one_line(broken.err));
  CHECK_THAT(broken.err, Contains("stats.json: arch: expected a string"));
  CHECK(run_cli("report").exit_code == 2);  // RUN_DIR is required
}

TEST_CASE("report validates stats.json against the declaration of its fields, derived ones included",
          "[system][report][hostile]") {
  // Issue 14: report accepted negative and string cycle counts (the run's totals are derived from
  // the layers and were not checked at all).
  TempDir d;
  REQUIRE(run_cli("run --no-plots --out " + d.path()).exit_code == 0);
  const nlohmann::json good = nlohmann::json::parse(read_text(d.path() + "/stats.json"));
  const auto report_with = [&](const std::function<void(nlohmann::json&)>& edit) {
    nlohmann::json j = good;
    edit(j);
    std::ofstream(d.path() + "/stats.json") << j.dump(1);
    return run_cli("report " + d.path());
  };
  const std::string stats = d.path() + "/stats.json";
  auto r = report_with([](nlohmann::json& j) { j["layers"][0]["total_cycles"] = -5; });
  CHECK(r.exit_code == 2);
  CHECK(r.err == "arraysim: error: " + stats + ": layers.0.total_cycles: must not be negative, got -5\n");
  r = report_with([](nlohmann::json& j) { j["total_cycles"] = "4006"; });
  CHECK(r.exit_code == 2);
  CHECK(r.err == "arraysim: error: " + stats + ": total_cycles: expected an integer\n");
  r = report_with([](nlohmann::json& j) { j["layers"][1]["pe_utilization"] = 1.5; });
  CHECK(r.exit_code == 2);
  CHECK(r.err == "arraysim: error: " + stats + ": layers.1.pe_utilization: must be in 0..1, got 1.5\n");
  r = report_with([](nlohmann::json& j) { j["layers"][0]["output_shape"][1] = -16; });
  CHECK(r.exit_code == 2);
  CHECK(r.err == "arraysim: error: " + stats + ": layers.0.output_shape.1: must not be negative, got -16\n");
  CHECK(report_with([](nlohmann::json&) {}).exit_code == 0);
}
