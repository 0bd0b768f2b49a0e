/// Sweeps under faults (issue 14): a point's process killed by a signal, a full disk (simulated
/// with util::set_write_fault), damaged records and results.csv, another spec's directory, and
/// numeric options that are not numbers. Each is detected, reported, and the sweep resumes to the
/// results of a clean run (kSweepExpectedCsv, derived in test_sweep_support.hpp).
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <cerrno>
#include <filesystem>
#include <iostream>
#include <sstream>

#include "sim/sweep/sweep.hpp"
#include "sim/util/write_atomically.hpp"
#include "tests/support.hpp"
#include "tests/system/test_sweep_support.hpp"

using namespace arraysim;
using namespace arraysim::test;
namespace fs = std::filesystem;

namespace {

/// Options of a sweep of `spec` into `out` run by the executable `exe`.
sweep::SweepOptions options(const std::string& spec, const std::string& out, const std::string& exe = ARRAYSIM_BINARY) {
  sweep::SweepOptions o;
  o.spec_file = spec;
  o.out_dir = out;
  o.jobs = 2;
  o.plot = false;
  o.exe = exe;
  o.version = "test";
  return o;
}

/// Runs a sweep in this process with its stdout and stderr captured; returns the exit code.
int run_captured(const sweep::SweepOptions& o, std::string* err = nullptr) {
  std::ostringstream cerr_text;
  std::streambuf* const old_err = std::cerr.rdbuf(cerr_text.rdbuf());
  std::ostringstream cout_text;
  std::streambuf* const old_out = std::cout.rdbuf(cout_text.rdbuf());
  int rc = -1;
  try {
    rc = sweep::run_sweep(o);
  } catch (...) {
    std::cerr.rdbuf(old_err);
    std::cout.rdbuf(old_out);
    if (err) *err = cerr_text.str();
    throw;
  }
  std::cerr.rdbuf(old_err);
  std::cout.rdbuf(old_out);
  if (err) *err = cerr_text.str();
  return rc;
}

}  // namespace

TEST_CASE("sweep faults: a point killed by a signal is recorded as failed and reruns with --retry-failed",
          "[system][sweep][hostile]") {
  TempDir d;
  const std::string spec = write_tiny_sweep(d.path());
  // Point 3 (rows 4, cols 8, ws) dies by SIGKILL; the others run arraysim.
  const std::string wrapper = d.path() + "/killer.sh";
  write_text(wrapper, "#!/bin/sh\ncase \"$*\" in *arch.array.cols=8*arch.array.dataflow=ws*) kill -9 $$;; esac\nexec " +
                          std::string(ARRAYSIM_BINARY) + " \"$@\"\n");
  ::chmod(wrapper.c_str(), 0755);
  const std::string out = d.path() + "/out";
  CHECK(run_captured(options(spec, out, wrapper)) == 1);
  const auto rows = sweep::parse_csv(read_text(out + "/results.csv"));
  REQUIRE(rows.size() == 8);
  CHECK(rows[4][5] == "failed");
  CHECK(rows[4].back() == "killed by signal 9 (Killed)");
  sweep::SweepOptions retry = options(spec, out);
  retry.retry_failed = true;
  CHECK(run_captured(retry) == 0);
  CHECK(comparable(read_text(out + "/results.csv"), true) == kSweepExpectedCsv);
}

TEST_CASE("sweep faults: a full disk stops the sweep with a resumable error and loses no finished point",
          "[system][sweep][hostile]") {
  TempDir d;
  const std::string spec = write_tiny_sweep(d.path());
  const std::string out = d.path() + "/out";
  // The disk fills after three point records: the fourth record cannot be written.
  int records = 0;
  util::set_write_fault([&records](const std::string& target) {
    return target.find("/points/") != std::string::npos && ++records > 3 ? ENOSPC : 0;
  });
  std::string message;
  try {
    run_captured(options(spec, out));
  } catch (const std::runtime_error& e) {
    message = e.what();
  }
  util::set_write_fault({});
  CHECK(message.find("': No space left on device; the sweep stopped: make room and run the same command again to "
                     "resume it (finished points are kept)") != std::string::npos);
  // Three records were written; results.csv shows no point without one (it may lag behind them
  // when two points ended together).
  CHECK(std::distance(fs::directory_iterator(out + "/points"), fs::directory_iterator{}) == 3);
  const auto rows = sweep::parse_csv(read_text(out + "/results.csv"));
  CHECK(rows.size() <= 4);
  for (std::size_t i = 1; i < rows.size(); ++i) CHECK(fs::exists(out + "/points/" + rows[i][1] + ".json"));
  CHECK(run_captured(options(spec, out)) == 0);
  CHECK(comparable(read_text(out + "/results.csv"), true) == kSweepExpectedCsv);
}

TEST_CASE("sweep faults: damaged records and results.csv are reported and the sweep resumes",
          "[system][sweep][hostile]") {
  TempDir d;
  const std::string spec = write_tiny_sweep(d.path());
  const std::string out = d.path() + "/out";
  REQUIRE(run_captured(options(spec, out)) == 0);
  // Damage one record (truncated) and results.csv (a row cut short).
  std::string damaged;
  for (const auto& e : fs::directory_iterator(out + "/points")) {
    damaged = e.path().string();
    break;
  }
  const std::string record = read_text(damaged);
  write_text(damaged, record.substr(0, record.size() / 2));
  const std::string csv = read_text(out + "/results.csv");
  write_text(out + "/results.csv", csv.substr(0, csv.size() - 20));
  std::string err;
  CHECK(run_captured(options(spec, out), &err) == 0);
  CHECK(err.find("arraysim: sweep: warning: " + damaged + " is damaged (not JSON: ") != std::string::npos);
  CHECK(err.find("runs again\n") != std::string::npos);
  CHECK(err.find("arraysim: sweep: warning: " + out + "/results.csv was damaged (row 8: ") != std::string::npos);
  CHECK(comparable(read_text(out + "/results.csv"), true) == kSweepExpectedCsv);
}

TEST_CASE("sweep faults: a directory of another spec is refused unless --force", "[system][sweep][hostile]") {
  TempDir d;
  const std::string spec = write_tiny_sweep(d.path());
  const std::string out = d.path() + "/out";
  REQUIRE(run_captured(options(spec, out)) == 0);
  const std::string before = read_text(out + "/results.csv");
  write_text(d.path() + "/other.yaml", "base: base.yaml\naxes:\n  - {key: arch.array.rows, values: [4]}\n");
  const std::string other = d.path() + "/other.yaml";
  CHECK_THROWS_WITH(run_captured(options(other, out)),
                    "'" + out + "' holds the sweep of another spec (" + spec + ", not " + other +
                        "); choose another --out, or add --force to run this spec there (its results.csv is replaced; "
                        "point records are kept and reused where configurations agree)");
  CHECK(read_text(out + "/results.csv") == before);
  sweep::SweepOptions forced = options(other, out);
  forced.force = true;
  CHECK(run_captured(forced) == 0);
  CHECK(sweep::parse_csv(read_text(out + "/results.csv")).size() == 2);  // the header and one point
  // A damaged sweep.json is refused too.
  write_text(out + "/sweep.json", "{\"spec\": ");
  try {
    run_captured(options(other, out));
    FAIL("no error");
  } catch (const sweep::SweepInputError& e) {
    CHECK(std::string(e.what()).find("'" + out + "/sweep.json' is damaged (") == 0);
  }
}

TEST_CASE("sweep faults: --timeout-s must be a finite positive number", "[system][sweep][hostile]") {
  TempDir d;
  const std::string spec = write_tiny_sweep(d.path());
  for (const char* bad : {"nan", "inf", "-1", "0", "1s"}) {
    const CliResult r = run_cli("sweep " + spec + " --out " + d.path() + "/o --timeout-s " + bad);
    INFO(bad);
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("--timeout-s: expected a positive number of seconds, got '" + std::string(bad) + "'") !=
          std::string::npos);
    CHECK_FALSE(fs::exists(d.path() + "/o"));
  }
}
