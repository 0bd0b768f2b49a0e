#include "sim/hw/dram.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>

namespace arraysim::hw {

Dram::Dram(sc_core::sc_module_name name, const config::DramConfig& cfg, sc_core::sc_time period)
    : sc_core::sc_module(name), socket("socket"), cfg_(cfg), period_(period) {
  socket.register_b_transport(this, &Dram::b_transport);
  socket.register_transport_dbg(this, &Dram::transport_dbg);
}

DramTarget make_dram(const char* name, const config::DramConfig& cfg, double clock_mhz, sc_core::sc_time period) {
  switch (cfg.model) {
    case config::DramModel::ideal:
    case config::DramModel::simple: {
      auto dram = std::make_unique<Dram>(name, cfg, period);
      tlm::tlm_target_socket<>* socket = &dram->socket;
      return {std::move(dram), socket};
    }
    case config::DramModel::ddr4_3200:
    case config::DramModel::lpddr4_3200:
    case config::DramModel::hbm2: {
      auto dram = std::make_unique<BankedDram>(name, cfg, clock_mhz, period);
      tlm::tlm_target_socket<>* socket = &dram->socket;
      return {std::move(dram), socket};
    }
  }
  throw std::logic_error("make_dram: unknown DRAM model");
}

unsigned int DramStorage::debug(tlm::tlm_generic_payload& trans) {
  const std::uint64_t addr = trans.get_address();
  const unsigned len = trans.get_data_length();
  if (trans.is_write()) {
    if (addr + len > bytes_.size()) bytes_.resize(static_cast<std::size_t>(addr + len), 0);
    std::memcpy(bytes_.data() + addr, trans.get_data_ptr(), len);
    return len;
  }
  if (addr + len > bytes_.size()) return 0;
  std::memcpy(trans.get_data_ptr(), bytes_.data() + addr, len);
  return len;
}

bool DramStorage::access(tlm::tlm_generic_payload& trans) {
  unsigned char* data = trans.get_data_ptr();
  if (!data || bytes_.empty()) return true;  // nothing was placed in DRAM: timing only
  const std::uint64_t addr = trans.get_address();
  const unsigned len = trans.get_data_length();
  if (addr + len > bytes_.size()) return false;
  if (trans.is_read()) {
    std::memcpy(data, bytes_.data() + addr, len);
  } else if (trans.is_write()) {
    const unsigned char* be = trans.get_byte_enable_ptr();
    const unsigned be_len = trans.get_byte_enable_length();
    if (!be || be_len == 0) {
      std::memcpy(bytes_.data() + addr, data, len);
    } else {
      for (unsigned i = 0; i < len; ++i)
        if (be[i % be_len] == TLM_BYTE_ENABLED) bytes_[addr + i] = data[i];
    }
  }
  return true;
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
  const unsigned len = trans.get_data_length();
  const double now = sc_core::sc_time_stamp() / period_;
  const double t = now + delay / period_;
  DramTiming timing;
  timing.request_cycle = t;
  if (cfg_.model == config::DramModel::ideal) {
    timing.ready_cycle = timing.start_cycle = timing.done_cycle = t;
  } else {
    timing.ready_cycle = t + static_cast<double>(cfg_.latency_cycles);
    timing.start_cycle = reserve_bus(timing.ready_cycle, static_cast<double>(len) / cfg_.bytes_per_cycle);
    timing.done_cycle = timing.start_cycle + static_cast<double>(len) / cfg_.bytes_per_cycle;
  }
  if (!storage_.access(trans)) {
    trans.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return;
  }
  if (DramTiming* ext = trans.get_extension<DramTiming>()) *ext = timing;
  delay = (timing.done_cycle - now) * period_;
  trans.set_response_status(tlm::TLM_OK_RESPONSE);
}

BankedDram::BankedDram(sc_core::sc_module_name name, const config::DramConfig& cfg, double clock_mhz,
                       sc_core::sc_time period)
    : sc_core::sc_module(name),
      socket("socket"),
      cfg_(cfg),
      tck_cycles_(cfg.core_cycles_per_tck(clock_mhz)),
      period_(period),
      ctrl_(cfg) {
  socket.register_b_transport(this, &BankedDram::b_transport);
  socket.register_transport_dbg(this, &BankedDram::transport_dbg);
}

void BankedDram::b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
  const std::uint64_t addr = trans.get_address();
  const double now = sc_core::sc_time_stamp() / period_;
  const double t = now + delay / period_;
  const DramBatch* batch = trans.get_extension<DramBatch>();
  std::size_t index = 0;
  const bool continues = batch && batch->bursts && batch->index > 0 && batch->index < batch_.size() &&
                         batch_[batch->index].addr == addr && batch_[batch->index].write == trans.is_write();
  if (continues) {
    index = batch->index;
  } else {
    // A new transfer: every announced burst (or this one alone) arrives at the first DRAM clock
    // at or after t + latency.
    const auto arrival =
        static_cast<std::int64_t>(std::ceil((t + static_cast<double>(cfg_.latency_cycles)) / tck_cycles_ - 1e-9));
    batch_.clear();
    if (batch && batch->bursts && batch->index == 0 && !batch->bursts->empty() && (*batch->bursts)[0].addr == addr) {
      for (const DramBatch::Burst& b : *batch->bursts) batch_.push_back(DramRequest{b.addr, b.write, arrival});
    } else {
      batch_.push_back(DramRequest{addr, trans.is_write(), arrival});
    }
    const std::int64_t before = ctrl_.stats().refreshes;
    ctrl_.schedule(batch_);
    batch_refreshes_ = ctrl_.stats().refreshes - before;
  }
  const DramRequest& r = batch_[index];
  DramTiming timing;
  timing.request_cycle = t;
  timing.ready_cycle = timing.start_cycle = static_cast<double>(r.data_start) * tck_cycles_;
  timing.done_cycle = static_cast<double>(r.data_end) * tck_cycles_;
  timing.row = r.row == RowOutcome::hit    ? DramTiming::Row::hit
               : r.row == RowOutcome::miss ? DramTiming::Row::miss
                                           : DramTiming::Row::conflict;
  timing.arrival_tck = r.arrival;
  timing.data_end_tck = r.data_end;
  timing.refreshes = index == 0 ? batch_refreshes_ : 0;
  if (!storage_.access(trans)) {
    trans.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    return;
  }
  if (DramTiming* ext = trans.get_extension<DramTiming>()) *ext = timing;
  delay = std::max(0.0, timing.done_cycle - now) * period_;
  trans.set_response_status(tlm::TLM_OK_RESPONSE);
}

}  // namespace arraysim::hw
