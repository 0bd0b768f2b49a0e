#include "sim/stats/plots.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

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
      pts.push_back({l.name, *oi, *y, false});
    else if (l.compulsory_dram_bytes && *l.compulsory_dram_bytes > 0)
      pts.push_back({l.name, static_cast<double>(l.macs) / static_cast<double>(*l.compulsory_dram_bytes), *y, true});
  }
  return pts;
}

Plot roofline_plot(const RunResult& r) {
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
  std::string measured, compulsory;
  for (const RooflinePoint& q : pts)
    (q.compulsory ? compulsory : measured) +=
        fmt::format("{} {} {}\n", num(q.intensity_macs_per_byte), num(q.attained_macs_per_cycle), data_label(q.layer));
  bool any_measured = !measured.empty(), any_compulsory = !compulsory.empty();
  if (any_measured) p.data_files.push_back({"measured.dat", measured});
  if (any_compulsory) p.data_files.push_back({"compulsory.dat", compulsory});
  // One label per distinct position: layers on the same spot (repeated blocks of a network) share
  // the first one's name with "+N more".
  std::vector<std::pair<std::string, std::pair<const RooflinePoint*, int>>> spots;
  for (const RooflinePoint& q : pts) {
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
  s += "set title " +
       gnuplot_quote(fmt::format("roofline: {} ({}, {} MACs/cycle peak{})", r.experiment, r.arch_name, r.pe_count,
                                 bw ? fmt::format(", DRAM {} bytes/cycle", num(*bw)) : std::string(", ideal DRAM"))) +
       " noenhanced\n";
  s += "set logscale xy\nset grid xtics ytics mxtics mytics lc rgb '#dddddd'\n";
  s += fmt::format("set xrange [{}:{}]\nset yrange [{}:{}]\n", num(xmin / 4), num(xmax * 4), num(ymin / 4),
                   num(peak * 2));
  std::string xl = "operational intensity (MACs per DRAM byte)";
  if (any_compulsory)
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
  for (const LayerResult& l : r.layers) {
    if (!l.total_cycles) continue;
    const StallCycles& st = l.memory.stall_cycles;
    data += fmt::format("{} {} {} {} {} {}\n", data_label(l.name), l.compute_cycles.value_or(0), st.dram_bandwidth,
                        st.dram_latency, st.bank_conflict, st.dependency);
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
  s += "set boxwidth 0.75 relative\nset ylabel 'cycles'\nset yrange [0:*]\nset grid ytics lc rgb '#dddddd'\n";
  s += "set key outside right top vertical Left reverse noenhanced\n";
  s += n > 12 ? "set xtics rotate by -90 scale 0 font ',8' noenhanced\n"
              : "set xtics rotate by -30 scale 0 noenhanced\n";
  s += "plot 'breakdown.dat' using 2:xtic(1) title 'compute' lc rgb '#4477aa', \\\n"
       "     '' using 3 title 'stall: DRAM bandwidth' lc rgb '#ee6677', \\\n"
       "     '' using 4 title 'stall: DRAM latency' lc rgb '#ccbb44', \\\n"
       "     '' using 5 title 'stall: bank conflict' lc rgb '#aa3377', \\\n"
       "     '' using 6 title 'stall: dependency' lc rgb '#66ccee'\n";
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
  s += "set xlabel 'cycle'\nset ylabel 'PE utilization (MACs / (PEs x cycles))'\nset grid ytics lc rgb '#dddddd'\n";
  s += "set key top right box opaque noenhanced\n";
  // Layer boundaries as dotted lines (up to 60 layers; beyond that they would fill the plot).
  std::vector<std::int64_t> starts;
  for (const TimelineEvent& e : r.timeline)
    if (e.unit == "layer" && e.start_cycle > 0) starts.push_back(e.start_cycle);
  if (starts.size() <= 60)
    for (const std::int64_t x : starts)
      s += fmt::format("set arrow from {}, graph 0 to {}, graph 1 nohead dt 3 lc rgb '#999999'\n", x, x);
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

PlotOutcome write_plots(const std::string& dir, const RunResult& r) {
  PlotOutcome out;
  std::vector<Plot> plots{roofline_plot(r)};
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
