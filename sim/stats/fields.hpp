#pragma once
/// One declaration of every field of stats.json and of the layers.csv columns (docs/outputs.md):
/// name, type, unit, meaning, the levels that carry it, and how its value is taken from a
/// RunResult / LayerResult and read back into one. The JSON writer (to_json), the CSV writer
/// (to_csv), the reader (run_from_json), the field tables of docs/outputs.md and the check of a
/// sweep's metric paths are all driven by this table, so they cannot disagree.
#include <cstddef>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "sim/stats/report.hpp"

namespace arraysim::stats {

/// The objects of stats.json that carry a field: the run's top level, each layer (and so each
/// row of layers.csv), or both (the run then carries the total over its layers).
enum class FieldLevel { run, layer, both };

/// The JSON type of a field's value.
enum class FieldType {
  integer,
  number,
  boolean,
  string,
  integer_list,  ///< a list of integers (a tensor shape)
  object,        ///< an object whose keys are the field's members
  object_list,   ///< a list of objects whose keys are the field's members
  layer_list,    ///< the run's `layers`: one object per layer, whose keys are the layer-level fields
};

/// One column of layers.csv: its name and the member of the field it shows ("" for the value).
struct CsvColumn {
  std::string name;
  std::string member;
};

/// One field of stats.json. The members of an object field are Fields too; for them `level` is
/// unused and an empty unit means the parent's.
struct Field {
  std::string name;  ///< the JSON key
  FieldType type = FieldType::integer;
  FieldLevel level = FieldLevel::both;
  std::string unit;  ///< "cycles", "bytes/cycle", "0..1", ...; "–" for none
  /// Markdown, for docs/outputs.md. A member without one is listed in its parent's row.
  std::string description;
  bool nullable = false;  ///< null when the run did not measure it
  /// Reading stats.json back (run_from_json) rejects a file without it. Otherwise an absent or
  /// null field leaves the default (zero, empty), so files from older versions still read.
  bool required = false;
  std::vector<Field> members;  ///< object and object_list fields
  std::vector<CsvColumn> csv;  ///< its layers.csv columns, in order; none: JSON only
  /// The value at the run's top level (levels run and both).
  std::function<nlohmann::json(const RunResult&)> of_run;
  /// The value in a layer's object and row (levels layer and both).
  std::function<nlohmann::json(const LayerResult&)> of_layer;
  /// Stores a value read back from stats.json, already checked against the declaration and not
  /// null. Empty: derived from other fields (a run total, a ratio), never read back.
  std::function<void(RunResult&, const nlohmann::json&)> to_run;
  std::function<void(LayerResult&, const nlohmann::json&)> to_layer;
};

/// Every field, in the order of the layers.csv columns (fields of the run only among them).
const std::vector<Field>& fields();

/// stats.json of `r` as a JSON object (keys in nlohmann::json's sorted order).
nlohmann::json fields_json(const RunResult& r);

/// layers.csv of `r`: a header of every column, then one row per layer. Integers as they are,
/// numbers with 6 decimals, booleans `true`/`false`, null as an empty cell, strings quoted as
/// RFC 4180 asks when they hold a comma, a quote or a line break.
std::string fields_csv(const RunResult& r);

/// Fills `r` from stats.json `j` as fields_json wrote it. Throws std::runtime_error
/// "FIELD.PATH: problem" (`missing`, `expected an integer`, ...) for a required field that is
/// absent or any field of the wrong type.
void fields_from_json(const nlohmann::json& j, RunResult& r);

/// The field tables of docs/outputs.md (between its `stats-fields` markers), in Markdown:
/// the fields of both levels, of the run only, of each layer only.
std::string fields_markdown();

/// Checks a sweep metric: a dotted path to one value of the stats.json of a run that reported
/// `layers` layers (`total_cycles`, `dram_read_bytes.total`, `layers.0.total_cycles`). Returns ""
/// when the declaration has it, else the problem: "stats.json has no 'PATH'", "'PATH' in
/// stats.json is an object; name one of its fields: ...", "... is a list of N; add an index,
/// e.g. PATH.0", "... is a value, not an object", "... is a list of N; 'X' is not an index into
/// it". Lists of values (shapes) accept any index: their length is the layer's.
std::string metric_path_problem(const std::string& path, std::size_t layers);

/// Every path metric_path_problem accepts or that ends at a list, sorted, for did-you-mean:
/// run fields, then `layers.I.` + each layer field for I < `layers`.
std::vector<std::string> metric_paths(std::size_t layers);

}  // namespace arraysim::stats
