#include "sim/config/experiment.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "sim/config/workload_config.hpp"

namespace arraysim::config {
namespace fs = std::filesystem;

std::string to_string(Fidelity f) { return f == Fidelity::values ? "values" : "timing"; }

namespace {

/// Reads a whole file or records why not (at `where`, about `key`).
bool read_text(const std::string& file, std::string& text, std::string& why) {
  std::error_code ec;
  if (fs::is_directory(file, ec)) {
    why = "is a directory, not a file";
    return false;
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    why = std::strerror(errno);
    return false;
  }
  std::ostringstream s;
  s << in.rdbuf();
  text = s.str();
  return true;
}

/// Parses YAML text; a syntax error becomes a located issue.
bool parse_yaml(const std::string& text, const std::string& file, const std::string& key_path, YAML::Node& out,
                Diagnostics& diag) {
  try {
    out = YAML::Load(text);
    return true;
  } catch (const YAML::Exception& e) {
    diag.add({file, e.mark.line + 1, e.mark.column + 1}, key_path.empty() ? "(yaml)" : key_path,
             "not valid YAML: " + e.msg);
    return false;
  }
}

/// Replaces `root[key]`, when it is a path string, by the parsed file it names.
/// Returns false when the file could not be read or parsed (the problem is recorded).
bool resolve_include(YAML::Node& root, const std::string& key, const std::string& base_dir, ReadContext& ctx) {
  YAML::Node ref = root[key];
  if (!ref.IsDefined() || !ref.IsScalar()) return true;
  const std::string rel = ref.Scalar();
  const std::string file = (fs::path(rel).is_absolute() ? fs::path(rel) : fs::path(base_dir) / rel)
                               .lexically_normal()
                               .string();
  const Location here = ctx.sources.locate(key, ref.Mark());
  std::string text, why;
  if (!read_text(file, text, why)) {
    ctx.diag.add(here, key, "cannot read '" + file + "': " + why);
    return false;
  }
  YAML::Node sub;
  if (!parse_yaml(text, file, key, sub, ctx.diag)) return false;
  if (sub.IsNull()) {
    ctx.diag.add({file, 1, 1}, key, "file is empty; expected a mapping");
    return false;
  }
  root[key] = sub;
  ctx.sources.add_file(key, file);
  return true;
}

/// Applies one "a.b.c=value" override to the tree.
void apply_override(YAML::Node& root, const std::string& text, int index, ReadContext& ctx) {
  const Location loc{"<--set>", index, 1};
  const auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0) {
    ctx.diag.add(loc, text, "expected key.path=value");
    return;
  }
  const std::string path = text.substr(0, eq), value = text.substr(eq + 1);
  std::vector<std::string> parts;
  std::stringstream ss(path);
  for (std::string p; std::getline(ss, p, '.');) parts.push_back(p);
  if (parts.empty() || std::any_of(parts.begin(), parts.end(), [](const std::string& p) { return p.empty(); })) {
    ctx.diag.add(loc, path, "malformed key path (empty segment)");
    return;
  }
  YAML::Node parsed;
  try {
    parsed = YAML::Load(value);
  } catch (const YAML::Exception& e) {
    ctx.diag.add({"<--set>", index, static_cast<int>(eq) + 2 + e.mark.column}, path, "value is not valid YAML: " + e.msg);
    return;
  }
  // Walk to the parent; every segment but the last must already exist.
  YAML::Node cur = root;
  std::string walked;
  for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
    const std::string& p = parts[i];
    YAML::Node next;
    if (cur.IsSequence()) {
      char* end = nullptr;
      const long idx = std::strtol(p.c_str(), &end, 10);
      if (*end || idx < 0 || static_cast<std::size_t>(idx) >= cur.size()) {
        ctx.diag.add(loc, path, "'" + walked + "' is a list of " + std::to_string(cur.size()) +
                                    " elements; '" + p + "' is not an index into it");
        return;
      }
      next = cur[static_cast<std::size_t>(idx)];
    } else if (cur.IsMap() && cur[p].IsDefined()) {
      next = cur[p];
    } else if (cur.IsMap() && !cur[p].IsDefined()) {
      // Create the missing section so the schema check reports unknown keys precisely.
      cur[p] = YAML::Node(YAML::NodeType::Map);
      next = cur[p];
    } else {
      ctx.diag.add(loc, path, "'" + walked + "' is " + describe(cur) + ", not a mapping");
      return;
    }
    walked = join_path(walked, p);
    cur.reset(next);
  }
  const std::string& last = parts.back();
  if (cur.IsSequence()) {
    char* end = nullptr;
    const long idx = std::strtol(last.c_str(), &end, 10);
    if (*end || idx < 0 || static_cast<std::size_t>(idx) >= cur.size()) {
      ctx.diag.add(loc, path, "'" + last + "' is not an index into the list '" + walked + "'");
      return;
    }
    cur[static_cast<std::size_t>(idx)] = parsed;
  } else if (cur.IsMap() || cur.IsNull()) {
    cur[last] = parsed;
  } else {
    ctx.diag.add(loc, path, "'" + walked + "' is " + describe(cur) + ", not a mapping");
    return;
  }
  ctx.sources.add_override(path, index);
}

Experiment parse_experiment(YAML::Node root, const std::string& display, const std::string& base_dir,
                            const std::vector<std::string>& overrides, ReadContext& ctx) {
  Experiment e;
  e.source = display;
  bool arch_ok = true, workload_ok = true;
  if (root.IsDefined() && root.IsMap()) {
    arch_ok = resolve_include(root, "arch", base_dir, ctx);
    workload_ok = resolve_include(root, "workload", base_dir, ctx);
  }
  for (std::size_t i = 0; i < overrides.size(); ++i) {
    if (!root.IsMap()) break;
    apply_override(root, overrides[i], static_cast<int>(i) + 1, ctx);
  }
  MapReader top(root, "", ctx);
  if (root.IsNull() || !root.IsDefined()) top.error_here("file is empty; expected a mapping with arch, workload and sim");
  e.name = top.opt_str("name", fs::path(display).stem().string());
  const YAML::Node arch_node = top.raw("arch");
  const YAML::Node wl_node = top.raw("workload");
  if (root.IsMap() && !arch_node.IsDefined())
    top.error("arch", "missing required key (a path to an architecture file or an inline mapping)");
  if (root.IsMap() && !wl_node.IsDefined())
    top.error("workload", "missing required key (a path to a workload file or an inline mapping)");
  if (arch_node.IsDefined() && arch_ok) {
    MapReader ar(arch_node, "arch", ctx);
    e.arch = parse_arch(ar);
  }
  if (wl_node.IsDefined() && workload_ok) {
    MapReader wr(wl_node, "workload", ctx);
    e.workload = parse_workload(wr);
  }
  MapReader sr = top.child("sim");
  e.sim.fidelity = sr.opt_choice("fidelity", "values", {"values", "timing"}) == "timing" ? Fidelity::timing
                                                                                         : Fidelity::values;
  e.sim.check_golden = sr.opt_bool("check_golden", true);
  e.sim.check_analytic = sr.opt_bool("check_analytic", true);
  e.sim.max_cycles = sr.opt_int("max_cycles", e.sim.max_cycles, 1, std::numeric_limits<std::int64_t>::max());
  sr.finish();
  top.finish();
  ctx.diag.throw_if_any();
  return e;
}

}  // namespace

Experiment load_experiment_text(const std::string& text, const std::string& display_name,
                                const std::string& base_dir, const std::vector<std::string>& overrides) {
  ReadContext ctx;
  ctx.sources.add_file("", display_name);
  YAML::Node root;
  if (!parse_yaml(text, display_name, "", root, ctx.diag)) ctx.diag.throw_if_any();
  return parse_experiment(root, display_name, base_dir, overrides, ctx);
}

Experiment load_experiment(const std::string& path, const std::vector<std::string>& overrides) {
  std::string text, why;
  if (!read_text(path, text, why)) {
    Diagnostics d;
    d.add({path, 1, 1}, "(file)", "cannot read experiment: " + why);
    d.throw_if_any();
  }
  return load_experiment_text(text, path, fs::path(path).parent_path().string(), overrides);
}

const char* builtin_experiment_yaml() {
  return R"(name: demo
arch:
  name: os_8x8_int8
  clock_mhz: 1000
  array: {type: systolic, rows: 8, cols: 8, dataflow: os, input_dtype: int8}
  dram: {model: ideal}
workload:
  name: demo
  seed: 7
  layers:
    - {name: conv3x3, type: conv2d, in_channels: 8, in_height: 14, in_width: 14, out_channels: 16, kernel: 3, padding: 1}
    - {name: depthwise, type: conv2d, in_channels: 16, in_height: 14, in_width: 14, out_channels: 16, kernel: 3, stride: 2, padding: [0, 1, 0, 1], groups: 16}
    - {name: fc, type: fc, batch: 4, in_features: 100, out_features: 37}
sim: {fidelity: values}
)";
}

std::string effective_yaml(const Experiment& e) {
  YAML::Emitter out;
  out << YAML::BeginMap;
  out << YAML::Key << "name" << YAML::Value << e.name;
  out << YAML::Key << "arch" << YAML::Value;
  emit_arch(out, e.arch);
  out << YAML::Key << "workload" << YAML::Value;
  emit_workload(out, e.workload);
  out << YAML::Key << "sim" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "fidelity" << YAML::Value << to_string(e.sim.fidelity);
  out << YAML::Key << "check_golden" << YAML::Value << e.sim.check_golden;
  out << YAML::Key << "check_analytic" << YAML::Value << e.sim.check_analytic;
  out << YAML::Key << "max_cycles" << YAML::Value << e.sim.max_cycles;
  out << YAML::EndMap << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

}  // namespace arraysim::config
