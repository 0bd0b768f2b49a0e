#include "sim/hw/edge_ports.hpp"

#include <algorithm>
#include <map>

#include "sim/plan/dataflow.hpp"

namespace arraysim::hw {

EdgeReadPorts::EdgeReadPorts(const config::ArchConfig& arch)
    : spads_{BankedScratchpad(arch.ifmap), BankedScratchpad(arch.weight)} {
  const config::ScratchpadConfig* cfg[2] = {&arch.ifmap, &arch.weight};
  for (int i = 0; i < 2; ++i) {
    const config::ScratchpadConfig& c = *cfg[i];
    ports_[i] = c.read_ports;
    half_bytes_[i] = c.tile_budget_bytes();
    elem_[i] = ir::dtype_bytes(i == 0 ? arch.array.input_dtype : arch.array.weight_dtype);
    const std::int64_t words =
        config::vector_words_max(config::edge_bytes(arch.array, i == 0 ? "ifmap" : "weight"), elem_[i], c.word_bytes);
    conflict_free_ = conflict_free_ && c.bank_mapping == config::BankMapping::interleave && c.interleave_words == 1 &&
                     half_bytes_[i] % c.word_bytes == 0 && words <= c.banks * c.read_ports;
  }
  c_half_bytes_ = arch.output.tile_budget_bytes();
  c_elem_ = ir::dtype_bytes(arch.array.accumulator_dtype);
}

EdgeReadCost EdgeReadPorts::cost(const plan::Schedule& s, std::int64_t f) const {
  if (conflict_free_) return {};
  const plan::Dataflow& df = plan::dataflow(s.dataflow);
  const plan::Tile& t = s.tiles[static_cast<std::size_t>(s.tile_of(f))];
  const plan::Fold fold = s.fold(f);
  const plan::TraceLayout l{
      half_bytes_[0] * t.a_slot, half_bytes_[1] * t.b_slot, c_half_bytes_ * t.c_slot, elem_[0], elem_[1], c_elem_};
  // The reads of one cycle go to different scratchpads (OS: A and B) and are served in parallel:
  // the cycle needs the most bank cycles among them.
  std::map<std::int64_t, std::int64_t> extra;
  EdgeReadCost c;
  df.trace(fold, t, df.step(fold, 0, s.rows).timing, s.rows, l,
           [&](std::int64_t cycle, plan::Operand op, const char* kind, std::int64_t addr, std::int64_t bytes) {
             if (op == plan::Operand::c || kind[0] != 'r') return;  // outputs: the bandwidth rule
             const int i = op == plan::Operand::a ? 0 : 1;
             const PortCost pc =
                 spads_[static_cast<std::size_t>(i)].access(addr, bytes, ports_[static_cast<std::size_t>(i)]);
             c.conflicts += pc.conflicts;
             std::int64_t& e = extra[cycle];
             e = std::max(e, pc.cycles - 1);
           });
  for (const auto& [cycle, e] : extra) c.cycles += e;
  return c;
}

}  // namespace arraysim::hw
