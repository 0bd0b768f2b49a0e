#include "sim/sweep/sweep_progress.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace arraysim::sweep {

/// Width of the bar in characters.
constexpr std::size_t kBarWidth = 20;

SweepProgress::SweepProgress(std::ostream& out, std::size_t total, std::size_t already_done, bool enabled)
    : display_(out, enabled), total_(total), already_done_(already_done) {}

std::string SweepProgress::line(std::size_t done, std::size_t failed, std::size_t total, std::size_t already_done,
                                double elapsed_s) {
  const std::size_t filled = total ? done * kBarWidth / total : kBarWidth;
  std::string s = "sweep [" + std::string(filled, '#') + std::string(kBarWidth - filled, '-') + "] ";
  s += fmt::format("{}/{} done  {} failed  ", done, total, failed);
  const std::size_t now = done - std::min(done, already_done);
  return s + util::ProgressLine::timing_text(elapsed_s, static_cast<double>(now), static_cast<double>(total - done));
}

void SweepProgress::update(std::size_t done, std::size_t failed) {
  display_.draw(line(done, failed, total_, already_done_, display_.elapsed_s()));
}

void SweepProgress::finish() { display_.finish(); }

}  // namespace arraysim::sweep
