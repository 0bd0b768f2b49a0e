#include "sim/app/import_cli.hpp"

#include <filesystem>
#include <iostream>
#include <stdexcept>

#include "sim/io/graph_import.hpp"
#include "sim/lower/winograd_graph.hpp"
#include "sim/io/import.hpp"
#include "sim/io/onnx_import.hpp"
#include "sim/io/scalesim_import.hpp"
#include "sim/util/write_atomically.hpp"

namespace arraysim::app {
namespace {

namespace fs = std::filesystem;

void print_notes(const io::GeneratedExperiment& g) {
  for (const std::string& n : g.notes) std::cerr << "arraysim: " << n << "\n";
}

/// Rejects a wrong combination of import options with a usage message.
void check_combination(const ImportFlags& f, const std::string& experiment_file) {
  const bool scalesim = !f.cfg.empty() || !f.topology.empty() || f.gemm;
  const bool onnx = !f.model.empty() || !f.arch.empty() || !f.input_shapes.empty();
  const auto usage = [](const std::string& m) { return std::runtime_error("run: " + m); };
  if (!experiment_file.empty())
    throw usage("give an experiment file, or --cfg and --topology (SCALE-Sim), or --model and --arch (ONNX); not '" +
                experiment_file + "' and " + (scalesim ? "--cfg/--topology" : "--model/--arch"));
  if (scalesim && onnx) throw usage("--cfg/--topology/--gemm (SCALE-Sim) and --model/--arch (ONNX) cannot be combined");
  if (scalesim && f.cfg.empty()) throw usage("--topology and --gemm need --cfg (the SCALE-Sim architecture file)");
  if (scalesim && f.topology.empty()) throw usage("--cfg needs --topology (the SCALE-Sim topology CSV)");
  if (!f.input_shapes.empty() && f.model.empty()) throw usage("--input-shape needs --model (an ONNX model)");
  if (f.graph && f.model.empty()) throw usage("--graph needs --model (an ONNX model)");
  if (onnx && f.model.empty()) throw usage("--arch needs --model (an ONNX model)");
  if (onnx && f.arch.empty())
    throw usage("--model needs --arch (an architecture YAML, e.g. configs/arch/os_8x8_int8.yaml)");
}

io::InputShapes input_shapes(const std::vector<std::string>& given) {
  io::InputShapes shapes;
  for (const std::string& g : given) io::add_input_shape(shapes, g);
  return shapes;
}

const char* const kInputShapeHelp =
    "ONNX graph input shape NAME=D0xD1x... (e.g. input_ids=2x128), replacing the declared one before shape "
    "inference; repeatable";

}  // namespace

void add_import_flags(CLI::App& run, ImportFlags& f) {
  run.add_option("--cfg", f.cfg, "SCALE-Sim architecture .cfg, with --topology: simulate SCALE-Sim inputs directly");
  run.add_option("--topology", f.topology, "SCALE-Sim topology CSV (convolution rows; GEMM rows with --gemm)");
  run.add_flag("--gemm", f.gemm, "The --topology CSV holds GEMM rows: Layer, M, N, K");
  run.add_option("--model", f.model, "ONNX model, with --arch: simulate its Conv/Gemm/MatMul layers");
  run.add_option("--arch", f.arch, "Architecture YAML for --model");
  run.add_option("--input-shape", f.input_shapes, kInputShapeHelp);
  run.add_flag("--graph", f.graph,
               "With --model: run the whole graph, every operator, tensors flowing from one to the next "
               "(docs/graph.md)");
}

config::Experiment load_imported(const ImportFlags& f, const std::string& experiment_file,
                                 const std::vector<std::string>& overrides) {
  check_combination(f, experiment_file);
  if (f.graph) {
    std::vector<std::string> notes;
    config::Experiment e = io::load_graph_experiment(f.model, f.arch, input_shapes(f.input_shapes), overrides, notes);
    lower::lower_winograd(e, notes);
    for (const std::string& n : notes) std::cerr << "arraysim: " << n << "\n";
    return e;
  }
  const io::GeneratedExperiment g = f.model.empty()
                                        ? io::import_scalesim(f.cfg, f.topology, f.gemm)
                                        : io::import_onnx(f.model, f.arch, ".", input_shapes(f.input_shapes));
  print_notes(g);
  return io::load_generated(g, overrides);
}

void add_import_command(CLI::App& app, ImportCommand& c) {
  c.command = app.add_subcommand("import", "Convert SCALE-Sim inputs or an ONNX model into an experiment YAML");
  c.command->require_subcommand(1);
  c.scalesim = c.command->add_subcommand("scalesim", "SCALE-Sim .cfg + topology CSV -> experiment YAML");
  c.scalesim->add_option("--cfg", c.flags.cfg, "SCALE-Sim architecture .cfg")->required();
  c.scalesim->add_option("--topology", c.flags.topology, "SCALE-Sim topology CSV")->required();
  c.scalesim->add_flag("--gemm", c.flags.gemm, "The topology CSV holds GEMM rows: Layer, M, N, K");
  c.scalesim->add_option("-o,--output", c.out, "Experiment YAML to write ('-': standard output)")->required();
  c.onnx = c.command->add_subcommand("onnx", "ONNX model + architecture YAML -> experiment YAML");
  c.onnx->add_option("--model", c.flags.model, "ONNX model (.onnx)")->required();
  c.onnx
      ->add_option("--arch", c.flags.arch,
                   "Architecture YAML; the experiment refers to it by a path relative to the output file")
      ->required();
  c.onnx->add_option("--input-shape", c.flags.input_shapes, kInputShapeHelp);
  c.onnx->add_option("-o,--output", c.out, "Experiment YAML to write ('-': standard output)")->required();
}

int run_import_command(const ImportCommand& c) {
  const bool to_stdout = c.out == "-";
  io::GeneratedExperiment g;
  if (c.scalesim->parsed()) {
    g = io::import_scalesim(c.flags.cfg, c.flags.topology, c.flags.gemm);
  } else {
    // The written experiment names the architecture file relative to its own directory.
    std::string arch_ref = c.flags.arch, base_dir = ".";
    if (!to_stdout) {
      const fs::path out_dir = fs::path(c.out).has_parent_path() ? fs::path(c.out).parent_path() : fs::path(".");
      base_dir = out_dir.string();
      if (!fs::path(c.flags.arch).is_absolute()) {
        std::error_code ec;
        const fs::path rel = fs::relative(fs::absolute(c.flags.arch, ec), fs::absolute(out_dir, ec), ec);
        arch_ref = ec || rel.empty() ? fs::absolute(c.flags.arch).lexically_normal().string() : rel.string();
      }
    }
    g = io::import_onnx(c.flags.model, arch_ref, base_dir, input_shapes(c.flags.input_shapes));
  }
  print_notes(g);
  io::load_generated(g);  // the same validation as `arraysim run`: nothing is written on error
  if (to_stdout) {
    std::cout << g.yaml;
    return 0;
  }
  util::write_atomically(c.out, g.yaml, util::Durability::fsync);
  std::cout << "wrote " << c.out << " (" << g.layers << (g.layers == 1 ? " layer" : " layers") << ")\n";
  return 0;
}

}  // namespace arraysim::app
