#include "sim/util/progress_line.hpp"

#include <fmt/format.h>

namespace arraysim::util {

ProgressLine::ProgressLine(std::ostream& out, bool enabled)
    : out_(out), enabled_(enabled), start_(std::chrono::steady_clock::now()) {}

void ProgressLine::draw(const std::string& text) {
  if (!enabled_) return;
  // \r: back to the start of the line; ESC[K: erase what a longer previous line left behind.
  out_ << '\r' << text << "\x1b[K" << std::flush;
  drawn_ = true;
}

void ProgressLine::finish() {
  if (drawn_) out_ << "\r\x1b[K" << std::flush;
  drawn_ = false;
}

double ProgressLine::elapsed_s() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

std::string ProgressLine::timing_text(double elapsed_s, double work_done, double work_left) {
  std::string s = fmt::format("elapsed {:.1f} s", elapsed_s);
  if (work_done > 0 && elapsed_s > 0)
    s += fmt::format("  remaining ~{:.1f} s", elapsed_s * work_left / work_done);
  else
    s += "  remaining ?";
  return s;
}

}  // namespace arraysim::util
