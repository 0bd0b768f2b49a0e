/// sim/util: reading whole files, atomic writes, child processes, the progress line.
#include <catch2/catch.hpp>
#include <signal.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include "sim/util/process.hpp"
#include "sim/util/progress_line.hpp"
#include "sim/util/read_file.hpp"
#include "sim/util/write_atomically.hpp"
#include "tests/support.hpp"

using namespace arraysim;
using arraysim::test::read_text;
using arraysim::test::TempDir;
namespace fs = std::filesystem;

namespace {
/// Writes `bytes` to `path` as they are.
void put(const std::string& path, const std::string& bytes) { std::ofstream(path, std::ios::binary) << bytes; }

/// The FileReadError read_file(path, max_bytes) throws; nullopt when it reads the file.
std::optional<util::FileReadError> read_error(const std::string& path, std::size_t max_bytes = util::kNoSizeLimit) {
  try {
    util::read_file(path, max_bytes);
  } catch (const util::FileReadError& e) {
    return e;
  }
  return std::nullopt;
}
}  // namespace

TEST_CASE("util read_file returns the bytes unchanged, binary included", "[unit][util]") {
  TempDir d;
  const std::string bytes = std::string("a\r\nb\0c\xff", 7) + std::string(200000, 'x');  // several 64 KiB blocks
  put(d.path() + "/f.bin", bytes);
  CHECK(util::read_file(d.path() + "/f.bin") == bytes);
  put(d.path() + "/empty", "");
  CHECK(util::read_file(d.path() + "/empty").empty());
  // Exactly at the limit is fine; one byte more is not.
  put(d.path() + "/mib", std::string(std::size_t{1} << 20, 'y'));
  CHECK(util::read_file(d.path() + "/mib", std::size_t{1} << 20).size() == std::size_t{1} << 20);
}

TEST_CASE("util read_file names the file and the reason it cannot be read", "[unit][util]") {
  TempDir d;
  const std::string missing = d.path() + "/missing.yaml";
  const auto m = read_error(missing);
  REQUIRE(m);
  CHECK(std::string(m->what()) == missing + ": cannot open: No such file or directory");
  CHECK(m->path() == missing);
  CHECK(m->problem() == util::FileReadError::Problem::cannot_open);
  CHECK(m->reason() == "No such file or directory");

  const auto dir = read_error(d.path());
  REQUIRE(dir);
  CHECK(std::string(dir->what()) == d.path() + ": is a directory, not a file");
  CHECK(dir->problem() == util::FileReadError::Problem::is_directory);

  put(d.path() + "/big", std::string((std::size_t{1} << 20) + 1, 'z'));
  const auto big = read_error(d.path() + "/big", std::size_t{1} << 20);
  REQUIRE(big);
  CHECK(std::string(big->what()) == d.path() + "/big: larger than 1 MiB");
  CHECK(big->problem() == util::FileReadError::Problem::too_large);
}

TEST_CASE("util atomic writes replace whole files with an ordinary mode and leave no temporaries", "[unit][util]") {
  TempDir d;
  const std::string f = d.path() + "/results.csv";
  util::write_atomically(f, "a\n", util::Durability::fsync);
  util::write_atomically(f, "b\nc\n", util::Durability::rename_only);
  CHECK(read_text(f) == "b\nc\n");
  std::size_t files = 0;
  for (const auto& e : fs::directory_iterator(d.path())) {
    ++files;
    CHECK(e.path().filename() == "results.csv");
  }
  CHECK(files == 1);
  // mkstemp's 0600 is not what the user gets: 0666 minus the umask, as for any new file.
  const mode_t mask = ::umask(0);
  ::umask(mask);
  struct stat st {};
  REQUIRE(::stat(f.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == (0666 & ~mask));
  // What a write killed before its rename leaves: removed on the next start; other files stay.
  put(d.path() + "/.results.csv.tmp-Ab12Cd", "half");
  put(d.path() + "/.lock", "");
  util::remove_stale_temporaries(d.path());
  CHECK_FALSE(fs::exists(d.path() + "/.results.csv.tmp-Ab12Cd"));
  CHECK(fs::exists(d.path() + "/.lock"));
  CHECK(fs::exists(f));
  CHECK_THROWS_WITH(util::write_atomically(d.path() + "/missing/x.csv", "", util::Durability::rename_only),
                    "cannot write '" + d.path() + "/missing/x.csv': No such file or directory");
  // A directory in the way: the rename fails, the directory and its content stay.
  fs::create_directory(d.path() + "/dir");
  put(d.path() + "/dir/keep", "k");
  CHECK_THROWS_WITH(util::write_atomically(d.path() + "/dir", "x", util::Durability::rename_only),
                    "cannot write '" + d.path() + "/dir': Is a directory");
  CHECK(read_text(d.path() + "/dir/keep") == "k");
  for (const auto& e : fs::directory_iterator(d.path()))
    CHECK(e.path().filename().string().find(".tmp-") == std::string::npos);
}

TEST_CASE("util start_process runs a program in its directory with its output in files", "[unit][util]") {
  TempDir d;
  fs::create_directory(d.path() + "/work");
  util::ProcessSpec p;
  p.argv = {"/bin/sh", "-c", "echo out; echo err >&2; pwd; read x && echo stdin:$x; exit 3"};
  p.working_dir = d.path() + "/work";
  p.stdout_path = d.path() + "/out.txt";
  p.stderr_path = d.path() + "/err.txt";
  const util::ProcessExit e = util::wait_process(util::start_process(p));
  CHECK(e.exited);
  CHECK(e.exit_code == 3);
  // stdin is /dev/null: `read` fails, nothing is echoed for it.
  CHECK(read_text(d.path() + "/out.txt") == "out\n" + fs::canonical(d.path() + "/work").string() + "\n");
  CHECK(read_text(d.path() + "/err.txt") == "err\n");
}

TEST_CASE("util start_process reports a program that cannot run and a killed one", "[unit][util]") {
  TempDir d;
  util::ProcessSpec p;
  p.argv = {d.path() + "/no_such_program"};
  p.stderr_path = d.path() + "/err.txt";
  const util::ProcessExit missing = util::wait_process(util::start_process(p));
  CHECK(missing.exited);
  CHECK(missing.exit_code == 127);
  CHECK(read_text(d.path() + "/err.txt") == "cannot run " + d.path() + "/no_such_program: No such file or directory\n");

  p.argv = {"/bin/sh", "-c", "kill -9 $$"};
  const util::ProcessExit killed = util::wait_process(util::start_process(p));
  CHECK_FALSE(killed.exited);
  CHECK(killed.signal == 9);

  // A running child: poll_process says so without waiting; once killed it is reaped.
  p.argv = {"/bin/sleep", "30"};
  const pid_t pid = util::start_process(p);
  CHECK_FALSE(util::poll_process(pid).has_value());
  ::kill(pid, SIGKILL);
  const util::ProcessExit slept = util::wait_process(pid);
  CHECK(slept.signal == SIGKILL);
  // Reaped already: no such child any more.
  CHECK(util::wait_process(pid).signal == SIGKILL);
}

TEST_CASE("util progress line redraws in place, erases at the end and estimates the time left", "[unit][util]") {
  std::ostringstream out;
  util::ProgressLine line(out);
  line.draw("a longer line");
  line.draw("short");
  line.finish();
  CHECK(out.str() == "\ra longer line\x1b[K\rshort\x1b[K\r\x1b[K");
  line.finish();  // nothing drawn since: nothing to erase
  CHECK(out.str() == "\ra longer line\x1b[K\rshort\x1b[K\r\x1b[K");

  std::ostringstream quiet;
  util::ProgressLine off(quiet, false);
  off.draw("x");
  off.finish();
  CHECK(quiet.str().empty());

  // 3 units of work done in 1.5 s, 7 left: 1.5 · 7 / 3 = 3.5 s.
  CHECK(util::ProgressLine::timing_text(1.5, 3, 7) == "elapsed 1.5 s  remaining ~3.5 s");
  CHECK(util::ProgressLine::timing_text(1.5, 0, 7) == "elapsed 1.5 s  remaining ?");
  CHECK(util::ProgressLine::timing_text(0, 3, 7) == "elapsed 0.0 s  remaining ?");
  CHECK(util::ProgressLine::timing_text(2, 10, 0) == "elapsed 2.0 s  remaining ~0.0 s");
}
