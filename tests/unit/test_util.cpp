/// sim/util: reading whole files, atomic writes, child processes, the progress line.
#include <catch2/catch.hpp>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <stdexcept>

#include "sim/util/process.hpp"
#include "sim/util/progress_line.hpp"
#include "sim/util/read_file.hpp"
#include "sim/util/utf8.hpp"
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
                    "cannot write '" + d.path() +
                        "/dir': it is a directory, not a regular file; outputs go to regular files or new paths");
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

namespace {
/// The number of descriptors this process has open.
std::size_t open_fds() {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator("/proc/self/fd")) ++n;
  return n;
}
}  // namespace

TEST_CASE("util run_isolated returns the child's result or its exception's message, and leaves nothing behind",
          "[unit][util]") {
  TempDir d;
  const std::size_t fds = open_fds();
  // The child must not flush what the parent's stdio buffers hold (it ends with _exit).
  std::FILE* f = std::fopen((d.path() + "/buffered.txt").c_str(), "w");
  REQUIRE(f);
  std::fputs("once\n", f);
  util::IsolationLimits limits;
  limits.wall_time_s = 60;
  const std::string bytes("result\0with a NUL", 17);
  const util::IsolatedResult r = util::run_isolated([&] { return bytes; }, limits);
  CHECK(r.status == util::IsolatedResult::Status::returned);
  CHECK(r.text == bytes);
  const util::IsolatedResult t =
      util::run_isolated([]() -> std::string { throw std::runtime_error("bad model"); }, limits);
  CHECK(t.status == util::IsolatedResult::Status::threw);
  CHECK(t.text == "bad model");
  std::fclose(f);
  CHECK(read_text(d.path() + "/buffered.txt") == "once\n");
  CHECK(open_fds() == fds);
  errno = 0;
  CHECK(::waitpid(-1, nullptr, WNOHANG) == -1);  // no child left, not even a zombie
  CHECK(errno == ECHILD);
}

TEST_CASE("util run_isolated reports a child that crashes, hangs, spins, floods or runs out of memory",
          "[unit][util]") {
  const std::size_t fds = open_fds();
  util::IsolationLimits limits;
  limits.wall_time_s = 60;
  const auto failure = [&](const std::function<std::string()>& work) {
    const util::IsolatedResult r = util::run_isolated(work, limits);
    CHECK(r.status == util::IsolatedResult::Status::failed);
    return r.text;
  };
  SECTION("a crash") {
    CHECK(failure([]() -> std::string {
            ::raise(SIGFPE);
            return "not reached";
          }) == "crashed with SIGFPE");
    CHECK(failure([]() -> std::string { ::_exit(7); }) == "ended with exit code 7");
  }
  SECTION("a hang: killed at the wall-time limit") {
    limits.wall_time_s = 1;
    CHECK(failure([]() -> std::string {
            for (;;) ::pause();
          }) == "took more than 1 s");
  }
  SECTION("a loop: stopped at the CPU-time limit") {
    limits.cpu_time_s = 1;
    CHECK(failure([]() -> std::string {
            for (volatile unsigned i = 0;; i = i + 1) {
            }
          }) == "used more than 1 s of CPU time");
  }
  SECTION("a result longer than the bound") {
    limits.max_result_bytes = 1000;
    CHECK(failure([] { return std::string(100000, 'x'); }) == "gave a result larger than 1000 bytes");
  }
  SECTION("more memory than the bound") {
    limits.memory_bytes = std::uint64_t{256} << 20;
    const std::string why = failure([] {
      std::vector<std::unique_ptr<char[]>> blocks;
      for (int i = 0; i < 64; ++i) blocks.emplace_back(new char[std::size_t{16} << 20]);
      return std::to_string(blocks.size());
    });
#if defined(__SANITIZE_ADDRESS__)
    CHECK_FALSE(why.empty());  // AddressSanitizer's allocator ends the child itself
#else
    CHECK(why == "ran out of memory (more than 256 MiB)");
#endif
  }
  CHECK(open_fds() == fds);
  errno = 0;
  CHECK(::waitpid(-1, nullptr, WNOHANG) == -1);
  CHECK(errno == ECHILD);
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

TEST_CASE("util read_file refuses pipes and devices without waiting and caps the size before reading", "[unit][util]") {
  TempDir d;
  // A FIFO with no writer: opening it for reading would wait forever (issue 14: every input path
  // that was a named pipe hung). It is refused from its type, without opening it.
  const std::string fifo = d.path() + "/pipe.yaml";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  const auto p = read_error(fifo);
  REQUIRE(p);
  CHECK(std::string(p->what()) == fifo + ": is a named pipe (FIFO), not a regular file");
  CHECK(p->problem() == util::FileReadError::Problem::not_regular);
  // /dev/zero never ends; it is a character device.
  const auto z = read_error("/dev/zero");
  REQUIRE(z);
  CHECK(std::string(z->what()) == "/dev/zero: is a character device, not a regular file");
  // A symbolic link to a regular file is read through.
  put(d.path() + "/real.yaml", "name: x\n");
  fs::create_symlink(d.path() + "/real.yaml", d.path() + "/link.yaml");
  CHECK(util::read_file(d.path() + "/link.yaml") == "name: x\n");
  // A sparse file of 2^40 bytes is refused from its size at once (nothing is read).
  const std::string huge = d.path() + "/huge";
  put(huge, "");
  fs::resize_file(huge, std::uintmax_t{1} << 40);
  const auto h = read_error(huge, std::size_t{8} << 20);
  REQUIRE(h);
  CHECK(std::string(h->what()) == huge + ": larger than 8 MiB");
  // Limits below 1 MiB are said in bytes.
  put(d.path() + "/small", "12345");
  CHECK(std::string(read_error(d.path() + "/small", 4)->what()) == d.path() + "/small: larger than 4 bytes");
}

TEST_CASE("util writes outputs only onto regular files or new paths, through links, never onto an input",
          "[unit][util]") {
  TempDir d;
  const auto refusal = [](const std::string& path) {
    try {
      util::write_atomically(path, "out\n", util::Durability::rename_only);
    } catch (const std::runtime_error& e) {
      return std::string(e.what());
    }
    return std::string("(written)");
  };
  // A device is refused and stays what it is (as root, rename(2) would have replaced /dev/null).
  CHECK(refusal("/dev/null") ==
        "cannot write '/dev/null': it is a character device, not a regular file; outputs go to regular files or "
        "new paths");
  struct stat st {};
  REQUIRE(::stat("/dev/null", &st) == 0);
  CHECK(S_ISCHR(st.st_mode));
  const std::string fifo = d.path() + "/fifo";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  CHECK(refusal(fifo) == "cannot write '" + fifo +
                             "': it is a named pipe (FIFO), not a regular file; outputs go to regular files or new "
                             "paths");
  fs::create_directory(d.path() + "/dir");
  CHECK(refusal(d.path() + "/dir") == "cannot write '" + d.path() +
                                          "/dir': it is a directory, not a regular file; outputs go to regular files "
                                          "or new paths");
  // A symbolic link is written through: the file it points to is replaced and keeps its mode, the
  // link stays a link. A dangling link creates the file it names.
  put(d.path() + "/target.csv", "old\n");
  ::chmod((d.path() + "/target.csv").c_str(), 0640);
  fs::create_symlink("target.csv", d.path() + "/link.csv");
  util::write_atomically(d.path() + "/link.csv", "new\n", util::Durability::rename_only);
  CHECK(fs::is_symlink(d.path() + "/link.csv"));
  CHECK(read_text(d.path() + "/target.csv") == "new\n");
  REQUIRE(::stat((d.path() + "/target.csv").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0640);
  fs::create_symlink(d.path() + "/made.csv", d.path() + "/dangling.csv");
  util::write_atomically(d.path() + "/dangling.csv", "made\n", util::Durability::rename_only);
  CHECK(fs::is_symlink(d.path() + "/dangling.csv"));
  CHECK(read_text(d.path() + "/made.csv") == "made\n");
  fs::create_symlink("loop_b", d.path() + "/loop_a");
  fs::create_symlink("loop_a", d.path() + "/loop_b");
  CHECK(refusal(d.path() + "/loop_a") == "cannot write '" + d.path() + "/loop_a': too many levels of symbolic links");
  // An input of this run is never replaced, under any name (here through a link to it).
  put(d.path() + "/exp.yaml", "name: e\n");
  util::read_input(d.path() + "/exp.yaml", 1024);
  fs::create_symlink("exp.yaml", d.path() + "/alias.yaml");
  CHECK(refusal(d.path() + "/alias.yaml") == "cannot write '" + d.path() +
                                                 "/alias.yaml': it is an input of this run ('" + d.path() +
                                                 "/exp.yaml'); choose another output path");
  CHECK(read_text(d.path() + "/exp.yaml") == "name: e\n");
  for (const auto& e : fs::directory_iterator(d.path()))
    CHECK(e.path().filename().string().find(".tmp-") == std::string::npos);
}

TEST_CASE("util write fault hook fails a write like a full disk and leaves the old file", "[unit][util]") {
  TempDir d;
  const std::string f = d.path() + "/results.csv";
  util::write_atomically(f, "old\n", util::Durability::fsync);
  util::set_write_fault(
      [](const std::string& target) { return target.find("results") != std::string::npos ? ENOSPC : 0; });
  CHECK_THROWS_WITH(util::write_atomically(f, "new\n", util::Durability::fsync),
                    "cannot write '" + f + "': No space left on device");
  util::write_atomically(d.path() + "/other.csv", "x\n", util::Durability::fsync);  // the hook spares it
  util::set_write_fault({});
  CHECK(read_text(f) == "old\n");
  CHECK(read_text(d.path() + "/other.csv") == "x\n");
  // No temporary file is left behind: the directory holds the two files.
  CHECK(std::distance(fs::directory_iterator(d.path()), fs::directory_iterator{}) == 2);
}

TEST_CASE("util utf8 finds the first invalid byte and replaces invalid bytes", "[unit][util]") {
  CHECK_FALSE(util::invalid_utf8_at("plain ascii"));
  CHECK_FALSE(util::invalid_utf8_at("\xc3\xa9t\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"));  // été € and an emoji
  CHECK(util::invalid_utf8_at("ab\xff") == std::optional<std::size_t>(2));
  CHECK(util::invalid_utf8_at("\xc0\xaf") == std::optional<std::size_t>(0));          // overlong '/'
  CHECK(util::invalid_utf8_at("x\xed\xa0\x80") == std::optional<std::size_t>(1));     // a surrogate
  CHECK(util::invalid_utf8_at("\xf4\x90\x80\x80") == std::optional<std::size_t>(0));  // above U+10FFFF
  CHECK(util::invalid_utf8_at("ok\xe2\x82") == std::optional<std::size_t>(2));        // truncated
  CHECK(util::with_valid_utf8("a\xff\xc3\xa9\xfe") == "a_\xc3\xa9_");
  const util::TextPosition p = util::position_of("ab\ncd\nef", 7);
  CHECK(p.line == 3);
  CHECK(p.col == 2);
}
