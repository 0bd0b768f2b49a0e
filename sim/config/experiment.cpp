#include "sim/config/experiment.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <map>
#include <optional>
#include <sstream>

#include "sim/config/workload_config.hpp"
#include "sim/util/read_file.hpp"
#include "sim/util/utf8.hpp"

namespace arraysim::config {
namespace fs = std::filesystem;

std::string to_string(Fidelity f) { return f == Fidelity::values ? "values" : "timing"; }

Fidelity auto_fidelity(std::int64_t macs) { return macs <= kAutoFidelityMaxMacs ? Fidelity::values : Fidelity::timing; }

namespace {

/// Reads a whole configuration file (at most kMaxConfigBytes), an input of the run, or says why not.
bool read_text(const std::string& file, std::string& text, std::string& why) {
  try {
    text = util::read_input(file, kMaxConfigBytes);
    return true;
  } catch (const util::FileReadError& e) {
    why = e.reason();
    if (e.problem() == util::FileReadError::Problem::too_large) why += "; not a configuration file";
    return false;
  }
}

/// Parses YAML text of one document; every problem becomes a located issue.
bool parse_yaml(const std::string& text, const std::string& file, const std::string& key_path, YAML::Node& out,
                Diagnostics& diag) {
  return load_yaml(text, file, key_path, out, diag);
}

/// Replaces `root[key]`, when it is a path string, by the parsed file it names.
/// Returns false when the file could not be read or parsed (the problem is recorded).
bool resolve_include(YAML::Node& root, const std::string& key, const std::string& base_dir, ReadContext& ctx) {
  YAML::Node ref = root[key];
  if (!ref.IsDefined() || !ref.IsScalar()) return true;
  const std::string rel = ref.Scalar();
  const std::string file =
      (fs::path(rel).is_absolute() ? fs::path(rel) : fs::path(base_dir) / rel).lexically_normal().string();
  const Location here = ctx.sources.locate(key, ref.Mark());
  std::string text, why;
  if (!read_text(file, text, why)) {
    ctx.diag.add(here, key, "cannot read '" + printable(file, 200) + "': " + why);
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

/// Parses a list index: a plain decimal number below `size`.
std::optional<std::size_t> list_index(const std::string& s, std::size_t size) {
  if (s.empty() || s.size() > 18 || !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return std::nullopt;
  const auto idx = static_cast<std::size_t>(std::stoll(s));
  if (idx >= size) return std::nullopt;
  return idx;
}

std::string index_problem(const std::string& list_path, std::size_t size, const std::string& segment) {
  return "'" + list_path + "' is a list of " + std::to_string(size) + (size == 1 ? " element" : " elements") + "; '" +
         printable(segment, 40) + "' is not an index into it" + (size ? " (0.." + std::to_string(size - 1) + ")" : "");
}

/// Splits "a.b.c=value" into the key path and the parsed value; false (recorded) when malformed.
bool split_override(const std::string& text, int index, std::string& path, YAML::Node& value, ReadContext& ctx) {
  const Location loc{"<--set>", index, 1};
  const auto eq = text.find('=');
  if (eq == std::string::npos || eq == 0) {
    ctx.diag.add(loc, "(--set)", "expected key.path=value, got '" + printable(text, 60) + "'");
    return false;
  }
  path = text.substr(0, eq);
  if (path.front() == '.' || path.back() == '.' || path.find("..") != std::string::npos) {
    ctx.diag.add(loc, path, "malformed key path (empty segment)");
    return false;
  }
  if (const auto bad = util::invalid_utf8_at(text)) {
    char byte[8];
    std::snprintf(byte, sizeof byte, "0x%02x", static_cast<unsigned char>(text[*bad]));
    ctx.diag.add(loc, path,
                 "not valid UTF-8 (byte " + std::string(byte) + " at character " + std::to_string(*bad + 1) +
                     " of the override)");
    return false;
  }
  // The event parser first: it bounds the value's size, and yaml-cpp's tree builder never ends on
  // some malformed values (",a: b}") that the event parser reads as a second document.
  const std::string value_text = text.substr(eq + 1);
  switch (yaml_shape(value_text)) {
    case YamlShape::several_documents:
      ctx.diag.add(loc, path, "value holds more than one YAML document ('---'); give one value");
      return false;
    case YamlShape::too_many_nodes:
      ctx.diag.add(
          loc, path,
          "value has more than " + std::to_string(kMaxYamlNodes) + " YAML values (scalars, lists and mappings)");
      return false;
    case YamlShape::one_document:
    case YamlShape::invalid: break;  // the tree builder names the syntax error
  }
  try {
    const std::vector<YAML::Node> docs = YAML::LoadAll(value_text);
    if (docs.size() > 1) {
      ctx.diag.add(loc, path, "value holds more than one YAML document ('---'); give one value");
      return false;
    }
    value.reset(docs.empty() ? YAML::Node() : docs.front());
  } catch (const YAML::Exception& e) {
    ctx.diag.add(loc, path, "value is not valid YAML: " + e.msg);
    return false;
  }
  return true;
}

/// Applies one "a.b.c=value" override to the tree. Every segment but the last must name an existing
/// list element or a mapping (absent mappings are created so that the schema check reports unknown
/// keys precisely).
void apply_override(YAML::Node& root, const std::string& path, const YAML::Node& value, int index, ReadContext& ctx) {
  const Location loc{"<--set>", index, 1};
  std::vector<std::string> parts;
  std::stringstream ss(path);
  for (std::string p; std::getline(ss, p, '.');) parts.push_back(p);
  YAML::Node cur = root;
  std::string walked;
  for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
    const std::string& p = parts[i];
    YAML::Node next;
    if (cur.IsSequence()) {
      const auto idx = list_index(p, cur.size());
      if (!idx) {
        ctx.diag.add(loc, path, index_problem(walked, cur.size(), p));
        return;
      }
      next.reset(cur[*idx]);
    } else if (cur.IsMap() || cur.IsNull()) {
      if (!cur[p].IsDefined() || cur[p].IsNull()) {
        cur[p] = YAML::Node(YAML::NodeType::Map);
        ctx.sources.add_override(join_path(walked, p), index);  // the new section came from here
      }
      next.reset(cur[p]);
    } else {
      ctx.diag.add(loc, path, "'" + walked + "' is " + describe(cur) + ", not a mapping");
      return;
    }
    walked = join_path(walked, p);
    cur.reset(next);
  }
  const std::string& last = parts.back();
  if (cur.IsSequence()) {
    const auto idx = list_index(last, cur.size());
    if (!idx) {
      ctx.diag.add(loc, path, index_problem(walked, cur.size(), last));
      return;
    }
    cur[*idx] = value;
  } else if (cur.IsMap() || cur.IsNull()) {
    cur[last] = value;
  } else {
    ctx.diag.add(loc, path, "'" + walked + "' is " + describe(cur) + ", not a mapping");
    return;
  }
  ctx.sources.add_override(path, index);
}

/// Names that follow the effective configuration: `--set arch.*` overrides are appended to the
/// architecture's name, `--set arch.energy.*` overrides to the energy table's (docs/config.md), e.g.
/// `os_8x8_int8 (array.dataflow=ws, array.rows=16)`, so that reports and plot titles never name a
/// configuration that did not run. An explicit `arch.name` (`arch.energy.source`) override is the
/// name as given. A later override of the same key replaces the earlier one in the list.
void label_overrides(Experiment& e, const std::vector<std::pair<std::string, YAML::Node>>& sets,
                     const std::vector<bool>& valid, const std::vector<std::string>& overrides) {
  std::vector<std::pair<std::string, std::string>> arch, energy;  // (key below the section, value text)
  bool arch_named = false, energy_named = false;
  auto note = [](std::vector<std::pair<std::string, std::string>>& list, const std::string& key,
                 const std::string& value) {
    const auto it = std::find_if(list.begin(), list.end(), [&](const auto& kv) { return kv.first == key; });
    if (it != list.end()) list.erase(it);
    list.emplace_back(key, value);
  };
  for (std::size_t i = 0; i < sets.size(); ++i) {
    if (!valid[i]) continue;
    const std::string& key = sets[i].first;
    const std::string value = printable(overrides[i].substr(overrides[i].find('=') + 1), 40);
    if (key == "arch.name") arch_named = true;
    if (key == "arch.energy.source") energy_named = true;
    if (key == "arch.energy" || key.rfind("arch.energy.", 0) == 0) {
      if (key != "arch.energy.source") note(energy, key == "arch.energy" ? "energy" : key.substr(12), value);
    } else if (key.rfind("arch.", 0) == 0 && key != "arch.name") {
      note(arch, key.substr(5), value);
    }
  }
  auto suffix = [](const std::vector<std::pair<std::string, std::string>>& list) {
    std::string s;
    for (const auto& [k, v] : list) s += (s.empty() ? " (" : ", ") + k + "=" + v;
    return s + ")";
  };
  if (!arch_named && !arch.empty()) e.arch.name += suffix(arch);
  if (!energy_named && !energy.empty()) e.arch.energy.source += suffix(energy);
}

/// Checks that a required section (`arch`, `workload`) is present and has a value.
bool section_present(MapReader& top, bool root_is_map, const YAML::Node& n, const std::string& key,
                     const std::string& what) {
  if (!root_is_map) return false;
  if (!n.IsDefined()) {
    top.missing(key, what);
    return false;
  }
  if (n.IsNull()) {
    top.error(key, "has no value; expected " + what);
    return false;
  }
  return true;
}

Experiment parse_experiment(YAML::Node root, const std::string& display, const std::string& base_dir,
                            const std::vector<std::string>& overrides, ReadContext& ctx) {
  Experiment e;
  e.source = display;
  const bool is_map = root.IsDefined() && root.IsMap();
  // Overrides of a whole section (--set arch=other.yaml) go first, so that the file they name is
  // read; the others apply in order on top of the resolved tree.
  std::vector<std::pair<std::string, YAML::Node>> sets(overrides.size());
  std::vector<bool> valid(overrides.size());
  for (std::size_t i = 0; i < overrides.size(); ++i)
    valid[i] = split_override(overrides[i], static_cast<int>(i) + 1, sets[i].first, sets[i].second, ctx);
  std::map<std::string, bool> include_ok{{"arch", true}, {"workload", true}};
  for (int pass = 0; pass < 2 && is_map; ++pass) {
    for (std::size_t i = 0; i < overrides.size(); ++i) {
      const bool whole = sets[i].first == "arch" || sets[i].first == "workload";
      if (valid[i] && whole == (pass == 0))
        apply_override(root, sets[i].first, sets[i].second, static_cast<int>(i) + 1, ctx);
    }
    if (pass == 0) {
      include_ok["arch"] = resolve_include(root, "arch", base_dir, ctx);
      include_ok["workload"] = resolve_include(root, "workload", base_dir, ctx);
    }
  }
  MapReader top(root, "", ctx);
  if (!root.IsDefined() || root.IsNull())
    top.error_here("file is empty; expected a mapping with arch, workload and sim");
  e.name = top.opt_name("name", util::with_valid_utf8(fs::path(display).stem().string()));
  const YAML::Node arch_node = top.raw("arch");
  const YAML::Node wl_node = top.raw("workload");
  bool arch_clean = false;  // parsed without any problem: its values can be cross-checked
  if (section_present(top, is_map, arch_node, "arch", "a path to an architecture file or an inline mapping") &&
      include_ok["arch"]) {
    const std::size_t before = ctx.diag.issues().size();
    MapReader ar(arch_node, "arch", ctx);
    e.arch = parse_arch(ar);
    arch_clean = ctx.diag.issues().size() == before;
  }
  if (section_present(top, is_map, wl_node, "workload", "a path to a workload file or an inline mapping") &&
      include_ok["workload"]) {
    MapReader wr(wl_node, "workload", ctx);
    e.workload = parse_workload(wr, &e.layer_mappings);
  }
  MapReader sr = top.child("sim");
  const std::string fidelity = sr.opt_choice("fidelity", "auto", {"values", "timing", "auto"});
  e.sim.fidelity = fidelity == "timing" ? Fidelity::timing : Fidelity::values;
  e.sim.fidelity_auto = fidelity == "auto";
  e.sim.check_golden = sr.opt_bool("check_golden", true);
  e.sim.check_analytic = sr.opt_bool("check_analytic", true);
  e.sim.max_cycles = sr.opt_int("max_cycles", e.sim.max_cycles, 1, std::numeric_limits<std::int64_t>::max());
  e.sim.max_memory_mib = sr.opt_int("max_memory_mib", e.sim.max_memory_mib, 1, std::int64_t{1} << 30);
  if (auto f = sr.opt_int_list("fault_stuck_pe", 2, 0, std::int64_t{1} << 20)) {
    if (f->size() != 2)
      sr.error("fault_stuck_pe", "expected [row, col]");
    else
      e.sim.fault_pe_row = (*f)[0], e.sim.fault_pe_col = (*f)[1];
    const ArrayConfig& a = e.arch.array;
    if (arch_clean && a.type == ArrayType::systolic && e.sim.fault_pe_row >= 0 &&
        (e.sim.fault_pe_row >= a.rows || e.sim.fault_pe_col >= a.cols))
      sr.error("fault_stuck_pe", "PE [" + std::to_string(e.sim.fault_pe_row) + ", " +
                                     std::to_string(e.sim.fault_pe_col) + "] is outside the " + std::to_string(a.rows) +
                                     "x" + std::to_string(a.cols) + " array");
  }
  if (arch_clean) {
    MapReader array = MapReader(arch_node, "arch", ctx).child("array");
    for (const char* k : {"type", "rows", "cols", "impl", "input_dtype"})
      e.key_locations[std::string("arch.array.") + k] = array.location(k);
  }
  for (const char* k : {"fidelity", "fault_stuck_pe", "max_cycles", "max_memory_mib"})
    e.key_locations[std::string("sim.") + k] = sr.location(k);
  sr.finish();
  top.finish();
  ctx.diag.throw_if_any();
  label_overrides(e, sets, valid, overrides);
  // Every layer is valid now, so its MAC count is known (at most 2^40).
  if (e.sim.fidelity_auto) e.sim.fidelity = auto_fidelity(ir::macs(e.workload));
  return e;
}

}  // namespace

Experiment load_experiment_text(const std::string& text, const std::string& display_name, const std::string& base_dir,
                                const std::vector<std::string>& overrides) {
  ReadContext ctx;
  ctx.sources.add_file("", display_name);
  ctx.diag.set_main_file(display_name);
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

ArchConfig load_arch(const std::string& path, const std::vector<std::string>& overrides, bool banked_dram) {
  ReadContext ctx;
  ctx.sources.add_file("", path);
  ctx.diag.set_main_file(path);
  YAML::Node root(YAML::NodeType::Map);
  root["arch"] = fs::path(path).filename().string();
  ArchConfig a;
  if (resolve_include(root, "arch", fs::path(path).parent_path().string(), ctx)) {
    std::vector<std::pair<std::string, YAML::Node>> sets(overrides.size());
    for (std::size_t i = 0; i < overrides.size(); ++i) {
      const int index = static_cast<int>(i) + 1;
      if (!split_override(overrides[i], index, sets[i].first, sets[i].second, ctx)) continue;
      const std::string key = sets[i].first.rfind("arch.", 0) == 0 ? sets[i].first : "arch." + sets[i].first;
      apply_override(root, key, sets[i].second, index, ctx);
    }
    MapReader ar(root["arch"], "arch", ctx);
    a = parse_arch(ar);
    const YAML::Node& arch_node = root["arch"];
    const YAML::Node& dram_node = static_cast<const YAML::Node&>(arch_node)["dram"];
    if (banked_dram && !a.dram.banked() && ctx.diag.empty())
      ctx.diag.add(dram_node.IsDefined() && dram_node.IsMap() ? MapReader(dram_node, "arch.dram", ctx).location("model")
                                                              : ar.location("dram"),
                   "arch.dram.model",
                   "must be a banked DRAM model (ddr4_3200, lpddr4_3200, hbm2) to replay a trace; got " +
                       to_string(a.dram.model));
  }
  ctx.diag.throw_if_any();
  return a;
}

Location Experiment::locate(const std::string& key_path) const {
  const auto it = key_locations.find(key_path);
  return it != key_locations.end() ? it->second : Location{source, 1, 1};
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
  emit_workload(out, e.workload, &e.layer_mappings);
  out << YAML::Key << "sim" << YAML::Value << YAML::BeginMap;
  if (e.sim.fidelity_auto) {  // reloads as auto; the comment says what it resolved to
    const std::int64_t macs = ir::macs(e.workload);
    out << YAML::Key << "fidelity" << YAML::Value << "auto"
        << YAML::Comment(to_string(e.sim.fidelity) + ": " + std::to_string(macs) + " MACs " +
                         (macs <= kAutoFidelityMaxMacs ? "<= " : "> ") + std::to_string(kAutoFidelityMaxMacs));
  } else {
    out << YAML::Key << "fidelity" << YAML::Value << to_string(e.sim.fidelity);
  }
  out << YAML::Key << "check_golden" << YAML::Value << e.sim.check_golden;
  out << YAML::Key << "check_analytic" << YAML::Value << e.sim.check_analytic;
  out << YAML::Key << "max_cycles" << YAML::Value << e.sim.max_cycles;
  out << YAML::Key << "max_memory_mib" << YAML::Value << e.sim.max_memory_mib;
  if (e.sim.fault_pe_row >= 0)
    out << YAML::Key << "fault_stuck_pe" << YAML::Value << YAML::Flow << YAML::BeginSeq << e.sim.fault_pe_row
        << e.sim.fault_pe_col << YAML::EndSeq;
  out << YAML::EndMap << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

}  // namespace arraysim::config
