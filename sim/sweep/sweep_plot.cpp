#include "sim/sweep/sweep_plot.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <iterator>
#include <map>
#include <optional>
#include <set>

#include "sim/config/diagnostics.hpp"
#include "sim/stats/gnuplot.hpp"
#include "sim/stats/plot_ticks.hpp"
#include "sim/sweep/sweep.hpp"
#include "sim/sweep/sweep_expr.hpp"
#include "sim/sweep/sweep_results.hpp"
#include "sim/util/read_file.hpp"

namespace arraysim::sweep {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

/// A value range spanning at least this factor gets a logarithmic axis.
constexpr double kLogSpan = 16;
/// At most this many Pareto points are labelled (the first ones along the front).
constexpr std::size_t kMaxFrontLabels = 20;
/// Series colours and markers (gnuplot point types), used in turn.
constexpr const char* kColours[] = {"#4477aa", "#ee6677", "#228833", "#ccbb44",
                                    "#66ccee", "#aa3377", "#bbbbbb", "#000000"};
constexpr int kMarkers[] = {7, 5, 9, 11, 13, 15, 4, 6, 8, 10, 12, 14};

/// results.csv with its sweep.json: the ok rows by column name.
struct Table {
  fs::path dir;
  json manifest;
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;  ///< ok rows only (after `where`)
  std::string name;
  std::string where_text;  ///< the filters as `a=1, b=2`; empty: none

  std::optional<std::size_t> column(const std::string& c) const {
    const auto it = std::find(header.begin(), header.end(), c);
    if (it == header.end()) return std::nullopt;
    return static_cast<std::size_t>(it - header.begin());
  }
  std::vector<std::string> axes() const { return manifest.at("axes").get<std::vector<std::string>>(); }
  /// The key path of each axis (sweep.json of older versions has none: empty).
  std::vector<std::string> axis_keys() const {
    return manifest.contains("axis_keys") ? manifest.at("axis_keys").get<std::vector<std::string>>()
                                          : std::vector<std::string>{};
  }
  bool is_axis(const std::string& c) const {
    const auto a = axes();
    return std::find(a.begin(), a.end(), c) != a.end();
  }
  /// The values of an axis in spec order (empty for a metric).
  std::vector<std::string> axis_order(const std::string& c) const {
    const auto a = axes();
    const auto it = std::find(a.begin(), a.end(), c);
    if (it == a.end()) return {};
    return manifest.at("axis_values").at(static_cast<std::size_t>(it - a.begin())).get<std::vector<std::string>>();
  }
  /// The columns that can be plotted: axes and metrics.
  std::vector<std::string> plottable() const {
    auto v = axes();
    for (const auto& m : manifest.at("metrics")) v.push_back(m.get<std::string>());
    return v;
  }
};

Table read_table(const std::string& dir) {
  Table t;
  t.dir = dir;
  std::string manifest, results;
  try {
    manifest = util::read_file((t.dir / "sweep.json").string());
  } catch (const util::FileReadError&) {
    throw SweepInputError("'" + dir + "' is not a sweep output directory (no sweep.json)");
  }
  try {
    results = util::read_file((t.dir / "results.csv").string());
  } catch (const util::FileReadError&) {
    throw SweepInputError("'" + dir + "' has no results.csv");
  }
  try {
    t.manifest = json::parse(manifest);
    t.name = t.manifest.at("name").get<std::string>();
  } catch (const json::exception& e) {
    throw SweepInputError("'" + (t.dir / "sweep.json").string() + "' is damaged: " + e.what());
  }
  auto rows = parse_csv(results);
  if (rows.empty()) throw SweepInputError("'" + (t.dir / "results.csv").string() + "' is empty");
  t.header = rows.front();
  const auto status = t.column("status");
  if (!status) throw SweepInputError("'" + (t.dir / "results.csv").string() + "' has no status column");
  for (std::size_t i = 1; i < rows.size(); ++i)
    if (rows[i].size() == t.header.size() && rows[i][*status] == "ok") t.rows.push_back(std::move(rows[i]));
  return t;
}

/// The results.csv column `c` names: an axis by its name or its key path, or a metric.
std::size_t require_column(const Table& t, const std::string& c, const char* option) {
  const auto plottable = t.plottable();
  const auto idx = t.column(c);
  if (idx && std::find(plottable.begin(), plottable.end(), c) != plottable.end()) return *idx;
  const auto keys = t.axis_keys(), names = t.axes();
  for (std::size_t i = 0; i < keys.size() && i < names.size(); ++i)
    if (keys[i] == c) return *t.column(names[i]);
  std::string msg =
      fmt::format("sweep plot: {} '{}' is not an axis or a metric of the sweep in '{}'", option, c, t.dir.string());
  std::vector<std::string> candidates = plottable;
  candidates.insert(candidates.end(), keys.begin(), keys.end());
  const std::string near = config::closest_match(c, candidates);
  if (!near.empty()) msg += " (did you mean '" + near + "'?)";
  std::string list;
  for (const auto& p : plottable) list += (list.empty() ? "" : ", ") + p;
  throw SweepInputError(msg + "; columns: " + list);
}

std::optional<double> number(const std::string& s) {
  const ExprValue v = ExprValue::from_text(s);
  if (v.type == ExprValue::Type::number) return v.number;
  return std::nullopt;
}

/// Keeps the rows that satisfy every `COLUMN=VALUE` of `where`.
void apply_where(Table& t, const SweepWhere& where) {
  for (const std::string& w : where) {
    const auto eq = w.find('=');
    if (eq == std::string::npos || eq == 0)
      throw SweepInputError("sweep plot: --where expects COLUMN=VALUE, got '" + config::printable(w, 60) + "'");
    const std::size_t col = require_column(t, w.substr(0, eq), "--where");
    const std::string value = w.substr(eq + 1);
    const auto want = number(value);
    std::vector<std::vector<std::string>> kept;
    for (auto& row : t.rows) {
      const auto have = number(row[col]);
      if (want && have ? *want == *have : row[col] == value) kept.push_back(std::move(row));
    }
    t.rows = std::move(kept);
    t.where_text += (t.where_text.empty() ? "" : ", ") + t.header[col] + "=" + value;
  }
}

/// A file-name-safe version of a column name.
std::string slug(const std::string& s) {
  std::string o;
  for (const char c : s) o += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return o;
}

/// The plot's file name: `base`, plus the filters when there are any.
std::string file_name(const Table& t, const std::string& base) {
  return t.where_text.empty() ? base : base + "_where_" + slug(t.where_text);
}

/// The title: `text`, plus the filters when there are any.
std::string title(const Table& t, const std::string& text) {
  return "set title " +
         stats::gnuplot_quote(t.name + ": " + text + (t.where_text.empty() ? "" : " (" + t.where_text + ")")) +
         " noenhanced\n";
}

/// An axis of numbers: logarithmic (base `log_base`) when positive and spanning kLogSpan, with
/// engineering tick labels.
std::string numeric_axis(const char* axis, const std::vector<double>& v, int log_base) {
  if (v.empty()) return "";
  const auto [lo, hi] = std::minmax_element(v.begin(), v.end());
  const bool log = *lo > 0 && *hi / *lo >= kLogSpan;
  return stats::eng_axis(axis, *lo, *hi, log, log_base);
}

/// The points of a series.
struct Series {
  std::string title;
  std::vector<std::pair<double, double>> xy;
};

std::vector<std::string> render(const Table& t, const std::string& name, const std::string& script,
                                const std::string& data) {
  stats::Plot p;
  p.name = name;
  p.script = script;
  p.data_files = {{"data.dat", data}};
  const fs::path out = t.dir / "plots";
  stats::render_plot(out.string(), p);
  return {(out / (name + ".svg")).string(), (out / (name + ".png")).string()};
}

/// The values of column `c` in first-seen order, after those of `order` (an axis in spec order).
std::vector<std::string> distinct(const Table& t, std::size_t c, std::vector<std::string> order) {
  for (const auto& row : t.rows)
    if (std::find(order.begin(), order.end(), row[c]) == order.end()) order.push_back(row[c]);
  return order;
}

/// Categorical tics at 0, 1, 2, ...: `set AXIStics ("a" 0, "b" 1)` and the range around them.
std::string category_axis(const char* axis, const std::vector<std::string>& categories) {
  std::string tics;
  for (std::size_t i = 0; i < categories.size(); ++i)
    tics += fmt::format("{}{} {}", i ? ", " : "", stats::gnuplot_quote(categories[i]), i);
  return fmt::format("set {}tics ({})\nset {}range [-0.5:{}]\n", axis, tics, axis,
                     static_cast<double>(categories.size()) - 0.5);
}

std::vector<std::string> plot_one(const Table& t, const SweepPlotRequest& r, bool strict) {
  const std::size_t xi = require_column(t, r.x, "--x"), yi = require_column(t, r.y, "--y");
  const bool by = !r.by.empty();
  const std::size_t bi = by ? require_column(t, r.by, "--by") : 0;
  const std::string xn = t.header[xi], yn = t.header[yi], bn = by ? t.header[bi] : "";

  // x: numbers, or categories placed at 0, 1, 2, ... in spec order.
  bool numeric_x = true;
  for (const auto& row : t.rows) numeric_x = numeric_x && number(row[xi]).has_value();
  const std::vector<std::string> categories =
      numeric_x ? std::vector<std::string>{} : distinct(t, xi, t.axis_order(xn));
  const std::vector<std::string> groups = by ? distinct(t, bi, t.axis_order(bn)) : std::vector<std::string>{""};

  std::vector<Series> series;
  std::vector<double> xs, ys;
  for (const std::string& g : groups) {
    Series s;
    s.title = by ? bn + "=" + g : yn;
    for (const auto& row : t.rows) {
      if (by && row[bi] != g) continue;
      const auto y = number(row[yi]);
      if (!y) continue;
      const double x =
          numeric_x
              ? *number(row[xi])
              : static_cast<double>(std::find(categories.begin(), categories.end(), row[xi]) - categories.begin());
      s.xy.emplace_back(x, *y);
      xs.push_back(x);
      ys.push_back(*y);
    }
    std::sort(s.xy.begin(), s.xy.end());
    if (!s.xy.empty()) series.push_back(std::move(s));
  }
  if (series.empty()) {
    if (!strict) return {};
    throw SweepInputError("sweep plot: no ok point of '" + t.dir.string() + "'" +
                          (t.where_text.empty() ? "" : " with " + t.where_text) + " has a number in column '" + yn +
                          "'");
  }
  // Lines only where each x appears once in a series (else other axes vary underneath: points).
  bool unique_x = true;
  for (const Series& s : series)
    for (std::size_t i = 1; i < s.xy.size(); ++i) unique_x = unique_x && s.xy[i].first != s.xy[i - 1].first;

  std::string script = "set grid\nset key outside right top noenhanced\n";
  script += title(t, yn + " vs " + xn + (by ? " by " + bn : ""));
  script += "set xlabel " + stats::gnuplot_quote(xn) + " noenhanced\n";
  script += "set ylabel " + stats::gnuplot_quote(yn) + " noenhanced\n";
  script += numeric_x ? numeric_axis("x", xs, 2) : category_axis("x", categories);
  script += numeric_axis("y", ys, 10);
  std::string data, plot = "plot ";
  for (std::size_t i = 0; i < series.size(); ++i) {
    for (const auto& [x, y] : series[i].xy) data += fmt::format("{:.17g} {:.17g}\n", x, y);
    data += "\n\n";
    plot += fmt::format("{}\"data.dat\" index {} using 1:2 with {} pt {} ps 0.9 lc rgb '{}' title {} noenhanced",
                        i ? ", " : "", i, unique_x ? "linespoints" : "points", kMarkers[i % std::size(kMarkers)],
                        kColours[i % std::size(kColours)], stats::gnuplot_quote(series[i].title));
  }
  const std::string name = file_name(t, slug(yn) + "_vs_" + slug(xn) + (by ? "_by_" + slug(bn) : ""));
  return render(t, name, script + plot + "\n", data);
}

/// A heatmap of metric `r.z` over the axes `r.x` and `r.y`: one cell per pair of axis values.
std::vector<std::string> plot_heatmap(const Table& t, const SweepPlotRequest& r) {
  const std::size_t xi = require_column(t, r.x, "--x"), yi = require_column(t, r.y, "--y"),
                    zi = require_column(t, r.z, "--heatmap");
  const std::string xn = t.header[xi], yn = t.header[yi], zn = t.header[zi];
  for (const auto& [c, opt] : {std::pair{xn, "--x"}, std::pair{yn, "--y"}})
    if (!t.is_axis(c))
      throw SweepInputError(
          fmt::format("sweep plot: a heatmap needs axes for --x and --y; {} '{}' is a metric", opt, c));
  const std::vector<std::string> xc = distinct(t, xi, t.axis_order(xn)), yc = distinct(t, yi, t.axis_order(yn));
  std::map<std::pair<std::size_t, std::size_t>, double> cells;
  std::vector<double> zs;
  for (const auto& row : t.rows) {
    const auto z = number(row[zi]);
    if (!z) continue;
    const auto i = static_cast<std::size_t>(std::find(xc.begin(), xc.end(), row[xi]) - xc.begin());
    const auto j = static_cast<std::size_t>(std::find(yc.begin(), yc.end(), row[yi]) - yc.begin());
    if (cells.count({i, j})) {
      std::string others;
      for (const std::string& a : t.axes())
        if (a != xn && a != yn) others += (others.empty() ? "" : ", ") + a;
      throw SweepInputError(fmt::format(
          "sweep plot: several points fall into the heatmap cell {}={}, {}={}; pin the other axes ({}) with --where "
          "AXIS=VALUE",
          xn, row[xi], yn, row[yi], others));
    }
    cells[{i, j}] = *z;
    zs.push_back(*z);
  }
  if (zs.empty())
    throw SweepInputError("sweep plot: no ok point of '" + t.dir.string() + "'" +
                          (t.where_text.empty() ? "" : " with " + t.where_text) + " has a number in column '" + zn +
                          "'");
  // A full grid for `with image` (NaN where no point is), then the labels.
  std::string data;
  for (std::size_t j = 0; j < yc.size(); ++j) {
    for (std::size_t i = 0; i < xc.size(); ++i) {
      const auto it = cells.find({i, j});
      data += it == cells.end() ? fmt::format("{} {} NaN\n", i, j) : fmt::format("{} {} {:.17g}\n", i, j, it->second);
    }
    data += "\n";
  }
  data += "\n";
  for (const auto& [ij, z] : cells) data += fmt::format("{} {} \"{}\"\n", ij.first, ij.second, stats::eng_number(z));
  const auto [lo, hi] = std::minmax_element(zs.begin(), zs.end());
  std::string script = title(t, zn + " over " + xn + " and " + yn);
  script += "set xlabel " + stats::gnuplot_quote(xn) + " noenhanced\n";
  script += "set ylabel " + stats::gnuplot_quote(yn) + " noenhanced\n";
  script += "set cblabel " + stats::gnuplot_quote(zn) + " noenhanced\n";
  script += category_axis("x", xc) + category_axis("y", yc);
  script += stats::eng_axis("cb", *lo, *hi, *lo > 0 && *hi / *lo >= kLogSpan, 10);
  script += "set palette defined (0 '#440154', 1 '#3b528b', 2 '#21908d', 3 '#5dc963', 4 '#fde725')\n";
  script += "unset key\nset tics scale 0\nset style textbox opaque fc rgb '#ffffff' noborder\n";
  script +=
      "plot \"data.dat\" index 0 using 1:2:3 with image, \"data.dat\" index 1 using 1:2:3 with labels boxed font "
      "',9'\n";
  const std::string name = file_name(t, "heatmap_" + slug(zn) + "_over_" + slug(xn) + "_and_" + slug(yn));
  return render(t, name, script, data);
}

/// "rows=16 dataflow=ws": a point's axis values (the last segment of each axis name).
std::string point_label(const Table& t, const std::vector<std::string>& row) {
  std::string s;
  for (const std::string& a : t.axes()) {
    const auto dot = a.rfind('.');
    s += (s.empty() ? "" : " ") + (dot == std::string::npos ? a : a.substr(dot + 1)) + "=" + row[*t.column(a)];
  }
  return s;
}

std::vector<std::string> pareto_plots(const Table& t, const std::string& by) {
  const json& objs = t.manifest.at("objectives");
  if (objs.size() < 2) return {};
  const auto front_col = t.column("pareto");
  const bool has_by = !by.empty();
  const std::size_t bi = has_by ? require_column(t, by, "--by") : 0;
  const std::vector<std::string> groups =
      has_by ? distinct(t, bi, t.axis_order(t.header[bi])) : std::vector<std::string>{""};
  std::vector<std::string> cols, goals;
  for (const json& o : objs) {
    cols.push_back(o.at("column"));
    goals.push_back(o.at("goal"));
  }
  std::vector<std::string> written;
  for (std::size_t a = 0; a < cols.size(); ++a) {
    for (std::size_t b = a + 1; b < cols.size(); ++b) {
      const auto ai = t.column(cols[a]), bj = t.column(cols[b]);
      if (!ai || !bj || !front_col) continue;
      std::vector<std::string> group_data(groups.size());
      std::vector<double> xs, ys;
      std::vector<std::pair<std::pair<double, double>, std::string>> front;
      for (const auto& row : t.rows) {
        const auto x = number(row[*ai]), y = number(row[*bj]);
        if (!x || !y) continue;
        xs.push_back(*x);
        ys.push_back(*y);
        const std::size_t g =
            has_by ? static_cast<std::size_t>(std::find(groups.begin(), groups.end(), row[bi]) - groups.begin()) : 0;
        group_data[g] += fmt::format("{:.17g} {:.17g}\n", *x, *y);
        if (row[*front_col] == "1") front.push_back({{*x, *y}, point_label(t, row)});
      }
      if (xs.empty()) continue;
      std::sort(front.begin(), front.end());
      // Data blocks: one per group, then the front, then the front's labels.
      std::string data;
      for (const std::string& d : group_data) data += d + "\n\n";
      for (const auto& [p, label] : front) data += fmt::format("{:.17g} {:.17g}\n", p.first, p.second);
      data += "\n\n";
      for (std::size_t i = 0; i < front.size() && i < kMaxFrontLabels; ++i) {
        std::string label = front[i].second;
        std::replace(label.begin(), label.end(), '"', '\'');
        data += fmt::format("{:.17g} {:.17g} \"{}\"\n", front[i].first.first, front[i].first.second, label);
      }
      const bool two = cols.size() == 2;
      std::string script = "set grid\nset key outside right top noenhanced\n";
      script +=
          title(t, "Pareto front" + (two ? std::string() : " (over " + std::to_string(cols.size()) + " objectives)"));
      script += "set xlabel " + stats::gnuplot_quote(cols[a] + " (" + goals[a] + ")") + " noenhanced\n";
      script += "set ylabel " + stats::gnuplot_quote(cols[b] + " (" + goals[b] + ")") + " noenhanced\n";
      script += numeric_axis("x", xs, 2) + numeric_axis("y", ys, 10);
      std::string plot = "plot ";
      for (std::size_t g = 0; g < groups.size(); ++g) {
        if (group_data[g].empty()) continue;
        const std::string style =
            has_by
                ? fmt::format("pt {} ps 0.8 lc rgb '{}' title {}", kMarkers[g % std::size(kMarkers)],
                              kColours[g % std::size(kColours)], stats::gnuplot_quote(t.header[bi] + "=" + groups[g]))
                : std::string("pt 7 ps 0.6 lc rgb '#a0a0a0' title 'points'");
        plot += fmt::format("{}\"data.dat\" index {} using 1:2 with points {}", plot == "plot " ? "" : ", ", g, style);
      }
      const std::size_t fi = groups.size();
      if (!front.empty()) {
        plot += fmt::format(
            ", \"data.dat\" index {} using 1:2 with {} pt 6 ps 1.6 lw 1.5 lc rgb '#d62728' title "
            "'Pareto front'",
            fi, two ? "linespoints" : "points");
        plot += fmt::format(
            ", \"data.dat\" index {} using 1:2:3 with labels offset char 1,0.6 left font ',8' "
            "tc rgb '#d62728' noenhanced notitle",
            fi + 1);
      }
      const std::string name = file_name(t, two ? "pareto" : "pareto_" + slug(cols[a]) + "_vs_" + slug(cols[b]));
      const auto files = render(t, name, script + plot + "\n", data);
      written.insert(written.end(), files.begin(), files.end());
    }
  }
  return written;
}

}  // namespace

std::vector<std::string> plot_pareto(const std::string& dir, const std::string& by, const SweepWhere& where) {
  Table t = read_table(dir);
  apply_where(t, where);
  return pareto_plots(t, by);
}

std::vector<std::string> plot_sweep(const std::string& dir, const std::vector<SweepPlotRequest>& requests,
                                    const SweepWhere& where, const std::string& pareto_by) {
  Table t = read_table(dir);
  apply_where(t, where);
  std::vector<std::string> written;
  if (!requests.empty()) {
    for (const auto& r : requests) {
      const auto f = r.z.empty() ? plot_one(t, r, true) : plot_heatmap(t, r);
      written.insert(written.end(), f.begin(), f.end());
    }
    return written;
  }
  written = pareto_plots(t, pareto_by);
  for (const auto& m : t.manifest.at("metrics"))
    for (const auto& a : t.manifest.at("axes")) {
      const auto f = plot_one(t, {a.get<std::string>(), m.get<std::string>(), "", ""}, false);
      written.insert(written.end(), f.begin(), f.end());
    }
  return written;
}

}  // namespace arraysim::sweep
