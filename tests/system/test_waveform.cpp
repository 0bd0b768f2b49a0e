/// The SystemC waveform (`arraysim run --vcd`, traces/README.md): every PE register of a 4×4
/// array holds, in every cycle, the operand docs/timing.md says it holds, and
/// `controller.stalled` is 1 in exactly the stall cycles.
#include <catch2/catch.hpp>

#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "models/ir/layer.hpp"
#include "models/ir/tensor.hpp"
#include "tests/support.hpp"

using namespace arraysim;
using namespace arraysim::test;

namespace {

/// A VCD file read into per-signal value changes: full dotted name → (time, value) in file order.
/// Vectors (`b0101 id`) are read as two's complement of their declared width; scalars as 0/1.
struct Vcd {
  std::map<std::string, std::vector<std::pair<long long, long long>>> changes;
  long long timescale_ps = 0;

  /// The signal's value in effect at `time` (the last change at or before it; 0 before any).
  long long at(const std::string& name, long long time) const {
    const auto& ch = changes.at(name);
    long long v = 0;
    for (const auto& [t, x] : ch) {
      if (t > time) break;
      v = x;
    }
    return v;
  }
};

Vcd read_vcd(const std::string& path) {
  std::ifstream in(path);
  REQUIRE(in.good());
  Vcd vcd;
  std::map<std::string, std::pair<std::string, int>> ids;  // id → (name, width)
  std::vector<std::string> scope;
  std::string tok;
  long long now = 0;
  while (in >> tok) {
    if (tok == "$timescale") {
      std::string text;
      for (std::string t; in >> t && t != "$end";) text += t;
      vcd.timescale_ps = text == "1ps" ? 1 : 0;
    } else if (tok == "$scope") {
      std::string kind, name, end;
      in >> kind >> name >> end;
      scope.push_back(name);
    } else if (tok == "$upscope") {
      std::string end;
      in >> end;
      scope.pop_back();
    } else if (tok == "$var") {
      std::string type, id, name, end;
      int width = 0;
      in >> type >> width >> id >> name >> end;
      if (end != "$end") in >> end;  // a bit range
      std::string full;
      for (const auto& s : scope) full += s + ".";
      ids[id] = {full + name, width};
      vcd.changes[full + name];
    } else if (tok[0] == '#') {
      now = std::stoll(tok.substr(1));
    } else if (tok[0] == 'b') {
      std::string id;
      in >> id;
      const auto it = ids.find(id);
      if (it == ids.end()) continue;
      long long v = 0;
      for (std::size_t i = 1; i < tok.size(); ++i) v = v * 2 + (tok[i] == '1');
      const int w = it->second.second;
      if (w < 64 && tok.size() - 1 == static_cast<std::size_t>(w) && tok[1] == '1') v -= 1LL << w;  // sign
      vcd.changes[it->second.first].emplace_back(now, v);
    } else if ((tok[0] == '0' || tok[0] == '1') && tok.size() > 1) {
      const auto it = ids.find(tok.substr(1));
      if (it != ids.end()) vcd.changes[it->second.first].emplace_back(now, tok[0] - '0');
    }
  }
  return vcd;
}

/// A one-layer GEMM experiment on a 4×4 int8 array with ideal DRAM at 1000 MHz (1 cycle = 1000 ps).
std::string gemm_experiment(const std::string& dir, const char* dataflow, int m, int n, int k) {
  const std::string path = dir + "/exp.yaml";
  std::ofstream(path) << "name: wave\narch:\n  name: a4\n  clock_mhz: 1000\n"
                      << "  array: {type: systolic, rows: 4, cols: 4, dataflow: " << dataflow
                      << ", input_dtype: int8}\n  dram: {model: ideal}\n"
                      << "workload:\n  name: w\n  seed: 11\n  layers:\n"
                      << "    - {name: g, type: gemm, m: " << m << ", n: " << n << ", k: " << k << "}\n"
                      << "sim: {fidelity: values}\n";
  return path;
}

/// The operands the run generated: A [m][k] (the input) and B [k][n] (the weights).
ir::LayerOperands operands(int m, int n, int k) {
  ir::Layer l;
  l.kind = ir::LayerKind::gemm;
  l.name = "g";
  l.gemm.m = m, l.gemm.n = n, l.gemm.k = k;
  return ir::make_operands(l, 0, 11, ir::DType::int8, ir::DType::int8);
}

constexpr long long kPs = 1000;  // one cycle at 1000 MHz, in the VCD's 1 ps unit

std::string pe(int i, int j, const char* reg) {
  return "SystemC.accelerator.pe_array.pe_" + std::to_string(i) + "_" + std::to_string(j) + "." + reg;
}

}  // namespace

TEST_CASE("vcd: OS operand registers carry A and B through the 4x4 array as the schedule says", "[system][vcd]") {
  TempDir d;
  // One fold: M = N = 4 fill the array, K = 6 values stream. docs/timing.md (OS): the fold starts
  // at s = 0; A[i][k] enters row i at s + k + i and moves one column right per cycle, B[k][j]
  // enters column j at s + k + j and moves one row down per cycle, so after the step of cycle c
  //   a(i, j) = A[i][c − i − j],  b(i, j) = B[c − i − j][j]   (0 outside 0 ≤ c − i − j < K).
  const int M = 4, N = 4, K = 6;
  const std::string vcd_path = d.path() + "/os.vcd";
  const auto r = run_cli("run " + gemm_experiment(d.path(), "os", M, N, K) + " --vcd " + vcd_path);
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("Info:") == std::string::npos);  // no SystemC report line on stdout
  const Vcd v = read_vcd(vcd_path);
  REQUIRE(v.timescale_ps == 1);
  const ir::LayerOperands ops = operands(M, N, K);
  int nonzero = 0;
  // The layer's cycles: one OS fold alone, K + M + N + R − 2 = 16 (docs/timing.md).
  for (long long c = 0; c < K + M + N + 4 - 2; ++c)
    for (int i = 0; i < 4; ++i)
      for (int j = 0; j < 4; ++j) {
        const long long k = c - i - j;
        const long long a = k >= 0 && k < K ? ops.input.get_i64(i * K + k) : 0;
        const long long b = k >= 0 && k < K ? ops.weight.get_i64(k * N + j) : 0;
        INFO("cycle " << c << " PE(" << i << "," << j << ")");
        CHECK(v.at(pe(i, j, "a"), c * kPs) == a);
        CHECK(v.at(pe(i, j, "b"), c * kPs) == b);
        nonzero += a != 0;
      }
  CHECK(nonzero > 40);  // the operands are not all zero: the comparison says something
}

TEST_CASE("vcd: WS stationary and streamed registers follow the load and the stream", "[system][vcd]") {
  TempDir d;
  // One fold: K = 4 rows, N = 4 columns, M = 5 streamed rows. docs/timing.md (WS): the load runs in
  // cycles 0..R−1 (R = 4) shifting rows down, row 0 taking in cycle c the weight row R−1−c, so
  // after the step of cycle c ≤ R−1 row i ≤ c holds B[R−1−c+i][j] (rows i > c still 0) and from
  // cycle R−1 on w(i, j) = B[i][j]. Streaming starts at s = R: A[m][i] enters PE(i, 0) at s + m + i
  // and moves right, so a(i, j) = A[c − s − i − j][i] (0 outside 0 ≤ c − s − i − j < M).
  const int M = 5, N = 4, K = 4, R = 4;
  const std::string vcd_path = d.path() + "/ws.vcd";
  const auto r = run_cli("run " + gemm_experiment(d.path(), "ws", M, N, K) + " --vcd " + vcd_path);
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  const Vcd v = read_vcd(vcd_path);
  const ir::LayerOperands ops = operands(M, N, K);
  int changes = 0;
  // The layer's cycles: one WS fold alone, 2R + M + C − 2 = 15 (docs/timing.md); after its last
  // cycle the array is not clocked and its registers keep their values.
  for (long long c = 0; c < 2 * R + M + N - 2; ++c)
    for (int i = 0; i < 4; ++i)
      for (int j = 0; j < 4; ++j) {
        INFO("cycle " << c << " PE(" << i << "," << j << ")");
        long long w = 0;
        if (c >= R - 1)
          w = ops.weight.get_i64(i * N + j);
        else if (i <= c)
          w = ops.weight.get_i64((R - 1 - c + i) * N + j);
        CHECK(v.at(pe(i, j, "w"), c * kPs) == w);
        const long long m = c - R - i - j;
        CHECK(v.at(pe(i, j, "a"), c * kPs) == (m >= 0 && m < M ? ops.input.get_i64(m * K + i) : 0));
      }
  for (const auto& [name, ch] : v.changes)
    if (name.size() > 2 && name.compare(name.size() - 2, 2, ".a") == 0) changes += static_cast<int>(ch.size());
  CHECK(changes > 32);  // the streamed registers change, cycle after cycle
}

TEST_CASE("vcd: controller.stalled is 1 in exactly the stall cycles", "[system][vcd]") {
  TempDir d;
  // 4×4 OS, one fold (M = N = K = 4), DRAM `simple` with no latency and 8 bytes per cycle.
  // Loads: A and B are 16 int8 bytes each, fetched as one whole 64-byte burst each on one bus, in
  // order: A crosses in cycles 0–7, B in 8–15, so the fold waits from its natural start 0 until
  // its operands are in at cycle 16: stall [0, 16) (dram_bandwidth). The fold alone takes
  // K + R_f + C_f + R − 2 = 14 cycles (docs/timing.md): cycles 16..29, last output at 29. The
  // store of C (16 int32 = 64 bytes, one burst) is issued at 30 and needs 64 / 8 = 8 cycles on
  // the bus: the layer ends at 38, stall [30, 38) (dram_write_bandwidth). total_cycles = 38,
  // stall_cycles = 16 + 8 = 24.
  const std::string exp = d.path() + "/exp.yaml";
  std::ofstream(exp) << "name: stalls\narch:\n  name: a4\n  clock_mhz: 1000\n"
                     << "  array: {type: systolic, rows: 4, cols: 4, dataflow: os, input_dtype: int8}\n"
                     << "  dram: {model: simple, latency_cycles: 0, bytes_per_cycle: 8}\n"
                     << "workload:\n  name: w\n  seed: 11\n  layers:\n    - {name: g, type: gemm, m: 4, n: 4, k: 4}\n"
                     << "sim: {fidelity: values}\n";
  const std::string vcd_path = d.path() + "/s.vcd";
  const auto r = run_cli("run " + exp + " --vcd " + vcd_path + " --out " + d.path() + "/run --no-plots");
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  const std::string stats = read_text(d.path() + "/run/stats.json");
  CHECK(stats.find("\"total_cycles\": 38") != std::string::npos);
  CHECK(stats.find("\"dram_bandwidth\": 16") != std::string::npos);
  CHECK(stats.find("\"dram_write_bandwidth\": 8") != std::string::npos);
  const Vcd v = read_vcd(vcd_path);
  for (long long c = 0; c < 42; ++c) {
    INFO("cycle " << c);
    const bool stall = c < 16 || (c >= 30 && c < 38);
    CHECK(v.at("SystemC.accelerator.controller.stalled", c * kPs) == (stall ? 1 : 0));
  }
}
