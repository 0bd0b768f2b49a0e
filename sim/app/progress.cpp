#include "sim/app/progress.hpp"

#include <fmt/format.h>

namespace arraysim::app {

Progress::Progress(std::ostream& out, std::vector<Item> items) : display_(out), items_(std::move(items)) {
  for (const Item& it : items_) done_before_.push_back(total_), total_ += it.work;
}

std::string Progress::line(std::size_t index, double elapsed) const {
  const std::string name = index < items_.size() ? items_[index].name : "";
  const double done = index < done_before_.size() ? done_before_[index] : total_;
  return fmt::format("layer {}/{} {}  ", index + 1, items_.size(), name) +
         util::ProgressLine::timing_text(elapsed, done, total_ - done);
}

void Progress::layer_started(std::size_t index) { display_.draw(line(index, display_.elapsed_s())); }

void Progress::finish() { display_.finish(); }

}  // namespace arraysim::app
