/// `arraysim sweep` end to end: every point runs as its own `arraysim run`, results, resume,
/// failures and timeouts, bad input, slices and plots (docs/sweeps.md).
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "tests/support.hpp"
#include "tests/system/test_sweep_support.hpp"

using namespace arraysim::test;
namespace fs = std::filesystem;

namespace {

/// The summary line's beginning (its time and rate vary).
std::string summary_head(const std::string& out) {
  const auto pos = out.find("sweep: ");
  if (pos == std::string::npos) return "(no summary) " + out;
  return out.substr(pos, out.find(" in ", pos) - pos);
}

}  // namespace

TEST_CASE("sweep runs every point as a run and writes the exact results", "[system][sweep]") {
  TempDir d;
  const std::string spec = write_tiny_sweep(d.path());
  const std::string out = d.path() + "/out";
  const auto r = run_cli("sweep " + spec + " -j 2 --out " + out);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(summary_head(r.out) == "sweep: 7 points: 7 ok, 0 failed, 0 timed out (7 run now, 0 done before)");
  CHECK(r.out.find("; results: " + out + "/results.csv\n") != std::string::npos);
  const std::string csv = read_text(out + "/results.csv");
  CHECK(comparable(csv, true) == kSweepExpectedCsv);

  // Each row's run directory is that point's `arraysim run --out`: the same numbers as running it
  // by hand, and the key names the directory.
  const auto rows = arraysim::sweep::parse_csv(csv);
  REQUIRE(rows.size() == 8);
  CHECK(rows[0][11] == "run_dir");
  for (std::size_t i = 1; i < rows.size(); ++i) {
    INFO(i);
    CHECK(rows[i][11] == "runs/" + rows[i][1]);
    CHECK(rows[i][1].size() == 16);
    const auto j = nlohmann::json::parse(read_text(out + "/" + rows[i][11] + "/stats.json"));
    CHECK(std::to_string(j["total_cycles"].get<long>()) == rows[i][6]);
    CHECK(fs::exists(out + "/points/" + rows[i][1] + ".json"));
  }
  const auto by_hand = run_cli("run " + d.path() +
                               "/base.yaml --set arch.array.rows=8 --set arch.array.cols=4 "
                               "--set arch.array.dataflow=ws --out " +
                               d.path() + "/hand");
  REQUIRE(by_hand.exit_code == 0);
  CHECK(nlohmann::json::parse(read_text(d.path() + "/hand/stats.json"))["total_cycles"] == 83);
  // The Pareto front is plotted; the manifest describes the sweep.
  CHECK(read_text(out + "/plots/pareto.svg").find("<svg") != std::string::npos);
  CHECK(read_text(out + "/plots/pareto.png").rfind("\x89PNG", 0) == 0);
  const auto m = nlohmann::json::parse(read_text(out + "/sweep.json"));
  CHECK(m["points_total"] == 7);
  CHECK(m["arraysim_version"] == "0.1.0");
  CHECK(m["axes"] == nlohmann::json::array({"arch.array.rows", "arch.array.cols", "arch.array.dataflow"}));
  CHECK(m["metrics"] == nlohmann::json::array({"total_cycles", "pe_utilization", "pe_count"}));
  // Nothing half-written is left behind.
  for (const auto& e : fs::directory_iterator(out + "/points")) CHECK(e.path().filename().string()[0] != '.');
}

TEST_CASE("sweep rerun skips finished points and runs only what is missing", "[system][sweep]") {
  TempDir d;
  const std::string spec = write_tiny_sweep(d.path());
  const std::string out = d.path() + "/out";
  REQUIRE(run_cli("sweep " + spec + " -j 2 --no-plot --out " + out).exit_code == 0);
  const std::string first = read_text(out + "/results.csv");

  const auto again = run_cli("sweep " + spec + " -j 2 --no-plot --out " + out);
  CHECK(again.exit_code == 0);
  CHECK(summary_head(again.out) == "sweep: 7 points: 7 ok, 0 failed, 0 timed out (0 run now, 7 done before)");
  CHECK(read_text(out + "/results.csv") == first);  // byte for byte: wall times come from the records

  // A lost record: only that point runs again.
  const auto rows = arraysim::sweep::parse_csv(first);
  fs::remove(out + "/points/" + rows[3][1] + ".json");
  const auto one = run_cli("sweep " + spec + " -j 2 --no-plot --out " + out);
  CHECK(summary_head(one.out) == "sweep: 7 points: 7 ok, 0 failed, 0 timed out (1 run now, 6 done before)");
  CHECK(comparable(read_text(out + "/results.csv")) == comparable(first));

  // A metric added to the spec: read from the finished runs' stats.json, nothing simulates.
  std::string more = kSweepSpecYaml;
  more.replace(more.find("pe_count]"), 9, "pe_count, macs]");
  write_text(spec, more);
  const auto added = run_cli("sweep " + spec + " -j 2 --no-plot --out " + out);
  CHECK(summary_head(added.out) == "sweep: 7 points: 7 ok, 0 failed, 0 timed out (0 run now, 7 done before)");
  const auto now = arraysim::sweep::parse_csv(read_text(out + "/results.csv"));
  CHECK(now[0][9] == "macs");
  for (std::size_t i = 1; i < now.size(); ++i) CHECK(now[i][9] == "1024");  // 8 * 8 * 16
}

TEST_CASE("sweep records failed and timed out points and goes on", "[system][sweep]") {
  TempDir d;
  // Values fidelity: sim.max_cycles 70 passes the check before the run (1024 MACs on 16 PEs need
  // at least 64 cycles) and stops the 4x4 run (86 cycles) with exit 2. The 1024x1024x16384 GEMM
  // (17.2 G MACs on 16 PEs: at least 1.07 G cycles, under the limit of 2 G) cannot finish in 4 s. The small points take
  // 0.2 s alone under AddressSanitizer; 0.5 s was too short for them on a loaded 2-core machine.
  const std::string spec = write_tiny_sweep(d.path(), R"(base: base.yaml
set: {sim.fidelity: values}
axes:
  - key: sim.max_cycles
    values: [70, 2000000000]
  - zip:
      - {key: workload.layers.0.m, values: [8, 1024]}
      - {key: workload.layers.0.n, values: [8, 1024]}
      - {key: workload.layers.0.k, values: [16, 16384]}
constraints: ["max_cycles > 70 || m == 8"]
metrics: [total_cycles]
)");
  const std::string out = d.path() + "/out";
  const auto r = run_cli("sweep " + spec + " -j 2 --timeout-s 4 --out " + out);
  INFO(r.err);
  CHECK(r.exit_code == 1);
  CHECK(summary_head(r.out) == "sweep: 3 points: 1 ok, 1 failed, 1 timed out (3 run now, 0 done before)");
  CHECK(comparable(read_text(out + "/results.csv"), true) ==
        "point,key,sim.max_cycles,workload.layers.0.m,workload.layers.0.n,workload.layers.0.k,status,total_cycles,"
        "pareto,error\n"
        "0,KEY,70,8,8,16,failed,,,exit 2: arraysim: error: layer 'g' exceeded sim.max_cycles (70)\n"
        "1,KEY,2000000000,8,8,16,ok,86,,\n"
        "2,KEY,2000000000,1024,1024,16384,timeout,,,timed out after 4 s (--timeout-s)\n");
  // A rerun keeps the recorded failures; --retry-failed runs them again.
  const auto again = run_cli("sweep " + spec + " -j 2 --timeout-s 4 --out " + out);
  CHECK(again.exit_code == 1);
  CHECK(summary_head(again.out) == "sweep: 3 points: 1 ok, 1 failed, 1 timed out (0 run now, 3 done before)");
  const auto retry = run_cli("sweep " + spec + " -j 2 --timeout-s 4 --retry-failed --out " + out);
  CHECK(retry.exit_code == 1);
  CHECK(summary_head(retry.out) == "sweep: 3 points: 1 ok, 1 failed, 1 timed out (2 run now, 1 done before)");
}

TEST_CASE("sweep bad input exits 2 with one line and writes nothing", "[system][sweep]") {
  TempDir d;
  const std::string out = d.path() + "/out";
  const auto check = [&](const std::string& spec, const std::string& args, const std::string& err) {
    write_tiny_sweep(d.path(), spec);
    const auto r = run_cli("sweep " + d.path() + "/spec.yaml --out " + out + " " + args);
    INFO(spec);
    CHECK(r.exit_code == 2);
    std::string e = r.err;
    for (std::size_t p; (p = e.find(d.path())) != std::string::npos;) e.replace(p, d.path().size(), "D");
    CHECK(e == err);
    CHECK_FALSE(fs::exists(out));
  };
  const std::string axes = "axes:\n  - {key: arch.array.rows, values: [4, 8]}\n";
  check("base: base.yaml\n" + axes + "metrics: [total_cycles, dram_read_bytes.totl]\n", "",
        "D/spec.yaml:4:25 metrics.1: unknown metric: stats.json has no 'dram_read_bytes.totl' (did you mean "
        "'dram_read_bytes.total'?) (docs/outputs.md lists the fields)\n");
  check("base: base.yaml\n" + axes + "pareto: {minimize: [total_cycles, frobs]}\n", "",
        "D/spec.yaml:4:35 pareto.minimize.1: unknown metric: stats.json has no 'frobs' (docs/outputs.md lists the "
        "fields)\n");
  check("base: base.yaml\n" + axes + "frobnicate: 1\n", "",
        "D/spec.yaml:4:1 frobnicate: unknown key; expected one of: "
        "axes, base, combine, constraints, layers, metrics, name, pareto, set\n");
  check("base: base.yaml\naxes:\n  - {key: arch.array.rows, values: []}\n", "",
        "D/spec.yaml:3:36 axes.0.values: an axis needs at least one value\n");
  check("base: base.yaml\ncombine: zip\n" + axes + "  - {key: arch.array.cols, values: [4]}\n", "",
        "D/spec.yaml:5:5 axes.1: zipped axes need equal lengths: arch.array.rows (axes.0) has 2 values, "
        "arch.array.cols has 1\n");
  check("base: base.yaml\n" + axes + "constraints: [rows =< 8]\n", "",
        "D/spec.yaml:4:20 constraints.0: unexpected character '=' (compare with '==')\n");
  check("base: nothere.yaml\n" + axes, "",
        "D/spec.yaml:1:7 base: cannot read experiment 'nothere.yaml' (D/nothere.yaml): No such file or directory\n");
  check("base: base.yaml\n" + axes, "--shard 3/3",
        "arraysim: --shard expects I/N with 0 <= I < N (e.g. 0/4 is the first of 4 slices), got '3/3'\n");
  check("base: base.yaml\n" + axes, "--emit pbs", "arraysim: --emit expects slurm or jobs, got 'pbs'\n");
  const auto no_out = run_cli("sweep " + d.path() + "/spec.yaml");
  CHECK(no_out.exit_code == 2);
  CHECK(no_out.err == "arraysim: sweep: --out DIR is required (where results.csv and the runs go)\n");
  const auto missing = run_cli("sweep " + d.path() + "/nothere.yaml --out " + out);
  CHECK(missing.exit_code == 2);
  CHECK(missing.err == d.path() + "/nothere.yaml:1:1 (file): cannot read sweep spec: No such file or directory\n");
}

TEST_CASE("sweep shard runs one slice and reads the Slurm array variables", "[system][sweep]") {
  TempDir d;
  const std::string spec = write_tiny_sweep(d.path());
  const auto s1 = run_cli("sweep " + spec + " --shard 1/3 --out " + d.path() + "/s1");
  CHECK(s1.exit_code == 0);
  CHECK(summary_head(s1.out) == "sweep: shard 1/3: 2 points: 2 ok, 0 failed, 0 timed out (2 run now, 0 done before)");
  auto rows = arraysim::sweep::parse_csv(read_text(d.path() + "/s1/results.csv"));
  REQUIRE(rows.size() == 3);
  CHECK(rows[1][0] == "1");
  CHECK(rows[2][0] == "4");
  CHECK_FALSE(fs::exists(d.path() + "/s1/plots"));  // slices leave plots to the merge
  // Inside a Slurm job array, task 2 of 3 (--array=0-2) runs slice 2/3: points 2 and 5.
  const ScopedEnv env({{"SLURM_ARRAY_TASK_ID", "2"}, {"SLURM_ARRAY_TASK_COUNT", "3"}, {"SLURM_ARRAY_TASK_MIN", "0"}});
  const auto s2 = run_cli("sweep " + spec + " --out " + d.path() + "/s2");
  CHECK(summary_head(s2.out) == "sweep: shard 2/3: 2 points: 2 ok, 0 failed, 0 timed out (2 run now, 0 done before)");
  rows = arraysim::sweep::parse_csv(read_text(d.path() + "/s2/results.csv"));
  REQUIRE(rows.size() == 3);
  CHECK(rows[1][0] == "2");
  CHECK(rows[2][0] == "5");
}

TEST_CASE("sweep refuses a second sweep writing to the same directory", "[system][sweep]") {
  TempDir d;
  const std::string spec = write_tiny_sweep(d.path());
  const std::string out = d.path() + "/out";
  fs::create_directories(out);
  const int fd = ::open((out + "/.lock").c_str(), O_RDWR | O_CREAT, 0666);
  REQUIRE(::flock(fd, LOCK_EX) == 0);  // as a running sweep holds it
  const auto r = run_cli("sweep " + spec + " --out " + out);
  ::close(fd);
  CHECK(r.exit_code == 2);
  CHECK(r.err ==
        "arraysim: another arraysim sweep is writing to '" + out + "'; wait for it to end or choose another --out\n");
  CHECK_FALSE(fs::exists(out + "/results.csv"));
}

TEST_CASE("sweep plot draws any metric against any axis and rejects unknown columns", "[system][sweep]") {
  TempDir d;
  const std::string spec = write_tiny_sweep(d.path());
  const std::string out = d.path() + "/out";
  REQUIRE(run_cli("sweep " + spec + " -j 2 --no-plot --out " + out).exit_code == 0);
  CHECK_FALSE(fs::exists(out + "/plots"));
  const auto one = run_cli("sweep plot " + out + " --x arch.array.rows --y total_cycles --by arch.array.dataflow");
  INFO(one.err);
  CHECK(one.exit_code == 0);
  const std::string base = out + "/plots/total_cycles_vs_arch_array_rows_by_arch_array_dataflow";
  CHECK(one.out == "wrote " + base + ".svg\nwrote " + base + ".png\n");
  const std::string svg = read_text(base + ".svg");
  CHECK(svg.find("arch.array.dataflow=os") != std::string::npos);  // one series per dataflow
  CHECK(svg.find("arch.array.dataflow=ws") != std::string::npos);
  CHECK(read_text(base + ".png").rfind("\x89PNG", 0) == 0);
  // Without --x/--y: the Pareto front and every metric against every axis (3 x 3).
  const auto all = run_cli("sweep plot " + out);
  CHECK(all.exit_code == 0);
  for (const char* f : {"pareto", "total_cycles_vs_arch_array_dataflow", "pe_count_vs_arch_array_cols",
                        "pe_utilization_vs_arch_array_rows"})
    CHECK(fs::exists(out + "/plots/" + f + ".svg"));
  std::size_t n = 0;
  for (const auto& e : fs::directory_iterator(out + "/plots")) n += e.path().extension() == ".svg";
  CHECK(n == 11);  // pareto + 9 + the --by plot above
  const auto bad = run_cli("sweep plot " + out + " --x rows --y total_cycles");
  CHECK(bad.exit_code == 2);
  CHECK(bad.err == "arraysim: sweep plot: --x 'rows' is not an axis or a metric of the sweep in '" + out +
                       "'; columns: arch.array.rows, arch.array.cols, arch.array.dataflow, total_cycles, "
                       "pe_utilization, pe_count\n");
  const auto half = run_cli("sweep plot " + out + " --x arch.array.rows");
  CHECK(half.exit_code == 2);
  CHECK(half.err == "arraysim: sweep plot: give --x and --y together, or none for every plot\n");
}

TEST_CASE("sweep plot takes axis keys or names, filters with --where, draws heatmaps and labels the front",
          "[system][sweep]") {
  TempDir d;
  // The tiny sweep with its rows and dataflow axes named.
  std::string spec = kSweepSpecYaml;
  auto replace = [&spec](const std::string& from, const std::string& to) {
    REQUIRE(spec.find(from) != std::string::npos);
    spec.replace(spec.find(from), from.size(), to);
  };
  replace("  - key: arch.array.rows\n", "  - key: arch.array.rows\n    name: rows\n");
  replace("  - key: arch.array.dataflow\n", "  - key: arch.array.dataflow\n    name: df\n");
  replace("dataflow == \"os\"", "df == \"os\"");
  const std::string out = d.path() + "/out";
  const auto run = run_cli("sweep " + write_tiny_sweep(d.path(), spec) + " -j 2 --no-plot --out " + out);
  INFO(run.err);
  REQUIRE(run.exit_code == 0);

  // --x by the key of an axis named rows; one series per df, each in its own colour.
  const auto by_key = run_cli("sweep plot " + out + " --x arch.array.rows --y total_cycles --by df");
  INFO(by_key.err);
  REQUIRE(by_key.exit_code == 0);
  const std::string svg = read_text(out + "/plots/total_cycles_vs_rows_by_df.svg");
  CHECK(svg.find("df=os") != std::string::npos);
  CHECK(svg.find("df=ws") != std::string::npos);
  CHECK(svg.find("rgb( 68, 119, 170)") != std::string::npos);  // #4477aa
  CHECK(svg.find("rgb(238, 102, 119)") != std::string::npos);  // #ee6677

  // --where df=ws --where rows=4 keeps points 1 (cols 4: 123 cycles) and 3 (cols 8: 79 cycles).
  const auto where =
      run_cli("sweep plot " + out + " --x arch.array.cols --y total_cycles --where df=ws --where rows=4");
  INFO(where.err);
  REQUIRE(where.exit_code == 0);
  const std::string ws = read_text(out + "/plots/total_cycles_vs_arch_array_cols_where_df_ws__rows_4.svg");
  CHECK(svg_points(ws) == 3);                              // the two points and the key's sample of the series
  CHECK(ws.find("(df=ws, rows=4)") != std::string::npos);  // the filter is in the title

  // Heatmap of OS cycles over rows × cols: 86, 50, 58, 38 (kSweepExpectedCsv).
  const auto heat = run_cli("sweep plot " + out + " --heatmap total_cycles --x rows --y arch.array.cols --where df=os");
  INFO(heat.err);
  REQUIRE(heat.exit_code == 0);
  const std::string hm = read_text(out + "/plots/heatmap_total_cycles_over_rows_and_arch_array_cols_where_df_os.svg");
  for (const char* cell : {">86<", ">50<", ">58<", ">38<"}) CHECK(hm.find(cell) != std::string::npos);
  const auto clash = run_cli("sweep plot " + out + " --heatmap total_cycles --x rows --y arch.array.cols");
  CHECK(clash.exit_code == 2);
  CHECK(clash.err ==
        "arraysim: sweep plot: several points fall into the heatmap cell rows=4, arch.array.cols=4; pin the other "
        "axes (df) with --where AXIS=VALUE\n");
  const auto bad_where = run_cli("sweep plot " + out + " --x rows --y total_cycles --where rows");
  CHECK(bad_where.exit_code == 2);
  CHECK(bad_where.err == "arraysim: sweep plot: --where expects COLUMN=VALUE, got 'rows'\n");

  // The Pareto plot coloured by df; the front's points labelled with their axis values.
  const auto pareto = run_cli("sweep plot " + out + " --by df");
  REQUIRE(pareto.exit_code == 0);
  const std::string front = read_text(out + "/plots/pareto.svg");
  for (const char* label : {"rows=4 cols=4 df=os", "rows=4 cols=8 df=os", "rows=8 cols=8 df=os"})
    CHECK(front.find(label) != std::string::npos);
  CHECK(front.find("rows=8 cols=4 df=os") == std::string::npos);  // (58, 32) is not on the front
  CHECK(front.find("df=ws") != std::string::npos);                // the ws points' key entry
}

TEST_CASE("sweep --emit slurm writes each --sbatch-option into the job file", "[system][sweep]") {
  TempDir d;
  const std::string out = d.path() + "/out";
  const auto r = run_cli("sweep " + write_tiny_sweep(d.path()) + " --out " + out +
                         " --emit slurm --shards 2 --sbatch-option --partition=gpu --sbatch-option '--time=02:00:00'"
                         " --sbatch-option=--account=proj --sbatch-option --mem=4G");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const std::string job = read_text(out + "/sweep.sbatch");
  CHECK(job.find("/%A_%a.out\n#SBATCH --partition=gpu\n#SBATCH --time=02:00:00\n#SBATCH --account=proj\n"
                 "#SBATCH --mem=4G\nset -euo pipefail\n") != std::string::npos);
  const auto bad =
      run_cli("sweep " + write_tiny_sweep(d.path()) + " --out " + out + " --emit slurm --sbatch-option gpu");
  CHECK(bad.exit_code == 2);
  CHECK(bad.err == "arraysim: --sbatch-option expects one sbatch option such as --partition=gpu, got 'gpu'\n");
  const auto jobs =
      run_cli("sweep " + write_tiny_sweep(d.path()) + " --out " + out + " --emit jobs --sbatch-option --mem=1G");
  CHECK(jobs.exit_code == 2);
  CHECK(jobs.err == "arraysim: --sbatch-option only applies to --emit slurm\n");
}

TEST_CASE("sweep appears in the command line help", "[system][sweep]") {
  const auto h = run_cli("--help");
  CHECK(h.out.find("sweep") != std::string::npos);
  const auto s = run_cli("sweep --help");
  CHECK(s.exit_code == 0);
  for (const char* opt : {"--jobs", "--out", "--timeout-s", "--shard", "--emit", "--retry-failed", "merge", "plot"}) {
    INFO(opt);
    CHECK(s.out.find(opt) != std::string::npos);
  }
}
