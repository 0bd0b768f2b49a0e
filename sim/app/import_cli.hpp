#pragma once
/// The command-line side of the importers (docs/import.md): `arraysim import scalesim|onnx` and the
/// `run` options --cfg/--topology/--gemm and --model/--arch. Compiled into the arraysim executable
/// (it needs CLI11).
#include <CLI/CLI.hpp>

#include <string>
#include <vector>

#include "sim/config/experiment.hpp"

namespace arraysim::app {

/// Inputs to import instead of an experiment file.
struct ImportFlags {
  std::string cfg, topology;              ///< SCALE-Sim .cfg and topology CSV
  bool gemm = false;                      ///< the topology is a GEMM (Layer, M, N, K) CSV
  std::string model, arch;                ///< ONNX model and arraysim architecture YAML
  std::vector<std::string> input_shapes;  ///< ONNX: --input-shape NAME=D0xD1x...
  bool graph = false;                     ///< ONNX: run the whole graph (docs/graph.md)
  bool any() const {
    return !cfg.empty() || !topology.empty() || gemm || !model.empty() || !arch.empty() || !input_shapes.empty() ||
           graph;
  }
};

/// Adds --cfg, --topology, --gemm, --model and --arch to `run`.
void add_import_flags(CLI::App& run, ImportFlags& f);

/// The experiment `run` simulates when import flags are given. `experiment_file` is run's
/// positional argument (it must be empty). Prints the importer's notes to stderr.
/// Throws std::runtime_error for a wrong combination of options, config::ConfigError or
/// io::ImportError for bad inputs.
config::Experiment load_imported(const ImportFlags& f, const std::string& experiment_file,
                                 const std::vector<std::string>& overrides);

/// `arraysim import scalesim ...` and `arraysim import onnx ...`.
struct ImportCommand {
  CLI::App* command = nullptr;
  CLI::App* scalesim = nullptr;
  CLI::App* onnx = nullptr;
  ImportFlags flags;
  std::string out;  ///< -o FILE
};
void add_import_command(CLI::App& app, ImportCommand& c);

/// Runs the parsed import command: generates, validates and writes the experiment. Returns the
/// exit code; throws like load_imported, or std::runtime_error when the output cannot be written.
int run_import_command(const ImportCommand& c);

}  // namespace arraysim::app
