#pragma once
/// What the sweep commands share about a sweep's output directory (docs/sweeps.md): its
/// manifest (sweep.json), its results.csv columns, the lock held while writing into it, and the
/// small helpers around them. Internal to sim/sweep.
#include <cstddef>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/sweep/sweep_results.hpp"

namespace arraysim::sweep::dir {

/// Identifies sweep.json files written by this code.
inline constexpr const char* kManifestFormat = "arraysim-sweep 1";

/// Largest file of a sweep directory read back (sweep.json, results.csv, a record, a point's
/// stats.json): results.csv of the largest sweep (1,000,000 points) stays far below it.
inline constexpr std::size_t kMaxSweepFileBytes = std::size_t{1} << 30;

/// The content of a file; nullopt when it cannot be read (absent, for the records of points that
/// have not run).
std::optional<std::string> read_if_readable(const std::filesystem::path& p);
/// The results.csv columns recorded in a sweep.json.
ResultsLayout layout_of(const nlohmann::json& manifest);
/// Reads DIR/sweep.json; throws SweepInputError when DIR is not a sweep output.
nlohmann::json read_manifest(const std::filesystem::path& dir);

/// Refuses to run the spec `spec_abs` (absolute path) into `dir` when DIR/sweep.json names another
/// spec file or is damaged: SweepInputError saying so and that --force overrides. An absent
/// sweep.json (a new directory, or a sweep killed before it wrote one) is fine.
void check_same_spec(const std::filesystem::path& dir, const std::string& spec_abs, bool force);

/// An exclusive lock on a sweep directory, held while a sweep or merge writes into it; released
/// by the kernel when the process ends, however it ends.
class DirLock {
 public:
  explicit DirLock(const std::filesystem::path& dir);
  ~DirLock();
  DirLock(const DirLock&) = delete;
  DirLock& operator=(const DirLock&) = delete;

 private:
  int fd_ = -1;
};

/// create_directories, with a message naming the directory.
void make_dirs(const std::filesystem::path& p);
/// `s` as one word for a POSIX shell: as is when it is plain, else in single quotes.
std::string shell_quote(const std::string& s);
/// Plots the Pareto front; a failure (no gnuplot) is a warning, the results stand.
void plot_front(const std::filesystem::path& dir, const ResultsLayout& layout);

/// Points by status.
struct Counts {
  std::size_t ok = 0, failed = 0, timeout = 0;
};
Counts count(const std::map<std::size_t, PointRecord>& rows);
/// The records in point order (the map's order).
std::vector<PointRecord> sorted_rows(const std::map<std::size_t, PointRecord>& rows);

}  // namespace arraysim::sweep::dir
