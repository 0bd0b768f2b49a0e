#include "sim/stats/run_compare.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <map>

namespace arraysim::stats {

std::optional<double> ComparedValue::delta() const {
  if (!a || !b) return std::nullopt;
  return *b - *a;
}

std::optional<double> ComparedValue::ratio() const {
  if (!a || !b || *a == 0) return std::nullopt;
  return *b / *a;
}

namespace {

/// A compared quantity: of one layer, and of the run.
struct MetricDef {
  const char* name;
  bool integer;
  std::function<std::optional<double>(const LayerResult&)> of_layer;
  std::function<std::optional<double>(const RunResult&)> of_run;
};

std::optional<double> as_double(const std::optional<std::int64_t>& v) {
  return v ? std::optional<double>(static_cast<double>(*v)) : std::nullopt;
}
std::optional<double> nj(const std::optional<EnergyPj>& e) {
  return e ? std::optional<double>(e->total_pj() / 1000) : std::nullopt;
}

const std::vector<MetricDef>& metric_defs() {
  static const std::vector<MetricDef> defs{
      {"cycles", true, [](const LayerResult& l) { return as_double(l.total_cycles); },
       [](const RunResult& r) { return as_double(r.total_cycles()); }},
      {"stall cycles", true, [](const LayerResult& l) { return as_double(l.stall_cycles); },
       [](const RunResult& r) { return as_double(r.stall_cycles()); }},
      {"DRAM bytes (read + written)", true,
       [](const LayerResult& l) { return std::optional<double>(static_cast<double>(l.memory.dram_bytes())); },
       [](const RunResult& r) { return std::optional<double>(static_cast<double>(r.memory().dram_bytes())); }},
      {"energy (nJ)", false, [](const LayerResult& l) { return nj(l.energy); },
       [](const RunResult& r) { return nj(r.energy()); }}};
  return defs;
}

/// "name", or "name#k" for the k-th (k ≥ 2) layer of that name in a run: the matching key.
std::vector<std::string> layer_keys(const RunResult& r) {
  std::map<std::string, int> seen;
  std::vector<std::string> keys;
  for (const LayerResult& l : r.layers) {
    const int k = ++seen[l.name];
    keys.push_back(k == 1 ? l.name : l.name + "#" + std::to_string(k));
  }
  return keys;
}

std::string value_text(const std::optional<double>& v, bool integer, bool sign = false) {
  if (!v) return "-";
  if (integer) return fmt::format(sign ? "{:+.0f}" : "{:.0f}", *v);
  return fmt::format(sign ? "{:+.3f}" : "{:.3f}", *v);
}

}  // namespace

RunComparison compare_runs(const RunResult& a, const RunResult& b, const std::string& a_label,
                           const std::string& b_label) {
  RunComparison c;
  c.a_label = a_label, c.b_label = b_label, c.a_arch = a.arch_name, c.b_arch = b.arch_name;
  const std::vector<std::string> ka = layer_keys(a), kb = layer_keys(b);
  // Rows: (index in A or -1, index in B or -1).
  std::vector<std::pair<int, int>> rows;
  for (std::size_t i = 0; i < ka.size(); ++i) {
    const auto j = std::find(kb.begin(), kb.end(), ka[i]);
    rows.emplace_back(static_cast<int>(i), j == kb.end() ? -1 : static_cast<int>(j - kb.begin()));
  }
  for (std::size_t j = 0; j < kb.size(); ++j)
    if (std::find(ka.begin(), ka.end(), kb[j]) == ka.end()) rows.emplace_back(-1, static_cast<int>(j));
  for (const auto& [i, j] : rows) {
    c.layers.push_back(i >= 0 ? ka[static_cast<std::size_t>(i)] : kb[static_cast<std::size_t>(j)]);
    c.only_in.push_back(i < 0 ? "B" : j < 0 ? "A" : "");
  }
  for (const MetricDef& d : metric_defs()) {
    ComparedMetric m{d.name, d.integer, {}, {d.of_run(a), d.of_run(b)}};
    for (const auto& [i, j] : rows)
      m.layers.push_back({i >= 0 ? d.of_layer(a.layers[static_cast<std::size_t>(i)]) : std::nullopt,
                          j >= 0 ? d.of_layer(b.layers[static_cast<std::size_t>(j)]) : std::nullopt});
    c.metrics.push_back(std::move(m));
  }
  return c;
}

std::string comparison_text(const RunComparison& c) {
  std::string s = fmt::format("A: {} (arch {})\nB: {} (arch {})\n", c.a_label, c.a_arch, c.b_label, c.b_arch);
  std::size_t width = 14;
  for (const std::string& n : c.layers) width = std::max(width, n.size() + 4);
  for (const ComparedMetric& m : c.metrics) {
    s += fmt::format("\n{}\n{:<{}} {:>16} {:>16} {:>16} {:>9}\n", m.name, "layer", width, "A", "B", "B-A", "B/A");
    auto row = [&](const std::string& name, const ComparedValue& v) {
      const auto r = v.ratio();
      s += fmt::format("{:<{}} {:>16} {:>16} {:>16} {:>9}\n", name, width, value_text(v.a, m.integer),
                       value_text(v.b, m.integer), value_text(v.delta(), m.integer, true),
                       r ? fmt::format("{:.3f}", *r) : "-");
    };
    for (std::size_t i = 0; i < c.layers.size(); ++i)
      row(c.layers[i] + (c.only_in[i].empty() ? "" : " (" + c.only_in[i] + ")"), m.layers[i]);
    row("total", m.total);
  }
  std::size_t only_a = 0, only_b = 0;
  for (const std::string& o : c.only_in) only_a += o == "A", only_b += o == "B";
  if (only_a || only_b)
    s += fmt::format("\nlayers only in A: {}, only in B: {} (marked (A), (B); their totals differ in coverage)\n",
                     only_a, only_b);
  return s;
}

std::optional<Plot> comparison_plot(const RunComparison& c) {
  // data: one row per layer present in both: index, name, one ratio per metric (NaN if none).
  std::string data;
  std::size_t n = 0;
  bool any = false;
  for (std::size_t i = 0; i < c.layers.size(); ++i) {
    if (!c.only_in[i].empty()) continue;
    std::string name = c.layers[i];
    std::replace(name.begin(), name.end(), '"', '\'');
    data += fmt::format("{} \"{}\"", n++, name);
    for (const ComparedMetric& m : c.metrics) {
      const auto r = m.layers[i].ratio();
      any = any || (r && *r > 0);
      data += r && *r > 0 ? fmt::format(" {:.9g}", *r) : std::string(" NaN");
    }
    data += "\n";
  }
  if (!any) return std::nullopt;
  Plot p;
  p.name = "compare";
  p.data_files.push_back({"ratios.dat", data});
  p.width_px = static_cast<int>(std::max<std::size_t>(900, 160 + 18 * n));
  std::string s = "set title " + gnuplot_quote("per-layer ratio B / A   (A: " + c.a_label + ", B: " + c.b_label + ")") +
                  " noenhanced\n";
  s += "set logscale y 2\nset ylabel 'B / A (log scale)'\nset grid ytics lc rgb '#dddddd'\n";
  s += fmt::format("set xrange [-0.5:{}]\n", static_cast<double>(n) - 0.5);
  s += n > 12 ? "set xtics rotate by -90 scale 0 font ',8' noenhanced\n"
              : "set xtics rotate by -30 scale 0 noenhanced\n";
  s += "set key outside right top noenhanced\n";
  static const char* const colours[] = {"#4477aa", "#ee6677", "#228833", "#ccbb44"};
  static const int markers[] = {7, 5, 9, 11};
  s += "plot 1 with lines lc rgb '#999999' dt 2 notitle";
  for (std::size_t k = 0; k < c.metrics.size(); ++k)
    s += fmt::format(", \\\n     'ratios.dat' using 1:{}:xtic(2) with linespoints pt {} ps 0.9 lc rgb '{}' title {}",
                     k + 3, markers[k % 4], colours[k % 4], gnuplot_quote(c.metrics[k].name));
  p.script = s + "\n";
  return p;
}

}  // namespace arraysim::stats
