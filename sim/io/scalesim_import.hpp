#pragma once
/// SCALE-Sim (v2, v3) inputs -> an arraysim experiment: the `.cfg` architecture file and a
/// convolution topology CSV or a GEMM (M, N, K) CSV. docs/import.md maps every field.
///
/// Problems are config::ConfigError issues `FILE:LINE:COL key.path: message`, pointing into the
/// .cfg or the CSV: syntax errors, missing keys, values that are not integers, rows with the wrong
/// number of columns, and (through io::load_generated) every value arraysim's validation rejects,
/// reported at the SCALE-Sim field it came from. Key paths are `section.Key` for .cfg problems
/// that have no arraysim key, else the arraysim key (`arch.array.rows`, `workload.layers.3.stride_h`).
#include <string>

#include "sim/io/import.hpp"

namespace arraysim::io {

/// Reads `cfg_path` and `topology_path` (a GEMM CSV when `gemm`) and generates the experiment:
/// an inline arch from the .cfg, one layer per CSV row (a `DP` layer becomes one grouped conv2d),
/// no `sim:` section (defaults). The experiment is named after the .cfg's run_name.
/// Throws config::ConfigError. Notes: ignored unknown keys, SCALE-Sim conventions that give a
/// different result in arraysim (output size rounding).
GeneratedExperiment import_scalesim(const std::string& cfg_path, const std::string& topology_path, bool gemm);

/// The same from text; `cfg_name` and `topology_name` name the inputs in messages (and give the
/// arch and workload names their file stems).
GeneratedExperiment import_scalesim_text(const std::string& cfg_text, const std::string& cfg_name,
                                         const std::string& topology_text, const std::string& topology_name, bool gemm);

}  // namespace arraysim::io
