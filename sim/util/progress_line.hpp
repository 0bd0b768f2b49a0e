#pragma once
/// A one-line status on a terminal, redrawn in place: the progress of `arraysim run` over the
/// layers and of `arraysim sweep` over the points. Callers enable it only when the stream is a
/// terminal; the text is theirs, the elapsed and remaining times are formatted here.
#include <chrono>
#include <ostream>
#include <string>

namespace arraysim::util {

class ProgressLine {
 public:
  /// Draws on `out`; draws nothing at all when `enabled` is false. The clock starts now.
  explicit ProgressLine(std::ostream& out, bool enabled = true);

  /// Replaces the line with `text`: carriage return, the text, then ESC[K to erase what a longer
  /// previous line left behind.
  void draw(const std::string& text);
  /// Erases the line, leaving the terminal as it was before the first draw.
  void finish();
  /// Seconds since construction (host wall time).
  double elapsed_s() const;

  /// "elapsed E s  remaining ~R s" with R = E × work_left / work_done (one decimal each), or
  /// "elapsed E s  remaining ?" while no work is done or no time has passed. Work in any unit.
  static std::string timing_text(double elapsed_s, double work_done, double work_left);

 private:
  std::ostream& out_;
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace arraysim::util
