/// The banked DRAM's memory controller on hand-derived access sequences: every JEDEC constraint it
/// enforces binds once, with the cycle count derived beside the number, on DDR4-3200AA x8
/// (tCK 0.625 ns; CL 22, CWL 16, tRCD 22, tRP 22, tRAS 52, tRC 74, tRRD_S 4, tRRD_L 8, tFAW 34,
/// tCCD_S 4, tCCD_L 8, tWR 24, tWTR_S 4, tWTR_L 12, tRTP 12, tRTW 12, BL/2 4, tREFI 12480,
/// tRFC 560), plus the page policies, FR-FCFS, the queue, the address mappings, HBM2's two
/// command buses and LPDDR4's missing bank groups. Requests go in as a trace player issues them:
/// one per DRAM clock from clock 0, so request i enters the queue at clock i (when there is room)
/// and its first command can issue at i + 1. Cycles are DRAM clocks; "end" is the end of the last
/// data transfer. Plain C++: no SystemC is elaborated.
#include <catch2/catch.hpp>

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "sim/config/dram_config.hpp"
#include "sim/hw/dram_controller.hpp"

using namespace arraysim;
using hw::RowOutcome;

namespace {

/// arch.dram from YAML (a flow mapping's body), at a 1 GHz core clock.
config::DramConfig dram(const std::string& keys) {
  config::ReadContext ctx;
  const YAML::Node n = YAML::Load("{" + keys + "}");
  config::DramConfig d = config::parse_dram(config::MapReader(n, "arch.dram", ctx), 1000);
  ctx.diag.throw_if_any();
  return d;
}

/// DDR4-3200 with refresh off and `extra` keys.
config::DramConfig ddr4(const std::string& extra = "") {
  return dram("model: ddr4_3200, refresh: false" + (extra.empty() ? "" : ", " + extra));
}

/// A DDR4 address under the default mapping RoRaCoBaBgCh: 6 offset bits, 2 bank-group bits,
/// 2 bank bits, 7 column bits, the row above.
std::uint64_t addr(std::uint64_t bg, std::uint64_t ba, std::uint64_t col, std::uint64_t row) {
  return ((((row << 7 | col) << 2 | ba) << 2 | bg) << 6);
}

struct Access {
  std::uint64_t addr;
  bool write = false;
  std::int64_t arrival = 0;
};

/// Replays `xs` (one request per clock, as fast as the queue accepts) and returns the requests.
std::vector<hw::DramRequest> replay(const config::DramConfig& d, const std::vector<Access>& xs,
                                    hw::DramControllerStats* stats = nullptr) {
  hw::DramController c(d, hw::DramController::FrontEnd::one_per_clock);
  std::vector<hw::DramRequest> r;
  for (const Access& x : xs) r.push_back(hw::DramRequest{x.addr, x.write, x.arrival});
  c.schedule(r);
  if (stats) *stats = c.stats();
  return r;
}

std::int64_t end_of(const std::vector<hw::DramRequest>& r) {
  std::int64_t e = 0;
  for (const auto& q : r) e = std::max(e, q.data_end);
  return e;
}

}  // namespace

TEST_CASE("dram timing: the DDR4-3200 preset's organisation and timings", "[dram]") {
  const config::DramConfig d = ddr4();
  CHECK(d.tck_ns == 0.625);
  CHECK(d.bank_groups == 4);
  CHECK(d.banks_per_group == 4);
  CHECK(d.row_bytes == 8192);
  CHECK(d.burst_bytes == 64);  // 8-byte bus x BL8
  CHECK(d.burst_cycles() == 4);
  // 2 x 8 bytes per 0.625 ns clock = 25.6 bytes per 1 ns core cycle.
  CHECK(d.bytes_per_cycle == Approx(25.6));
  const config::DramTimings& t = d.timing;
  CHECK((t.cl == 22 && t.cwl == 16 && t.rcd == 22 && t.rp == 22 && t.ras == 52 && t.rc == 74));
  CHECK((t.rrd_s == 4 && t.rrd_l == 8 && t.faw == 34 && t.ccd_s == 4 && t.ccd_l == 8));
  CHECK((t.wr == 24 && t.wtr_s == 4 && t.wtr_l == 12 && t.rtp == 12 && t.rtw == 12));
  CHECK((t.refi == 12480 && t.rfc == 560));
  // The simple model's bandwidth and request size are derived, not taken, on a preset (an
  // architecture written for `simple` switches with one --set).
  const config::DramConfig s = ddr4("bytes_per_cycle: 16, burst_bytes: 128");
  CHECK(s.bytes_per_cycle == Approx(25.6));
  CHECK(s.burst_bytes == 64);
}

TEST_CASE("dram timing: one read to a closed bank takes tRCD + CL + BL/2 after its ACT", "[dram]") {
  const auto r = replay(ddr4(), {{addr(0, 0, 0, 0)}});
  // Enters at 0, ACT at 1, RD at 1 + tRCD = 23, data [23 + CL, + BL/2) = [45, 49).
  CHECK(r[0].column == 23);
  CHECK(r[0].data_start == 45);
  CHECK(r[0].data_end == 49);
  CHECK(r[0].row == RowOutcome::miss);
}

TEST_CASE("dram timing: new rows in one bank every tRC (tRAS + tRP)", "[dram]") {
  // N = 4 reads to rows 0..3 of bank 0. Row k: ACT_k; RD at ACT_k + 22; PRE at
  // max(ACT_k + tRAS 52, RD + tRTP 12 = ACT_k + 34) = ACT_k + 52; ACT_k+1 = max(PRE + tRP 22,
  // ACT_k + tRC 74) = ACT_k + 74. End = 1 + (N-1)·tRC + tRCD + CL + BL/2 = 1 + 222 + 48 = 271.
  std::vector<Access> xs;
  for (std::uint64_t row = 0; row < 4; ++row) xs.push_back({addr(0, 0, 0, row)});
  const auto r = replay(ddr4(), xs);
  for (int k = 0; k < 4; ++k) CHECK(r[static_cast<std::size_t>(k)].column == 1 + 74 * k + 22);
  CHECK(end_of(r) == 271);
  CHECK(r[0].row == RowOutcome::miss);
  CHECK((r[1].row == RowOutcome::conflict && r[3].row == RowOutcome::conflict));
}

TEST_CASE("dram timing: tRC alone binds row cycling when tRAS is short", "[dram]") {
  // tRAS 10: PRE at max(ACT + 10, RD + tRTP = ACT + 34) = ACT + 34, PRE + tRP = ACT + 56, but tRC
  // holds the next ACT to ACT + 74: ACTs at 1, 75, 149; last RD 171, end 171 + 26 = 197.
  const auto r = replay(ddr4("timing: {ras: 10}"), {{addr(0, 0, 0, 0)}, {addr(0, 0, 0, 1)}, {addr(0, 0, 0, 2)}});
  CHECK(r[1].column == 75 + 22);
  CHECK(r[2].column == 149 + 22);
  CHECK(end_of(r) == 197);
}

TEST_CASE("dram timing: tRTP and tRP bind when tRAS and tRC do not", "[dram]") {
  // tRAS 10, tRC 0: RD_0 at 23, PRE at RD + tRTP = 35, ACT at PRE + tRP = 57, RD_1 at 79,
  // end 79 + 26 = 105.
  const auto r = replay(ddr4("timing: {ras: 10, rc: 0}"), {{addr(0, 0, 0, 0)}, {addr(0, 0, 0, 1)}});
  CHECK(r[1].column == 79);
  CHECK(end_of(r) == 105);
}

TEST_CASE("dram timing: tRRD_S between bank groups, tRRD_L within one", "[dram]") {
  // Different bank groups: ACTs at 1 and 1 + tRRD_S = 5; RDs at 23 and 27; end 27 + 26 = 53.
  const auto s = replay(ddr4(), {{addr(0, 0, 0, 0)}, {addr(1, 0, 0, 0)}});
  CHECK(s[1].column == 27);
  CHECK(end_of(s) == 53);
  // Same bank group, other bank: ACTs at 1 and 1 + tRRD_L = 9; RDs at 23 and 31; end 57.
  const auto l = replay(ddr4(), {{addr(0, 0, 0, 0)}, {addr(0, 1, 0, 0)}});
  CHECK(l[1].column == 31);
  CHECK(end_of(l) == 57);
}

TEST_CASE("dram timing: the fifth activation in a tFAW window waits for it", "[dram]") {
  // Four banks of bank group 0: ACTs at 1, 9, 17, 25 (tRRD_L 8). A fifth read, to bank group 1,
  // offered at clock 26 (so that FR-FCFS cannot activate it earlier, between the four), could
  // activate at 25 + tRRD_S = 29, but only four ACTs fit in any tFAW window: 1 + 34 = 35.
  // RDs 23, 31, 39, 47 (tCCD_L 8 apart) and 35 + 22 = 57; end 57 + 26 = 83.
  std::vector<Access> xs;
  for (std::uint64_t ba = 0; ba < 4; ++ba) xs.push_back({addr(0, ba, 0, 0)});
  xs.push_back({addr(1, 0, 0, 0), false, 26});
  const auto r = replay(ddr4(), xs);
  CHECK(r[4].column - 22 == 35);
  CHECK(end_of(r) == 83);
  // Without tFAW the fifth ACT goes at 29: RD 51, end 77.
  const auto nofaw = replay(ddr4("timing: {faw: 0}"), xs);
  CHECK(nofaw[4].column == 51);
  CHECK(end_of(nofaw) == 77);
}

TEST_CASE("dram timing: activations rotating over 16 banks come in groups of four per tFAW", "[dram]") {
  // Read i goes to bank group i mod 4, bank (i / 4) mod 4: every ACT changes bank group. Group g
  // of four: ACT_{4g+j} = 1 + 35g + 4j (tRRD_S 4 apart; the next group waits tFAW 34 for the
  // group's first ACT, plus one clock because the command bus is taken then by the RD of the
  // group's last request, ACT + 3·4 + tRCD = first ACT + 34, and FR-FCFS serves the row hit
  // first). RD = ACT + 22; N = 16: last ACT 1 + 105 + 12 = 118, end 118 + 48 = 166.
  std::vector<Access> xs;
  for (std::uint64_t i = 0; i < 16; ++i) xs.push_back({addr(i % 4, i / 4, 0, 0)});
  const auto r = replay(ddr4(), xs);
  for (std::int64_t i = 0; i < 16; ++i)
    CHECK(r[static_cast<std::size_t>(i)].column == 1 + 35 * (i / 4) + 4 * (i % 4) + 22);
  CHECK(end_of(r) == 166);
}

TEST_CASE("dram timing: row hits in one bank group every tCCD_L, across bank groups every tCCD_S", "[dram]") {
  // 8 reads to columns 0..7 of one open row: RD_0 at 23, then tCCD_L 8 apart: RD_7 at 79,
  // end 79 + 26 = 105 (8 clocks per 64 bytes: 50% of the bus).
  std::vector<Access> same;
  for (std::uint64_t c = 0; c < 8; ++c) same.push_back({addr(0, 0, c, 0)});
  CHECK(end_of(replay(ddr4(), same)) == 105);
  // 16 reads over the 4 bank groups (bank 0 of each), columns 0..3: ACTs 1, 5, 9, 13; RDs
  // 23, 27, 31, 35, then the row hits every tCCD_S = 4: RD_k = 23 + 4k, end 23 + 60 + 26 = 109.
  std::vector<Access> spread;
  for (std::uint64_t k = 0; k < 16; ++k) spread.push_back({addr(k % 4, 0, k / 4, 0)});
  const auto r = replay(ddr4(), spread);
  for (std::size_t k = 0; k < 16; ++k) CHECK(r[k].column == 23 + 4 * static_cast<std::int64_t>(k));
  CHECK(end_of(r) == 109);
}

TEST_CASE("dram timing: a read after a write waits tWTR_L in the bank group, tWTR_S across", "[dram]") {
  // WR at ACT 1 + tRCD 22 = 23, data [23 + CWL 16, + 4) = [39, 43). The RD to the same row waits
  // until 43 + tWTR_L 12 = 55; end 55 + 26 = 81.
  const auto l = replay(ddr4(), {{addr(0, 0, 0, 0), true}, {addr(0, 0, 1, 0)}});
  CHECK(l[0].data_end == 43);
  CHECK(l[1].column == 55);
  CHECK(end_of(l) == 81);
  // In bank group 1 (its ACT at 5, RD possible from 27): 43 + tWTR_S 4 = 47; end 73.
  const auto s = replay(ddr4(), {{addr(0, 0, 0, 0), true}, {addr(1, 0, 0, 0)}});
  CHECK(s[1].column == 47);
  CHECK(end_of(s) == 73);
}

TEST_CASE("dram timing: a write after a read waits tRTW", "[dram]") {
  // RD at 23; the WR to the same row at 23 + tRTW 12 = 35, its data [51, 55).
  const auto r = replay(ddr4(), {{addr(0, 0, 0, 0)}, {addr(0, 0, 1, 0), true}});
  CHECK(r[1].column == 35);
  CHECK(r[1].data_end == 55);
}

TEST_CASE("dram timing: write recovery holds the precharge: new rows every tRCD + CWL + BL/2 + tWR + tRP", "[dram]") {
  // Writes to rows 0, 1, 2 of bank 0: WR at ACT + 22, data end ACT + 22 + 16 + 4 = ACT + 42,
  // PRE at max(ACT + tRAS 52, data end + tWR 24 = ACT + 66) = ACT + 66, next ACT at + tRP 22 =
  // ACT + 88. ACTs 1, 89, 177; last data end 177 + 42 = 219.
  const auto r = replay(ddr4(), {{addr(0, 0, 0, 0), true}, {addr(0, 0, 0, 1), true}, {addr(0, 0, 0, 2), true}});
  CHECK(r[1].column == 89 + 22);
  CHECK(r[2].column == 177 + 22);
  CHECK(end_of(r) == 219);
}

TEST_CASE("dram timing: FR-FCFS serves a younger row hit before an older conflict", "[dram]") {
  // A (row 0), B (row 1), C (row 0), all bank 0. A: ACT 1, RD 23. C hits the open row: RD at
  // 23 + tCCD_L = 31, before B. B: PRE at ACT + tRAS = 53, ACT 75, RD 97.
  const auto r = replay(ddr4(), {{addr(0, 0, 0, 0)}, {addr(0, 0, 0, 1)}, {addr(0, 0, 1, 0)}});
  CHECK(r[2].column == 31);
  CHECK(r[2].row == RowOutcome::hit);
  CHECK(r[1].column == 97);
  CHECK(r[1].row == RowOutcome::conflict);
}

TEST_CASE("dram timing: the closed-page policy precharges after the last queued hit", "[dram]") {
  // Reads of one row at clocks 0 and 100. Open page: the second is a hit, RD at 101, end 127.
  const std::vector<Access> xs{{addr(0, 0, 0, 0), false, 0}, {addr(0, 0, 1, 0), false, 100}};
  const auto open = replay(ddr4(), xs);
  CHECK(open[1].row == RowOutcome::hit);
  CHECK(end_of(open) == 127);
  // Closed page: RD_0 at 23 auto-precharges at max(23 + tRTP, ACT 1 + tRAS) = 53; the second read
  // finds the bank closed: ACT 101, RD 123, end 149.
  const auto closed = replay(ddr4("page_policy: closed"), xs);
  CHECK(closed[1].row == RowOutcome::miss);
  CHECK(end_of(closed) == 149);
}

TEST_CASE("dram timing: a full queue holds the next request back", "[dram]") {
  // queue_depth 1: the read to bank group 1 enters when the first leaves the queue at its RD
  // (23), at 24; ACT 25, RD 47, end 73. With the default 32 it overlaps: end 53 (tRRD_S test).
  const std::vector<Access> xs{{addr(0, 0, 0, 0)}, {addr(1, 0, 0, 0)}};
  const auto r = replay(ddr4("queue_depth: 1"), xs);
  CHECK(r[1].enqueue == 24);
  CHECK(end_of(r) == 73);
}

TEST_CASE("dram timing: refresh closes the banks and blocks them for tRFC", "[dram]") {
  // A read offered at clock tREFI = 12480 meets the first refresh: every bank is closed, so REF
  // goes at 12480 and the ACT waits until 12480 + tRFC 560 = 13040; RD 13062, end 13088.
  const std::vector<Access> xs{{addr(0, 0, 0, 0), false, 12480}};
  hw::DramControllerStats st;
  const auto on = replay(dram("model: ddr4_3200"), xs, &st);
  CHECK(st.refreshes == 1);
  CHECK(end_of(on) == 13088);
  // Refresh off: ACT 12481, end 12481 + 48 = 12529.
  CHECK(end_of(replay(ddr4(), xs)) == 12529);
  // An open row is precharged first: a read at 12400 (ACT 12401, RD 12423, PRE possible at
  // 12401 + tRAS = 12453) and one to the same row at 12480. PREA at 12480, REF at 12480 + tRP =
  // 12502, ACT at 12502 + 560 = 13062, RD 13084, end 13110; the second read is a miss.
  const auto pre =
      replay(dram("model: ddr4_3200"), {{addr(0, 0, 0, 0), false, 12400}, {addr(0, 0, 1, 0), false, 12480}});
  CHECK(pre[1].row == RowOutcome::miss);
  CHECK(end_of(pre) == 13110);
}

TEST_CASE("dram timing: address mappings: a stream in one bank is tCCD_L-bound, one over bank groups is not",
          "[dram]") {
  // 128 sequential 64-byte reads (one 8 KiB row's worth). RoBaRaCoCh keeps them in one row of
  // one bank: ACT 1, RD_k = 23 + 8k (tCCD_L); end 23 + 8 x 127 + 26 = 1065: 50% of the bus.
  std::vector<Access> xs;
  for (std::uint64_t i = 0; i < 128; ++i) xs.push_back({i * 64});
  const auto bank = replay(ddr4("address_mapping: RoBaRaCoCh"), xs);
  for (std::size_t k = 0; k < 128; ++k) CHECK(bank[k].column == 23 + 8 * static_cast<std::int64_t>(k));
  CHECK(end_of(bank) == 1065);
  // RoRaCoBaBgCh spreads them over the 16 banks, bank group first. Once the 16 rows are open the
  // reads go every tCCD_S = 4: 128 more reads (columns 8..15 of the same rows) take exactly
  // 128 x 4 more clocks.
  std::vector<Access> more = xs;
  for (std::uint64_t i = 128; i < 256; ++i) more.push_back({i * 64});
  const std::int64_t spread = end_of(replay(ddr4(), xs)), spread2 = end_of(replay(ddr4(), more));
  CHECK(spread2 - spread == 128 * 4);
  // A custom bit list equal to RoRaCoBaBgCh gives the same schedule.
  CHECK(end_of(replay(ddr4("address_mapping: [bg, bg, ba, ba, co, co, co, co, co, co, co]"), more)) == spread2);
}

TEST_CASE("dram timing: a 4 MiB sequential read stream reaches the peak; refresh costs its share", "[dram]") {
  // 65,536 bursts over the bank groups. Refresh off: the only losses are the ramp (16 ACTs, four
  // per tFAW) and the row changes every 16 x 128 bursts: within 1% of 4 clocks per burst.
  std::vector<Access> xs;
  for (std::uint64_t i = 0; i < 65536; ++i) xs.push_back({i * 64});
  const std::int64_t ideal = 65536 * 4;
  const std::int64_t off = end_of(replay(ddr4(), xs));
  CHECK(off >= ideal);
  CHECK(static_cast<double>(ideal) / static_cast<double>(off) >= 0.99);
  // Refresh on (docs/memory.md): a REF due at D stops the stream after its last RD r (D - 4 <= r
  // < D); PREA at r + tRTP, REF at + tRP, ACTs from + tRFC, the first RD tRCD later: RDs resume
  // r + 12 + 22 + 560 + 22 = r + 616 instead of r + 4, a loss of tRTP + tRP + tRFC + tRCD - BL/2
  // = 612 clocks. The restart activates the 16 banks four per tFAW + 1 = 35 clocks while the
  // queue holds two reads per bank (8 x 4 = 32 clocks of data per group of four): at most 3
  // clocks at each of the three group changes.
  hw::DramControllerStats st;
  const std::int64_t on = end_of(replay(dram("model: ddr4_3200"), xs, &st));
  CHECK(st.refreshes == 22);  // REFs due at 12480 k up to the last RD (about 275,700 clocks)
  const std::int64_t lost = on - off;
  CHECK(lost >= st.refreshes * 612);
  CHECK(lost <= st.refreshes * (612 + 3 * 3));
  // The share of the bus that refresh takes: 612 / tREFI = 4.9%; the stream keeps 95.1%.
  CHECK(static_cast<double>(ideal) / static_cast<double>(on) == Approx(1 - 612.0 / 12480).epsilon(0.01));
}

TEST_CASE("dram timing: HBM2 issues a row and a column command in the same clock", "[dram]") {
  const config::DramConfig h = dram("model: hbm2, refresh: false");
  CHECK(h.channels == 16);
  CHECK(h.burst_bytes == 32);  // 64-bit pseudo-channel x BL4
  CHECK(h.dual_command_bus);
  // One pseudo-channel (RoRaCoBaBgCh: 5 offset bits, 4 channel bits, 2 bank-group bits, 2 bank
  // bits): reads to bank groups 0..3 of bank 0, then bank group 0 bank 1. ACTs 1, 5, 9, 13
  // (tRRD_S 4); the fifth at max(13 + tRRD_S, 1 + tRRD_L 6, 1 + tFAW 16) = 17; RD = ACT + tRCD 12.
  auto a = [](std::uint64_t bg, std::uint64_t ba) { return ((ba << 2 | bg) << 4) << 5; };
  const auto r = replay(h, {{a(0, 0)}, {a(1, 0)}, {a(2, 0)}, {a(3, 0)}, {a(0, 1)}});
  CHECK(r[4].column == 17 + 12);
  // A read to bank group 0 (ACT 1, RD 13) and one to bank group 1 offered at clock 12, so that
  // its ACT is due at 13 with RD_0: the row bus takes it in the same clock (dual), a single bus
  // one clock later (the row hit goes first).
  const std::vector<Access> clash{{a(0, 0), false, 0}, {a(1, 0), false, 12}};
  const auto dual = replay(h, clash);
  CHECK(dual[1].column - 12 == 13);
  const auto single = replay(dram("model: hbm2, refresh: false, command_bus: single"), clash);
  CHECK(single[1].column - 12 == 14);
}

TEST_CASE("dram timing: LPDDR4 has no bank groups: tCCD and tRRD apply between any banks", "[dram]") {
  const config::DramConfig l = dram("model: lpddr4_3200, refresh: false");
  CHECK(l.bank_groups == 1);
  CHECK(l.banks() == 8);
  CHECK(l.burst_bytes == 32);  // 2-byte bus x BL16
  // Two reads to banks 0 and 1 (RoRaCoBaBgCh: 5 offset bits, 3 bank bits): ACTs 1 and
  // 1 + tRRD 16 = 17, RDs 30 and 46, end 46 + RL 28 + BL/2 8 = 82.
  const auto r = replay(l, {{0}, {32}});
  CHECK(r[1].column == 46);
  CHECK(end_of(r) == 82);
}

TEST_CASE("dram timing: random single-burst reads over all banks stay within the tFAW bound", "[dram]") {
  // Every read opens a row (64K rows: hits are rare), so at most four ACTs per tFAW = 34 clocks:
  // at most 4 x 64 bytes / 34 clocks = 7.53 bytes per clock = 47.06% of the 16-byte peak. The
  // queue of 32 almost always holds a bank that may activate, so the rate stays close to it
  // (docs/memory.md derives the band: 40% .. 47.06%).
  std::mt19937_64 rng(3);
  std::vector<Access> xs;
  for (int i = 0; i < 4000; ++i) xs.push_back({(rng() % (std::uint64_t{1} << 30)) / 64 * 64});
  const std::int64_t end = end_of(replay(ddr4(), xs));
  const double fraction = 4000.0 * 64 / static_cast<double>(end) / 16;
  CHECK(fraction <= 4.0 / 34 * 4);
  CHECK(fraction >= 0.40);
}
