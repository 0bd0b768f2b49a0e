#pragma once
/// What the importers (SCALE-Sim, ONNX) have in common: they generate an experiment as YAML text
/// that is loaded through config::load_experiment_text like any experiment file, so every value
/// is validated by the same code. Problems that validation finds in the generated text are
/// reported at the place in the imported file the value came from (OriginMap).
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/config/diagnostics.hpp"
#include "sim/config/experiment.hpp"
#include "sim/config/yaml_reader.hpp"

namespace arraysim::io {

/// Errors in an imported file that has no lines and columns (an ONNX model): one problem per line,
/// each `FILE: what: message`.
class ImportError : public std::runtime_error {
 public:
  explicit ImportError(const std::vector<std::string>& lines);
  explicit ImportError(const std::string& line) : ImportError(std::vector<std::string>{line}) {}
  const std::vector<std::string>& lines() const { return lines_; }

 private:
  static std::string join(const std::vector<std::string>& lines);
  std::vector<std::string> lines_;
};

/// Where one generated value came from: a place in a text file (SCALE-Sim .cfg and CSV), or, for a
/// binary file, the file and a description of the element (ONNX: "node 'conv1' (Conv)").
struct Origin {
  config::Location loc;  ///< used when `element` is empty
  std::string element;   ///< non-empty for binary files: issues read `FILE: ELEMENT: key: message`
};

/// Generated key paths ("workload.layers.3.stride_h") -> their origin. A lookup falls back to the
/// longest registered prefix of the path (a whole layer, then the workload, then the root "").
class OriginMap {
 public:
  void add(const std::string& key_path, Origin o) { map_[key_path] = std::move(o); }
  /// Same, from a location in a text file (and optionally an element name).
  void add(const std::string& key_path, const config::Location& loc, const std::string& element = "") {
    Origin& o = map_[key_path];
    o.loc = loc;
    o.element = element;
  }
  std::optional<Origin> find(const std::string& key_path) const;

 private:
  std::map<std::string, Origin> map_;
};

/// An experiment produced by an importer.
struct GeneratedExperiment {
  std::string yaml;          ///< the experiment as YAML text (what `arraysim import -o` writes)
  std::string display_name;  ///< names the generated text ("<import:scalesim>")
  std::string base_dir;      ///< resolves relative paths in it (the ONNX importer's `arch:` path)
  std::size_t layers = 0;    ///< number of workload layers
  /// Messages for the user, one line each, without the "arraysim: " prefix the command line adds
  /// ("skipped 12 ONNX nodes: Relu x8, ...", "warning: A.cfg:7:1 ...").
  std::vector<std::string> notes;
  OriginMap origins;
};

/// Loads the generated experiment with `overrides` (--set) applied. A config::ConfigError about the
/// generated text is re-reported at the origins of the keys; issues in other files (an `arch:`
/// file, `<--set>`) are kept as they are. Throws config::ConfigError when every issue has a line
/// and column, otherwise ImportError (issue lines: `FILE: ELEMENT: key.path: message` or
/// `FILE:LINE:COL key.path: message`).
config::Experiment load_generated(const GeneratedExperiment& g, const std::vector<std::string>& overrides = {});

/// Reads a whole file of at most `max_bytes` bytes, an input of the run (util::read_input).
/// Throws config::ConfigError at `path:1:1` with key path `(file)` when it cannot be read
/// ("cannot read <what>: <reason>").
std::string read_input_file(const std::string& path, const std::string& what,
                            std::size_t max_bytes = config::kMaxConfigBytes);

}  // namespace arraysim::io
