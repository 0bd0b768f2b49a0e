#pragma once
/// The progress line of `arraysim run` on stderr, redrawn in place at every layer boundary:
///   layer 12/54 layer2.1.conv2  elapsed 1.2 s  remaining ~3.4 s
/// main.cpp enables it only when stderr is a terminal. The redrawing and the time estimate are
/// sim/util/progress_line.hpp's.
#include <cstddef>
#include <ostream>
#include <string>
#include <vector>

#include "sim/util/progress_line.hpp"

namespace arraysim::app {

/// The run's progress over its layers, weighted by each layer's expected share of the host time.
class Progress {
 public:
  /// One layer: its name and its expected share of the host time, in any unit (run.cpp uses
  /// folds in timing fidelity and simulated cycles in values fidelity).
  struct Item {
    std::string name;
    double work = 0;
  };
  Progress(std::ostream& out, std::vector<Item> items);

  /// Layer `index` starts: redraws the line. Called only at layer boundaries, so never often.
  void layer_started(std::size_t index);
  /// Erases the line (the terminal is left as it was before the run).
  void finish();

  /// The text of the line when layer `index` starts after `elapsed` seconds. The remaining time is
  /// elapsed × (work left / work done); unknown ("?") before any work is done.
  std::string line(std::size_t index, double elapsed) const;

 private:
  util::ProgressLine display_;
  std::vector<Item> items_;
  std::vector<double> done_before_;  ///< work of layers 0..i-1
  double total_ = 0;
};

}  // namespace arraysim::app
