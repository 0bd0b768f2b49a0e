#pragma once
/// The run's timeline as Chrome/Perfetto trace-event JSON (`arraysim run --timeline FILE`,
/// docs/outputs.md), read back for `arraysim report`, and PE-array utilization over time.
#include <cstdint>
#include <string>
#include <vector>

#include "sim/stats/report.hpp"

namespace arraysim::stats {

/// The units of the timeline in display order; their tids in the trace are 1, 2, ... in this
/// order (units not listed follow in order of first appearance).
const std::vector<std::string>& timeline_units();

/// r.timeline when the simulator recorded one. Otherwise spans derived from the layer totals, the
/// layers back to back from cycle 0: per layer one `layer` span of total_cycles, one `pe_array`
/// span "compute" of compute_cycles holding the layer's MACs, then one `stall` span per nonzero
/// cause ("stall dram_bandwidth", ...). The per-unit sums equal the simulator's; the order of
/// compute and stalls inside a layer is not the simulated one.
std::vector<TimelineEvent> timeline_events(const RunResult& r);

/// true when the events are r.timeline itself rather than derived from layer totals.
bool timeline_recorded(const RunResult& r);

/// The lane of each event within its unit: spans of one lane never overlap. Units whose spans never
/// overlap (layer, pe_array, stall) have lane 0 only; DMA transfers in flight together take more.
std::vector<int> timeline_lanes(const std::vector<TimelineEvent>& events);

/// Chrome trace-event JSON of timeline_events(r): one "X" (complete) event per span on pid 1, cat =
/// its unit, on one track (tid) per unit and lane (timeline_lanes): lane 0 is named after the unit,
/// lane i after it as "UNIT i+1" (thread_name metadata); ts and dur in microseconds (cycles /
/// clock_mhz), and args {layer, start_cycle, duration_cycles, macs | bytes} with exact cycles.
std::string to_chrome_trace(const RunResult& r);

/// The spans of a trace written by to_chrome_trace (cat = unit, cycles from args). Throws
/// std::runtime_error naming what is wrong when `text` is not such a trace.
std::vector<TimelineEvent> timeline_from_chrome_trace(const std::string& text);

/// PE-array utilization in one time bucket: MACs in [start_cycle, end_cycle) / (PEs · cycles).
struct UtilizationSample {
  std::int64_t start_cycle = 0, end_cycle = 0;
  double utilization = 0;  ///< 0..1
};

/// Utilization over time from the `pe_array` spans: the run's cycles (0 to the last span's end)
/// cut into at most `max_buckets` equal buckets (the last may be shorter); each span's MACs are
/// spread evenly over its cycles and summed per bucket. Empty without pe_array spans.
std::vector<UtilizationSample> utilization_over_time(const std::vector<TimelineEvent>& events, std::int64_t pe_count,
                                                     std::int64_t max_buckets = 200);

}  // namespace arraysim::stats
