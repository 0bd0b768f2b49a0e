#include "sim/app/sweep_progress.hpp"

#include <fmt/format.h>

namespace arraysim::app {

/// Width of the bar in characters.
constexpr std::size_t kBarWidth = 20;

SweepProgress::SweepProgress(std::ostream& out, std::size_t total, std::size_t already_done, bool enabled)
    : out_(out),
      total_(total),
      already_done_(already_done),
      enabled_(enabled),
      start_(std::chrono::steady_clock::now()) {}

std::string SweepProgress::line(std::size_t done, std::size_t failed, std::size_t total, std::size_t already_done,
                                double elapsed_s) {
  const std::size_t filled = total ? done * kBarWidth / total : kBarWidth;
  std::string s = "sweep [" + std::string(filled, '#') + std::string(kBarWidth - filled, '-') + "] ";
  s += fmt::format("{}/{} done  {} failed  elapsed {:.1f} s", done, total, failed, elapsed_s);
  const std::size_t now = done - std::min(done, already_done);
  if (now > 0 && elapsed_s > 0)
    s += fmt::format("  remaining ~{:.1f} s", elapsed_s * static_cast<double>(total - done) / static_cast<double>(now));
  else s += "  remaining ?";
  return s;
}

void SweepProgress::update(std::size_t done, std::size_t failed) {
  if (!enabled_) return;
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  // \r: back to the start of the line; ESC[K: erase what a longer previous line left behind.
  out_ << '\r' << line(done, failed, total_, already_done_, elapsed) << "\x1b[K" << std::flush;
  drawn_ = true;
}

void SweepProgress::finish() {
  if (drawn_) out_ << "\r\x1b[K" << std::flush;
  drawn_ = false;
}

}  // namespace arraysim::app
