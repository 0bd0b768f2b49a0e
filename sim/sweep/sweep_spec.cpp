// Over 500 lines on purpose: the reader of the whole sweep-spec format (docs/sweeps.md), one
// section of the spec per function, each reporting at the spec's own FILE:LINE:COL.
#include "sim/sweep/sweep_spec.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <map>
#include <set>

#include "sim/config/yaml_reader.hpp"
#include "sim/sweep/sweep_results.hpp"
#include "sim/util/read_file.hpp"
#include "sim/util/utf8.hpp"

namespace arraysim::sweep {
namespace {

namespace fs = std::filesystem;
using config::MapReader;
using config::ReadContext;

/// Most values one `range` may produce.
constexpr double kMaxRangeValues = 100'000;

SpecPlace place_of(ReadContext& ctx, const std::string& path, const YAML::Node& n) {
  return {ctx.sources.locate(path, n.Mark()), path};
}

void add_issue(ReadContext& ctx, const SpecPlace& p, const std::string& message) {
  ctx.diag.add(p.loc, p.path, message);
}

/// The text of a value for `--set KEY=TEXT`: a scalar as written, a collection in flow style.
std::string value_text(const YAML::Node& n) {
  if (n.IsScalar()) return n.Scalar();
  YAML::Emitter e;
  e << YAML::Flow << n;
  return e.c_str();
}

/// The text of a value for `--set KEY=TEXT`, which parses it as YAML: value_text(), double-quoted
/// when it is a scalar that would not come back as itself (e.g. "a: b" or an empty string).
std::string set_text(const YAML::Node& n) {
  const std::string text = value_text(n);
  if (!n.IsScalar()) return text;
  try {
    const YAML::Node back = YAML::Load(text);
    if (back.IsScalar() && back.Scalar() == text) return text;
  } catch (const YAML::Exception&) {
  }
  YAML::Emitter e;
  e << YAML::DoubleQuoted << text;
  return e.c_str();
}

/// A key path: dot-separated non-empty segments without spaces, '=' or quotes.
bool valid_key_path(const std::string& k) {
  if (k.empty() || k.front() == '.' || k.back() == '.' || k.find("..") != std::string::npos) return false;
  return std::none_of(k.begin(), k.end(), [](char c) {
    return std::isspace(static_cast<unsigned char>(c)) || c == '=' || c == '"' || c == '\'' ||
           static_cast<unsigned char>(c) < 0x20;
  });
}

std::string last_segment(const std::string& key) {
  const auto dot = key.rfind('.');
  return dot == std::string::npos ? key : key.substr(dot + 1);
}

/// The character of `text` at a 1-based line and column ('\0' when outside).
char char_at(const std::string& text, int line, int col) {
  std::size_t pos = 0;
  for (int l = 1; l < line; ++l) {
    pos = text.find('\n', pos);
    if (pos == std::string::npos) return '\0';
    ++pos;
  }
  pos += static_cast<std::size_t>(col - 1);
  return pos < text.size() ? text[pos] : '\0';
}

/// Formats a generated range value: integers without a decimal point, others with 12 significant
/// digits (so 0.1 steps print as 0.3, not 0.30000000000000004).
std::string format_number(double v, bool integer) {
  if (integer) return fmt::format("{}", static_cast<long long>(std::llround(v)));
  return fmt::format("{:.12g}", v);
}

/// A number of a `range`, with whether it was written as an integer.
struct RangeNumber {
  double value = 0;
  bool integer = false;
};

std::optional<RangeNumber> range_number(MapReader& r, const char* key, bool required, ReadContext& ctx) {
  if (!r.has(key)) {
    if (required)
      r.missing(key, "a number");
    else
      r.opt_num(key, 0, 0, 0);  // marks the key as known
    return std::nullopt;
  }
  const std::size_t before = ctx.diag.issues().size();
  const double v = r.opt_num(key, 0, -1e15, 1e15);
  if (ctx.diag.issues().size() != before) return std::nullopt;
  const std::string t = r.node()[key].Scalar();
  const bool integer = t.find_first_of(".eE") == std::string::npos && v == std::floor(v);
  return RangeNumber{v, integer};
}

/// The values of a `range: {from, to, step | factor}` mapping (inclusive of `to`).
std::vector<AxisValue> range_values(MapReader& a, ReadContext& ctx) {
  MapReader r = a.child("range");
  const auto from = range_number(r, "from", true, ctx);
  const auto to = range_number(r, "to", true, ctx);
  const bool has_step = r.has("step"), has_factor = r.has("factor");
  const auto step = range_number(r, "step", false, ctx);
  const auto factor = range_number(r, "factor", false, ctx);
  r.finish();
  if (!has_step && !has_factor) r.error_here("needs 'step' (arithmetic) or 'factor' (geometric)");
  if (has_step && has_factor) r.error("factor", "give either 'step' or 'factor', not both");
  if (!from || !to || (has_step && !step) || (has_factor && !factor) || has_step == has_factor) return {};

  SpecPlace p = place_of(ctx, r.path(), r.node());
  std::vector<double> vals;
  bool integer = from->integer && to->integer;
  if (step) {
    integer = integer && step->integer;
    if (step->value == 0) {
      r.error("step", "must not be 0");
      return {};
    }
    const double n = std::floor((to->value - from->value) / step->value + 1e-9);
    if (n < 0) {
      r.error("step", fmt::format("goes from {} away from {}; no value would be produced", from->value, to->value));
      return {};
    }
    if (n + 1 > kMaxRangeValues) {
      r.error_here(fmt::format("produces {} values; at most {}", n + 1, kMaxRangeValues));
      return {};
    }
    for (double i = 0; i <= n; ++i) vals.push_back(from->value + i * step->value);
  } else {
    integer = integer && factor->integer;
    if (factor->value <= 1) {
      r.error("factor", fmt::format("must be greater than 1, got {}", factor->value));
      return {};
    }
    if (from->value <= 0 || to->value < from->value) {
      r.error("from",
              fmt::format("a geometric range needs 0 < from <= to, got from {} and to {}", from->value, to->value));
      return {};
    }
    for (double v = from->value; v <= to->value * (1 + 1e-12); v *= factor->value) {
      vals.push_back(v);
      if (vals.size() > kMaxRangeValues) {
        r.error_here(fmt::format("produces more than {} values", kMaxRangeValues));
        return {};
      }
    }
  }
  std::vector<AxisValue> out;
  for (double v : vals) out.push_back({format_number(v, integer), format_number(v, integer), p});
  return out;
}

/// One axis mapping: `key`, optional `name`, and `values` or `range`.
std::optional<SweepAxis> parse_axis(const YAML::Node& node, const std::string& path, ReadContext& ctx) {
  MapReader a(node, path, ctx);
  SweepAxis axis;
  axis.place = place_of(ctx, path, node);
  bool ok = true;
  if (!a.has("key")) {
    a.missing("key", "a configuration key path such as arch.array.rows");
    ok = false;
  } else {
    axis.key = a.opt_str("key", "");
    if (!valid_key_path(axis.key)) {
      a.error("key", "expected a configuration key path such as arch.array.rows, got '" +
                         config::printable(axis.key, 60) + "'");
      ok = false;
    }
  }
  axis.name_place = {a.location("name"), config::join_path(path, a.has("name") ? "name" : "key")};
  axis.name = a.opt_name("name", axis.key);
  const bool has_values = a.has("values"), has_range = a.has("range");
  if (has_values && has_range) {
    a.error("range", "give either 'values' or 'range', not both");
    ok = false;
  } else if (!has_values && !has_range) {
    a.missing("values", "a list of values, or a range: {from, to, step}");
    ok = false;
  }
  if (has_values) {
    const YAML::Node vs = a.raw("values");
    const std::string vpath = config::join_path(path, "values");
    if (!vs.IsSequence()) {
      a.error("values", "expected a list of values, got " + config::describe(vs));
      ok = false;
    } else if (vs.size() == 0) {
      a.error("values", "an axis needs at least one value");
      ok = false;
    }
    for (std::size_t i = 0; vs.IsSequence() && i < vs.size(); ++i) {
      const YAML::Node v = vs[i];
      const SpecPlace p = place_of(ctx, config::join_path(vpath, std::to_string(i)), v);
      if (!v.IsDefined() || v.IsNull()) {
        add_issue(ctx, p, "has no value");
        ok = false;
        continue;
      }
      axis.values.push_back({value_text(v), set_text(v), p});
    }
  }
  if (has_range) {
    const std::size_t before = ctx.diag.issues().size();
    axis.values = range_values(a, ctx);
    ok = ok && ctx.diag.issues().size() == before;
  }
  a.finish({}, "an axis");
  if (!ok) return std::nullopt;
  return axis;
}

/// Names a constraint or objective may use for an axis: its `name`, its key, and the last
/// segment of its key when no other axis shares it.
std::map<std::string, std::size_t> axis_identifiers(const std::vector<SweepAxis>& axes,
                                                    std::map<std::string, std::vector<std::size_t>>& ambiguous) {
  std::map<std::string, std::size_t> ids;
  for (std::size_t i = 0; i < axes.size(); ++i) {
    ids.emplace(axes[i].name, i);
    ids.emplace(axes[i].key, i);
  }
  std::map<std::string, std::vector<std::size_t>> last;
  for (std::size_t i = 0; i < axes.size(); ++i) last[last_segment(axes[i].key)].push_back(i);
  for (const auto& [seg, list] : last) {
    if (ids.count(seg)) continue;  // a name or a key wins
    if (list.size() == 1)
      ids.emplace(seg, list.front());
    else
      ambiguous[seg] = list;
  }
  return ids;
}

/// Message for a name that is no axis identifier.
std::string unknown_name_message(const std::string& name, const std::vector<SweepAxis>& axes,
                                 const std::map<std::string, std::size_t>& ids,
                                 const std::map<std::string, std::vector<std::size_t>>& ambiguous,
                                 const std::string& what) {
  if (auto it = ambiguous.find(name); it != ambiguous.end()) {
    std::string keys;
    for (std::size_t i : it->second) keys += (keys.empty() ? "" : ", ") + axes[i].key;
    return "'" + name + "' is the last part of several axes (" + keys +
           "); write the whole key or give the axes a name:";
  }
  std::vector<std::string> candidates;
  for (const auto& kv : ids) candidates.push_back(kv.first);
  std::string msg = "unknown name '" + name + "' in " + what;
  const std::string near = config::closest_match(name, candidates);
  if (!near.empty()) msg += " (did you mean '" + near + "'?)";
  // Each axis by its shortest name, e.g. "rows (arch.array.rows)".
  std::string list;
  for (std::size_t i = 0; i < axes.size(); ++i) {
    std::string best = axes[i].key;
    for (const auto& [id, axis] : ids)
      if (axis == i && id.size() < best.size()) best = id;
    list += (list.empty() ? "" : ", ") + best + (best == axes[i].key ? "" : " (" + axes[i].key + ")");
  }
  return msg + "; the axes are: " + list;
}

void parse_constraints(MapReader& top, SweepSpec& s, ReadContext& ctx) {
  const YAML::Node cs = top.raw("constraints");
  if (!cs.IsDefined() || cs.IsNull()) return;
  if (!cs.IsSequence()) {
    top.error("constraints", "expected a list of expressions, got " + config::describe(cs));
    return;
  }
  std::map<std::string, std::vector<std::size_t>> ambiguous;
  const auto ids = axis_identifiers(s.axes, ambiguous);
  for (std::size_t i = 0; i < cs.size(); ++i) {
    const YAML::Node c = cs[i];
    SpecPlace p = place_of(ctx, "constraints." + std::to_string(i), c);
    if (!c.IsScalar() || c.Scalar().empty()) {
      add_issue(ctx, p, "expected an expression such as 'rows * cols <= 16384', got " + config::describe(c));
      continue;
    }
    // Columns of errors point into the expression; a quoted scalar starts one column later.
    const char first = char_at(s.text, p.loc.line, p.loc.col);
    const int shift = (first == '"' || first == '\'') ? 1 : 0;
    const auto at = [&](std::size_t offset) {
      SpecPlace q = p;
      q.loc.col += shift + static_cast<int>(offset);
      return q;
    };
    SweepConstraint sc;
    sc.text = c.Scalar();
    sc.place = p;
    try {
      sc.expr = Expr::parse(sc.text);
    } catch (const ExprError& e) {
      add_issue(ctx, at(e.offset()), e.what());
      continue;
    }
    bool ok = true;
    for (const auto& n : sc.expr.names()) {
      const auto it = ids.find(n.name);
      if (it == ids.end()) {
        add_issue(ctx, at(n.offset), unknown_name_message(n.name, s.axes, ids, ambiguous, "constraint"));
        ok = false;
        continue;
      }
      sc.axis_of[n.name] = it->second;
    }
    if (ok) s.constraints.push_back(std::move(sc));
  }
}

void parse_metrics(MapReader& top, SweepSpec& s, ReadContext& ctx) {
  const YAML::Node ms = top.raw("metrics");
  if (!ms.IsDefined()) {
    for (const char* m : {"total_cycles", "pe_utilization"}) {
      s.metrics.push_back(m);
      s.metric_places.push_back({ctx.sources.locate("", top.node().Mark()), "metrics"});
    }
    return;
  }
  if (!ms.IsSequence() || ms.size() == 0) {
    top.error("metrics", "expected a list of stats.json paths such as [total_cycles, dram_read_bytes.total], got " +
                             config::describe(ms));
    return;
  }
  for (std::size_t i = 0; i < ms.size(); ++i) {
    const SpecPlace p = place_of(ctx, "metrics." + std::to_string(i), ms[i]);
    if (!ms[i].IsScalar() || !valid_key_path(ms[i].Scalar())) {
      add_issue(
          ctx, p,
          "expected a stats.json path such as total_cycles or dram_read_bytes.total, got " + config::describe(ms[i]));
      continue;
    }
    const std::string m = ms[i].Scalar();
    const auto dup = std::find(s.metrics.begin(), s.metrics.end(), m);
    if (dup != s.metrics.end()) {
      add_issue(ctx, p, "'" + m + "' is listed twice (first as " + s.metric_places[dup - s.metrics.begin()].path + ")");
      continue;
    }
    s.metrics.push_back(m);
    s.metric_places.push_back(p);
  }
}

/// An axis name is a results.csv column: it cannot be a fixed column or a metric's.
void check_axis_columns(const SweepSpec& s, ReadContext& ctx) {
  const std::vector<std::string>& reserved = reserved_columns();
  std::string fixed;
  for (const std::string& c : reserved) fixed += (fixed.empty() ? "" : ", ") + c;
  for (const SweepAxis& a : s.axes) {
    if (std::find(reserved.begin(), reserved.end(), a.name) != reserved.end())
      add_issue(ctx, a.name_place,
                "'" + a.name + "' is a column results.csv has anyway (" + fixed + "); give the axis another name");
    else if (std::find(s.metrics.begin(), s.metrics.end(), a.name) != s.metrics.end())
      add_issue(ctx, a.name_place,
                "'" + a.name + "' is also a metric, and results.csv would have two '" + a.name +
                    "' columns; give the axis another name");
  }
}

void parse_pareto(MapReader& top, SweepSpec& s, ReadContext& ctx) {
  if (!top.has("pareto")) {
    top.raw("pareto");
    return;
  }
  MapReader pr = top.child("pareto");
  std::map<std::string, std::vector<std::size_t>> ambiguous;
  const auto ids = axis_identifiers(s.axes, ambiguous);
  for (const char* goal : {"minimize", "maximize"}) {
    const YAML::Node list = pr.raw(goal);
    if (!list.IsDefined()) continue;
    if (!list.IsSequence()) {
      pr.error(goal, "expected a list of metric paths or axis names, got " + config::describe(list));
      continue;
    }
    for (std::size_t i = 0; i < list.size(); ++i) {
      const SpecPlace p = place_of(ctx, "pareto." + std::string(goal) + "." + std::to_string(i), list[i]);
      if (!list[i].IsScalar() || !valid_key_path(list[i].Scalar())) {
        add_issue(ctx, p, "expected a metric path or an axis name, got " + config::describe(list[i]));
        continue;
      }
      const std::string name = list[i].Scalar();
      SweepObjective o;
      o.maximize = std::string(goal) == "maximize";
      o.place = p;
      if (auto it = ids.find(name); it != ids.end()) {
        o.is_axis = true;
        o.column = s.axes[it->second].name;
      } else if (ambiguous.count(name)) {
        add_issue(ctx, p, unknown_name_message(name, s.axes, ids, ambiguous, "pareto"));
        continue;
      } else {
        o.column = name;  // a metric: collected even when `metrics` does not list it
        if (std::find(s.metrics.begin(), s.metrics.end(), name) == s.metrics.end()) {
          s.metrics.push_back(name);
          s.metric_places.push_back(p);
        }
      }
      const bool dup = std::any_of(s.objectives.begin(), s.objectives.end(),
                                   [&](const SweepObjective& x) { return x.column == o.column; });
      if (dup) {
        add_issue(ctx, p, "'" + name + "' is already an objective");
        continue;
      }
      s.objectives.push_back(std::move(o));
    }
  }
  pr.finish();
  if (s.objectives.size() < 2)
    pr.error_here("a Pareto front needs at least two objectives (minimize: [...], maximize: [...])");
}

void parse_axes(MapReader& top, SweepSpec& s, ReadContext& ctx) {
  const YAML::Node list = top.raw("axes");
  if (!list.IsDefined()) {
    top.missing("axes", "a list of axes: {key, values} or {key, range}");
    return;
  }
  if (!list.IsSequence() || list.size() == 0) {
    top.error("axes", "expected a non-empty list of axes ({key: arch.array.rows, values: [16, 32]}), got " +
                          config::describe(list));
    return;
  }
  bool ok = true;
  for (std::size_t i = 0; i < list.size(); ++i) {
    const YAML::Node n = list[i];
    const std::string path = "axes." + std::to_string(i);
    if (n.IsMap() && static_cast<const YAML::Node&>(n)["zip"].IsDefined()) {
      MapReader g(n, path, ctx);
      const std::vector<YAML::Node> members = g.req_seq("zip");
      g.finish({}, "a zip group");
      if (s.combine == "zip")
        g.error("zip", "a zip group needs combine: product (with combine: zip every axis is zipped)");
      if (members.size() < 2) g.error("zip", "a zip group needs at least two axes");
      std::vector<std::size_t> group;
      for (std::size_t j = 0; j < members.size(); ++j) {
        auto axis = parse_axis(members[j], path + ".zip." + std::to_string(j), ctx);
        if (!axis) {
          ok = false;
          continue;
        }
        group.push_back(s.axes.size());
        s.axes.push_back(std::move(*axis));
      }
      s.groups.push_back(std::move(group));
      continue;
    }
    auto axis = parse_axis(n, path, ctx);
    if (!axis) {
      ok = false;
      continue;
    }
    s.groups.push_back({s.axes.size()});
    s.axes.push_back(std::move(*axis));
  }
  if (s.combine == "zip") {
    s.groups.assign(1, {});
    for (std::size_t i = 0; i < s.axes.size(); ++i) s.groups[0].push_back(i);
  }
  // Axes of one zip group advance together: equal lengths.
  for (const auto& g : s.groups) {
    for (std::size_t j = 1; ok && j < g.size(); ++j) {
      const SweepAxis& a = s.axes[g[0]];
      const SweepAxis& b = s.axes[g[j]];
      if (a.values.size() != b.values.size())
        add_issue(ctx, b.place,
                  fmt::format("zipped axes need equal lengths: {} ({}) has {} values, {} has {}", a.key, a.place.path,
                              a.values.size(), b.key, b.values.size()));
    }
  }
  // Keys and names are unique.
  std::map<std::string, std::size_t> keys, names;
  for (std::size_t i = 0; i < s.axes.size(); ++i) {
    const SweepAxis& a = s.axes[i];
    if (auto [it, fresh] = keys.emplace(a.key, i); !fresh)
      add_issue(ctx, a.place, a.key + " is already an axis (" + s.axes[it->second].place.path + ")");
    else if (auto [jt, fresh2] = names.emplace(a.name, i); !fresh2)
      add_issue(ctx, a.place, "the name '" + a.name + "' is already used by " + s.axes[jt->second].place.path);
  }
}

}  // namespace

SweepSpec load_sweep_spec(const std::string& path) {
  std::string text;
  try {
    text = util::read_input(path, config::kMaxConfigBytes);
  } catch (const util::FileReadError& e) {
    config::Diagnostics d;
    d.add({path, 1, 1}, "(file)", "cannot read sweep spec: " + e.reason());
    d.throw_if_any();
  }
  return load_sweep_spec_text(text, path);
}

SweepSpec load_sweep_spec_text(const std::string& text, const std::string& path) {
  SweepSpec s;
  s.file = path;
  s.text = text;
  ReadContext ctx;
  ctx.sources.add_file("", path);
  ctx.diag.set_main_file(path);
  YAML::Node root;
  if (!config::load_yaml(s.text, path, "", root, ctx.diag)) ctx.diag.throw_if_any();
  MapReader top(root, "", ctx);
  if (!root.IsDefined() || root.IsNull())
    top.error_here("file is empty; expected a mapping with base, axes and metrics");
  s.name = top.opt_name("name", util::with_valid_utf8(fs::path(path).stem().string()));

  // base: the experiment every point starts from.
  if (!top.has("base")) {
    top.missing("base", "the base experiment's path, relative to this file");
  } else {
    const YAML::Node b = top.raw("base");
    s.base_place = place_of(ctx, "base", b);
    if (!b.IsScalar() || b.Scalar().empty()) {
      add_issue(ctx, s.base_place, "expected the path of an experiment file, got " + config::describe(b));
    } else {
      const fs::path rel(b.Scalar());
      const fs::path dir = fs::path(path).parent_path();
      s.base = (rel.is_absolute() ? rel : dir / rel).lexically_normal().string();
      const std::string shown = fs::absolute(s.base).lexically_normal().string();
      try {
        util::read_file(s.base, config::kMaxConfigBytes);  // loaded (as an input) for every point later
      } catch (const util::FileReadError& e) {
        add_issue(ctx, s.base_place, "cannot read experiment '" + b.Scalar() + "' (" + shown + "): " + e.reason());
      }
    }
  }

  // set: fixed overrides of every point.
  const YAML::Node sets = top.raw("set");
  if (sets.IsDefined() && !sets.IsNull()) {
    if (!sets.IsMap()) {
      top.error("set", "expected a mapping of key.path: value, got " + config::describe(sets));
    } else {
      for (auto it = sets.begin(); it != sets.end(); ++it) {
        const YAML::Node k = it->first, v = it->second;
        const std::string key = k.IsScalar() ? k.Scalar() : "?";
        const SpecPlace p = place_of(ctx, "set." + key, v.IsDefined() && !v.IsNull() ? v : k);
        if (!k.IsScalar() || !valid_key_path(key)) {
          add_issue(ctx, p, "expected a configuration key path such as sim.fidelity");
        } else if (!v.IsDefined() || v.IsNull()) {
          add_issue(ctx, p, "has no value");
        } else {
          s.sets.push_back({key, set_text(v), p});
        }
      }
    }
  }
  s.layers = top.opt_str("layers", "");
  const YAML::Node& croot = root;
  if (top.has("layers")) s.layers_place = place_of(ctx, "layers", croot["layers"]);
  s.combine = top.opt_choice("combine", "product", {"product", "zip"});
  parse_axes(top, s, ctx);
  for (const FixedSet& f : s.sets)
    for (const SweepAxis& a : s.axes)
      if (a.key == f.key) add_issue(ctx, f.place, "'" + f.key + "' is also an axis (" + a.place.path + "); remove one");
  parse_constraints(top, s, ctx);
  parse_metrics(top, s, ctx);
  parse_pareto(top, s, ctx);
  check_axis_columns(s, ctx);
  top.finish();
  ctx.diag.throw_if_any();

  double combinations = 1;
  for (const auto& g : s.groups) combinations *= static_cast<double>(s.axes[g.front()].values.size());
  if (combinations > static_cast<double>(kMaxSweepCombinations)) {
    ctx.diag.add(place_of(ctx, "axes", croot["axes"]).loc, "axes",
                 fmt::format("the axes make {} combinations; at most {}", combinations, kMaxSweepCombinations));
    ctx.diag.throw_if_any();
  }
  return s;
}

std::vector<SweepPoint> enumerate_points(const SweepSpec& spec) {
  std::vector<SweepPoint> out;
  const std::size_t ngroups = spec.groups.size();
  std::vector<std::size_t> counter(ngroups, 0);
  SweepPoint p;
  p.value_index.assign(spec.axes.size(), 0);
  config::Diagnostics diag;
  std::vector<bool> failed(spec.constraints.size(), false);
  for (bool more = true; more;) {
    for (std::size_t g = 0; g < ngroups; ++g)
      for (std::size_t a : spec.groups[g]) p.value_index[a] = counter[g];
    bool keep = true;
    for (std::size_t c = 0; c < spec.constraints.size() && keep; ++c) {
      const SweepConstraint& sc = spec.constraints[c];
      const auto lookup = [&](const std::string& name) {
        const std::size_t axis = sc.axis_of.at(name);
        return ExprValue::from_text(spec.axes[axis].values[p.value_index[axis]].text);
      };
      try {
        const ExprValue v = sc.expr.eval(lookup);
        if (v.type != ExprValue::Type::boolean)
          throw ExprError("a constraint must be true or false (a comparison), got " + v.describe(), 0);
        keep = v.boolean;
      } catch (const ExprError& e) {
        if (!failed[c]) {
          diag.add(sc.place.loc, sc.place.path,
                   std::string(e.what()) + " (at the point " + describe_point(spec, p) + ")");
          failed[c] = true;
        }
        keep = false;
      }
    }
    if (keep) {
      p.index = out.size();
      out.push_back(p);
    }
    // Next combination: the last group varies fastest; done when the first one wraps around.
    more = false;
    for (std::size_t g = ngroups; g-- > 0;) {
      if (++counter[g] < spec.axes[spec.groups[g].front()].values.size()) {
        more = true;
        break;
      }
      counter[g] = 0;
    }
  }
  diag.throw_if_any();
  if (out.empty()) {
    config::Diagnostics d;
    const SpecPlace& p0 = spec.constraints.empty() ? spec.base_place : spec.constraints.front().place;
    d.add(p0.loc, spec.constraints.empty() ? "axes" : "constraints",
          "the constraints exclude every combination of the axes");
    d.throw_if_any();
  }
  return out;
}

std::vector<std::string> point_overrides(const SweepSpec& spec, const SweepPoint& p) {
  std::vector<std::string> out;
  for (const FixedSet& f : spec.sets) out.push_back(f.key + "=" + f.text);
  for (std::size_t a = 0; a < spec.axes.size(); ++a)
    out.push_back(spec.axes[a].key + "=" + spec.axes[a].values[p.value_index[a]].set_text);
  return out;
}

const SpecPlace& override_place(const SweepSpec& spec, const SweepPoint& p, std::size_t i) {
  if (i < spec.sets.size()) return spec.sets[i].place;
  const std::size_t a = i - spec.sets.size();
  return spec.axes.at(a).values[p.value_index[a]].place;
}

std::string describe_point(const SweepSpec& spec, const SweepPoint& p) {
  std::string s;
  for (std::size_t a = 0; a < spec.axes.size(); ++a)
    s += (s.empty() ? "" : " ") + spec.axes[a].key + "=" + spec.axes[a].values[p.value_index[a]].text;
  return s;
}

}  // namespace arraysim::sweep
