#pragma once
/// The progress bar of `arraysim sweep` on stderr, redrawn in place (sweep_cli enables it only
/// when stderr is a terminal):
///   sweep [#########-----------] 57/200 done  2 failed  elapsed 12.3 s  remaining ~30.1 s
#include <cstddef>
#include <ostream>
#include <string>

#include "sim/util/progress_line.hpp"

namespace arraysim::sweep {

/// The sweep's progress over its points; redrawing and the time estimate are util::ProgressLine's.
class SweepProgress {
 public:
  /// `total` points of which `already_done` finished in an earlier run (they count as done but
  /// not in the time estimate). Draws nothing when `enabled` is false.
  SweepProgress(std::ostream& out, std::size_t total, std::size_t already_done, bool enabled);

  /// Redraws the bar with `done` points finished (earlier runs included), `failed` of them failed
  /// or timed out.
  void update(std::size_t done, std::size_t failed);
  /// Erases the bar.
  void finish();

  /// The text of the bar. The remaining time is elapsed × (points left / points done in this
  /// run); "?" before the first point of this run ends.
  static std::string line(std::size_t done, std::size_t failed, std::size_t total, std::size_t already_done,
                          double elapsed_s);

 private:
  util::ProgressLine display_;
  std::size_t total_, already_done_;
};

}  // namespace arraysim::sweep
