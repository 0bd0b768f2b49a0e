#include "sim/hw/dram.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace arraysim::hw {

Dram::Dram(sc_core::sc_module_name name, const config::DramConfig& cfg, sc_core::sc_time period)
    : sc_core::sc_module(name), socket("socket"), cfg_(cfg), period_(period) {
  socket.register_b_transport(this, &Dram::b_transport);
  socket.register_transport_dbg(this, &Dram::transport_dbg);
  if (cfg_.banked()) {
    open_row_.assign(static_cast<std::size_t>(cfg_.banks), -1);
    bank_free_.assign(static_cast<std::size_t>(cfg_.banks), 0.0);
    row_open_.assign(static_cast<std::size_t>(cfg_.banks), 0.0);
  }
}

DramTarget make_dram(const char* name, const config::DramConfig& cfg, sc_core::sc_time period) {
  switch (cfg.model) {
    case config::DramModel::ideal:
    case config::DramModel::simple:
    case config::DramModel::ddr4_3200:
    case config::DramModel::hbm2: {
      // One module serves all four: ideal takes no time, the presets add row buffers (cfg.banks).
      auto dram = std::make_unique<Dram>(name, cfg, period);
      tlm::tlm_target_socket<>* socket = &dram->socket;
      return {std::move(dram), socket};
    }
  }
  throw std::logic_error("make_dram: unknown DRAM model");
}

unsigned int Dram::transport_dbg(tlm::tlm_generic_payload& trans) {
  const std::uint64_t addr = trans.get_address();
  const unsigned len = trans.get_data_length();
  if (trans.is_write()) {
    if (addr + len > storage_.size()) storage_.resize(static_cast<std::size_t>(addr + len), 0);
    std::memcpy(storage_.data() + addr, trans.get_data_ptr(), len);
    return len;
  }
  if (addr + len > storage_.size()) return 0;
  std::memcpy(trans.get_data_ptr(), storage_.data() + addr, len);
  return len;
}

double Dram::reserve_bus(double ready, double duration) {
  double start = ready;
  auto it = busy_.upper_bound(start);
  if (it != busy_.begin()) {
    auto prev = std::prev(it);
    if (prev->second > start) start = prev->second;
  }
  while (it != busy_.end() && it->first < start + duration) {
    start = std::max(start, it->second);
    ++it;
  }
  const double end = start + duration;
  // Insert [start, end) and merge with touching neighbours.
  auto pos = busy_.emplace(start, end).first;
  if (pos != busy_.begin()) {
    auto prev = std::prev(pos);
    if (prev->second >= start) {
      prev->second = std::max(prev->second, end);
      busy_.erase(pos);
      pos = prev;
    }
  }
  auto next = std::next(pos);
  while (next != busy_.end() && next->first <= pos->second) {
    pos->second = std::max(pos->second, next->second);
    next = busy_.erase(next);
  }
  // Bound the map: reservations far in the past no longer matter (requests are never annotated
  // earlier than the current time stamp).
  const double now = sc_core::sc_time_stamp() / period_;
  while (busy_.size() > 1 && busy_.begin()->second < now) busy_.erase(busy_.begin());
  return start;
}

void Dram::b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
  const std::uint64_t addr = trans.get_address();
  const unsigned len = trans.get_data_length();
  const double now = sc_core::sc_time_stamp() / period_;
  const double t = now + delay / period_;
  DramTiming timing;
  timing.request_cycle = t;
  if (cfg_.model == config::DramModel::ideal) {
    timing.ready_cycle = timing.start_cycle = timing.done_cycle = t;
  } else {
    double ready = t;
    std::size_t bank = 0;
    if (cfg_.banked()) {
      const std::uint64_t row_index = addr / static_cast<std::uint64_t>(cfg_.row_bytes);
      bank = static_cast<std::size_t>(row_index % static_cast<std::uint64_t>(cfg_.banks));
      const auto row = static_cast<std::int64_t>(row_index / static_cast<std::uint64_t>(cfg_.banks));
      if (open_row_[bank] == row) {
        // A row hit needs no bank operation: column commands pipeline behind the open row.
        timing.row = DramTiming::Row::hit;
        ready = std::max(t, row_open_[bank]);
      } else {
        // Opening a row waits until the bank's last data has left (precharge after the read).
        const bool miss = open_row_[bank] < 0;
        timing.row = miss ? DramTiming::Row::miss : DramTiming::Row::conflict;
        ready =
            std::max(t, bank_free_[bank]) + static_cast<double>(miss ? cfg_.row_miss_cycles : cfg_.row_conflict_cycles);
        row_open_[bank] = ready;
      }
      open_row_[bank] = row;
    }
    ready += static_cast<double>(cfg_.latency_cycles);
    timing.ready_cycle = ready;
    timing.start_cycle = reserve_bus(ready, static_cast<double>(len) / cfg_.bytes_per_cycle);
    timing.done_cycle = timing.start_cycle + static_cast<double>(len) / cfg_.bytes_per_cycle;
    if (cfg_.banked()) bank_free_[bank] = std::max(bank_free_[bank], timing.done_cycle);
  }
  unsigned char* data = trans.get_data_ptr();
  if (data && !storage_.empty()) {
    if (addr + len > storage_.size()) {
      trans.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
      return;
    }
    if (trans.is_read())
      std::memcpy(data, storage_.data() + addr, len);
    else if (trans.is_write())
      std::memcpy(storage_.data() + addr, data, len);
  }
  if (DramTiming* ext = trans.get_extension<DramTiming>()) *ext = timing;
  delay = (timing.done_cycle - now) * period_;
  trans.set_response_status(tlm::TLM_OK_RESPONSE);
}

}  // namespace arraysim::hw
