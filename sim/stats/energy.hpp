#pragma once
/// Energy and area from action counts and the architecture's energy table (docs/energy.md), and
/// the other results derived after a run: compulsory traffic and the roofline's roofs.
#include <cstdint>

#include "sim/config/arch_config.hpp"
#include "sim/stats/report.hpp"

namespace arraysim::stats {

/// The energy table of `arch` resolved to the cost of each action: MAC energy for the operand
/// type, scratchpad energy per byte for each buffer's capacity (interpolated, docs/energy.md), and
/// static pJ per cycle = (PEs · static_uw_per_pe + KiB · static_uw_per_kib) / clock_mhz
/// (microwatts divided by megahertz is picojoules per cycle).
EnergyRates energy_rates(const config::ArchConfig& arch);

/// Energy of a layer's counted actions: macs · mac_pj; per buffer, SRAM bytes read · read rate +
/// bytes written · write rate; DRAM bytes read · read rate + written · write rate; total_cycles ·
/// static_pj_per_cycle (0 when the layer has no cycle count).
EnergyPj layer_energy(const LayerResult& l, const EnergyRates& rates);

/// Area estimate: PEs · pe_area_um2 of the operand type; scratchpads (total KiB ·
/// sram_area_um2_per_kib) only when the table gives that figure.
AreaUm2 area_estimate(const config::ArchConfig& arch);

/// Bytes of the layer's input and weights (operand types) and output (accumulator type), each once.
std::int64_t compulsory_dram_bytes(const LayerResult& l, const config::ArrayConfig& a);

/// Fills what a finished run derives from its counters and `arch`: energy rates, every layer's
/// energy and compulsory DRAM bytes, the area and the DRAM roof (empty for dram.model: ideal).
void annotate_run(RunResult& r, const config::ArchConfig& arch);

}  // namespace arraysim::stats
