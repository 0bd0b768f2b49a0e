#include "sim/hw/dram_controller.hpp"

#include <algorithm>
#include <stdexcept>

namespace arraysim::hw {

using config::DramField;

DramAddressMap::DramAddressMap(const config::DramConfig& cfg)
    : bits_(cfg.address_mapping), banks_per_group_(static_cast<std::int32_t>(cfg.banks_per_group)) {
  while ((std::int64_t{1} << offset_bits_) < cfg.burst_bytes) ++offset_bits_;
}

DramCoord DramAddressMap::decode(std::uint64_t addr) const {
  std::uint64_t a = addr >> offset_bits_;
  std::int32_t field_bits[5] = {0, 0, 0, 0, 0};
  std::int32_t value[5] = {0, 0, 0, 0, 0};
  for (const DramField f : bits_) {
    const int k = static_cast<int>(f);
    value[k] |= static_cast<std::int32_t>(a & 1U) << field_bits[k]++;
    a >>= 1;
  }
  DramCoord c;
  c.channel = value[static_cast<int>(DramField::channel)];
  c.bank_group = value[static_cast<int>(DramField::bank_group)];
  c.bank = c.bank_group * banks_per_group_ + value[static_cast<int>(DramField::bank)];
  c.row = static_cast<std::int64_t>(a);
  return c;
}

DramController::DramController(const config::DramConfig& cfg, FrontEnd front_end)
    : cfg_(cfg),
      front_end_(front_end),
      t_(cfg.timing),
      burst_(cfg.burst_cycles()),
      map_(cfg),
      channels_(static_cast<std::size_t>(cfg.channels)) {
  for (Channel& ch : channels_) {
    ch.banks.assign(static_cast<std::size_t>(cfg.banks()), Bank{});
    ch.groups.assign(static_cast<std::size_t>(cfg.bank_groups), Group{});
    ch.refresh_due = cfg.refresh ? t_.refi : kNever;
    ch.next_event = ch.refresh_due;
  }
}

void DramController::use_bus(Channel& ch, std::int64_t t, bool row_command) {
  ch.scanned = 0, ch.scan_earliest = kNever;  // every command changes some request's earliest clock
  if (!cfg_.dual_command_bus)
    ch.row_bus_free = ch.col_bus_free = t + 1;
  else
    (row_command ? ch.row_bus_free : ch.col_bus_free) = t + 1;
}

std::pair<DramController::Cmd, std::int64_t> DramController::next_command(const Channel& ch, const Queued& q) const {
  const Bank& b = ch.banks[static_cast<std::size_t>(q.bank)];
  const Group& g = ch.groups[static_cast<std::size_t>(q.group)];
  if (b.open_row == q.row) {
    // Column command: bank (tRCD), bank group (tCCD_L, tWTR_L), rank (tCCD_S, tWTR_S, tRTW).
    if (q.write) return {Cmd::wr, std::max({b.next_wr, g.next_wr, ch.next_wr})};
    return {Cmd::rd, std::max({b.next_rd, g.next_rd, ch.next_rd})};
  }
  if (b.open_row >= 0) {
    // Another row is open: precharge it (tRAS, tRTP, tWR), unless a queued request still hits it.
    if (b.hits_pending > 0) return {Cmd::none, kNever};
    return {Cmd::pre, b.next_pre};
  }
  // Closed bank: ACT (bank tRC, tRP, tRFC; group tRRD_L; rank tRRD_S and tFAW).
  const std::int64_t faw = ch.faw[static_cast<std::size_t>(ch.faw_pos)] + t_.faw;
  return {Cmd::act, std::max({b.next_act, g.next_act, ch.next_act, faw})};
}

void DramController::do_act(Channel& ch, std::int64_t t, std::int32_t i, DramRequest& r) {
  const DramCoord& c = coord_[static_cast<std::size_t>(i)];
  Bank& b = ch.banks[static_cast<std::size_t>(c.bank)];
  Group& g = ch.groups[static_cast<std::size_t>(c.bank_group)];
  b.open_row = c.row;
  b.next_rd = t + t_.rcd;
  b.next_wr = t + t_.rcd_write;
  b.next_pre = std::max(b.next_pre, t + t_.ras);
  b.next_act = std::max(b.next_act, t + t_.rc);
  g.next_act = std::max(g.next_act, t + t_.rrd_l);
  ch.next_act = std::max(ch.next_act, t + t_.rrd_s);
  ch.faw[static_cast<std::size_t>(ch.faw_pos)] = t;
  ch.faw_pos = (ch.faw_pos + 1) % 4;
  b.hits_pending = 0;  // a closed bank has none
  for (const Queued& q : ch.queue)
    if (q.bank == c.bank && q.row == c.row) ++b.hits_pending;
  ch.hits += b.hits_pending;
  if (r.row == RowOutcome::none) r.row = RowOutcome::miss;
  ++stats_.activates;
  use_bus(ch, t, true);
}

void DramController::do_pre(Channel& ch, std::int64_t t, std::int32_t i, DramRequest& r) {
  Bank& b = ch.banks[static_cast<std::size_t>(coord_[static_cast<std::size_t>(i)].bank)];
  b.open_row = -1;
  b.hits_pending = 0;
  b.next_act = std::max(b.next_act, t + t_.rp);
  r.row = RowOutcome::conflict;
  ++stats_.precharges;
  use_bus(ch, t, true);
}

void DramController::do_column(Channel& ch, std::int64_t t, std::int32_t i, DramRequest& r) {
  const DramCoord& c = coord_[static_cast<std::size_t>(i)];
  Bank& b = ch.banks[static_cast<std::size_t>(c.bank)];
  Group& g = ch.groups[static_cast<std::size_t>(c.bank_group)];
  const std::int64_t spacing_s = std::max(t_.ccd_s, burst_), spacing_l = std::max(t_.ccd_l, burst_);
  if (r.write) {
    const std::int64_t data_end = t + t_.cwl + burst_;
    b.next_pre = std::max(b.next_pre, data_end + t_.wr);
    g.next_wr = std::max(g.next_wr, t + spacing_l);
    g.next_rd = std::max(g.next_rd, data_end + t_.wtr_l);
    ch.next_wr = std::max(ch.next_wr, t + spacing_s);
    ch.next_rd = std::max(ch.next_rd, data_end + t_.wtr_s);
    r.data_start = t + t_.cwl;
    ++stats_.writes;
  } else {
    b.next_pre = std::max(b.next_pre, t + t_.rtp);
    g.next_rd = std::max(g.next_rd, t + spacing_l);
    ch.next_rd = std::max(ch.next_rd, t + spacing_s);
    ch.next_wr = std::max(ch.next_wr, t + t_.rtw);
    r.data_start = t + t_.cl;
    ++stats_.reads;
  }
  r.column = t;
  r.data_end = r.data_start + burst_;
  if (!r.write) stats_.read_latency_sum += r.data_end - r.enqueue;
  if (r.row == RowOutcome::none) r.row = RowOutcome::hit;
  switch (r.row) {
    case RowOutcome::hit: ++stats_.row_hits; break;
    case RowOutcome::miss: ++stats_.row_misses; break;
    case RowOutcome::conflict: ++stats_.row_conflicts; break;
    case RowOutcome::none: break;
  }
  --b.hits_pending;
  --ch.hits;
  if (cfg_.page_policy == config::PagePolicy::closed && b.hits_pending == 0) {
    // Auto-precharge (RDA/WRA): the bank closes as soon as tRAS and tRTP (tWR) allow.
    b.open_row = -1;
    b.next_act = std::max(b.next_act, b.next_pre + t_.rp);
    ++stats_.precharges;
  }
  ch.queue.erase(std::find_if(ch.queue.begin(), ch.queue.end(), [i](const Queued& q) { return q.index == i; }));
  use_bus(ch, t, false);
}

bool DramController::refresh(Channel& ch, std::int64_t now) {
  // All-bank refresh: PREA once every open bank may close, then REF once every bank is
  // precharged (tRP after PREA, tRC after its last ACT); nothing else is issued meanwhile.
  bool open = false;
  std::int64_t pre = ch.row_bus_free, ref = ch.row_bus_free;
  for (const Bank& b : ch.banks) {
    if (b.open_row >= 0) open = true, pre = std::max(pre, b.next_pre);
    ref = std::max(ref, b.next_act);
  }
  if (open) {
    if (pre > now) return ch.next_event = pre, false;
    for (Bank& b : ch.banks)
      if (b.open_row >= 0) {
        ch.hits -= b.hits_pending;
        b.open_row = -1, b.hits_pending = 0, b.next_act = std::max(b.next_act, now + t_.rp_all);
      }
    ++stats_.precharges;
    use_bus(ch, now, true);
    ch.next_event = now + 1;
    return true;
  }
  if (ref > now) return ch.next_event = ref, false;
  for (Bank& b : ch.banks) b.next_act = std::max(b.next_act, now + t_.rfc);
  ch.refresh_due += t_.refi;
  ++stats_.refreshes;
  use_bus(ch, now, true);
  ch.next_event = now + 1;
  return true;
}

void DramController::issue(Channel& ch, std::int64_t now, std::vector<DramRequest>& reqs, std::int64_t& done,
                           bool& freed) {
  if (now >= ch.refresh_due) {
    refresh(ch, now);
    return;
  }
  ch.next_event = ch.refresh_due;
  bool issued = false;
  // Up to two passes with a dual command bus (a column, then a row command); one otherwise.
  for (int pass = 0; pass < (cfg_.dual_command_bus ? 2 : 1); ++pass) {
    std::int32_t col = -1, row = -1;
    Cmd row_cmd = Cmd::none;
    const bool col_bus = ch.col_bus_free <= now, row_bus = ch.row_bus_free <= now;
    // No column command can be legal before the rank allows one (tCCD_S, tWTR_S, tRTW) and the
    // column bus is free. When every queued request is a row hit, nothing can issue before then.
    const std::int64_t col_from = std::max(ch.col_bus_free, std::min(ch.next_rd, ch.next_wr));
    const bool col_possible = col_from <= now;
    if (!col_possible && ch.hits == static_cast<std::int64_t>(ch.queue.size())) {
      if (!issued) ch.next_event = std::min(ch.next_event, std::max(col_from, now + 1));
      break;
    }
    // Entries an earlier scan found with nothing legal before scan_earliest (> now) are skipped.
    const bool cached = ch.scan_earliest > now;
    std::size_t k = cached ? ch.scanned : 0;
    std::int64_t earliest = cached ? ch.scan_earliest : kNever, arriving = kNever;
    for (; k < ch.queue.size(); ++k) {
      const Queued& q = ch.queue[k];
      const std::int32_t i = q.index;
      if (q.enqueue >= now) {  // entered this clock (and so did every later one): decoded by the next
        arriving = q.enqueue + 1;
        break;
      }
      const auto [cmd, t] = next_command(ch, q);
      if (cmd == Cmd::none) continue;
      const bool column = cmd == Cmd::rd || cmd == Cmd::wr;
      const std::int64_t legal = std::max(t, column ? ch.col_bus_free : ch.row_bus_free);
      if (legal <= now && column && col_bus) {
        col = i;  // the oldest ready row hit wins
        break;
      }
      if (legal <= now && !column && row_bus && row < 0) {
        row = i, row_cmd = cmd;
        if (!col_possible) break;  // no younger row hit can go first
      }
      earliest = std::min(earliest, std::max(legal, now + 1));
    }
    if (col >= 0) {
      do_column(ch, now, col, reqs[static_cast<std::size_t>(col)]);
      ++done, freed = true, issued = true;
      continue;  // a dual bus may still issue a row command
    }
    if (row >= 0) {
      DramRequest& r = reqs[static_cast<std::size_t>(row)];
      if (row_cmd == Cmd::act)
        do_act(ch, now, row, r);
      else
        do_pre(ch, now, row, r);
      issued = true;
    }
    if (!issued) {
      ch.scanned = k, ch.scan_earliest = earliest;
      ch.next_event = std::min({ch.next_event, earliest, arriving});
    }
    break;
  }
  if (issued) ch.next_event = std::min(ch.next_event, now + 1);
}

void DramController::schedule(std::vector<DramRequest>& reqs) {
  const std::int64_t n = static_cast<std::int64_t>(reqs.size());
  if (n == 0) return;
  coord_.resize(reqs.size());
  for (std::size_t i = 0; i < reqs.size(); ++i) coord_[i] = map_.decode(reqs[i].addr);
  std::int64_t now = std::max(cursor_, reqs[0].arrival);
  for (const Channel& ch : channels_) now = std::min(now, std::max(cursor_, ch.next_event));
  std::int64_t next_in = 0, done = 0;
  while (done < n) {
    // The front end offers requests in order; each enters its channel's queue when it has room.
    bool blocked = false;
    const std::int64_t entered = next_in;
    while (next_in < n && reqs[static_cast<std::size_t>(next_in)].arrival <= now &&
           (front_end_ == FrontEnd::per_channel || next_in == entered)) {
      DramRequest& r = reqs[static_cast<std::size_t>(next_in)];
      const DramCoord& c = coord_[static_cast<std::size_t>(next_in)];
      Channel& ch = channels_[static_cast<std::size_t>(c.channel)];
      if (static_cast<std::int64_t>(ch.queue.size()) >= cfg_.queue_depth || ch.last_enqueue == now) {
        blocked = static_cast<std::int64_t>(ch.queue.size()) >= cfg_.queue_depth;
        break;
      }
      r.enqueue = now;
      r.row = RowOutcome::none;
      ch.queue.push_back(Queued{static_cast<std::int32_t>(next_in), c.bank, c.bank_group, r.write, c.row, now});
      ch.last_enqueue = now;
      Bank& b = ch.banks[static_cast<std::size_t>(c.bank)];
      if (b.open_row == c.row) ++b.hits_pending, ++ch.hits;
      ch.next_event = std::min(ch.next_event, now + 1);
      ++next_in;
    }
    bool freed = false;
    for (Channel& ch : channels_)
      if (ch.next_event <= now) issue(ch, now, reqs, done, freed);
    std::int64_t next = kNever;
    for (const Channel& ch : channels_) next = std::min(next, ch.next_event);
    if (next_in < n && (!blocked || freed))
      next = std::min(next, std::max(reqs[static_cast<std::size_t>(next_in)].arrival, now + 1));
    if (done == n) break;
    if (next >= kNever) throw std::logic_error("DramController: no request can make progress");
    now = next;
  }
  cursor_ = now + 1;
}

}  // namespace arraysim::hw
