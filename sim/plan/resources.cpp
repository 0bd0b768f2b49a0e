#include "sim/plan/resources.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "sim/lower/dram_layout.hpp"
#include "sim/plan/dataflow.hpp"

namespace arraysim::plan {

namespace {

std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return (a + b - 1) / b; }
constexpr std::int64_t kMib = std::int64_t{1} << 20;

// Record sizes of the traces (sim/ depends on plan, not the other way): an access record
// (stats::AccessRecord: four std::string of 32 bytes and three 8-byte numbers with libstdc++),
// and a DRAM burst kept until the layer ends (hw::BurstRecord, 32 bytes) plus its access record.
constexpr std::int64_t kAccessRecordBytes = 152;
constexpr std::int64_t kBurstRecordBytes = 32 + kAccessRecordBytes;

std::string mib(std::int64_t bytes) { return fmt::format("{:.1f} MiB", static_cast<double>(bytes) / kMib); }

/// Saturating a + b·c for counts that may overflow on absurd inputs.
std::int64_t add_mul(std::int64_t a, std::int64_t b, std::int64_t c) {
  if (b != 0 && c > (INT64_MAX - a) / b) return INT64_MAX;
  return a + b * c;
}

config::ConfigError memory_error(const config::Experiment& e, const std::string& what) {
  return config::ConfigError(
      {{e.locate("sim.max_memory_mib"), "sim.max_memory_mib",
        fmt::format("{}; the limit is {} MiB (raise sim.max_memory_mib if the machine has the memory)", what,
                    e.sim.max_memory_mib)}});
}

/// A layer's values-fidelity data, whatever its mapping: its operands (generated for every layer
/// before the run), and its own DRAM image (Toeplitz matrices included) plus its result, read back
/// and computed again by the golden model.
struct LayerData {
  std::int64_t operands_bytes = 0, own_bytes = 0;
};

/// Where `layer`'s tensors lie in DRAM in the arch's element types and lowering.
lower::DramLayout dram_layout(const config::Experiment& e, const ir::Layer& layer) {
  const config::ArrayConfig& arr = e.arch.array;
  return lower::AddressGen(layer, ir::dtype_bytes(arr.input_dtype), ir::dtype_bytes(arr.weight_dtype),
                           ir::dtype_bytes(arr.accumulator_dtype), e.arch.lowering)
      .layout();
}

LayerData layer_data(const lower::DramLayout& l) {
  return {add_mul(0, 1, l.input_bytes + l.weight_bytes), add_mul(add_mul(0, 1, l.end), 2, l.output_bytes)};
}

void check_estimate(const config::Experiment& e, const MemoryEstimate& est) {
  if (est.total_bytes() / kMib >= e.sim.max_memory_mib)
    throw memory_error(e, fmt::format("the run needs about {} (operands {}, layer '{}' {})", mib(est.total_bytes()),
                                      mib(est.operands_bytes), est.layer, mib(est.layer_bytes)));
}

}  // namespace

MemoryEstimate estimate_memory(const config::Experiment& e, const ExperimentPlan& plan, bool trace_sram,
                               bool trace_dram) {
  const bool values = plan.fidelity == config::Fidelity::values;
  MemoryEstimate est;
  for (const LayerPlan& p : plan.layers) {
    std::int64_t own = add_mul(0, static_cast<std::int64_t>(p.schedule.tiles.size()), sizeof(Tile));
    own = add_mul(own, static_cast<std::int64_t>(p.vector_folds.size()), sizeof(VectorCounts));
    const lower::DramLayout layout = values || trace_dram ? dram_layout(e, p.layer) : lower::DramLayout{};
    if (values) {
      const LayerData d = layer_data(layout);
      est.operands_bytes = add_mul(est.operands_bytes, 1, d.operands_bytes);
      own = add_mul(own, 1, d.own_bytes);
    }
    if (trace_sram && !p.vector) {
      // Per fold its timing, and per cycle of its stream about two edge reads, plus its outputs.
      own = add_mul(own, p.schedule.fold_count, sizeof(FoldTiming));
      const Dataflow& df = dataflow(p.schedule.dataflow);
      for (const Tile& t : p.schedule.tiles) {
        const Fold f = df.fold_at(t, p.schedule.fold_rows, p.schedule.fold_cols, 0);
        own =
            add_mul(own, df.folds_in(t, p.schedule.fold_rows, p.schedule.fold_cols) * (2 * f.stream_len + f.rows_used),
                    kAccessRecordBytes);
      }
    }
    if (trace_dram) {
      // Every byte of the layer's footprint crosses the interface at least once.
      const std::int64_t burst = std::max<std::int64_t>(1, e.arch.dram.burst_bytes);
      own = add_mul(own, ceil_div(layout.footprint_bytes(), burst), kBurstRecordBytes);
    }
    if (own > est.layer_bytes) est.layer_bytes = own, est.layer = p.layer.name;
  }
  return est;
}

std::int64_t min_cycles(const config::ArchConfig& arch, const ir::Layer& l) {
  return ceil_div(ir::macs(l), std::max<std::int64_t>(1, config::pe_count(arch.array)));
}

void check_min_cycles(const config::Experiment& e, const ir::Layer& l) {
  const std::int64_t need = min_cycles(e.arch, l);
  if (need <= e.sim.max_cycles) return;
  const config::ArrayConfig& a = e.arch.array;
  const std::string units =
      a.type == config::ArrayType::systolic ? fmt::format("{} PEs", a.rows * a.cols) : fmt::format("{} lanes", a.lanes);
  throw config::ConfigError(
      {{e.locate("sim.max_cycles"), "sim.max_cycles",
        fmt::format("layer '{}' needs at least {} cycles ({} MACs on {}), more than the limit of {}", l.name, need,
                    ir::macs(l), units, e.sim.max_cycles)}});
}

void check_resources(const config::Experiment& e, const ExperimentPlan& plan, bool trace_sram, bool trace_dram) {
  for (const LayerPlan& p : plan.layers) check_min_cycles(e, p.layer);
  check_estimate(e, estimate_memory(e, plan, trace_sram, trace_dram));
}

void check_data_memory(const config::Experiment& e, const std::vector<std::size_t>& layers, config::Fidelity fidelity) {
  if (fidelity != config::Fidelity::values) return;
  MemoryEstimate est;
  for (const std::size_t i : layers) {
    const LayerData d = layer_data(dram_layout(e, e.workload.layers[i]));
    est.operands_bytes = add_mul(est.operands_bytes, 1, d.operands_bytes);
    if (d.own_bytes > est.layer_bytes) est.layer_bytes = d.own_bytes, est.layer = e.workload.layers[i].name;
  }
  check_estimate(e, est);
}

void check_tile_count(const config::Experiment& e, const std::string& layer, const ir::GemmDims& d,
                      const TileShape& t) {
  auto pieces = [](std::int64_t total, std::int64_t step) { return step <= 0 ? 1 : ceil_div(total, step); };
  std::int64_t tiles = d.groups;
  for (const std::int64_t n : {pieces(d.m, t.m), pieces(d.n, t.n), pieces(d.k, t.k)})
    tiles = n != 0 && tiles > INT64_MAX / n ? INT64_MAX : tiles * n;
  const std::int64_t bytes = add_mul(0, tiles, sizeof(Tile));
  if (bytes / kMib >= e.sim.max_memory_mib)
    throw memory_error(e, fmt::format("layer '{}' is cut into {} scratchpad tiles ({})", layer, tiles, mib(bytes)));
}

}  // namespace arraysim::plan
