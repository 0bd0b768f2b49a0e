#include "sim/hw/recorder.hpp"

#include <algorithm>
#include <cmath>

#include "sim/hw/cycles.hpp"

namespace arraysim::hw {

void Recorder::begin_layer(std::size_t index, const std::string& name, std::int64_t base) {
  index_ = index;
  name_ = name;
  base_ = base;
  counters_[index].start_cycle = base;
  first_arrival_tck_ = last_data_end_tck_ = -1;
  windows_.clear();
  stall_spans_.clear();
  dma_spans_.clear();
}

void Recorder::add_stall(std::int64_t from, std::int64_t to, StallCause cause) {
  layer().memory.stall_cycles.*cause += to - from;
  if (opt_.timeline) stall_spans_.push_back({from, to, cause});
}

void Recorder::add_stall(std::int64_t from, std::int64_t to, const Transfer& tr, bool write_back) {
  const std::int64_t issue = ceil_cycle(tr.issue_cycle);
  const std::int64_t ready = std::max(issue, ceil_cycle(std::min(tr.first_ready_cycle, tr.first_data_cycle)));
  const std::int64_t dram_done = std::max(ready, ceil_cycle(tr.dram_done_cycle));
  const std::int64_t done = std::max(dram_done, to);
  auto part = [&](std::int64_t a, std::int64_t b, StallCause cause) {
    a = std::max(a, from), b = std::min(b, to);
    if (b > a) add_stall(a, b, cause);
  };
  part(from, issue, &stats::StallCycles::dependency);
  part(issue, ready, &stats::StallCycles::dram_latency);
  part(ready, dram_done, write_back ? &stats::StallCycles::dram_write_bandwidth : &stats::StallCycles::dram_bandwidth);
  part(dram_done, done, &stats::StallCycles::bank_conflict);
}

void Recorder::count_dram(const Transfer& tr, plan::Operand op, bool write) {
  stats::MemoryResult& m = layer().memory;
  const auto pick = [op](stats::OperandBytes& b) -> std::int64_t& {
    return op == plan::Operand::a ? b.ifmap : op == plan::Operand::b ? b.weight : b.output;
  };
  pick(write ? m.dram_write_bytes : m.dram_read_bytes) += tr.bytes;
  pick(write ? m.dram_useful_write_bytes : m.dram_useful_read_bytes) += tr.useful_bytes;
  if (!m.dram_row_hits) return;  // no row-buffer model
  *m.dram_row_hits += tr.row_hits, *m.dram_row_misses += tr.row_misses, *m.dram_row_conflicts += tr.row_conflicts;
  *m.dram_refreshes += tr.refreshes;
  if (tr.first_arrival_tck >= 0) {
    if (first_arrival_tck_ < 0 || tr.first_arrival_tck < first_arrival_tck_) first_arrival_tck_ = tr.first_arrival_tck;
    last_data_end_tck_ = std::max(last_data_end_tck_, tr.last_data_end_tck);
    m.dram_cycles = last_data_end_tck_ - first_arrival_tck_;
  }
}

void Recorder::add_dma_span(const std::string& unit, const std::string& name, double from, double to,
                            std::int64_t bytes) {
  if (opt_.timeline) dma_spans_.push_back({unit, name, from, to, bytes});
}

void Recorder::add_burst(const BurstRecord& b, plan::Operand op) {
  layer().dram_access_cycles.add(static_cast<int>(op), floor_cycle(b.cycle) - base_);
  // The window of the burst's first byte (no rounding tolerance: a window starts at a whole cycle).
  windows_[static_cast<std::int64_t>(std::floor((b.cycle - static_cast<double>(base_)) / kWindowCycles))] +=
      static_cast<double>(b.bytes);
  if (opt_.trace_dram)
    layer().accesses.push_back(stats::AccessRecord{floor_cycle(b.cycle), "dram", plan::operand_name(op),
                                                   b.write ? "write" : "read", b.addr, b.bytes, name_,
                                                   ceil_cycle(b.issue_cycle), b.transfer});
}

void Recorder::add_dma_access(double cycle, plan::Operand op, const char* kind, std::int64_t address,
                              std::int64_t bytes) {
  if (opt_.trace_sram)
    layer().accesses.push_back(
        stats::AccessRecord{floor_cycle(cycle), "dma", plan::operand_name(op), kind, address, bytes, name_});
}

void Recorder::count_fold(const plan::FoldWords& w, std::int64_t a_elem, std::int64_t b_elem, std::int64_t c_elem) {
  LayerCounters& lc = layer();
  stats::MemoryResult& m = lc.memory;
  m.sram_read_bytes.ifmap += w.a_read * a_elem;
  m.sram_read_bytes.weight += w.b_read * b_elem;
  m.sram_write_bytes.output += w.c_write * c_elem;
  m.sram_read_bytes.output += w.c_read * c_elem;
  lc.array_read_words.ifmap += w.a_read, lc.array_read_words.weight += w.b_read;
  lc.array_write_words.output += w.c_write, lc.array_read_words.output += w.c_read;
}

void Recorder::count_vector_fold(const plan::VectorCounts& vc, std::int64_t a_elem, std::int64_t b_elem,
                                 std::int64_t c_elem) {
  count_fold({vc.a_read_words, vc.b_read_words, vc.c_write_words, vc.c_read_words}, a_elem, b_elem, c_elem);
  LayerCounters& lc = layer();
  lc.vector_steps += vc.steps;
  lc.stall_read_bandwidth_cycles += vc.stall_read_bandwidth_cycles;
}

void Recorder::end_layer(std::int64_t total, std::int64_t macs, const plan::Schedule* s,
                         const std::vector<plan::FoldTiming>& folds, const plan::TraceLayout& halves) {
  LayerCounters& lc = layer();
  lc.total_cycles = total;
  lc.stall_cycles = lc.memory.stall_cycles.total();
  lc.compute_cycles = total - lc.stall_cycles;
  stats::MemoryResult& m = lc.memory;
  if (total > 0)
    m.dram_bandwidth_avg_bytes_per_cycle = static_cast<double>(m.dram_bytes()) / static_cast<double>(total);
  double peak = 0;
  for (const auto& [w, b] : windows_) peak = std::max(peak, b);
  m.dram_bandwidth_peak_bytes_per_cycle = peak / kWindowCycles;
  if (opt_.timeline) record_timeline(lc, total, macs);
  if (s && opt_.trace_sram) {
    // The array's edge reads and output writes, from the fold timings (docs/memory.md layouts).
    const plan::Dataflow& df = plan::dataflow(s->dataflow);
    const plan::AccessSink sink = [&](std::int64_t cycle, plan::Operand op, const char* kind, std::int64_t addr,
                                      std::int64_t bytes) {
      lc.accesses.push_back(stats::AccessRecord{cycle, "pe_array", plan::operand_name(op), kind, addr, bytes, name_});
    };
    for (const plan::Tile& t : s->tiles) {
      const plan::TraceLayout l = plan::tile_halves(halves, t);
      for (std::int64_t f = t.fold_begin; f < t.fold_end; ++f)
        df.trace(df.fold_at(t, s->fold_rows, s->fold_cols, f - t.fold_begin), t, folds[static_cast<std::size_t>(f)],
                 s->rows, l, sink);
    }
    std::stable_sort(lc.accesses.begin(), lc.accesses.end(),
                     [](const stats::AccessRecord& a, const stats::AccessRecord& b) { return a.cycle < b.cycle; });
  }
}

void Recorder::fold_spans(const std::array<plan::AccessSpan, 3>& spans) {
  for (int op = 0; op < 3; ++op) {
    layer().sram_access_cycles.add(op, spans[static_cast<std::size_t>(op)].first);
    layer().sram_access_cycles.add(op, spans[static_cast<std::size_t>(op)].last);
  }
}

void Recorder::record_timeline(LayerCounters& lc, std::int64_t total, std::int64_t macs) {
  lc.timeline.push_back({"layer", name_, name_, base_, total, 0, 0});
  std::sort(stall_spans_.begin(), stall_spans_.end(),
            [](const StallSpan& a, const StallSpan& b) { return a.from < b.from; });
  // The layer's MACs are spread over its compute cycles: a span ending after `done` compute
  // cycles holds macs·done/compute − (the same for the spans before), so the spans add up to macs.
  const std::int64_t compute = lc.compute_cycles;
  std::int64_t busy_from = base_, done = 0, macs_given = 0;
  auto busy = [&](std::int64_t to) {
    if (to <= busy_from || compute <= 0) return;
    done += to - busy_from;
    __extension__ typedef __int128 Wide;  // macs·done exceeds 64 bits on large layers
    const auto upto = static_cast<std::int64_t>(static_cast<Wide>(macs) * done / compute);
    lc.timeline.push_back({"pe_array", "compute", name_, busy_from, to - busy_from, upto - macs_given, 0});
    macs_given = upto;
  };
  for (const StallSpan& sp : stall_spans_) {
    busy(sp.from);
    const char* cause = "";
    for (const stats::StallCause& c : stats::kStallCauses)
      if (c.cycles == sp.cause) cause = c.name;
    lc.timeline.push_back({"stall", std::string("stall ") + cause, name_, sp.from, sp.to - sp.from, 0, 0});
    busy_from = sp.to;
  }
  busy(base_ + total);
  for (const DmaSpan& d : dma_spans_)
    lc.timeline.push_back({d.unit, d.name, name_, ceil_cycle(d.from),
                           std::max<std::int64_t>(0, ceil_cycle(d.to) - ceil_cycle(d.from)), 0, d.bytes});
  dma_spans_.clear();
}

}  // namespace arraysim::hw
