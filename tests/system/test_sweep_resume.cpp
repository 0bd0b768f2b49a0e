/// A sweep killed with SIGKILL at any moment and run again ends with every point exactly once:
/// no lost rows, no duplicates, no half-written rows, and no simulation left running.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <set>
#include <thread>

#include "tests/support.hpp"
#include "tests/system/test_sweep_support.hpp"

using namespace arraysim::test;
namespace fs = std::filesystem;

namespace {

/// 2 x 3 x 2 = 12 points in values fidelity, each a GEMM of 64 x 64 x K on a small array: long
/// enough (a tenth of a second or more each) that kills land before, between and during points.
const char* const kSlowSpec = R"(base: base.yaml
set: {sim.fidelity: values, workload.layers.0.m: 64, workload.layers.0.n: 64}
axes:
  - {key: arch.array.rows, values: [2, 4]}
  - {key: arch.array.cols, values: [2, 4, 8]}
  - {key: workload.layers.0.k, values: [1024, 2048]}
metrics: [total_cycles, pe_utilization]
)";

/// Starts `arraysim sweep SPEC -j 2 --no-plot --out OUT` in the background.
pid_t start_sweep(const std::string& spec, const std::string& out) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int null = ::open("/dev/null", O_WRONLY);
    ::dup2(null, 1);
    ::dup2(null, 2);
    ::execl(ARRAYSIM_BINARY, ARRAYSIM_BINARY, "sweep", spec.c_str(), "-j", "2", "--no-plot", "--out", out.c_str(),
            static_cast<char*>(nullptr));
    ::_exit(127);
  }
  return pid;
}

/// Data rows of OUT/results.csv (0 when absent).
std::size_t rows_of(const std::string& out) {
  const std::string csv = read_text(out + "/results.csv");
  const auto rows = arraysim::sweep::parse_csv(csv);
  return rows.empty() ? 0 : rows.size() - 1;
}

/// Processes whose command line mentions `needle` (other than this one).
std::size_t processes_mentioning(const std::string& needle) {
  std::size_t n = 0;
  for (const auto& e : fs::directory_iterator("/proc")) {
    const std::string name = e.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos || name == std::to_string(::getpid())) continue;
    std::string cmd = read_text(e.path().string() + "/cmdline");
    for (char& c : cmd)
      if (c == '\0') c = ' ';
    if (cmd.find(needle) != std::string::npos && cmd.find(" run ") != std::string::npos) ++n;
  }
  return n;
}

/// Checks that results.csv as a killed sweep left it is whole: a header, complete rows, each
/// point at most once, and a record for every row.
void check_whole(const std::string& out) {
  const std::string csv = read_text(out + "/results.csv");
  if (csv.empty()) return;  // killed before the first results.csv
  CHECK(csv.back() == '\n');
  const auto rows = arraysim::sweep::parse_csv(csv);
  REQUIRE_FALSE(rows.empty());
  std::set<std::string> points;
  for (std::size_t i = 1; i < rows.size(); ++i) {
    CHECK(rows[i].size() == rows[0].size());
    CHECK(points.insert(rows[i][0]).second);
    CHECK(rows[i][5] == "ok");
    CHECK(fs::exists(out + "/points/" + rows[i][1] + ".json"));
  }
}

}  // namespace

TEST_CASE("sweep killed with SIGKILL at any moment resumes to every point exactly once", "[system][sweep]") {
  TempDir d;
  const std::string spec = write_tiny_sweep(d.path(), kSlowSpec);
  const std::string clean = d.path() + "/clean", out = d.path() + "/killed";
  const auto c = run_cli("sweep " + spec + " -j 2 --no-plot --out " + clean);
  REQUIRE(c.exit_code == 0);
  const std::string expected = comparable(read_text(clean + "/results.csv"));
  REQUIRE(rows_of(clean) == 12);

  // Kill moments: at once, while planning, after fixed delays, and right after or a little after
  // this attempt's first, second, ... new row (while the next points simulate).
  using namespace std::chrono;
  struct Moment {
    double delay_s;
    std::size_t new_rows;
  };
  const Moment moments[] = {{0, 0}, {0.02, 0}, {0.15, 0}, {0, 1}, {0.05, 1}, {0, 2}, {0.2, 1}, {0, 1}};
  std::size_t last_rows = 0;
  for (const Moment& m : moments) {
    const std::size_t before = rows_of(out);
    const pid_t pid = start_sweep(spec, out);
    const auto t0 = steady_clock::now();
    int status = 0;
    bool ended = false;
    // Wait for the rows, then the delay; a sweep that finishes first is simply done.
    while (rows_of(out) < before + m.new_rows && !(ended = ::waitpid(pid, &status, WNOHANG) == pid) &&
           steady_clock::now() - t0 < seconds(60))
      std::this_thread::sleep_for(milliseconds(2));
    if (!ended) std::this_thread::sleep_for(duration<double>(m.delay_s));
    if (!ended) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
    }
    INFO("kill " << m.delay_s << " s after " << m.new_rows << " new rows");
    check_whole(out);
    const std::size_t now = rows_of(out);
    CHECK(now >= last_rows);  // finished points stay finished
    last_rows = now;
    // The killed sweep's `arraysim run` children die with it (PR_SET_PDEATHSIG).
    const auto t1 = steady_clock::now();
    while (processes_mentioning(out + "/runs/") > 0 && steady_clock::now() - t1 < seconds(5))
      std::this_thread::sleep_for(milliseconds(10));
    CHECK(processes_mentioning(out + "/runs/") == 0);
  }
  const auto fin = run_cli("sweep " + spec + " -j 2 --no-plot --out " + out);
  CHECK(fin.exit_code == 0);
  CHECK(comparable(read_text(out + "/results.csv")) == expected);
  check_whole(out);
  std::size_t records = 0, temporaries = 0;
  for (const auto& e : fs::directory_iterator(out + "/points")) {
    ++records;
    temporaries += e.path().filename().string()[0] == '.';
  }
  CHECK(records == 12);
  CHECK(temporaries == 0);
}
