/// The vector unit end to end (docs/vector.md): real values through the lanes, bit-exact against
/// the golden model, cycles equal to the analytic model, the read ports as the bound, mapping:
/// auto, and the roofline fields beside a systolic array of equal MAC count.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "sim/app/run.hpp"
#include "sim/config/experiment.hpp"
#include "sim/stats/report.hpp"
#include "tests/support.hpp"

namespace {
using namespace arraysim;

/// The first layer of stats.json after `arraysim run` of `yaml` (one process per run: SystemC
/// runs once per process).
nlohmann::json run_layer(const test::TempDir& dir, const std::string& yaml) {
  static int runs = 0;
  const std::string name = dir.path() + "/" + std::to_string(runs++);
  test::write_text(name + ".yaml", yaml);
  const test::CliResult r = test::run_cli("run " + name + ".yaml --no-plots --out " + name);
  INFO(yaml << r.out << r.err);
  REQUIRE(r.exit_code == 0);
  return nlohmann::json::parse(test::read_text(name + "/stats.json"))["layers"][0];
}
}  // namespace

TEST_CASE("vector: FC whose weight read port is the bound takes 60 cycles bit-exact", "[system][vector]") {
  // 8 lanes, int32 operands (4-byte words, int64 accumulators), lanes across the 20 outputs,
  // input hoisted, 12 inputs. The weight scratchpad gives 1 bank × 1 port × 16 bytes = 4 weights
  // per cycle: a step of 8 lanes needs ⌈8·4/16⌉ = 2 cycles, the last lane group (20 − 16 = 4
  // lanes) ⌈4·4/16⌉ = 1. Steps ⌈20/8⌉·12 = 36; cycles 2·12·2 + 12·1 = 60; ideal DRAM, so total 60.
  const config::Experiment e = config::load_experiment_text(R"(
name: vector_ports
arch:
  array: {type: vector, lanes: 8, input_dtype: int32, mapping: {parallel: n, order: [m, n, k], hoist: true}}
  scratchpad:
    weight: {banks: 1, word_bytes: 16}
  dram: {model: ideal}
workload:
  layers:
    - {name: fc, type: fc, in_features: 12, out_features: 20}
sim: {fidelity: values}
)",
                                                            "vector_ports.yaml", ".");
  const stats::RunResult r = app::run_experiment(e, {});
  REQUIRE(r.layers.size() == 1);
  const stats::LayerResult& l = r.layers[0];
  CHECK(l.golden_match == std::optional<bool>(true));
  CHECK(l.total_cycles == std::optional<std::int64_t>(60));
  CHECK(l.analytic_cycles == std::optional<std::int64_t>(60));
  CHECK(l.stall_cycles == std::optional<std::int64_t>(0));
  CHECK(l.stall_cycles_read_bandwidth == std::optional<std::int64_t>(60 - 36));
  CHECK(l.vector_steps == std::optional<std::int64_t>(36));
  CHECK(l.vector_mapping == std::optional<std::string>("parallel n, order m n k, hoist"));
  CHECK(l.vector_mapping_auto == std::optional<bool>(false));
  CHECK(l.macs == 20 * 12);
  CHECK(l.array_read_words.ifmap == 3 * 12);    // ⌈20/8⌉·12 broadcast inputs
  CHECK(l.array_read_words.weight == 20 * 12);  // every weight once
  CHECK(l.array_read_words.output == 0);
  CHECK(l.array_write_words.output == 20);  // each accumulator once
  CHECK(l.memory.sram_read_bytes.weight == 20 * 12 * 4);
  CHECK(l.relayout_words == std::optional<std::int64_t>(0));  // fc weights [K][N]: n is contiguous
  CHECK(l.compute_roof_macs_per_cycle == std::optional<double>(8.0));
  CHECK(l.bound == "compute");  // ideal DRAM has no bandwidth roof
  // 240 MACs / (36 + 240 + 20) words.
  CHECK(*l.compute_intensity_macs_per_word() == Approx(240.0 / 296.0));
}

TEST_CASE("vector: mapping auto picks the fewest cycles of all 36 mappings and says so", "[system][vector]") {
  test::TempDir dir;
  const std::string base = test::src_path("configs/experiments/vector_fc.yaml");
  const test::CliResult a =
      test::run_cli("run " + base + " --set arch.array.mapping=auto --out " + dir.path() + "/auto");
  REQUIRE(a.exit_code == 0);
  CHECK(a.out.find("(chosen by mapping: auto)") != std::string::npos);
  const nlohmann::json ja = nlohmann::json::parse(test::read_text(dir.path() + "/auto/stats.json"));
  const nlohmann::json& la = ja["layers"][0];
  CHECK(la["vector_mapping_auto"] == true);
  CHECK(la["golden_match"] == true);
  const std::int64_t best = la["total_cycles"];
  // Every explicit mapping takes at least as many cycles (ideal DRAM: the cycles are the analytic ones).
  int runs = 0;
  for (const char* p : {"m", "n", "k"})
    for (const char* o : {"[m, n, k]", "[n, k, m]", "[k, m, n]"})
      for (const char* h : {"true", "false"}) {
        const std::string out = dir.path() + "/" + std::to_string(runs++);
        const test::CliResult r = test::run_cli("run " + base + " --set 'arch.array.mapping={parallel: " + p +
                                                ", order: " + o + ", hoist: " + h + "}' --out " + out);
        REQUIRE(r.exit_code == 0);
        const nlohmann::json j = nlohmann::json::parse(test::read_text(out + "/stats.json"));
        INFO(j["layers"][0]["vector_mapping"]);
        CHECK(j["layers"][0]["golden_match"] == true);
        CHECK(j["layers"][0]["total_cycles"].get<std::int64_t>() >= best);
      }
}

TEST_CASE("vector: a systolic array and a vector unit of equal MAC count report the same roofline fields",
          "[system][vector]") {
  test::TempDir dir;
  for (const char* which : {"systolic", "vector"}) {
    const std::string out = dir.path() + "/" + which;
    const test::CliResult r = test::run_cli(
        "run " + test::src_path(std::string("configs/experiments/vector_pair_") + which + ".yaml") + " --out " + out);
    REQUIRE(r.exit_code == 0);
    const nlohmann::json j = nlohmann::json::parse(test::read_text(out + "/stats.json"));
    for (const auto& l : j["layers"]) {
      INFO(which << " " << l["name"]);
      CHECK(l["golden_match"] == true);
      CHECK(l["analytic_match"] == true);
      CHECK(l["compute_roof_macs_per_cycle"] == 64.0);  // 8×8 PEs, 64 lanes
      // The bandwidth roof is 16 bytes per cycle × MACs per DRAM byte; the bound the lower roof.
      const double oi = l["operational_intensity_macs_per_byte"];
      CHECK(l["bandwidth_roof_macs_per_cycle"].get<double>() == Approx(16 * oi));
      CHECK(l["bound"] == (16 * oi < 64 ? "memory" : "compute"));
      CHECK(l["array_read_words"]["total"].get<std::int64_t>() > 0);
      CHECK(l["attained_macs_per_cycle"].get<double>() <= 64.0);
      CHECK(l["vector_mapping"].is_null() == (std::string(which) == "systolic"));
    }
  }
}

TEST_CASE("vector: timing and values fidelity give the same cycles and traffic", "[system][vector]") {
  test::TempDir dir;
  const std::string exp = test::src_path("configs/experiments/vector_pair_vector.yaml");
  nlohmann::json j[2];
  int i = 0;
  for (const char* f : {"values", "timing"}) {
    const std::string out = dir.path() + "/" + f;
    REQUIRE(test::run_cli("run " + exp + " --set sim.fidelity=" + f + " --out " + out).exit_code == 0);
    j[i++] = nlohmann::json::parse(test::read_text(out + "/stats.json"));
  }
  REQUIRE(j[0]["layers"].size() == j[1]["layers"].size());
  for (std::size_t k = 0; k < j[0]["layers"].size(); ++k) {
    const auto &a = j[0]["layers"][k], &b = j[1]["layers"][k];
    INFO(a["name"]);
    for (const char* key : {"total_cycles", "stall_cycles", "array_read_words", "array_write_words", "sram_read_bytes",
                            "sram_write_bytes", "dram_read_bytes", "dram_write_bytes", "stall_cycles_read_bandwidth",
                            "relayout_words", "vector_mapping"})
      CHECK(a[key] == b[key]);
  }
}

TEST_CASE("vector: lane reads that fall into one bank serialise exactly, in both fidelities", "[system][vector]") {
  // 4 lanes across m, order n, k, m, B hoisted; int32 operands (4-byte elements, int64
  // accumulators); GEMM m 8, n 1, k 3 in one tile. Steps: ⌈8/4⌉·3·1 = 6, each reading 4
  // consecutive A elements of the [k][m] layout (docs/vector.md): words 8k + m0 .. 8k + m0 + 3
  // (m0 = 0 or 4) of the ifmap scratchpad, 4 banks of 4-byte words, one read port. The port
  // bandwidth gives each step 1 cycle (16 bytes / 16 bytes per cycle; B is one 4-byte element,
  // C 4 accumulators read and written through 16 banks x 2 ports of 8-byte words), so with ideal
  // DRAM the layer takes 6 cycles.
  //   interleave one word deep: the 4 words in 4 banks: nothing beyond: 6 cycles.
  //   block mapping (4096 words per bank): all 4 in bank 0: 4 cycles a step, 3 beyond and 3
  //     words waiting: 6 + 6·3 = 24 cycles, 18 bank-conflict cycles, 18 conflicts.
  //   interleave 4 words deep: words 8k + m0 .. + 3 are one aligned group of 4: one bank: 24 again.
  test::TempDir dir;
  for (const auto& [mapping, extra] :
       {std::pair<std::string, std::int64_t>{"", 0}, {", bank_mapping: block", 18}, {", interleave_words: 4", 18}}) {
    for (const char* fid : {"timing", "values"}) {
      const std::string yaml = std::string(R"(
name: lane_banks
arch:
  array: {type: vector, lanes: 4, input_dtype: int32, mapping: {parallel: m, order: [n, k, m], hoist: true}}
  scratchpad:
    ifmap: {word_bytes: 4, banks: 4)") +
                               mapping + R"(}
    output: {word_bytes: 8, banks: 16, read_ports: 2}
  dram: {model: ideal}
workload:
  layers:
    - {name: g, type: gemm, m: 8, n: 1, k: 3}
sim: {fidelity: )" + fid + "}\n";
      const nlohmann::json l = run_layer(dir, yaml);
      CHECK(l["vector_steps"] == 6);
      CHECK(l["analytic_cycles"] == 6);
      CHECK(l["total_cycles"] == 6 + extra);
      CHECK(l["stall_cycles_read_bandwidth"] == 0);
      CHECK(l["stall_cycles_by_cause"]["bank_conflict"] == extra);
      CHECK(l["bank_conflicts"] == extra);
      CHECK(l["analytic_match"] == true);  // closed form + bank-conflict cycles
      if (std::string(fid) == "values") CHECK(l["golden_match"] == true);
    }
  }
}

TEST_CASE("vector: an accumulator read and written in one step uses its bank's port twice", "[system][vector]") {
  // 4 lanes across m, order k, n, m, nothing hoisted; int8 operands, int32 accumulators; GEMM
  // m 4, n 2, k 2 in one tile. Steps: 1·2·2 = 4 (k outer, n, m inner): steps (k, n) = (0, 0),
  // (0, 1) write C[n][0..3] only (first k step, no accumulation), (1, 0), (1, 1) read it and
  // write it back. C's [n][m] layout puts C[n][0..3] at bytes 16n .. 16n + 15: one 16-byte word,
  // bank n of the output scratchpad (16 banks, one read port). The port bandwidth gives 1 cycle
  // (32 bytes / 256 bytes per cycle); the bank serves the read and the write one after the other:
  // 2 cycles, 1 beyond, 1 word waiting, in each of the last two steps. Ideal DRAM: 4 + 2 = 6
  // cycles. With two read ports the bank serves both at once: 4.
  test::TempDir dir;
  for (const auto& [ports, extra] : {std::pair<int, std::int64_t>{1, 2}, {2, 0}}) {
    const std::string yaml = R"(
name: rmw
arch:
  array: {type: vector, lanes: 4, mapping: {parallel: m, order: [k, n, m], hoist: false}}
  scratchpad:
    output: {word_bytes: 16, banks: 16, read_ports: )" +
                             std::to_string(ports) +
                             R"(}
  dram: {model: ideal}
workload:
  layers:
    - {name: g, type: gemm, m: 4, n: 2, k: 2}
sim: {fidelity: values}
)";
    const nlohmann::json l = run_layer(dir, yaml);
    CHECK(l["golden_match"] == true);
    CHECK(l["vector_steps"] == 4);
    CHECK(l["total_cycles"] == 4 + extra);
    CHECK(l["stall_cycles_by_cause"]["bank_conflict"] == extra);
    CHECK(l["bank_conflicts"] == extra);
    CHECK(l["analytic_match"] == true);
  }
}
