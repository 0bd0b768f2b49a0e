#pragma once
/// The accelerator top: a controller and a PE array, run over a sequence of layers in one
/// SystemC elaboration.
#include <cstdint>
#include <string>
#include <vector>

#include "models/ir/tensor.hpp"
#include "sim/config/experiment.hpp"
#include "sim/sched/schedule.hpp"

namespace arraysim::hw {

/// One layer as the hardware sees it: its fold schedule and, for values fidelity, the GEMM
/// operands of every group (A_g [M][K], B_g [K][N], already lowered).
struct LayerProgram {
  std::string name;
  sched::Schedule schedule;
  std::vector<ir::Tensor> a, b;  ///< per group; empty in timing fidelity
};

/// What the hardware measured for one layer.
struct LayerCounters {
  std::int64_t total_cycles = 0;    ///< first cycle of the layer to its last output, inclusive
  std::int64_t compute_cycles = 0;  ///< cycles with the array busy (ideal memory: = total)
  std::int64_t stall_cycles = 0;    ///< cycles waiting for memory (ideal memory: 0)
  std::int64_t folds = 0;
  std::int64_t outputs_written = 0;      ///< output elements written by the array (values fidelity)
  std::vector<ir::Tensor> c;        ///< per group C_g [M][N] in the accumulator type (values fidelity)
};

/// Options of one simulation.
struct SimulateOptions {
  config::Fidelity fidelity = config::Fidelity::values;
  std::string vcd_path;      ///< empty: no waveform
  bool progress = false;     ///< per-layer progress on stderr
  std::int64_t max_cycles = std::int64_t{1} << 40;
  std::int64_t fault_pe_row = -1, fault_pe_col = -1;  ///< stuck-at-0 multiplier (test aid)
};

/// Elaborates the accelerator for `arch`, runs every layer in order, returns per-layer counters.
/// Call at most once per process (one SystemC elaboration).
std::vector<LayerCounters> simulate(const config::ArchConfig& arch, const std::vector<LayerProgram>& layers,
                                    const SimulateOptions& opt);

}  // namespace arraysim::hw
