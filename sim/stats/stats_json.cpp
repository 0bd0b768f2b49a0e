#include "sim/stats/stats_json.hpp"

#include <filesystem>
#include <nlohmann/json.hpp>

#include "sim/stats/timeline.hpp"
#include "sim/util/read_file.hpp"

namespace arraysim::stats {

namespace {
using nlohmann::json;

/// Reads fields of one JSON object, naming the full path of a bad field in errors.
class Fields {
 public:
  Fields(const json& j, std::string path) : j_(j), path_(std::move(path)) {
    if (!j_.is_object()) fail("", "expected an object");
  }
  [[noreturn]] void fail(const std::string& key, const std::string& what) const {
    const std::string p = key.empty() ? path_ : (path_.empty() ? key : path_ + "." + key);
    throw std::runtime_error((p.empty() ? "(top level)" : p) + ": " + what);
  }
  bool has(const std::string& key) const { return j_.contains(key) && !j_.at(key).is_null(); }
  const json& at(const std::string& key) const {
    if (!j_.contains(key)) fail(key, "missing");
    return j_.at(key);
  }
  Fields object(const std::string& key) const { return Fields(at(key), join(key)); }
  std::string join(const std::string& key) const { return path_.empty() ? key : path_ + "." + key; }

  std::string str(const std::string& key) const {
    const json& v = at(key);
    if (!v.is_string()) fail(key, "expected a string");
    return v.get<std::string>();
  }
  std::int64_t int64(const std::string& key) const {
    const json& v = at(key);
    if (!v.is_number_integer()) fail(key, "expected an integer");
    return v.get<std::int64_t>();
  }
  double number(const std::string& key) const {
    const json& v = at(key);
    if (!v.is_number()) fail(key, "expected a number");
    return v.get<double>();
  }
  /// null or absent: empty.
  std::optional<std::int64_t> opt_int64(const std::string& key) const {
    return has(key) ? std::optional<std::int64_t>(int64(key)) : std::nullopt;
  }
  std::optional<double> opt_number(const std::string& key) const {
    return has(key) ? std::optional<double>(number(key)) : std::nullopt;
  }
  std::optional<bool> opt_bool(const std::string& key) const {
    if (!has(key)) return std::nullopt;
    if (!at(key).is_boolean()) fail(key, "expected true, false or null");
    return at(key).get<bool>();
  }
  ir::Shape shape(const std::string& key) const {
    const json& v = at(key);
    ir::Shape s;
    if (!v.is_array()) fail(key, "expected a list of integers");
    for (const json& d : v) {
      if (!d.is_number_integer()) fail(key, "expected a list of integers");
      s.push_back(d.get<std::int64_t>());
    }
    return s;
  }

 private:
  const json& j_;
  std::string path_;
};

OperandBytes operand_bytes(const Fields& f, const std::string& key) {
  OperandBytes b;
  if (!f.has(key)) return b;
  const Fields o = f.object(key);
  b.ifmap = o.int64("ifmap"), b.weight = o.int64("weight"), b.output = o.int64("output");
  return b;
}

/// The memory fields of memory_json (report.cpp); absent ones stay zero.
MemoryResult memory(const Fields& f) {
  MemoryResult m;
  if (f.has("stall_cycles_by_cause")) {
    const Fields s = f.object("stall_cycles_by_cause");
    for (const StallCause& c : kStallCauses) m.stall_cycles.*c.cycles = s.int64(c.name);
  }
  m.sram_read_bytes = operand_bytes(f, "sram_read_bytes");
  m.sram_write_bytes = operand_bytes(f, "sram_write_bytes");
  m.dram_read_bytes = operand_bytes(f, "dram_read_bytes");
  m.dram_write_bytes = operand_bytes(f, "dram_write_bytes");
  m.dram_footprint_bytes = f.opt_int64("dram_footprint_bytes").value_or(0);
  m.dram_bandwidth_avg_bytes_per_cycle = f.opt_number("dram_bandwidth_avg_bytes_per_cycle").value_or(0);
  m.dram_bandwidth_peak_bytes_per_cycle = f.opt_number("dram_bandwidth_peak_bytes_per_cycle").value_or(0);
  m.bank_conflicts = f.opt_int64("bank_conflicts").value_or(0);
  m.dram_row_hits = f.opt_int64("dram_row_hits");
  m.dram_row_misses = f.opt_int64("dram_row_misses");
  m.dram_row_conflicts = f.opt_int64("dram_row_conflicts");
  return m;
}

std::optional<EnergyPj> energy(const Fields& f) {
  if (!f.has("energy_pj")) return std::nullopt;
  const Fields e = f.object("energy_pj");
  EnergyPj x;
  x.mac_pj = e.number("mac");
  x.sram_ifmap_pj = e.number("sram_ifmap");
  x.sram_weight_pj = e.number("sram_weight");
  x.sram_output_pj = e.number("sram_output");
  x.dram_pj = e.number("dram");
  x.static_pj = e.number("static");
  return x;
}

SramRates sram_rates(const Fields& f, const std::string& key) {
  const Fields s = f.object(key);
  return {s.number("size_kib"), s.number("read_pj_per_byte"), s.number("write_pj_per_byte")};
}

LayerResult layer(const Fields& f) {
  LayerResult l;
  l.name = f.str("name");
  l.type = f.str("type");
  l.input_shape = f.shape("input_shape");
  l.weight_shape = f.shape("weight_shape");
  l.output_shape = f.shape("output_shape");
  l.gemm.m = f.int64("gemm_m");
  l.gemm.n = f.int64("gemm_n");
  l.gemm.k = f.int64("gemm_k");
  l.gemm.groups = f.int64("groups");
  l.macs = f.int64("macs");
  l.total_cycles = f.opt_int64("total_cycles");
  l.compute_cycles = f.opt_int64("compute_cycles");
  l.stall_cycles = f.opt_int64("stall_cycles");
  l.folds = f.opt_int64("folds");
  l.pe_utilization = f.opt_number("pe_utilization");
  l.analytic_cycles = f.opt_int64("analytic_cycles");
  l.analytic_match = f.opt_bool("analytic_match");
  l.golden_match = f.opt_bool("golden_match");
  l.start_cycle = f.opt_int64("start_cycle").value_or(0);
  l.memory = memory(f);
  l.compulsory_dram_bytes = f.opt_int64("compulsory_dram_bytes");
  l.energy = energy(f);
  // Roofline and vector-unit fields (absent in runs written before they existed).
  auto words = [&f](const char* key) {
    OperandWords w;
    if (!f.has(key)) return w;
    const Fields o = f.object(key);
    w.ifmap = o.int64("ifmap"), w.weight = o.int64("weight"), w.output = o.int64("output");
    return w;
  };
  l.array_read_words = words("array_read_words");
  l.array_write_words = words("array_write_words");
  l.dram_read_words = words("dram_read_words");
  l.dram_write_words = words("dram_write_words");
  l.compute_roof_macs_per_cycle = f.opt_number("compute_roof_macs_per_cycle");
  l.bandwidth_roof_macs_per_cycle = f.opt_number("bandwidth_roof_macs_per_cycle");
  if (f.has("bound") && f.at("bound").is_string()) l.bound = f.str("bound");
  if (f.has("vector_mapping") && f.at("vector_mapping").is_string()) l.vector_mapping = f.str("vector_mapping");
  l.vector_mapping_auto = f.opt_bool("vector_mapping_auto");
  l.vector_steps = f.opt_int64("vector_steps");
  l.stall_cycles_read_bandwidth = f.opt_int64("stall_cycles_read_bandwidth");
  l.relayout_words = f.opt_int64("relayout_words");
  if (f.has("golden_mismatches")) {
    const json& mm = f.at("golden_mismatches");
    if (!mm.is_array()) f.fail("golden_mismatches", "expected a list");
    for (std::size_t i = 0; i < mm.size(); ++i) {
      const Fields m(mm[i], f.join("golden_mismatches." + std::to_string(i)));
      l.mismatches.push_back({m.str("tensor"), m.int64("index"), m.str("where"), m.str("expected"), m.str("got")});
    }
  }
  return l;
}

/// The content of a file of the run directory; RunDirError "PATH: cannot read (REASON)" if none.
std::string read_file(const std::filesystem::path& p) {
  try {
    return util::read_file(p.string());
  } catch (const util::FileReadError& e) {
    throw RunDirError(p.string() + ": cannot read (" + e.reason() + ")");
  }
}
}  // namespace

RunResult run_from_json(const std::string& text) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::exception& e) {
    throw std::runtime_error(std::string("not JSON: ") + e.what());
  }
  const Fields f(j, "");
  RunResult r;
  r.experiment = f.str("experiment");
  r.arch_name = f.str("arch");
  r.fidelity = f.str("fidelity");
  r.fidelity_setting = f.has("fidelity_setting") ? f.str("fidelity_setting") : r.fidelity;
  r.layer_selection = f.has("layer_selection") ? f.str("layer_selection") : "";
  r.pe_count = f.int64("pe_count");
  r.clock_mhz = f.number("clock_mhz");
  r.simulate_seconds = f.opt_number("simulate_seconds").value_or(0);
  r.golden_seconds = f.opt_number("golden_seconds").value_or(0);
  r.dram_bytes_per_cycle = f.opt_number("dram_bytes_per_cycle");
  if (f.has("energy_table")) {
    const Fields t = f.object("energy_table");
    EnergyRates e;
    e.source = t.str("source");
    e.mac_dtype = t.str("mac_dtype");
    e.mac_pj = t.number("mac_pj");
    e.sram_ifmap = sram_rates(t, "sram_ifmap");
    e.sram_weight = sram_rates(t, "sram_weight");
    e.sram_output = sram_rates(t, "sram_output");
    e.dram_read_pj_per_byte = t.number("dram_read_pj_per_byte");
    e.dram_write_pj_per_byte = t.number("dram_write_pj_per_byte");
    e.static_pj_per_cycle = t.number("static_pj_per_cycle");
    r.energy_rates = e;
  }
  if (f.has("area_um2")) {
    const Fields a = f.object("area_um2");
    r.area_um2 = AreaUm2{a.number("pe_array"), a.opt_number("scratchpad")};
  }
  const json& ls = f.at("layers");
  if (!ls.is_array()) f.fail("layers", "expected a list");
  for (std::size_t i = 0; i < ls.size(); ++i) r.layers.push_back(layer(Fields(ls[i], "layers." + std::to_string(i))));
  r.workload_layers = f.opt_int64("workload_layers").value_or(static_cast<std::int64_t>(r.layers.size()));
  return r;
}

RunResult read_run_dir(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw RunDirError(dir + ": not a run directory (expected the --out directory of arraysim run)");
  const fs::path stats = fs::path(dir) / "stats.json";
  if (!fs::exists(stats, ec)) throw RunDirError(stats.string() + ": missing (expected the --out directory of arraysim run)");
  RunResult r;
  try {
    r = run_from_json(read_file(stats));
  } catch (const RunDirError&) {
    throw;
  } catch (const std::exception& e) {
    throw RunDirError(stats.string() + ": " + e.what());
  }
  const fs::path timeline = fs::path(dir) / "timeline.json";
  if (fs::exists(timeline, ec)) {
    const std::string text = read_file(timeline);
    try {
      const json j = json::parse(text);
      const bool simulated = j.contains("otherData") && j["otherData"].value("timeline_source", "") == "simulator";
      if (simulated) r.timeline = timeline_from_chrome_trace(text);
    } catch (const std::exception& e) {
      throw RunDirError(timeline.string() + ": " + e.what());
    }
  }
  return r;
}

void write_file(const std::string& path, const std::string& content) {
  namespace fs = std::filesystem;
  const fs::path p(path);
  const fs::path dir = p.has_parent_path() ? p.parent_path() : fs::path(".");
  write_files(dir.string(), {{p.filename().string(), content}});
}

}  // namespace arraysim::stats
