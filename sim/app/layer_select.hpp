#pragma once
/// The command line's names for the `--layers` selection, which lives in
/// sim/config/layer_select.hpp so that sweeps (sim/sweep) can use it without depending on sim/app.
#include "sim/config/layer_select.hpp"

namespace arraysim::app {
using config::LayerSpecError;
using config::select_layers;
}  // namespace arraysim::app
