#pragma once
/// Sweep results on disk (docs/sweeps.md "Results"): one JSON record per finished point
/// (points/KEY.json, the truth, written by rename), results.csv regenerated from them, the Pareto
/// front, and the metric lookup into stats.json.
#include <nlohmann/json.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace arraysim::sweep {

/// How a point ended: `ok` (exit 0 and every metric read), `failed` (non-zero exit, a signal, or a
/// metric missing from stats.json) or `timeout` (killed after --timeout-s).
enum class PointStatus { ok, failed, timeout };
std::string to_string(PointStatus s);

/// One finished point.
struct PointRecord {
  std::string key;                  ///< point key (sweep_hash.hpp)
  std::size_t point = 0;            ///< index in the sweep that ran it
  std::vector<std::string> values;  ///< axis values as written, in axis order
  PointStatus status = PointStatus::failed;
  std::string error;                                  ///< one line; empty when ok
  double wall_s = 0;                                  ///< host wall time of the `arraysim run` process, seconds
  std::string run_dir;                                ///< the run's --out directory, relative to the sweep directory
  nlohmann::json metrics = nlohmann::json::object();  ///< metric path -> stats.json value
};

nlohmann::json to_json(const PointRecord& r);
/// A record from its JSON; nullopt when a field is missing or has the wrong type (a record from
/// another arraysim version: the point runs again).
std::optional<PointRecord> record_from_json(const nlohmann::json& j);

/// A Pareto objective column and its direction.
struct ObjectiveColumn {
  std::string column;
  bool maximize = false;
};

/// The columns of results.csv besides the fixed ones.
struct ResultsLayout {
  std::vector<std::string> axes;     ///< axis column names
  std::vector<std::string> metrics;  ///< metric paths
  std::vector<ObjectiveColumn> objectives;
};

/// The fixed columns of results.csv (point, key, status, pareto, wall_s, run_dir, error): no axis
/// may be named like one of them.
const std::vector<std::string>& reserved_columns();

/// The fixed columns, in order around the axis and metric columns:
///   point,key,AXES...,status,METRICS...,pareto,wall_s,run_dir,error
std::vector<std::string> results_header(const ResultsLayout& layout);

/// Pareto membership of each row: rows[i][k] is objective k of row i (nullopt: not available).
/// Returns true for rows no other row dominates (at least as good in every objective and better
/// in one), false for dominated rows, nullopt for rows with a missing objective. O(n²).
std::vector<std::optional<bool>> pareto_front(const std::vector<std::vector<std::optional<double>>>& rows,
                                              const std::vector<bool>& maximize);

/// results.csv for `records` (sorted by point by the caller): the header and one row per record,
/// with the Pareto front over the `ok` rows.
std::string results_csv(const ResultsLayout& layout, const std::vector<PointRecord>& records);

/// Why a results.csv text is damaged ("row 3: 5 fields, the header has 9"; "ends inside a quoted
/// field"; "no header"), or "" when it is a table whose header starts with point,key and whose
/// rows all have the header's number of fields.
std::string results_csv_problem(const std::string& text);

/// Parses CSV text (RFC 4180) into rows of fields. Throws std::runtime_error for an unterminated quote.
std::vector<std::vector<std::string>> parse_csv(const std::string& text);

/// A stats.json value as a CSV cell: numbers as JSON writes them, strings as is, null as empty.
std::string metric_text(const nlohmann::json& v);

/// The value at a dotted path (`dram_read_bytes.total`, `layers.0.total_cycles`) in `stats`; nullptr
/// when absent. Sets `why` to a message when absent or when the value is an object or a list.
const nlohmann::json* find_metric(const nlohmann::json& stats, const std::string& path, std::string& why);

}  // namespace arraysim::sweep
