#include "sim/hw/dma.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>

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
                       const std::function<void(const BurstRecord&)>& on_burst) {
  // Coalesce the runs into whole, aligned bursts (runs are sorted: a shared burst is adjacent).
  const std::int64_t B = burst_bytes_;
  bursts_.clear(), useful_.clear(), enables_.clear();
  for (const lower::DramRun& run : runs) {
    for (std::int64_t a = run.addr; a < run.addr + run.bytes;) {
      const std::int64_t base = a / B * B;
      const std::int64_t end = std::min(base + B, run.addr + run.bytes);
      if (bursts_.empty() || bursts_.back().addr != static_cast<std::uint64_t>(base)) {
        bursts_.push_back({static_cast<std::uint64_t>(base), write});
        useful_.push_back(0);
        if (write) enables_.resize(enables_.size() + static_cast<std::size_t>(B), TLM_BYTE_DISABLED);
      }
      useful_.back() += end - a;
      if (write) std::fill_n(enables_.end() - B + (a - base), end - a, static_cast<unsigned char>(TLM_BYTE_ENABLED));
      a = end;
    }
  }
  Transfer tr;
  tr.issue_cycle = issue_cycle;
  tr.first_ready_cycle = tr.first_data_cycle = std::numeric_limits<double>::infinity();
  tr.dram_done_cycle = issue_cycle;
  const double now = sc_core::sc_time_stamp() / period_;
  const std::int64_t number = transfers_++;
  DramTiming timing;
  DramBatch batch;
  batch.bursts = &bursts_;
  trans_.set_extension(&timing);
  trans_.set_extension(&batch);
  for (std::size_t k = 0; k < bursts_.size(); ++k) {
    const std::int64_t a = static_cast<std::int64_t>(bursts_[k].addr);
    trans_.set_command(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
    trans_.set_address(bursts_[k].addr);
    trans_.set_data_ptr(shadow ? shadow + a : scratch_.data());
    trans_.set_data_length(static_cast<unsigned>(B));
    trans_.set_streaming_width(static_cast<unsigned>(B));
    const bool partial = write && useful_[k] < B;
    trans_.set_byte_enable_ptr(partial ? &enables_[k * static_cast<std::size_t>(B)] : nullptr);
    trans_.set_byte_enable_length(partial ? static_cast<unsigned>(B) : 0);
    trans_.set_dmi_allowed(false);
    trans_.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    timing = DramTiming{};
    batch.index = k;
    sc_core::sc_time delay = (issue_cycle - now) * period_;
    socket->b_transport(trans_, delay);
    if (trans_.is_response_error()) {
      trans_.clear_extension(&timing);
      trans_.clear_extension(&batch);
      throw std::runtime_error("DRAM answered " + trans_.get_response_string() + " to a " + (write ? "write" : "read") +
                               " of " + std::to_string(B) + " bytes at address " + std::to_string(a));
    }
    // A target without the DramTiming extension (an external model) still annotates its delay:
    // the whole transfer then counts as data on the bus.
    const bool timed = timing.done_cycle > 0 || timing.request_cycle > 0;
    const double done = timed ? timing.done_cycle : now + delay / period_;
    const double start = timed ? timing.start_cycle : issue_cycle;
    const double ready = timed ? timing.ready_cycle : issue_cycle;
    tr.first_ready_cycle = std::min(tr.first_ready_cycle, ready);
    tr.first_data_cycle = std::min(tr.first_data_cycle, start);
    tr.dram_done_cycle = std::max(tr.dram_done_cycle, done);
    tr.bytes += B;
    tr.useful_bytes += useful_[k];
    ++tr.bursts;
    if (timing.row == DramTiming::Row::hit)
      ++tr.row_hits;
    else if (timing.row == DramTiming::Row::miss)
      ++tr.row_misses;
    else if (timing.row == DramTiming::Row::conflict)
      ++tr.row_conflicts;
    tr.refreshes += timing.refreshes;
    if (timing.arrival_tck >= 0 && (tr.first_arrival_tck < 0 || timing.arrival_tck < tr.first_arrival_tck))
      tr.first_arrival_tck = timing.arrival_tck;
    tr.last_data_end_tck = std::max(tr.last_data_end_tck, timing.data_end_tck);
    if (on_burst) on_burst({start, a, B, write, issue_cycle, number});
  }
  trans_.clear_extension(&timing);
  trans_.clear_extension(&batch);
  if (tr.bursts == 0) tr.first_ready_cycle = tr.first_data_cycle = issue_cycle;
  tr.done_cycle = tr.dram_done_cycle;
  return tr;
}

}  // namespace arraysim::hw
