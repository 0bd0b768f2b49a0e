/// `arraysim dram-trace` end to end: the canonical access patterns as Ramulator and DRAMSys traces
/// on DDR4-3200 (refresh off: the cycle count of the hand derivation beside each; refresh on: the
/// refresh count times tRFC within the documented slack), a recorded `--trace dram` of a run
/// replaying to that run's DRAM cycles and row counters, and malformed traces (one line naming the
/// file and line, exit 2). DDR4-3200 x8 in nCK: CL 22, tRCD 22, tRP 22, tRAS 52, tRC 74, tRRD_S 4,
/// tRRD_L 8, tFAW 34, tCCD_S 4, tCCD_L 8, CWL 16, tWR 24, tWTR_S 4, tWTR_L 12, tRTW 12, BL/2 4,
/// tREFI 12480, tRFC 560. A trace player offers one request per clock from clock 0; a request can
/// be served from the clock after it entered the queue.
#include <catch2/catch.hpp>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "tests/support.hpp"

using namespace arraysim;
using nlohmann::json;

namespace {

/// A DDR4 address under RoRaCoBaBgCh: 6 offset bits, bank group (2), bank (2), column (7), row.
std::uint64_t addr(std::uint64_t bg, std::uint64_t ba, std::uint64_t col, std::uint64_t row) {
  return ((((row << 7 | col) << 2 | ba) << 2 | bg) << 6);
}

std::string hex(std::uint64_t a) {
  std::ostringstream s;
  s << "0x" << std::hex << a;
  return s.str();
}

struct Replay {
  test::TempDir dir;
  /// Writes `arch` (the dram mapping's body) and `trace`, replays, returns dram_trace.json.
  json run(const std::string& trace, const std::string& dram = "model: ddr4_3200, refresh: false",
           const std::string& name = "t.trace") {
    const std::string arch = dir.path() + "/arch.yaml", file = dir.path() + "/" + name;
    std::ofstream(arch) << "name: a\narray: {rows: 4, cols: 4}\ndram: {" << dram << "}\n";
    std::ofstream(file) << trace;
    const test::CliResult r = test::run_cli("dram-trace --arch " + arch + " " + file + " --out " + dir.path());
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    return json::parse(test::read_text(dir.path() + "/dram_trace.json"));
  }
};

std::int64_t i64(const json& j, const char* k) { return j.at(k).get<std::int64_t>(); }

}  // namespace

TEST_CASE("dram-trace: sequential reads: one bank group at tCCD_L, spread over bank groups at tCCD_S",
          "[system][dram]") {
  // 128 sequential 64-byte reads. RoBaRaCoCh keeps them in one row of one bank: ACT 1, RD 23,
  // then every tCCD_L 8: last RD 23 + 8 x 127 = 1039, end 1039 + CL + BL/2 = 1065.
  std::string lines;
  for (std::uint64_t i = 0; i < 128; ++i) lines += "LD " + hex(i * 64) + "\n";
  Replay r;
  const json one = r.run(lines, "model: ddr4_3200, refresh: false, address_mapping: RoBaRaCoCh");
  CHECK(i64(one, "total_cycles") == 1065);
  CHECK(i64(one, "requests") == 128);
  CHECK(i64(one, "row_misses") == 1);
  CHECK(i64(one, "row_hits") == 127);
  CHECK(one.at("fraction_of_peak").get<double>() == Approx(128.0 * 64 / 1065 / 16));
  // RoRaCoBaBgCh puts consecutive bursts in other bank groups: once the rows are open, a read
  // every tCCD_S 4. The slope is exact: 128 more reads (columns 8..15 of the same 16 rows) take
  // 128 x 4 = 512 more clocks.
  std::string more = lines;
  for (std::uint64_t i = 128; i < 256; ++i) more += "LD " + hex(i * 64) + "\n";
  const json a = r.run(lines), b = r.run(more);
  CHECK(i64(b, "total_cycles") - i64(a, "total_cycles") == 512);
  CHECK(i64(b, "row_misses") == 16);
}

TEST_CASE("dram-trace: row conflicts in one bank: 1 + (N-1) tRC + tRCD + CL + BL/2; refresh adds N_ref x tRFC",
          "[system][dram]") {
  // N reads to new rows of bank 0: ACTs tRC = 74 apart (tRAS 52 + tRP 22).
  const std::int64_t N = 400;
  std::string lines;
  for (std::int64_t i = 0; i < N; ++i) lines += "LD " + hex(addr(0, 0, 0, static_cast<std::uint64_t>(i))) + "\n";
  Replay r;
  const json off = r.run(lines);
  CHECK(i64(off, "total_cycles") == 1 + (N - 1) * 74 + 22 + 22 + 4);  // 29575
  CHECK(i64(off, "row_conflicts") == N - 1);
  CHECK(i64(off, "refreshes") == 0);
  // Refresh on: REF every 12480 clocks, two within 29575 + losses. Each REF takes the bank for
  // tRFC; around it the controller may lose at most the slack docs/memory.md derives for a
  // stream of row conflicts: the REF waits for the PREA (tRAS after the last ACT) and tRP, and
  // the next ACT for tRFC after REF: at most tRC + tRP more than tRFC.
  const json on = r.run(lines, "model: ddr4_3200");
  const std::int64_t refs = i64(on, "refreshes");
  CHECK(refs == 2);
  const std::int64_t lost = i64(on, "total_cycles") - i64(off, "total_cycles");
  CHECK(lost >= refs * 560);
  CHECK(lost <= refs * (560 + 74 + 22));
}

TEST_CASE("dram-trace: activations rotating over 16 banks: four per tFAW", "[system][dram]") {
  // Read i to bank group i mod 4, bank i / 4 mod 4, a new row each round: ACT_{4g+j} =
  // 1 + 35g + 4j (tFAW 34 plus the clock the group's last RD takes on the command bus); end =
  // last ACT + tRCD + CL + BL/2. N = 16: 1 + 105 + 12 + 48 = 166. The same trace in DRAMSys's
  // .stl format (all at clock 0) gives the same.
  std::string ld, stl;
  for (std::uint64_t i = 0; i < 16; ++i) {
    ld += "LD " + hex(addr(i % 4, (i / 4) % 4, 0, 0)) + "\n";
    stl += "0:\tread\t" + hex(addr(i % 4, (i / 4) % 4, 0, 0)) + "\n";
  }
  Replay r;
  CHECK(i64(r.run(ld), "total_cycles") == 166);
  const json s = r.run(stl, "model: ddr4_3200, refresh: false", "t.stl");
  CHECK(s.at("format") == "stl");
  CHECK(i64(s, "total_cycles") == 166);
  CHECK(i64(s, "row_misses") == 16);
}

TEST_CASE("dram-trace: strided reads: stride 4 bursts stays in one bank group", "[system][dram]") {
  // Reads at 256-byte stride: bursts 0, 4, 8, ... are bank group 0, banks 0..3, then columns
  // 1.. of the same rows. ACTs tRRD_L 8 apart (1, 9, 17, 25), RDs tCCD_L 8 apart: RD_k = 23 + 8k;
  // N = 16: end 23 + 120 + 26 = 169. A 128-byte stride alternates bank groups 0 and 2: the same
  // bank group comes back every other read, 8 clocks later, so the reads go every 4 once the
  // rows are open.
  std::string s256;
  for (std::uint64_t i = 0; i < 16; ++i) s256 += "LD " + hex(i * 256) + "\n";
  Replay r;
  CHECK(i64(r.run(s256), "total_cycles") == 169);
}

TEST_CASE("dram-trace: a read block after a write block waits tWTR; a write block after reads tRTW", "[system][dram]") {
  // Four writes to bank groups 0..3 (ACTs 1, 5, 9, 13; WRs 23, 27, 31, 35; the last write data
  // ends 35 + CWL 16 + 4 = 55), then four reads of other columns of the same rows: bank group 0
  // at max(55 + tWTR_S 4, 43 + tWTR_L 12) = 59, then 63, 67, and group 3 at max(71, 55 + 12) =
  // 71; end 71 + 26 = 97.
  std::string wr, rd;
  for (std::uint64_t g = 0; g < 4; ++g) wr += "ST " + hex(addr(g, 0, 0, 0)) + "\n";
  for (std::uint64_t g = 0; g < 4; ++g) rd += "LD " + hex(addr(g, 0, 1, 0)) + "\n";
  Replay r;
  const json wr_rd = r.run(wr + rd);
  CHECK(i64(wr_rd, "total_cycles") == 97);
  CHECK(i64(wr_rd, "writes") == 4);
  // Reads first (RDs 23, 27, 31, 35), then the writes at 35 + tRTW 12 = 47, 51, 55, 59; the
  // last write data ends 59 + 16 + 4 = 79.
  std::string rd0, wr1;
  for (std::uint64_t g = 0; g < 4; ++g) rd0 += "LD " + hex(addr(g, 0, 0, 0)) + "\n";
  for (std::uint64_t g = 0; g < 4; ++g) wr1 += "ST " + hex(addr(g, 0, 1, 0)) + "\n";
  CHECK(i64(r.run(rd0 + wr1), "total_cycles") == 79);
}

TEST_CASE("dram-trace: a recorded run replays to its DRAM cycles and row counters", "[system][dram]") {
  test::TempDir d;
  const std::string arch = d.path() + "/arch.yaml", exp = d.path() + "/e.yaml";
  std::ofstream(arch) << "name: a\narray: {rows: 8, cols: 8, dataflow: os}\n"
                         "scratchpad: {ifmap: {size_kib: 2}, weight: {size_kib: 2}, output: {size_kib: 4}}\n"
                         "dram: {model: ddr4_3200, refresh: true}\n";
  // A tiled convolution: several loads and stores, strided im2col runs, partial bursts.
  std::ofstream(exp) << "arch: arch.yaml\nworkload:\n  seed: 3\n  layers:\n"
                        "    - {type: conv2d, name: c, in_channels: 8, in_height: 20, in_width: 20, out_channels: 24, "
                        "kernel: 3, stride: 2, padding: 1}\nsim: {fidelity: values}\n";
  const test::CliResult run = test::run_cli("run " + exp + " --no-plots --trace dram --out " + d.path() + "/o");
  INFO(run.out << run.err);
  REQUIRE(run.exit_code == 0);
  const json layer = json::parse(test::read_text(d.path() + "/o/stats.json")).at("layers")[0];
  const test::CliResult rep =
      test::run_cli("dram-trace --arch " + arch + " " + d.path() + "/o/traces/dram.csv --out " + d.path() + "/r");
  INFO(rep.out << rep.err);
  REQUIRE(rep.exit_code == 0);
  const json j = json::parse(test::read_text(d.path() + "/r/dram_trace.json"));
  CHECK(j.at("format") == "arraysim");
  CHECK(i64(j, "total_cycles") == i64(layer, "dram_cycles"));
  CHECK(i64(j, "row_hits") == i64(layer, "dram_row_hits"));
  CHECK(i64(j, "row_misses") == i64(layer, "dram_row_misses"));
  CHECK(i64(j, "row_conflicts") == i64(layer, "dram_row_conflicts"));
  CHECK(i64(j, "refreshes") == i64(layer, "dram_refreshes"));
  CHECK(i64(j, "bytes") == layer.at("dram_read_bytes").at("total").get<std::int64_t>() +
                               layer.at("dram_write_bytes").at("total").get<std::int64_t>());
  // Replayed against another configuration (closed page), the same trace runs differently.
  const test::CliResult closed =
      test::run_cli("dram-trace --arch " + arch + " " + d.path() +
                    "/o/traces/dram.csv --set dram.page_policy=closed --out " + d.path() + "/c");
  REQUIRE(closed.exit_code == 0);
  const json c = json::parse(test::read_text(d.path() + "/c/dram_trace.json"));
  CHECK(i64(c, "row_hits") < i64(j, "row_hits"));
}

TEST_CASE("dram-trace: a malformed trace line is one error naming the file and line, exit 2", "[system][dram]") {
  test::TempDir d;
  const std::string arch = d.path() + "/arch.yaml";
  std::ofstream(arch) << "name: a\narray: {rows: 4, cols: 4}\ndram: {model: ddr4_3200}\n";
  struct Bad {
    std::string text, message;
  };
  const Bad cases[] = {
      {"LD 0x40\nLD 0x80\nLOAD 0xc0\n",
       ":3: expected 'LD ADDRESS' or 'ST ADDRESS' (Ramulator load/store trace), got "
       "'LOAD 0xc0'"},
      {"# comment\nLD 0x4g\n", ":2: address '0x4g' is not a number (decimal, or hexadecimal with 0x) below 2^56"},
      {"0: read 0x40\n5: fetch 0x80\n", ":2: command 'fetch' is not read or write"},
      {"9: read 0x40\n5: read 0x80\n", ":2: clock 5 is before the previous access's 9 (timestamps must not decrease)"},
      {"layer,cycle,unit,operand,op,address,bytes,issue_cycle,transfer\nc,1,dram,ifmap,read,64,64,x,0\n",
       ":2: issue_cycle 'x' is not a decimal number"},
      {"hello world\n",
       ":1: not a DRAM trace: expected 'LD|ST ADDRESS' (Ramulator), 'CLOCK: read|write ADDRESS' "
       "(DRAMSys .stl) or arraysim's dram.csv header, got 'hello world'"},
  };
  int i = 0;
  for (const Bad& b : cases) {
    const std::string file = d.path() + "/bad" + std::to_string(i++) + ".trace";
    std::ofstream(file) << b.text;
    const test::CliResult r = test::run_cli("dram-trace --arch " + arch + " " + file + " --out " + d.path() + "/o");
    CHECK(r.exit_code == 2);
    CHECK(r.err == "arraysim: " + file + b.message + "\n");
    CHECK(r.out.empty());
  }
  // Nothing was written.
  CHECK(test::read_text(d.path() + "/o/dram_trace.json").empty());
  // A model without banks cannot replay.
  const std::string simple = d.path() + "/simple.yaml";
  std::ofstream(simple) << "name: a\narray: {rows: 4, cols: 4}\ndram: {model: simple}\n";
  std::ofstream(d.path() + "/ok.trace") << "LD 0x0\n";
  const test::CliResult r = test::run_cli("dram-trace --arch " + simple + " " + d.path() + "/ok.trace");
  CHECK(r.exit_code == 2);
  // "dram: {model: simple}" on line 3: the value starts in column 15.
  CHECK(r.err == simple +
                     ":3:15 arch.dram.model: must be a banked DRAM model (ddr4_3200, lpddr4_3200, hbm2) to replay a "
                     "trace; got simple\n");
}
