#include "sim/stats/stats_json.hpp"

#include <filesystem>
#include <nlohmann/json.hpp>

#include "sim/stats/fields.hpp"
#include "sim/stats/timeline.hpp"
#include "sim/util/read_file.hpp"

namespace arraysim::stats {

namespace {
using nlohmann::json;

/// The content of a file of the run directory; RunDirError "PATH: cannot read (REASON)" if none.
std::string read_file(const std::filesystem::path& p) {
  try {
    return util::read_input(p.string(), kMaxRunFileBytes);
  } catch (const util::FileReadError& e) {
    throw RunDirError(p.string() + ": cannot read (" + e.reason() + ")");
  }
}
}  // namespace

RunResult run_from_json(const std::string& text) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::exception& e) {
    throw std::runtime_error(std::string("not JSON: ") + e.what());
  }
  RunResult r;
  fields_from_json(j, r);
  // Runs written before these fields existed.
  if (r.fidelity_setting.empty()) r.fidelity_setting = r.fidelity;
  if (!j.contains("workload_layers") || j.at("workload_layers").is_null())
    r.workload_layers = static_cast<std::int64_t>(r.layers.size());
  return r;
}

RunResult read_run_dir(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    throw RunDirError(dir + ": not a run directory (expected the --out directory of arraysim run)");
  const fs::path stats = fs::path(dir) / "stats.json";
  if (!fs::exists(stats, ec))
    throw RunDirError(stats.string() + ": missing (expected the --out directory of arraysim run)");
  RunResult r;
  try {
    r = run_from_json(read_file(stats));
  } catch (const RunDirError&) {
    throw;
  } catch (const std::exception& e) {
    throw RunDirError(stats.string() + ": " + e.what());
  }
  const fs::path timeline = fs::path(dir) / "timeline.json";
  if (fs::exists(timeline, ec)) {
    const std::string text = read_file(timeline);
    try {
      const json j = json::parse(text);
      const bool simulated = j.contains("otherData") && j["otherData"].value("timeline_source", "") == "simulator";
      if (simulated) r.timeline = timeline_from_chrome_trace(text);
    } catch (const std::exception& e) {
      throw RunDirError(timeline.string() + ": " + e.what());
    }
  }
  return r;
}

void write_file(const std::string& path, const std::string& content) {
  namespace fs = std::filesystem;
  const fs::path p(path);
  const fs::path dir = p.has_parent_path() ? p.parent_path() : fs::path(".");
  write_files(dir.string(), {{p.filename().string(), content}});
}

}  // namespace arraysim::stats
