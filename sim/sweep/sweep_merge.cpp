/// `arraysim sweep merge` and `arraysim sweep SPEC --emit slurm|jobs` (docs/sweeps.md).
#include "sim/sweep/sweep.hpp"

#include <sys/stat.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <map>

#include "sim/config/diagnostics.hpp"
#include "sim/sweep/sweep_dir.hpp"
#include "sim/sweep/sweep_results.hpp"
#include "sim/util/write_atomically.hpp"

namespace arraysim::sweep {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace dir;

int merge_sweeps(const std::vector<std::string>& dirs, const std::string& out_dir, bool plot) {
  if (dirs.empty()) throw SweepInputError("sweep merge: give the sweep output directories to merge");
  std::vector<json> manifests;
  for (const std::string& d : dirs) manifests.push_back(read_manifest(d));
  const std::string id = manifests.front().at("sweep_id");
  for (std::size_t i = 1; i < dirs.size(); ++i)
    if (manifests[i].at("sweep_id") != id)
      throw SweepInputError("'" + dirs[i] + "' holds another sweep than '" + dirs.front() +
                            "' (different sweep_id in sweep.json: the spec, the base experiment or the arraysim "
                            "version differ)");
  const ResultsLayout layout = layout_of(manifests.front());
  const fs::path out(out_dir);
  make_dirs(out / "points");
  const fs::path out_abs = fs::weakly_canonical(fs::absolute(out));

  // The union by point: an ok record wins over a failed one, then the first directory given.
  std::map<std::size_t, PointRecord> rows;
  std::map<std::size_t, std::string> keys;  // every point any manifest lists
  for (std::size_t i = 0; i < dirs.size(); ++i) {
    for (const json& e : manifests[i].at("points")) {
      const std::size_t point = e.at("point");
      const std::string key = e.at("key");
      keys.emplace(point, key);
      const std::optional<std::string> text = read_if_readable(fs::path(dirs[i]) / "points" / (key + ".json"));
      if (!text) continue;
      std::optional<PointRecord> rec;
      try {
        rec = record_from_json(json::parse(*text));
      } catch (const json::exception&) {
      }
      if (!rec || rec->key != key) continue;
      auto it = rows.find(point);
      if (it != rows.end() && !(it->second.status != PointStatus::ok && rec->status == PointStatus::ok)) continue;
      rec->point = point;
      // The run directory stays in place: refer to it from OUT.
      std::error_code ec;
      const fs::path run = fs::weakly_canonical(fs::absolute(fs::path(dirs[i]) / rec->run_dir), ec);
      const fs::path rel = fs::relative(run, out_abs, ec);
      rec->run_dir = ec || rel.empty() ? run.string() : rel.generic_string();
      rows[point] = std::move(*rec);
    }
  }
  DirLock lock(out);
  util::remove_stale_temporaries(out.string());
  util::remove_stale_temporaries((out / "points").string());
  for (const auto& kv : rows)
    util::write_atomically((out / "points" / (kv.second.key + ".json")).string(), to_json(kv.second).dump(1) + "\n",
                           util::Durability::fsync);
  json m = manifests.front();
  m["shard"] = {{"index", 0}, {"count", 1}};
  m["points"] = json::array();
  for (const auto& [point, key] : keys) m["points"].push_back({{"point", point}, {"key", key}});
  util::write_atomically((out / "sweep.json").string(), m.dump(1) + "\n", util::Durability::fsync);
  const fs::path results = out / "results.csv";
  util::write_atomically(results.string(), results_csv(layout, sorted_rows(rows)), util::Durability::rename_only);
  if (plot) plot_front(out, layout);

  const std::size_t total = m.at("points_total");
  const Counts c = count(rows);
  std::string missing;
  std::size_t nmissing = 0;
  for (std::size_t p = 0; p < total; ++p) {
    if (rows.count(p)) continue;
    if (++nmissing <= 10) missing += (missing.empty() ? "" : ", ") + std::to_string(p);
  }
  if (nmissing > 10) missing += ", ...";
  std::cout << fmt::format("sweep merge: {} directories: {} of {} points ({} ok, {} failed, {} timed out)", dirs.size(),
                           rows.size(), total, c.ok, c.failed, c.timeout);
  if (nmissing) std::cout << fmt::format("; {} missing (points {}): run their shards again", nmissing, missing);
  std::cout << "; results: " << results.string() << std::endl;
  return nmissing == 0 && c.ok == rows.size() ? 0 : 1;
}

void emit_sweep(const EmitOptions& opt) {
  const SweepOptions& so = opt.sweep;
  if (opt.kind != "slurm" && opt.kind != "jobs")
    throw SweepInputError("--emit expects slurm or jobs, got '" + config::printable(opt.kind, 40) + "'");
  if (opt.kind != "slurm" && !opt.sbatch_options.empty())
    throw SweepInputError("--sbatch-option only applies to --emit slurm");
  for (const std::string& o : opt.sbatch_options)
    if (o.size() < 2 || o[0] != '-' || o.find_first_of("\n\r") != std::string::npos)
      throw SweepInputError("--sbatch-option expects one sbatch option such as --partition=gpu, got '" +
                            config::printable(o, 60) + "'");
  const SweepPlan plan = plan_sweep(so.spec_file, Shard{}, so.version);  // checks every point
  check_metric_paths(plan);
  const std::size_t shards = std::min(plan.total_points, opt.shards ? opt.shards : std::size_t{1000});

  const fs::path out = fs::absolute(so.out_dir).lexically_normal();
  const std::string exe = shell_quote(so.exe),
                    spec = shell_quote(fs::absolute(so.spec_file).lexically_normal().string());
  std::string common = " -j " + std::to_string(std::max<std::size_t>(1, so.jobs));
  if (so.timeout_s > 0) common += fmt::format(" --timeout-s {}", so.timeout_s);
  if (so.retry_failed) common += " --retry-failed";
  if (so.run_plots) common += " --run-plots";
  const std::string merge =
      exe + " sweep merge " + shell_quote((out / "shards").string()) + "/* --out " + shell_quote(out.string());
  make_dirs(out);
  if (opt.kind == "jobs") {
    std::string text;
    for (std::size_t i = 0; i < shards; ++i)
      text += fmt::format("{} sweep {} --shard {}/{} --out {}{}\n", exe, spec, i, shards,
                          shell_quote((out / "shards" / std::to_string(i)).string()), common);
    const fs::path file = out / "jobs.txt";
    util::write_atomically(file.string(), text, util::Durability::fsync);
    std::cout << fmt::format("wrote {} ({} shard commands over {} points)\n  run:   parallel < {}\n  merge: {}\n",
                             file.string(), shards, plan.total_points, shell_quote(file.string()), merge);
    return;
  }
  make_dirs(out / "slurm-logs");
  std::string text = "#!/bin/bash\n";
  text += fmt::format("# Slurm job array of the arraysim sweep '{}' ({} points in {} slices).\n", plan.spec.name,
                      plan.total_points, shards);
  text += "# Array task I runs slice I (from SLURM_ARRAY_TASK_ID/COUNT) into " + (out / "shards").string() + "/I.\n";
  text += "# Submit:                 sbatch " + shell_quote((out / "sweep.sbatch").string()) + "\n";
  text += "# When every task ended:  " + merge + "\n";
  text += fmt::format("#SBATCH --job-name={}\n", shell_quote("arraysim-" + plan.spec.name));
  text += fmt::format("#SBATCH --array=0-{}\n", shards - 1);
  text += "#SBATCH --ntasks=1\n";
  text += fmt::format("#SBATCH --cpus-per-task={}\n", std::max<std::size_t>(1, so.jobs));
  text += "#SBATCH --output=" + (out / "slurm-logs").string() + "/%A_%a.out\n";
  for (const std::string& o : opt.sbatch_options) text += "#SBATCH " + o + "\n";
  text += "set -euo pipefail\n";
  text += "exec " + exe + " sweep " + spec + " --out " + shell_quote((out / "shards").string()) +
          "/\"${SLURM_ARRAY_TASK_ID}\"" + common + "\n";
  const fs::path file = out / "sweep.sbatch";
  util::write_atomically(file.string(), text, util::Durability::fsync);
  ::chmod(file.c_str(), 0755);
  std::cout << fmt::format("wrote {} (Slurm job array of {} tasks over {} points)\n  submit: sbatch {}\n  merge:  {}\n",
                           file.string(), shards, plan.total_points, shell_quote(file.string()), merge);
}

}  // namespace arraysim::sweep
