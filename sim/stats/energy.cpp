#include "sim/stats/energy.hpp"

#include "sim/config/energy_config.hpp"

namespace arraysim::stats {

namespace {

double sram_energy(const SramRates& r, std::int64_t read_bytes, std::int64_t write_bytes) {
  return static_cast<double>(read_bytes) * r.read_pj_per_byte + static_cast<double>(write_bytes) * r.write_pj_per_byte;
}

std::int64_t elements(const ir::Shape& s) {
  std::int64_t n = 1;
  for (const auto d : s) n *= d;
  return n;
}
}  // namespace

EnergyRates energy_rates(const config::ArchConfig& arch) {
  const config::EnergyPerAction a = config::energy_per_action(arch);
  EnergyRates r;
  r.source = arch.energy.source;
  r.mac_dtype = ir::dtype_name(a.mac_dtype);
  r.mac_pj = a.mac_pj;
  r.sram_ifmap = {arch.ifmap.size_kib, a.sram_read_pj_per_byte[0], a.sram_write_pj_per_byte[0]};
  r.sram_weight = {arch.weight.size_kib, a.sram_read_pj_per_byte[1], a.sram_write_pj_per_byte[1]};
  r.sram_output = {arch.output.size_kib, a.sram_read_pj_per_byte[2], a.sram_write_pj_per_byte[2]};
  r.dram_read_pj_per_byte = a.dram_read_pj_per_byte;
  r.dram_write_pj_per_byte = a.dram_write_pj_per_byte;
  r.static_pj_per_cycle = a.static_pj_per_cycle;
  return r;
}

EnergyPj layer_energy(const LayerResult& l, const EnergyRates& r) {
  const MemoryResult& m = l.memory;
  EnergyPj e;
  e.mac_pj = static_cast<double>(l.macs) * r.mac_pj;
  e.sram_ifmap_pj = sram_energy(r.sram_ifmap, m.sram_read_bytes.ifmap, m.sram_write_bytes.ifmap);
  e.sram_weight_pj = sram_energy(r.sram_weight, m.sram_read_bytes.weight, m.sram_write_bytes.weight);
  e.sram_output_pj = sram_energy(r.sram_output, m.sram_read_bytes.output, m.sram_write_bytes.output);
  e.dram_pj = static_cast<double>(m.dram_read_bytes.total()) * r.dram_read_pj_per_byte +
              static_cast<double>(m.dram_write_bytes.total()) * r.dram_write_pj_per_byte;
  e.static_pj = static_cast<double>(l.total_cycles.value_or(0)) * r.static_pj_per_cycle;
  return e;
}

AreaUm2 area_estimate(const config::ArchConfig& arch) {
  AreaUm2 a;
  a.pe_array = static_cast<double>(config::pe_count(arch.array)) *
               arch.energy.pe_area_um2.at(config::energy_per_action(arch).mac_dtype);
  if (arch.energy.sram_area_um2_per_kib)
    a.scratchpad =
        (arch.ifmap.size_kib + arch.weight.size_kib + arch.output.size_kib) * *arch.energy.sram_area_um2_per_kib;
  return a;
}

std::int64_t compulsory_dram_bytes(const LayerResult& l, const config::ArrayConfig& a) {
  return elements(l.input_shape) * static_cast<std::int64_t>(ir::dtype_bytes(a.input_dtype)) +
         elements(l.weight_shape) * static_cast<std::int64_t>(ir::dtype_bytes(a.weight_dtype)) +
         elements(l.output_shape) * static_cast<std::int64_t>(ir::dtype_bytes(a.accumulator_dtype));
}

void annotate_run(RunResult& r, const config::ArchConfig& arch) {
  r.energy_rates = energy_rates(arch);
  r.area_um2 = area_estimate(arch);
  if (arch.dram.model == config::DramModel::ideal)
    r.dram_bytes_per_cycle.reset();
  else
    r.dram_bytes_per_cycle = arch.dram.bytes_per_cycle;
  const config::ArrayConfig& a = arch.array;
  const std::int64_t ea = ir::dtype_bytes(a.input_dtype), eb = ir::dtype_bytes(a.weight_dtype),
                     ec = ir::dtype_bytes(a.accumulator_dtype);
  for (LayerResult& l : r.layers) {
    l.energy = layer_energy(l, *r.energy_rates);
    l.compulsory_dram_bytes = compulsory_dram_bytes(l, arch.array);
    // Roofline (docs/vector.md): compute roof = MAC units; bandwidth roof = DRAM bytes per cycle ×
    // MACs per DRAM byte; the lower roof is the bound.
    const MemoryResult& m = l.memory;
    l.dram_read_words = {m.dram_read_bytes.ifmap / ea, m.dram_read_bytes.weight / eb, m.dram_read_bytes.output / ec};
    l.dram_write_words = {m.dram_write_bytes.ifmap / ea, m.dram_write_bytes.weight / eb,
                          m.dram_write_bytes.output / ec};
    l.compute_roof_macs_per_cycle = static_cast<double>(config::pe_count(a));
    const std::optional<double> oi = l.operational_intensity_macs_per_byte();
    if (r.dram_bytes_per_cycle && oi)
      l.bandwidth_roof_macs_per_cycle = *r.dram_bytes_per_cycle * *oi;
    else
      l.bandwidth_roof_macs_per_cycle.reset();
    l.bound = l.bandwidth_roof_macs_per_cycle && *l.bandwidth_roof_macs_per_cycle < *l.compute_roof_macs_per_cycle
                  ? "memory"
                  : "compute";
  }
}

}  // namespace arraysim::stats
