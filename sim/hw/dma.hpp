#pragma once
/// The DMA engine's transfer unit: moves DRAM runs through a TLM-2.0 initiator socket in bursts
/// and reports when the data arrived (docs/memory.md). The load and store engines of the
/// controller call it; any TLM-2.0 target with b_transport can be bound to its socket.
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_initiator_socket.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "sim/config/arch_config.hpp"
#include "sim/hw/dram.hpp"
#include "sim/lower/dram_layout.hpp"

namespace arraysim::hw {

/// One DMA transfer (all bursts of a tile block), in absolute core cycles.
struct Transfer {
  double issue_cycle = 0;         ///< when its requests were issued
  double first_ready_cycle = 0;   ///< when the first burst's data could cross the bus (after latency and row opening)
  double first_data_cycle = 0;    ///< when the first byte crossed the bus
  double dram_done_cycle = 0;     ///< when the last byte crossed the bus
  double done_cycle = 0;          ///< when the last byte is in its destination (≥ dram_done: scratchpad write ports)
  std::int64_t bytes = 0;         ///< bytes over the DRAM interface: bursts × burst_bytes
  std::int64_t useful_bytes = 0;  ///< bytes of the runs asked for (≤ bytes: partial bursts move whole)
  std::int64_t bursts = 0;
  std::int64_t bank_conflicts = 0;  ///< scratchpad word writes that waited for a port of their bank
  /// Row-buffer outcomes of its bursts as the target reported them (DramTiming::row; a target
  /// without row buffers reports none).
  std::int64_t row_hits = 0, row_misses = 0, row_conflicts = 0;
  /// Banked targets: REF commands while it was scheduled, and the DRAM clock cycles of its first
  /// request's arrival and its last data's end (−1: the target did not say).
  std::int64_t refreshes = 0, first_arrival_tck = -1, last_data_end_tck = -1;
};

/// One burst, for access traces.
struct BurstRecord {
  double cycle = 0;  ///< when its data started to cross the bus
  std::int64_t addr = 0, bytes = 0;
  bool write = false;
  double issue_cycle = 0;     ///< when the DMA issued it (its transfer's issue cycle)
  std::int64_t transfer = 0;  ///< its transfer's number, counted from 0 over the run
};

/// Issues TLM-2.0 blocking transports on `socket`; time is annotated (loosely timed), so a
/// transfer's requests all leave at `issue_cycle` and the target's bus model orders them. Every
/// request is one whole, aligned burst: the bytes a transfer needs are coalesced into bursts, a
/// partial burst is fetched whole (and written with byte enables), and each burst carries the
/// transfer's burst list (DramBatch) so that a banked target can schedule them together. Bytes
/// outside a timed transfer (the inputs placed in DRAM before a layer, the outputs read back
/// after it) move through the socket's debug transport, which takes no simulated time. The DMA
/// reaches the target only through the socket, so any TLM-2.0 memory target can be bound.
class Dma : public sc_core::sc_module {
 public:
  tlm_utils::simple_initiator_socket<Dma> socket;

  Dma(sc_core::sc_module_name name, std::int64_t burst_bytes, sc_core::sc_time period);

  /// Reads (`write` false) or writes the DRAM bytes `runs` (sorted, disjoint) as whole bursts.
  /// `shadow` (may be null: timing only) is indexed by DRAM address and must span every burst the
  /// runs touch: reads land there (whole bursts), writes come from there (the runs' bytes only).
  /// The transfer is done when its last byte crossed the bus (done_cycle = dram_done_cycle; the
  /// memory engine adds the scratchpad's write ports). `on_burst` (may be empty) sees every
  /// burst. Throws std::runtime_error when the target answers with an error.
  Transfer transfer(bool write, const std::vector<lower::DramRun>& runs, unsigned char* shadow, double issue_cycle,
                    const std::function<void(const BurstRecord&)>& on_burst);

  /// Writes `bytes` bytes from `data` to DRAM address `addr` through transport_dbg (no time).
  /// Throws std::runtime_error when the target takes fewer bytes.
  void debug_write(std::int64_t addr, const unsigned char* data, std::int64_t bytes);
  /// Reads `bytes` bytes at DRAM address `addr` into `data` through transport_dbg (no time).
  void debug_read(std::int64_t addr, unsigned char* data, std::int64_t bytes);

 private:
  void debug(bool write, std::int64_t addr, unsigned char* data, std::int64_t bytes);

  std::int64_t burst_bytes_;
  sc_core::sc_time period_;
  tlm::tlm_generic_payload trans_;
  std::int64_t transfers_ = 0;            ///< transfers issued so far
  std::vector<DramBatch::Burst> bursts_;  ///< the current transfer's bursts
  std::vector<std::int64_t> useful_;      ///< per burst: bytes of the runs in it
  std::vector<unsigned char> enables_;    ///< writes: burst_bytes byte enables per burst
  /// Timing-only transfers (no shadow) still hand the target a valid buffer of one burst.
  std::vector<unsigned char> scratch_;
};

}  // namespace arraysim::hw
