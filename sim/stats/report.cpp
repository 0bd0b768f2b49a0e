#include "sim/stats/report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "sim/util/write_atomically.hpp"

namespace arraysim::stats {

namespace {
template <class T, class F>
std::optional<T> sum_opt(const std::vector<LayerResult>& ls, F f) {
  if (ls.empty()) return std::nullopt;
  T s{};
  for (const auto& l : ls) {
    auto v = f(l);
    if (!v) return std::nullopt;
    s += *v;
  }
  return s;
}

std::optional<bool> all_match(const std::vector<LayerResult>& ls, std::optional<bool> LayerResult::*field) {
  std::optional<bool> r;
  for (const auto& l : ls)
    if (l.*field) r = (r.value_or(true) && *(l.*field));
  return r;
}
}  // namespace

std::int64_t RunResult::macs() const {
  std::int64_t s = 0;
  for (const auto& l : layers) s += l.macs;
  return s;
}
std::optional<std::int64_t> RunResult::total_cycles() const {
  return sum_opt<std::int64_t>(layers, [](const LayerResult& l) { return l.total_cycles; });
}
std::optional<std::int64_t> RunResult::compute_cycles() const {
  return sum_opt<std::int64_t>(layers, [](const LayerResult& l) { return l.compute_cycles; });
}
std::optional<std::int64_t> RunResult::stall_cycles() const {
  return sum_opt<std::int64_t>(layers, [](const LayerResult& l) { return l.stall_cycles; });
}
std::optional<double> RunResult::pe_utilization() const {
  auto t = total_cycles();
  if (!t || *t == 0 || pe_count == 0) return std::nullopt;
  return static_cast<double>(macs()) / (static_cast<double>(pe_count) * static_cast<double>(*t));
}
std::optional<double> MemoryResult::dram_row_hit_rate() const {
  if (!dram_row_hits) return std::nullopt;
  const std::int64_t n = *dram_row_hits + dram_row_misses.value_or(0) + dram_row_conflicts.value_or(0);
  return n == 0 ? std::nullopt : std::optional<double>(static_cast<double>(*dram_row_hits) / static_cast<double>(n));
}

std::optional<double> LayerResult::operational_intensity_macs_per_byte() const {
  const std::int64_t b = memory.dram_bytes();
  return b == 0 ? std::nullopt : std::optional<double>(static_cast<double>(macs) / static_cast<double>(b));
}

std::optional<double> LayerResult::attained_macs_per_cycle() const {
  if (!total_cycles || *total_cycles <= 0) return std::nullopt;
  return static_cast<double>(macs) / static_cast<double>(*total_cycles);
}

std::optional<double> LayerResult::compute_intensity_macs_per_word() const {
  const std::int64_t w = array_read_words.total() + array_write_words.total();
  if (w <= 0) return std::nullopt;
  return static_cast<double>(macs) / static_cast<double>(w);
}

std::optional<EnergyPj> RunResult::energy() const {
  if (layers.empty()) return std::nullopt;
  EnergyPj e;
  for (const auto& l : layers) {
    if (!l.energy) return std::nullopt;
    e += *l.energy;
  }
  return e;
}

MemoryResult RunResult::memory() const {
  MemoryResult m;
  for (const auto& l : layers) {
    const MemoryResult& x = l.memory;
    m.stall_cycles += x.stall_cycles;
    m.sram_read_bytes += x.sram_read_bytes;
    m.sram_write_bytes += x.sram_write_bytes;
    m.dram_read_bytes += x.dram_read_bytes;
    m.dram_write_bytes += x.dram_write_bytes;
    m.dram_footprint_bytes += x.dram_footprint_bytes;
    m.dram_bandwidth_peak_bytes_per_cycle = std::max(m.dram_bandwidth_peak_bytes_per_cycle, x.dram_bandwidth_peak_bytes_per_cycle);
    m.bank_conflicts += x.bank_conflicts;
    auto add = [](std::optional<std::int64_t>& a, const std::optional<std::int64_t>& b) {
      if (b) a = a.value_or(0) + *b;
    };
    add(m.dram_row_hits, x.dram_row_hits);
    add(m.dram_row_misses, x.dram_row_misses);
    add(m.dram_row_conflicts, x.dram_row_conflicts);
  }
  const auto t = total_cycles();
  if (t && *t > 0) m.dram_bandwidth_avg_bytes_per_cycle = static_cast<double>(m.dram_bytes()) / static_cast<double>(*t);
  return m;
}

std::optional<bool> RunResult::golden_match() const { return all_match(layers, &LayerResult::golden_match); }
std::optional<bool> RunResult::analytic_match() const { return all_match(layers, &LayerResult::analytic_match); }

namespace {
template <class T> nlohmann::json opt_json(const std::optional<T>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

nlohmann::json bytes_json(const OperandBytes& b) {
  return {{"ifmap", b.ifmap}, {"weight", b.weight}, {"output", b.output}, {"total", b.total()}};
}

/// The memory fields of a layer or of the run, into `j` (docs/outputs.md lists them).
void memory_json(nlohmann::json& j, const MemoryResult& m, std::int64_t macs) {
  const StallCycles& s = m.stall_cycles;
  nlohmann::json& by_cause = j["stall_cycles_by_cause"] = nlohmann::json::object();
  for (const StallCause& c : kStallCauses) by_cause[c.name] = s.*c.cycles;
  j["sram_read_bytes"] = bytes_json(m.sram_read_bytes);
  j["sram_write_bytes"] = bytes_json(m.sram_write_bytes);
  j["dram_read_bytes"] = bytes_json(m.dram_read_bytes);
  j["dram_write_bytes"] = bytes_json(m.dram_write_bytes);
  j["dram_footprint_bytes"] = m.dram_footprint_bytes;
  j["dram_bandwidth_avg_bytes_per_cycle"] = m.dram_bandwidth_avg_bytes_per_cycle;
  j["dram_bandwidth_peak_bytes_per_cycle"] = m.dram_bandwidth_peak_bytes_per_cycle;
  j["bank_conflicts"] = m.bank_conflicts;
  j["dram_row_hits"] = opt_json(m.dram_row_hits);
  j["dram_row_misses"] = opt_json(m.dram_row_misses);
  j["dram_row_conflicts"] = opt_json(m.dram_row_conflicts);
  j["dram_row_hit_rate"] = opt_json(m.dram_row_hit_rate());
  const std::int64_t b = m.dram_bytes();
  j["operational_intensity_macs_per_byte"] =
      b == 0 ? nlohmann::json(nullptr) : nlohmann::json(static_cast<double>(macs) / static_cast<double>(b));
}

/// The CSV columns of memory_json, flattened.
constexpr const char* kMemoryCsvHeader =
    "stall_cycles_dram_bandwidth,stall_cycles_dram_latency,stall_cycles_bank_conflict,stall_cycles_dependency,"
    "sram_read_bytes_ifmap,sram_read_bytes_weight,sram_read_bytes_output,"
    "sram_write_bytes_ifmap,sram_write_bytes_weight,sram_write_bytes_output,"
    "dram_read_bytes_ifmap,dram_read_bytes_weight,dram_read_bytes_output,"
    "dram_write_bytes_ifmap,dram_write_bytes_weight,dram_write_bytes_output,"
    "dram_footprint_bytes,dram_bandwidth_avg_bytes_per_cycle,dram_bandwidth_peak_bytes_per_cycle,bank_conflicts,"
    "dram_row_hits,dram_row_misses,dram_row_conflicts,dram_row_hit_rate,operational_intensity_macs_per_byte";

/// `energy_pj`: the components and their total (docs/energy.md), or null.
nlohmann::json energy_json(const std::optional<EnergyPj>& e) {
  if (!e) return nullptr;
  return {{"mac", e->mac_pj},           {"sram_ifmap", e->sram_ifmap_pj}, {"sram_weight", e->sram_weight_pj},
          {"sram_output", e->sram_output_pj}, {"dram", e->dram_pj},    {"static", e->static_pj},
          {"total", e->total_pj()}};
}

nlohmann::json sram_rates_json(const SramRates& s) {
  return {{"size_kib", s.size_kib}, {"read_pj_per_byte", s.read_pj_per_byte}, {"write_pj_per_byte", s.write_pj_per_byte}};
}

/// `energy_table`: the cost of each action as applied to this run, or null.
nlohmann::json energy_rates_json(const std::optional<EnergyRates>& r) {
  if (!r) return nullptr;
  return {{"source", r->source},
          {"mac_dtype", r->mac_dtype},
          {"mac_pj", r->mac_pj},
          {"sram_ifmap", sram_rates_json(r->sram_ifmap)},
          {"sram_weight", sram_rates_json(r->sram_weight)},
          {"sram_output", sram_rates_json(r->sram_output)},
          {"dram_read_pj_per_byte", r->dram_read_pj_per_byte},
          {"dram_write_pj_per_byte", r->dram_write_pj_per_byte},
          {"static_pj_per_cycle", r->static_pj_per_cycle}};
}

/// The energy CSV columns, in the order of energy_json.
constexpr const char* kEnergyCsvHeader =
    "compulsory_dram_bytes,attained_macs_per_cycle,energy_pj_mac,energy_pj_sram_ifmap,energy_pj_sram_weight,"
    "energy_pj_sram_output,energy_pj_dram,energy_pj_static,energy_pj_total";

nlohmann::json words_json(const OperandWords& w) {
  return {{"ifmap", w.ifmap}, {"weight", w.weight}, {"output", w.output}, {"total", w.total()}};
}

/// The roofline and vector-unit fields of a layer (docs/outputs.md, docs/vector.md).
void roofline_json(nlohmann::json& j, const LayerResult& l) {
  j["array_read_words"] = words_json(l.array_read_words);
  j["array_write_words"] = words_json(l.array_write_words);
  j["dram_read_words"] = words_json(l.dram_read_words);
  j["dram_write_words"] = words_json(l.dram_write_words);
  j["compute_intensity_macs_per_word"] = opt_json(l.compute_intensity_macs_per_word());
  j["compute_roof_macs_per_cycle"] = opt_json(l.compute_roof_macs_per_cycle);
  j["bandwidth_roof_macs_per_cycle"] = opt_json(l.bandwidth_roof_macs_per_cycle);
  j["bound"] = l.bound.empty() ? nlohmann::json(nullptr) : nlohmann::json(l.bound);
  j["vector_mapping"] = l.vector_mapping ? nlohmann::json(*l.vector_mapping) : nlohmann::json(nullptr);
  j["vector_mapping_auto"] = opt_json(l.vector_mapping_auto);
  j["vector_steps"] = opt_json(l.vector_steps);
  j["stall_cycles_read_bandwidth"] = opt_json(l.stall_cycles_read_bandwidth);
  j["relayout_words"] = opt_json(l.relayout_words);
}

/// The roofline CSV columns, in the order of roofline_csv.
constexpr const char* kRooflineCsvHeader =
    "array_read_words_ifmap,array_read_words_weight,array_read_words_output,array_write_words_output,"
    "dram_read_words,dram_write_words,compute_intensity_macs_per_word,compute_roof_macs_per_cycle,"
    "bandwidth_roof_macs_per_cycle,bound,vector_mapping,vector_steps,stall_cycles_read_bandwidth,relayout_words";

nlohmann::json layer_json(const LayerResult& l) {
  nlohmann::json j;
  j["name"] = l.name;
  j["type"] = l.type;
  j["input_shape"] = l.input_shape;
  j["weight_shape"] = l.weight_shape;
  j["output_shape"] = l.output_shape;
  j["gemm_m"] = l.gemm.m;
  j["gemm_n"] = l.gemm.n;
  j["gemm_k"] = l.gemm.k;
  j["groups"] = l.gemm.groups;
  j["macs"] = l.macs;
  j["total_cycles"] = opt_json(l.total_cycles);
  j["compute_cycles"] = opt_json(l.compute_cycles);
  j["stall_cycles"] = opt_json(l.stall_cycles);
  j["folds"] = opt_json(l.folds);
  j["pe_utilization"] = opt_json(l.pe_utilization);
  j["analytic_cycles"] = opt_json(l.analytic_cycles);
  j["analytic_match"] = opt_json(l.analytic_match);
  j["golden_match"] = opt_json(l.golden_match);
  j["start_cycle"] = l.start_cycle;
  memory_json(j, l.memory, l.macs);
  j["compulsory_dram_bytes"] = opt_json(l.compulsory_dram_bytes);
  j["attained_macs_per_cycle"] = opt_json(l.attained_macs_per_cycle());
  j["energy_pj"] = energy_json(l.energy);
  roofline_json(j, l);
  nlohmann::json mm = nlohmann::json::array();
  for (const auto& m : l.mismatches)
    mm.push_back({{"tensor", m.tensor}, {"index", m.index}, {"where", m.where}, {"expected", m.expected}, {"got", m.got}});
  j["golden_mismatches"] = mm;
  return j;
}

std::string opt_str(const std::optional<std::int64_t>& v) { return v ? std::to_string(*v) : ""; }
std::string opt_str(const std::optional<double>& v) { return v ? fmt::format("{:.6f}", *v) : ""; }
std::string opt_str(const std::optional<bool>& v) { return v ? (*v ? "true" : "false") : ""; }
}  // namespace

std::string to_json(const RunResult& r) {
  nlohmann::json j;
  j["experiment"] = r.experiment;
  j["arch"] = r.arch_name;
  j["fidelity"] = r.fidelity;
  j["fidelity_setting"] = r.fidelity_setting.empty() ? r.fidelity : r.fidelity_setting;
  j["layer_selection"] = r.layer_selection.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.layer_selection);
  j["workload_layers"] = r.workload_layers;
  j["pe_count"] = r.pe_count;
  j["clock_mhz"] = r.clock_mhz;
  j["simulate_seconds"] = r.simulate_seconds;
  j["golden_seconds"] = r.golden_seconds;
  j["macs"] = r.macs();
  j["total_cycles"] = opt_json(r.total_cycles());
  j["compute_cycles"] = opt_json(r.compute_cycles());
  j["stall_cycles"] = opt_json(r.stall_cycles());
  j["pe_utilization"] = opt_json(r.pe_utilization());
  j["golden_match"] = opt_json(r.golden_match());
  j["analytic_match"] = opt_json(r.analytic_match());
  memory_json(j, r.memory(), r.macs());
  j["dram_bytes_per_cycle"] = opt_json(r.dram_bytes_per_cycle);
  const std::optional<EnergyPj> e = r.energy();
  j["energy_pj"] = energy_json(e);
  j["energy_pj_per_mac"] = e && r.macs() > 0 ? nlohmann::json(e->total_pj() / static_cast<double>(r.macs()))
                                             : nlohmann::json(nullptr);
  j["energy_table"] = energy_rates_json(r.energy_rates);
  j["area_um2"] = r.area_um2 ? nlohmann::json{{"pe_array", r.area_um2->pe_array},
                                              {"scratchpad", opt_json(r.area_um2->scratchpad)},
                                              {"total", opt_json(r.area_um2->total())}}
                             : nlohmann::json(nullptr);
  j["layers"] = nlohmann::json::array();
  for (const auto& l : r.layers) j["layers"].push_back(layer_json(l));
  return j.dump(2) + "\n";
}

std::string to_csv(const RunResult& r) {
  std::string s = std::string(
                      "name,type,gemm_m,gemm_n,gemm_k,groups,macs,total_cycles,compute_cycles,stall_cycles,folds,"
                      "pe_utilization,analytic_cycles,analytic_match,golden_match,start_cycle,") +
                  kMemoryCsvHeader + "," + kEnergyCsvHeader + "," + kRooflineCsvHeader + "\n";
  for (const auto& l : r.layers) {
    const MemoryResult& m = l.memory;
    const StallCycles& st = m.stall_cycles;
    s += fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},", l.name, l.type, l.gemm.m, l.gemm.n, l.gemm.k,
                     l.gemm.groups, l.macs, opt_str(l.total_cycles), opt_str(l.compute_cycles),
                     opt_str(l.stall_cycles), opt_str(l.folds), opt_str(l.pe_utilization),
                     opt_str(l.analytic_cycles), opt_str(l.analytic_match), opt_str(l.golden_match), l.start_cycle);
    auto b = [](const OperandBytes& x) { return fmt::format("{},{},{}", x.ifmap, x.weight, x.output); };
    s += fmt::format("{},{},{},{},{},{},{},{},{},{:.6f},{:.6f},{},{},{},{},{},{},", st.dram_bandwidth, st.dram_latency,
                     st.bank_conflict, st.dependency, b(m.sram_read_bytes), b(m.sram_write_bytes),
                     b(m.dram_read_bytes), b(m.dram_write_bytes), m.dram_footprint_bytes,
                     m.dram_bandwidth_avg_bytes_per_cycle, m.dram_bandwidth_peak_bytes_per_cycle, m.bank_conflicts,
                     opt_str(m.dram_row_hits), opt_str(m.dram_row_misses), opt_str(m.dram_row_conflicts),
                     opt_str(m.dram_row_hit_rate()), opt_str(l.operational_intensity_macs_per_byte()));
    s += fmt::format("{},{},", opt_str(l.compulsory_dram_bytes), opt_str(l.attained_macs_per_cycle()));
    if (const auto& e = l.energy)
      s += fmt::format("{:.6f},{:.6f},{:.6f},{:.6f},{:.6f},{:.6f},{:.6f},", e->mac_pj, e->sram_ifmap_pj,
                       e->sram_weight_pj, e->sram_output_pj, e->dram_pj, e->static_pj, e->total_pj());
    else
      s += ",,,,,,,";
    s += fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{},{}\n", l.array_read_words.ifmap,
                     l.array_read_words.weight, l.array_read_words.output, l.array_write_words.output,
                     l.dram_read_words.total(), l.dram_write_words.total(), opt_str(l.compute_intensity_macs_per_word()),
                     opt_str(l.compute_roof_macs_per_cycle), opt_str(l.bandwidth_roof_macs_per_cycle), l.bound,
                     l.vector_mapping ? "\"" + *l.vector_mapping + "\"" : std::string(), opt_str(l.vector_steps),
                     opt_str(l.stall_cycles_read_bandwidth), opt_str(l.relayout_words));
  }
  return s;
}

namespace {
/// `part` as a percentage of `whole` ("-" when whole is not positive).
std::string share(double part, double whole) {
  return whole > 0 ? fmt::format("{:.1f}%", 100 * part / whole) : "-";
}

/// Stall cycles by cause as a share of the cycles, and DRAM traffic, per layer and in total.
std::string memory_table(const RunResult& r) {
  std::string s = "\nstalls (share of the layer's cycles) and DRAM traffic\n";
  const char* fmt_row = "{:<14} {:>12} {:>7} {:>8} {:>8} {:>10} {:>10} {:>16} {:>16} {:>13}\n";
  s += fmt::format(fmt_row, "layer", "cycles", "stall", "dram_bw", "dram_lat", "bank_conf", "dependency",
                   "dram_read_bytes", "dram_write_bytes", "macs_per_byte");
  auto row = [&](const std::string& name, const std::optional<std::int64_t>& cycles, const MemoryResult& m,
                 std::int64_t macs) {
    const double c = cycles ? static_cast<double>(*cycles) : 0;
    const StallCycles& st = m.stall_cycles;
    const std::int64_t dram = m.dram_bytes();
    s += fmt::format(fmt_row, name, cycles ? std::to_string(*cycles) : "-", share(st.total(), c),
                     share(st.dram_bandwidth, c), share(st.dram_latency, c), share(st.bank_conflict, c),
                     share(st.dependency, c), m.dram_read_bytes.total(), m.dram_write_bytes.total(),
                     dram > 0 ? fmt::format("{:.2f}", static_cast<double>(macs) / static_cast<double>(dram)) : "-");
  };
  for (const auto& l : r.layers) row(l.name, l.total_cycles, l.memory, l.macs);
  row("total", r.total_cycles(), r.memory(), r.macs());
  return s;
}

/// Energy per layer and in total with the share of each component; the table applied; area.
std::string energy_table(const RunResult& r) {
  if (!r.energy_rates) return "";
  const EnergyRates& t = *r.energy_rates;
  std::string s = fmt::format("\nenergy by component (share of the layer's energy), table {}\n", t.source);
  const char* fmt_row = "{:<14} {:>12} {:>10} {:>7} {:>10} {:>11} {:>11} {:>7} {:>7}\n";
  s += fmt::format(fmt_row, "layer", "energy_nj", "pj_per_mac", "mac", "sram_ifmap", "sram_weight", "sram_output",
                   "dram", "static");
  auto row = [&](const std::string& name, const std::optional<EnergyPj>& e, std::int64_t macs) {
    if (!e) {
      s += fmt::format(fmt_row, name, "-", "-", "-", "-", "-", "-", "-", "-");
      return;
    }
    const double tot = e->total_pj();
    s += fmt::format(fmt_row, name, fmt::format("{:.3f}", tot / 1000),
                     macs > 0 ? fmt::format("{:.3f}", tot / static_cast<double>(macs)) : "-", share(e->mac_pj, tot),
                     share(e->sram_ifmap_pj, tot), share(e->sram_weight_pj, tot), share(e->sram_output_pj, tot),
                     share(e->dram_pj, tot), share(e->static_pj, tot));
  };
  for (const auto& l : r.layers) row(l.name, l.energy, l.macs);
  row("total", r.energy(), r.macs());
  s += fmt::format("per action: {} MAC {:.4g} pJ; DRAM {:.4g}/{:.4g} pJ per byte read/written; static {:.4g} pJ per cycle\n",
                   t.mac_dtype, t.mac_pj, t.dram_read_pj_per_byte, t.dram_write_pj_per_byte, t.static_pj_per_cycle);
  s += fmt::format("scratchpad pJ per byte read/written: ifmap ({:.4g} KiB) {:.4g}/{:.4g}, weight ({:.4g} KiB) "
                   "{:.4g}/{:.4g}, output ({:.4g} KiB) {:.4g}/{:.4g}\n",
                   t.sram_ifmap.size_kib, t.sram_ifmap.read_pj_per_byte, t.sram_ifmap.write_pj_per_byte,
                   t.sram_weight.size_kib, t.sram_weight.read_pj_per_byte, t.sram_weight.write_pj_per_byte,
                   t.sram_output.size_kib, t.sram_output.read_pj_per_byte, t.sram_output.write_pj_per_byte);
  if (r.area_um2) {
    const AreaUm2& a = *r.area_um2;
    s += fmt::format("area_um2: pe_array {:.0f} (multipliers and adders only)", a.pe_array);
    s += a.scratchpad ? fmt::format(", scratchpads {:.0f}, total {:.0f}\n", *a.scratchpad, *a.total())
                      : std::string(", scratchpads not in the energy table\n");
  }
  return s;
}
}  // namespace

namespace {
/// Per layer: array words, intensities, attained vs the roofs and the bound; for a vector unit
/// also the mapping that ran (and whether `auto` chose it) and the port-bound step cycles.
std::string roofline_table(const RunResult& r) {
  std::string s = "\nroofline (MACs per cycle; intensity in MACs per scratchpad word and per DRAM byte)\n";
  s += fmt::format("{:<14} {:>12} {:>12} {:>10} {:>10} {:>9} {:>9} {:>9} {:>8}\n", "layer", "array_words", "macs_per_wd",
                   "macs_per_B", "attained", "comp_roof", "bw_roof", "read_bw", "bound");
  auto num = [](const std::optional<double>& v) { return v ? fmt::format("{:.3f}", *v) : std::string("-"); };
  for (const auto& l : r.layers) {
    s += fmt::format("{:<14} {:>12} {:>12} {:>10} {:>10} {:>9} {:>9} {:>9} {:>8}\n", l.name,
                     l.array_read_words.total() + l.array_write_words.total(), num(l.compute_intensity_macs_per_word()),
                     num(l.operational_intensity_macs_per_byte()), num(l.attained_macs_per_cycle()),
                     num(l.compute_roof_macs_per_cycle), num(l.bandwidth_roof_macs_per_cycle),
                     l.stall_cycles_read_bandwidth ? std::to_string(*l.stall_cycles_read_bandwidth) : "-",
                     l.bound.empty() ? "-" : l.bound);
  }
  for (const auto& l : r.layers)
    if (l.vector_mapping)
      s += fmt::format("vector mapping of {}: {}{}\n", l.name, *l.vector_mapping,
                       l.vector_mapping_auto.value_or(false) ? " (chosen by mapping: auto)" : "");
  return s;
}
}  // namespace

std::string to_text(const RunResult& r) {
  std::string s = fmt::format("experiment {}  arch {}  fidelity {}", r.experiment, r.arch_name, r.fidelity);
  if (r.fidelity_setting == "auto") s += " (auto)";
  if (!r.layer_selection.empty())
    s += fmt::format("  layers {} ({} of {})", r.layer_selection, r.layers.size(), r.workload_layers);
  s += "\n";
  s += fmt::format("{:<14} {:<7} {:>18} {:>16} {:>7} {:>14} {:>12} {:>7} {:>6} {:>8}\n", "layer", "type",
                   "output_shape", "gemm MxNxK", "groups", "macs", "cycles", "util", "golden", "analytic");
  auto yn = [](const std::optional<bool>& b) -> std::string { return b ? (*b ? "ok" : "FAIL") : "-"; };
  auto row = [&](const std::string& name, const std::string& type, const std::string& shape, const std::string& mnk,
                 const std::string& groups, std::int64_t macs, const std::optional<std::int64_t>& cyc,
                 const std::optional<double>& util, const std::optional<bool>& g, const std::optional<bool>& a) {
    s += fmt::format("{:<14} {:<7} {:>18} {:>16} {:>7} {:>14} {:>12} {:>7} {:>6} {:>8}\n", name, type, shape, mnk,
                     groups, macs, cyc ? std::to_string(*cyc) : "-",
                     util ? fmt::format("{:.1f}%", 100 * *util) : "-", yn(g), yn(a));
  };
  for (const auto& l : r.layers)
    row(l.name, l.type, ir::shape_str(l.output_shape), fmt::format("{}x{}x{}", l.gemm.m, l.gemm.n, l.gemm.k),
        std::to_string(l.gemm.groups), l.macs, l.total_cycles, l.pe_utilization, l.golden_match, l.analytic_match);
  row("total", "", "", "", "", r.macs(), r.total_cycles(), r.pe_utilization(), r.golden_match(), r.analytic_match());
  s += roofline_table(r);
  s += memory_table(r);
  s += energy_table(r);
  return s;
}

void write_files(const std::string& dir, const std::vector<std::pair<std::string, std::string>>& files) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw std::runtime_error("cannot create output directory '" + dir + "': " + ec.message());
  for (const auto& [name, content] : files) {
    // `name` may have directories (traces/layer0/...): they are created first.
    const fs::path final_path = fs::path(dir) / name;
    fs::create_directories(final_path.parent_path(), ec);
    if (ec) throw std::runtime_error("cannot create directory '" + final_path.parent_path().string() + "': " + ec.message());
    util::write_atomically(final_path.string(), content, util::Durability::rename_only);
  }
}

}  // namespace arraysim::stats
