#pragma once
/// `arraysim dram-trace`: replays an address trace through the configured banked DRAM model
/// alone, without the accelerator (docs/memory.md, "Replaying a trace"). Plain C++: the memory
/// controller (sim/hw/dram_controller.hpp) runs the requests; no SystemC is elaborated.
#include <cstdint>
#include <string>

#include "sim/config/arch_config.hpp"
#include "sim/io/dram_trace_reader.hpp"

namespace arraysim::hw {

/// What a replay measured. Cycles are DRAM clocks.
struct DramTraceResult {
  std::string trace_file;
  std::string format;                  ///< io::to_string(DramTraceFormat)
  std::string model;                   ///< config::to_string(DramModel)
  std::int64_t accesses = 0;           ///< lines of the trace
  std::int64_t requests = 0;           ///< bursts the accesses became
  std::int64_t reads = 0, writes = 0;  ///< requests by kind
  std::int64_t bytes = 0;              ///< requests × burst bytes
  std::int64_t total_cycles = 0;       ///< first request's arrival to the end of the last data transfer
  double total_ns = 0;                 ///< total_cycles × tCK
  double bytes_per_cycle = 0;          ///< bytes / total_cycles
  double peak_bytes_per_cycle = 0;     ///< channels × 2 × bus bytes
  double fraction_of_peak = 0;         ///< bytes_per_cycle / peak_bytes_per_cycle
  std::int64_t row_hits = 0, row_misses = 0, row_conflicts = 0;
  std::int64_t refreshes = 0;          ///< REF commands up to the last request's column command
  double avg_read_latency_cycles = 0;  ///< mean of (end of data − entry into the queue) over reads
};

/// Replays `trace` through the DRAM of `arch` (a banked model). Ramulator and .stl traces are
/// issued one request per DRAM clock, in order, as fast as the queues accept them (an .stl access
/// not before its clock); an access of L bytes becomes the bursts covering it. An arraysim trace
/// is replayed transfer by transfer at the recorded issue cycles, as the DMA issued them, so it
/// reproduces the DRAM behaviour of the run that recorded it. Throws std::invalid_argument for a
/// model without banks.
DramTraceResult replay_dram_trace(const config::ArchConfig& arch, const io::DramTrace& trace);

/// The result as aligned text lines (terminal) and as JSON (dram_trace.json).
std::string to_text(const DramTraceResult& r);
std::string to_json(const DramTraceResult& r);

}  // namespace arraysim::hw
