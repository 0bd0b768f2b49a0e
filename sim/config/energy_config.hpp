#pragma once
/// The per-action energy and area table of an architecture (`arch.energy`, docs/energy.md). The
/// defaults come from Horowitz, "Computing's energy problem", ISSCC 2014 (45 nm, 0.9 V); where that
/// table has no entry the default is derived from it by a stated rule or is a stated assumption.
/// Every entry can be overridden per architecture.
#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>
#include <vector>

#include "models/ir/dtype.hpp"
#include "sim/config/yaml_reader.hpp"

namespace arraysim::config {

/// One value per operand data type (the `arch.array.input_dtype` spellings).
struct PerDtype {
  double int8 = 0, int16 = 0, int32 = 0, fp32 = 0;
  double bf16 = 0, fp16 = 0, fp8_e4m3 = 0, fp8_e5m2 = 0;
  /// The value for operand type `t`; throws std::invalid_argument for int64 (accumulators only).
  double at(ir::DType t) const;
};

/// Scratchpad access energy at one capacity. Between two points the energy per byte is linear in
/// log2(size_kib); below the first point it is the first point's, above the last the last's.
struct SramEnergyPoint {
  double size_kib = 0;           ///< scratchpad capacity in KiB
  double read_pj_per_byte = 0;   ///< pJ per byte read
  double write_pj_per_byte = 0;  ///< pJ per byte written
};

/// The energy table. Defaults: docs/energy.md gives each one's source or derivation.
struct EnergyConfig {
  std::string source = "horowitz_isscc2014_45nm";  ///< a name for the table, copied into stats.json
  /// pJ per multiply-accumulate by operand type (the wider of input and weight type): the
  /// multiplier in that type plus the adder of its exact accumulator (int8: 8b mult + 32b add).
  /// The narrow floats accumulate in fp32: 16-bit float multiply + fp32 add (bf16 takes the
  /// 16-bit float figure), fp8 a multiplier derived by the square-of-width rule.
  PerDtype mac_pj{0.3, 1.0, 3.3, 4.6, 2.0, 2.0, 1.175, 1.175};
  /// Scratchpad pJ per byte by capacity: Horowitz's 64-bit cache accesses (8 KB 10 pJ, 32 KB 20 pJ,
  /// 1 MB 100 pJ) divided by 8 bytes; reads and writes alike. Sizes strictly increasing.
  std::vector<SramEnergyPoint> sram{{8, 1.25, 1.25}, {32, 2.5, 2.5}, {1024, 12.5, 12.5}};
  double dram_read_pj_per_byte = 162.5;   ///< 1.3 nJ per 64-bit access (low end of 1.3-2.6 nJ) / 8
  double dram_write_pj_per_byte = 162.5;  ///< as reads
  /// Leakage per PE in microwatts by operand type. Assumption (no source): 10% of one MAC per
  /// cycle at 1 GHz, e.g. int8 0.1 * 0.3 pJ * 1000 MHz = 30 uW.
  PerDtype static_uw_per_pe{30, 100, 330, 460, 200, 200, 117.5, 117.5};
  /// Scratchpad leakage in microwatts per KiB. Assumption (no source), docs/energy.md.
  double static_uw_per_kib = 50;
  /// Arithmetic area of one PE in um^2 by operand type (multiplier + accumulator adder; Horowitz's
  /// area table, int16 derived). No registers or control: a lower bound.
  PerDtype pe_area_um2{419, 1402, 3769, 11884, 5824, 5824, 4594, 4594};
  /// Scratchpad area per KiB in um^2; empty: not in the table (Horowitz gives none), area omitted.
  std::optional<double> sram_area_um2_per_kib;
};

/// Parses `arch.energy` (absent: every default). Problems go to the reader's context.
EnergyConfig parse_energy(MapReader r);
/// The `energy` mapping with every value written out, for effective_config.yaml.
void emit_energy(YAML::Emitter& out, const EnergyConfig& e);

/// pJ per byte of a read (`write` false) or write access to a scratchpad of `size_kib` KiB, by
/// the interpolation rule of SramEnergyPoint. `points` is non-empty with increasing sizes.
double sram_pj_per_byte(const std::vector<SramEnergyPoint>& points, double size_kib, bool write);

}  // namespace arraysim::config
