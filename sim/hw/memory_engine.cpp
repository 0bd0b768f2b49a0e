#include "sim/hw/memory_engine.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "sim/hw/cycles.hpp"
#include "sim/hw/vector_unit.hpp"

namespace arraysim::hw {

using plan::Operand;

// ------------------------------------------------------------------------------- BlockTracker

void BlockTracker::begin_layer(const plan::Schedule& s) {
  s_ = &s;
  const std::size_t nt = s.tiles.size();
  for (auto& b : block_of_) b.assign(nt, 0);
  for (auto& b : blocks_) b.assign(nt, Block{});
  // A (B) blocks: a tile that does not load its A (B) reuses the previous tile's. A C block runs
  // from a tile with new_c to the tile with store_c (k innermost: consecutive tiles).
  for (std::size_t t = 0; t < nt; ++t) {
    const plan::Tile& tile = s.tiles[t];
    block_of_[0][t] = tile.load_a || t == 0 ? t : block_of_[0][t - 1];
    block_of_[1][t] = tile.load_b || t == 0 ? t : block_of_[1][t - 1];
  }
  for (std::size_t t = nt; t-- > 0;) block_of_[2][t] = s.tiles[t].store_c || t + 1 == nt ? t : block_of_[2][t + 1];
  for (std::size_t t = 0; t < nt; ++t)
    for (int op = 0; op < 3; ++op)
      blocks_[op][block_of_[op][t]].folds_left += s.tiles[t].fold_end - s.tiles[t].fold_begin;
}

std::optional<BlockDone> BlockTracker::done(Operand op, std::int64_t f, std::int64_t cycle) {
  const int o = static_cast<int>(op);
  const std::size_t block = block_of_[o][static_cast<std::size_t>(s_->tile_of(f))];
  Block& b = blocks_[o][block];
  b.last_cycle = std::max(b.last_cycle, cycle);
  if (--b.folds_left > 0) return std::nullopt;
  return BlockDone{op, block, b.last_cycle + 1};
}

// ------------------------------------------------------------------------------- MemoryEngine

MemoryEngine::MemoryEngine(sc_core::sc_module_name name, const config::ArchConfig& arch, Dma& dma, Recorder& rec,
                           TileBuffers* buffers, sc_core::sc_time period)
    : sc_core::sc_module(name),
      arch_(arch),
      dma_(dma),
      rec_(rec),
      buffers_(buffers),
      period_(period),
      ideal_(arch.dram.model == config::DramModel::ideal),
      spads_{BankedScratchpad(arch.ifmap), BankedScratchpad(arch.weight), BankedScratchpad(arch.output)} {
  SC_THREAD(load_engine);
  SC_THREAD(store_engine);
}

void MemoryEngine::begin_layer(const plan::LayerPlan& p, const ir::LayerOperands* operands, std::int64_t base) {
  plan_ = &p;
  const plan::Schedule& s = p.schedule;
  const std::size_t nt = s.tiles.size();
  a_src_.assign(nt, 0), b_src_.assign(nt, 0);
  for (std::size_t t = 0; t < nt; ++t) {
    a_src_[t] = s.tiles[t].load_a || t == 0 ? t : a_src_[t - 1];
    b_src_[t] = s.tiles[t].load_b || t == 0 ? t : b_src_[t - 1];
  }
  a_tr_.assign(nt, std::nullopt), b_tr_.assign(nt, std::nullopt), c_tr_.assign(nt, std::nullopt);
  st_tr_.assign(nt, std::nullopt);
  stored_.clear();
  has_reloads_ = std::any_of(s.tiles.begin(), s.tiles.end(), [](const plan::Tile& t) { return t.load_c; });
  c_visit_.assign(nt, 0);
  for (std::size_t t = 0, v = 0; t < nt; ++t) c_visit_[t] = s.tiles[t].new_c && t > 0 ? ++v : v;
  stores_on_half_[0] = stores_on_half_[1] = 0;
  c_done_.assign(nt, std::nullopt);
  for (auto& op : halves_)
    for (HalfState& h : op) h = HalfState{true, static_cast<double>(base)};
  stores_done_ = false;
  // The address generator, the DRAM contents and the tile buffers of this layer.
  const config::ArrayConfig& arr = arch_.array;
  addr_.emplace(p.layer, ir::dtype_bytes(arr.input_dtype), ir::dtype_bytes(arr.weight_dtype),
                ir::dtype_bytes(arr.accumulator_dtype), arch_.lowering);
  const lower::DramLayout& dl = addr_->layout();
  stats::MemoryResult& m = rec_.layer().memory;
  m.dram_footprint_bytes = dl.footprint_bytes();
  if (arch_.dram.banked())
    m.dram_row_hits = m.dram_row_misses = m.dram_row_conflicts = m.dram_refreshes = m.dram_cycles = 0;
  if (values()) {
    // The layer's DRAM image (zeros, then input and weights) goes in through the debug transport,
    // up to the end of the last burst the layer can touch.
    const std::int64_t burst = arch_.dram.burst_bytes;
    const std::int64_t image = (dl.end + burst - 1) / burst * burst;
    shadow_.assign(static_cast<std::size_t>(image), 0);
    std::memcpy(shadow_.data() + dl.input_base, operands->input.raw_bytes(), static_cast<std::size_t>(dl.input_bytes));
    std::memcpy(shadow_.data() + dl.weight_base, operands->weight.raw_bytes(),
                static_cast<std::size_t>(dl.weight_bytes));
    dma_.debug_write(0, shadow_.data(), image);
    std::fill(shadow_.begin(), shadow_.end(), 0);
    buffers_->begin_layer(s.tile);
  }
  ++layer_seq_;
  layer_start_.notify(sc_core::SC_ZERO_TIME);
  notify_engines();
}

Gate MemoryEngine::pending(const EngineState& e) const {
  // The load engine waiting for a store to finish waits for the store engine.
  if (e.kind == EngineState::Kind::store_wait) return pending(store_state_);
  Gate g;
  switch (e.kind) {
    case EngineState::Kind::store_wait: break;
    case EngineState::Kind::runnable: g.kind = Gate::Kind::this_cycle; break;
    case EngineState::Kind::timed_wait:
      // An engine whose wait ends now runs within the current cycle.
      if (e.until > now_cycle() + 1e-9)
        g.kind = Gate::Kind::at_cycle, g.cycle = ceil_cycle(e.until);
      else
        g.kind = Gate::Kind::this_cycle;
      break;
    case EngineState::Kind::event_wait: g.kind = Gate::Kind::later; break;
  }
  return g;
}

Gate MemoryEngine::load_pending() const {
  // With partial-sum reloads the load engine also waits for the store engine (the store that
  // frees its output half): when that one acts in this cycle or at a known cycle, so may the load
  // engine, and the controller must ask again then rather than wait for itself.
  if (has_reloads_ && load_state_.kind == EngineState::Kind::event_wait) {
    const Gate s = pending(store_state_);
    if (s.kind == Gate::Kind::this_cycle || s.kind == Gate::Kind::at_cycle) return s;
  }
  return pending(load_state_);
}

Gate MemoryEngine::gate(std::size_t t, std::int64_t need) const {
  const plan::Tile& tile = plan_->schedule.tiles[t];
  Gate g;
  g.cycle = need;
  for (const Operand op : {Operand::a, Operand::b}) {
    const std::optional<Transfer>& tr = op == Operand::a ? a_tr_[a_src_[t]] : b_tr_[b_src_[t]];
    if (!tr) return load_pending();
    const std::int64_t ready = ideal_ ? ceil_cycle(tr->issue_cycle) : ceil_cycle(tr->done_cycle);
    if (ready > g.cycle) g.cycle = ready, g.binding = &*tr, g.binding_half = false;
  }
  if (tile.load_c) {  // partial sums come back from DRAM (the load engine claims the half)
    const std::optional<Transfer>& tr = c_tr_[t];
    if (!tr) return load_pending();
    const std::int64_t ready = ideal_ ? ceil_cycle(tr->issue_cycle) : ceil_cycle(tr->done_cycle);
    if (ready > g.cycle) g.cycle = ready, g.binding = &*tr, g.binding_half = false;
  } else if (tile.new_c) {
    const HalfState& h = halves_[2][tile.c_slot];
    if (!h.released) return pending(store_state_);
    const std::int64_t ready = ceil_cycle(h.free_cycle);
    if (ready > g.cycle) g.cycle = ready, g.binding = nullptr, g.binding_half = true, g.half_store = h.store;
  }
  return g;
}

void MemoryEngine::claim_output_half(std::size_t t) {
  const plan::Tile& tile = plan_->schedule.tiles[t];
  if (tile.new_c && !tile.load_c) halves_[2][tile.c_slot].released = false;
}

void MemoryEngine::block_done(const BlockDone& d) {
  const plan::Tile& tile = plan_->schedule.tiles[d.tile];
  switch (d.op) {
    case Operand::a: halves_[0][tile.a_slot] = HalfState{true, static_cast<double>(d.cycle)}; break;
    case Operand::b: halves_[1][tile.b_slot] = HalfState{true, static_cast<double>(d.cycle)}; break;
    case Operand::c: c_done_[d.tile] = static_cast<double>(d.cycle); break;
  }
  notify_engines();
}

void MemoryEngine::notify_engines() {
  released_.notify(sc_core::SC_ZERO_TIME);
  for (EngineState* e : {&load_state_, &store_state_})
    if (e->kind == EngineState::Kind::event_wait) e->kind = EngineState::Kind::runnable;
}

const Transfer* MemoryEngine::last_store() const {
  const Transfer* last = nullptr;
  for (const auto& tr : st_tr_)
    if (tr && (!last || tr->done_cycle > last->done_cycle)) last = &*tr;
  return last;
}

ir::Tensor MemoryEngine::read_output() {
  ir::Tensor out(arch_.array.accumulator_dtype, ir::output_shape(plan_->layer));
  const lower::DramLayout& dl = addr_->layout();
  dma_.debug_read(dl.output_base, out.raw_bytes(), dl.output_bytes);
  return out;
}

void MemoryEngine::wait_until(double c, EngineState& state) {
  const double now = now_cycle();
  if (c > now + 1e-9) {
    state = EngineState{EngineState::Kind::timed_wait, c};
    sc_core::wait(period_ * (c - now));
  }
  state = EngineState{EngineState::Kind::runnable, -1};
}

void MemoryEngine::wait_event(const sc_core::sc_event& ev, EngineState& state) {
  state = EngineState{EngineState::Kind::event_wait, -1};
  sc_core::wait(ev);
  state = EngineState{EngineState::Kind::runnable, -1};
}

std::function<void(const BurstRecord&)> MemoryEngine::burst_hook(Operand op) {
  return [this, op](const BurstRecord& b) { rec_.add_burst(b, op); };
}

void MemoryEngine::write_into_half(Transfer& tr, int buffer, int slot, std::int64_t bytes) const {
  if (ideal_ || tr.bursts == 0) return;
  // The DMA writes the block into its half in address order as fast as the banks' write ports
  // take it, one group of words a cycle from the cycle of the first byte on; the block is usable
  // when both are done.
  const config::ScratchpadConfig& sp = buffer == 0 ? arch_.ifmap : buffer == 1 ? arch_.weight : arch_.output;
  const PortCost w =
      spads_[buffer].stream(static_cast<std::int64_t>(slot) * sp.tile_budget_bytes(), bytes, sp.write_ports);
  tr.done_cycle = std::max(tr.dram_done_cycle, std::floor(tr.first_data_cycle) + static_cast<double>(w.cycles));
  tr.bank_conflicts = w.conflicts;
}

void MemoryEngine::count_dram(const Transfer& tr, plan::Operand op, bool write) { rec_.count_dram(tr, op, write); }

/// Loads every tile's A and B blocks in order, each into its half once it is free; explicit
/// lowering first writes the Toeplitz matrix.
void MemoryEngine::load_engine() {
  std::uint64_t seen = 0;
  for (;;) {
    while (layer_seq_ == seen) wait_event(layer_start_, load_state_);
    seen = layer_seq_;
    const plan::LayerPlan& p = *plan_;
    const plan::Schedule& s = p.schedule;
    LayerCounters& lc = rec_.layer();
    stats::MemoryResult& m = lc.memory;
    if (addr_->toeplitz()) materialize_toeplitz();
    for (std::size_t t = 0; t < s.tiles.size(); ++t) {
      const plan::Tile& tile = s.tiles[t];
      if (tile.load_c) reload_partial_sums(t, lc);
      for (const Operand op : {Operand::a, Operand::b}) {
        const bool is_a = op == Operand::a;
        if (!(is_a ? tile.load_a : tile.load_b)) continue;
        const int slot = is_a ? tile.a_slot : tile.b_slot;
        HalfState& h = halves_[is_a ? 0 : 1][slot];
        while (!h.released) wait_event(released_, load_state_);
        wait_until(h.free_cycle, load_state_);
        h.released = false;
        const config::ScratchpadConfig& sp = is_a ? arch_.ifmap : arch_.weight;
        const std::vector<lower::DramRun>& runs =
            is_a ? addr_->a_runs(tile.group, tile.m0, tile.m_len, tile.k0, tile.k_len)
                 : addr_->b_runs(tile.group, tile.k0, tile.k_len, tile.n0, tile.n_len);
        Transfer tr = dma_.transfer(false, runs, values() ? shadow_.data() : nullptr, now_cycle(), burst_hook(op));
        const std::int64_t elems = tile.k_len * (is_a ? tile.m_len : tile.n_len);
        const std::int64_t eb = ir::dtype_bytes(is_a ? arch_.array.input_dtype : arch_.array.weight_dtype);
        write_into_half(tr, is_a ? 0 : 1, slot, elems * eb);
        (is_a ? m.sram_write_bytes.ifmap : m.sram_write_bytes.weight) += elems * eb;
        m.bank_conflicts += tr.bank_conflicts;
        count_dram(tr, op, false);
        if (p.vector) lc.relayout_words += relayout_words(*addr_, p.vector_mapping.parallel, is_a ? 0 : 1, tile, eb);
        if (values()) buffers_->fill(op, slot, tile, *addr_, shadow_.data());
        rec_.add_dma_span("dma_load", std::string("load ") + plan::operand_name(op) + " tile " + std::to_string(t),
                          tr.issue_cycle, tr.done_cycle, tr.bytes);
        rec_.add_dma_access(tr.first_data_cycle, op, "write", static_cast<std::int64_t>(slot) * sp.tile_budget_bytes(),
                            elems * eb);
        (is_a ? a_tr_ : b_tr_)[t] = tr;
        published_.notify(sc_core::SC_ZERO_TIME);
      }
    }
  }
}

/// A visit that continues a C block's partial sums: once its output half is free and the block's
/// previous store is done (it wrote what is read now), the block comes back from DRAM.
void MemoryEngine::reload_partial_sums(std::size_t t, LayerCounters& lc) {
  const plan::Tile& tile = plan_->schedule.tiles[t];
  HalfState& h = halves_[2][tile.c_slot];
  // The half is this visit's once every earlier visit that used it is stored.
  const std::int64_t halves = plan_->schedule.mapping.double_buffer[2] ? 2 : 1;
  while (stores_on_half_[tile.c_slot] < c_visit_[t] / halves || !h.released) wait_event(released_, load_state_);
  wait_until(h.free_cycle, load_state_);
  h.released = false;
  const auto key = std::make_tuple(tile.group, tile.m0, tile.n0);
  while (!stored_.count(key)) {
    load_state_ = EngineState{EngineState::Kind::store_wait, -1};
    sc_core::wait(stored_event_);
  }
  wait_until(stored_.at(key), load_state_);
  const std::vector<lower::DramRun>& runs = addr_->c_runs(tile.group, tile.m0, tile.m_len, tile.n0, tile.n_len);
  const config::ScratchpadConfig& sp = arch_.output;
  Transfer tr = dma_.transfer(false, runs, values() ? shadow_.data() : nullptr, now_cycle(), burst_hook(Operand::c));
  const std::int64_t bytes =
      tile.m_len * tile.n_len * static_cast<std::int64_t>(ir::dtype_bytes(arch_.array.accumulator_dtype));
  write_into_half(tr, 2, tile.c_slot, bytes);
  stats::MemoryResult& m = lc.memory;
  m.sram_write_bytes.output += bytes;
  m.bank_conflicts += tr.bank_conflicts;
  count_dram(tr, Operand::c, false);
  if (values()) buffers_->fill(Operand::c, tile.c_slot, tile, *addr_, shadow_.data());
  rec_.add_dma_span("dma_load", "load partial sums tile " + std::to_string(t), tr.issue_cycle, tr.done_cycle, tr.bytes);
  rec_.add_dma_access(tr.first_data_cycle, Operand::c, "write",
                      static_cast<std::int64_t>(tile.c_slot) * sp.tile_budget_bytes(), bytes);
  c_tr_[t] = tr;
  published_.notify(sc_core::SC_ZERO_TIME);
}

/// Explicit lowering: the DMA reads the input once and writes the Toeplitz matrices A_g [M][K]
/// to DRAM before the first tile load; both passes count as ifmap traffic.
void MemoryEngine::materialize_toeplitz() {
  const lower::DramLayout& dl = addr_->layout();
  const std::vector<lower::DramRun> in{{dl.input_base, dl.input_bytes}};
  const Transfer rd =
      dma_.transfer(false, in, values() ? shadow_.data() : nullptr, now_cycle(), burst_hook(Operand::a));
  wait_until(rd.done_cycle, load_state_);
  const ir::GemmDims& d = plan_->dims;
  const std::int64_t eb = ir::dtype_bytes(arch_.array.input_dtype);
  if (values()) {
    for (std::int64_t g = 0; g < d.groups; ++g)
      for (std::int64_t mm = 0; mm < d.m; ++mm)
        for (std::int64_t k = 0; k < d.k; ++k) {
          const std::int64_t off = addr_->map().a_offset(g, mm, k);
          unsigned char* dst = shadow_.data() + addr_->a_addr(g, mm, k);
          if (off < 0)
            std::memset(dst, 0, static_cast<std::size_t>(eb));
          else
            std::memcpy(dst, shadow_.data() + dl.input_base + off * eb, static_cast<std::size_t>(eb));
        }
  }
  const std::vector<lower::DramRun> out{{dl.toeplitz_base, dl.toeplitz_bytes}};
  const Transfer wr =
      dma_.transfer(true, out, values() ? shadow_.data() : nullptr, now_cycle(), burst_hook(Operand::a));
  count_dram(rd, Operand::a, false);
  count_dram(wr, Operand::a, true);
  rec_.add_dma_span("dma_load", "im2col read input", rd.issue_cycle, rd.done_cycle, rd.bytes);
  rec_.add_dma_span("dma_store", "im2col write Toeplitz", wr.issue_cycle, wr.done_cycle, wr.bytes);
  wait_until(wr.done_cycle, load_state_);
}

/// Stores every finished C block once its last output is in the scratchpad, then frees its half.
void MemoryEngine::store_engine() {
  std::uint64_t seen = 0;
  for (;;) {
    while (layer_seq_ == seen) wait_event(layer_start_, store_state_);
    seen = layer_seq_;
    const plan::Schedule& s = plan_->schedule;
    stats::MemoryResult& m = rec_.layer().memory;
    const std::int64_t ac = ir::dtype_bytes(arch_.array.accumulator_dtype);
    for (std::size_t t = 0; t < s.tiles.size(); ++t) {
      const plan::Tile& tile = s.tiles[t];
      if (!tile.store_c) continue;
      while (!c_done_[t]) wait_event(released_, store_state_);
      wait_until(*c_done_[t], store_state_);
      if (values()) buffers_->drain(tile.c_slot, tile, *addr_, shadow_.data());
      const std::vector<lower::DramRun>& runs = addr_->c_runs(tile.group, tile.m0, tile.m_len, tile.n0, tile.n_len);
      Transfer tr;
      if (plan_->store_on_chip) {
        // The post-processing unit takes the block on chip (a fused chain follows): no DRAM
        // transfer. The bytes still go where the next step reads the output from (no time).
        tr.issue_cycle = tr.first_ready_cycle = tr.first_data_cycle = tr.dram_done_cycle = tr.done_cycle = now_cycle();
        if (values())
          for (const lower::DramRun& run : runs) dma_.debug_write(run.addr, shadow_.data() + run.addr, run.bytes);
      } else {
        tr = dma_.transfer(true, runs, values() ? shadow_.data() : nullptr, now_cycle(), burst_hook(Operand::c));
        count_dram(tr, Operand::c, true);
      }
      m.sram_read_bytes.output += tile.m_len * tile.n_len * ac;
      rec_.add_dma_span("dma_store", "store output tile " + std::to_string(t), tr.issue_cycle, tr.done_cycle, tr.bytes);
      rec_.add_dma_access(tr.issue_cycle, Operand::c, "read",
                          static_cast<std::int64_t>(tile.c_slot) * arch_.output.tile_budget_bytes(),
                          tile.m_len * tile.n_len * ac);
      st_tr_[t] = tr;
      halves_[2][tile.c_slot] = HalfState{true, static_cast<double>(ceil_cycle(tr.done_cycle)), &*st_tr_[t]};
      ++stores_on_half_[tile.c_slot];
      stored_[std::make_tuple(tile.group, tile.m0, tile.n0)] = static_cast<double>(ceil_cycle(tr.done_cycle));
      stored_event_.notify(sc_core::SC_ZERO_TIME);
      if (load_state_.kind == EngineState::Kind::store_wait) load_state_.kind = EngineState::Kind::runnable;
      // The load engine may be waiting for this half, to read partial sums back into it.
      if (has_reloads_) notify_engines();
      published_.notify(sc_core::SC_ZERO_TIME);
    }
    stores_done_ = true;
    published_.notify(sc_core::SC_ZERO_TIME);
  }
}

}  // namespace arraysim::hw
