#include "sim/hw/fold_timing.hpp"

namespace arraysim::hw {

std::vector<FoldTiming> fold_timing(const sched::Schedule& s) {
  std::vector<FoldTiming> t(s.folds.size());
  const std::int64_t R = s.rows;
  std::int64_t next = 0;  // earliest load start (WS/IS) or stream start (OS) of the next fold
  for (std::size_t f = 0; f < s.folds.size(); ++f) {
    const sched::Fold& fo = s.folds[f];
    const std::int64_t T = fo.stream_len, Rf = fo.rows_used, Cf = fo.cols_used;
    FoldTiming& ft = t[f];
    if (s.dataflow == config::Dataflow::os) {
      // PE(i,j) does MAC k at s+k+i+j; column j drains from d_j = s+K+R_f-1+j for R cycles and
      // PE(i,j) is free again at d_j+i+1, so the next fold may start at s+K+R_f.
      ft.load_start = ft.stream_start = next;
      ft.last_output = ft.stream_start + T + Rf - 1 + (Cf - 1) + (R - 1);
      next = ft.stream_start + T + Rf;
    } else {
      // The load shifts R rows in R cycles; row i's last use of the old stationary value is at
      // s+T-1+i+C_f-1 and the next load first overwrites row i at L'+i: L' = s+T+C_f-1.
      ft.load_start = next;
      ft.stream_start = ft.load_start + R;
      ft.last_output = ft.stream_start + (T - 1) + (R - 1) + (Cf - 1);
      next = ft.stream_start + T + Cf - 1;
    }
  }
  return t;
}

}  // namespace arraysim::hw
