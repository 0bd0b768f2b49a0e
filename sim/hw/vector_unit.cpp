#include "sim/hw/vector_unit.hpp"

namespace arraysim::hw {

std::int64_t relayout_words(lower::AddressGen& addr, config::GemmLoop parallel, int op, const plan::Tile& t,
                            std::int64_t elem_bytes) {
  using config::GemmLoop;
  const std::int64_t words = t.k_len * (op == 0 ? t.m_len : t.n_len);
  if (op == 0) {
    // A[m][k]: lanes run along m (parallel m) or k (parallel k); parallel n broadcasts A.
    if (parallel == GemmLoop::n) return 0;
    const bool along_m = parallel == GemmLoop::m;
    if ((along_m ? t.m_len : t.k_len) < 2) return 0;
    const std::int64_t a0 = addr.a_addr(t.group, t.m0, t.k0);
    const std::int64_t a1 = along_m ? addr.a_addr(t.group, t.m0 + 1, t.k0) : addr.a_addr(t.group, t.m0, t.k0 + 1);
    return a0 >= 0 && a1 >= 0 && a1 - a0 == elem_bytes ? 0 : words;
  }
  // B[k][n]: lanes run along k (parallel k) or n (parallel n); parallel m broadcasts B.
  if (parallel == GemmLoop::m) return 0;
  const bool along_n = parallel == GemmLoop::n;
  if ((along_n ? t.n_len : t.k_len) < 2) return 0;
  const std::int64_t b0 = addr.b_addr(t.group, t.k0, t.n0);
  const std::int64_t b1 = along_n ? addr.b_addr(t.group, t.k0, t.n0 + 1) : addr.b_addr(t.group, t.k0 + 1, t.n0);
  return b1 - b0 == elem_bytes ? 0 : words;
}

}  // namespace arraysim::hw
