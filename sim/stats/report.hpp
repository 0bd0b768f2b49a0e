#pragma once
/// Results of a run and the files that carry them: stats.json, layers.csv, summary text.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "models/ir/layer.hpp"

namespace arraysim::stats {

/// First differing element of an output, for mismatch reports.
struct Mismatch {
  std::string tensor;     ///< layer output name, e.g. "conv1.output"
  std::int64_t index = 0; ///< flat row-major index into the output tensor
  std::string where;      ///< the index spelled per dimension, e.g. "[0, 3, 1, 2]"
  std::string expected, got;
};

/// Per-layer results. Cycle fields stay empty when the cycle model did not run.
struct LayerResult {
  std::string name;
  std::string type;
  ir::Shape input_shape, weight_shape, output_shape;
  ir::GemmDims gemm;
  std::int64_t macs = 0;
  std::optional<std::int64_t> total_cycles;    ///< first command issued to last output written
  std::optional<std::int64_t> compute_cycles;  ///< cycles the array was busy (fill, stream, drain)
  std::optional<std::int64_t> stall_cycles;    ///< cycles spent waiting on memory or dependencies
  std::optional<std::int64_t> folds;           ///< array tiles executed, all groups
  std::optional<double> pe_utilization;        ///< macs / (rows·cols·total_cycles), 0..1
  std::optional<std::int64_t> analytic_cycles; ///< closed-form total from models/analytic
  std::optional<bool> analytic_match;          ///< total_cycles == analytic_cycles
  std::optional<bool> golden_match;            ///< outputs bit-exact (fp32: within tolerance) vs golden
  std::vector<Mismatch> mismatches;            ///< first few golden mismatches
};

/// A whole run.
struct RunResult {
  std::string experiment;
  std::string arch_name;
  std::string fidelity;          ///< the fidelity that ran: values or timing
  std::string fidelity_setting;  ///< sim.fidelity as configured: values, timing or auto
  std::string layer_selection;   ///< `--layers` spec; empty: every layer of the workload ran
  std::int64_t workload_layers = 0;  ///< layers in the workload (layers.size() when all ran)
  std::int64_t pe_count = 0;  ///< rows·cols (or lanes)
  double clock_mhz = 0;
  double simulate_seconds = 0;  ///< host wall time inside the SystemC simulation
  double golden_seconds = 0;    ///< host wall time of the golden model and the comparison
  /// `arraysim cosim`: cycles and values compared between the SystemC and the RTL array.
  std::int64_t cosim_cycles = 0, cosim_values = 0;
  std::vector<LayerResult> layers;

  std::int64_t macs() const;
  std::optional<std::int64_t> total_cycles() const;
  std::optional<std::int64_t> compute_cycles() const;
  std::optional<std::int64_t> stall_cycles() const;
  std::optional<double> pe_utilization() const;
  /// true if every checked layer matched, false if any did not, empty if none was checked.
  std::optional<bool> golden_match() const;
  std::optional<bool> analytic_match() const;
};

std::string to_json(const RunResult& r);
std::string to_csv(const RunResult& r);
/// Aligned human-readable table.
std::string to_text(const RunResult& r);

/// Writes `files` (name, content) into `dir` atomically per file (temporary name, then rename),
/// creating `dir` if needed. Throws std::runtime_error naming the file on failure.
void write_files(const std::string& dir, const std::vector<std::pair<std::string, std::string>>& files);

}  // namespace arraysim::stats
