#include "sim/hw/dram_trace.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>

#include "sim/hw/dram_controller.hpp"

namespace arraysim::hw {

namespace {

/// The burst requests covering [addr, addr + bytes), in address order.
void add_bursts(std::vector<DramRequest>& out, std::uint64_t addr, std::int64_t bytes, bool write, std::int64_t arrival,
                std::int64_t burst) {
  const auto b = static_cast<std::uint64_t>(burst);
  const std::uint64_t end = addr + static_cast<std::uint64_t>(bytes > 0 ? bytes : burst);
  for (std::uint64_t a = addr / b * b; a < end; a += b) out.push_back(DramRequest{a, write, arrival});
}

}  // namespace

DramTraceResult replay_dram_trace(const config::ArchConfig& arch, const io::DramTrace& trace) {
  const config::DramConfig& d = arch.dram;
  if (!d.banked())
    throw std::invalid_argument(
        "dram-trace needs a banked DRAM model (ddr4_3200, lpddr4_3200, hbm2); the "
        "architecture's arch.dram.model is " +
        config::to_string(d.model));
  DramTraceResult r;
  r.trace_file = trace.file;
  r.format = io::to_string(trace.format);
  r.model = config::to_string(d.model);
  r.accesses = static_cast<std::int64_t>(trace.accesses.size());
  std::int64_t first = -1, last = 0;
  const auto account = [&](const std::vector<DramRequest>& reqs) {
    for (const DramRequest& q : reqs) {
      if (first < 0 || q.arrival < first) first = q.arrival;
      last = std::max(last, q.data_end);
    }
    r.requests += static_cast<std::int64_t>(reqs.size());
  };
  const bool arraysim = trace.format == io::DramTraceFormat::arraysim;
  DramController ctrl(d, arraysim ? DramController::FrontEnd::per_channel : DramController::FrontEnd::one_per_clock);
  if (arraysim) {
    // Transfer by transfer, as the DMA issued them: every burst of a transfer arrives in the
    // first DRAM clock at or after its issue cycle + latency, in address order.
    const double tck = d.core_cycles_per_tck(arch.clock_mhz);
    std::map<std::int64_t, std::vector<const io::DramTraceAccess*>> transfers;
    for (const io::DramTraceAccess& a : trace.accesses) transfers[a.transfer].push_back(&a);
    std::vector<DramRequest> reqs;
    for (auto& [id, accesses] : transfers) {
      std::stable_sort(accesses.begin(), accesses.end(),
                       [](const io::DramTraceAccess* x, const io::DramTraceAccess* y) { return x->addr < y->addr; });
      const auto arrival = static_cast<std::int64_t>(
          std::ceil((static_cast<double>(accesses.front()->cycle + d.latency_cycles)) / tck - 1e-9));
      reqs.clear();
      for (const io::DramTraceAccess* a : accesses)
        add_bursts(reqs, a->addr, a->bytes, a->write, arrival, d.burst_bytes);
      ctrl.schedule(reqs);
      account(reqs);
    }
  } else {
    // One request per DRAM clock, in order, as fast as the queues take them.
    std::vector<DramRequest> reqs;
    reqs.reserve(trace.accesses.size());
    for (const io::DramTraceAccess& a : trace.accesses)
      add_bursts(reqs, a.addr, a.bytes, a.write, a.cycle, d.burst_bytes);
    ctrl.schedule(reqs);
    account(reqs);
  }
  const DramControllerStats& s = ctrl.stats();
  r.reads = s.reads, r.writes = s.writes, r.row_hits = s.row_hits, r.row_misses = s.row_misses;
  r.row_conflicts = s.row_conflicts, r.refreshes = s.refreshes;
  r.avg_read_latency_cycles = s.reads ? static_cast<double>(s.read_latency_sum) / static_cast<double>(s.reads) : 0;
  r.bytes = r.requests * d.burst_bytes;
  r.total_cycles = last - first;
  r.total_ns = static_cast<double>(r.total_cycles) * d.tck_ns;
  r.peak_bytes_per_cycle = static_cast<double>(d.channels * 2 * d.bus_bytes);
  r.bytes_per_cycle = r.total_cycles > 0 ? static_cast<double>(r.bytes) / static_cast<double>(r.total_cycles) : 0;
  r.fraction_of_peak = r.bytes_per_cycle / r.peak_bytes_per_cycle;
  return r;
}

std::string to_text(const DramTraceResult& r) {
  std::string s;
  s += fmt::format("trace {} ({}), {} accesses -> {} requests ({} reads, {} writes) on {}\n", r.trace_file, r.format,
                   r.accesses, r.requests, r.reads, r.writes, r.model);
  s += fmt::format("total_cycles        {}  ({:.3f} ns)\n", r.total_cycles, r.total_ns);
  s += fmt::format("bytes               {}\n", r.bytes);
  s += fmt::format("bytes_per_cycle     {:.4f}  of peak {:.1f}: {:.2f}%\n", r.bytes_per_cycle, r.peak_bytes_per_cycle,
                   100.0 * r.fraction_of_peak);
  s += fmt::format("row hits/misses/conflicts  {} / {} / {}\n", r.row_hits, r.row_misses, r.row_conflicts);
  s += fmt::format("refreshes           {}\n", r.refreshes);
  s += fmt::format("avg_read_latency    {:.2f} cycles\n", r.avg_read_latency_cycles);
  return s;
}

std::string to_json(const DramTraceResult& r) {
  const nlohmann::ordered_json j = {{"trace", r.trace_file},
                                    {"format", r.format},
                                    {"model", r.model},
                                    {"accesses", r.accesses},
                                    {"requests", r.requests},
                                    {"reads", r.reads},
                                    {"writes", r.writes},
                                    {"bytes", r.bytes},
                                    {"total_cycles", r.total_cycles},
                                    {"total_ns", r.total_ns},
                                    {"bytes_per_cycle", r.bytes_per_cycle},
                                    {"peak_bytes_per_cycle", r.peak_bytes_per_cycle},
                                    {"fraction_of_peak", r.fraction_of_peak},
                                    {"row_hits", r.row_hits},
                                    {"row_misses", r.row_misses},
                                    {"row_conflicts", r.row_conflicts},
                                    {"refreshes", r.refreshes},
                                    {"avg_read_latency_cycles", r.avg_read_latency_cycles}};
  return j.dump(2) + "\n";
}

}  // namespace arraysim::hw
