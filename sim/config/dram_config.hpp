#pragma once
/// The DRAM behind the DMA's TLM-2.0 socket as plain structs after validation: the model, its
/// organisation, its JEDEC timing parameters in DRAM clocks, the controller's policies and the
/// address mapping (docs/memory.md, docs/config.md). The presets and the source of every number
/// are in dram_config.cpp.
#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <string>
#include <vector>

#include "sim/config/yaml_reader.hpp"

namespace arraysim::config {

/// dram.model: ideal (transfers take no time), simple (bandwidth + latency), or a device preset
/// with banks, rows, JEDEC timing and refresh (ddr4_3200, lpddr4_3200, hbm2). The one place that
/// turns it into a DRAM target is hw::make_dram.
enum class DramModel { ideal, simple, ddr4_3200, lpddr4_3200, hbm2 };
/// "ideal", "simple", "ddr4_3200", "lpddr4_3200", "hbm2".
std::string to_string(DramModel m);

/// open: a row stays open after its column commands until another row of the bank is needed (or
/// refresh closes it); closed: a column command auto-precharges its bank (RDA/WRA) unless a queued
/// request hits the same row.
enum class PagePolicy { open, closed };
std::string to_string(PagePolicy p);

/// What one address bit above the burst offset selects.
enum class DramField : std::uint8_t { channel, rank, bank_group, bank, column };
/// "ch", "ra", "bg", "ba", "co": the spelling of a custom `address_mapping` list.
std::string to_string(DramField f);

/// JEDEC timing parameters in DRAM clock cycles (nCK). Where each applies: docs/memory.md.
struct DramTimings {
  std::int64_t cl = 0;         ///< RD to first read data (CAS latency, RL)
  std::int64_t cwl = 0;        ///< WR to first write data (CAS write latency, WL)
  std::int64_t rcd = 0;        ///< ACT to RD in the same bank
  std::int64_t rcd_write = 0;  ///< ACT to WR in the same bank (HBM2 tRCDWR; = rcd elsewhere)
  std::int64_t rp = 0;         ///< PRE to ACT in the same bank
  std::int64_t rp_all = 0;     ///< PREA (all banks) to REF (LPDDR4 tRPab; = rp elsewhere)
  std::int64_t ras = 0;        ///< ACT to PRE in the same bank
  std::int64_t rc = 0;         ///< ACT to ACT in the same bank
  std::int64_t rrd_s = 0;      ///< ACT to ACT in different bank groups
  std::int64_t rrd_l = 0;      ///< ACT to ACT in the same bank group
  std::int64_t faw = 0;        ///< window holding at most four ACTs (per rank)
  std::int64_t ccd_s = 0;      ///< RD to RD (WR to WR) in different bank groups
  std::int64_t ccd_l = 0;      ///< RD to RD (WR to WR) in the same bank group
  std::int64_t wr = 0;         ///< end of write data to PRE in the same bank (write recovery)
  std::int64_t wtr_s = 0;      ///< end of write data to RD in a different bank group
  std::int64_t wtr_l = 0;      ///< end of write data to RD in the same bank group
  std::int64_t rtp = 0;        ///< RD to PRE in the same bank
  std::int64_t rtw = 0;        ///< RD to WR anywhere in the rank (bus turnaround)
  std::int64_t refi = 0;       ///< average interval between REF commands
  std::int64_t rfc = 0;        ///< REF to the next ACT (all banks busy refreshing)
};

/// Off-chip memory: the DRAM target behind the DMA's TLM-2.0 socket (docs/memory.md).
/// Presets fill every field the configuration does not give.
struct DramConfig {
  DramModel model = DramModel::simple;
  /// Peak data-bus bandwidth in bytes per core cycle (banked models: derived, channels ×
  /// 2 × bus_bytes per DRAM clock).
  double bytes_per_cycle = 16;
  /// simple: request to first data in core cycles; banked models: a fixed front-end latency
  /// (controller and PHY) in core cycles added before a request reaches the controller.
  std::int64_t latency_cycles = 100;
  /// Bytes per DRAM request: every transfer moves whole, aligned bursts (banked: bus_bytes ×
  /// burst_length).
  std::int64_t burst_bytes = 64;

  // Banked models only (channels == 0 otherwise).
  double tck_ns = 0;                 ///< DRAM clock period in ns
  std::int64_t channels = 0;         ///< independent channels (HBM2: pseudo-channels)
  std::int64_t bank_groups = 0;      ///< bank groups per channel (1: none)
  std::int64_t banks_per_group = 0;  ///< banks per bank group
  std::int64_t row_bytes = 0;        ///< bytes of one row of a bank across the channel (page size)
  std::int64_t bus_bytes = 0;        ///< data-bus width of a channel in bytes
  std::int64_t burst_length = 0;     ///< BL: data beats per burst, two per DRAM clock
  DramTimings timing;
  bool refresh = true;  ///< all-bank REF every tREFI
  PagePolicy page_policy = PagePolicy::open;
  std::int64_t queue_depth = 32;     ///< requests a channel's controller holds (FR-FCFS window)
  bool dual_command_bus = false;     ///< a row and a column command may issue in the same clock (HBM2)
  std::string address_mapping_name;  ///< RoRaCoBaBgCh, RoBaRaCoCh or custom
  /// Per address bit above the burst offset, least significant first; every bit above the list
  /// selects the row.
  std::vector<DramField> address_mapping;
  std::string organisation;  ///< the preset's device organisation, for effective_config.yaml

  bool banked() const { return channels > 0; }
  std::int64_t banks() const { return bank_groups * banks_per_group; }
  /// DRAM clocks a burst occupies the data bus: BL/2.
  std::int64_t burst_cycles() const { return burst_length / 2; }
  /// Core cycles per DRAM clock at `clock_mhz`.
  double core_cycles_per_tck(double clock_mhz) const { return tck_ns * clock_mhz / 1000.0; }
};

/// Parses and validates arch.dram; `clock_mhz` converts the banked models' bandwidth.
DramConfig parse_dram(MapReader dr, double clock_mhz);
/// The DRAM section with every default filled in, for effective_config.yaml.
void emit_dram(YAML::Emitter& out, const DramConfig& d);

}  // namespace arraysim::config
