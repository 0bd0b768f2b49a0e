#include "sim/sweep/sweep_dir.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>
#include <stdexcept>

#include "sim/sweep/sweep.hpp"
#include "sim/sweep/sweep_plot.hpp"
#include "sim/util/read_file.hpp"

namespace arraysim::sweep::dir {

namespace fs = std::filesystem;
using nlohmann::json;

/// The content of a file; nullopt when it cannot be read (absent, for the records of points that
/// have not run).
std::optional<std::string> read_if_readable(const fs::path& p) {
  try {
    return util::read_file(p.string(), kMaxSweepFileBytes);
  } catch (const util::FileReadError&) {
    return std::nullopt;
  }
}

/// The results.csv columns recorded in a sweep.json.
ResultsLayout layout_of(const json& manifest) {
  ResultsLayout l;
  l.axes = manifest.at("axes").get<std::vector<std::string>>();
  l.metrics = manifest.at("metrics").get<std::vector<std::string>>();
  for (const json& o : manifest.at("objectives")) l.objectives.push_back({o.at("column"), o.at("goal") == "maximize"});
  return l;
}

/// Reads DIR/sweep.json; throws SweepInputError when DIR is not a sweep output.
json read_manifest(const fs::path& dir) {
  const std::optional<std::string> text = read_if_readable(dir / "sweep.json");
  if (!text) throw SweepInputError("'" + dir.string() + "' is not a sweep output directory (no sweep.json)");
  try {
    json m = json::parse(*text);
    if (m.at("format") != kManifestFormat)
      throw SweepInputError("'" + (dir / "sweep.json").string() + "' has an unknown format");
    layout_of(m);  // checks the column fields
    m.at("points").get<std::vector<json>>();
    m.at("sweep_id").get<std::string>();
    m.at("points_total").get<std::size_t>();
    return m;
  } catch (const json::exception& e) {
    throw SweepInputError("'" + (dir / "sweep.json").string() + "' is damaged: " + e.what());
  }
}

void check_same_spec(const fs::path& dir, const std::string& spec_abs, bool force) {
  const fs::path file = dir / "sweep.json";
  const std::optional<std::string> text = read_if_readable(file);
  if (!text || force) return;
  std::string other;
  try {
    other = json::parse(*text).at("spec").get<std::string>();
  } catch (const json::exception& e) {
    throw SweepInputError("'" + file.string() + "' is damaged (" + e.what() +
                          "); add --force to rebuild it from this spec (the point records are kept)");
  }
  if (other != spec_abs)
    throw SweepInputError("'" + dir.string() + "' holds the sweep of another spec (" + other + ", not " + spec_abs +
                          "); choose another --out, or add --force to run this spec there (its results.csv is "
                          "replaced; point records are kept and reused where configurations agree)");
}

/// An exclusive lock on a sweep directory, held while a sweep or merge writes into it; released
/// by the kernel when the process ends, however it ends.
DirLock::DirLock(const fs::path& dir) {
  const fs::path p = dir / ".lock";
  fd_ = ::open(p.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0666);
  if (fd_ < 0) throw std::runtime_error("cannot create '" + p.string() + "': " + std::strerror(errno));
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd_);
    throw SweepInputError("another arraysim sweep is writing to '" + dir.string() +
                          "'; wait for it to end or choose another --out");
  }
}

DirLock::~DirLock() { ::close(fd_); }

/// create_directories, with a message naming the directory.
void make_dirs(const fs::path& p) {
  std::error_code ec;
  fs::create_directories(p, ec);
  if (ec) throw std::runtime_error("cannot create directory '" + p.string() + "': " + ec.message());
}

/// `s` as one word for a POSIX shell: as is when it is plain, else in single quotes.
std::string shell_quote(const std::string& s) {
  if (!s.empty() && s.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./=:,+@%") ==
                        std::string::npos)
    return s;
  std::string q = "'";
  for (const char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

/// Plots the Pareto front; a failure (no gnuplot) is a warning, the results stand.
void plot_front(const fs::path& dir, const ResultsLayout& layout) {
  if (layout.objectives.size() < 2) return;
  try {
    for (const std::string& f : plot_pareto(dir.string())) std::cout << "wrote " << f << "\n";
  } catch (const std::exception& e) {
    std::cerr << "arraysim: sweep: warning: no Pareto plot: " << e.what() << "\n";
  }
}

Counts count(const std::map<std::size_t, PointRecord>& rows) {
  Counts c;
  for (const auto& kv : rows) {
    if (kv.second.status == PointStatus::ok)
      ++c.ok;
    else if (kv.second.status == PointStatus::timeout)
      ++c.timeout;
    else
      ++c.failed;
  }
  return c;
}

/// The records in point order (the map's order).
std::vector<PointRecord> sorted_rows(const std::map<std::size_t, PointRecord>& rows) {
  std::vector<PointRecord> v;
  for (const auto& kv : rows) v.push_back(kv.second);
  return v;
}

}  // namespace arraysim::sweep::dir
