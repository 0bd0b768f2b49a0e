#include "sim/stats/plots.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>
#include <stdexcept>

#include "sim/stats/plot_ticks.hpp"
#include "sim/stats/timeline.hpp"

namespace arraysim::stats {

namespace {
/// A layer name as a gnuplot data-file string (double quotes cannot be escaped there).
std::string data_label(const std::string& name) {
  std::string s = name;
  std::replace(s.begin(), s.end(), '"', '\'');
  return "\"" + s + "\"";
}

std::string num(double v) { return fmt::format("{:.9g}", v); }

/// A message on one line: line breaks and runs of blanks become one space.
std::string one_line(const std::string& s) {
  std::string o;
  for (const char c : s) {
    const bool blank = c == '\n' || c == '\r' || c == '\t' || c == ' ';
    if (blank && (o.empty() || o.back() == ' ')) continue;
    o += blank ? ' ' : c;
  }
  while (!o.empty() && o.back() == ' ') o.pop_back();
  return o;
}
}  // namespace

std::vector<RooflinePoint> roofline_points(const RunResult& r) {
  std::vector<RooflinePoint> pts;
  for (const LayerResult& l : r.layers) {
    const auto y = l.attained_macs_per_cycle();
    if (!y || *y <= 0) continue;
    if (const auto oi = l.operational_intensity_macs_per_byte())
      pts.push_back({l.name, *oi, *y, false, *l.total_cycles});
    else if (l.compulsory_dram_bytes && *l.compulsory_dram_bytes > 0)
      pts.push_back({l.name, static_cast<double>(l.macs) / static_cast<double>(*l.compulsory_dram_bytes), *y, true,
                     *l.total_cycles});
  }
  return pts;
}

Plot roofline_plot(const RunResult& r, const PlotOptions& opt) {
  Plot p;
  p.name = "roofline";
  const std::vector<RooflinePoint> pts = roofline_points(r);
  const double peak = static_cast<double>(std::max<std::int64_t>(r.pe_count, 1));
  const std::optional<double> bw = r.dram_bytes_per_cycle;
  // Ranges that hold every point and the ridge (peak / bandwidth), with a margin.
  double xmin = 1e300, xmax = 0, ymin = peak;
  for (const RooflinePoint& q : pts) {
    xmin = std::min(xmin, q.intensity_macs_per_byte);
    xmax = std::max(xmax, q.intensity_macs_per_byte);
    ymin = std::min(ymin, q.attained_macs_per_cycle);
  }
  if (bw && *bw > 0) {
    xmin = std::min(xmin, peak / *bw);
    xmax = std::max(xmax, peak / *bw);
  }
  if (xmax <= 0) xmin = 0.1, xmax = 1000;
  // The layers with the most cycles get labels (ties: network order); the others are dots.
  std::vector<std::int64_t> cycles;
  for (const RooflinePoint& q : pts) cycles.push_back(q.cycles);
  std::vector<std::size_t> rank(pts.size());
  for (std::size_t i = 0; i < rank.size(); ++i) rank[i] = i;
  std::stable_sort(rank.begin(), rank.end(), [&](std::size_t a, std::size_t b) { return cycles[a] > cycles[b]; });
  std::vector<bool> labelled(pts.size(), false);
  for (std::size_t i = 0; i < rank.size() && static_cast<int>(i) < opt.roofline_labels; ++i) labelled[rank[i]] = true;
  std::string measured, compulsory, dots;
  for (std::size_t i = 0; i < pts.size(); ++i) {
    const RooflinePoint& q = pts[i];
    const std::string line =
        fmt::format("{} {} {}\n", num(q.intensity_macs_per_byte), num(q.attained_macs_per_cycle), data_label(q.layer));
    (!labelled[i] ? dots : q.compulsory ? compulsory : measured) += line;
  }
  const bool any_measured = !measured.empty(), any_compulsory = !compulsory.empty(), any_dots = !dots.empty();
  bool compulsory_x = false;
  for (const RooflinePoint& q : pts) compulsory_x = compulsory_x || q.compulsory;
  if (any_measured) p.data_files.push_back({"measured.dat", measured});
  if (any_compulsory) p.data_files.push_back({"compulsory.dat", compulsory});
  if (any_dots) p.data_files.push_back({"dots.dat", dots});
  // One label per distinct position: labelled layers on the same spot (repeated blocks of a
  // network) share the first one's name with "+N more".
  std::vector<std::pair<std::string, std::pair<const RooflinePoint*, int>>> spots;
  for (std::size_t i = 0; i < pts.size(); ++i) {
    if (!labelled[i]) continue;
    const RooflinePoint& q = pts[i];
    const std::string key = fmt::format("{:.3g} {:.3g}", q.intensity_macs_per_byte, q.attained_macs_per_cycle);
    auto it = std::find_if(spots.begin(), spots.end(), [&](const auto& s) { return s.first == key; });
    if (it == spots.end())
      spots.push_back({key, {&q, 1}});
    else
      ++it->second.second;
  }
  std::string labels;
  for (const auto& [key, spot] : spots) {
    const auto& [q, n] = spot;
    labels += fmt::format("{} {} {}\n", num(q->intensity_macs_per_byte), num(q->attained_macs_per_cycle),
                          data_label(n > 1 ? fmt::format("{} +{} more", q->layer, n - 1) : q->layer));
  }
  if (!labels.empty()) p.data_files.push_back({"labels.dat", labels});

  std::string s;
  // A second title line when some layers are dots (a gnuplot string expression: "a" . "\n" . "b").
  const auto dots_n = static_cast<std::size_t>(std::count(labelled.begin(), labelled.end(), false));
  s += "set title " +
       gnuplot_quote(fmt::format("roofline: {} ({}, {} MACs/cycle peak{})", r.experiment, r.arch_name, r.pe_count,
                                 bw ? fmt::format(", DRAM {} bytes/cycle", num(*bw)) : std::string(", ideal DRAM")));
  if (any_dots)
    s += " . \"\\n\" . " + gnuplot_quote(fmt::format("labelled: the {} layers with the most cycles; dots: the other {}",
                                                     pts.size() - dots_n, dots_n));
  s += " noenhanced\n";
  s += "set logscale xy\nset grid xtics ytics mxtics mytics lc rgb '#dddddd'\n";
  s += fmt::format("set xrange [{}:{}]\nset yrange [{}:{}]\n", num(xmin / 4), num(xmax * 4), num(ymin / 4),
                   num(peak * 2));
  std::string xl = "operational intensity (MACs per DRAM byte)";
  if (compulsory_x)
    xl = any_measured
             ? "operational intensity (MACs per DRAM byte; open circles: compulsory traffic, no DRAM bytes counted)"
             : "operational intensity (MACs per byte of compulsory traffic: no DRAM bytes counted)";
  s += "set xlabel " + gnuplot_quote(xl) + " noenhanced\n";
  s += "set ylabel 'attained MACs per cycle'\nset key top left box opaque noenhanced\nset samples 2000\n";
  s += fmt::format("peak = {}\n", num(peak));
  std::vector<std::string> clauses;
  if (bw && *bw > 0) {
    s += fmt::format("bw = {}\nroof(x) = (bw * x < peak) ? bw * x : peak\n", num(*bw));
    clauses.push_back(fmt::format(
        "roof(x) with lines lw 2 lc rgb '#cc3311' title {}",
        gnuplot_quote(fmt::format("roof: min({} MACs/cycle, {} bytes/cycle x intensity)", r.pe_count, num(*bw)))));
  } else {
    clauses.push_back(fmt::format(
        "peak with lines lw 2 lc rgb '#cc3311' title {}",
        gnuplot_quote(fmt::format("compute roof: {} MACs/cycle (ideal DRAM: no bandwidth roof)", r.pe_count))));
  }
  // Points carry no key entry, so the SVG holds exactly one point element per layer.
  if (any_measured) clauses.push_back("'measured.dat' using 1:2 with points pt 7 ps 1.2 lc rgb '#0077bb' notitle");
  if (any_compulsory) clauses.push_back("'compulsory.dat' using 1:2 with points pt 6 ps 1.2 lc rgb '#0077bb' notitle");
  if (any_dots) clauses.push_back("'dots.dat' using 1:2 with points pt 7 ps 0.5 lc rgb '#7799bb' notitle");
  if (!labels.empty())
    clauses.push_back("'labels.dat' using 1:2:3 with labels offset char 0.6,0.5 left font ',8' noenhanced notitle");
  s += "plot ";
  for (std::size_t i = 0; i < clauses.size(); ++i) s += (i ? ", \\\n     " : "") + clauses[i];
  s += "\n";
  p.script = s;
  return p;
}

std::optional<Plot> cycle_breakdown_plot(const RunResult& r) {
  std::string data;
  std::size_t n = 0;
  std::int64_t max_cycles = 1;
  for (const LayerResult& l : r.layers) {
    if (!l.total_cycles) continue;
    max_cycles = std::max(max_cycles, *l.total_cycles);
    data += fmt::format("{} {}", data_label(l.name), l.compute_cycles.value_or(0));
    for (const StallCause& c : kStallCauses) data += fmt::format(" {}", l.memory.stall_cycles.*c.cycles);
    data += "\n";
    ++n;
  }
  if (n == 0) return std::nullopt;
  Plot p;
  p.name = "cycle_breakdown";
  p.data_files.push_back({"breakdown.dat", data});
  p.width_px = static_cast<int>(std::max<std::size_t>(900, 120 + 22 * n));
  std::string s;
  s += "set title " +
       gnuplot_quote(fmt::format("cycles per layer: compute and stalls by cause ({}, {})", r.experiment, r.arch_name)) +
       " noenhanced\n";
  s += "set style data histograms\nset style histogram rowstacked\nset style fill solid 0.85 border rgb '#333333'\n";
  s += "set boxwidth 0.75 relative\nset ylabel 'cycles'\nset grid ytics lc rgb '#dddddd'\n";
  s += fmt::format("set yrange [0:{}]\n", num(1.05 * static_cast<double>(max_cycles)));
  s += eng_tics("y", 0, 1.05 * static_cast<double>(max_cycles), false);
  s += "set key outside right top vertical Left reverse noenhanced\n";
  s += n > 12 ? "set xtics rotate by -90 scale 0 font ',8' noenhanced\n"
              : "set xtics rotate by -30 scale 0 noenhanced\n";
  static const char* const colours[] = {"#ee6677", "#ee8866", "#ccbb44", "#aa3377", "#66ccee"};
  static_assert(std::size(colours) == std::size(kStallCauses), "one colour per stall cause");
  s += "plot 'breakdown.dat' using 2:xtic(1) title 'compute' lc rgb '#4477aa'";
  for (std::size_t i = 0; i < std::size(kStallCauses); ++i)
    s += fmt::format(", \\\n     '' using {} title 'stall: {}' lc rgb '{}'", i + 3, kStallCauses[i].label, colours[i]);
  s += "\n";
  p.script = s;
  return p;
}

std::optional<Plot> utilization_plot(const RunResult& r) {
  if (!timeline_recorded(r)) return std::nullopt;
  const std::vector<UtilizationSample> u = utilization_over_time(r.timeline, r.pe_count);
  if (u.empty()) return std::nullopt;
  Plot p;
  p.name = "utilization";
  std::string data;
  for (const UtilizationSample& x : u) data += fmt::format("{} {}\n", x.start_cycle, num(x.utilization));
  data += fmt::format("{} {}\n", u.back().end_cycle, num(u.back().utilization));  // closes the last step
  p.data_files.push_back({"utilization.dat", data});
  std::string s;
  s += "set title " +
       gnuplot_quote(fmt::format("PE-array utilization over time ({}, {}; buckets of {} cycles)", r.experiment,
                                 r.arch_name, u.front().end_cycle - u.front().start_cycle)) +
       " noenhanced\n";
  s += fmt::format("set xrange [0:{}]\nset yrange [0:1.05]\n", u.back().end_cycle);
  s += eng_tics("x", 0, static_cast<double>(u.back().end_cycle), false);
  s += "set xlabel 'cycle'\nset ylabel 'PE utilization (MACs / (PEs x cycles))'\nset grid ytics lc rgb '#dddddd'\n";
  s += "set key top right box opaque noenhanced\n";
  // Layer boundaries as dotted lines (up to 60 layers; beyond that they would fill the plot).
  std::vector<std::int64_t> starts;
  for (const TimelineEvent& e : r.timeline)
    if (e.unit == "layer" && e.start_cycle > 0) starts.push_back(e.start_cycle);
  if (starts.size() <= 60)
    for (const std::int64_t x : starts)
      s += fmt::format("set arrow from {}, graph 0 to {}, graph 1 nohead back lw 1 dt 2 lc rgb '#888888'\n", x, x);
  std::string avg;
  if (const auto pu = r.pe_utilization())
    avg = fmt::format(", \\\n     {} with lines dt 2 lc rgb '#cc3311' title {}", num(*pu),
                      gnuplot_quote(fmt::format("run average {:.1f}%", 100 * *pu)));
  s += "plot 'utilization.dat' using 1:2 with steps lw 1.5 lc rgb '#0077bb' title 'PE utilization'" + avg + "\n";
  p.script = s;
  return p;
}

const std::vector<std::string>& plot_file_names() {
  static const std::vector<std::string> names{"roofline.svg",        "roofline.png",    "cycle_breakdown.svg",
                                              "cycle_breakdown.png", "utilization.svg", "utilization.png"};
  return names;
}

PlotOutcome write_plots(const std::string& dir, const RunResult& r, const PlotOptions& opt) {
  PlotOutcome out;
  std::vector<Plot> plots{roofline_plot(r, opt)};
  if (auto b = cycle_breakdown_plot(r)) plots.push_back(std::move(*b));
  if (auto u = utilization_plot(r)) plots.push_back(std::move(*u));
  if (gnuplot_path().empty()) {
    out.warning = "plots not written: gnuplot not found on PATH (Debian package gnuplot-nox)";
    return out;
  }
  std::vector<std::string> failed;
  for (const Plot& p : plots) {
    try {
      render_plot(dir, p);
      out.written.push_back(p.name + ".svg");
      out.written.push_back(p.name + ".png");
    } catch (const std::exception& e) {
      failed.push_back(one_line(e.what()));
    }
  }
  for (std::size_t i = 0; i < failed.size(); ++i) out.warning += (i ? "; " : "plot not written: ") + failed[i];
  return out;
}

}  // namespace arraysim::stats
