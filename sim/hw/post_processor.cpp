#include "sim/hw/post_processor.hpp"

#include <algorithm>
#include <cstring>
#include <limits>
#include <optional>
#include <stdexcept>

#include "sim/hw/cycles.hpp"
#include "sim/hw/vector_ops.hpp"

namespace arraysim::hw {

namespace {
/// Tensors start at multiples of this many bytes in the unit's DRAM image.
constexpr std::int64_t kRegionAlign = 4096;
std::int64_t round_up(std::int64_t x, std::int64_t a) { return (x + a - 1) / a * a; }
}  // namespace

PostProcessor::PostProcessor(sc_core::sc_module_name name, const config::ArchConfig& arch, Dma& dma, Recorder& rec,
                             sc_core::sc_time period)
    : sc_core::sc_module(name), arch_(arch), dma_(dma), rec_(rec), period_(period) {
  SC_THREAD(run);
}

std::int64_t PostProcessor::now() const { return ceil_cycle(sc_core::sc_time_stamp() / period_); }

void PostProcessor::wait_until(std::int64_t cycle) {
  const double t = sc_core::sc_time_stamp() / period_;
  if (static_cast<double>(cycle) > t + 1e-9) sc_core::wait(period_ * (static_cast<double>(cycle) - t));
}

void PostProcessor::start(const plan::VectorOpPlan& p, const std::vector<ir::Tensor>* inputs, std::int64_t base) {
  plan_ = &p;
  inputs_ = inputs;
  base_ = end_ = base;
  done_ = false;
  error_.clear();
  start_event_.notify(sc_core::SC_ZERO_TIME);
}

Transfer PostProcessor::move(bool write, std::int64_t addr, std::int64_t bytes, plan::Operand op) {
  const std::vector<lower::DramRun> runs{{addr, bytes}};
  Transfer tr =
      dma_.transfer(write, runs, shadow_.empty() ? nullptr : shadow_.data(), sc_core::sc_time_stamp() / period_, {});
  rec_.count_dram(tr, op, write);
  stats::MemoryResult& m = rec_.layer().memory;
  // Loads fill the ifmap scratchpad (resident operands count as weights), stores drain the output.
  if (write)
    m.sram_read_bytes.output += bytes;
  else
    (op == plan::Operand::a ? m.sram_write_bytes.ifmap : m.sram_write_bytes.weight) += bytes;
  return tr;
}

/// The lanes' sequencer for one chunk starting in cycle `from`: an instruction issues one step of
/// `lanes` elements per cycle, its last result is out latency − 1 cycles after its last issue,
/// and the next instruction starts in the cycle after that. Then, per unit, the add trees of its
/// lane reductions and its scalar instructions. Returns the cycle after the last result.
std::int64_t PostProcessor::compute_chunk(std::int64_t from, const plan::VectorChunk& ch) {
  const plan::VectorOpCost& c = plan_->cost;
  const config::PostProcessorConfig& pp = arch_.post_processor;
  const std::int64_t steps = plan::vector_steps(c, ch.units, pp.lanes);
  std::int64_t t = from;
  if (steps > 0) {
    for (plan::PostOp op : c.per_element) {
      const std::int64_t last_issue = t + steps - 1;
      t = last_issue + pp.latency_cycles[static_cast<std::size_t>(op)];
    }
  }
  const std::int64_t alu = pp.latency_cycles[static_cast<std::size_t>(plan::PostOp::alu)];
  for (std::int64_t u = 0; u < ch.units; ++u) {
    t += c.lane_reductions * plan::tree_levels(pp.lanes) * alu;
    for (plan::PostOp op : c.per_unit) t += pp.latency_cycles[static_cast<std::size_t>(op)];
  }
  stats::MemoryResult& m = rec_.layer().memory;
  for (std::size_t i = 0; i < ch.input_bytes.size(); ++i) m.sram_read_bytes.ifmap += ch.input_bytes[i];
  m.sram_write_bytes.output += ch.output_bytes;
  return t;
}

void PostProcessor::run() {
  for (;;) {
    sc_core::wait(start_event_);
    const plan::VectorOpPlan& p = *plan_;
    // The operator's DRAM image: each input, then the output, at aligned region starts.
    input_addr_.clear();
    std::int64_t cursor = 0;
    for (std::int64_t b : p.input_bytes) {
      input_addr_.push_back(cursor);
      cursor += round_up(std::max<std::int64_t>(b, 1), kRegionAlign);
    }
    // A layout-only operator's output is its input under a new shape: the same bytes, no work.
    output_addr_ = p.layout_only && !input_addr_.empty() ? input_addr_[0] : cursor;
    const std::int64_t burst = arch_.dram.burst_bytes;
    const std::int64_t image = round_up(cursor + std::max<std::int64_t>(p.output_bytes, 1), burst);
    stats::MemoryResult& m = rec_.layer().memory;
    m.dram_footprint_bytes = p.output_bytes;
    for (std::int64_t b : p.input_bytes) m.dram_footprint_bytes += b;
    if (arch_.dram.banked())
      m.dram_row_hits = m.dram_row_misses = m.dram_row_conflicts = m.dram_refreshes = m.dram_cycles = 0;
    shadow_.clear();
    if (inputs_) {
      // Inputs go in through the debug transport; the unit's result waits in the output buffer
      // image, from where the timed stores carry it to DRAM.
      shadow_.assign(static_cast<std::size_t>(image), 0);
      for (std::size_t i = 0; i < inputs_->size(); ++i)
        if ((*inputs_)[i].size_bytes() > 0)
          std::memcpy(shadow_.data() + input_addr_[i], (*inputs_)[i].raw_bytes(), (*inputs_)[i].size_bytes());
      dma_.debug_write(0, shadow_.data(), image);
      std::fill(shadow_.begin(), shadow_.end(), 0);
      try {
        std::vector<const ir::Tensor*> in;
        for (const ir::Tensor& t : *inputs_) in.push_back(&t);
        const ir::Tensor out = vector_op_values(p.op, in, p.output);
        if (out.size_bytes() > 0 && !p.layout_only)
          std::memcpy(shadow_.data() + output_addr_, out.raw_bytes(), out.size_bytes());
      } catch (const std::exception& e) {
        error_ = ir::node_prefix(p.op) + e.what();
        done_ = true;
        done_event_.notify(sc_core::SC_ZERO_TIME);
        continue;
      }
    }

    const std::size_t n = p.chunks.size();
    const std::int64_t hb_in = arch_.ifmap.double_buffered ? 2 : 1, hb_out = arch_.output.double_buffered ? 2 : 1;
    constexpr std::int64_t kUnknown = std::numeric_limits<std::int64_t>::max();
    std::vector<Transfer> load(n), store(n);
    std::vector<std::int64_t> load_done(n, kUnknown), comp_end(n, kUnknown), store_done(n, kUnknown);
    std::int64_t ready0 = base_;            // the resident operands are in
    std::optional<Transfer> resident_last;  // the resident load that ends last
    for (std::size_t i = 0; i < p.inputs.size() && n > 0; ++i) {
      if (!p.resident[i] || p.input_bytes[i] == 0) continue;
      const Transfer tr = move(false, input_addr_[i], p.input_bytes[i], plan::Operand::b);
      if (ceil_cycle(tr.done_cycle) >= ready0) {
        ready0 = ceil_cycle(tr.done_cycle);
        resident_last = tr;
      }
    }
    const std::int64_t setup_end = base_ + p.setup_cycles;
    std::int64_t compute_free = setup_end;  // the lanes finish the previous chunk
    std::size_t kl = 0, ks = 0, kc = 0;     // next chunk to load, store, compute
    while (ks < n) {
      // Compute every chunk whose operands are in and whose output half is free.
      while (kc < n && load_done[kc] != kUnknown &&
             (kc < static_cast<std::size_t>(hb_out) || store_done[kc - hb_out] != kUnknown)) {
        const std::int64_t in_ready = kc == 0 ? std::max(load_done[0], ready0) : load_done[kc];
        const std::int64_t half_free = kc < static_cast<std::size_t>(hb_out) ? base_ : store_done[kc - hb_out];
        const std::int64_t start = std::max({compute_free, in_ready, half_free});
        if (start > compute_free) {
          if (half_free > in_ready)
            rec_.add_stall(compute_free, start, store[kc - hb_out], true);
          else if (kc == 0 && resident_last && ready0 > load_done[0])
            rec_.add_stall(compute_free, start, *resident_last);
          else
            rec_.add_stall(compute_free, start, load[kc]);
        }
        comp_end[kc] = compute_chunk(start, p.chunks[kc]);
        compute_free = comp_end[kc];
        ++kc;
      }
      // The next DMA action in time order: a load into a free ifmap half, or a computed chunk's store.
      std::int64_t load_at = kUnknown, store_at = kUnknown;
      if (kl < n && (kl < static_cast<std::size_t>(hb_in) || comp_end[kl - hb_in] != kUnknown))
        load_at = std::max(base_, kl < static_cast<std::size_t>(hb_in) ? base_ : comp_end[kl - hb_in]);
      if (ks < kc) store_at = comp_end[ks];
      if (load_at == kUnknown && store_at == kUnknown) {
        error_ = "internal: the post-processing unit's schedule of " + ir::node_prefix(p.op) + "cannot proceed";
        break;
      }
      if (load_at <= store_at) {
        wait_until(load_at);
        const plan::VectorChunk& ch = p.chunks[kl];
        Transfer tr{};
        tr.issue_cycle = tr.first_ready_cycle = tr.first_data_cycle = tr.dram_done_cycle = tr.done_cycle =
            static_cast<double>(load_at);
        bool any = false;
        for (std::size_t i = 0; i < p.inputs.size(); ++i) {
          // A fused operator's data operand is still on chip (the array's output): no load.
          if (p.resident[i] || ch.input_bytes[i] == 0 || (i == 0 && p.input_on_chip)) continue;
          const Transfer t = move(false, input_addr_[i] + ch.input_offset[i], ch.input_bytes[i], plan::Operand::a);
          if (!any || t.done_cycle > tr.done_cycle) tr = t;
          any = true;
        }
        load[kl] = tr;
        load_done[kl] = std::max(load_at, ceil_cycle(tr.done_cycle));
        ++kl;
      } else {
        // A chunk's store is issued when the lanes have its last result.
        wait_until(store_at);
        const plan::VectorChunk& ch = p.chunks[ks];
        if (p.output_on_chip) {
          // The next operator of a fused chain takes the chunk on chip: nothing goes to DRAM.
          store[ks].issue_cycle = store[ks].first_ready_cycle = store[ks].first_data_cycle = store[ks].dram_done_cycle =
              store[ks].done_cycle = static_cast<double>(store_at);
        } else {
          store[ks] = move(true, output_addr_ + ch.output_offset, ch.output_bytes, plan::Operand::c);
        }
        store_done[ks] = std::max(store_at, ceil_cycle(store[ks].done_cycle));
        ++ks;
      }
    }
    end_ = n == 0 ? base_ : compute_free;
    if (n > 0 && store_done[n - 1] > end_) {
      rec_.add_stall(end_, store_done[n - 1], store[n - 1], true);
      end_ = store_done[n - 1];
    }
    for (std::size_t k = 0; k + 1 < n; ++k) end_ = std::max(end_, store_done[k]);
    // An output kept on chip is where the next step reads it from all the same (no time).
    if (p.output_on_chip && !shadow_.empty() && p.output_bytes > 0)
      dma_.debug_write(output_addr_, shadow_.data() + output_addr_, p.output_bytes);
    wait_until(end_);
    done_ = true;
    done_event_.notify(sc_core::SC_ZERO_TIME);
  }
}

ir::Tensor PostProcessor::read_output() {
  const plan::VectorOpPlan& p = *plan_;
  ir::Tensor out(p.output.dtype, p.output.shape);
  if (p.output_bytes > 0) dma_.debug_read(output_addr_, out.raw_bytes(), p.output_bytes);
  return out;
}

}  // namespace arraysim::hw
