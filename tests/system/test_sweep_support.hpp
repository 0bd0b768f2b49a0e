#pragma once
/// Shared inputs and utilities of the sweep tests: a one-GEMM base experiment, a 7-point
/// spec whose cycle counts follow from docs/timing.md, and CSV comparison without the columns
/// that differ between runs (wall time, run directory).
#include <stdlib.h>

#include <algorithm>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "sim/sweep/sweep_results.hpp"
#include "sim/util/csv_field.hpp"
#include "tests/support.hpp"

namespace arraysim::test {

/// One GEMM C[8][8] = A[8][16]·B[16][8] (1024 MACs) on a 4x4 output-stationary array, ideal
/// memory, timing fidelity: every point simulates in milliseconds.
inline const char* const kSweepBaseYaml = R"(name: tiny
arch:
  name: tiny
  array: {type: systolic, rows: 4, cols: 4, dataflow: os, input_dtype: int8}
  dram: {model: ideal}
workload:
  name: one_gemm
  seed: 1
  layers:
    - {name: g, type: gemm, m: 8, n: 8, k: 16}
sim: {fidelity: timing}
)";

/// rows {4, 8} x cols {4, 8} x dataflow {os, ws}, without (8, 8, ws): 7 points.
inline const char* const kSweepSpecYaml = R"(name: tiny_sweep
base: base.yaml
axes:
  - key: arch.array.rows
    values: [4, 8]
  - key: arch.array.cols
    range: {from: 4, to: 8, factor: 2}
  - key: arch.array.dataflow
    values: [os, ws]
constraints:
  - rows * cols <= 32 || dataflow == "os"
metrics: [total_cycles, pe_utilization, pe_count]
pareto:
  minimize: [total_cycles, pe_count]
)";

/// results.csv of kSweepSpecYaml without wall_s and run_dir. Cycles (M=8, N=8, K=16, G=1):
///   OS  total = F·K + Fn·M + R − 2 + max(C_last, C − K − R_last)   (docs/timing.md §3)
///       4x4: F=4, Fn=2: 64 + 16 + 2 + 4 = 86      4x8: F=2, Fn=1: 32 + 8 + 2 + 8 = 50
///       8x4: F=2, Fn=2: 32 + 16 + 6 + 4 = 58      8x8: one fold K+M+N+R−2 = 38
///   WS  total = F·(R + M − 1) + Fk·N + R − 1                       (docs/timing.md §1)
///       4x4: Fk=4, Fn=2, F=8: 88 + 32 + 3 = 123   4x8: Fk=4, F=4: 44 + 32 + 3 = 79
///       8x4: Fk=2, Fn=2, F=4: 60 + 16 + 7 = 83
/// pe_utilization = 1024 / (pe_count · total_cycles), e.g. 1024 / (16 · 86) = 0.74418...
/// Pareto over (total_cycles, pe_count), both minimized: (86, 16), (50, 32), (38, 64).
inline const char* const kSweepExpectedCsv =
    "point,key,arch.array.rows,arch.array.cols,arch.array.dataflow,status,total_cycles,pe_utilization,pe_count,"
    "pareto,error\n"
    "0,KEY,4,4,os,ok,86,0.7441860465116279,16,1,\n"
    "1,KEY,4,4,ws,ok,123,0.5203252032520326,16,0,\n"
    "2,KEY,4,8,os,ok,50,0.64,32,1,\n"
    "3,KEY,4,8,ws,ok,79,0.4050632911392405,32,0,\n"
    "4,KEY,8,4,os,ok,58,0.5517241379310345,32,0,\n"
    "5,KEY,8,4,ws,ok,83,0.3855421686746988,32,0,\n"
    "6,KEY,8,8,os,ok,38,0.42105263157894735,64,1,\n";

/// Sets environment variables for its lifetime (e.g. SLURM_ARRAY_TASK_ID for the `arraysim`
/// processes a test starts) and unsets them at the end of the test.
class ScopedEnv {
 public:
  explicit ScopedEnv(std::vector<std::pair<std::string, std::string>> vars) : vars_(std::move(vars)) {
    for (const auto& [k, v] : vars_) ::setenv(k.c_str(), v.c_str(), 1);
  }
  ~ScopedEnv() {
    for (const auto& kv : vars_) ::unsetenv(kv.first.c_str());
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  std::vector<std::pair<std::string, std::string>> vars_;
};

/// `csv` without the named columns, re-joined (fields are re-quoted as needed).
inline std::string drop_columns(const std::string& csv, const std::vector<std::string>& drop) {
  const auto rows = sweep::parse_csv(csv);
  if (rows.empty()) return "";
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t c = 0; c < row.size() && c < rows.front().size(); ++c) {
      if (std::find(drop.begin(), drop.end(), rows.front()[c]) != drop.end()) continue;
      line += (line.empty() ? "" : ",") + util::csv_field(row[c]);
    }
    out += line + "\n";
  }
  return out;
}

/// results.csv reduced to what must be equal between any two runs of a sweep: without wall_s
/// and run_dir, and with keys replaced by KEY when `mask_keys`.
inline std::string comparable(const std::string& csv, bool mask_keys = false) {
  std::string s = drop_columns(csv, {"wall_s", "run_dir"});
  if (!mask_keys) return s;
  auto rows = sweep::parse_csv(s);
  std::string out;
  for (std::size_t r = 0; r < rows.size(); ++r) {
    std::string line;
    for (std::size_t c = 0; c < rows[r].size(); ++c)
      line += (c ? "," : "") + util::csv_field(r > 0 && c == 1 ? "KEY" : rows[r][c]);
    out += line + "\n";
  }
  return out;
}

/// Writes base.yaml and spec.yaml (kSweepSpecYaml unless given) into `dir`; returns the spec path.
inline std::string write_tiny_sweep(const std::string& dir, const std::string& spec = kSweepSpecYaml) {
  write_text(dir + "/base.yaml", kSweepBaseYaml);
  write_text(dir + "/spec.yaml", spec);
  return dir + "/spec.yaml";
}

}  // namespace arraysim::test
