#include "sim/sweep/sweep_plot.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <map>
#include <optional>
#include <set>

#include "sim/sweep/sweep.hpp"
#include "sim/sweep/sweep_expr.hpp"
#include "sim/sweep/sweep_results.hpp"
#include "sim/config/diagnostics.hpp"
#include "sim/stats/gnuplot.hpp"
#include "sim/util/read_file.hpp"

namespace arraysim::sweep {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

/// A value range spanning at least this factor gets a logarithmic axis.
constexpr double kLogSpan = 16;

/// results.csv with its sweep.json: the ok rows by column name.
struct Table {
  fs::path dir;
  json manifest;
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;  ///< ok rows only
  std::string name;

  std::optional<std::size_t> column(const std::string& c) const {
    const auto it = std::find(header.begin(), header.end(), c);
    if (it == header.end()) return std::nullopt;
    return static_cast<std::size_t>(it - header.begin());
  }
  /// The values of an axis in spec order (empty for a metric).
  std::vector<std::string> axis_order(const std::string& c) const {
    const auto axes = manifest.at("axes").get<std::vector<std::string>>();
    const auto it = std::find(axes.begin(), axes.end(), c);
    if (it == axes.end()) return {};
    return manifest.at("axis_values").at(static_cast<std::size_t>(it - axes.begin())).get<std::vector<std::string>>();
  }
  /// The columns that can be plotted: axes and metrics.
  std::vector<std::string> plottable() const {
    auto v = manifest.at("axes").get<std::vector<std::string>>();
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

std::size_t require_column(const Table& t, const std::string& c, const char* option) {
  const auto plottable = t.plottable();
  const auto idx = t.column(c);
  if (idx && std::find(plottable.begin(), plottable.end(), c) != plottable.end()) return *idx;
  std::string msg =
      fmt::format("sweep plot: {} '{}' is not an axis or a metric of the sweep in '{}'", option, c, t.dir.string());
  const std::string near = config::closest_match(c, plottable);
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

/// A file-name-safe version of a column name.
std::string slug(const std::string& s) {
  std::string o;
  for (const char c : s) o += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return o;
}

/// `set logscale` for a positive range spanning at least kLogSpan.
std::string log_setting(const char* axis, const std::vector<double>& v, int base) {
  if (v.empty()) return "";
  const auto [lo, hi] = std::minmax_element(v.begin(), v.end());
  if (*lo <= 0 || *hi / *lo < kLogSpan) return "";
  return fmt::format("set logscale {} {}\n", axis, base);
}

/// The points of a series: x and y numbers, with the x tic labels of a categorical axis.
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

std::vector<std::string> plot_one(const Table& t, const SweepPlotRequest& r, bool strict) {
  const std::size_t xi = require_column(t, r.x, "--x"), yi = require_column(t, r.y, "--y");
  const bool by = !r.by.empty();
  const std::size_t bi = by ? require_column(t, r.by, "--by") : 0;

  // x: numbers, or categories placed at 0, 1, 2, ... in spec order.
  bool numeric_x = true;
  for (const auto& row : t.rows) numeric_x = numeric_x && number(row[xi]).has_value();
  std::vector<std::string> categories = t.axis_order(r.x);
  if (!numeric_x)
    for (const auto& row : t.rows)
      if (std::find(categories.begin(), categories.end(), row[xi]) == categories.end()) categories.push_back(row[xi]);

  std::vector<std::string> groups = by ? t.axis_order(r.by) : std::vector<std::string>{""};
  if (by)
    for (const auto& row : t.rows)
      if (std::find(groups.begin(), groups.end(), row[bi]) == groups.end()) groups.push_back(row[bi]);

  std::vector<Series> series;
  std::vector<double> xs, ys;
  for (const std::string& g : groups) {
    Series s;
    s.title = by ? r.by + "=" + g : r.y;
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
    throw SweepInputError("sweep plot: no ok point of '" + t.dir.string() + "' has a number in column '" + r.y + "'");
  }
  // Lines only where each x appears once in a series (else other axes vary underneath: points).
  bool unique_x = true;
  for (const Series& s : series)
    for (std::size_t i = 1; i < s.xy.size(); ++i) unique_x = unique_x && s.xy[i].first != s.xy[i - 1].first;

  std::string script = "set grid\nset key outside right top noenhanced\n";
  script += "set title " + stats::gnuplot_quote(t.name + ": " + r.y + " vs " + r.x + (by ? " by " + r.by : "")) +
            " noenhanced\n";
  script += "set xlabel " + stats::gnuplot_quote(r.x) + " noenhanced\n";
  script += "set ylabel " + stats::gnuplot_quote(r.y) + " noenhanced\n";
  if (numeric_x) {
    script += log_setting("x", xs, 2);
  } else {
    std::string tics;
    for (std::size_t i = 0; i < categories.size(); ++i)
      tics += fmt::format("{}{} {}", i ? ", " : "", stats::gnuplot_quote(categories[i]), i);
    script += "set xtics (" + tics + ")\n";
    script += fmt::format("set xrange [-0.5:{}]\n", static_cast<double>(categories.size()) - 0.5);
  }
  script += log_setting("y", ys, 10);
  std::string data, plot = "plot ";
  for (std::size_t i = 0; i < series.size(); ++i) {
    for (const auto& [x, y] : series[i].xy) data += fmt::format("{} {}\n", x, y);
    data += "\n\n";
    plot += fmt::format("{}\"data.dat\" index {} using 1:2 with {} pt 7 ps 0.8 title {} noenhanced", i ? ", " : "", i,
                        unique_x ? "linespoints" : "points", stats::gnuplot_quote(series[i].title));
  }
  const std::string name = slug(r.y) + "_vs_" + slug(r.x) + (by ? "_by_" + slug(r.by) : "");
  return render(t, name, script + plot + "\n", data);
}

}  // namespace

std::vector<std::string> plot_pareto(const std::string& dir) {
  const Table t = read_table(dir);
  const json& objs = t.manifest.at("objectives");
  if (objs.size() < 2) return {};
  const auto front_col = t.column("pareto");
  std::vector<std::string> cols;
  std::vector<std::string> goals;
  for (const json& o : objs) {
    cols.push_back(o.at("column"));
    goals.push_back(o.at("goal"));
  }
  std::vector<std::string> written;
  for (std::size_t a = 0; a < cols.size(); ++a) {
    for (std::size_t b = a + 1; b < cols.size(); ++b) {
      const auto ai = t.column(cols[a]), bi = t.column(cols[b]);
      if (!ai || !bi || !front_col) continue;
      std::string all, front;
      std::vector<double> xs, ys;
      std::vector<std::pair<double, double>> fpts;
      for (const auto& row : t.rows) {
        const auto x = number(row[*ai]), y = number(row[*bi]);
        if (!x || !y) continue;
        xs.push_back(*x);
        ys.push_back(*y);
        all += fmt::format("{} {}\n", *x, *y);
        if (row[*front_col] == "1") fpts.emplace_back(*x, *y);
      }
      if (xs.empty()) continue;
      std::sort(fpts.begin(), fpts.end());
      for (const auto& [x, y] : fpts) front += fmt::format("{} {}\n", x, y);
      const bool two = cols.size() == 2;
      std::string script = "set grid\nset key outside right top noenhanced\n";
      script += "set title " +
                stats::gnuplot_quote(t.name + ": Pareto front" +
                                     (two ? "" : " (over " + std::to_string(cols.size()) + " objectives)")) +
                " noenhanced\n";
      script += "set xlabel " + stats::gnuplot_quote(cols[a] + " (" + goals[a] + ")") + " noenhanced\n";
      script += "set ylabel " + stats::gnuplot_quote(cols[b] + " (" + goals[b] + ")") + " noenhanced\n";
      script += log_setting("x", xs, 2) + log_setting("y", ys, 10);
      script += "plot \"data.dat\" index 0 using 1:2 with points pt 7 ps 0.6 lc rgb '#a0a0a0' title 'points'";
      if (!front.empty())
        script += ", \"data.dat\" index 1 using 1:2 with " + std::string(two ? "linespoints" : "points") +
                  " pt 7 ps 1.0 lc rgb '#d62728' title 'Pareto front'";
      const std::string name = two ? "pareto" : "pareto_" + slug(cols[a]) + "_vs_" + slug(cols[b]);
      const auto files = render(t, name, script + "\n", all + "\n\n" + front);
      written.insert(written.end(), files.begin(), files.end());
    }
  }
  return written;
}

std::vector<std::string> plot_sweep(const std::string& dir, const std::vector<SweepPlotRequest>& requests) {
  const Table t = read_table(dir);
  std::vector<std::string> written;
  if (!requests.empty()) {
    for (const auto& r : requests) {
      const auto f = plot_one(t, r, true);
      written.insert(written.end(), f.begin(), f.end());
    }
    return written;
  }
  written = plot_pareto(dir);
  for (const auto& m : t.manifest.at("metrics"))
    for (const auto& a : t.manifest.at("axes")) {
      const auto f = plot_one(t, {a.get<std::string>(), m.get<std::string>(), ""}, false);
      written.insert(written.end(), f.begin(), f.end());
    }
  return written;
}

}  // namespace arraysim::sweep
