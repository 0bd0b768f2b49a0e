#pragma once
/// Tiling of a lowered GEMM into array folds, per dataflow: plain data, printable, testable
/// without SystemC. The hardware decides *when* each fold runs (sim/hw/controller); this decides
/// *what* each fold computes.
#include <cstdint>
#include <string>
#include <vector>

#include "models/ir/layer.hpp"
#include "sim/config/arch_config.hpp"

namespace arraysim::sched {

/// One fold: the array computes C[m0.., n0..] (+)= A[m0.., k0..] · B[k0.., n0..] for group `group`.
///
/// Mapping onto the R×C array:
///   OS: row i ↔ m0+i, column j ↔ n0+j, time streams k over k_len = K.
///   WS: row i ↔ k0+i, column j ↔ n0+j, stationary B tile, time streams m over m_len = M.
///   IS: row i ↔ k0+i, column j ↔ m0+j, stationary Aᵀ tile, time streams n over n_len = N.
struct Fold {
  std::int64_t index = 0;  ///< position in the layer's fold sequence
  std::int64_t group = 0;
  std::int64_t m0 = 0, m_len = 0;
  std::int64_t n0 = 0, n_len = 0;
  std::int64_t k0 = 0, k_len = 0;
  std::int64_t rows_used = 0;   ///< R_f ≤ R
  std::int64_t cols_used = 0;   ///< C_f ≤ C
  std::int64_t stream_len = 0;  ///< T: cycles of operand injection per row
  bool accumulate = false;      ///< add into the output (a later k-fold) rather than overwrite it
};

/// The fold sequence of one layer on one array.
struct Schedule {
  config::Dataflow dataflow = config::Dataflow::os;
  std::int64_t rows = 0, cols = 0;
  ir::GemmDims dims;
  std::vector<Fold> folds;
};

/// Tiles `dims` (all groups) for `df` on a rows×cols array. Order: groups outer; OS m-fold then
/// n-fold; WS n-fold then k-fold; IS m-fold then k-fold (k-folds innermost, so partial sums of one
/// output tile are accumulated back to back).
Schedule make_schedule(config::Dataflow df, std::int64_t rows, std::int64_t cols, const ir::GemmDims& dims);

/// One line per fold, for `arraysim run --dump-schedule`.
std::string to_string(const Schedule& s);

}  // namespace arraysim::sched
