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

LanePorts::LanePorts(const config::ArchConfig& arch)
    : spads_{BankedScratchpad(arch.ifmap), BankedScratchpad(arch.weight), BankedScratchpad(arch.output)},
      ports_{arch.ifmap.read_ports, arch.weight.read_ports, arch.output.read_ports},
      unit_(plan::vector_unit_shape(arch)),
      halves_(plan::scratchpad_halves(arch)) {}

EdgeReadCost LanePorts::cost(const plan::LayerPlan& p, std::int64_t f) const {
  const plan::Schedule& s = p.schedule;
  const plan::Tile& t = s.tiles[static_cast<std::size_t>(s.tile_of(f))];
  const plan::Fold fo = s.fold(f);
  const config::VectorMapping& map = p.vector_mapping;
  const plan::TraceLayout l = plan::tile_halves(halves_, t);
  const Key key{fo.m_len,
                fo.n_len,
                fo.k_len,
                fo.accumulate,
                fo.m0 - t.m0,
                fo.n0 - t.n0,
                fo.k0 - t.k0,
                t.m_len,
                t.n_len,
                t.k_len,
                l.a_base,
                l.b_base,
                l.c_base,
                static_cast<int>(map.parallel),
                static_cast<int>(map.order[0]) * 3 + static_cast<int>(map.order[1]),
                static_cast<int>(map.order[2]),
                map.hoist};
  auto it = cache_.find(key);
  if (it == cache_.end()) it = cache_.emplace(key, walk(p, fo, t, l)).first;
  return it->second;
}

EdgeReadCost LanePorts::walk(const plan::LayerPlan& p, const plan::Fold& fo, const plan::Tile& t,
                             const plan::TraceLayout& l) const {
  using config::GemmLoop;
  const GemmLoop par = p.vector_mapping.parallel;
  // Element offsets in the tile's halves, lane dimension contiguous (docs/vector.md):
  //   A: parallel m [k][m], else [m][k];  B: parallel k [n][k], else [k][n];  C: parallel m [n][m], else [m][n].
  auto a_at = [&](std::int64_t m, std::int64_t k) {
    return l.a_base + l.a_elem * (par == GemmLoop::m ? k * t.m_len + m : m * t.k_len + k);
  };
  auto b_at = [&](std::int64_t k, std::int64_t n) {
    return l.b_base + l.b_elem * (par == GemmLoop::k ? n * t.k_len + k : k * t.n_len + n);
  };
  auto c_at = [&](std::int64_t m, std::int64_t n) {
    return l.c_base + l.c_elem * (par == GemmLoop::m ? n * t.m_len + m : m * t.n_len + n);
  };
  const bool a_var = par != GemmLoop::n, b_var = par != GemmLoop::m, c_var = par != GemmLoop::k;
  const std::int64_t dm = fo.m0 - t.m0, dn = fo.n0 - t.n0, dk = fo.k0 - t.k0;
  EdgeReadCost c;
  plan::for_each_vector_step(p.vector_mapping, unit_, fo.m_len, fo.n_len, fo.k_len, fo.accumulate,
                             [&](const plan::VectorStep& st) {
                               const std::int64_t m = dm + st.m, n = dn + st.n, k = dk + st.k;
                               const ByteRange a{a_at(m, k), st.a_words == 0 ? 0 : (a_var ? st.lanes : 1) * l.a_elem};
                               const ByteRange b{b_at(k, n), st.b_words == 0 ? 0 : (b_var ? st.lanes : 1) * l.b_elem};
                               const std::int64_t cw = c_var ? st.lanes : 1;
                               const ByteRange cr[2] = {{c_at(m, n), st.c_read_words == 0 ? 0 : cw * l.c_elem},
                                                        {c_at(m, n), st.c_write_words == 0 ? 0 : cw * l.c_elem}};
                               const PortCost pa = spads_[0].access_beyond(&a, 1, ports_[0], st.cycles);
                               const PortCost pb = spads_[1].access_beyond(&b, 1, ports_[1], st.cycles);
                               const PortCost pc = spads_[2].access_beyond(cr, 2, ports_[2], st.cycles);
                               // The three scratchpads serve a step in parallel: it needs the most cycles among them.
                               c.cycles += std::max({pa.cycles, pb.cycles, pc.cycles});
                               c.conflicts += pa.conflicts + pb.conflicts + pc.conflicts;
                             });
  return c;
}

}  // namespace arraysim::hw
