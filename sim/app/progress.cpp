#include "sim/app/progress.hpp"

#include <fmt/format.h>

namespace arraysim::app {

Progress::Progress(std::ostream& out, std::vector<Item> items)
    : out_(out), items_(std::move(items)), start_(std::chrono::steady_clock::now()) {
  for (const Item& it : items_) done_before_.push_back(total_), total_ += it.work;
}

std::string Progress::line(std::size_t index, double elapsed) const {
  const std::string name = index < items_.size() ? items_[index].name : "";
  std::string s = fmt::format("layer {}/{} {}  elapsed {:.1f} s", index + 1, items_.size(), name, elapsed);
  const double done = index < done_before_.size() ? done_before_[index] : total_;
  if (done > 0 && elapsed > 0) s += fmt::format("  remaining ~{:.1f} s", elapsed * (total_ - done) / done);
  else s += "  remaining ?";
  return s;
}

void Progress::layer_started(std::size_t index) {
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  // \r: back to the start of the line; ESC[K: erase what a longer previous line left behind.
  out_ << '\r' << line(index, elapsed) << "\x1b[K" << std::flush;
  drawn_ = true;
}

void Progress::finish() {
  if (drawn_) out_ << "\r\x1b[K" << std::flush;
  drawn_ = false;
}

}  // namespace arraysim::app
