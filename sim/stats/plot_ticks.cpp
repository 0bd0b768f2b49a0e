#include "sim/stats/plot_ticks.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace arraysim::stats {

std::string eng_number(double v) {
  if (v == 0 || !std::isfinite(v)) return v == 0 ? "0" : fmt::format("{}", v);
  static const char* const suffix[] = {"", "k", "M", "G", "T", "P", "E"};
  const double a = std::fabs(v);
  if (a < 1000) return fmt::format("{:.3g}", v);
  int e = std::min(6, static_cast<int>(std::floor(std::log10(a) / 3)));
  double m = v / std::pow(1000.0, e);
  // 999.7k rounds to 1e+03k: move to the next prefix.
  if (std::fabs(std::stod(fmt::format("{:.3g}", m))) >= 1000 && e < 6) m /= 1000, ++e;
  return fmt::format("{:.3g}{}", m, suffix[e]);
}

std::vector<double> tick_positions(double lo, double hi, bool log, int base) {
  std::vector<double> t;
  if (log) {
    const double b = base > 1 ? base : 10;
    const int k0 = static_cast<int>(std::ceil(std::log(lo) / std::log(b) - 1e-9));
    const int k1 = static_cast<int>(std::floor(std::log(hi) / std::log(b) + 1e-9));
    const int every = std::max(1, (k1 - k0 + 1 + 9) / 10);  // at most 10 ticks
    for (int k = k0; k <= k1; k += every) t.push_back(std::pow(b, k));
    if (t.size() < 2) t = {std::pow(b, k0 - 1), std::pow(b, std::max(k0, k1 + 1))};
    return t;
  }
  if (hi <= lo) {
    const double pad = lo == 0 ? 1 : std::fabs(lo) * 0.1;
    lo -= pad, hi += pad;
  }
  const double raw = (hi - lo) / 6;
  const double p = std::pow(10.0, std::floor(std::log10(raw)));
  double step = p;
  for (const double f : {1.0, 2.0, 5.0, 10.0})
    if (f * p >= raw) {
      step = f * p;
      break;
    }
  const auto first = static_cast<long long>(std::ceil(lo / step - 1e-9));
  const auto last = static_cast<long long>(std::floor(hi / step + 1e-9));
  for (long long k = first; k <= last; ++k) t.push_back(static_cast<double>(k) * step);
  if (t.size() < 2) t = {static_cast<double>(first - 1) * step, static_cast<double>(first) * step};
  return t;
}

std::string eng_axis(const std::string& axis, double lo, double hi, bool log, int base) {
  std::string s;
  double a = lo, b = hi;
  if (log) {
    s += fmt::format("set logscale {} {}\n", axis, base);
    a = lo / 1.3, b = hi * 1.3;
  } else {
    const double pad = hi > lo ? (hi - lo) * 0.05 : (lo == 0 ? 1 : std::fabs(lo) * 0.1);
    a = lo - pad, b = hi + pad;
  }
  const std::vector<double> ticks = tick_positions(a, b, log, base);
  a = std::min(a, ticks.front()), b = std::max(b, ticks.back());
  s += fmt::format("set {}range [{:.9g}:{:.9g}]\n", axis, a, b);
  return s + eng_tics(axis, a, b, log, base);
}

std::string eng_tics(const std::string& axis, double lo, double hi, bool log, int base) {
  std::string list;
  for (const double t : tick_positions(lo, hi, log, base))
    list += fmt::format("{}\"{}\" {:.9g}", list.empty() ? "" : ", ", eng_number(t), t);
  return "set " + axis + "tics (" + list + ")\n";
}

}  // namespace arraysim::stats
