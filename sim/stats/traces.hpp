#pragma once
/// Access traces of a run (--trace sram,dram) as files: arraysim's CSV, or SCALE-Sim's per-layer
/// SRAM/DRAM trace layout (traces/README.md documents both).
#include <string>
#include <utility>
#include <vector>

#include "sim/stats/report.hpp"

namespace arraysim::stats {

/// Which traces to write.
struct TraceRequest {
  bool sram = false, dram = false;
  bool scalesim = false;  ///< SCALE-Sim layout instead of arraysim's CSV
};

/// Parses `--trace` (a comma-separated list of sram, dram) and `--trace-format` (csv, scalesim);
/// throws std::invalid_argument with the offending word.
TraceRequest parse_trace_request(const std::string& units, const std::string& format);

/// The trace files (path relative to the run directory, content) of `r`:
///   csv:      traces/sram.csv (unit dma or pe_array) and traces/dram.csv (unit dram), header
///             layer,cycle,unit,operand,op,address,bytes
///   scalesim: traces/layerN/{IFMAP,FILTER,OFMAP}_{SRAM,DRAM}_TRACE.csv, one row per cycle with
///             accesses: "cycle, addr, addr, ..." with one address per element (SCALE-Sim's
///             operand offsets: ifmap 0, filter 10000000, ofmap 20000000).
std::vector<std::pair<std::string, std::string>> trace_files(const RunResult& r, const TraceRequest& t);

}  // namespace arraysim::stats
