/// The memory hierarchy end to end (issue: scratchpads, DMA, DRAM, stalls, traffic, traces):
/// exact DRAM traffic, the ideal-memory equality, a bandwidth-bound stream, double buffering, the
/// analytic lower bound, explicit vs implicit lowering, timing = values, and traces. Every
/// expected number is derived in the test from the shapes and the documented rules
/// (docs/memory.md).
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "models/analytic/mapping.hpp"
#include "models/analytic/memory.hpp"
#include "models/analytic/systolic.hpp"
#include "sim/config/arch_config.hpp"
#include "sim/plan/schedule.hpp"
#include "tests/support.hpp"

using namespace arraysim;
using nlohmann::json;

namespace {

/// Writes `yaml` as an experiment, runs it with `args` and --out, returns stats.json.
json run_yaml(const test::TempDir& d, const std::string& yaml, const std::string& args = "",
              const std::string& name = "e") {
  const std::string file = d.path() + "/" + name + ".yaml";
  std::ofstream(file) << yaml;
  const std::string out = d.path() + "/" + name + "_out";
  const test::CliResult r = test::run_cli("run " + file + " --no-plots --out " + out + " " + args);
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  return json::parse(test::read_text(out + "/stats.json"));
}

std::int64_t i64(const json& j, const char* key) { return j.at(key).get<std::int64_t>(); }
std::int64_t bytes(const json& l, const char* field, const char* operand) {
  return l.at(field).at(operand).get<std::int64_t>();
}

/// The mapping a layer ran, read back from its `mapping` field ("tile 8x4x6, order m n k,
/// halves 2 2 2", docs/outputs.md).
analytic::TileMapping mapping_of(const json& l) {
  std::istringstream in(l.at("mapping").get<std::string>());
  std::string word, tile, o[3], h[3];
  in >> word >> tile >> word >> o[0] >> o[1] >> o[2] >> word >> h[0] >> h[1] >> h[2];
  analytic::TileMapping m;
  char x;
  std::istringstream t(tile);
  t >> m.tile.m >> x >> m.tile.n >> x >> m.tile.k;
  for (int i = 0; i < 3; ++i) {
    const char c = o[i][0];
    m.order[static_cast<std::size_t>(i)] = c == 'm'   ? analytic::Loop::m
                                           : c == 'n' ? analytic::Loop::n
                                                      : analytic::Loop::k;
    m.double_buffer[static_cast<std::size_t>(i)] = h[i][0] == '2';
  }
  return m;
}

}  // namespace

TEST_CASE("memory: operands that fit are read from DRAM exactly once and outputs written once", "[system][memory]") {
  test::TempDir d;
  // 1 MiB scratchpads hold every operand of these layers: one tile each (mapper: fixed with no
  // extents given; the mapper itself may trade a second read for overlap, docs/mapping.md).
  const json s = run_yaml(d, R"(
arch:
  array: {rows: 8, cols: 8, dataflow: ws}
  scratchpad: {ifmap: {size_kib: 1024}, weight: {size_kib: 1024}, output: {size_kib: 1024}}
  mapping: {mapper: fixed}
  dram: {model: simple, bytes_per_cycle: 8, latency_cycles: 40}
workload:
  layers:
    - {type: gemm, name: g, m: 30, n: 17, k: 50}
    - {type: conv2d, name: c, in_channels: 6, in_height: 9, in_width: 9, out_channels: 10, kernel: 3, padding: 1}
    - {type: conv2d, name: dw, in_channels: 8, in_height: 7, in_width: 7, out_channels: 8, kernel: 3, padding: 1, groups: 8}
sim: {fidelity: values}
)");
  const json& L = s.at("layers");
  // The bytes the DMA asks for. gemm: A 30x50 int8, B 50x17 int8, C 30x17 int32.
  CHECK(bytes(L[0], "dram_useful_read_bytes", "ifmap") == 30 * 50);
  CHECK(bytes(L[0], "dram_useful_read_bytes", "weight") == 50 * 17);
  CHECK(bytes(L[0], "dram_useful_write_bytes", "output") == 30 * 17 * 4);
  CHECK(bytes(L[0], "dram_useful_write_bytes", "ifmap") == 0);
  // Over the interface each tensor (4 KiB-aligned, contiguous here) moves whole 64-byte bursts:
  // 1500 -> 24 bursts, 850 -> 14, 2040 -> 32.
  CHECK(bytes(L[0], "dram_read_bytes", "ifmap") == 24 * 64);
  CHECK(bytes(L[0], "dram_read_bytes", "weight") == 14 * 64);
  CHECK(bytes(L[0], "dram_write_bytes", "output") == 32 * 64);
  // conv 3x3 pad 1 stride 1: every input element is some tap, so implicit im2col reads the
  // 6x9x9 input once; weights 10x6x3x3; outputs 10x9x9 int32.
  CHECK(bytes(L[1], "dram_useful_read_bytes", "ifmap") == 6 * 9 * 9);
  CHECK(bytes(L[1], "dram_useful_read_bytes", "weight") == 10 * 6 * 3 * 3);
  CHECK(bytes(L[1], "dram_useful_write_bytes", "output") == 10 * 9 * 9 * 4);
  // 486 -> 8 bursts, 540 -> 9, 3240 -> 51.
  CHECK(bytes(L[1], "dram_read_bytes", "ifmap") == 8 * 64);
  CHECK(bytes(L[1], "dram_read_bytes", "weight") == 9 * 64);
  CHECK(bytes(L[1], "dram_write_bytes", "output") == 51 * 64);
  // ... while the scratchpad receives the im2col expansion M x K = 81 x 54.
  CHECK(bytes(L[1], "sram_write_bytes", "ifmap") == 81 * 54);
  // depthwise: 8 groups, each reads its own channel once.
  CHECK(bytes(L[2], "dram_useful_read_bytes", "ifmap") == 8 * 7 * 7);
  CHECK(bytes(L[2], "dram_useful_read_bytes", "weight") == 8 * 9);
  CHECK(bytes(L[2], "dram_useful_write_bytes", "output") == 8 * 7 * 7 * 4);
  for (const json& l : L) {
    CHECK(l.at("golden_match").get<bool>());
    // Footprint: input + weight + output tensors.
    CHECK(i64(l, "dram_footprint_bytes") == bytes(l, "dram_useful_read_bytes", "ifmap") +
                                                bytes(l, "dram_useful_read_bytes", "weight") +
                                                bytes(l, "dram_useful_write_bytes", "output"));
  }
}

TEST_CASE("memory: ideal DRAM gives exactly the ideal-memory cycles of the systolic array", "[system][memory]") {
  test::TempDir d;
  const std::string yaml = R"(
arch:
  array: {rows: 8, cols: 8, dataflow: DF}
  scratchpad: {ifmap: {word_bytes: 1024, banks: 4}, weight: {word_bytes: 1024, banks: 4}}
  dram: {model: MODEL, bytes_per_cycle: 1000000, latency_cycles: 0}
  mapping: {mapper: fixed}
workload:
  layers:
    - {type: conv2d, name: c, in_channels: 8, in_height: 12, in_width: 12, out_channels: 20, kernel: 3, padding: 1}
    - {type: gemm, name: g, m: 30, n: 17, k: 50}
sim: {fidelity: values}
)";
  const std::vector<ir::GemmDims> dims{{144, 20, 72, 1}, {30, 17, 50, 1}};
  for (const char* df : {"os", "ws", "is"}) {
    const analytic::Dataflow adf = std::string(df) == "os"   ? analytic::Dataflow::os
                                   : std::string(df) == "ws" ? analytic::Dataflow::ws
                                                             : analytic::Dataflow::is;
    for (const char* model : {"ideal", "simple"}) {
      std::string y = yaml;
      y.replace(y.find("DF"), 2, df);
      y.replace(y.find("MODEL"), 5, model);
      const json s = run_yaml(d, y, "", std::string(df) + model);
      for (std::size_t i = 0; i < dims.size(); ++i) {
        const json& l = s.at("layers")[i];
        INFO(df << " " << model << " layer " << i);
        const std::int64_t ideal = analytic::systolic_cycles(adf, 8, 8, dims[i]).total_cycles;
        // ideal: transfers take no time. simple with no latency and 10^6 bytes per cycle: the
        // bursts cross the bus within cycle 0, but the DMA writes the first tile's blocks into the
        // scratchpad at banks x write ports = 4 words of 1024 bytes a cycle, so the first fold
        // starts once the larger block is in: conv A (im2col) 144 x 72 = 10368 bytes = 11 words,
        // ceil(11 / 4) = 3 cycles (B 72 x 20 = 1440 bytes, 2 words, 1 cycle); gemm A 30 x 50 =
        // 1500 bytes = 2 words, 1 cycle (B 850 bytes, 1 cycle). The final store completes
        // within the cycle after the last output: one more cycle.
        const std::int64_t first_fill = i == 0 ? 3 : 1;
        CHECK(i64(l, "total_cycles") == ideal + (std::string(model) == "ideal" ? 0 : first_fill + 1));
        CHECK(l.at("golden_match").get<bool>());
      }
    }
  }
}

TEST_CASE("memory: a bandwidth-bound stream takes bytes over bandwidth within 2 percent", "[system][memory]") {
  test::TempDir d;
  // OS 8x8, GEMM 64x64x4096 int8: A 256 KiB + B 256 KiB read once each (one m-tile row, one
  // n-tile: the 64 KiB buffers split k into 512-wide tiles), C 64x64 int32 = 16 KiB written.
  const json s = run_yaml(d, R"(
arch:
  array: {rows: 8, cols: 8, dataflow: os}
  dram: {model: simple, bytes_per_cycle: 0.25, latency_cycles: 100}
workload:
  layers:
    - {type: gemm, name: g, m: 64, n: 64, k: 4096}
sim: {fidelity: timing}
)");
  const json& l = s.at("layers")[0];
  const std::int64_t dram = 64 * 4096 + 4096 * 64 + 64 * 64 * 4;  // 540672 bytes
  CHECK(bytes(l, "dram_read_bytes", "total") + bytes(l, "dram_write_bytes", "total") == dram);
  const double bound = dram / 0.25;  // 2162688 cycles
  const double total = static_cast<double>(i64(l, "total_cycles"));
  CHECK(total >= bound);
  CHECK(total <= bound * 1.02);
  // The stalls are DRAM bandwidth, all but the two latencies at the ends: the loads' (read) and
  // the final store's, C's 16384 bytes written back at 0.25 bytes per cycle after its latency:
  // 16384 / 0.25 = 65536 cycles of dram_write_bandwidth.
  const json& st = l.at("stall_cycles_by_cause");
  CHECK(st.at("dram_write_bandwidth").get<std::int64_t>() == 65536);
  CHECK(st.at("dram_bandwidth").get<std::int64_t>() + st.at("dram_write_bandwidth").get<std::int64_t>() ==
        i64(l, "stall_cycles") - 2 * 100);
  CHECK(st.at("dram_latency").get<std::int64_t>() == 2 * 100);
  CHECK(st.at("dependency").get<std::int64_t>() == 0);
  CHECK(st.at("bank_conflict").get<std::int64_t>() == 0);
}

TEST_CASE("memory: double buffering hides the reload latency the docs predict", "[system][memory]") {
  test::TempDir d;
  // OS 4x4, GEMM 32x4x256 int8. A 2 KiB ifmap tile (4 KiB double-buffered, or 2 KiB single)
  // splits k into 4 tiles of 64: tile 32x4x64, 8 folds each. Every tile loads A and B; the one
  // C block accumulates over the 4 tiles and is stored once. DRAM: latency L = 200, 10^6 bytes
  // per cycle; 4 banks of 1 KiB words absorb a tile in under a cycle.
  const std::string yaml = R"(
arch:
  array: {rows: 4, cols: 4, dataflow: os}
  scratchpad:
    ifmap: {size_kib: SIZE, double_buffered: DB, word_bytes: 1024, banks: 4}
    weight: {word_bytes: 1024, banks: 4}
  dram: {model: simple, bytes_per_cycle: 1000000, latency_cycles: 200}
  mapping: {mapper: fixed, tile: {m: 32, n: 4, k: 64}}
workload:
  layers:
    - {type: gemm, name: g, m: 32, n: 4, k: 256}
sim: {fidelity: values}
)";
  auto run = [&](const char* size, const char* db) {
    std::string y = yaml;
    y.replace(y.find("SIZE"), 4, size);
    y.replace(y.find("DB"), 2, db);
    return run_yaml(d, y, "", std::string("db") + db).at("layers")[0];
  };
  const json on = run("4", "true"), off = run("2", "false");
  const std::int64_t L = 200;
  // Ideal memory: the closed form of the tiled fold sequence.
  const std::int64_t ideal = analytic::tiled_cycles(analytic::Dataflow::os, 4, 4, {32, 4, 256, 1}, {32, 4, 64});
  CHECK(ideal == 2182);
  // Double-buffered: every reload was issued a whole tile ahead, so only the first load (L
  // cycles of latency plus the cycle its bytes arrive in) and the final store wait: 2(L + 1).
  CHECK(i64(on, "total_cycles") == ideal + 2 * (L + 1));
  // Single-buffered: a reload is issued when the previous tile's last A value is read, one cycle
  // before the next fold could start (free = s + T + R_f - 1, next start s + T + R_f), and its
  // data are usable L + ceil(bytes / bandwidth) = L + 1 cycles after issue: each of the 3 tile
  // boundaries waits L cycles more.
  CHECK(i64(off, "total_cycles") - i64(on, "total_cycles") == 3 * L);
  CHECK(on.at("golden_match").get<bool>());
  CHECK(off.at("golden_match").get<bool>());
}

TEST_CASE("memory: explicit and implicit lowering give the same outputs and differ by the Toeplitz traffic",
          "[system][memory]") {
  test::TempDir d;
  const std::string yaml = R"(
arch:
  array: {rows: 8, cols: 8, dataflow: ws}
  scratchpad: {ifmap: {size_kib: 256}, weight: {size_kib: 256}, output: {size_kib: 256}}
  dram: {model: simple, bytes_per_cycle: 16, latency_cycles: 50}
  lowering: LOWERING
  mapping: {mapper: fixed}
workload:
  layers:
    - {type: conv2d, name: c, in_channels: 6, in_height: 10, in_width: 10, out_channels: 12, kernel: 3, padding: 1}
    - {type: conv2d, name: s2, in_channels: 3, in_height: 11, in_width: 11, out_channels: 5, kernel: 3, stride: 2, groups: 1}
sim: {fidelity: values}
)";
  auto run = [&](const char* lowering) {
    std::string y = yaml;
    y.replace(y.find("LOWERING"), 8, lowering);
    return run_yaml(d, y, "", lowering).at("layers");
  };
  const json imp = run("implicit"), exp = run("explicit");
  // Layer c: M = 10x10 = 100 pixels, K = 6x3x3 = 54; layer s2: M = 5x5 = 25, K = 27.
  const std::int64_t mk[2] = {100 * 54, 25 * 27};
  const std::int64_t input[2] = {6 * 10 * 10, 3 * 11 * 11};
  for (int i = 0; i < 2; ++i) {
    INFO("layer " << i);
    CHECK(imp[i].at("golden_match").get<bool>());
    CHECK(exp[i].at("golden_match").get<bool>());
    // Implicit reads each input element the taps touch once (stride 2 without padding touches
    // every element of the 11x11 input: taps 0..10). Explicit reads the input once to build the
    // Toeplitz matrix, writes its M x K bytes, then reads them back as the ifmap tile.
    CHECK(bytes(imp[i], "dram_useful_read_bytes", "ifmap") == input[i]);
    CHECK(bytes(exp[i], "dram_useful_read_bytes", "ifmap") - bytes(imp[i], "dram_useful_read_bytes", "ifmap") == mk[i]);
    CHECK(bytes(exp[i], "dram_useful_write_bytes", "ifmap") == mk[i]);
    CHECK(i64(exp[i], "dram_footprint_bytes") - i64(imp[i], "dram_footprint_bytes") == mk[i]);
    // The array sees the same tiles either way.
    CHECK(bytes(exp[i], "sram_write_bytes", "ifmap") == bytes(imp[i], "sram_write_bytes", "ifmap"));
    CHECK(i64(exp[i], "total_cycles") > i64(imp[i], "total_cycles"));
  }
}

TEST_CASE("memory: the analytic lower bound holds and GEMM traffic matches it on 160 random cases",
          "[system][memory]") {
  test::TempDir d;
  std::mt19937_64 rng(20261122);
  auto pick = [&](std::int64_t lo, std::int64_t hi) {
    return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng);
  };
  int cases = 0;
  for (int a = 0; a < 20; ++a) {
    const std::int64_t R = pick(1, 16), C = pick(1, 16);
    const char* dfs[3] = {"os", "ws", "is"};
    const std::string df = dfs[pick(0, 2)];
    const char* models[3] = {"simple", "ddr4_3200", "hbm2"};
    const std::string model = models[pick(0, 2)];
    const double bw = static_cast<double>(pick(1, 64)) / 4;
    const std::int64_t lat = pick(0, 300);
    const bool db = pick(0, 1) == 1;
    const std::int64_t kib[3] = {pick(2, 32), pick(2, 32), pick(4, 64)};
    std::ostringstream y;
    y << "arch:\n  array: {rows: " << R << ", cols: " << C << ", dataflow: " << df << "}\n"
      << "  scratchpad:\n";
    const char* bufs[3] = {"ifmap", "weight", "output"};
    for (int b = 0; b < 3; ++b)
      y << "    " << bufs[b] << ": {size_kib: " << kib[b] << ", double_buffered: " << (db ? "true" : "false") << "}\n";
    // Banked presets derive their bandwidth (DDR4-3200 25.6, HBM2 256 bytes per 1 GHz cycle);
    // their latency_cycles is a front-end latency before the controller.
    const double peak = model == "ddr4_3200" ? 25.6 : model == "hbm2" ? 256.0 : bw;
    y << "  dram: {model: " << model;
    if (model == "simple") y << ", bytes_per_cycle: " << bw;
    y << ", latency_cycles: " << lat << "}\n";
    y << "workload:\n  layers:\n";
    std::vector<ir::GemmDims> dims;
    for (int l = 0; l < 8; ++l) {
      const ir::GemmDims g{pick(1, 96), pick(1, 96), pick(1, 160), 1};
      dims.push_back(g);
      y << "    - {type: gemm, name: g" << l << ", m: " << g.m << ", n: " << g.n << ", k: " << g.k << "}\n";
    }
    y << "sim: {fidelity: timing}\n";
    const json s = run_yaml(d, y.str(), "", "r" + std::to_string(a));
    const analytic::Dataflow adf = df == "os"   ? analytic::Dataflow::os
                                   : df == "ws" ? analytic::Dataflow::ws
                                                : analytic::Dataflow::is;
    for (int l = 0; l < 8; ++l) {
      const json& L = s.at("layers")[static_cast<std::size_t>(l)];
      INFO(y.str() << "layer " << l);
      // The mapping the mapper chose (an input here, read from the report); everything else is
      // re-derived from the closed forms of models/analytic.
      const analytic::TileMapping m = mapping_of(L);
      const ir::GemmDims& g = dims[static_cast<std::size_t>(l)];
      CHECK(m.tile.m * m.tile.k * 1 <= kib[0] * 1024 / (m.double_buffer[0] ? 2 : 1));
      CHECK(m.tile.k * m.tile.n * 1 <= kib[1] * 1024 / (m.double_buffer[1] ? 2 : 1));
      CHECK(m.tile.m * m.tile.n * 4 <= kib[2] * 1024 / (m.double_buffer[2] ? 2 : 1));
      const analytic::MappingTraffic tr = analytic::mapping_traffic(g, m, {1, 1, 4});
      // The formulas count the bytes asked for; whole bursts move at least as many.
      CHECK(bytes(L, "dram_useful_read_bytes", "ifmap") == tr.a_read_bytes);
      CHECK(bytes(L, "dram_useful_read_bytes", "weight") == tr.b_read_bytes);
      CHECK(bytes(L, "dram_useful_read_bytes", "output") == tr.c_read_bytes);
      CHECK(bytes(L, "dram_useful_write_bytes", "output") == tr.c_write_bytes);
      CHECK(bytes(L, "dram_read_bytes", "total") >= tr.a_read_bytes + tr.b_read_bytes + tr.c_read_bytes);
      const std::int64_t ideal = analytic::mapping_cycles_ideal(adf, R, C, g, m);
      const std::int64_t lb = analytic::memory_lower_bound_cycles(ideal, tr.total(), peak, lat);
      CHECK(i64(L, "total_cycles") >= lb);
      // The mapper's own memory bound (docs/mapping.md) holds too: the first tile's A and B blocks;
      // a banked DRAM adds min(CL, CWL) + BL/2 DRAM clocks to the front-end latency (at 1 GHz:
      // DDR4-3200 (16 + 4) x 0.625 = 12.5 -> 12 cycles, HBM2 (7 + 2) x 1 ns = 9 cycles).
      const std::int64_t first =
          std::min(m.tile.m, g.m) * std::min(m.tile.k, g.k) + std::min(m.tile.k, g.k) * std::min(m.tile.n, g.n);
      CHECK(i64(L, "total_cycles") >= analytic::mapping_cycles_memory_bound(adf, R, C, ideal, g, m, {1, 1, 4}, tr,
                                                                            first, peak,
                                                                            lat + (model == "ddr4_3200" ? 12
                                                                                   : model == "hbm2"    ? 9
                                                                                                        : 0)));
      CHECK(i64(L, "analytic_cycles") == ideal);
      CHECK(i64(L, "stall_cycles") == i64(L, "total_cycles") - i64(L, "compute_cycles"));
      ++cases;
    }
  }
  CHECK(cases == 160);
}

TEST_CASE("memory: timing fidelity gives the cycles stalls and traffic of values fidelity", "[system][memory]") {
  test::TempDir d;
  std::mt19937_64 rng(7);
  auto pick = [&](std::int64_t lo, std::int64_t hi) {
    return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng);
  };
  int conflicted = 0;  // layers of the one-bank configurations whose edge reads waited
  for (int a = 0; a < 9; ++a) {
    const char* dfs[3] = {"os", "ws", "is"};
    const char* models[4] = {"ideal", "simple", "ddr4_3200", "hbm2"};
    // From a = 6 on, one 8-byte bank per input scratchpad: edge vectors that cross a word take
    // two cycles (docs/memory.md, "Array side").
    const std::string banks = a >= 6 ? ", word_bytes: 8, banks: 1" : "";
    std::ostringstream y;
    y << "arch:\n  array: {rows: " << pick(2, 8) << ", cols: " << pick(2, 8) << ", dataflow: " << dfs[a % 3] << "}\n"
      << "  scratchpad: {ifmap: {size_kib: " << pick(1, 8) << banks << "}, weight: {size_kib: " << pick(1, 8) << banks
      << "}, output: {size_kib: " << pick(2, 8) << ", double_buffered: " << (a % 2 ? "true" : "false") << "}}\n"
      << "  dram: {model: " << models[a % 4] << ", latency_cycles: " << pick(0, 80) << "}\n"
      << "  lowering: " << (a % 2 ? "explicit" : "implicit") << "\n"
      << "workload:\n  layers:\n"
      << "    - {type: conv2d, name: c, in_channels: " << pick(1, 6) << ", in_height: " << pick(5, 12)
      << ", in_width: " << pick(5, 12) << ", out_channels: " << pick(1, 12) << ", kernel: 3, padding: 1}\n"
      << "    - {type: gemm, name: g, m: " << pick(1, 40) << ", n: " << pick(1, 40) << ", k: " << pick(1, 90) << "}\n";
    const json v = run_yaml(d, y.str(), "--set sim.fidelity=values", "v" + std::to_string(a));
    const json t = run_yaml(d, y.str(), "--set sim.fidelity=timing", "t" + std::to_string(a));
    for (std::size_t l = 0; l < 2; ++l) {
      INFO(y.str() << "layer " << l);
      const json& a1 = v.at("layers")[l];
      const json& b1 = t.at("layers")[l];
      CHECK(a1.at("golden_match").get<bool>());
      for (const char* k : {"total_cycles", "stall_cycles", "compute_cycles", "folds", "bank_conflicts", "start_cycle"})
        CHECK(a1.at(k) == b1.at(k));
      for (const char* k :
           {"stall_cycles_by_cause", "dram_read_bytes", "dram_write_bytes", "sram_read_bytes", "sram_write_bytes"})
        CHECK(a1.at(k) == b1.at(k));
      conflicted += a >= 6 && a1.at("stall_cycles_by_cause").at("bank_conflict").get<std::int64_t>() > 0;
    }
  }
  CHECK(conflicted > 0);
}

TEST_CASE("memory: an edge vector that needs two cycles of its banks holds the fold back one cycle, in both fidelities",
          "[system][memory]") {
  // One fold on a 4x4 int8 array, the streamed input scratchpad one bank of 4-byte words (it
  // feeds the 4-byte edge: 1 x 1 x 4 bytes a cycle). The fold streams 8 vectors of 3 values
  // (rows_used 3), packed in its half from byte 0: vector x at bytes 3x .. 3x+2 (docs/memory.md
  // layouts: OS A [k][m] with m_len 3, WS A [m][k] and IS B [n][k] with k_len 3).
  //   x:      0    1      2      3    4     5      6      7
  //   words:  0    0,1    1,2    2    3     3,4    4,5    5
  // Vectors 1, 2, 5, 6 need two cycles of the one bank: 4 extra cycles, 4 word conflicts. With
  // 2 interleaved banks their two words are in different banks: none. With 2 banks in blocks
  // (each half the 64 KiB) every vector is in bank 0: 4 again.
  test::TempDir d;
  struct Case {
    const char* df;
    const char* spad;  // the scratchpad of the streamed operand
    ir::GemmDims dims;
    analytic::Dataflow adf;
  };
  const Case cases[] = {{"os", "ifmap", {3, 4, 8, 1}, analytic::Dataflow::os},
                        {"ws", "ifmap", {8, 4, 3, 1}, analytic::Dataflow::ws},
                        {"is", "weight", {4, 8, 3, 1}, analytic::Dataflow::is}};
  for (const Case& c : cases) {
    const std::int64_t ideal = analytic::systolic_cycles(c.adf, 4, 4, c.dims).total_cycles;
    for (const auto& [banks, extra] :
         {std::pair<std::string, std::int64_t>{"banks: 1", 4}, {"banks: 2", 0}, {"banks: 2, bank_mapping: block", 4}}) {
      for (const char* fid : {"timing", "values"}) {
        std::ostringstream y;
        y << "arch:\n  array: {rows: 4, cols: 4, dataflow: " << c.df << "}\n"
          << "  scratchpad: {" << c.spad << ": {word_bytes: 4, " << banks << "}}\n"
          << "  dram: {model: ideal}\n  mapping: {mapper: fixed}\n"
          << "workload:\n  layers:\n    - {type: gemm, name: g, m: " << c.dims.m << ", n: " << c.dims.n
          << ", k: " << c.dims.k << "}\nsim: {fidelity: " << fid << "}\n";
        INFO(y.str());
        const json l = run_yaml(d, y.str(), "", "b").at("layers")[0];
        CHECK(i64(l, "folds") == 1);
        CHECK(i64(l, "total_cycles") == ideal + extra);
        CHECK(l.at("stall_cycles_by_cause").at("bank_conflict").get<std::int64_t>() == extra);
        CHECK(i64(l, "bank_conflicts") == extra);
        if (std::string(fid) == "values") CHECK(l.at("golden_match").get<bool>());
      }
    }
  }
}

TEST_CASE("memory: a scratchpad too small for one tile is one error line at its size_kib and exit 2",
          "[system][memory]") {
  test::TempDir d;
  const std::string file = d.path() + "/small.yaml";
  std::ofstream(file) << R"(arch:
  array: {rows: 32, cols: 32, dataflow: os}
  scratchpad:
    output: {size_kib: 1}
workload:
  layers:
    - {type: gemm, name: g, m: 64, n: 64, k: 8}
)";
  const std::string out = d.path() + "/out";
  const test::CliResult r = test::run_cli("run " + file + " --out " + out);
  CHECK(r.exit_code == 2);
  // OS: the smallest output tile is R x C = 32 x 32 int32 accumulators = 4096 bytes; the mapper
  // would give up the second half before it gave up the tile, but not even the whole 1 KiB holds it.
  CHECK(r.err == file +
                     ":4:24 arch.scratchpad.output.size_kib: 1024 bytes cannot hold "
                     "one output tile of layer 'g': the smallest is 32 x 32 elements x 4 bytes = 4096 bytes\n");
  CHECK(!std::filesystem::exists(out));
}

TEST_CASE("memory: access traces in csv and scalesim layouts", "[system][memory][trace]") {
  test::TempDir d;
  const std::string file = d.path() + "/t.yaml";
  std::ofstream(file) << R"(arch:
  array: {rows: 4, cols: 4, dataflow: ws}
  dram: {model: simple, bytes_per_cycle: 16, latency_cycles: 10}
workload:
  layers:
    - {type: gemm, name: g, m: 6, n: 4, k: 4}
sim: {fidelity: values}
)";
  const std::string out = d.path() + "/out";
  REQUIRE(test::run_cli("run " + file + " --no-plots --out " + out + " --trace sram,dram").exit_code == 0);
  const std::string dram = test::read_text(out + "/traces/dram.csv");
  // Every request is a whole 64-byte burst. A 6x4 int8 = 24 bytes: one burst, issued at 0 (transfer
  // 0), on the bus at 0 + latency 10 for 4 cycles; B 4x4 = 16 bytes at the 4 KiB-aligned weight
  // region: one burst, issued at 0 (transfer 1), ready at 10 but on the bus after A's, at 14; C
  // 6x4 int32 = 96 bytes: two bursts (the output region starts at 8192), transfer 2.
  CHECK(dram.rfind("layer,cycle,unit,operand,op,address,bytes,issue_cycle,transfer\n", 0) == 0);
  CHECK(dram.find("g,10,dram,ifmap,read,0,64,0,0\n") != std::string::npos);
  CHECK(dram.find("g,14,dram,weight,read,4096,64,0,1\n") != std::string::npos);
  CHECK(dram.find(",dram,output,write,8192,64,") != std::string::npos);
  CHECK(dram.find(",dram,output,write,8256,64,") != std::string::npos);
  CHECK(dram.find(",2\n") != std::string::npos);
  const std::string sram = test::read_text(out + "/traces/sram.csv");
  // WS: 6 streamed A rows of 4 bytes, one stationary B load of 4 rows, 6 output rows of 16 bytes.
  auto count = [&](const std::string& what) {
    std::size_t n = 0;
    for (std::size_t p = sram.find(what); p != std::string::npos; p = sram.find(what, p + 1)) ++n;
    return n;
  };
  CHECK(count(",pe_array,ifmap,read,") == 6);
  CHECK(count(",pe_array,weight,read,") == 4);
  CHECK(count(",pe_array,output,write,") == 6);
  CHECK(count(",dma,") == 3);  // A and B tile writes, the C tile read by the store
  const std::string out2 = d.path() + "/out2";
  REQUIRE(test::run_cli("run " + file + " --no-plots --out " + out2 + " --trace sram,dram --trace-format scalesim")
              .exit_code == 0);
  const std::string ifmap = test::read_text(out2 + "/traces/layer0/IFMAP_SRAM_TRACE.csv");
  // One row per streamed A row: its 4 element addresses, row-major [m][k] in the tile.
  std::istringstream rows(ifmap);
  std::vector<std::string> lines;
  for (std::string line; std::getline(rows, line);) lines.push_back(line);
  REQUIRE(lines.size() == 6);
  CHECK(lines[0].substr(lines[0].find(',')) == ", 0, 1, 2, 3");
  CHECK(lines[5].substr(lines[5].find(',')) == ", 20, 21, 22, 23");
  const std::string filter_dram = test::read_text(out2 + "/traces/layer0/FILTER_DRAM_TRACE.csv");
  CHECK(filter_dram.find(", 10004096, 10004097,") != std::string::npos);
  // Bad --trace words are usage errors.
  const test::CliResult bad = test::run_cli("run " + file + " --out " + d.path() + "/o3 --trace sram,cache");
  CHECK(bad.exit_code == 2);
  CHECK(bad.err == "arraysim: --trace: 'cache' is not one of sram, dram\n");
}

TEST_CASE("memory: a fold waiting for its output half to be written back stalls on dram_write_bandwidth",
          "[system][memory]") {
  test::TempDir d;
  // OS 4x4, GEMM 128x4x4 int8; a single-buffered 1 KiB output scratchpad holds one 64x4 int32 C
  // block, so the GEMM runs as two tiles of 16 folds that share the output half. DRAM: no latency,
  // 8 bytes per cycle, one bus in issue order:
  //   loads at cycle 0, in whole 64-byte bursts: tile 0's A (64x4 = 256 bytes, 4 bursts) [0, 32),
  //   B (16 bytes, fetched as one 64-byte burst) [32, 40), tile 1's A (the other half) [40, 72).
  //   Tile 0's first fold waits for B: [0, 40) dram_bandwidth.
  //   Tile 0's folds start 8 cycles apart (K + R_f, docs/timing.md): 40, 48, ..., 160; its last
  //   output at s_16 + C + R − 3 = 168 + 5 = 173, so its C block (1024 bytes) is stored from 174,
  //   on the bus [174, 302).
  //   Tile 1's first fold would start at s_16 = 168 but its output half is free only at 302: the
  //   store was issued at 174, so [168, 174) is dependency and [174, 302) dram_write_bandwidth.
  //   Tile 1 runs from 302: last output 302 + 8·16 + 5 = 435, its store [436, 564): the final
  //   wait, dram_write_bandwidth. total_cycles = 564; stalls 40 + 6 + 128 + 128 = 302.
  const json s = run_yaml(d, R"(
arch:
  array: {rows: 4, cols: 4, dataflow: os}
  scratchpad: {output: {size_kib: 1, double_buffered: false}}
  dram: {model: simple, latency_cycles: 0, bytes_per_cycle: 8}
  mapping: {mapper: fixed, tile: {m: 64}}
workload:
  layers:
    - {type: gemm, name: g, m: 128, n: 4, k: 4}
)");
  const json& l = s.at("layers")[0];
  CHECK(i64(l, "total_cycles") == 564);
  CHECK(i64(l, "stall_cycles") == 302);
  const json& st = l.at("stall_cycles_by_cause");
  CHECK(st.at("dram_bandwidth") == 40);
  CHECK(st.at("dependency") == 6);
  CHECK(st.at("dram_write_bandwidth") == 128 + 128);
  CHECK(st.at("dram_latency") == 0);
  CHECK(st.at("bank_conflict") == 0);
}
