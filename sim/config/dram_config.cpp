#include "sim/config/dram_config.hpp"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <sstream>

namespace arraysim::config {

std::string to_string(DramModel m) {
  switch (m) {
    case DramModel::ideal: return "ideal";
    case DramModel::simple: return "simple";
    case DramModel::ddr4_3200: return "ddr4_3200";
    case DramModel::lpddr4_3200: return "lpddr4_3200";
    case DramModel::hbm2: return "hbm2";
  }
  return "";
}

std::string to_string(PagePolicy p) { return p == PagePolicy::open ? "open" : "closed"; }

std::string to_string(DramField f) {
  switch (f) {
    case DramField::channel: return "ch";
    case DramField::rank: return "ra";
    case DramField::bank_group: return "bg";
    case DramField::bank: return "ba";
    case DramField::column: return "co";
  }
  return "";
}

namespace {

bool is_pow2(std::int64_t v) { return v > 0 && (v & (v - 1)) == 0; }
std::int64_t log2_exact(std::int64_t v) {
  std::int64_t b = 0;
  while ((std::int64_t{1} << b) < v) ++b;
  return b;
}

/// A device preset: organisation, clock and timings in nCK, each with its source.
struct DramPreset {
  DramModel model = DramModel::ddr4_3200;
  const char* organisation = "";
  double tck_ns = 0;
  std::int64_t channels = 1, bank_groups = 1, banks_per_group = 1, row_bytes = 0, bus_bytes = 0, burst_length = 0;
  DramTimings t;
  bool dual_command_bus = false;
};

// DDR4-3200AA (22-22-22), one 64-bit channel of one rank of eight x8 8 Gb devices (Micron
// MT40A1G8). The nCK values are the JESD79-4B minimums at tCK = 0.625 ns rounded up to whole
// clocks; they equal Ramulator 2's DDR4_3200AA with DDR4_8Gb_x8 and DRAMsim3's
// DDR4_8Gb_x8_3200.ini.
DramPreset ddr4_3200() {
  DramPreset p;
  p.model = DramModel::ddr4_3200;
  p.organisation = "DDR4-3200AA x8 8Gb, one rank of 8 devices: 4 bank groups x 4 banks, 8 KiB rows, BL8";
  p.tck_ns = 0.625;       // JESD79-4B speed bin DDR4-3200AA; Micron 8Gb DDR4 "-062E: 0.625 ns @ CL = 22"
  p.channels = 1;         // one 64-bit channel (DIMM)
  p.bank_groups = 4;      // Micron MT40A1G8 (x8) features: 4 bank groups of 4 banks
  p.banks_per_group = 4;  // same
  p.row_bytes = 8192;     // 1,024 columns x 8 bits = 1 KB page per x8 device, 8 devices per rank
  p.bus_bytes = 8;        // 64-bit data bus
  p.burst_length = 8;     // BL8 (JESD79-4B; burst chop BC4 not used)
  DramTimings& t = p.t;
  t.cl = 22;         // 13.75 ns: JESD79-4B speed bin DDR4-3200AA (22-22-22)
  t.cwl = 16;        // JESD79-4B CWL table at 3200 MT/s, 1tCK write preamble
  t.rcd = 22;        // 13.75 ns: speed bin
  t.rcd_write = 22;  // DDR4 has one tRCD
  t.rp = 22;         // 13.75 ns: speed bin
  t.rp_all = 22;     // DDR4 precharges all banks in tRP
  t.ras = 52;        // 32 ns (JESD79-4B speed bin tRAS min)
  t.rc = 74;         // tRAS + tRP = 45.75 ns
  t.rrd_s = 4;       // max(4 nCK, 2.5 ns), 1 KB page (JESD79-4B tRRD_S(1K))
  t.rrd_l = 8;       // max(4 nCK, 4.9 ns), 1 KB page (tRRD_L(1K))
  t.faw = 34;        // max(20 nCK, 21 ns), 1 KB page (tFAW(1K))
  t.ccd_s = 4;       // 4 nCK (JESD79-4B)
  t.ccd_l = 8;       // max(4 nCK, 5 ns) at 3200 (Micron EDY4016A data sheet, Table 148)
  t.wr = 24;         // 15 ns (JESD79-4B)
  t.wtr_s = 4;       // max(2 nCK, 2.5 ns)
  t.wtr_l = 12;      // max(4 nCK, 7.5 ns)
  t.rtp = 12;        // max(4 nCK, 7.5 ns)
  t.rtw = 12;        // CL + BL/2 + 1 - CWL + tWPRE(1): DRAMSys CheckerDDR4 tRDWR
  t.refi = 12480;    // 7.8 us: 8,192 REF per 64 ms up to 85 C (Micron 8Gb DDR4)
  t.rfc = 560;       // tRFC1 350 ns for 8 Gb (JESD79-4B; DRAMsim3 DDR4_8Gb_x8_3200: 560)
  return p;
}

// LPDDR4-3200, one x16 channel of an 8 Gb die: DRAMSys configs/memspec/
// JEDEC_8Gb_LPDDR4-3200_16bit.json, which carries the JESD209-4 values (JESD209-4 itself was not
// checked). No bank groups: the _S and _L parameters are equal.
DramPreset lpddr4_3200() {
  DramPreset p;
  p.model = DramModel::lpddr4_3200;
  p.organisation = "LPDDR4-3200 8Gb, one x16 channel: 8 banks, no bank groups, 2 KiB rows, BL16";
  p.tck_ns = 0.625;       // DRAMSys tCK 625 ps
  p.channels = 1;         // one x16 channel
  p.bank_groups = 1;      // DRAMSys nbrOfBankGroups 1
  p.banks_per_group = 8;  // nbrOfBanks 8
  p.row_bytes = 2048;     // nbrOfColumns 1,024 x 16 bits
  p.bus_bytes = 2;        // width 16
  p.burst_length = 16;    // burstLength 16
  DramTimings& t = p.t;
  t.cl = 28;         // RL
  t.cwl = 14;        // WL
  t.rcd = 29;        // RCD
  t.rcd_write = 29;  // RCD
  t.rp = 29;         // RPpb
  t.rp_all = 34;     // RPab
  t.ras = 68;        // RAS
  t.rc = 97;         // RCpb
  t.rrd_s = 16;      // RRD
  t.rrd_l = 16;      // RRD
  t.faw = 64;        // FAW
  t.ccd_s = 8;       // CCD
  t.ccd_l = 8;       // CCD
  t.wr = 29;         // WR
  t.wtr_s = 16;      // WTR
  t.wtr_l = 16;      // WTR
  t.rtp = 12;        // RTP
  t.rtw = 30;        // RL + tDQSCK(6) + BL/2 - WL + tWPRE(2) + tRPST(0) (DRAMSys memspec values)
  t.refi = 6246;     // REFI (3.9 us)
  t.rfc = 448;       // RFCab (280 ns)
  return p;
}

// HBM2 at 2 Gb/s per pin, one stack as 16 pseudo-channels: DRAMSys configs/memspec/HBM2.json (its
// values are a vendor tuning of JESD235; JESD235 itself was not checked). Per pseudo-channel.
DramPreset hbm2() {
  DramPreset p;
  p.model = DramModel::hbm2;
  p.organisation =
      "HBM2 2 Gb/s per pin, one stack of 16 pseudo-channels: 4 bank groups x 4 banks, 1 KiB rows, BL4 on 64 bits each";
  p.tck_ns = 1.0;             // DRAMSys tCK 1 ns (2 Gb/s per pin, double data rate)
  p.channels = 16;            // 8 channels x 2 pseudo-channels per stack (JESD235A pseudo-channel mode)
  p.bank_groups = 4;          // DRAMSys nbrOfBankGroups 8 over its 2 pseudo-channels
  p.banks_per_group = 4;      // nbrOfBanks 32 over 2 pseudo-channels and 8 groups
  p.row_bytes = 1024;         // 1 KB page per pseudo-channel
  p.bus_bytes = 8;            // width 64 (a pseudo-channel)
  p.burst_length = 4;         // burstLength 4
  p.dual_command_bus = true;  // HBM has separate row and column command buses (JESD235)
  DramTimings& t = p.t;
  t.cl = 17;        // RL
  t.cwl = 7;        // WL
  t.rcd = 12;       // RCDRD
  t.rcd_write = 6;  // RCDWR
  t.rp = 14;        // RP
  t.rp_all = 14;    // RP
  t.ras = 28;       // RAS
  t.rc = 42;        // RC
  t.rrd_s = 4;      // RRDS
  t.rrd_l = 6;      // RRDL
  t.faw = 16;       // FAW
  t.ccd_s = 2;      // CCDS
  t.ccd_l = 3;      // CCDL
  t.wr = 14;        // WR
  t.wtr_s = 4;      // WTRS
  t.wtr_l = 9;      // WTRL
  t.rtp = 5;        // RTP
  t.rtw = 18;       // RTW
  t.refi = 3900;    // REFI
  t.rfc = 220;      // RFC
  return p;
}

/// The preset of a banked model, or null.
const DramPreset* preset_of(DramModel m) {
  static const DramPreset presets[] = {ddr4_3200(), lpddr4_3200(), hbm2()};
  for (const DramPreset& p : presets)
    if (p.model == m) return &p;
  return nullptr;
}

const std::vector<std::string> kModels{"ideal", "simple", "ddr4_3200", "lpddr4_3200", "hbm2"};
const char* const kBankedKeys[] = {"tck_ns",      "channels",     "bank_groups",    "banks_per_group", "row_bytes",
                                   "bus_bytes",   "burst_length", "timing",         "refresh",         "page_policy",
                                   "queue_depth", "command_bus",  "address_mapping"};

/// The timing keys with their members, in emit order.
struct TimingKey {
  const char* key;
  std::int64_t DramTimings::*member;
};
constexpr TimingKey kTimingKeys[] = {{"cl", &DramTimings::cl},       {"cwl", &DramTimings::cwl},
                                     {"rcd", &DramTimings::rcd},     {"rcd_write", &DramTimings::rcd_write},
                                     {"rp", &DramTimings::rp},       {"rp_all", &DramTimings::rp_all},
                                     {"ras", &DramTimings::ras},     {"rc", &DramTimings::rc},
                                     {"rrd_s", &DramTimings::rrd_s}, {"rrd_l", &DramTimings::rrd_l},
                                     {"faw", &DramTimings::faw},     {"ccd_s", &DramTimings::ccd_s},
                                     {"ccd_l", &DramTimings::ccd_l}, {"wr", &DramTimings::wr},
                                     {"wtr_s", &DramTimings::wtr_s}, {"wtr_l", &DramTimings::wtr_l},
                                     {"rtp", &DramTimings::rtp},     {"rtw", &DramTimings::rtw},
                                     {"refi", &DramTimings::refi},   {"rfc", &DramTimings::rfc}};

/// The named mappings as field runs from the least significant bit up (row above all).
std::vector<DramField> named_mapping(const std::string& name, const DramConfig& d) {
  const std::int64_t ch = log2_exact(d.channels), bg = log2_exact(d.bank_groups), ba = log2_exact(d.banks_per_group),
                     co = log2_exact(d.row_bytes / (d.bus_bytes * d.burst_length));
  std::vector<std::pair<DramField, std::int64_t>> runs;
  if (name == "RoBaRaCoCh")  // Ramulator 2: channel, column, rank, bank group, bank, row
    runs = {{DramField::channel, ch}, {DramField::column, co}, {DramField::bank_group, bg}, {DramField::bank, ba}};
  else  // RoRaCoBaBgCh: consecutive bursts over channels, then bank groups, then banks
    runs = {{DramField::channel, ch}, {DramField::bank_group, bg}, {DramField::bank, ba}, {DramField::column, co}};
  std::vector<DramField> bits;
  for (const auto& [f, n] : runs) bits.insert(bits.end(), static_cast<std::size_t>(n), f);
  return bits;
}

/// Reads `address_mapping` (a name or a list of fields, least significant bit first) once the
/// organisation is known.
void parse_mapping(MapReader& dr, DramConfig& d) {
  d.address_mapping_name = "RoRaCoBaBgCh";
  const std::int64_t widths[5] = {log2_exact(d.channels), 0, log2_exact(d.bank_groups), log2_exact(d.banks_per_group),
                                  log2_exact(d.row_bytes / (d.bus_bytes * d.burst_length))};
  if (!dr.has("address_mapping")) {
    d.address_mapping = named_mapping(d.address_mapping_name, d);
    return;
  }
  const YAML::Node n = dr.raw("address_mapping");
  if (n.IsScalar()) {
    const std::string s = n.Scalar();
    if (s != "RoRaCoBaBgCh" && s != "RoBaRaCoCh") {
      dr.error("address_mapping",
               "must be RoRaCoBaBgCh, RoBaRaCoCh or a list of address bits (ch, ra, bg, ba, co), "
               "least significant first; got " +
                   describe(n));
      return;
    }
    d.address_mapping_name = s;
    d.address_mapping = named_mapping(s, d);
    return;
  }
  std::int64_t count[5] = {0, 0, 0, 0, 0};
  std::vector<DramField> bits;
  bool ok = n.IsSequence();
  for (std::size_t i = 0; ok && i < n.size(); ++i) {
    const std::string s = n[i].IsScalar() ? n[i].Scalar() : "";
    ok = false;
    for (int f = 0; f < 5; ++f)
      if (s == to_string(static_cast<DramField>(f))) bits.push_back(static_cast<DramField>(f)), ++count[f], ok = true;
  }
  if (!ok) {
    dr.error("address_mapping",
             "must be RoRaCoBaBgCh, RoBaRaCoCh or a list of address bits (ch, ra, bg, ba, co), "
             "least significant first; got " +
                 describe(n));
    return;
  }
  std::string need;
  for (int f = 0; f < 5; ++f)
    if (count[f] != widths[f])
      need += (need.empty() ? "" : ", ") + std::to_string(widths[f]) + " x " + to_string(static_cast<DramField>(f)) +
              " (got " + std::to_string(count[f]) + ")";
  if (!need.empty()) {
    dr.error("address_mapping", "this organisation needs " + need + "; every bit above the list selects the row");
    return;
  }
  d.address_mapping_name = "custom";
  d.address_mapping = std::move(bits);
}

void parse_banked(MapReader& dr, DramConfig& d, const DramPreset& p, double clock_mhz) {
  d.organisation = p.organisation;
  d.tck_ns = dr.opt_num("tck_ns", p.tck_ns, 0.01, 1000);
  d.channels = dr.opt_int("channels", p.channels, 1, 64);
  d.bank_groups = dr.opt_int("bank_groups", p.bank_groups, 1, 16);
  d.banks_per_group = dr.opt_int("banks_per_group", p.banks_per_group, 1, 64);
  d.bus_bytes = dr.opt_int("bus_bytes", p.bus_bytes, 1, 128);
  d.burst_length = dr.opt_int("burst_length", p.burst_length, 2, 64);
  d.row_bytes = dr.opt_int("row_bytes", p.row_bytes, 1, 1 << 20);
  bool ok = true;
  for (const auto& [key, v] : {std::pair<const char*, std::int64_t>{"channels", d.channels},
                               {"bank_groups", d.bank_groups},
                               {"banks_per_group", d.banks_per_group},
                               {"bus_bytes", d.bus_bytes},
                               {"burst_length", d.burst_length},
                               {"row_bytes", d.row_bytes}})
    if (!is_pow2(v)) dr.error(key, "must be a power of two, got " + std::to_string(v)), ok = false;
  d.burst_bytes = d.bus_bytes * d.burst_length;
  if (ok && d.row_bytes < d.burst_bytes)
    dr.error("row_bytes", "a row of " + std::to_string(d.row_bytes) +
                              " bytes cannot hold one burst of bus_bytes x "
                              "burst_length = " +
                              std::to_string(d.burst_bytes) + " bytes"),
        ok = false;
  MapReader tr = dr.child("timing");
  d.timing = p.t;
  for (const TimingKey& k : kTimingKeys) d.timing.*k.member = tr.opt_int(k.key, p.t.*k.member, 0, 1 << 20);
  if (!tr.has("rcd_write")) d.timing.rcd_write = tr.has("rcd") ? d.timing.rcd : p.t.rcd_write;
  if (!tr.has("rp_all")) d.timing.rp_all = tr.has("rp") ? d.timing.rp : p.t.rp_all;
  if (d.timing.refi <= d.timing.rfc && d.timing.refi > 0)
    tr.error("refi", "tREFI (" + std::to_string(d.timing.refi) + ") must exceed tRFC (" + std::to_string(d.timing.rfc) +
                         "): the device would do nothing but refresh");
  tr.finish();
  d.refresh = dr.opt_bool("refresh", true);
  d.page_policy =
      dr.opt_choice("page_policy", "open", {"open", "closed"}) == "open" ? PagePolicy::open : PagePolicy::closed;
  d.queue_depth = dr.opt_int("queue_depth", d.queue_depth, 1, 1024);
  d.dual_command_bus =
      dr.opt_choice("command_bus", p.dual_command_bus ? "dual" : "single", {"single", "dual"}) == "dual";
  if (ok)
    parse_mapping(dr, d);
  else
    dr.raw("address_mapping");
  // Peak: two beats of bus_bytes per DRAM clock on every channel, in bytes per core cycle.
  d.bytes_per_cycle = static_cast<double>(d.channels * 2 * d.bus_bytes) / d.core_cycles_per_tck(clock_mhz);
  constexpr double kMinBytesPerCycle = 1.0 / 1024, kMaxBytesPerCycle = 1 << 20;
  if (d.bytes_per_cycle < kMinBytesPerCycle || d.bytes_per_cycle > kMaxBytesPerCycle) {
    // The same range as the simple model's bytes_per_cycle: beyond it a core cycle spans millions
    // of DRAM clocks (or the reverse).
    std::ostringstream m;
    m << std::setprecision(10) << to_string(d.model) << " ("
      << static_cast<double>(d.channels * 2 * d.bus_bytes) / d.tck_ns << " GB/s) at arch.clock_mhz " << clock_mhz
      << " gives " << d.bytes_per_cycle << " bytes per cycle, outside " << kMinBytesPerCycle << ".."
      << kMaxBytesPerCycle << "; change arch.clock_mhz, or tck_ns, channels or bus_bytes";
    dr.ctx().diag.add(dr.location("model"), join_path(dr.path(), "bytes_per_cycle"), m.str());
  }
  d.latency_cycles = dr.opt_int("latency_cycles", 0, 0, 1000000);
}

}  // namespace

DramConfig parse_dram(MapReader dr, double clock_mhz) {
  DramConfig d;
  const std::string model = dr.opt_choice("model", to_string(d.model), kModels);
  for (const DramModel m :
       {DramModel::ideal, DramModel::simple, DramModel::ddr4_3200, DramModel::lpddr4_3200, DramModel::hbm2})
    if (model == to_string(m)) d.model = m;
  const DramPreset* preset = preset_of(d.model);
  // Keys of the model before this bank model, with where their meaning went.
  for (const auto& [key, why] : {std::pair<const char*, const char*>{"banks", "bank_groups x banks_per_group"},
                                 {"row_miss_cycles", "timing.rcd (DRAM clocks)"},
                                 {"row_conflict_cycles", "timing.rp + timing.rcd (DRAM clocks)"}})
    if (dr.has(key)) {
      dr.error(key, std::string("is no longer a key; the banked models take ") + why);
      dr.raw(key);
    }
  if (preset) {
    // The simple model's bandwidth and request size: a preset derives both from its bus, so an
    // architecture written for `simple` switches to a preset with one --set (and the derived
    // values written to effective_config.yaml read back).
    for (const char* k : {"bytes_per_cycle", "burst_bytes"}) dr.raw(k);
    parse_banked(dr, d, *preset, clock_mhz);
  } else {
    for (const char* k : kBankedKeys) {
      if (dr.has(k))
        dr.error(k, std::string("only with a banked model (ddr4_3200, lpddr4_3200, hbm2); model ") + model +
                        " has no banks");
      dr.raw(k);
    }
    d.bytes_per_cycle = dr.opt_num("bytes_per_cycle", d.bytes_per_cycle, 1.0 / 1024, 1 << 20);
    d.latency_cycles = dr.opt_int("latency_cycles", d.latency_cycles, 0, 1000000);
    d.burst_bytes = dr.opt_int("burst_bytes", d.burst_bytes, 1, 1 << 20);
    if (!is_pow2(d.burst_bytes))
      dr.error("burst_bytes", "must be a power of two, got " + std::to_string(d.burst_bytes));
  }
  dr.finish();
  return d;
}

void emit_dram(YAML::Emitter& out, const DramConfig& d) {
  out << YAML::BeginMap;
  out << YAML::Key << "model" << YAML::Value << to_string(d.model);
  if (d.banked()) out << YAML::Comment(d.organisation);
  out << YAML::Key << "bytes_per_cycle" << YAML::Value << d.bytes_per_cycle;
  out << YAML::Key << "latency_cycles" << YAML::Value << d.latency_cycles;
  out << YAML::Key << "burst_bytes" << YAML::Value << d.burst_bytes;
  if (d.banked()) {
    out << YAML::Key << "tck_ns" << YAML::Value << d.tck_ns;
    out << YAML::Key << "channels" << YAML::Value << d.channels;
    out << YAML::Key << "bank_groups" << YAML::Value << d.bank_groups;
    out << YAML::Key << "banks_per_group" << YAML::Value << d.banks_per_group;
    out << YAML::Key << "row_bytes" << YAML::Value << d.row_bytes;
    out << YAML::Key << "bus_bytes" << YAML::Value << d.bus_bytes;
    out << YAML::Key << "burst_length" << YAML::Value << d.burst_length;
    out << YAML::Key << "timing" << YAML::Value << YAML::Flow << YAML::BeginMap;
    for (const TimingKey& k : kTimingKeys) out << YAML::Key << k.key << YAML::Value << d.timing.*k.member;
    out << YAML::EndMap;
    out << YAML::Key << "refresh" << YAML::Value << d.refresh;
    out << YAML::Key << "page_policy" << YAML::Value << to_string(d.page_policy);
    out << YAML::Key << "queue_depth" << YAML::Value << d.queue_depth;
    out << YAML::Key << "command_bus" << YAML::Value << (d.dual_command_bus ? "dual" : "single");
    out << YAML::Key << "address_mapping" << YAML::Value;
    if (d.address_mapping_name == "custom") {
      out << YAML::Flow << YAML::BeginSeq;
      for (const DramField f : d.address_mapping) out << to_string(f);
      out << YAML::EndSeq;
    } else {
      out << d.address_mapping_name;
    }
  }
  out << YAML::EndMap;
}

}  // namespace arraysim::config
