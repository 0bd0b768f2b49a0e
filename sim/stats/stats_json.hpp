#pragma once
/// A finished run read back from its directory, for `arraysim report` (docs/outputs.md): the
/// inverse of to_json, plus timeline.json when the run wrote one.
#include <cstddef>
#include <stdexcept>
#include <string>

#include "sim/stats/report.hpp"

namespace arraysim::stats {

/// Largest stats.json or timeline.json `arraysim report` reads back: far above what a run of the
/// largest workload writes, and small enough to parse in memory.
constexpr std::size_t kMaxRunFileBytes = std::size_t{256} << 20;

/// A run directory that cannot be read back; the message is one line naming the file.
class RunDirError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The RunResult that to_json wrote as `text`. Fields to_json writes as null come back empty;
/// fields added after a run was written (e.g. energy_pj) may be absent and stay empty. Throws
/// std::runtime_error "FIELD.PATH: problem" for a missing or mistyped field.
RunResult run_from_json(const std::string& text);

/// Reads DIR/stats.json and, when present, DIR/timeline.json (into RunResult::timeline when its
/// spans came from the simulator). Throws RunDirError "DIR/FILE: problem" otherwise.
RunResult read_run_dir(const std::string& dir);

/// Writes `content` to `path` atomically (temporary name in the same directory, then rename),
/// creating the parent directory. Throws std::runtime_error naming the file on failure.
void write_file(const std::string& path, const std::string& content);

}  // namespace arraysim::stats
