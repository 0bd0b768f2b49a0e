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
  std::string tensor;      ///< layer output name, e.g. "conv1.output"
  std::int64_t index = 0;  ///< flat row-major index into the output tensor
  std::string where;       ///< the index spelled per dimension, e.g. "[0, 3, 1, 2]"
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

/// Words (elements of the operand's type: input, weight, accumulator) per operand buffer.
struct OperandWords {
  std::int64_t ifmap = 0, weight = 0, output = 0;
  std::int64_t total() const { return ifmap + weight + output; }
};

/// Stall cycles by cause (docs/memory.md defines each); their sum is LayerResult::stall_cycles.
struct StallCycles {
  std::int64_t dram_bandwidth = 0;        ///< waiting while a load's bytes stream in behind the DRAM data bus
  std::int64_t dram_write_bandwidth = 0;  ///< waiting while an output block's bytes are written back to DRAM
  std::int64_t dram_latency = 0;          ///< waiting for the first bytes of an issued transfer (incl. row misses)
  std::int64_t bank_conflict =
      0;  ///< waiting for scratchpad bank ports: DMA writes, the array's edge reads, the vector lanes' accesses
  std::int64_t dependency = 0;  ///< waiting for a buffer half to be released, or for a store to be issued
  std::int64_t total() const {
    return dram_bandwidth + dram_write_bandwidth + dram_latency + bank_conflict + dependency;
  }
  StallCycles& operator+=(const StallCycles& o) {
    dram_bandwidth += o.dram_bandwidth, dram_write_bandwidth += o.dram_write_bandwidth, dram_latency += o.dram_latency,
        bank_conflict += o.bank_conflict, dependency += o.dependency;
    return *this;
  }
};

/// Every stall cause with its name in stats.json, the timeline and the summary, in report order.
struct StallCause {
  const char* name;
  std::int64_t StallCycles::*cycles;
  const char* column;  ///< the summary table's column
  const char* label;   ///< the cycle-breakdown plot's legend
};
inline constexpr StallCause kStallCauses[] = {
    {"dram_bandwidth", &StallCycles::dram_bandwidth, "dram_bw", "DRAM read bandwidth"},
    {"dram_write_bandwidth", &StallCycles::dram_write_bandwidth, "dram_wr_bw", "DRAM write-back bandwidth"},
    {"dram_latency", &StallCycles::dram_latency, "dram_lat", "DRAM latency"},
    {"bank_conflict", &StallCycles::bank_conflict, "bank_conf", "bank conflict"},
    {"dependency", &StallCycles::dependency, "dependency", "dependency"}};

/// What the memory hierarchy did during one layer (or a whole run, summed).
struct MemoryResult {
  StallCycles stall_cycles;
  OperandBytes sram_read_bytes;  ///< read from the scratchpads by the array (output: accumulate reads) and by store DMA
  OperandBytes sram_write_bytes;  ///< written into the scratchpads by load DMA and by the array (output)
  /// Bytes moved over the DRAM interface by reads (whole bursts; ifmap includes explicit im2col
  /// passes) and by writes (whole bursts, partial ones with byte enables).
  OperandBytes dram_read_bytes, dram_write_bytes;
  /// The bytes of those bursts the DMA asked for (≤ the bytes moved).
  OperandBytes dram_useful_read_bytes, dram_useful_write_bytes;
  std::int64_t dram_footprint_bytes = 0;           ///< distinct DRAM bytes the layer's tensors occupy
  double dram_bandwidth_avg_bytes_per_cycle = 0;   ///< DRAM bytes / total_cycles
  double dram_bandwidth_peak_bytes_per_cycle = 0;  ///< highest DRAM bytes in any 1024-cycle window / 1024
  std::int64_t bank_conflicts =
      0;  ///< words (DMA writes, edge reads, lane accesses) that found their bank's ports taken
  /// Row-buffer outcomes of DRAM bursts; set only with a bank model (dram.model: ddr4_3200, hbm2).
  std::optional<std::int64_t> dram_row_hits, dram_row_misses, dram_row_conflicts;
  /// Banked models: REF commands while the layer's requests were scheduled, and DRAM clock cycles
  /// from its first request's arrival at the controller to the end of its last data.
  std::optional<std::int64_t> dram_refreshes, dram_cycles;
  std::optional<double> dram_row_hit_rate() const;
  std::int64_t dram_bytes() const { return dram_read_bytes.total() + dram_write_bytes.total(); }
};

/// The first and the last cycle of a unit's accesses to one operand, counted from the layer's
/// first cycle (both inclusive).
struct AccessWindow {
  std::int64_t first = 0, last = 0;
};
/// An AccessWindow per operand buffer; empty where the operand was not accessed or not recorded.
struct AccessWindows {
  std::optional<AccessWindow> ifmap, weight, output;
  /// Widens `ifmap`, `weight` or `output` (operand 0, 1, 2) to hold `cycle`.
  void add(int operand, std::int64_t cycle);
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

/// Energy of a layer (or a run) by component, in pJ: action counts times the architecture's
/// energy table (docs/energy.md).
struct EnergyPj {
  double mac_pj = 0;          ///< multiply-accumulates
  double sram_ifmap_pj = 0;   ///< ifmap scratchpad reads and writes
  double sram_weight_pj = 0;  ///< weight scratchpad reads and writes
  double sram_output_pj = 0;  ///< output scratchpad reads and writes
  double dram_pj = 0;         ///< DRAM reads and writes
  double static_pj = 0;       ///< leakage of the PE array and the scratchpads over the layer's cycles
  double total_pj() const { return mac_pj + sram_ifmap_pj + sram_weight_pj + sram_output_pj + dram_pj + static_pj; }
  EnergyPj& operator+=(const EnergyPj& o) {
    mac_pj += o.mac_pj, sram_ifmap_pj += o.sram_ifmap_pj, sram_weight_pj += o.sram_weight_pj,
        sram_output_pj += o.sram_output_pj, dram_pj += o.dram_pj, static_pj += o.static_pj;
    return *this;
  }
};

/// What one access to a scratchpad costs, resolved for its capacity.
struct SramRates {
  double size_kib = 0;           ///< the scratchpad's capacity
  double read_pj_per_byte = 0;   ///< pJ per byte read
  double write_pj_per_byte = 0;  ///< pJ per byte written
};

/// The energy table resolved for one architecture: the cost of each counted action.
struct EnergyRates {
  std::string source;     ///< arch.energy.source
  std::string mac_dtype;  ///< operand type whose MAC energy applies (the wider of input and weight)
  double mac_pj = 0;      ///< pJ per MAC
  SramRates sram_ifmap, sram_weight, sram_output;
  double dram_read_pj_per_byte = 0, dram_write_pj_per_byte = 0;
  double static_pj_per_cycle = 0;  ///< leakage of the whole accelerator per core cycle
};

/// Area estimate in um^2; a part the energy table has no figure for is empty.
struct AreaUm2 {
  double pe_array = 0;               ///< PEs × arithmetic area per PE
  std::optional<double> scratchpad;  ///< KiB of all scratchpads × area per KiB
  std::optional<double> total() const {
    return scratchpad ? std::optional<double>(pe_array + *scratchpad) : std::nullopt;
  }
};

/// One access of a trace (--trace): DRAM bursts, DMA writes into and reads out of a scratchpad,
/// and the array's per-cycle edge reads and writes (traces/README.md).
struct AccessRecord {
  std::int64_t cycle = 0;    ///< from the start of the run
  std::string unit;          ///< dram, dma, pe_array
  std::string operand;       ///< ifmap, weight, output
  std::string op;            ///< read, write, or update (an accumulating read-modify-write)
  std::int64_t address = 0;  ///< DRAM byte address (dram) or byte address inside the scratchpad
  std::int64_t bytes = 0;
  std::string layer;  ///< layer name
  /// dram: the cycle the DMA issued the burst (from the start of the run) and its transfer's
  /// number; −1 for other units.
  std::int64_t issue_cycle = -1;
  std::int64_t transfer = -1;
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
  /// Closed-form cycles of the tiled fold sequence with operands always ready (models/analytic).
  std::optional<std::int64_t> analytic_cycles;
  /// total_cycles == analytic_cycles when no fold waited (stall_cycles 0), else total_cycles ≥ it.
  std::optional<bool> analytic_match;
  std::optional<bool> golden_match;  ///< outputs bit-exact (fp32: within tolerance) vs golden
  std::vector<Mismatch> mismatches;  ///< first few golden mismatches
  std::int64_t start_cycle = 0;      ///< first cycle of the layer, counted from the run's start
  MemoryResult memory;
  std::optional<EnergyPj> energy;  ///< empty when no energy table was applied
  /// Bytes of the layer's input, weights (operand types) and output (accumulator type), each
  /// counted once: the least DRAM traffic the layer can have. Empty when not computed.
  std::optional<std::int64_t> compulsory_dram_bytes;
  /// macs / DRAM bytes (read + written); empty when the layer moved no DRAM bytes.
  std::optional<double> operational_intensity_macs_per_byte() const;
  /// macs / total_cycles: the roofline's y; empty without cycles.
  std::optional<double> attained_macs_per_cycle() const;

  // Roofline (both array types, docs/outputs.md and docs/vector.md).
  /// Words the compute array (PEs or lanes) read from and wrote into the scratchpads, in elements;
  /// register-file hits and DMA accesses are not included.
  OperandWords array_read_words, array_write_words;
  /// DRAM traffic in elements of each operand's type (bytes / element bytes).
  OperandWords dram_read_words, dram_write_words;
  std::optional<double> compute_roof_macs_per_cycle;  ///< lanes or rows·cols
  /// arch.dram.bytes_per_cycle × operational intensity (MACs per DRAM byte); empty with ideal DRAM
  /// or when the layer moved no DRAM bytes.
  std::optional<double> bandwidth_roof_macs_per_cycle;
  /// "memory" when the bandwidth roof is below the compute roof, else "compute".
  std::string bound;
  /// macs / (array words read + written); empty when no words were counted.
  std::optional<double> compute_intensity_macs_per_word() const;

  // What SCALE-Sim's reports show (docs/import.md).
  /// Systolic array: mean over the folds of rows_used·cols_used / (rows·cols), 0..1.
  std::optional<double> mapping_efficiency;
  /// macs / (PEs · compute_cycles): the utilization of the cycles in which no fold waited, 0..1.
  std::optional<double> compute_utilization;
  /// The array's scratchpad accesses (systolic array: ifmap and weight reads, output writes).
  AccessWindows sram_access_cycles;
  /// DRAM bursts per operand (the cycle each burst's first byte crossed the bus).
  AccessWindows dram_access_cycles;

  // Systolic array only (empty for a vector unit): the mapping that ran (docs/mapping.md).
  std::optional<std::string> mapping;               ///< e.g. "tile 128x64x576, order m n k, halves 2 2 2"
  std::optional<std::string> mapper;                ///< search or fixed
  std::optional<std::int64_t> mappings_considered;  ///< mappings of the space that fit the scratchpads
  std::optional<std::int64_t> scalesim_v2_cycles;   ///< SCALE-Sim v2's stall-free cycles for the layer

  // Vector unit only (empty for a systolic array).
  std::optional<std::string> vector_mapping;  ///< the mapping that ran (config::to_string)
  std::optional<bool> vector_mapping_auto;    ///< chosen by `mapping: auto`
  std::optional<std::int64_t> vector_steps;   ///< loop-nest steps executed
  /// Cycles steps took beyond one because the scratchpad ports, not the lanes, were the bound
  /// (part of compute_cycles, not of stall_cycles).
  std::optional<std::int64_t> stall_cycles_read_bandwidth;
  /// Words the DMA wrote transposed because the lane loop is strided in DRAM.
  std::optional<std::int64_t> relayout_words;

  /// Graph runs: an operator on the post-processing unit (`type` is its kind): its element
  /// instructions (plan::VectorOpPlan::vector_ops). Empty for a layer on the array.
  std::optional<std::int64_t> vector_ops;
};

/// A whole run.
struct RunResult {
  std::string experiment;
  std::string arch_name;
  std::string fidelity;                   ///< the fidelity that ran: values or timing
  std::string fidelity_setting;           ///< sim.fidelity as configured: values, timing or auto
  std::string layer_selection;            ///< `--layers` spec; empty: every layer of the workload ran
  std::int64_t workload_layers = 0;       ///< layers in the workload (layers.size() when all ran)
  std::int64_t pe_count = 0;              ///< rows·cols (or lanes)
  std::int64_t post_processor_lanes = 0;  ///< arch.post_processor.lanes (the summary's utilization)
  double clock_mhz = 0;
  /// Operand and accumulator types of the array (element sizes of the traces).
  ir::DType input_dtype = ir::DType::int8, weight_dtype = ir::DType::int8, accumulator_dtype = ir::DType::int32;
  double simulate_seconds = 0;  ///< host wall time inside the SystemC simulation
  double golden_seconds = 0;    ///< host wall time of the golden model and the comparison
  /// `arraysim cosim`: cycles and values compared between the SystemC and the RTL array.
  std::int64_t cosim_cycles = 0, cosim_values = 0;
  std::int64_t dumped_tensors = 0;  ///< .npy files `--dump-tensors` wrote (not a stats.json field)
  std::vector<LayerResult> layers;
  std::vector<TimelineEvent> timeline;      ///< filled when a timeline was asked for
  std::vector<AccessRecord> accesses;       ///< filled when access traces were asked for (--trace)
  std::optional<EnergyRates> energy_rates;  ///< the energy table applied to every layer
  std::optional<AreaUm2> area_um2;          ///< area estimate of the architecture
  /// The roofline's bandwidth roof: DRAM peak bytes per core cycle; empty with ideal DRAM.
  std::optional<double> dram_bytes_per_cycle;

  std::int64_t macs() const;
  MemoryResult memory() const;  ///< per-layer memory results summed (peak: the maximum; avg over all cycles)
  std::optional<std::int64_t> total_cycles() const;
  std::optional<std::int64_t> compute_cycles() const;
  std::optional<std::int64_t> stall_cycles() const;
  std::optional<double> pe_utilization() const;
  /// Σ layer energy; empty when any layer has none.
  std::optional<EnergyPj> energy() const;
  /// true if every checked layer matched, false if any did not, empty if none was checked.
  std::optional<bool> golden_match() const;
  std::optional<bool> analytic_match() const;
};

/// stats.json: the run's fields and one object per layer (docs/outputs.md).
std::string to_json(const RunResult& r);
/// layers.csv: one row per layer (docs/outputs.md).
std::string to_csv(const RunResult& r);
/// Aligned human-readable tables (docs/outputs.md, "The summary"): per layer shapes, cycles and
/// checks; stalls by cause and DRAM traffic; energy by component; the roofline per layer; totals.
std::string to_text(const RunResult& r);

/// Writes `files` (name, content) into `dir` atomically per file (temporary name, then rename),
/// creating `dir` if needed. Throws std::runtime_error naming the file on failure.
void write_files(const std::string& dir, const std::vector<std::pair<std::string, std::string>>& files);

}  // namespace arraysim::stats
