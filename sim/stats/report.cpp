#include "sim/stats/report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <stdexcept>

#include "sim/stats/fields.hpp"
#include "sim/util/write_atomically.hpp"

namespace arraysim::stats {

namespace {
template <class T, class F> std::optional<T> sum_opt(const std::vector<LayerResult>& ls, F f) {
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

void AccessWindows::add(int operand, std::int64_t cycle) {
  std::optional<AccessWindow>& w = operand == 0 ? ifmap : operand == 1 ? weight : output;
  if (!w)
    w = AccessWindow{cycle, cycle};
  else
    w->first = std::min(w->first, cycle), w->last = std::max(w->last, cycle);
}

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
    m.dram_useful_read_bytes += x.dram_useful_read_bytes;
    m.dram_useful_write_bytes += x.dram_useful_write_bytes;
    m.dram_footprint_bytes += x.dram_footprint_bytes;
    m.dram_bandwidth_peak_bytes_per_cycle =
        std::max(m.dram_bandwidth_peak_bytes_per_cycle, x.dram_bandwidth_peak_bytes_per_cycle);
    m.bank_conflicts += x.bank_conflicts;
    auto add = [](std::optional<std::int64_t>& a, const std::optional<std::int64_t>& b) {
      if (b) a = a.value_or(0) + *b;
    };
    add(m.dram_row_hits, x.dram_row_hits);
    add(m.dram_row_misses, x.dram_row_misses);
    add(m.dram_row_conflicts, x.dram_row_conflicts);
    add(m.dram_refreshes, x.dram_refreshes);
    add(m.dram_cycles, x.dram_cycles);
  }
  const auto t = total_cycles();
  if (t && *t > 0) m.dram_bandwidth_avg_bytes_per_cycle = static_cast<double>(m.dram_bytes()) / static_cast<double>(*t);
  return m;
}

std::optional<bool> RunResult::golden_match() const { return all_match(layers, &LayerResult::golden_match); }
std::optional<bool> RunResult::analytic_match() const { return all_match(layers, &LayerResult::analytic_match); }

std::string to_json(const RunResult& r) { return fields_json(r).dump(2) + "\n"; }

std::string to_csv(const RunResult& r) { return fields_csv(r); }

namespace {
/// The width of the summary's name column: the longest name shown, at least 14.
std::size_t name_width(const RunResult& r) {
  std::size_t w = 14;
  for (const LayerResult& l : r.layers) w = std::max(w, l.name.size());
  return w;
}
/// `name` left-aligned in a column of `width`.
std::string name_cell(const std::string& name, std::size_t width) {
  return name.size() >= width ? name : name + std::string(width - name.size(), ' ');
}

/// `part` as a percentage of `whole` ("-" when whole is not positive).
std::string share(double part, double whole) { return whole > 0 ? fmt::format("{:.1f}%", 100 * part / whole) : "-"; }

/// Stall cycles by cause as a share of the cycles, and DRAM traffic, per layer and in total.
std::string memory_table(const RunResult& r) {
  std::string s = "\nstalls (share of the layer's cycles) and DRAM traffic\n";
  const std::size_t w = name_width(r);
  std::string head = fmt::format("{} {:>12} {:>7}", name_cell("layer", w), "cycles", "stall");
  for (const StallCause& c : kStallCauses) head += fmt::format(" {:>10}", c.column);
  s += head + fmt::format(" {:>16} {:>16} {:>13}\n", "dram_read_bytes", "dram_write_bytes", "macs_per_byte");
  auto row = [&](const std::string& name, const std::optional<std::int64_t>& cycles, const MemoryResult& m,
                 std::int64_t macs) {
    const double c = cycles ? static_cast<double>(*cycles) : 0;
    const StallCycles& st = m.stall_cycles;
    const std::int64_t dram = m.dram_bytes();
    std::string line = fmt::format("{} {:>12} {:>7}", name_cell(name, w), cycles ? std::to_string(*cycles) : "-",
                                   share(static_cast<double>(st.total()), c));
    for (const StallCause& k : kStallCauses)
      line += fmt::format(" {:>10}", share(static_cast<double>(st.*k.cycles), c));
    s += line +
         fmt::format(" {:>16} {:>16} {:>13}\n", m.dram_read_bytes.total(), m.dram_write_bytes.total(),
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
  const char* fmt_row = "{} {:>12} {:>10} {:>7} {:>10} {:>11} {:>11} {:>7} {:>7}\n";
  const std::size_t w = name_width(r);
  s += fmt::format(fmt_row, name_cell("layer", w), "energy_nj", "pj_per_mac", "mac", "sram_ifmap", "sram_weight",
                   "sram_output", "dram", "static");
  auto row = [&](const std::string& name, const std::optional<EnergyPj>& e, std::int64_t macs) {
    if (!e) {
      s += fmt::format(fmt_row, name_cell(name, w), "-", "-", "-", "-", "-", "-", "-", "-");
      return;
    }
    const double tot = e->total_pj();
    s += fmt::format(fmt_row, name_cell(name, w), fmt::format("{:.3f}", tot / 1000),
                     macs > 0 ? fmt::format("{:.3f}", tot / static_cast<double>(macs)) : "-", share(e->mac_pj, tot),
                     share(e->sram_ifmap_pj, tot), share(e->sram_weight_pj, tot), share(e->sram_output_pj, tot),
                     share(e->dram_pj, tot), share(e->static_pj, tot));
  };
  for (const auto& l : r.layers) row(l.name, l.energy, l.macs);
  row("total", r.energy(), r.macs());
  s += fmt::format(
      "per action: {} MAC {:.4g} pJ; DRAM {:.4g}/{:.4g} pJ per byte read/written; static {:.4g} pJ per cycle\n",
      t.mac_dtype, t.mac_pj, t.dram_read_pj_per_byte, t.dram_write_pj_per_byte, t.static_pj_per_cycle);
  s += fmt::format(
      "scratchpad pJ per byte read/written: ifmap ({:.4g} KiB) {:.4g}/{:.4g}, weight ({:.4g} KiB) "
      "{:.4g}/{:.4g}, output ({:.4g} KiB) {:.4g}/{:.4g}\n",
      t.sram_ifmap.size_kib, t.sram_ifmap.read_pj_per_byte, t.sram_ifmap.write_pj_per_byte, t.sram_weight.size_kib,
      t.sram_weight.read_pj_per_byte, t.sram_weight.write_pj_per_byte, t.sram_output.size_kib,
      t.sram_output.read_pj_per_byte, t.sram_output.write_pj_per_byte);
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
  const char* fmt_row = "{} {:>12} {:>13} {:>13} {:>10} {:>12} {:>10} {:>11} {:>8}\n";
  const std::size_t w = name_width(r);
  s += fmt::format(fmt_row, name_cell("layer", w), "array_words", "macs_per_word", "macs_per_byte", "attained",
                   "compute_roof", "bw_roof", "port_cycles", "bound");
  auto num = [](const std::optional<double>& v) { return v ? fmt::format("{:.3f}", *v) : std::string("-"); };
  for (const auto& l : r.layers) {
    s += fmt::format(fmt_row, name_cell(l.name, w), l.array_read_words.total() + l.array_write_words.total(),
                     num(l.compute_intensity_macs_per_word()), num(l.operational_intensity_macs_per_byte()),
                     num(l.attained_macs_per_cycle()), num(l.compute_roof_macs_per_cycle),
                     num(l.bandwidth_roof_macs_per_cycle),
                     l.stall_cycles_read_bandwidth ? std::to_string(*l.stall_cycles_read_bandwidth) : "-",
                     l.bound.empty() ? "-" : l.bound);
  }
  for (const auto& l : r.layers)
    if (l.vector_mapping)
      s += fmt::format("vector mapping of {}: {}{}\n", l.name, *l.vector_mapping,
                       l.vector_mapping_auto.value_or(false) ? " (chosen by mapping: auto)" : "");
  return s;
}

/// Per systolic layer: the mapping that ran, how it was chosen, and SCALE-Sim v2's stall-free
/// cycles beside arraysim's (docs/mapping.md). Empty for a vector unit.
std::string mapping_table(const RunResult& r) {
  if (std::none_of(r.layers.begin(), r.layers.end(), [](const LayerResult& l) { return l.mapping.has_value(); }))
    return "";
  std::string s = "\nmapping (tile MxNxK, loop order over tiles, scratchpad halves; docs/mapping.md)\n";
  const char* fmt_row = "{} {:>12} {:>18} {:>7} {:>10}  {}\n";
  const std::size_t w = name_width(r);
  s += fmt::format(fmt_row, name_cell("layer", w), "cycles", "scalesim_v2_cycles", "mapper", "considered", "mapping");
  for (const auto& l : r.layers) {
    if (!l.mapping) continue;
    s += fmt::format(fmt_row, name_cell(l.name, w), l.total_cycles ? std::to_string(*l.total_cycles) : "-",
                     l.scalesim_v2_cycles ? std::to_string(*l.scalesim_v2_cycles) : "-", l.mapper.value_or("-"),
                     l.mappings_considered ? std::to_string(*l.mappings_considered) : "-", *l.mapping);
  }
  return s;
}
}  // namespace

/// Runs with more layers than this group the post-processing rows of the summary's tables.
constexpr std::size_t kSummaryGroupAbove = 40;

namespace {
bool is_post(const LayerResult& l) { return l.vector_ops.has_value(); }

/// The rows the summary's tables show: every layer, or for a run of more than kSummaryGroupAbove
/// layers each stretch of post-processing operators between two array layers merged into one row
/// "NAME +K" (the first operator's name and how many follow; type "post"): cycles, stalls, bytes,
/// energy and vector_ops summed, golden and analytic checks all-of. layers.csv and stats.json keep
/// every operator.
RunResult summary_rows(const RunResult& r) {
  if (r.layers.size() <= kSummaryGroupAbove) return r;
  RunResult v = r;
  v.layers.clear();
  for (std::size_t i = 0; i < r.layers.size();) {
    std::size_t j = i + 1;
    if (is_post(r.layers[i]))
      while (j < r.layers.size() && is_post(r.layers[j])) ++j;
    if (j == i + 1) {
      v.layers.push_back(r.layers[i]);
      i = j;
      continue;
    }
    RunResult part;
    part.layers.assign(r.layers.begin() + static_cast<std::ptrdiff_t>(i),
                       r.layers.begin() + static_cast<std::ptrdiff_t>(j));
    LayerResult g;
    g.name = fmt::format("{} +{}", r.layers[i].name, j - i - 1);
    g.type = "post";
    g.output_shape = r.layers[j - 1].output_shape;
    g.total_cycles = part.total_cycles();
    g.memory = part.memory();
    g.energy = part.energy();
    g.golden_match = part.golden_match();
    g.analytic_match = part.analytic_match();
    std::int64_t ops = 0;
    for (const LayerResult& o : part.layers) ops += *o.vector_ops;
    g.vector_ops = ops;
    v.layers.push_back(std::move(g));
    i = j;
  }
  return v;
}
}  // namespace

std::string to_text(const RunResult& full) {
  const RunResult r = summary_rows(full);
  const std::size_t w = name_width(r);
  std::string s = fmt::format("experiment {}  arch {}  fidelity {}", r.experiment, r.arch_name, r.fidelity);
  if (r.fidelity_setting == "auto") s += " (auto)";
  if (!r.layer_selection.empty())
    s += fmt::format("  layers {} ({} of {})", r.layer_selection, full.layers.size(), r.workload_layers);
  s += "\n";
  const char* fmt_row = "{} {:<7} {:>18} {:>16} {:>7} {:>14} {:>12} {:>7} {:>6} {:>8}\n";
  s += fmt::format(fmt_row, name_cell("layer", w), "type", "output_shape", "gemm MxNxK", "groups", "macs", "cycles",
                   "util", "golden", "analytic");
  auto yn = [](const std::optional<bool>& b) -> std::string { return b ? (*b ? "ok" : "FAIL") : "-"; };
  for (const LayerResult& l : r.layers) {
    s += fmt::format(fmt_row, name_cell(l.name, w), l.type, ir::shape_str(l.output_shape),
                     l.type == "post" ? "-" : fmt::format("{}x{}x{}", l.gemm.m, l.gemm.n, l.gemm.k),
                     l.type == "post" ? "-" : std::to_string(l.gemm.groups), l.macs,
                     l.total_cycles ? std::to_string(*l.total_cycles) : "-",
                     l.pe_utilization ? fmt::format("{:.1f}%", 100 * *l.pe_utilization) : "-", yn(l.golden_match),
                     yn(l.analytic_match));
  }
  s += fmt::format(fmt_row, name_cell("total", w), "", "", "", "", full.macs(),
                   full.total_cycles() ? std::to_string(*full.total_cycles()) : "-",
                   full.pe_utilization() ? fmt::format("{:.1f}%", 100 * *full.pe_utilization()) : "-",
                   yn(full.golden_match()), yn(full.analytic_match()));
  // Per unit: the array's layers and the post-processing unit's operators, their cycles (the
  // units run one after the other), the unit's share of the run and its utilization: MACs per PE
  // per cycle for the array, vector_ops per lane per cycle for the post-processing unit.
  std::int64_t post_ops = 0, post_cycles = 0, post_vector_ops = 0, array_layers = 0, array_cycles = 0, array_macs = 0;
  for (const LayerResult& l : full.layers) {
    if (is_post(l)) {
      ++post_ops, post_cycles += l.total_cycles.value_or(0), post_vector_ops += *l.vector_ops;
    } else {
      ++array_layers, array_cycles += l.total_cycles.value_or(0), array_macs += l.macs;
    }
  }
  if (post_ops > 0 && full.total_cycles()) {
    const double total = static_cast<double>(std::max<std::int64_t>(*full.total_cycles(), 1));
    const auto util = [](std::int64_t work, std::int64_t width, std::int64_t cycles) {
      return width > 0 && cycles > 0
                 ? fmt::format("{:.1f}%", 100.0 * static_cast<double>(work) /
                                              (static_cast<double>(width) * static_cast<double>(cycles)))
                 : std::string("-");
    };
    s += fmt::format(
        "units: array {} layers, {} cycles ({:.1f}%), utilization {}; post-processing unit {} operators, {} cycles "
        "({:.1f}%), {} vector_ops, utilization {}\n",
        array_layers, array_cycles, 100.0 * static_cast<double>(array_cycles) / total,
        util(array_macs, full.pe_count, array_cycles), post_ops, post_cycles,
        100.0 * static_cast<double>(post_cycles) / total, post_vector_ops,
        util(post_vector_ops, full.post_processor_lanes, post_cycles));
  }
  s += memory_table(r);
  s += energy_table(r);
  s += roofline_table(r);
  s += mapping_table(r);
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
    if (ec)
      throw std::runtime_error("cannot create directory '" + final_path.parent_path().string() + "': " + ec.message());
    util::write_atomically(final_path.string(), content, util::Durability::rename_only);
  }
}

}  // namespace arraysim::stats
