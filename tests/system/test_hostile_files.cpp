/// Hostile files and environments (issue 14), end to end through the real binary: inputs that are
/// named pipes or devices, outputs that are devices, inputs, links or full, a failing output
/// after a run, stale outputs of an earlier run. Every command that would wait on a pipe runs
/// under `timeout 20`, so a regression fails (exit 124) instead of hanging the suite.
#include <catch2/catch.hpp>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "tests/support.hpp"

namespace fs = std::filesystem;
using arraysim::test::CliResult;
using arraysim::test::read_text;
using arraysim::test::run_cli;
using arraysim::test::src_path;
using arraysim::test::TempDir;
using arraysim::test::write_text;

namespace {

std::string fifo(const std::string& path) {
  REQUIRE(::mkfifo(path.c_str(), 0600) == 0);
  return path;
}

/// `arraysim ARGS` that gives up after 20 s (exit 124) rather than hang.
CliResult run_bounded(const std::string& args) {
  return arraysim::test::run_shell("timeout 20 " + std::string(ARRAYSIM_BINARY) + " " + args);
}

const std::string kCfg = src_path("tests/data/scalesim/c32_sram16_bw2.cfg");
const std::string kTopology = src_path("tests/data/scalesim/layers_gemm.csv");
const std::string kArch = src_path("configs/arch/os_8x8_int8.yaml");
const std::string kQuick = src_path("configs/experiments/quickstart.yaml");

bool is_char_device(const std::string& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0 && S_ISCHR(st.st_mode);
}

}  // namespace

TEST_CASE("hostile inputs: a named pipe anywhere an input is read is refused at once", "[system][hostile]") {
  TempDir d;
  const std::string p = fifo(d.path() + "/pipe");
  const std::string why = "is a named pipe (FIFO), not a regular file";
  SECTION("the experiment") {
    const CliResult r = run_bounded("check " + p);
    CHECK(r.exit_code == 2);
    CHECK(r.err == p + ":1:1 (file): cannot read experiment: " + why + "\n");
  }
  SECTION("an arch path, and a workload given with --set") {
    write_text(d.path() + "/exp.yaml", "arch: pipe\nworkload: pipe\n");
    const CliResult r = run_bounded("check " + d.path() + "/exp.yaml --set workload=pipe");
    CHECK(r.exit_code == 2);
    CHECK(r.err == d.path() + "/exp.yaml:1:7 arch: cannot read '" + p + "': " + why +
                       "\n<--set>:1:1 workload: cannot read '" + p + "': " + why + "\n");
  }
  SECTION("a SCALE-Sim topology") {
    const CliResult r = run_bounded("import scalesim --cfg " + kCfg + " --topology " + p + " --gemm -o -");
    CHECK(r.exit_code == 2);
    CHECK(r.err == p + ":1:1 (file): cannot read SCALE-Sim topology: " + why + "\n");
  }
  SECTION("an ONNX model, and /dev/zero as one") {
    CliResult r = run_bounded("run --model " + p + " --arch " + kArch);
    CHECK(r.exit_code == 2);
    CHECK(r.err == p + ": " + why + "\n");
    r = run_bounded("import onnx --model /dev/zero --arch " + kArch + " -o -");
    CHECK(r.exit_code == 2);
    CHECK(r.err == "/dev/zero: is a character device, not a regular file\n");
  }
  SECTION("a sweep's base experiment") {
    write_text(d.path() + "/spec.yaml", "base: pipe\naxes:\n  - {key: arch.array.rows, values: [4]}\n");
    const CliResult r = run_bounded("sweep " + d.path() + "/spec.yaml --out " + d.path() + "/out");
    CHECK(r.exit_code == 2);
    CHECK(r.err == d.path() + "/spec.yaml:1:7 base: cannot read experiment 'pipe' (" + p + "): " + why + "\n");
    CHECK_FALSE(fs::exists(d.path() + "/out"));
  }
  SECTION("a run directory's stats.json") {
    fs::create_directory(d.path() + "/run");
    fifo(d.path() + "/run/stats.json");
    const CliResult r = run_bounded("report " + d.path() + "/run");
    CHECK(r.exit_code == 2);
    CHECK(r.err == "arraysim: error: " + d.path() + "/run/stats.json: cannot read (" + why + ")\n");
  }
}

TEST_CASE("hostile outputs: devices and inputs are never replaced, links are written through", "[system][hostile]") {
  TempDir d;
  SECTION("import -o /dev/null and --timeline /dev/null leave /dev/null a device") {
    CliResult r = run_cli("import scalesim --cfg " + kCfg + " --topology " + kTopology + " --gemm -o /dev/null");
    CHECK(r.exit_code == 2);
    CHECK(r.err ==
          "arraysim: error: cannot write '/dev/null': it is a character device, not a regular file; outputs go to "
          "regular files or new paths\n");
    r = run_cli("run --no-plots --timeline /dev/null");
    CHECK(r.exit_code == 2);
    CHECK(r.out.empty());  // refused before simulating
    CHECK(is_char_device("/dev/null"));
  }
  SECTION("--timeline onto the experiment, import -o onto its topology") {
    // A copy of configs/ (the experiment names its arch and workload by relative paths).
    fs::copy(src_path("configs"), d.path() + "/configs", fs::copy_options::recursive);
    const std::string exp = d.path() + "/configs/experiments/quickstart.yaml";
    const std::string arch = d.path() + "/configs/arch/os_8x8_int8.yaml";
    CliResult r = run_cli("run " + exp + " --timeline " + exp);
    CHECK(r.exit_code == 2);
    CHECK(r.err == "arraysim: error: cannot write '" + exp + "': it is an input of this run ('" + exp +
                       "'); choose another output path\n");
    // A file the experiment refers to, under another name.
    r = run_cli("run " + exp + " --no-plots --out " + d.path() + "/o --timeline " + d.path() +
                "/configs/experiments/../arch/os_8x8_int8.yaml");
    CHECK(r.exit_code == 2);
    CHECK(r.err == "arraysim: error: cannot write '" + d.path() +
                       "/configs/experiments/../arch/os_8x8_int8.yaml': it is an input of this run ('" + arch +
                       "'); choose another output path\n");
    CHECK(read_text(exp) == read_text(kQuick));
    CHECK(read_text(arch) == read_text(kArch));
    const std::string topo = write_text(d.path() + "/t.csv", read_text(kTopology));
    r = run_cli("import scalesim --cfg " + kCfg + " --topology " + topo + " --gemm -o " + topo);
    CHECK(r.exit_code == 2);
    CHECK(r.err == "arraysim: error: cannot write '" + topo + "': it is an input of this run ('" + topo +
                       "'); choose another output path\n");
    CHECK(read_text(topo) == read_text(kTopology));
  }
  SECTION("a symbolic link is written through") {
    write_text(d.path() + "/real.yaml", "old\n");
    fs::create_symlink("real.yaml", d.path() + "/link.yaml");
    const CliResult r =
        run_cli("import scalesim --cfg " + kCfg + " --topology " + kTopology + " --gemm -o " + d.path() + "/link.yaml");
    CHECK(r.exit_code == 0);
    CHECK(fs::is_symlink(d.path() + "/link.yaml"));
    CHECK(read_text(d.path() + "/real.yaml").rfind("# arraysim experiment imported from SCALE-Sim", 0) == 0);
  }
  SECTION("a full standard output is an error") {
    // The group's output goes to the captured files; the command's own stdout to /dev/full.
    const CliResult r = arraysim::test::run_shell("{ " + std::string(ARRAYSIM_BINARY) + " import scalesim --cfg " +
                                                  kCfg + " --topology " + kTopology + " --gemm -o - >/dev/full; }");
    CHECK(r.exit_code == 2);
    CHECK(r.err == "arraysim: error: cannot write to standard output: No space left on device\n");
  }
}

TEST_CASE("hostile outputs: a failed output removes the run directory the run created", "[system][hostile]") {
  TempDir d;
  write_text(d.path() + "/file", "x\n");  // --timeline file/t.json cannot be created: 'file' is not a directory
  const CliResult r = run_cli("run --no-plots --out " + d.path() + "/out --timeline " + d.path() + "/file/t.json");
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("cannot create") != std::string::npos);
  CHECK_FALSE(fs::exists(d.path() + "/out"));
  // An --out directory that existed keeps what was there besides the run's files.
  fs::create_directory(d.path() + "/keep");
  write_text(d.path() + "/keep/notes.txt", "mine\n");
  write_text(d.path() + "/keep/stats.json", "{}\n");
  const CliResult r2 = run_cli("run --no-plots --out " + d.path() + "/keep --timeline " + d.path() + "/file/t.json");
  CHECK(r2.exit_code == 2);
  CHECK(read_text(d.path() + "/keep/notes.txt") == "mine\n");
  CHECK_FALSE(fs::exists(d.path() + "/keep/stats.json"));
  CHECK_FALSE(fs::exists(d.path() + "/keep/summary.txt"));
}

TEST_CASE("hostile outputs: a rerun into an --out directory removes the earlier run's stale outputs",
          "[system][hostile]") {
  TempDir d;
  const std::string out = d.path() + "/out";
  fs::create_directory(out);
  // What an earlier run with plots, a timeline and traces left.
  for (const char* f : {"roofline.svg", "roofline.png", "utilization.svg", "timeline.json"})
    write_text(out + "/" + f, "old");
  fs::create_directories(out + "/traces/conv3x3");
  write_text(out + "/traces/conv3x3/dram.csv", "old");
  const CliResult r = run_cli("run --no-plots --out " + out);
  REQUIRE(r.exit_code == 0);
  for (const char* f : {"roofline.svg", "roofline.png", "utilization.svg", "traces"})
    CHECK_FALSE(fs::exists(out + "/" + f));
  CHECK(fs::exists(out + "/stats.json"));
  // The run records a timeline whenever it writes --out: timeline.json is this run's, not the old one.
  CHECK(read_text(out + "/timeline.json") != "old");
}

TEST_CASE("hostile inputs: names that are not UTF-8 are refused where they are read", "[system][hostile]") {
  // Issue 14: they passed check and import and failed late in the JSON writer, naming no file.
  TempDir d;
  const std::string topo = write_text(d.path() + "/t.csv", "Layer, M, N, K,\ngood, 4, 4, 4,\nbad\xff, 4, 4, 4,\n");
  const CliResult r = run_cli("import scalesim --cfg " + kCfg + " --topology " + topo + " --gemm -o -");
  CHECK(r.exit_code == 2);
  // The byte after "bad" on line 3: column 4.
  CHECK(r.err == topo + ":3:4 (file): not valid UTF-8 (byte 0xff); arraysim reads SCALE-Sim files encoded as UTF-8\n");
  CHECK(r.out.empty());
  const CliResult s = run_cli("check builtin --set \"$(printf 'name=x\\377')\"");
  CHECK(s.exit_code == 2);
  CHECK(s.err == "<--set>:1:1 name: not valid UTF-8 (byte 0xff at character 7 of the override)\n");
}
