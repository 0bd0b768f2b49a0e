#include "sim/sweep/sweep.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <string.h>
#include <filesystem>
#include <iostream>
#include <map>
#include <sstream>

#include "sim/config/layer_select.hpp"
#include "sim/stats/fields.hpp"
#include "sim/sweep/sweep_dir.hpp"
#include "sim/sweep/sweep_hash.hpp"
#include "sim/sweep/sweep_plot.hpp"
#include "sim/sweep/sweep_pool.hpp"
#include "sim/sweep/sweep_progress.hpp"
#include "sim/sweep/sweep_results.hpp"
#include "sim/config/experiment.hpp"
#include "sim/util/read_file.hpp"
#include "sim/util/write_atomically.hpp"

namespace arraysim::sweep {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using Clock = std::chrono::steady_clock;
using namespace dir;

/// Most characters of a point's error kept in results.csv.
constexpr std::size_t kMaxErrorChars = 400;

/// Parses a decimal count ("12"); nullopt for anything else.
std::optional<std::size_t> parse_count(const std::string& s) {
  if (s.empty() || s.size() > 9 || s.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  return static_cast<std::size_t>(std::stoul(s));
}

/// Re-raises the problems of a point's configuration at the spec lines that caused them: a
/// problem of the i-th `--set` is reported at that axis value (or `set:` entry); any other problem
/// keeps its place and names the point.
[[noreturn]] void rethrow_at_point(const config::ConfigError& e, const SweepSpec& s, const SweepPoint* p) {
  config::Diagnostics d;
  d.set_main_file(s.file);
  for (const config::ConfigIssue& is : e.issues()) {
    const std::size_t i = static_cast<std::size_t>(is.loc.line - 1);
    if (is.loc.file == "<--set>" && (p || i < s.sets.size())) {
      const SpecPlace& pl = p ? override_place(s, *p, i) : s.sets.at(i).place;
      d.add(pl.loc, pl.path, is.key_path + ": " + is.message);
    } else {
      const std::string where =
          p ? " (sweep point " + std::to_string(p->index) + ": " + describe_point(s, *p) + ")" : "";
      d.add(is.loc, is.key_path, is.message + where);
    }
  }
  d.throw_if_any();
  throw e;
}

/// Throws a ConfigError with one issue at `p`.
[[noreturn]] void throw_at(const SpecPlace& p, const std::string& message) {
  config::Diagnostics d;
  d.add(p.loc, p.path, message);
  d.throw_if_any();
  std::abort();  // unreachable: throw_if_any throws with one issue
}

/// The identity of a sweep: everything that decides its points and columns.
std::string sweep_identity(const SweepSpec& s, const std::string& version, const std::string& base_yaml) {
  json j;
  j["version"] = version;
  j["base"] = base_yaml;
  j["layers"] = s.layers;
  j["combine"] = s.combine;
  j["groups"] = s.groups;
  for (const FixedSet& f : s.sets) j["sets"].push_back({f.key, f.text});
  for (const SweepAxis& a : s.axes) {
    json vals = json::array();
    for (const AxisValue& v : a.values) vals.push_back(v.set_text);
    j["axes"].push_back({{"key", a.key}, {"name", a.name}, {"values", vals}});
  }
  for (const SweepConstraint& c : s.constraints) j["constraints"].push_back(c.text);
  j["metrics"] = s.metrics;
  for (const SweepObjective& o : s.objectives) j["objectives"].push_back({o.column, o.maximize});
  return sha256_hex(j.dump());
}

/// The results.csv columns of a spec.
ResultsLayout layout_of(const SweepSpec& s) {
  ResultsLayout l;
  for (const SweepAxis& a : s.axes) l.axes.push_back(a.name);
  l.metrics = s.metrics;
  for (const SweepObjective& o : s.objectives) l.objectives.push_back({o.column, o.maximize});
  return l;
}

/// sweep.json: what merge and plot need to know about the sweep without its spec, and this
/// directory's points (index and key).
json manifest_of(const SweepPlan& plan) {
  const SweepSpec& s = plan.spec;
  json m;
  m["format"] = kManifestFormat;
  m["arraysim_version"] = plan.version;
  m["sweep_id"] = plan.sweep_id;
  m["name"] = s.name;
  m["spec"] = fs::absolute(s.file).lexically_normal().string();
  m["base"] = fs::absolute(s.base).lexically_normal().string();
  m["points_total"] = plan.total_points;
  m["shard"] = {{"index", plan.shard.index}, {"count", plan.shard.count}};
  m["axes"] = json::array();
  m["axis_keys"] = json::array();
  m["axis_values"] = json::array();
  for (const SweepAxis& a : s.axes) {
    m["axes"].push_back(a.name);
    m["axis_keys"].push_back(a.key);
    json vals = json::array();
    for (const AxisValue& v : a.values) vals.push_back(v.text);
    m["axis_values"].push_back(vals);
  }
  m["metrics"] = s.metrics;
  m["objectives"] = json::array();
  for (const SweepObjective& o : s.objectives)
    m["objectives"].push_back({{"column", o.column}, {"goal", o.maximize ? "maximize" : "minimize"}});
  m["points"] = json::array();
  for (const PlannedPoint& p : plan.points) m["points"].push_back({{"point", p.point.index}, {"key", p.key}});
  return m;
}

/// A point's error text from its stderr: the non-empty lines joined by " | ", shortened.
std::string error_text(const fs::path& stderr_path) {
  const std::string text = read_if_readable(stderr_path).value_or("");
  std::string out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (!line.empty()) out += (out.empty() ? "" : " | ") + line;
  }
  if (out.size() > kMaxErrorChars) out = out.substr(0, kMaxErrorChars) + "...";
  return out;
}

/// Writes a file of the sweep's own state (sweep.json, a record, results.csv). A failure (a full
/// disk) stops the sweep with a message that says it can be resumed: every finished point whose
/// record was written is kept.
void write_state(const std::string& path, const std::string& text, util::Durability durability) {
  try {
    util::write_atomically(path, text, durability);
  } catch (const std::runtime_error& e) {
    throw std::runtime_error(std::string(e.what()) +
                             "; the sweep stopped: make room and run the same command again to resume it "
                             "(finished points are kept)");
  }
}

/// Fills `r.metrics` from DIR/stats.json; returns the problem ("" when every metric was read).
std::string read_metrics(const fs::path& stats_path, const std::vector<std::string>& metrics, PointRecord& r) {
  const std::optional<std::string> text = read_if_readable(stats_path);
  if (!text) return "cannot read " + stats_path.string();
  json stats;
  try {
    stats = json::parse(*text);
  } catch (const json::exception& e) {
    return "cannot parse " + stats_path.string() + ": " + e.what();
  }
  for (const std::string& m : metrics) {
    std::string why;
    const json* v = find_metric(stats, m, why);
    if (!v) return why;
    r.metrics[m] = *v;
  }
  return "";
}

}  // namespace

std::string self_exe() {
  std::error_code ec;
  const fs::path p = fs::read_symlink("/proc/self/exe", ec);
  if (ec) throw std::runtime_error("cannot find the arraysim executable (/proc/self/exe): " + ec.message());
  return p.string();
}

Shard parse_shard(const std::string& text) {
  const auto slash = text.find('/');
  const auto i = slash == std::string::npos ? std::nullopt : parse_count(text.substr(0, slash));
  const auto n = slash == std::string::npos ? std::nullopt : parse_count(text.substr(slash + 1));
  if (!i || !n || *n == 0 || *i >= *n)
    throw SweepInputError("--shard expects I/N with 0 <= I < N (e.g. 0/4 is the first of 4 slices), got '" +
                          config::printable(text, 40) + "'");
  return {*i, *n};
}

std::optional<Shard> shard_from_slurm_env() {
  const char* id = std::getenv("SLURM_ARRAY_TASK_ID");
  const char* count = std::getenv("SLURM_ARRAY_TASK_COUNT");
  if (!id || !count) return std::nullopt;
  const char* min = std::getenv("SLURM_ARRAY_TASK_MIN");
  const auto i = parse_count(id), n = parse_count(count), m = parse_count(min ? min : "0");
  if (!i || !n || !m || *i < *m || *i - *m >= *n || *n == 0)
    throw SweepInputError(
        fmt::format("SLURM_ARRAY_TASK_ID={} SLURM_ARRAY_TASK_MIN={} SLURM_ARRAY_TASK_COUNT={} do not name "
                    "one slice of the sweep (ID - MIN must be in 0..COUNT-1; use --array=0-(N-1))",
                    id, min ? min : "(unset)", count));
  return Shard{*i - *m, *n};
}

SweepPlan plan_sweep(const std::string& spec_file, const Shard& shard, const std::string& version) {
  SweepPlan plan;
  plan.spec = load_sweep_spec(spec_file);
  plan.shard = shard;
  plan.version = version;
  const SweepSpec& s = plan.spec;

  std::vector<std::string> fixed;
  for (const FixedSet& f : s.sets) fixed.push_back(f.key + "=" + f.text);
  config::Experiment base;
  try {
    base = config::load_experiment(s.base, fixed);
  } catch (const config::ConfigError& e) {
    rethrow_at_point(e, s, nullptr);
  }
  const auto check_layers = [&](const config::Experiment& e, const SweepPoint* p) {
    if (s.layers.empty()) return;
    try {
      config::select_layers(e.workload, s.layers);
    } catch (const config::LayerSpecError& err) {
      throw_at(s.layers_place, std::string(err.what()) + (p ? " (sweep point " + describe_point(s, *p) + ")" : ""));
    }
  };
  check_layers(base, nullptr);
  plan.base_layers =
      s.layers.empty() ? base.workload.layers.size() : config::select_layers(base.workload, s.layers).size();

  const std::vector<SweepPoint> all = enumerate_points(s);
  plan.total_points = all.size();
  plan.sweep_id = sweep_identity(s, version, config::effective_yaml(base));
  std::map<std::string, std::size_t> seen;  // key -> index in plan.points
  for (const SweepPoint& p : all) {
    if (p.index % shard.count != shard.index) continue;
    PlannedPoint pp;
    pp.point = p;
    pp.overrides = point_overrides(s, p);
    config::Experiment e;
    try {
      e = config::load_experiment(s.base, pp.overrides);
    } catch (const config::ConfigError& err) {
      rethrow_at_point(err, s, &p);
    }
    check_layers(e, &p);
    pp.key = point_key(version, s.layers, config::effective_yaml(e));
    if (auto [it, fresh] = seen.emplace(pp.key, plan.points.size()); !fresh) {
      const SweepPoint& q = plan.points[it->second].point;
      // Report at the first axis where the two points differ (the value that changes nothing).
      std::size_t a = 0;
      while (a < s.axes.size() && q.value_index[a] == p.value_index[a]) ++a;
      const SpecPlace& where = a < s.axes.size() ? s.axes[a].values[p.value_index[a]].place : s.axes.front().place;
      throw_at(where, fmt::format("sweep points {} ({}) and {} ({}) have the same effective configuration; "
                                  "remove the value or the axis that does not change it",
                                  q.index, describe_point(s, q), p.index, describe_point(s, p)));
    }
    plan.points.push_back(std::move(pp));
  }
  return plan;
}

void check_metric_paths(const SweepPlan& plan) {
  const SweepSpec& s = plan.spec;
  const std::vector<std::string> paths = stats::metric_paths(plan.base_layers);
  config::Diagnostics d;
  d.set_main_file(s.file);
  for (std::size_t i = 0; i < s.metrics.size(); ++i) {
    const std::string why = stats::metric_path_problem(s.metrics[i], plan.base_layers);
    if (why.empty()) continue;
    const bool exists = std::binary_search(paths.begin(), paths.end(), s.metrics[i]);
    const std::string near = exists ? "" : config::closest_match(s.metrics[i], paths);
    d.add(s.metric_places[i].loc, s.metric_places[i].path,
          "unknown metric: " + why + (near.empty() ? "" : " (did you mean '" + near + "'?)") +
              " (docs/outputs.md lists the fields)");
  }
  d.throw_if_any();
}

int run_sweep(const SweepOptions& opt) {
  const Clock::time_point t0 = Clock::now();
  std::optional<Shard> shard = opt.shard;
  if (!shard) shard = shard_from_slurm_env();
  const bool sharded = shard.has_value();
  const SweepPlan plan = plan_sweep(opt.spec_file, shard.value_or(Shard{}), opt.version);
  const SweepSpec& s = plan.spec;
  // A shard leaves the check to `--emit` (which checks once for every shard) or to its points.
  if (!sharded) check_metric_paths(plan);

  const fs::path dir(opt.out_dir);
  check_same_spec(dir, fs::absolute(s.file).lexically_normal().string(), opt.force);
  make_dirs(dir / "points");
  make_dirs(dir / "runs");
  DirLock lock(dir);
  util::remove_stale_temporaries(dir.string());
  util::remove_stale_temporaries((dir / "points").string());
  write_state((dir / "sweep.json").string(), manifest_of(plan).dump(1) + "\n", util::Durability::fsync);

  const ResultsLayout layout = layout_of(s);
  std::map<std::size_t, PointRecord> rows;  // point index -> record
  std::vector<const PlannedPoint*> todo;
  const auto values_of = [&](const PlannedPoint& p) {
    std::vector<std::string> v;
    for (std::size_t a = 0; a < s.axes.size(); ++a) v.push_back(s.axes[a].values[p.point.value_index[a]].text);
    return v;
  };
  // Resume: a point with a record is finished (failed ones too, unless --retry-failed). A damaged
  // record (not JSON, missing fields, another key) is reported and its point runs again.
  for (const PlannedPoint& p : plan.points) {
    const fs::path rec_path = dir / "points" / (p.key + ".json");
    const std::optional<std::string> text = read_if_readable(rec_path);
    std::optional<PointRecord> rec;
    if (text) {
      std::string why = "missing or mistyped fields";
      try {
        rec = record_from_json(json::parse(*text));
      } catch (const json::exception& e) {
        why = std::string("not JSON: ") + e.what();
      }
      if (rec && rec->key != p.key) rec.reset(), why = "it holds the record of another point";
      if (!rec)
        std::cerr << "arraysim: sweep: warning: " << rec_path.string() << " is damaged (" << why << "); point "
                  << p.point.index << " runs again\n";
    }
    if (rec && rec->status != PointStatus::ok && opt.retry_failed) rec.reset();
    if (rec && rec->status == PointStatus::ok) {
      // Metrics added to the spec since: read them from the run's stats.json.
      const bool missing = std::any_of(s.metrics.begin(), s.metrics.end(),
                                       [&](const std::string& m) { return !rec->metrics.contains(m); });
      if (missing) {
        if (read_metrics(dir / rec->run_dir / "stats.json", s.metrics, *rec).empty())
          write_state(rec_path.string(), to_json(*rec).dump(1) + "\n", util::Durability::fsync);
        else
          rec.reset();
      }
    }
    if (!rec) {
      todo.push_back(&p);
      continue;
    }
    rec->point = p.point.index;
    rec->values = values_of(p);
    rows[p.point.index] = std::move(*rec);
  }
  const std::size_t before = rows.size();
  const fs::path results = dir / "results.csv";
  // results.csv is derived from the records: a damaged one is reported and written anew.
  if (const std::optional<std::string> old = read_if_readable(results)) {
    const std::string why = results_csv_problem(*old);
    if (!why.empty())
      std::cerr << "arraysim: sweep: warning: " << results.string() << " was damaged (" << why
                << "); written anew from the point records\n";
  }
  write_state(results.string(), results_csv(layout, sorted_rows(rows)), util::Durability::rename_only);

  SweepProgress progress(std::cerr, plan.points.size(), before, opt.progress);
  const auto failed_count = [&] {
    const Counts c = count(rows);
    return c.failed + c.timeout;
  };
  progress.update(rows.size(), failed_count());
  {
    ProcessPool pool(opt.timeout_s);
    bool stale = false;  // rows has points results.csv does not show yet
    Clock::time_point last_write = Clock::now();
    Clock::duration write_cost{};
    std::size_t next = 0;
    const std::size_t jobs = std::max<std::size_t>(1, opt.jobs);
    while (next < todo.size() || pool.running() > 0) {
      while (pool.running() < jobs && next < todo.size()) {
        const PlannedPoint& p = *todo[next];
        const fs::path run_dir = dir / "runs" / p.key;
        std::error_code ec;
        fs::remove_all(run_dir, ec);  // what an attempt killed with the sweep left behind
        make_dirs(run_dir);
        util::ProcessSpec ps;
        ps.argv = {opt.exe, "run", s.base};
        for (const std::string& o : p.overrides) ps.argv.insert(ps.argv.end(), {"--set", o});
        if (!s.layers.empty()) ps.argv.insert(ps.argv.end(), {"--layers", s.layers});
        if (!opt.run_plots) ps.argv.push_back("--no-plots");  // the sweep plots across points instead
        ps.argv.insert(ps.argv.end(), {"--out", run_dir.string()});
        ps.stdout_path = (run_dir / "stdout.txt").string();
        ps.stderr_path = (run_dir / "stderr.txt").string();
        pool.start(next, ps);
        ++next;
      }
      for (const auto& [id, o] : pool.wait(0.25)) {
        const PlannedPoint& p = *todo[id];
        PointRecord r;
        r.key = p.key;
        r.point = p.point.index;
        r.values = values_of(p);
        r.wall_s = o.wall_s;
        r.run_dir = "runs/" + p.key;
        const fs::path run_dir = dir / r.run_dir;
        if (o.timed_out) {
          r.status = PointStatus::timeout;
          r.error = fmt::format("timed out after {} s (--timeout-s)", opt.timeout_s);
        } else if (o.exited && o.exit_code == 0) {
          // The run re-read the base experiment: check it simulated the configuration the key names.
          const std::optional<std::string> eff = read_if_readable(run_dir / "effective_config.yaml");
          if (eff && point_key(opt.version, s.layers, *eff) != p.key)
            r.error =
                "the run's effective_config.yaml differs from the planned configuration (were the base "
                "experiment or its files edited during the sweep?)";
          else
            r.error = read_metrics(run_dir / "stats.json", s.metrics, r);
          r.status = r.error.empty() ? PointStatus::ok : PointStatus::failed;
        } else {
          r.status = PointStatus::failed;
          const std::string err = error_text(run_dir / "stderr.txt");
          r.error = (o.exited ? fmt::format("exit {}", o.exit_code)
                              : fmt::format("killed by signal {} ({})", o.signal, ::strsignal(o.signal))) +
                    (err.empty() ? "" : ": " + err);
        }
        // The record is the point's commit: written (and synced) before results.csv shows it.
        write_state((dir / "points" / (r.key + ".json")).string(), to_json(r).dump(1) + "\n", util::Durability::fsync);
        rows[r.point] = std::move(r);
        stale = true;
      }
      // results.csv follows the records: rewritten after every point, except that rewriting may
      // take at most a tenth of the time (huge sweeps: it then lags a few points behind).
      const bool last = next == todo.size() && pool.running() == 0;
      if (stale && (last || Clock::now() - last_write >= 10 * write_cost)) {
        const Clock::time_point w0 = Clock::now();
        write_state(results.string(), results_csv(layout, sorted_rows(rows)), util::Durability::rename_only);
        last_write = Clock::now();
        write_cost = last_write - w0;
        stale = false;
      }
      progress.update(rows.size(), failed_count());
    }
  }
  progress.finish();
  const double elapsed = std::chrono::duration<double>(Clock::now() - t0).count();
  if (!sharded && opt.plot) plot_front(dir, layout);

  const Counts c = count(rows);
  const std::size_t ran = rows.size() - before;
  std::cout << "sweep: " << (sharded ? fmt::format("shard {}/{}: ", shard->index, shard->count) : "")
            << fmt::format(
                   "{} points: {} ok, {} failed, {} timed out ({} run now, {} done before) in {:.2f} s, {:.1f} "
                   "points/s; results: {}",
                   plan.points.size(), c.ok, c.failed, c.timeout, ran, before, elapsed,
                   elapsed > 0 ? static_cast<double>(ran) / elapsed : 0.0, results.string())
            << std::endl;
  return c.ok == plan.points.size() ? 0 : 1;
}

}  // namespace arraysim::sweep
