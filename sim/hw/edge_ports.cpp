#include "sim/hw/edge_ports.hpp"

#include <algorithm>
#include <map>

namespace arraysim::hw {

EdgeReadPorts::EdgeReadPorts(const config::ArchConfig& arch)
    : spads_{BankedScratchpad(arch.ifmap), BankedScratchpad(arch.weight)},
      ports_{arch.ifmap.read_ports, arch.weight.read_ports},
      halves_(plan::scratchpad_halves(arch)) {
  const config::ScratchpadConfig* cfg[2] = {&arch.ifmap, &arch.weight};
  const std::int64_t half_bytes[2] = {halves_.a_base, halves_.b_base}, elem[2] = {halves_.a_elem, halves_.b_elem};
  for (int i = 0; i < 2; ++i) {
    const config::ScratchpadConfig& c = *cfg[i];
    const std::int64_t words =
        config::vector_words_max(config::edge_bytes(arch.array, i == 0 ? "ifmap" : "weight"), elem[i], c.word_bytes);
    conflict_free_ = conflict_free_ && c.bank_mapping == config::BankMapping::interleave && c.interleave_words == 1 &&
                     half_bytes[i] % c.word_bytes == 0 && words <= c.banks * c.read_ports;
  }
}

EdgeReadCost EdgeReadPorts::cost(const plan::Schedule& s, std::int64_t f) const {
  if (conflict_free_) return {};
  const plan::Dataflow& df = plan::dataflow(s.dataflow);
  const plan::Tile& t = s.tiles[static_cast<std::size_t>(s.tile_of(f))];
  const plan::Fold fold = s.fold(f);
  const plan::TraceLayout l = plan::tile_halves(halves_, t);
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
