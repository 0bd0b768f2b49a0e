#pragma once
/// Sweep specs (docs/sweeps.md): a base experiment, axes of configuration values combined as a
/// product or a zip, constraints that drop combinations, the stats.json metrics to collect and
/// the Pareto objectives. Loading checks everything that can be checked without simulating;
/// errors are config::ConfigError issues `SPEC:LINE:COL key.path: message`.
#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "sim/sweep/sweep_expr.hpp"
#include "sim/config/diagnostics.hpp"

namespace arraysim::sweep {

/// Where something was written in the spec: its location and its key path (`axes.1.values.0`).
struct SpecPlace {
  config::Location loc;
  std::string path;
};

/// One value of an axis: its text (a scalar as written, a list or mapping in YAML flow style),
/// the text passed to `arraysim run --set KEY=TEXT`, and where it came from.
struct AxisValue {
  std::string text;      ///< as written (results.csv, constraints)
  std::string set_text;  ///< as passed to --set: `text`, double-quoted when YAML would read it differently
  SpecPlace place;
};

/// One axis: a configuration key path and its values.
struct SweepAxis {
  std::string key;   ///< configuration key path, e.g. arch.array.rows
  std::string name;  ///< results.csv column: `name:` if given, else the key path
  std::vector<AxisValue> values;
  SpecPlace place;       ///< the axis entry (`axes.1`)
  SpecPlace name_place;  ///< its `name` (`axes.1.name`; the entry when the name is the key)
};

/// A constraint: points for which it is false are not part of the sweep.
struct SweepConstraint {
  std::string text;
  Expr expr;
  std::map<std::string, std::size_t> axis_of;  ///< each name of the expression -> the axis it names
  SpecPlace place;
};

/// A Pareto objective: a metric path or an axis column, minimized or maximized.
struct SweepObjective {
  std::string column;  ///< results.csv column (a metric path or an axis name)
  bool maximize = false;
  bool is_axis = false;  ///< an axis (whose values must be numbers), else a metric
  SpecPlace place;
};

/// A fixed `--set` applied to every point (the spec's `set:` mapping).
struct FixedSet {
  std::string key;
  std::string text;  ///< as passed to --set (see AxisValue::set_text)
  SpecPlace place;
};

/// A loaded sweep spec.
struct SweepSpec {
  std::string file;  ///< the spec file as given
  std::string name;  ///< `name:`, default the file's stem
  std::string base;  ///< base experiment path, resolved against the spec's directory
  SpecPlace base_place;
  std::vector<FixedSet> sets;
  std::string layers;  ///< `layers:` passed as `run --layers`; empty: every layer
  SpecPlace layers_place;
  std::string combine;  ///< "product" or "zip"
  std::vector<SweepAxis> axes;
  /// Zip groups, as axis indices: the sweep is the product of the groups (first group outermost,
  /// like nested loops), and the axes of one group advance together.
  std::vector<std::vector<std::size_t>> groups;
  std::vector<SweepConstraint> constraints;
  std::vector<std::string> metrics;  ///< stats.json paths, e.g. total_cycles, dram_read_bytes.total
  std::vector<SpecPlace> metric_places;
  std::vector<SweepObjective> objectives;
  std::string text;  ///< the spec file's content (for constraint columns)
};

/// The largest number of combinations a spec may produce before constraints (a guard against
/// `range` typos that would otherwise enumerate for a long time).
constexpr std::size_t kMaxSweepCombinations = 1'000'000;

/// Loads and checks a spec file. Throws config::ConfigError listing every problem.
SweepSpec load_sweep_spec(const std::string& path);
/// The same for the spec text `text` of the file `path` (which names it in messages and resolves
/// its relative `base`).
SweepSpec load_sweep_spec_text(const std::string& text, const std::string& path);

/// One point of the sweep: its 0-based index among the points that satisfy the constraints and,
/// per axis, the index of its value.
struct SweepPoint {
  std::size_t index = 0;
  std::vector<std::size_t> value_index;
};

/// Every combination of the axes that satisfies the constraints, in sweep order. Throws
/// config::ConfigError when a constraint cannot be evaluated at some point (type error, division
/// by zero), naming the constraint and the point.
std::vector<SweepPoint> enumerate_points(const SweepSpec& spec);

/// The `--set` overrides of a point: the fixed sets, then one `KEY=TEXT` per axis.
std::vector<std::string> point_overrides(const SweepSpec& spec, const SweepPoint& p);

/// Where the `i`-th override of point_overrides (0-based) was written in the spec.
const SpecPlace& override_place(const SweepSpec& spec, const SweepPoint& p, std::size_t i);

/// A point for messages: `arch.array.rows=16 arch.array.dataflow=os`.
std::string describe_point(const SweepSpec& spec, const SweepPoint& p);

}  // namespace arraysim::sweep
