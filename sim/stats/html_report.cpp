#include "sim/stats/html_report.hpp"

#include <fmt/format.h>

#include <optional>

namespace arraysim::stats {

namespace {

/// A numeric cell: shown as `shown`, sorted by `value` (the exact number).
struct Cell {
  std::string shown;
  std::optional<double> value;
};

Cell text(const std::string& s) { return {s, std::nullopt}; }
Cell integer(const std::optional<std::int64_t>& v) {
  if (!v) return {"-", std::nullopt};
  return {std::to_string(*v), static_cast<double>(*v)};
}
Cell fixed(const std::optional<double>& v, int digits) {
  if (!v) return {"-", std::nullopt};
  return {fmt::format("{:.{}f}", *v, digits), *v};
}
/// `part` as a percentage of `whole`.
Cell percent(double part, double whole) {
  if (whole <= 0) return {"-", std::nullopt};
  const double p = 100 * part / whole;
  return {fmt::format("{:.1f}%", p), p};
}
Cell check(const std::optional<bool>& b) { return text(b ? (*b ? "ok" : "FAIL") : "-"); }

std::string row_html(const std::vector<Cell>& cells) {
  std::string s = "<tr>";
  for (std::size_t i = 0; i < cells.size(); ++i) {
    const Cell& c = cells[i];
    s += c.value ? fmt::format("<td data-v=\"{}\">", *c.value) : std::string(i == 0 ? "<th scope=\"row\">" : "<td>");
    s += html_escape(c.shown);
    s += !c.value && i == 0 ? "</th>" : "</td>";
  }
  return s + "</tr>\n";
}

/// A sortable table: one row per layer, the total in the footer.
std::string table_html(const std::string& id, const std::string& caption, const std::vector<std::string>& head,
                       const std::vector<std::vector<Cell>>& rows, const std::vector<Cell>& total) {
  std::string s = "<table class=\"sortable\" id=\"" + id + "\">\n<caption>" + html_escape(caption) + "</caption>\n";
  s += "<thead><tr>";
  for (const std::string& h : head) s += "<th scope=\"col\">" + html_escape(h) + "</th>";
  s += "</tr></thead>\n<tbody>\n";
  for (const auto& r : rows) s += row_html(r);
  s += "</tbody>\n<tfoot>\n" + row_html(total) + "</tfoot>\n</table>\n";
  return s;
}

std::string layers_table(const RunResult& r) {
  std::vector<std::vector<Cell>> rows;
  auto cells = [](const std::string& name, const std::string& type, std::int64_t macs,
                  const std::optional<std::int64_t>& cycles, const std::optional<double>& util,
                  const std::optional<bool>& golden, const std::optional<bool>& analytic) {
    return std::vector<Cell>{
        text(name),    text(type),     integer(macs), integer(cycles), util ? percent(*util, 1) : text("-"),
        check(golden), check(analytic)};
  };
  for (const LayerResult& l : r.layers)
    rows.push_back(cells(l.name, l.type, l.macs, l.total_cycles, l.pe_utilization, l.golden_match, l.analytic_match));
  return table_html(
      "layers", "cycles, PE utilization and checks per layer",
      {"layer", "type", "MACs", "cycles", "PE utilization", "golden", "analytic"}, rows,
      cells("total", "", r.macs(), r.total_cycles(), r.pe_utilization(), r.golden_match(), r.analytic_match()));
}

std::string stalls_table(const RunResult& r) {
  std::vector<std::string> head{"layer", "cycles", "stall"};
  for (const StallCause& c : kStallCauses) head.push_back(c.name);
  head.insert(head.end(), {"DRAM bytes read", "DRAM bytes written", "MACs per DRAM byte"});
  auto cells = [](const std::string& name, const std::optional<std::int64_t>& cycles, const MemoryResult& m,
                  std::int64_t macs) {
    const double c = cycles ? static_cast<double>(*cycles) : 0;
    std::vector<Cell> v{text(name), integer(cycles), percent(static_cast<double>(m.stall_cycles.total()), c)};
    for (const StallCause& k : kStallCauses) v.push_back(percent(static_cast<double>(m.stall_cycles.*k.cycles), c));
    const std::int64_t dram = m.dram_bytes();
    v.push_back(integer(m.dram_read_bytes.total()));
    v.push_back(integer(m.dram_write_bytes.total()));
    v.push_back(fixed(
        dram > 0 ? std::optional<double>(static_cast<double>(macs) / static_cast<double>(dram)) : std::nullopt, 2));
    return v;
  };
  std::vector<std::vector<Cell>> rows;
  for (const LayerResult& l : r.layers) rows.push_back(cells(l.name, l.total_cycles, l.memory, l.macs));
  return table_html("stalls", "stall cycles by cause (share of the layer's cycles) and DRAM traffic", head, rows,
                    cells("total", r.total_cycles(), r.memory(), r.macs()));
}

std::string energy_table(const RunResult& r) {
  if (!r.energy_rates) return "";
  auto cells = [](const std::string& name, const std::optional<EnergyPj>& e, std::int64_t macs) {
    if (!e) {
      std::vector<Cell> none(9, Cell{"-", std::nullopt});
      none[0] = text(name);
      return none;
    }
    const double t = e->total_pj();
    return std::vector<Cell>{text(name),
                             fixed(t / 1000, 3),
                             fixed(macs > 0 ? std::optional<double>(t / static_cast<double>(macs)) : std::nullopt, 3),
                             percent(e->mac_pj, t),
                             percent(e->sram_ifmap_pj, t),
                             percent(e->sram_weight_pj, t),
                             percent(e->sram_output_pj, t),
                             percent(e->dram_pj, t),
                             percent(e->static_pj, t)};
  };
  std::vector<std::vector<Cell>> rows;
  for (const LayerResult& l : r.layers) rows.push_back(cells(l.name, l.energy, l.macs));
  const std::vector<Cell> total = cells("total", r.energy(), r.macs());
  return table_html(
      "energy", "energy by component (share of the layer's energy), table " + r.energy_rates->source,
      {"layer", "energy (nJ)", "pJ per MAC", "MAC", "SRAM ifmap", "SRAM weight", "SRAM output", "DRAM", "static"}, rows,
      total);
}

/// The SVG element of a gnuplot SVG document (the XML prologue and doctype dropped).
std::string svg_element(const std::string& doc) {
  const std::size_t at = doc.find("<svg");
  return at == std::string::npos ? std::string() : doc.substr(at);
}

/// Sorts a table's body rows by the clicked column: numbers by data-v, other cells as text;
/// a second click reverses. The footer (the total) stays where it is.
constexpr const char* kScript = R"(
document.querySelectorAll('table.sortable').forEach(function (table) {
  table.querySelectorAll('thead th').forEach(function (th, col) {
    th.tabIndex = 0;
    th.addEventListener('click', function () {
      var body = table.tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      var up = th.getAttribute('aria-sort') !== 'ascending';
      rows.sort(function (a, b) {
        var x = a.cells[col], y = b.cells[col];
        var vx = x.getAttribute('data-v'), vy = y.getAttribute('data-v');
        var d = (vx !== null && vy !== null) ? parseFloat(vx) - parseFloat(vy)
                                             : x.textContent.localeCompare(y.textContent);
        return up ? d : -d;
      });
      rows.forEach(function (r) { body.appendChild(r); });
      table.querySelectorAll('thead th').forEach(function (h) { h.removeAttribute('aria-sort'); });
      th.setAttribute('aria-sort', up ? 'ascending' : 'descending');
    });
  });
  table.setAttribute('data-sortable', 'ready');
});
)";

constexpr const char* kStyle = R"(
body { font-family: sans-serif; margin: 2em; color: #222; max-width: 1200px; }
table { border-collapse: collapse; margin: 1em 0 2em; font-size: 0.9em; }
caption { text-align: left; font-weight: bold; padding: 0.3em 0; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; }
td { text-align: right; font-variant-numeric: tabular-nums; }
thead th { background: #eef; cursor: pointer; user-select: none; }
thead th[aria-sort=ascending]::after { content: ' \25B2'; }
thead th[aria-sort=descending]::after { content: ' \25BC'; }
tbody th, tfoot th { text-align: left; font-weight: normal; }
tfoot { font-weight: bold; background: #f6f6f6; }
figure { margin: 1em 0 2em; }
figure svg { width: 100%; max-width: 900px; height: auto; border: 1px solid #eee; }
pre { background: #f6f6f6; padding: 1em; overflow-x: auto; }
dl { display: grid; grid-template-columns: max-content auto; gap: 0.2em 1em; }
dt { font-weight: bold; }
)";

}  // namespace

std::string html_escape(const std::string& s) {
  std::string o;
  o.reserve(s.size());
  for (const char c : s) {
    switch (c) {
      case '&': o += "&amp;"; break;
      case '<': o += "&lt;"; break;
      case '>': o += "&gt;"; break;
      case '"': o += "&quot;"; break;
      case '\'': o += "&#39;"; break;
      default: o += c;
    }
  }
  return o;
}

std::string html_report(const RunResult& r, const HtmlInputs& in) {
  const std::string title = "arraysim: " + r.experiment + " on " + r.arch_name;
  std::string s = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  s += "<title>" + html_escape(title) + "</title>\n<style>" + kStyle + "</style>\n</head>\n<body>\n";
  s += "<h1>" + html_escape(title) + "</h1>\n<dl id=\"run\">\n";
  auto item = [&s](const std::string& k, const std::string& v) {
    s += "<dt>" + html_escape(k) + "</dt><dd>" + html_escape(v) + "</dd>\n";
  };
  item("experiment", r.experiment);
  item("architecture", r.arch_name);
  item("fidelity", r.fidelity + (r.fidelity_setting == "auto" ? " (auto)" : ""));
  if (!r.layer_selection.empty())
    item("layers", fmt::format("{} ({} of {})", r.layer_selection, r.layers.size(), r.workload_layers));
  item("PEs", std::to_string(r.pe_count));
  item("clock", fmt::format("{} MHz", r.clock_mhz));
  item("MACs", std::to_string(r.macs()));
  if (const auto c = r.total_cycles()) item("cycles", std::to_string(*c));
  if (const auto u = r.pe_utilization()) item("PE utilization", fmt::format("{:.1f}%", 100 * *u));
  if (const auto e = r.energy()) item("energy", fmt::format("{:.3f} nJ", e->total_pj() / 1000));
  s += "</dl>\n<h2 id=\"tables\">Layers</h2>\n";
  s += layers_table(r) + stalls_table(r) + energy_table(r);
  s += "<h2 id=\"plots\">Plots</h2>\n";
  if (in.plots.empty()) s += "<p>" + html_escape(in.plots_note.empty() ? "no plots" : in.plots_note) + "</p>\n";
  for (const auto& [name, doc] : in.plots)
    s += "<figure class=\"plot\" id=\"plot-" + html_escape(name) + "\">\n" + svg_element(doc) + "\n<figcaption>" +
         html_escape(name) + "</figcaption>\n</figure>\n";
  if (!in.effective_config.empty())
    s += "<h2 id=\"config\">Effective configuration</h2>\n<pre id=\"effective-config\">" +
         html_escape(in.effective_config) + "</pre>\n";
  s += "<script>" + std::string(kScript) + "</script>\n</body>\n</html>\n";
  return s;
}

}  // namespace arraysim::stats
