/// The regression record (tests/regression/README.md): each case of tests/regression/cases.txt
/// is run with the arraysim binary built beside these tests, and its stats.json is compared field
/// by field with the stored record records/GROUP/CASE.json. There is one test case per group, so
/// ctest runs the groups in parallel. With ARRAYSIM_REGRESSION_WRITE=1 (regenerate.sh) the test
/// cases rewrite the record files instead and print what changed.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support.hpp"

using arraysim::test::read_text;
using arraysim::test::run_shell;
using arraysim::test::src_path;
using arraysim::test::TempDir;
namespace fs = std::filesystem;

namespace {

/// One line of cases.txt.
struct RegressionCase {
  std::string group;
  std::string name;
  std::string arguments;  ///< of `arraysim run`, with paths relative to the source tree

  /// "GROUP/CASE", as the differences name the case.
  std::string id() const { return group + "/" + name; }
};

/// The cases of cases.txt and the problems found reading it.
struct CaseList {
  std::vector<RegressionCase> cases;
  std::vector<std::string> errors;
};

/// The fields of one level of a record: dotted key -> value (a scalar, or an array of scalars).
using Fields = std::map<std::string, nlohmann::json>;

/// What the record keeps of one run's stats.json.
struct Record {
  std::string case_id;
  std::string arguments;
  Fields run;                  ///< the run totals and the run-level fields
  std::vector<Fields> layers;  ///< one per layer, in run order
};

/// The directory of cases.txt and records/: ARRAYSIM_REGRESSION_DIR, else tests/regression of
/// the source tree these tests were built from.
fs::path regression_dir() {
  const char* env = std::getenv("ARRAYSIM_REGRESSION_DIR");
  return fs::absolute(env && *env ? fs::path(env) : fs::path(src_path("tests/regression"))).lexically_normal();
}

/// The tree the paths of the cases are relative to: two levels above the regression directory.
fs::path source_root() { return (regression_dir() / ".." / "..").lexically_normal(); }

/// The arraysim binary under test: ARRAYSIM_REGRESSION_BINARY, else the one built with the tests.
std::string arraysim_binary() {
  const char* env = std::getenv("ARRAYSIM_REGRESSION_BINARY");
  return env && *env ? std::string(env) : std::string(ARRAYSIM_BINARY);
}

/// True when ARRAYSIM_REGRESSION_WRITE=1: rewrite the record files instead of comparing.
bool write_mode() {
  const char* env = std::getenv("ARRAYSIM_REGRESSION_WRITE");
  return env && std::string(env) == "1";
}

/// `s` as one single-quoted /bin/sh word.
std::string sh_quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

/// Group and case names are file names: letters, digits, '_', '-' and '.', not starting with '.'.
bool valid_name(const std::string& s) {
  if (s.empty() || s[0] == '.') return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
  });
}

/// Reads cases.txt: `GROUP CASE ARGUMENTS` per line; blank lines and lines starting with '#'
/// are skipped.
CaseList read_cases(const fs::path& file) {
  CaseList list;
  std::ifstream in(file);
  if (!in) {
    list.errors.push_back(file.string() + ": cannot be read");
    return list;
  }
  std::map<std::string, int> first_line;
  std::string text;
  for (int line = 1; std::getline(in, text); ++line) {
    const auto start = text.find_first_not_of(" \t\r");
    if (start == std::string::npos || text[start] == '#') continue;
    std::istringstream fields(text);
    RegressionCase c;
    fields >> c.group >> c.name;
    std::getline(fields, c.arguments);
    const auto a = c.arguments.find_first_not_of(" \t");
    const auto b = c.arguments.find_last_not_of(" \t\r");
    c.arguments = a == std::string::npos ? "" : c.arguments.substr(a, b - a + 1);
    const std::string where = file.string() + ":" + std::to_string(line) + ": ";
    if (c.arguments.empty()) {
      list.errors.push_back(where + "expected GROUP CASE ARGUMENTS, got '" + text + "'");
    } else if (!valid_name(c.group) || !valid_name(c.name)) {
      list.errors.push_back(where + "group and case names may hold only letters, digits, '_', '-' and '.': '" +
                            c.group + "', '" + c.name + "'");
    } else if (auto [it, fresh] = first_line.emplace(c.id(), line); !fresh) {
      list.errors.push_back(where + "case " + c.id() + " is already on line " + std::to_string(it->second));
    } else {
      list.cases.push_back(c);
    }
  }
  return list;
}

/// The directory under ../shared/ that a case reads from (e.g. "../shared/scalesim"), or "".
std::string shared_dir_of(const std::string& arguments) {
  const std::string prefix = "../shared/";
  std::istringstream words(arguments);
  std::string w;
  while (words >> w) {
    if (w.rfind(prefix, 0) != 0) continue;
    const auto slash = w.find('/', prefix.size());
    return slash == std::string::npos ? w : w.substr(0, slash);
  }
  return "";
}

/// Host times (`*_seconds`) differ from run to run: the record leaves them out.
bool recorded_field(const std::string& key) {
  const std::string host_time = "_seconds";
  return key.size() < host_time.size() || key.compare(key.size() - host_time.size(), host_time.size(), host_time) != 0;
}

/// The leaves of `j` into `out`, nested keys joined with '.'; an array of scalars (a shape)
/// stays one leaf, the elements of other arrays are keyed by index.
void flatten(const nlohmann::json& j, const std::string& prefix, Fields& out) {
  const auto join = [&](const std::string& k) { return prefix.empty() ? k : prefix + "." + k; };
  if (j.is_object() && !j.empty()) {
    for (const auto& [k, v] : j.items())
      if (recorded_field(k)) flatten(v, join(k), out);
  } else if (j.is_array() &&
             std::any_of(j.begin(), j.end(), [](const nlohmann::json& e) { return e.is_structured(); })) {
    for (std::size_t i = 0; i < j.size(); ++i) flatten(j[i], join(std::to_string(i)), out);
  } else {
    out[prefix] = j;
  }
}

/// The record of a run: every field of its stats.json but the host times.
Record record_of_stats(const nlohmann::json& stats, const RegressionCase& c) {
  Record r;
  r.case_id = c.id();
  r.arguments = c.arguments;
  nlohmann::json run = stats;
  run.erase("layers");
  flatten(run, "", r.run);
  for (const auto& layer : stats.at("layers")) flatten(layer, "", r.layers.emplace_back());
  return r;
}

/// `fields` one per line, each line indented by `indent` spaces, keys in sorted order.
std::string fields_text(const Fields& fields, int indent) {
  std::string s;
  std::size_t i = 0;
  for (const auto& [k, v] : fields)
    s += std::string(indent, ' ') + nlohmann::json(k).dump() + ": " + v.dump() + (++i < fields.size() ? ",\n" : "\n");
  return s;
}

/// The record file's text: JSON with one field per line and sorted keys, so that a change of
/// numbers shows as a line diff. Values are written as stats.json writes them.
std::string record_text(const Record& r) {
  std::string s = "{\n";
  s += "  \"arguments\": " + nlohmann::json(r.arguments).dump() + ",\n";
  s += "  \"case\": " + nlohmann::json(r.case_id).dump() + ",\n";
  s += "  \"layers\": [";
  for (std::size_t i = 0; i < r.layers.size(); ++i)
    s += std::string(i ? "," : "") + "\n    {\n" + fields_text(r.layers[i], 6) + "    }";
  s += r.layers.empty() ? "],\n" : "\n  ],\n";
  s += "  \"run\": {\n" + fields_text(r.run, 4) + "  }\n}\n";
  return s;
}

/// Reads a record file back (throws nlohmann::json::exception on malformed content).
Record record_of_text(const std::string& text) {
  const nlohmann::json j = nlohmann::json::parse(text);
  Record r;
  r.case_id = j.at("case").get<std::string>();
  r.arguments = j.at("arguments").get<std::string>();
  for (const auto& [k, v] : j.at("run").items()) r.run[k] = v;
  for (const auto& layer : j.at("layers")) {
    Fields& f = r.layers.emplace_back();
    for (const auto& [k, v] : layer.items()) f[k] = v;
  }
  return r;
}

/// A field's value as serialized, or "(absent)".
std::string shown(const Fields& f, const std::string& key) {
  const auto it = f.find(key);
  return it == f.end() ? "(absent)" : it->second.dump();
}

/// Appends `WHERE FIELD: recorded X, now Y` for every field whose serialized value differs,
/// or which only one side has.
void compare_fields(const Fields& recorded, const Fields& now, const std::string& where,
                    std::vector<std::string>& out) {
  std::set<std::string> keys;
  for (const auto& kv : recorded) keys.insert(kv.first);
  for (const auto& kv : now) keys.insert(kv.first);
  for (const auto& k : keys) {
    const std::string x = shown(recorded, k), y = shown(now, k);
    if (x != y) out.push_back(where + " " + k + ": recorded " + x + ", now " + y);
  }
}

/// How a difference names a layer: its name, or `layer I` when it has none.
std::string layer_label(const Fields& f, std::size_t i) {
  const auto it = f.find("name");
  return it != f.end() && it->second.is_string() && !it->second.get<std::string>().empty()
             ? it->second.get<std::string>()
             : "layer " + std::to_string(i);
}

/// Every difference between a record and a new run of its case, one line each:
/// `CASE LAYER FIELD: recorded X, now Y` (LAYER `(run)` for the run-level fields).
std::vector<std::string> differences(const Record& recorded, const Record& now) {
  std::vector<std::string> out;
  const std::string& id = now.case_id;
  if (recorded.case_id != now.case_id)
    out.push_back(id + " (record) case: recorded " + recorded.case_id + ", now " + now.case_id);
  if (recorded.arguments != now.arguments)
    out.push_back(id + " (record) arguments: recorded " + recorded.arguments + ", now " + now.arguments);
  compare_fields(recorded.run, now.run, id + " (run)", out);
  const std::size_t n = std::max(recorded.layers.size(), now.layers.size());
  for (std::size_t i = 0; i < n; ++i) {
    const std::string count = " (layer " + std::to_string(i) + "): recorded ";
    if (i >= recorded.layers.size())
      out.push_back(id + " " + layer_label(now.layers[i], i) + count + "(absent), now a layer of " +
                    std::to_string(now.layers[i].size()) + " fields");
    else if (i >= now.layers.size())
      out.push_back(id + " " + layer_label(recorded.layers[i], i) + count + "a layer of " +
                    std::to_string(recorded.layers[i].size()) + " fields, now (absent)");
    else
      compare_fields(recorded.layers[i], now.layers[i], id + " " + layer_label(recorded.layers[i], i), out);
  }
  return out;
}

/// Runs one case in a temporary --out directory; its record, or why there is none.
std::optional<Record> run_case(const RegressionCase& c, std::string& error) {
  TempDir tmp;
  const std::string out = tmp.path() + "/out";
  const std::string cmd = "cd " + sh_quote(source_root().string()) + " && " + sh_quote(arraysim_binary()) + " run " +
                          c.arguments + " --out " + sh_quote(out) + " --no-plots";
  const auto r = run_shell(cmd);
  if (r.exit_code != 0) {
    error =
        c.id() + ": arraysim run " + c.arguments + " exited with code " + std::to_string(r.exit_code) + ":\n" + r.err;
    return std::nullopt;
  }
  try {
    return record_of_stats(nlohmann::json::parse(read_text(out + "/stats.json")), c);
  } catch (const nlohmann::json::exception& e) {
    error = c.id() + ": stats.json of arraysim run " + c.arguments + " is not readable: " + e.what();
    return std::nullopt;
  }
}

/// Writes `text` to `file` through a temporary name, so a record file is whole or unchanged.
void write_record(const fs::path& file, const std::string& text) {
  fs::create_directories(file.parent_path());
  const fs::path tmp = file.parent_path() / ("." + file.filename().string() + ".tmp");
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    REQUIRE(out.flush());
  }
  fs::rename(tmp, file);
}

/// Compares (or, in write mode, rewrites) the records of every case of `group`.
void check_group(const std::string& group) {
  const fs::path dir = regression_dir();
  const CaseList list = read_cases(dir / "cases.txt");
  for (const auto& e : list.errors) FAIL_CHECK(e);
  REQUIRE(list.errors.empty());

  std::vector<RegressionCase> cases;
  std::map<std::string, int> skipped;  // missing ../shared directory -> cases not run
  for (const auto& c : list.cases) {
    if (c.group != group) continue;
    const std::string shared = shared_dir_of(c.arguments);
    if (!shared.empty() && !fs::is_directory(source_root() / shared))
      ++skipped[shared];
    else
      cases.push_back(c);
  }
  std::string skip_note;
  for (const auto& [shared, n] : skipped)
    skip_note += (skip_note.empty() ? "" : "; ") + std::to_string(n) + " cases of group " + group +
                 " not run: " + (source_root() / shared).lexically_normal().string() +
                 " does not exist (the reference inputs beside the repository)";
  if (cases.empty() && !skipped.empty()) {
    WARN("ARRAYSIM_REGRESSION_TEST_SKIPPED: " << skip_note);
    return;
  }
  REQUIRE_FALSE(cases.empty());  // every group test case has cases in cases.txt (see "regression case list")
  if (!skipped.empty()) WARN(skip_note);

  // A record file without a case is stale: write mode removes it, a comparison reports it.
  const fs::path records = dir / "records" / group;
  std::set<std::string> expected;
  for (const auto& c : list.cases)
    if (c.group == group) expected.insert(c.name + ".json");
  if (fs::is_directory(records))
    for (const auto& entry : fs::directory_iterator(records)) {
      const std::string f = entry.path().filename().string();
      if (expected.count(f)) continue;
      if (write_mode()) {
        fs::remove(entry.path());
        std::cout << "removed " << entry.path().string() << " (no case " << group << "/" << entry.path().stem().string()
                  << " in cases.txt)\n";
      } else {
        FAIL_CHECK(entry.path().string() << ": record file without a case in cases.txt");
      }
    }

  int changed = 0, added = 0;
  for (const auto& c : cases) {
    std::string error;
    const std::optional<Record> now = run_case(c, error);
    if (!now) {
      FAIL_CHECK(error);
      continue;
    }
    const fs::path file = records / (c.name + ".json");
    const std::string text = record_text(*now);
    if (!fs::exists(file)) {
      if (write_mode()) {
        write_record(file, text);
        std::cout << "new record " << file.string() << "\n";
        ++added;
      } else {
        FAIL_CHECK(c.id() << ": no record file " << file.string() << " (tests/regression/regenerate.sh writes it)");
      }
      continue;
    }
    std::vector<std::string> diffs;
    try {
      diffs = differences(record_of_text(read_text(file.string())), *now);
    } catch (const nlohmann::json::exception& e) {
      diffs.push_back(c.id() + " (record) " + file.string() + ": not a readable record: " + e.what());
    }
    std::string lines;
    for (const auto& d : diffs) lines += d + "\n";
    if (write_mode()) {
      if (read_text(file.string()) != text) write_record(file, text);
      if (!diffs.empty()) {
        std::cout << lines;
        ++changed;
      }
    } else if (!diffs.empty()) {
      // Printed as they are: Catch2 would wrap the lines of its messages at 80 columns.
      std::cout << lines;
      FAIL_CHECK(c.id() << ": " << diffs.size() << " differences from the record " << file.string()
                        << " (listed above)");
    }
  }
  if (write_mode())
    std::cout << "regression " << group << ": " << cases.size() << " cases, " << changed << " changed, " << added
              << " new\n";
}

/// The names of the test cases that check one group each ("regression GROUP").
std::set<std::string> group_test_names() {
  std::set<std::string> names;
  for (const auto& t : Catch::getRegistryHub().getTestCaseRegistry().getAllTests())
    if (t.name.rfind("regression ", 0) == 0 && t.name != "regression case list") names.insert(t.name);
  return names;
}

/// The value following `option` in `arguments` ("" when there is none).
std::string option_value(const std::string& arguments, const std::string& option) {
  std::istringstream words(arguments);
  std::string w;
  while (words >> w)
    if (w == option && words >> w) return w;
  return "";
}

/// The SCALE-Sim files of `dir` (relative to the source tree) ending in `ext`, as the cases name them.
std::vector<std::string> scalesim_files(const std::string& dir, const std::string& ext) {
  std::vector<std::string> files;
  const fs::path abs = source_root() / dir;
  if (fs::is_directory(abs))
    for (const auto& e : fs::directory_iterator(abs))
      if (e.is_regular_file() && e.path().extension() == ext) files.push_back(dir + "/" + e.path().filename().string());
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

/// Compares each group's runs with their records; one ctest each.
#define ARRAYSIM_REGRESSION_GROUP(group) \
  TEST_CASE("regression " group, "[regression]") { check_group(group); }

ARRAYSIM_REGRESSION_GROUP("experiments")
ARRAYSIM_REGRESSION_GROUP("networks")
ARRAYSIM_REGRESSION_GROUP("dram")
ARRAYSIM_REGRESSION_GROUP("vector")
ARRAYSIM_REGRESSION_GROUP("graphs")
ARRAYSIM_REGRESSION_GROUP("scalesim_a32_sram64_calc")
ARRAYSIM_REGRESSION_GROUP("scalesim_b32_sram64_bw10")
ARRAYSIM_REGRESSION_GROUP("scalesim_c32_sram16_bw2")
ARRAYSIM_REGRESSION_GROUP("scalesim_d128_sram512_bw64")
ARRAYSIM_REGRESSION_GROUP("scalesim_e128_sram512_bw8")
ARRAYSIM_REGRESSION_GROUP("scalesim_f8_sram32_bw4")
ARRAYSIM_REGRESSION_GROUP("scalesim_g256_google_calc")
ARRAYSIM_REGRESSION_GROUP("scalesim_h12x14_eyeriss_calc")
ARRAYSIM_REGRESSION_GROUP("scalesim_v3_a32_sram64_calc")
ARRAYSIM_REGRESSION_GROUP("scalesim_v3_c32_sram16_bw2")

/// cases.txt parses; its groups and the group test cases above are the same set; every directory
/// of records/ is a group; and every (cfg, topology) pair of ../shared/scalesim is a case.
TEST_CASE("regression case list", "[regression]") {
  const fs::path dir = regression_dir();
  const CaseList list = read_cases(dir / "cases.txt");
  for (const auto& e : list.errors) FAIL_CHECK(e);
  REQUIRE(!list.cases.empty());

  std::set<std::string> groups;
  for (const auto& c : list.cases) groups.insert(c.group);
  const std::set<std::string> tests = group_test_names();
  for (const auto& g : groups)
    if (!tests.count("regression " + g))
      FAIL_CHECK("group " << g << " of cases.txt has no test case: add ARRAYSIM_REGRESSION_GROUP(\"" << g
                          << "\") to tests/regression/test_regression.cpp");
  for (const auto& t : tests)
    if (!groups.count(t.substr(std::string("regression ").size())))
      FAIL_CHECK("test case '" << t << "' has no case in cases.txt");

  if (fs::is_directory(dir / "records"))
    for (const auto& e : fs::directory_iterator(dir / "records")) {
      const std::string name = e.path().filename().string();
      if (groups.count(name)) continue;
      if (write_mode()) {
        fs::remove_all(e.path());
        std::cout << "removed " << e.path().string() << " (no group " << name << " in cases.txt)\n";
      } else {
        FAIL_CHECK(e.path().string() << ": no group " << name << " in cases.txt");
      }
    }

  const std::string shared = "../shared/scalesim";
  if (!fs::is_directory(source_root() / shared)) {
    WARN((source_root() / shared).lexically_normal().string()
         << " does not exist: the SCALE-Sim cases of cases.txt were not checked against its files");
    return;
  }
  std::set<std::pair<std::string, std::string>> listed;
  for (const auto& c : list.cases) {
    const std::string cfg = option_value(c.arguments, "--cfg"), topology = option_value(c.arguments, "--topology");
    if (!cfg.empty()) listed.insert({cfg, topology});
  }
  int pairs = 0;
  for (const char* cfg_dir : {"configs", "configs/v3"})
    for (const auto& cfg : scalesim_files(shared + "/" + cfg_dir, ".cfg"))
      for (const char* topo_dir : {"topologies", "topologies/single"})
        for (const auto& topology : scalesim_files(shared + "/" + topo_dir, ".csv")) {
          ++pairs;
          if (!listed.count({cfg, topology}))
            FAIL_CHECK("cases.txt has no case for --cfg " << cfg << " --topology " << topology);
        }
  CHECK(pairs > 0);
}
