#include "sim/hw/dma.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "sim/hw/dram.hpp"

namespace arraysim::hw {

Dma::Dma(sc_core::sc_module_name name, std::int64_t burst_bytes, sc_core::sc_time period)
    : sc_core::sc_module(name),
      socket("socket"),
      burst_bytes_(burst_bytes),
      period_(period),
      scratch_(static_cast<std::size_t>(burst_bytes), 0) {}

void Dma::debug(bool write, std::int64_t addr, unsigned char* data, std::int64_t bytes) {
  // transport_dbg moves at most 2^32 - 1 bytes a call.
  constexpr std::int64_t kChunk = std::int64_t{1} << 30;
  for (std::int64_t done = 0; done < bytes; done += kChunk) {
    const std::int64_t len = std::min(kChunk, bytes - done);
    tlm::tlm_generic_payload p;
    p.set_command(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
    p.set_address(static_cast<std::uint64_t>(addr + done));
    p.set_data_ptr(data + done);
    p.set_data_length(static_cast<unsigned>(len));
    const unsigned moved = socket->transport_dbg(p);
    if (static_cast<std::int64_t>(moved) != len)
      throw std::runtime_error("DRAM debug " + std::string(write ? "write" : "read") + " of " + std::to_string(len) +
                               " bytes at address " + std::to_string(addr + done) + " moved only " +
                               std::to_string(moved) + " (is the memory target large enough?)");
  }
}

void Dma::debug_write(std::int64_t addr, const unsigned char* data, std::int64_t bytes) {
  debug(true, addr, const_cast<unsigned char*>(data), bytes);  // a TLM write only reads the buffer
}

void Dma::debug_read(std::int64_t addr, unsigned char* data, std::int64_t bytes) { debug(false, addr, data, bytes); }

Transfer Dma::transfer(bool write, const std::vector<lower::DramRun>& runs, unsigned char* shadow, double issue_cycle,
                       double sram_bytes_per_cycle, std::int64_t sram_word_bytes,
                       const std::function<void(const BurstRecord&)>& on_burst) {
  Transfer tr;
  tr.issue_cycle = issue_cycle;
  tr.first_ready_cycle = tr.first_data_cycle = std::numeric_limits<double>::infinity();
  tr.dram_done_cycle = issue_cycle;
  const double now = sc_core::sc_time_stamp() / period_;
  DramTiming timing;
  trans_.set_extension(&timing);
  for (const lower::DramRun& run : runs) {
    for (std::int64_t a = run.addr; a < run.addr + run.bytes;) {
      const std::int64_t boundary = (a / burst_bytes_ + 1) * burst_bytes_;
      const std::int64_t len = std::min(boundary, run.addr + run.bytes) - a;
      trans_.set_command(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
      trans_.set_address(static_cast<std::uint64_t>(a));
      trans_.set_data_ptr(shadow ? shadow + a : scratch_.data());
      trans_.set_data_length(static_cast<unsigned>(len));
      trans_.set_streaming_width(static_cast<unsigned>(len));
      trans_.set_byte_enable_ptr(nullptr);
      trans_.set_dmi_allowed(false);
      trans_.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
      timing = DramTiming{};
      sc_core::sc_time delay = (issue_cycle - now) * period_;
      const double before = issue_cycle;
      socket->b_transport(trans_, delay);
      if (trans_.is_response_error()) {
        trans_.clear_extension(&timing);
        throw std::runtime_error("DRAM answered " + trans_.get_response_string() + " to a " +
                                 (write ? "write" : "read") + " of " + std::to_string(len) + " bytes at address " +
                                 std::to_string(a));
      }
      // A target without the DramTiming extension (an external model) still annotates its delay:
      // the whole transfer then counts as data on the bus.
      const bool timed = timing.done_cycle > 0 || timing.request_cycle > 0;
      const double done = timed ? timing.done_cycle : now + delay / period_;
      const double start = timed ? timing.start_cycle : before;
      const double ready = timed ? timing.ready_cycle : before;
      tr.first_ready_cycle = std::min(tr.first_ready_cycle, ready);
      tr.first_data_cycle = std::min(tr.first_data_cycle, start);
      tr.dram_done_cycle = std::max(tr.dram_done_cycle, done);
      tr.bytes += len;
      ++tr.bursts;
      if (timing.row == DramTiming::Row::hit)
        ++tr.row_hits;
      else if (timing.row == DramTiming::Row::miss)
        ++tr.row_misses;
      else if (timing.row == DramTiming::Row::conflict)
        ++tr.row_conflicts;
      if (on_burst) on_burst({start, a, len, write});
      a += len;
    }
  }
  trans_.clear_extension(&timing);
  if (tr.bursts == 0) tr.first_ready_cycle = tr.first_data_cycle = issue_cycle;
  tr.done_cycle = tr.dram_done_cycle;
  if (!write && sram_bytes_per_cycle > 0 && tr.bytes > 0) {
    // The scratchpad's banks absorb at most sram_bytes_per_cycle from the first byte on.
    const double absorb_done = tr.first_data_cycle + static_cast<double>(tr.bytes) / sram_bytes_per_cycle;
    tr.done_cycle = std::max(tr.dram_done_cycle, absorb_done);
    const double words = std::ceil(static_cast<double>(tr.bytes) / static_cast<double>(sram_word_bytes));
    const double absorbed = std::floor((tr.dram_done_cycle - tr.first_data_cycle) * sram_bytes_per_cycle /
                                       static_cast<double>(sram_word_bytes));
    tr.bank_conflicts = static_cast<std::int64_t>(std::max(0.0, words - std::max(absorbed, 0.0)));
  }
  return tr;
}

}  // namespace arraysim::hw
