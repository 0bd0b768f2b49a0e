/// The one declaration of the fields of stats.json and layers.csv (sim/stats/fields.hpp): the
/// field tables of docs/outputs.md are generated from it, stats.json reads back into the same
/// results, layers.csv has one column per declared column, and sweep metric paths are checked
/// against it.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <set>

#include "sim/stats/fields.hpp"
#include "sim/stats/report.hpp"
#include "sim/stats/stats_json.hpp"
#include "tests/support.hpp"

using namespace arraysim;
using nlohmann::json;

namespace {

/// A run of two layers with every optional result present (the second without energy), so that
/// each field has a value to write and read back.
stats::RunResult full_run() {
  stats::RunResult r;
  r.experiment = "e";
  r.arch_name = "a";
  r.fidelity = "values";
  r.fidelity_setting = "auto";
  r.layer_selection = "0,fc";
  r.workload_layers = 5;
  r.pe_count = 64;  // 2 x 3888 MACs in 201 cycles: run utilization 7776 / (64 x 201) = 0.60, within 0..1
  r.clock_mhz = 800;
  r.simulate_seconds = 0.5;
  r.golden_seconds = 0.25;
  r.dram_bytes_per_cycle = 25.6;
  r.energy_rates =
      stats::EnergyRates{"t", "int8", 0.3, {64, 4.5, 4.75}, {32, 3.5, 3.75}, {16, 2.5, 2.75}, 160, 161, 11};
  r.area_um2 = stats::AreaUm2{1000, 250};
  for (int i = 0; i < 2; ++i) {
    stats::LayerResult l;
    l.name = i == 0 ? "conv, first" : "fc";  // a comma: quoted in layers.csv
    l.type = i == 0 ? "conv2d" : "fc";
    l.input_shape = {1, 3, 8, 8};
    l.weight_shape = {4, 3, 3, 3};
    l.output_shape = {1, 4, 6, 6};
    l.gemm = {36, 4, 27, 1};
    l.macs = 3888;
    l.total_cycles = 100 + i, l.compute_cycles = 90, l.stall_cycles = 10 + i, l.folds = 3;
    l.pe_utilization = 0.75, l.analytic_cycles = 95, l.analytic_match = true, l.golden_match = i == 0;
    if (i == 1) l.mismatches = {{"fc.output", 7, "[0, 7]", "12", "13"}};
    l.start_cycle = 100 * i;
    l.memory.stall_cycles = {1, 1, 2, 3, 3 + i};  // by cause, in kStallCauses order; Σ = 10 + i
    l.memory.sram_read_bytes = {10, 20, 30}, l.memory.sram_write_bytes = {11, 21, 31};
    l.memory.dram_read_bytes = {12, 22, 0}, l.memory.dram_write_bytes = {0, 0, 33};
    l.memory.dram_footprint_bytes = 67, l.memory.dram_bandwidth_avg_bytes_per_cycle = 0.67;
    l.memory.dram_bandwidth_peak_bytes_per_cycle = 1.5 + i, l.memory.bank_conflicts = 2;
    l.memory.dram_row_hits = 5, l.memory.dram_row_misses = 1, l.memory.dram_row_conflicts = 2;
    if (i == 0) l.energy = stats::EnergyPj{1, 2, 3, 4, 5, 6};
    l.compulsory_dram_bytes = 300;
    l.array_read_words = {40, 50, 60}, l.array_write_words = {0, 0, 70};
    l.dram_read_words = {12, 22, 0}, l.dram_write_words = {0, 0, 8};
    l.compute_roof_macs_per_cycle = 16, l.bandwidth_roof_macs_per_cycle = 8.5, l.bound = "memory";
    l.vector_mapping = "parallel n, order m n k, hoist", l.vector_mapping_auto = false, l.vector_steps = 9;
    l.stall_cycles_read_bandwidth = 4, l.relayout_words = 1;
    l.mapping_efficiency = 0.625, l.compute_utilization = 0.8;
    l.sram_access_cycles.add(0, 2), l.sram_access_cycles.add(0, 90), l.sram_access_cycles.add(2, 95);
    l.dram_access_cycles.add(1, 0);
    r.layers.push_back(l);
  }
  return r;
}

/// The part of docs/outputs.md between the stats-fields markers.
std::string doc_tables() {
  const std::string doc = test::read_text(test::src_path("docs/outputs.md"));
  const std::string begin = "<!-- stats-fields begin -->\n", end = "<!-- stats-fields end -->";
  const std::size_t b = doc.find(begin), e = doc.find(end);
  if (b == std::string::npos || e == std::string::npos || e < b) return "(markers not found)";
  return doc.substr(b + begin.size(), e - b - begin.size());
}

/// The message run_from_json throws for `j`.
std::string read_error(const json& j) {
  try {
    stats::run_from_json(j.dump());
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "(read without error)";
}

}  // namespace

TEST_CASE("stats fields: the tables of docs/outputs.md are the declaration's", "[unit][stats]") {
  const std::string want = stats::fields_markdown();
  if (doc_tables() != want)
    FAIL(
        "docs/outputs.md's field tables differ from the declaration in sim/stats/fields.cpp; between the "
        "stats-fields markers they should read (arraysim stats-fields --markdown):\n\n"
        << want);
}

TEST_CASE("stats fields: names are unique and every layers.csv column is declared once", "[unit][stats]") {
  std::set<std::string> names, columns;
  for (const stats::Field& f : stats::fields()) {
    CHECK(names.insert(f.name).second);
    CHECK_FALSE(f.description.empty());
    CHECK_FALSE(f.unit.empty());
    if (f.level == stats::FieldLevel::run) CHECK(f.csv.empty());  // layers.csv has layers only
    for (const stats::CsvColumn& c : f.csv) CHECK(columns.insert(c.name).second);
  }
  // The columns of layers.csv, in order: what every earlier version wrote, with the columns of
  // fields added since at their field's place (stall_cycles_dram_write_bandwidth among the causes).
  const std::string csv = stats::to_csv(full_run());
  CHECK(csv.substr(0, csv.find('\n')) ==
        "name,type,gemm_m,gemm_n,gemm_k,groups,macs,total_cycles,compute_cycles,stall_cycles,folds,"
        "pe_utilization,analytic_cycles,analytic_match,golden_match,start_cycle,"
        "stall_cycles_dram_bandwidth,stall_cycles_dram_write_bandwidth,stall_cycles_dram_latency,"
        "stall_cycles_bank_conflict,"
        "stall_cycles_dependency,sram_read_bytes_ifmap,sram_read_bytes_weight,sram_read_bytes_output,"
        "sram_write_bytes_ifmap,sram_write_bytes_weight,sram_write_bytes_output,dram_read_bytes_ifmap,"
        "dram_read_bytes_weight,dram_read_bytes_output,dram_write_bytes_ifmap,dram_write_bytes_weight,"
        "dram_write_bytes_output,dram_footprint_bytes,dram_bandwidth_avg_bytes_per_cycle,"
        "dram_bandwidth_peak_bytes_per_cycle,bank_conflicts,dram_row_hits,dram_row_misses,"
        "dram_row_conflicts,dram_row_hit_rate,operational_intensity_macs_per_byte,compulsory_dram_bytes,"
        "attained_macs_per_cycle,energy_pj_mac,energy_pj_sram_ifmap,energy_pj_sram_weight,"
        "energy_pj_sram_output,energy_pj_dram,energy_pj_static,energy_pj_total,array_read_words_ifmap,"
        "array_read_words_weight,array_read_words_output,array_write_words_output,dram_read_words,"
        "dram_write_words,compute_intensity_macs_per_word,compute_roof_macs_per_cycle,"
        "bandwidth_roof_macs_per_cycle,bound,mapping,mapper,mappings_considered,scalesim_v2_cycles,vector_mapping,"
        "vector_steps,stall_cycles_read_bandwidth,"
        "relayout_words,dram_useful_read_bytes_ifmap,dram_useful_read_bytes_weight,"
        "dram_useful_read_bytes_output,dram_useful_write_bytes_ifmap,dram_useful_write_bytes_weight,"
        "dram_useful_write_bytes_output,dram_refreshes,dram_cycles,mapping_efficiency,compute_utilization,vector_ops");
  CHECK(columns.size() == 80);  // the 80 names above
}

TEST_CASE("stats fields: stats.json reads back into the results it was written from", "[unit][stats]") {
  const stats::RunResult r = full_run();
  const std::string text = stats::to_json(r);
  const stats::RunResult back = stats::run_from_json(text);
  CHECK(stats::to_json(back) == text);
  CHECK(stats::to_csv(back) == stats::to_csv(r));
  CHECK(stats::to_text(back) == stats::to_text(r));
  REQUIRE(back.layers.size() == 2);
  CHECK(back.layers[1].mismatches.size() == 1);
  CHECK(back.layers[1].mismatches[0].where == "[0, 7]");
  CHECK_FALSE(back.layers[1].energy.has_value());
  CHECK(back.area_um2->scratchpad == std::optional<double>(250));
  CHECK(back.energy_rates->sram_weight.write_pj_per_byte == 3.75);
  // The run's values are derived from its layers: 3888·2 MACs, 201 cycles, stall causes summed.
  const json j = json::parse(text);
  CHECK(j["macs"] == 7776);
  CHECK(j["total_cycles"] == 201);
  CHECK(j["stall_cycles_by_cause"]["dependency"] == 3 + 4);
  CHECK(j["golden_match"] == false);
  CHECK(j["energy_pj"].is_null());                         // one layer has no energy
  CHECK(j["dram_bandwidth_peak_bytes_per_cycle"] == 2.5);  // the highest layer's
}

TEST_CASE("stats fields: layers.csv formats each value by its type", "[unit][stats]") {
  const std::string csv = stats::to_csv(full_run());
  const std::size_t row1 = csv.find('\n') + 1;
  const std::string first = csv.substr(row1, csv.find('\n', row1) - row1);
  // Strings with a comma quoted; integers as they are; numbers with 6 decimals; booleans.
  CHECK(first.rfind("\"conv, first\",conv2d,36,4,27,1,3888,100,90,10,3,0.750000,95,true,true,0,1,1,2,3,3,", 0) == 0);
  CHECK(first.find(",\"parallel n, order m n k, hoist\",9,4,1") != std::string::npos);
  // The second layer has no energy: seven empty cells.
  const std::string second = csv.substr(csv.find('\n', row1) + 1);
  CHECK(second.find(",300,38.495050,,,,,,,,40,50,60,70,34,8,") != std::string::npos);
}

TEST_CASE("stats fields: reading back names the field that is missing or of the wrong type", "[unit][stats]") {
  const json good = json::parse(stats::to_json(full_run()));
  json j = good;
  j.erase("pe_count");
  CHECK(read_error(j) == "pe_count: missing");
  j = good;
  j["pe_count"] = 1.5;
  CHECK(read_error(j) == "pe_count: expected an integer");
  j = good;
  j["layers"][1].erase("gemm_k");
  CHECK(read_error(j) == "layers.1.gemm_k: missing");
  j = good;
  j["layers"][0]["energy_pj"]["dram"] = "a lot";
  CHECK(read_error(j) == "layers.0.energy_pj.dram: expected a number");
  j = good;
  j["layers"][0]["golden_match"] = "yes";
  CHECK(read_error(j) == "layers.0.golden_match: expected true, false or null");
  j = good;
  j["layers"][1]["golden_mismatches"][0].erase("got");
  CHECK(read_error(j) == "layers.1.golden_mismatches.0.got: missing");
  j = good;
  j["energy_table"]["sram_ifmap"] = 3;
  CHECK(read_error(j) == "energy_table.sram_ifmap: expected an object");
  j = good;
  j["layers"] = json::object();
  CHECK(read_error(j) == "layers: expected a list");
  CHECK(read_error(json::array()) == "(top level): expected an object");
  // Fields a file from an older version lacks read as their defaults.
  j = good;
  for (const char* k : {"fidelity_setting", "workload_layers", "energy_table", "area_um2", "simulate_seconds"})
    j.erase(k);
  j["layers"][0].erase("array_read_words");
  j["layers"][0].erase("energy_pj");
  const stats::RunResult old = stats::run_from_json(j.dump());
  CHECK(old.fidelity_setting == "values");
  CHECK(old.workload_layers == 2);
  CHECK_FALSE(old.energy_rates.has_value());
  CHECK(old.simulate_seconds == 0);
  CHECK(old.layers[0].array_read_words.total() == 0);
  CHECK_FALSE(old.layers[0].energy.has_value());
}

TEST_CASE("stats fields: sweep metric paths are checked against the declaration", "[unit][stats][sweep]") {
  // 3 layers in the run.
  for (const char* ok :
       {"total_cycles", "dram_read_bytes.total", "energy_pj.total", "stall_cycles_by_cause.dependency",
        "energy_table.sram_ifmap.size_kib", "area_um2.total", "layers.2.total_cycles", "layers.0.energy_pj.mac",
        "layers.1.output_shape.3", "layers.0.golden_mismatches.0.got", "layers.0.bound", "experiment"})
    CHECK(stats::metric_path_problem(ok, 3).empty());
  CHECK(stats::metric_path_problem("dram_read_bytes.totl", 3) == "stats.json has no 'dram_read_bytes.totl'");
  CHECK(stats::metric_path_problem("folds", 3) == "stats.json has no 'folds'");  // a layer field only
  CHECK(stats::metric_path_problem("name", 3) == "stats.json has no 'name'");
  CHECK(stats::metric_path_problem("layers.0.pe_count", 3) == "stats.json has no 'layers.0.pe_count'");
  CHECK(stats::metric_path_problem("dram_read_bytes", 3) ==
        "'dram_read_bytes' in stats.json is an object; name one of its fields: ifmap, output, total, weight");
  CHECK(stats::metric_path_problem("layers", 3) ==
        "'layers' in stats.json is a list of 3; add an index, e.g. layers.0");
  CHECK(stats::metric_path_problem("layers.3.name", 3) ==
        "'layers' in stats.json is a list of 3; '3' is not an index into it");
  CHECK(stats::metric_path_problem("layers.fc.name", 3) ==
        "'layers' in stats.json is a list of 3; 'fc' is not an index into it");
  CHECK(stats::metric_path_problem("layers.1.input_shape", 3) ==
        "'layers.1.input_shape' in stats.json is a list; add an index, e.g. layers.1.input_shape.0");
  CHECK(stats::metric_path_problem("total_cycles.x", 3) == "'total_cycles' in stats.json is a value, not an object");
  CHECK(stats::metric_path_problem("layers.1.output_shape.0.x", 3) ==
        "'layers.1.output_shape.0' in stats.json is a value, not an object");
  const std::string layer = stats::metric_path_problem("layers.1", 3);
  CHECK(layer.rfind("'layers.1' in stats.json is an object; name one of its fields: analytic_cycles, "
                    "analytic_match, array_read_words, ",
                    0) == 0);

  const std::vector<std::string> paths = stats::metric_paths(2);
  CHECK(std::is_sorted(paths.begin(), paths.end()));
  for (const char* p : {"total_cycles", "dram_read_bytes.total", "energy_table.sram_output.write_pj_per_byte", "layers",
                        "layers.1.total_cycles", "layers.0.input_shape", "layers.1.energy_pj.static"})
    CHECK(std::binary_search(paths.begin(), paths.end(), std::string(p)));
  CHECK_FALSE(std::binary_search(paths.begin(), paths.end(), std::string("layers.2.total_cycles")));
  CHECK_FALSE(std::binary_search(paths.begin(), paths.end(), std::string("dram_read_bytes")));
  // Every path the list offers is accepted, or ends at a list.
  for (const std::string& p : paths) {
    const std::string why = stats::metric_path_problem(p, 2);
    INFO(p);
    CHECK((why.empty() || why.find("is a list") != std::string::npos));
  }
}
