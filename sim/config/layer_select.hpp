#pragma once
/// `arraysim run --layers SPEC` and a sweep's `layers:`: which layers of a workload to simulate.
#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

#include "models/ir/layer.hpp"

namespace arraysim::config {

/// A `--layers` spec that names no layer of the workload; what() is the whole message.
class LayerSpecError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

/// Parses SPEC: comma-separated items, each a layer name, a 0-based index (`7`) or an inclusive
/// index range (`0-3`). An item that is exactly a layer name selects that layer, even if it looks
/// like a number; otherwise it must be an index or a range. Returns the selected indices in
/// network order, each once, whatever the order of the items. Throws LayerSpecError naming the
/// offending item and the valid index range.
std::vector<std::size_t> select_layers(const ir::Network& net, const std::string& spec);

}  // namespace arraysim::config
