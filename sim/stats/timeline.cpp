#include "sim/stats/timeline.hpp"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace arraysim::stats {

const std::vector<std::string>& timeline_units() {
  static const std::vector<std::string> units{"layer", "pe_array", "stall", "dma_load", "dma_store"};
  return units;
}

bool timeline_recorded(const RunResult& r) { return !r.timeline.empty(); }

std::vector<TimelineEvent> timeline_events(const RunResult& r) {
  if (timeline_recorded(r)) return r.timeline;
  std::vector<TimelineEvent> ev;
  std::int64_t t = 0;
  for (const LayerResult& l : r.layers) {
    if (!l.total_cycles) continue;
    ev.push_back({"layer", l.name, l.name, t, *l.total_cycles, 0, 0});
    std::int64_t at = t;
    if (l.compute_cycles && *l.compute_cycles > 0) {
      ev.push_back({"pe_array", "compute", l.name, at, *l.compute_cycles, l.macs, 0});
      at += *l.compute_cycles;
    }
    const StallCycles& s = l.memory.stall_cycles;
    for (const StallCause& c : kStallCauses) {
      const std::int64_t cycles = s.*c.cycles;
      if (cycles <= 0) continue;
      ev.push_back({"stall", std::string("stall ") + c.name, l.name, at, cycles, 0, 0});
      at += cycles;
    }
    t += *l.total_cycles;
  }
  return ev;
}

std::vector<int> timeline_lanes(const std::vector<TimelineEvent>& events) {
  // Greedy interval partitioning per unit in order of start: a span takes the first lane whose
  // last span ended by its start. That uses as few lanes as the most spans alive at once.
  std::vector<std::size_t> order(events.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return events[a].start_cycle < events[b].start_cycle; });
  std::map<std::string, std::vector<std::int64_t>> lane_end;  // per unit, per lane: end of its last span
  std::vector<int> lane(events.size(), 0);
  for (const std::size_t i : order) {
    const TimelineEvent& e = events[i];
    std::vector<std::int64_t>& ends = lane_end[e.unit];
    const std::int64_t end = e.start_cycle + e.duration_cycles;
    std::size_t k = 0;
    while (k < ends.size() && ends[k] > e.start_cycle) ++k;
    if (k == ends.size()) ends.push_back(end);
    ends[k] = end;
    lane[i] = static_cast<int>(k);
  }
  return lane;
}

std::string to_chrome_trace(const RunResult& r) {
  const std::vector<TimelineEvent> events = timeline_events(r);
  const std::vector<int> lanes = timeline_lanes(events);
  // One track (tid) per unit and lane: the known units' first lanes are tids 1, 2, ... in display
  // order, then other units as they appear, then the further lanes (sorted after their unit).
  std::vector<std::string> units = timeline_units();
  for (const TimelineEvent& e : events)
    if (std::find(units.begin(), units.end(), e.unit) == units.end()) units.push_back(e.unit);
  std::map<std::pair<std::string, int>, int> tid;
  struct Track {
    std::string name;
    int sort_index;
  };
  std::vector<Track> tracks;  // tracks[tid - 1]
  for (std::size_t u = 0; u < units.size(); ++u) {
    tid[{units[u], 0}] = static_cast<int>(tracks.size()) + 1;
    tracks.push_back({units[u], static_cast<int>(u + 1) * 100});
  }
  for (std::size_t i = 0; i < events.size(); ++i) {
    const std::pair<std::string, int> key{events[i].unit, lanes[i]};
    if (tid.count(key)) continue;
    const auto u = static_cast<int>(std::find(units.begin(), units.end(), key.first) - units.begin());
    tid[key] = static_cast<int>(tracks.size()) + 1;
    tracks.push_back({key.first + " " + std::to_string(key.second + 1), (u + 1) * 100 + key.second});
  }
  const double mhz = r.clock_mhz > 0 ? r.clock_mhz : 1.0;
  nlohmann::json trace = nlohmann::json::array();
  trace.push_back({{"name", "process_name"},
                   {"ph", "M"},
                   {"pid", 1},
                   {"tid", 0},
                   {"args", {{"name", "arraysim " + r.experiment + " (" + r.arch_name + ")"}}}});
  for (std::size_t i = 0; i < tracks.size(); ++i) {
    const int t = static_cast<int>(i) + 1;
    trace.push_back(
        {{"name", "thread_name"}, {"ph", "M"}, {"pid", 1}, {"tid", t}, {"args", {{"name", tracks[i].name}}}});
    trace.push_back({{"name", "thread_sort_index"},
                     {"ph", "M"},
                     {"pid", 1},
                     {"tid", t},
                     {"args", {{"sort_index", tracks[i].sort_index}}}});
  }
  for (std::size_t i = 0; i < events.size(); ++i) {
    const TimelineEvent& e = events[i];
    nlohmann::json args = {{"layer", e.layer}, {"start_cycle", e.start_cycle}, {"duration_cycles", e.duration_cycles}};
    if (e.unit == "pe_array" || e.macs != 0) args["macs"] = e.macs;
    if (e.unit.rfind("dma", 0) == 0 || e.bytes != 0) args["bytes"] = e.bytes;
    trace.push_back({{"name", e.name},
                     {"cat", e.unit},
                     {"ph", "X"},
                     {"pid", 1},
                     {"tid", tid[{e.unit, lanes[i]}]},
                     {"ts", static_cast<double>(e.start_cycle) / mhz},
                     {"dur", static_cast<double>(e.duration_cycles) / mhz},
                     {"args", args}});
  }
  nlohmann::json j;
  j["traceEvents"] = trace;
  j["displayTimeUnit"] = "ns";
  j["otherData"] = {{"experiment", r.experiment},
                    {"arch", r.arch_name},
                    {"clock_mhz", r.clock_mhz},
                    {"time_unit", "ts and dur in microseconds = cycles / clock_mhz; exact cycles in args"},
                    {"timeline_source", timeline_recorded(r) ? "simulator" : "layer totals"}};
  return j.dump(1) + "\n";
}

std::vector<TimelineEvent> timeline_from_chrome_trace(const std::string& text) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(std::string("not JSON: ") + e.what());
  }
  if (!j.is_object() || !j.contains("traceEvents") || !j["traceEvents"].is_array())
    throw std::runtime_error("no \"traceEvents\" array");
  std::vector<TimelineEvent> ev;
  for (const auto& x : j["traceEvents"]) {
    if (!x.is_object() || x.value("ph", "") != "X") continue;
    try {
      const auto& a = x.at("args");
      TimelineEvent e;
      e.unit = x.at("cat").get<std::string>();
      e.name = x.at("name").get<std::string>();
      e.layer = a.at("layer").get<std::string>();
      e.start_cycle = a.at("start_cycle").get<std::int64_t>();
      e.duration_cycles = a.at("duration_cycles").get<std::int64_t>();
      e.macs = a.value("macs", std::int64_t{0});
      e.bytes = a.value("bytes", std::int64_t{0});
      ev.push_back(std::move(e));
    } catch (const nlohmann::json::exception& e) {
      throw std::runtime_error(
          std::string("an \"X\" event lacks cat, name or args {layer, start_cycle, duration_cycles}: ") + e.what());
    }
  }
  return ev;
}

std::vector<UtilizationSample> utilization_over_time(const std::vector<TimelineEvent>& events, std::int64_t pe_count,
                                                     std::int64_t max_buckets) {
  std::int64_t end = 0;  // the run's last cycle + 1 over every unit
  bool any = false;
  for (const TimelineEvent& e : events) {
    end = std::max(end, e.start_cycle + e.duration_cycles);
    any = any || (e.unit == "pe_array" && e.duration_cycles > 0);
  }
  if (!any || end <= 0 || pe_count <= 0 || max_buckets <= 0) return {};
  const std::int64_t width = (end + max_buckets - 1) / max_buckets;  // ceil: at most max_buckets buckets
  const std::int64_t n = (end + width - 1) / width;
  std::vector<double> macs(static_cast<std::size_t>(n), 0.0);
  for (const TimelineEvent& e : events) {
    if (e.unit != "pe_array" || e.duration_cycles <= 0) continue;
    const double per_cycle = static_cast<double>(e.macs) / static_cast<double>(e.duration_cycles);
    const std::int64_t s = e.start_cycle, f = e.start_cycle + e.duration_cycles;
    for (std::int64_t b = s / width; b < n && b * width < f; ++b) {
      const std::int64_t lo = std::max(s, b * width), hi = std::min(f, (b + 1) * width);
      if (hi > lo) macs[static_cast<std::size_t>(b)] += per_cycle * static_cast<double>(hi - lo);
    }
  }
  std::vector<UtilizationSample> out;
  for (std::int64_t b = 0; b < n; ++b) {
    const std::int64_t lo = b * width, hi = std::min(end, (b + 1) * width);
    out.push_back(
        {lo, hi, macs[static_cast<std::size_t>(b)] / (static_cast<double>(pe_count) * static_cast<double>(hi - lo))});
  }
  return out;
}

}  // namespace arraysim::stats
