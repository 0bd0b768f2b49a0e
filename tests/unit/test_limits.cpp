/// The limits of docs/config.md ("Limits"), each tested at the limit (accepted) and one past it
/// (refused with a message naming the limit): array size, layer size, operand size, layers per
/// workload, YAML size, and the file sizes of every reader. Each limit bounds the memory or time
/// an input can cost (issue 14: inputs within the documented limits used to end in bad_alloc).
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>

#include "sim/config/experiment.hpp"
#include "sim/config/workload_config.hpp"
#include "sim/config/yaml_reader.hpp"
#include "sim/io/onnx_tensor.hpp"
#include "sim/io/scalesim_import.hpp"
#include "sim/stats/stats_json.hpp"
#include "sim/sweep/sweep_dir.hpp"
#include "tests/support.hpp"

using namespace arraysim;
using arraysim::test::TempDir;
namespace fs = std::filesystem;

namespace {

/// The errors of loading `yaml` as an experiment (arch: the 4x4 of the bad-config parts), or ""
/// when it loads.
std::string errors_of(const std::string& workload, const std::string& array = "{rows: 4, cols: 4}") {
  const std::string yaml = "arch:\n  array: " + array + "\nworkload:\n  layers:\n" + workload;
  try {
    config::load_experiment_text(yaml, "t.yaml", ".");
  } catch (const config::ConfigError& e) {
    return e.what();
  }
  return "";
}

std::string gemm(const std::string& m, const std::string& n, const std::string& k) {
  return "    - {type: gemm, m: " + m + ", n: " + n + ", k: " + k + "}\n";
}

/// A file of `bytes` bytes that occupies no disk space (a hole), to test size limits at once.
std::string sparse_file(const std::string& dir, const std::string& name, std::uintmax_t bytes) {
  const std::string p = dir + "/" + name;
  std::ofstream{p};
  fs::resize_file(p, bytes);
  return p;
}

}  // namespace

TEST_CASE("limits: array sides and lanes up to 4096", "[unit][limits]") {
  CHECK(errors_of(gemm("4", "4", "4"), "{rows: 4096, cols: 4096}").empty());
  CHECK(errors_of(gemm("4", "4", "4"), "{rows: 4097, cols: 1}") ==
        "t.yaml:2:17 arch.array.rows: must be in 1..4096, got 4097");
  CHECK(errors_of(gemm("4", "4", "4"), "{type: vector, lanes: 4096}").empty());
  CHECK(errors_of(gemm("4", "4", "4"), "{type: vector, lanes: 4097}") ==
        "t.yaml:2:32 arch.array.lanes: must be in 1..4096, got 4097");
}

TEST_CASE("limits: a dimension up to 2^40, a layer up to 2^40 MACs, an operand up to 2^32 elements", "[unit][limits]") {
  // m = 2^40, n = k = 1: 2^40 MACs, A and C have 2^40 elements: the operand limit speaks first.
  CHECK(errors_of(gemm("1099511627776", "1", "1")) ==
        "t.yaml:5:7 workload.layers.0: too large to simulate: the input tensor has 1.1e+12 elements (at most 2^32)");
  CHECK(errors_of(gemm("1099511627777", "1", "1")) ==
        "t.yaml:5:23 workload.layers.0.m: must be in 1..2^40 (1099511627776), got 1099511627777");
  // A = 2^16 x 2^16 = 2^32 elements exactly; B = 2^16 x 2^8, C = 2^16 x 2^8: 2^40 MACs exactly.
  CHECK(errors_of(gemm("65536", "256", "65536")).empty());
  // One more row of A: 2^32 + 2^16 = 4295032832 elements, 4.3e+09 to three digits.
  CHECK(errors_of(gemm("65537", "256", "65536")) ==
        "t.yaml:5:7 workload.layers.0: too large to simulate: the input tensor has 4.3e+09 elements (at most 2^32)");
  // Operands within 2^32 but 2^16 · 2^9 · 2^16 = 2^41 MACs.
  CHECK(errors_of(gemm("65536", "512", "65536")) ==
        "t.yaml:5:7 workload.layers.0: too large to simulate: 2.2e+12 multiply-accumulates (at most 2^40)");
}

TEST_CASE("limits: a workload has at most 16384 layers", "[unit][limits]") {
  std::string layers;
  for (std::size_t i = 0; i < config::kMaxLayers; ++i) layers += "    - {type: gemm, m: 1, n: 1, k: 1}\n";
  CHECK(errors_of(layers).empty());
  layers += "    - {type: gemm, m: 1, n: 1, k: 1}\n";
  CHECK(errors_of(layers) == "t.yaml:5:5 workload.layers: 16385 layers; a workload has at most 16384");
  // A SCALE-Sim topology: refused at the first row past the limit, before any layer is built.
  std::string csv = "Layer, M, N, K,\n";
  for (std::size_t i = 0; i <= config::kMaxLayers; ++i) csv += "g, 1, 1, 1,\n";
  const std::string cfg = test::read_text(test::src_path("tests/data/scalesim/c32_sram16_bw2.cfg"));
  try {
    io::import_scalesim_text(cfg, "a.cfg", csv, "t.csv", true);
    FAIL("no error");
  } catch (const config::ConfigError& e) {
    CHECK(std::string(e.what()) ==
          "t.csv:16386:1 workload.layers: more than 16384 rows (16385); a workload has at most 16384 layers");
  }
}

TEST_CASE("limits: a YAML document has at most kMaxYamlNodes values, counted before the tree is built",
          "[unit][limits]") {
  CHECK(config::kMaxYamlNodes == 1'000'000);
  // The mechanism at a limit of 5: {a: [1, 2]} is 5 values (the mapping, a, the list, 1, 2).
  config::Diagnostics d;
  YAML::Node n;
  CHECK(config::load_yaml("{a: [1, 2]}", "t.yaml", "", n, d, 5));
  CHECK(d.empty());
  CHECK_FALSE(config::load_yaml("{a: [1, 2, 3]}", "t.yaml", "", n, d, 5));
  REQUIRE(d.issues().size() == 1);
  CHECK(d.issues()[0].str() ==
        "t.yaml:1:12 (yaml): more than 5 YAML values (scalars, lists and mappings); arraysim reads configurations up "
        "to that size");
}

TEST_CASE("limits: file sizes of every reader are checked before reading", "[unit][limits]") {
  TempDir d;
  // Experiments (and referenced files, sweep specs, SCALE-Sim inputs): 8 MiB.
  CHECK(config::kMaxConfigBytes == std::size_t{8} << 20);
  const std::string big = sparse_file(d.path(), "big.yaml", config::kMaxConfigBytes + 1);
  try {
    config::load_experiment(big);
    FAIL("no error");
  } catch (const config::ConfigError& e) {
    CHECK(std::string(e.what()) ==
          big + ":1:1 (file): cannot read experiment: larger than 8 MiB; not a configuration file");
  }
  // At the limit the file is read (and parsed: a hole of zero bytes is not YAML).
  const std::string at = sparse_file(d.path(), "at.yaml", config::kMaxConfigBytes);
  try {
    config::load_experiment(at);
    FAIL("no error");
  } catch (const config::ConfigError& e) {
    CHECK(std::string(e.what()).find("larger than") == std::string::npos);
  }
  // ONNX models: 1 GiB.
  CHECK(io::kMaxOnnxBytes == std::size_t{1} << 30);
  const std::string model = sparse_file(d.path(), "m.onnx", io::kMaxOnnxBytes + 1);
  CHECK_THROWS_WITH(io::load_model(model), model +
                                               ": larger than 1024 MiB; arraysim reads ONNX files up to that size (a "
                                               "model may keep its weights as ONNX external data: the importer reads "
                                               "only their shapes)");
  // A run's stats.json for `arraysim report`: 256 MiB.
  fs::create_directory(d.path() + "/run");
  sparse_file(d.path() + "/run", "stats.json", stats::kMaxRunFileBytes + 1);
  CHECK_THROWS_WITH(stats::read_run_dir(d.path() + "/run"),
                    d.path() + "/run/stats.json: cannot read (larger than 256 MiB)");
  // The files of a sweep directory: 1 GiB.
  CHECK(sweep::dir::kMaxSweepFileBytes == std::size_t{1} << 30);
  CHECK_FALSE(sweep::dir::read_if_readable(sparse_file(d.path(), "results.csv", sweep::dir::kMaxSweepFileBytes + 1)));
}
