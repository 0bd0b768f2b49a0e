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

/// Bytes per operand buffer: ifmap (GEMM A: the input or its im2col lowering), weight (GEMM B),
/// output (GEMM C, in the accumulator type).
struct OperandBytes {
  std::int64_t ifmap = 0, weight = 0, output = 0;
  std::int64_t total() const { return ifmap + weight + output; }
  OperandBytes& operator+=(const OperandBytes& o) {
    ifmap += o.ifmap, weight += o.weight, output += o.output;
    return *this;
  }
};

/// Stall cycles by cause (docs/memory.md defines each); their sum is LayerResult::stall_cycles.
struct StallCycles {
  std::int64_t dram_bandwidth = 0;  ///< waiting while the tile's bytes stream in behind the DRAM data bus
  std::int64_t dram_latency = 0;    ///< waiting for the first bytes of an issued transfer (incl. row misses)
  std::int64_t bank_conflict = 0;   ///< waiting while DMA writes queue for scratchpad bank ports
  std::int64_t dependency = 0;      ///< waiting for a buffer half to be released or an output tile stored
  std::int64_t total() const { return dram_bandwidth + dram_latency + bank_conflict + dependency; }
  StallCycles& operator+=(const StallCycles& o) {
    dram_bandwidth += o.dram_bandwidth, dram_latency += o.dram_latency, bank_conflict += o.bank_conflict,
        dependency += o.dependency;
    return *this;
  }
};

/// What the memory hierarchy did during one layer (or a whole run, summed).
struct MemoryResult {
  StallCycles stall_cycles;
  OperandBytes sram_read_bytes;   ///< read from the scratchpads by the array (output: accumulate reads) and by store DMA
  OperandBytes sram_write_bytes;  ///< written into the scratchpads by load DMA and by the array (output)
  OperandBytes dram_read_bytes;   ///< read from DRAM by the DMA (ifmap includes explicit im2col passes)
  OperandBytes dram_write_bytes;  ///< written to DRAM (output tiles; ifmap: an explicit Toeplitz matrix)
  std::int64_t dram_footprint_bytes = 0;  ///< distinct DRAM bytes the layer's tensors occupy
  double dram_bandwidth_avg_bytes_per_cycle = 0;   ///< DRAM bytes / total_cycles
  double dram_bandwidth_peak_bytes_per_cycle = 0;  ///< highest DRAM bytes in any 1024-cycle window / 1024
  std::int64_t bank_conflicts = 0;  ///< scratchpad word writes that waited a cycle for a bank port
  /// Row-buffer outcomes of DRAM bursts; set only with a bank model (dram.model: ddr4_3200, hbm2).
  std::optional<std::int64_t> dram_row_hits, dram_row_misses, dram_row_conflicts;
  std::optional<double> dram_row_hit_rate() const;
  std::int64_t dram_bytes() const { return dram_read_bytes.total() + dram_write_bytes.total(); }
};

/// One span on the run's timeline, for the Perfetto/Chrome trace-event export. Cycles count from
/// the start of the run (the first layer's first cycle). Spans of one unit never overlap, and per
/// layer: Σ layer = total_cycles, Σ pe_array + Σ stall = total_cycles, Σ stall = stall_cycles.
struct TimelineEvent {
  std::string unit;   ///< layer, pe_array (busy spans), stall, dma_load, dma_store
  std::string name;   ///< e.g. the layer name, "compute", "stall dram_bandwidth", "load weight tile 3"
  std::string layer;  ///< layer name
  std::int64_t start_cycle = 0, duration_cycles = 0;
  std::int64_t macs = 0;   ///< pe_array spans: MACs performed in the span
  std::int64_t bytes = 0;  ///< dma spans: bytes moved
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
  std::int64_t start_cycle = 0;                ///< first cycle of the layer, counted from the run's start
  MemoryResult memory;
  /// macs / DRAM bytes (read + written); empty when the layer moved no DRAM bytes.
  std::optional<double> operational_intensity_macs_per_byte() const;
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
  std::vector<TimelineEvent> timeline;  ///< filled when a timeline was asked for

  std::int64_t macs() const;
  MemoryResult memory() const;  ///< per-layer memory results summed (peak: the maximum; avg over all cycles)
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
