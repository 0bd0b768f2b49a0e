/// Sweep specs, their points, keys and slices (sim/sweep/sweep_spec.hpp, sweep.hpp, sweep_hash.hpp);
/// no simulation runs here.
#include <catch2/catch.hpp>

#include <cstdlib>

#include "sim/sweep/sweep.hpp"
#include "sim/sweep/sweep_hash.hpp"
#include "sim/sweep/sweep_spec.hpp"
#include "sim/config/experiment.hpp"
#include "tests/support.hpp"
#include "tests/system/test_sweep_support.hpp"

using namespace arraysim::sweep;
using arraysim::config::ConfigError;
using arraysim::test::TempDir;
using arraysim::test::write_text;

namespace {

/// Writes base.yaml and spec.yaml with `spec` into `d`; returns the spec's path.
std::string spec_file(const TempDir& d, const std::string& spec) {
  write_text(d.path() + "/base.yaml", arraysim::test::kSweepBaseYaml);
  write_text(d.path() + "/spec.yaml", spec);
  return d.path() + "/spec.yaml";
}

/// Every point as describe_point() text.
std::vector<std::string> describe_all(const SweepSpec& s) {
  std::vector<std::string> out;
  for (const SweepPoint& p : enumerate_points(s)) out.push_back(describe_point(s, p));
  return out;
}

/// The message of the ConfigError `f` throws, with the temporary directory replaced by "D".
template <typename F> std::string error_of(const TempDir& d, F f) {
  try {
    f();
  } catch (const ConfigError& e) {
    std::string m = e.what();
    for (std::size_t p; (p = m.find(d.path())) != std::string::npos;) m.replace(p, d.path().size(), "D");
    return m;
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("sweep spec product runs the last axis fastest and drops points the constraints reject", "[unit][sweep]") {
  TempDir d;
  const SweepSpec s = load_sweep_spec(spec_file(d, R"(base: base.yaml
axes:
  - key: arch.array.rows
    values: [4, 8]
  - key: arch.array.cols
    range: {from: 4, to: 16, factor: 2}
  - key: arch.array.dataflow
    values: [os, ws]
constraints:
  - rows * cols <= 32 || dataflow == "os"
)"));
  CHECK(s.name == "spec");  // the file's stem
  CHECK(s.combine == "product");
  CHECK(s.metrics == std::vector<std::string>{"total_cycles", "pe_utilization"});  // the default
  // 2 x 3 x 2 = 12 combinations; rows*cols > 32 with ws: (4,16,ws), (8,8,ws), (8,16,ws).
  CHECK(describe_all(s) == std::vector<std::string>{
                               "arch.array.rows=4 arch.array.cols=4 arch.array.dataflow=os",
                               "arch.array.rows=4 arch.array.cols=4 arch.array.dataflow=ws",
                               "arch.array.rows=4 arch.array.cols=8 arch.array.dataflow=os",
                               "arch.array.rows=4 arch.array.cols=8 arch.array.dataflow=ws",
                               "arch.array.rows=4 arch.array.cols=16 arch.array.dataflow=os",
                               "arch.array.rows=8 arch.array.cols=4 arch.array.dataflow=os",
                               "arch.array.rows=8 arch.array.cols=4 arch.array.dataflow=ws",
                               "arch.array.rows=8 arch.array.cols=8 arch.array.dataflow=os",
                               "arch.array.rows=8 arch.array.cols=16 arch.array.dataflow=os",
                           });
  const auto pts = enumerate_points(s);
  CHECK(pts[5].index == 5);
  CHECK(point_overrides(s, pts[5]) ==
        std::vector<std::string>{"arch.array.rows=8", "arch.array.cols=4", "arch.array.dataflow=os"});
}

TEST_CASE("sweep spec zip advances axes together and zip groups nest in a product", "[unit][sweep]") {
  TempDir d;
  const SweepSpec z = load_sweep_spec(spec_file(d, R"(base: base.yaml
combine: zip
axes:
  - {key: arch.array.rows, values: [4, 8, 16]}
  - {key: arch.array.cols, values: [8, 16, 32]}
)"));
  CHECK(describe_all(z) == std::vector<std::string>{"arch.array.rows=4 arch.array.cols=8",
                                                    "arch.array.rows=8 arch.array.cols=16",
                                                    "arch.array.rows=16 arch.array.cols=32"});
  const SweepSpec g = load_sweep_spec(spec_file(d, R"(base: base.yaml
axes:
  - zip:
      - {key: arch.array.rows, values: [4, 8]}
      - {key: arch.array.cols, values: [4, 8], name: width}
  - {key: arch.array.dataflow, values: [os, ws]}
constraints: ["width * rows < 64 || dataflow == 'os'"]
)"));
  CHECK(g.axes[1].name == "width");
  CHECK(describe_all(g) == std::vector<std::string>{
                               "arch.array.rows=4 arch.array.cols=4 arch.array.dataflow=os",
                               "arch.array.rows=4 arch.array.cols=4 arch.array.dataflow=ws",
                               "arch.array.rows=8 arch.array.cols=8 arch.array.dataflow=os",
                           });
}

TEST_CASE("sweep spec ranges are inclusive arithmetic or geometric sequences", "[unit][sweep]") {
  TempDir d;
  const SweepSpec s = load_sweep_spec(spec_file(d, R"(base: base.yaml
axes:
  - {key: arch.array.rows, range: {from: 1, to: 10, step: 3}}
  - {key: arch.array.cols, range: {from: 10, to: 1, step: -4}}
  - {key: arch.scratchpad.ifmap.size_kib, range: {from: 0.5, to: 1.5, step: 0.25}}
  - {key: arch.scratchpad.weight.size_kib, range: {from: 3, to: 100, factor: 3}}
  - {key: arch.dram.bytes_per_cycle, range: {from: 1.5, to: 7, factor: 2}}
)"));
  const auto texts = [&](std::size_t a) {
    std::vector<std::string> v;
    for (const AxisValue& x : s.axes[a].values) v.push_back(x.text);
    return v;
  };
  CHECK(texts(0) == std::vector<std::string>{"1", "4", "7", "10"});
  CHECK(texts(1) == std::vector<std::string>{"10", "6", "2"});
  CHECK(texts(2) == std::vector<std::string>{"0.5", "0.75", "1", "1.25", "1.5"});
  CHECK(texts(3) == std::vector<std::string>{"3", "9", "27", "81"});
  CHECK(texts(4) == std::vector<std::string>{"1.5", "3", "6"});
  CHECK(s.axes[2].values[1].place.path == "axes.2.range");
}

TEST_CASE("sweep spec fixed sets come first and values keep their YAML meaning", "[unit][sweep]") {
  TempDir d;
  const SweepSpec s = load_sweep_spec(spec_file(d, R"(name: quoted
base: base.yaml
set:
  sim.fidelity: values
  workload.layers.0.k: 32
axes:
  - key: arch.name
    values: ["a: b", "", plain]
  - key: sim.fault_stuck_pe
    values: [[0, 1]]
)"));
  CHECK(s.name == "quoted");
  const auto pts = enumerate_points(s);
  REQUIRE(pts.size() == 3);
  // A string YAML would read as a mapping ("a: b") or as null ("") is passed double-quoted.
  CHECK(point_overrides(s, pts[0]) == std::vector<std::string>{"sim.fidelity=values", "workload.layers.0.k=32",
                                                               "arch.name=\"a: b\"", "sim.fault_stuck_pe=[0, 1]"});
  CHECK(point_overrides(s, pts[1])[2] == "arch.name=\"\"");
  CHECK(point_overrides(s, pts[2])[2] == "arch.name=plain");
  CHECK(s.axes[0].values[0].text == "a: b");  // results.csv shows the value as written
  CHECK(override_place(s, pts[2], 2).path == "axes.0.values.2");
  CHECK(override_place(s, pts[2], 1).path == "set.workload.layers.0.k");
}

TEST_CASE("sweep spec structural errors name file line column and key", "[unit][sweep]") {
  TempDir d;
  const auto load = [&](const std::string& text) {
    const std::string f = spec_file(d, text);
    return error_of(d, [&] { load_sweep_spec(f); });
  };
  CHECK(load("base: base.yaml\naxes:\n  - {key: arch.array.rows, values: [4]}\nmetricz: [total_cycles]\n") ==
        "D/spec.yaml:4:1 metricz: unknown key (did you mean 'metrics'?)");
  CHECK(load("axes:\n  - {key: arch.array.rows, values: [4]}\n") ==
        "D/spec.yaml:1:1 base: missing required key (the base experiment's path, relative to this file)");
  CHECK(load("base: nothere.yaml\naxes:\n  - {key: arch.array.rows, values: [4]}\n") ==
        "D/spec.yaml:1:7 base: cannot read experiment 'nothere.yaml' (D/nothere.yaml): No such file or directory");
  CHECK(load("base: base.yaml\naxes:\n  - key: arch.array.rows\n    values: []\n") ==
        "D/spec.yaml:4:13 axes.0.values: an axis needs at least one value");
  CHECK(
      load("base: base.yaml\naxes: []\n") ==
      "D/spec.yaml:2:7 axes: expected a non-empty list of axes ({key: arch.array.rows, values: [16, 32]}), got a list");
  CHECK(load("base: base.yaml\naxes:\n  - {key: arch.array.rows, valuez: [4]}\n") ==
        "D/spec.yaml:3:28 axes.0.valuez: unknown key for an axis (did you mean 'values'?)");
  CHECK(load("base: base.yaml\naxes:\n  - {key: arch.array.rows, values: [4], range: {from: 1, to: 2, step: 1}}\n") ==
        "D/spec.yaml:3:48 axes.0.range: give either 'values' or 'range', not both");
  CHECK(load("base: base.yaml\naxes:\n  - {key: arch.array.rows, range: {from: 1, to: 8, step: 0}}\n") ==
        "D/spec.yaml:3:58 axes.0.range.step: must not be 0");
  CHECK(load("base: base.yaml\naxes:\n  - {key: arch.array.rows, range: {from: 1, to: 8, factor: 1}}\n") ==
        "D/spec.yaml:3:60 axes.0.range.factor: must be greater than 1, got 1");
  CHECK(load("base: base.yaml\naxes:\n  - {key: arch.array.rows, range: {from: 1, to: 8}}\n") ==
        "D/spec.yaml:3:35 axes.0.range: needs 'step' (arithmetic) or 'factor' (geometric)");
  CHECK(load("base: base.yaml\naxes:\n  - {key: arch.array.rows, values: [4]}\n  - {key: arch.array.rows, values: "
             "[8]}\n") == "D/spec.yaml:4:5 axes.1: arch.array.rows is already an axis (axes.0)");
  CHECK(load("base: base.yaml\nset: {arch.array.rows: 4}\naxes:\n  - {key: arch.array.rows, values: [8]}\n") ==
        "D/spec.yaml:2:24 set.arch.array.rows: 'arch.array.rows' is also an axis (axes.0); remove one");
  CHECK(load("base: base.yaml\ncombine: zip\naxes:\n  - {key: arch.array.rows, values: [4, 8]}\n"
             "  - {key: arch.array.cols, values: [4, 8, 16]}\n") ==
        "D/spec.yaml:5:5 axes.1: zipped axes need equal lengths: arch.array.rows (axes.0) has 2 values, "
        "arch.array.cols has 3");
  CHECK(load("base: base.yaml\ncombine: cartesian\naxes:\n  - {key: arch.array.rows, values: [4]}\n") ==
        "D/spec.yaml:2:10 combine: 'cartesian' is not one of product|zip");
  CHECK(load("base: base.yaml\naxes:\n  - {key: arch.array.rows, values: [4]}\npareto: {minimize: [total_cycles]}\n") ==
        "D/spec.yaml:4:9 pareto: a Pareto front needs at least two objectives (minimize: [...], maximize: [...])");
  CHECK(
      load(
          "base: base.yaml\naxes:\n  - {key: arch.array.rows, values: [4]}\nmetrics: [total_cycles, total_cycles]\n") ==
      "D/spec.yaml:4:25 metrics.1: 'total_cycles' is listed twice (first as metrics.0)");
  CHECK(load("base: [base.yaml\n") == "D/spec.yaml:2:1 (yaml): not valid YAML: end of sequence flow not found");
}

TEST_CASE("sweep spec constraint errors point into the expression", "[unit][sweep]") {
  TempDir d;
  const auto load = [&](const std::string& constraint) {
    const std::string f = spec_file(d,
                                    "base: base.yaml\naxes:\n  - {key: arch.array.rows, values: [4, 8]}\n"
                                    "  - {key: arch.scratchpad.ifmap.size_kib, values: [64]}\n"
                                    "  - {key: arch.scratchpad.weight.size_kib, values: [64]}\n"
                                    "  - {key: arch.array.dataflow, values: [os, ws]}\n"
                                    "constraints:\n  - " +
                                        constraint + "\n");
    return error_of(d, [&] { enumerate_points(load_sweep_spec(f)); });
  };
  // Line 8, the expression starts in column 5 (column 6 when quoted).
  CHECK(load("rows * rows <== 4") == "D/spec.yaml:8:19 constraints.0: unexpected character '=' (compare with '==')");
  CHECK(load("\"rowz * 2 < 16\"") ==
        "D/spec.yaml:8:6 constraints.0: unknown name 'rowz' in constraint (did you mean 'rows'?); the axes are: rows "
        "(arch.array.rows), arch.scratchpad.ifmap.size_kib, arch.scratchpad.weight.size_kib, dataflow "
        "(arch.array.dataflow)");
  CHECK(load("size_kib > 1") ==
        "D/spec.yaml:8:5 constraints.0: 'size_kib' is the last part of several axes (arch.scratchpad.ifmap.size_kib, "
        "arch.scratchpad.weight.size_kib); write the whole key or give the axes a name:");
  CHECK(
      load("rows * dataflow > 1") ==
      "D/spec.yaml:8:5 constraints.0: '*' needs a number on the right, got a string (\"os\") (at the point "
      "arch.array.rows=4 arch.scratchpad.ifmap.size_kib=64 arch.scratchpad.weight.size_kib=64 arch.array.dataflow=os)");
  CHECK(load("rows + 1") ==
        "D/spec.yaml:8:5 constraints.0: a constraint must be true or false (a comparison), got a number (5) (at the "
        "point arch.array.rows=4 arch.scratchpad.ifmap.size_kib=64 arch.scratchpad.weight.size_kib=64 "
        "arch.array.dataflow=os)");
  CHECK(load("rows > 8") == "D/spec.yaml:8:5 constraints: the constraints exclude every combination of the axes");
}

TEST_CASE("sweep plan keys each point by its effective configuration and version", "[unit][sweep]") {
  TempDir d;
  const std::string f = arraysim::test::write_tiny_sweep(d.path());
  const SweepPlan plan = plan_sweep(f, Shard{}, "0.1.0");
  CHECK(plan.total_points == 7);
  REQUIRE(plan.points.size() == 7);
  // The key is the SHA-256 of the version, the layer selection and `arraysim check`'s output.
  const auto e = arraysim::config::load_experiment(d.path() + "/base.yaml", plan.points[3].overrides);
  CHECK(plan.points[3].key == point_key("0.1.0", "", arraysim::config::effective_yaml(e)));
  CHECK(plan.points[3].key.size() == 16);
  // Same inputs, same keys and sweep id; another version, other keys.
  const SweepPlan again = plan_sweep(f, Shard{}, "0.1.0");
  const SweepPlan other = plan_sweep(f, Shard{}, "0.2.0");
  CHECK(again.sweep_id == plan.sweep_id);
  CHECK(other.sweep_id != plan.sweep_id);
  for (std::size_t i = 0; i < 7; ++i) {
    CHECK(again.points[i].key == plan.points[i].key);
    CHECK(other.points[i].key != plan.points[i].key);
  }
  // Slice 1 of 3: the points whose index modulo 3 is 1.
  const SweepPlan s1 = plan_sweep(f, Shard{1, 3}, "0.1.0");
  REQUIRE(s1.points.size() == 2);
  CHECK(s1.points[0].point.index == 1);
  CHECK(s1.points[1].point.index == 4);
  CHECK(s1.points[1].key == plan.points[4].key);
  CHECK(s1.sweep_id == plan.sweep_id);
  CHECK(s1.total_points == 7);
}

TEST_CASE("sweep plan reports a bad point configuration at the axis value", "[unit][sweep]") {
  TempDir d;
  const auto plan = [&](const std::string& axes) {
    const std::string f = spec_file(d, "base: base.yaml\naxes:\n" + axes);
    return error_of(d, [&] { plan_sweep(f, Shard{}, "0.1.0"); });
  };
  CHECK(plan("  - {key: arch.array.rowz, values: [4]}\n") ==
        "D/spec.yaml:3:37 axes.0.values.0: arch.array.rowz: unknown key (did you mean 'rows'?)");
  CHECK(plan("  - {key: arch.array.dataflow, values: [os, sw]}\n") ==
        "D/spec.yaml:3:45 axes.0.values.1: arch.array.dataflow: 'sw' is not one of os|ws|is (did you mean 'os'?)");
  // Two values that configure the same simulation.
  CHECK(plan("  - {key: arch.array.rows, values: [4, 8]}\n  - {key: arch.array.cols, values: [8, 8]}\n") ==
        "D/spec.yaml:4:40 axes.1.values.1: sweep points 0 (arch.array.rows=4 arch.array.cols=8) and 1 "
        "(arch.array.rows=4 arch.array.cols=8) have the same effective configuration; remove the value or the axis "
        "that does not change it");
  // A layer selection that names no layer.
  const std::string f =
      spec_file(d, "base: base.yaml\nlayers: conv9\naxes:\n  - {key: arch.array.rows, values: [4]}\n");
  const std::string m = error_of(d, [&] { plan_sweep(f, Shard{}, "0.1.0"); });
  CHECK(m.rfind("D/spec.yaml:2:9 layers: ", 0) == 0);
  CHECK(m.find("conv9") != std::string::npos);
}

TEST_CASE("sweep hash is SHA-256 and point keys are its first 64 bits", "[unit][sweep]") {
  // FIPS 180-4 test vectors.
  CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  // python3: hashlib.sha256(b"arraysim 0.1.0\nlayers: \nname: x\n").hexdigest()[:16]
  CHECK(point_key("0.1.0", "", "name: x\n") == "554cc900db5d1e7e");
  CHECK(point_key("0.1.0", "0-3", "name: x\n") == "676a98a64b72ec48");
  CHECK(point_key("0.2.0", "", "name: x\n") == "a688e7ff366d7b80");
}

TEST_CASE("sweep shard parses I/N and the Slurm array variables", "[unit][sweep]") {
  CHECK(parse_shard("0/1").index == 0);
  CHECK(parse_shard("2/3").index == 2);
  CHECK(parse_shard("2/3").count == 3);
  for (const char* bad : {"3/3", "1/0", "a/2", "1", "-1/2", "1/2/3", ""}) {
    INFO(bad);
    CHECK_THROWS_AS(parse_shard(bad), SweepInputError);
  }
  CHECK_THROWS_WITH(parse_shard("3/3"),
                    "--shard expects I/N with 0 <= I < N (e.g. 0/4 is the first of 4 slices), got '3/3'");
  ::unsetenv("SLURM_ARRAY_TASK_ID");
  ::unsetenv("SLURM_ARRAY_TASK_COUNT");
  ::unsetenv("SLURM_ARRAY_TASK_MIN");
  CHECK_FALSE(shard_from_slurm_env().has_value());
  const arraysim::test::ScopedEnv env({{"SLURM_ARRAY_TASK_ID", "2"}, {"SLURM_ARRAY_TASK_COUNT", "4"}});
  CHECK(shard_from_slurm_env()->index == 2);
  CHECK(shard_from_slurm_env()->count == 4);
  ::setenv("SLURM_ARRAY_TASK_ID", "4", 1);  // --array=1-4: MIN=1, the task IDs are 1..4
  ::setenv("SLURM_ARRAY_TASK_MIN", "1", 1);
  CHECK(shard_from_slurm_env()->index == 3);
  ::setenv("SLURM_ARRAY_TASK_MIN", "0", 1);
  CHECK_THROWS_WITH(shard_from_slurm_env(),
                    "SLURM_ARRAY_TASK_ID=4 SLURM_ARRAY_TASK_MIN=0 SLURM_ARRAY_TASK_COUNT=4 do not name one slice of "
                    "the sweep (ID - MIN must be in 0..COUNT-1; use --array=0-(N-1))");
  ::unsetenv("SLURM_ARRAY_TASK_MIN");
}

TEST_CASE("sweep spec axis names cannot be a fixed results.csv column or a metric", "[unit][sweep]") {
  // Issue 14: such names gave results.csv two columns of the same name.
  TempDir d;
  const auto load = [&](const std::string& text) {
    const std::string f = spec_file(d, text);
    return error_of(d, [&] { load_sweep_spec(f); });
  };
  CHECK(load("base: base.yaml\naxes:\n  - {key: arch.array.rows, values: [4, 8], name: status}\n") ==
        "D/spec.yaml:3:50 axes.0.name: 'status' is a column results.csv has anyway (point, key, status, pareto, "
        "wall_s, run_dir, error); give the axis another name");
  CHECK(load("base: base.yaml\naxes:\n  - {key: arch.array.rows, values: [4, 8], name: total_cycles}\n"
             "metrics: [total_cycles]\n") ==
        "D/spec.yaml:3:50 axes.0.name: 'total_cycles' is also a metric, and results.csv would have two "
        "'total_cycles' columns; give the axis another name");
}
