/// The energy table (arch.energy): defaults and their derivation from Horowitz (ISSCC 2014, 45 nm),
/// the scratchpad interpolation rule, parsing with located errors and --set overrides, the round
/// trip through effective_config.yaml, and energy = action counts × table on synthetic layers.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

#include "sim/config/diagnostics.hpp"
#include "sim/config/energy_config.hpp"
#include "sim/config/experiment.hpp"
#include "sim/stats/energy.hpp"

using namespace arraysim;
using Catch::Matchers::Contains;

namespace {

/// A small valid experiment; `arch_extra` is appended inside the arch mapping.
std::string experiment_yaml(const std::string& arch_extra = "") {
  return "name: e\n"
         "arch:\n"
         "  name: a\n"
         "  clock_mhz: 500\n"
         "  array: {rows: 4, cols: 8}\n"
         "  scratchpad:\n"
         "    ifmap: {size_kib: 16}\n"
         "    weight: {size_kib: 64}\n"
         "    output: {size_kib: 2048}\n" +
         arch_extra +
         "workload:\n"
         "  layers:\n"
         "    - {name: g, type: gemm, m: 8, n: 8, k: 8}\n";
}

config::Experiment load(const std::string& text, const std::vector<std::string>& sets = {}) {
  return config::load_experiment_text(text, "e.yaml", ".", sets);
}

/// The error lines of loading `text`, or {} when it loads.
std::vector<std::string> errors(const std::string& text, const std::vector<std::string>& sets = {}) {
  try {
    load(text, sets);
  } catch (const config::ConfigError& e) {
    std::vector<std::string> lines;
    for (const auto& i : e.issues()) lines.push_back(i.str());
    return lines;
  }
  return {};
}

}  // namespace

TEST_CASE("energy table defaults are the Horowitz 45 nm figures and their stated derivations", "[unit][energy]") {
  const config::EnergyConfig e;
  // MAC = multiplier of the operand type + adder of its exact accumulator (Horowitz, 45 nm, 0.9 V):
  // int8: 8b mult 0.2 + 32b add 0.1 = 0.3 pJ; fp32: fmult 3.7 + fadd 0.9 = 4.6 pJ;
  // int32: 32b mult 3.1 + 64b add 2·0.1 = 3.3 pJ; int16: 16b mult 0.2·(16/8)² = 0.8 + 64b add 0.2 = 1.0 pJ.
  CHECK(e.mac_pj.int8 == Approx(0.2 + 0.1));
  CHECK(e.mac_pj.fp32 == Approx(3.7 + 0.9));
  CHECK(e.mac_pj.int32 == Approx(3.1 + 2 * 0.1));
  CHECK(e.mac_pj.int16 == Approx(0.2 * 4 + 2 * 0.1));
  // 64-bit (8-byte) cache accesses: 8 KB 10 pJ, 32 KB 20 pJ, 1 MB 100 pJ.
  REQUIRE(e.sram.size() == 3);
  CHECK(e.sram[0].size_kib == 8);
  CHECK(e.sram[0].read_pj_per_byte == Approx(10.0 / 8));
  CHECK(e.sram[1].size_kib == 32);
  CHECK(e.sram[1].read_pj_per_byte == Approx(20.0 / 8));
  CHECK(e.sram[2].size_kib == 1024);
  CHECK(e.sram[2].write_pj_per_byte == Approx(100.0 / 8));
  // DRAM 1.3 nJ per 64-bit access (the low end of 1.3-2.6 nJ).
  CHECK(e.dram_read_pj_per_byte == Approx(1300.0 / 8));
  CHECK(e.dram_write_pj_per_byte == Approx(1300.0 / 8));
  // Leakage assumption: 10% of one MAC per cycle at 1 GHz; pJ/cycle · MHz = uW.
  CHECK(e.static_uw_per_pe.int8 == Approx(0.1 * 0.3 * 1000));
  CHECK(e.static_uw_per_pe.fp32 == Approx(0.1 * 4.6 * 1000));
  // Area per PE: 8b mult 282 + 32b add 137; fp32: fmult 7700 + fadd 4184 um².
  CHECK(e.pe_area_um2.int8 == 282 + 137);
  CHECK(e.pe_area_um2.fp32 == 7700 + 4184);
  CHECK(e.pe_area_um2.int32 == 3495 + 2 * 137);
  CHECK_FALSE(e.sram_area_um2_per_kib.has_value());
  // The narrow floats accumulate in fp32 (fadd 0.9 pJ, 4184 um²). fp16: 16-bit fmult 1.1 pJ,
  // 1640 um²; bf16 reuses the 16-bit figures; fp8: fmult by the square-of-width rule,
  // 1.1·(8/16)² = 0.275 pJ and 1640·(8/16)² = 410 um².
  CHECK(e.mac_pj.fp16 == Approx(1.1 + 0.9));
  CHECK(e.mac_pj.bf16 == Approx(1.1 + 0.9));
  CHECK(e.mac_pj.fp8_e4m3 == Approx(1.1 * 0.25 + 0.9));
  CHECK(e.mac_pj.fp8_e5m2 == Approx(1.1 * 0.25 + 0.9));
  CHECK(e.static_uw_per_pe.fp16 == Approx(0.1 * 2.0 * 1000));
  CHECK(e.static_uw_per_pe.fp8_e4m3 == Approx(0.1 * 1.175 * 1000));
  CHECK(e.pe_area_um2.bf16 == 1640 + 4184);
  CHECK(e.pe_area_um2.fp8_e5m2 == 410 + 4184);
  CHECK(e.mac_pj.at(ir::DType::fp8_e5m2) == e.mac_pj.fp8_e5m2);
  CHECK_THROWS_AS(e.mac_pj.at(ir::DType::int64), std::invalid_argument);
}

TEST_CASE("scratchpad energy per byte is linear in log2 of the size and clamped at the ends", "[unit][energy]") {
  const config::EnergyConfig e;
  // At the points themselves.
  CHECK(config::sram_pj_per_byte(e.sram, 8, false) == Approx(1.25));
  CHECK(config::sram_pj_per_byte(e.sram, 32, true) == Approx(2.5));
  // 16 KiB: log2 16 = 4 lies halfway between log2 8 = 3 and log2 32 = 5: (1.25 + 2.5) / 2 = 1.875.
  CHECK(config::sram_pj_per_byte(e.sram, 16, false) == Approx(1.875));
  // 64 KiB: (6 - 5) / (10 - 5) = 0.2 of the way from 2.5 to 12.5: 2.5 + 0.2·10 = 4.5.
  CHECK(config::sram_pj_per_byte(e.sram, 64, false) == Approx(4.5));
  // Outside the table: the nearest point's value.
  CHECK(config::sram_pj_per_byte(e.sram, 0.5, false) == Approx(1.25));
  CHECK(config::sram_pj_per_byte(e.sram, 4096, true) == Approx(12.5));
  // Reads and writes interpolate separately.
  const std::vector<config::SramEnergyPoint> rw{{1, 1, 3}, {4, 2, 7}};
  CHECK(config::sram_pj_per_byte(rw, 2, false) == Approx(1.5));  // log2 2 = 1 is halfway between 0 and 2
  CHECK(config::sram_pj_per_byte(rw, 2, true) == Approx(5.0));
}

TEST_CASE("layer energy is action counts times the resolved table", "[unit][energy]") {
  config::Experiment e = load(experiment_yaml());
  const stats::EnergyRates t = stats::energy_rates(e.arch);
  // 4x8 int8 array: MAC 0.3 pJ; ifmap 16 KiB -> 1.875, weight 64 KiB -> 4.5, output 2048 KiB -> 12.5 pJ/B.
  CHECK(t.mac_dtype == "int8");
  CHECK(t.mac_pj == Approx(0.3));
  CHECK(t.sram_ifmap.read_pj_per_byte == Approx(1.875));
  CHECK(t.sram_weight.write_pj_per_byte == Approx(4.5));
  CHECK(t.sram_output.read_pj_per_byte == Approx(12.5));
  // Static: (32 PEs · 30 uW + (16 + 64 + 2048) KiB · 50 uW) / 500 MHz = (960 + 106400) / 500 = 214.72 pJ/cycle.
  CHECK(t.static_pj_per_cycle == Approx((32 * 30.0 + 2128 * 50.0) / 500));

  stats::LayerResult l;
  l.macs = 1000;
  l.total_cycles = 200;
  l.memory.sram_read_bytes = {100, 200, 300};
  l.memory.sram_write_bytes = {10, 20, 30};
  l.memory.dram_read_bytes = {1, 2, 3};
  l.memory.dram_write_bytes = {0, 0, 4};
  const stats::EnergyPj x = stats::layer_energy(l, t);
  CHECK(x.mac_pj == Approx(1000 * 0.3));                       // 300
  CHECK(x.sram_ifmap_pj == Approx(100 * 1.875 + 10 * 1.875));  // 206.25
  CHECK(x.sram_weight_pj == Approx(200 * 4.5 + 20 * 4.5));     // 990
  CHECK(x.sram_output_pj == Approx(300 * 12.5 + 30 * 12.5));   // 4125
  CHECK(x.dram_pj == Approx(6 * 162.5 + 4 * 162.5));           // 1625
  CHECK(x.static_pj == Approx(200 * 214.72));                  // 42944
  CHECK(x.total_pj() == Approx(300 + 206.25 + 990 + 4125 + 1625 + 42944));

  // The run: every layer annotated, the area from the table, the DRAM roof from arch.dram.
  stats::RunResult r;
  r.layers = {l, l};
  r.layers[1].total_cycles.reset();  // no cycle count: no static energy
  stats::annotate_run(r, e.arch);
  REQUIRE(r.layers[1].energy);
  CHECK(r.layers[1].energy->static_pj == 0);
  CHECK(r.energy()->total_pj() == Approx(x.total_pj() * 2 - 42944));
  CHECK(r.area_um2->pe_array == Approx(32 * 419));
  CHECK_FALSE(r.area_um2->total());
  CHECK(r.dram_bytes_per_cycle == Approx(16));
  CHECK(r.layers[0].compulsory_dram_bytes.has_value());
  // Ideal DRAM has no bandwidth roof.
  stats::RunResult ideal;
  stats::annotate_run(ideal, load(experiment_yaml(), {"arch.dram.model=ideal"}).arch);
  CHECK_FALSE(ideal.dram_bytes_per_cycle.has_value());
}

TEST_CASE("compulsory dram bytes count each tensor once in its type", "[unit][energy]") {
  config::Experiment e = load(experiment_yaml(), {"arch.array.input_dtype=int16"});
  stats::LayerResult l;
  l.input_shape = {1, 3, 8, 8};   // 192 int16 elements = 384 bytes
  l.weight_shape = {4, 3, 3, 3};  // 108 int16 elements = 216 bytes
  l.output_shape = {1, 4, 6, 6};  // 144 int64 accumulators = 1152 bytes
  CHECK(stats::compulsory_dram_bytes(l, e.arch.array) == 384 + 216 + 1152);
}

TEST_CASE("arch.energy overrides apply and round trip through the effective configuration", "[unit][energy]") {
  const std::string extra =
      "  energy:\n"
      "    source: my_28nm\n"
      "    mac_pj: {int8: 0.5}\n"
      "    sram:\n"
      "      - {size_kib: 4, read_pj_per_byte: 1}\n"
      "      - {size_kib: 256, read_pj_per_byte: 4, write_pj_per_byte: 5}\n"
      "    sram_area_um2_per_kib: 3000\n";
  const config::Experiment e =
      load(experiment_yaml(extra), {"arch.energy.dram_read_pj_per_byte=100", "arch.energy.static_uw_per_pe.int8=7"});
  const config::EnergyConfig& c = e.arch.energy;
  // The table's name says which entries the command line changed (docs/config.md, `--set`).
  CHECK(c.source == "my_28nm (dram_read_pj_per_byte=100, static_uw_per_pe.int8=7)");
  CHECK(c.mac_pj.int8 == 0.5);
  CHECK(c.mac_pj.fp32 == Approx(4.6));  // not given: the default
  REQUIRE(c.sram.size() == 2);
  CHECK(c.sram[0].write_pj_per_byte == 1);  // write defaults to the point's read energy
  CHECK(c.sram[1].write_pj_per_byte == 5);
  CHECK(c.dram_read_pj_per_byte == 100);
  CHECK(c.dram_write_pj_per_byte == Approx(162.5));
  CHECK(c.static_uw_per_pe.int8 == 7);
  CHECK(c.sram_area_um2_per_kib == Approx(3000));
  const stats::AreaUm2 a = stats::area_estimate(e.arch);
  CHECK(a.scratchpad == Approx((16 + 64 + 2048) * 3000.0));
  CHECK(a.total() == Approx(32 * 419 + 2128 * 3000.0));

  // The effective configuration writes every entry and loads to the same table.
  const std::string yaml = config::effective_yaml(e);
  CHECK_THAT(yaml, Contains("mac_pj: {int8: 0.5, int16: 1, int32: 3.3, fp32: 4.6, bf16: 2, fp16: 2, fp8_e4m3: 1.175, "
                            "fp8_e5m2: 1.175}"));
  CHECK_THAT(yaml, Contains("dram_read_pj_per_byte: 100"));
  const config::Experiment again = load(yaml);
  const config::EnergyConfig& d = again.arch.energy;
  CHECK(d.source == c.source);
  CHECK(d.mac_pj.int8 == c.mac_pj.int8);
  CHECK(d.sram.size() == c.sram.size());
  CHECK(d.sram[1].size_kib == c.sram[1].size_kib);
  CHECK(d.sram[1].write_pj_per_byte == c.sram[1].write_pj_per_byte);
  CHECK(d.static_uw_per_pe.int8 == c.static_uw_per_pe.int8);
  CHECK(d.sram_area_um2_per_kib == c.sram_area_um2_per_kib);
  CHECK(config::effective_yaml(again) == yaml);

  // The defaults round trip too, including the absent scratchpad area (written as ~).
  const config::Experiment dflt = load(experiment_yaml());
  const std::string dyaml = config::effective_yaml(dflt);
  CHECK_THAT(dyaml, Contains("sram_area_um2_per_kib: ~"));
  CHECK(config::effective_yaml(load(dyaml)) == dyaml);
  CHECK_FALSE(load(dyaml).arch.energy.sram_area_um2_per_kib.has_value());
}

TEST_CASE("arch.energy errors name the key path and the file position", "[unit][energy]") {
  CHECK(errors(experiment_yaml("  energy: {mac_pj: {int9: 1}}\n")) ==
        std::vector<std::string>{"e.yaml:10:21 arch.energy.mac_pj.int9: unknown key (did you mean 'int8'?)"});
  CHECK(errors(experiment_yaml("  energy: {dram_read_pj_per_bytes: 1}\n")) ==
        std::vector<std::string>{
            "e.yaml:10:12 arch.energy.dram_read_pj_per_bytes: unknown key (did you mean 'dram_read_pj_per_byte'?)"});
  CHECK(errors(experiment_yaml("  energy: {dram_write_pj_per_byte: -1}\n")) ==
        std::vector<std::string>{"e.yaml:10:36 arch.energy.dram_write_pj_per_byte: must be in 0..1000000000, got -1"});
  const std::string unordered =
      "  energy:\n"
      "    sram:\n"
      "      - {size_kib: 32, read_pj_per_byte: 2}\n"
      "      - {size_kib: 8, read_pj_per_byte: 1}\n";
  CHECK(errors(experiment_yaml(unordered)) ==
        std::vector<std::string>{"e.yaml:13:20 arch.energy.sram.1.size_kib: must be larger than the previous "
                                 "point's 32 KiB (points in increasing size)"});
  CHECK(errors(experiment_yaml("  energy: {sram: []}\n")) ==
        std::vector<std::string>{"e.yaml:10:18 arch.energy.sram: needs at least one {size_kib, read_pj_per_byte, "
                                 "write_pj_per_byte} point"});
  CHECK(errors(experiment_yaml("  energy: {sram: [{size_kib: 8}]}\n")) ==
        std::vector<std::string>{"e.yaml:10:19 arch.energy.sram.0.read_pj_per_byte: missing required key (pJ per "
                                 "byte read)"});
  CHECK(errors(experiment_yaml(), {"arch.energy.mac_pj.fp32=lots"}) ==
        std::vector<std::string>{"<--set>:1:1 arch.energy.mac_pj.fp32: expected a number, got 'lots'"});
}
