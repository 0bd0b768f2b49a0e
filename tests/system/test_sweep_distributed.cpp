/// Sweeps beyond one process: slices run by GNU parallel and by a Slurm job array, then merged;
/// the merged results equal a local run's (docs/sweeps.md "Sharding, Slurm and GNU parallel").
#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "tests/support.hpp"
#include "tests/system/test_sweep_support.hpp"

using namespace arraysim::test;
namespace fs = std::filesystem;

namespace {

/// Runs a shell command; returns its exit code and leaves its output in `log`.
int shell(const std::string& cmd, const std::string& log) {
  const int status = std::system((cmd + " >" + log + " 2>&1").c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/// The local run every distributed run must equal (without wall_s and run_dir).
std::string local_results(const std::string& spec, const std::string& out) {
  const auto r = run_cli("sweep " + spec + " -j 2 --no-plot --out " + out);
  REQUIRE(r.exit_code == 0);
  return comparable(read_text(out + "/results.csv"));
}

}  // namespace

TEST_CASE("sweep through GNU parallel merges to the local results", "[system][sweep]") {
  TempDir d;
  const std::string spec = write_tiny_sweep(d.path());
  const std::string expected = local_results(spec, d.path() + "/local");

  const std::string out = d.path() + "/dist";
  const auto e = run_cli("sweep " + spec + " --emit jobs --shards 3 --out " + out);
  INFO(e.err);
  REQUIRE(e.exit_code == 0);
  CHECK(e.out.rfind("wrote " + out + "/jobs.txt (3 shard commands over 7 points)\n", 0) == 0);
  const std::string jobs = read_text(out + "/jobs.txt");
  CHECK(jobs == std::string(ARRAYSIM_BINARY) + " sweep " + spec + " --shard 0/3 --out " + out + "/shards/0 -j 1\n" +
                    ARRAYSIM_BINARY + " sweep " + spec + " --shard 1/3 --out " + out + "/shards/1 -j 1\n" +
                    ARRAYSIM_BINARY + " sweep " + spec + " --shard 2/3 --out " + out + "/shards/2 -j 1\n");
  // GNU parallel is the engine: one job per slice, two at a time.
  const int rc = shell("parallel --will-cite -j 2 < " + out + "/jobs.txt", d.path() + "/parallel.log");
  INFO(read_text(d.path() + "/parallel.log"));
  REQUIRE(rc == 0);
  const auto m = run_cli("sweep merge " + out + "/shards/0 " + out + "/shards/1 " + out + "/shards/2 --out " + out);
  INFO(m.err);
  CHECK(m.exit_code == 0);
  CHECK(m.out.find("sweep merge: 3 directories: 7 of 7 points (7 ok, 0 failed, 0 timed out); results: " + out +
                   "/results.csv\n") != std::string::npos);
  CHECK(comparable(read_text(out + "/results.csv")) == expected);
  CHECK(comparable(read_text(out + "/results.csv"), true) == kSweepExpectedCsv);
  // Run directories stay in the slices; the merged rows point at them.
  const auto rows = arraysim::sweep::parse_csv(read_text(out + "/results.csv"));
  CHECK(rows[3][0] == "2");
  CHECK(rows[3][11] == "shards/2/runs/" + rows[3][1]);  // point 2 is in slice 2 % 3
  CHECK(fs::exists(out + "/" + rows[3][11] + "/stats.json"));
  CHECK(fs::exists(out + "/plots/pareto.svg"));
  // The merged directory is a sweep output: a local rerun into it finds every point done.
  const auto again = run_cli("sweep " + spec + " --no-plot --out " + out);
  CHECK(again.out.find("(0 run now, 7 done before)") != std::string::npos);
}

TEST_CASE("sweep merge reports missing points and refuses other sweeps", "[system][sweep]") {
  TempDir d;
  const std::string spec = write_tiny_sweep(d.path());
  for (int i = 0; i < 2; ++i)
    REQUIRE(
        run_cli("sweep " + spec + " --shard " + std::to_string(i) + "/3 --out " + d.path() + "/s" + std::to_string(i))
            .exit_code == 0);
  const auto partial =
      run_cli("sweep merge " + d.path() + "/s0 " + d.path() + "/s1 --no-plot --out " + d.path() + "/m");
  CHECK(partial.exit_code == 1);
  CHECK(partial.out ==
        "sweep merge: 2 directories: 5 of 7 points (5 ok, 0 failed, 0 timed out); 2 missing (points "
        "2, 5): run their shards again; results: " +
            d.path() + "/m/results.csv\n");
  CHECK(arraysim::sweep::parse_csv(read_text(d.path() + "/m/results.csv")).size() == 6);
  // A local run into the merged directory fills in exactly the missing points.
  const auto fill = run_cli("sweep " + spec + " --no-plot --out " + d.path() + "/m");
  CHECK(fill.out.find("(2 run now, 5 done before)") != std::string::npos);
  CHECK(comparable(read_text(d.path() + "/m/results.csv"), true) == kSweepExpectedCsv);

  // Another spec (one more metric) is another sweep.
  std::string other = kSweepSpecYaml;
  other.replace(other.find("pe_count]"), 9, "pe_count, macs]");
  write_text(d.path() + "/other.yaml", other);
  REQUIRE(run_cli("sweep " + d.path() + "/other.yaml --shard 2/3 --out " + d.path() + "/o2").exit_code == 0);
  const auto mixed = run_cli("sweep merge " + d.path() + "/s0 " + d.path() + "/o2 --out " + d.path() + "/x");
  CHECK(mixed.exit_code == 2);
  CHECK(mixed.err == "arraysim: '" + d.path() + "/o2' holds another sweep than '" + d.path() +
                         "/s0' (different sweep_id in sweep.json: the spec, the base experiment or the arraysim "
                         "version differ)\n");
  const auto not_sweep = run_cli("sweep merge " + d.path() + " --out " + d.path() + "/x");
  CHECK(not_sweep.exit_code == 2);
  CHECK(not_sweep.err == "arraysim: '" + d.path() + "' is not a sweep output directory (no sweep.json)\n");
  CHECK_FALSE(fs::exists(d.path() + "/x"));
}

TEST_CASE("sweep through a Slurm job array merges to the local results", "[system][sweep][slurm]") {
  // Needs a reachable Slurm cluster (sbatch, sinfo). ARRAYSIM_SLURM_LOCAL may name a script whose
  // `start` brings one up and prints `export SLURM_CONF=...` (e.g. a one-node cluster on this
  // machine); otherwise the test is skipped.
  TempDir d;
  if (shell("command -v sbatch && command -v sinfo", d.path() + "/which.log") != 0) {
    std::cout << "ARRAYSIM_SLURM_TEST_SKIPPED: sbatch or sinfo not installed (Debian package slurm-client)\n";
    return;
  }
  if (shell("sinfo -h -o %t", d.path() + "/sinfo.log") != 0) {
    const char* starter = std::getenv("ARRAYSIM_SLURM_LOCAL");
    if (starter && shell(std::string("bash ") + starter + " start", d.path() + "/start.log") == 0) {
      const std::string log = read_text(d.path() + "/start.log");
      const auto p = log.find("export SLURM_CONF=");
      if (p != std::string::npos) ::setenv("SLURM_CONF", log.substr(p + 18, log.find('\n', p) - p - 18).c_str(), 1);
    }
    if (shell("sinfo -h -o %t", d.path() + "/sinfo.log") != 0) {
      std::cout << "ARRAYSIM_SLURM_TEST_SKIPPED: no Slurm controller answers sinfo ("
                << read_text(d.path() + "/sinfo.log") << ")\n";
      return;
    }
  }
  const std::string spec = write_tiny_sweep(d.path());
  const std::string expected = local_results(spec, d.path() + "/local");
  const std::string out = d.path() + "/slurm";
  // --sbatch-option lines reach sbatch: the cluster's default partition, a time limit, and an
  // --output of our own, which replaces arraysim's (sbatch takes the last of a repeated option).
  REQUIRE(shell("sinfo -h -o %P", d.path() + "/partition.log") == 0);
  std::string partition = read_text(d.path() + "/partition.log");
  partition = partition.substr(0, partition.find_first_of("*\n"));
  const auto e =
      run_cli("sweep " + spec + " --emit slurm --shards 3 --out " + out + " --sbatch-option --partition=" + partition +
              " --sbatch-option --time=10 --sbatch-option --output=" + d.path() + "/custom-%a.log");
  INFO(e.err);
  REQUIRE(e.exit_code == 0);
  CHECK(e.out.rfind("wrote " + out + "/sweep.sbatch (Slurm job array of 3 tasks over 7 points)\n", 0) == 0);
  // --wait: sbatch returns when every array task has ended, with the array's exit code.
  const int rc = shell("sbatch --wait " + out + "/sweep.sbatch", d.path() + "/sbatch.log");
  std::string logs = read_text(d.path() + "/sbatch.log");
  for (int i = 0; i < 3; ++i) logs += read_text(d.path() + "/custom-" + std::to_string(i) + ".log");
  INFO(logs);
  REQUIRE(rc == 0);
  for (int i = 0; i < 3; ++i) CHECK(fs::exists(d.path() + "/custom-" + std::to_string(i) + ".log"));
  const auto m = run_cli("sweep merge " + out + "/shards/0 " + out + "/shards/1 " + out + "/shards/2 --out " + out);
  CHECK(m.exit_code == 0);
  CHECK(comparable(read_text(out + "/results.csv")) == expected);
  // Each task found its slice from SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT.
  for (int i = 0; i < 3; ++i) {
    const auto manifest = nlohmann::json::parse(read_text(out + "/shards/" + std::to_string(i) + "/sweep.json"));
    CHECK(manifest["shard"]["index"] == i);
    CHECK(manifest["shard"]["count"] == 3);
  }
}
