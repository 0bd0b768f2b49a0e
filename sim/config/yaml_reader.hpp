#pragma once
/// A checked view of YAML mappings: typed getters that record the dotted key path and the
/// source location of every problem, and finish(), which rejects keys nobody read.
#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "sim/config/diagnostics.hpp"

namespace arraysim::config {

/// Largest configuration file arraysim reads (experiments, referenced arch and workload files,
/// sweep specs, SCALE-Sim inputs): far above any real one, and small enough to parse in seconds.
constexpr std::size_t kMaxConfigBytes = std::size_t{8} << 20;
/// Most YAML nodes (scalars, lists, mappings, aliases) one document may have: yaml-cpp's tree
/// costs about 500 bytes per node, so this bounds a load to about 500 MB (docs/config.md, Limits).
constexpr std::size_t kMaxYamlNodes = 1'000'000;

/// What yaml-cpp's event parser finds in `text` before any tree is built (the tree builder of
/// yaml-cpp 0.7 never ends on some malformed flow text, e.g. ",a: b}", which the event parser
/// reads as a second document): one document of at most `max_nodes` nodes, a second document,
/// too many nodes, or invalid YAML (left to the tree builder's message).
enum class YamlShape { one_document, several_documents, too_many_nodes, invalid };
YamlShape yaml_shape(const std::string& text, std::size_t max_nodes = kMaxYamlNodes);

/// Parses YAML `text` that must hold (at most) one document: checks that it is UTF-8, counts its
/// nodes with yaml-cpp's event parser (memory bounded by the nesting depth) and refuses more than
/// kMaxYamlNodes or a second document, then builds the tree into `out`. A problem is recorded in
/// `diag` at FILE:LINE:COL with `key_path` ("(yaml)" when empty): not UTF-8, not valid YAML
/// (yaml-cpp's message; "nested too deeply" beyond 2000 levels), too many nodes, a second
/// document. Returns false then.
/// `max_nodes` lowers the node limit (tests exercise the limit with it).
bool load_yaml(const std::string& text, const std::string& file, const std::string& key_path, YAML::Node& out,
               Diagnostics& diag, std::size_t max_nodes = kMaxYamlNodes);

/// Which file (or --set override) each part of the merged configuration tree came from.
class Sources {
 public:
  /// Everything at or below `key_path` ("" = the root) was read from `file` (this also forgets
  /// overrides at or below `key_path`: `--set arch=other.yaml` reads the whole of other.yaml).
  void add_file(const std::string& key_path, const std::string& file);
  /// `key_path` was set by the `index`-th --set override (1-based).
  void add_override(const std::string& key_path, int index);
  /// Location of the node at `key_path` with the parser mark `mark`.
  Location locate(const std::string& key_path, const YAML::Mark& mark) const;

 private:
  std::map<std::string, std::string> files_;
  std::map<std::string, int> overrides_;
};

/// Shared state of one configuration load.
struct ReadContext {
  Sources sources;
  Diagnostics diag;
};

/// Joins a key path and a key: join_path("arch.array", "rows") == "arch.array.rows".
std::string join_path(const std::string& parent, const std::string& key);

/// A mapping node under `path`. Getters report problems to the context and return a fallback,
/// so one pass finds every error of a file.
class MapReader {
 public:
  /// `node` must be a mapping; otherwise an error is recorded and every getter returns fallbacks.
  /// `fallback` locates errors about an absent mapping (its parent's location).
  MapReader(const YAML::Node& node, std::string path, ReadContext& ctx, std::optional<Location> fallback = {});

  bool has(const std::string& key) const;
  /// Required integer in [lo, hi].
  std::int64_t req_int(const std::string& key, std::int64_t lo, std::int64_t hi);
  /// Optional integer in [lo, hi].
  std::int64_t opt_int(const std::string& key, std::int64_t dflt, std::int64_t lo, std::int64_t hi);
  /// Optional number in [lo, hi] (accepts integers and decimals).
  double opt_num(const std::string& key, double dflt, double lo, double hi);
  bool opt_bool(const std::string& key, bool dflt);
  std::string opt_str(const std::string& key, const std::string& dflt);
  /// Optional name: a non-empty string without control characters.
  std::string opt_name(const std::string& key, const std::string& dflt);
  /// Required or optional string that must be one of `allowed`.
  std::string req_choice(const std::string& key, const std::vector<std::string>& allowed);
  std::string opt_choice(const std::string& key, const std::string& dflt, const std::vector<std::string>& allowed);
  /// Integer list of 1..max_len elements (a plain integer counts as a list of one).
  std::optional<std::vector<std::int64_t>> opt_int_list(const std::string& key, std::size_t max_len, std::int64_t lo,
                                                        std::int64_t hi);
  /// The raw child node (marked as read); undefined when absent.
  YAML::Node raw(const std::string& key);
  /// Child mapping; an absent key yields an empty mapping reader.
  MapReader child(const std::string& key);
  /// Elements of a required sequence.
  std::vector<YAML::Node> req_seq(const std::string& key);

  /// Records an error about `key` (at the key's value if present, else at this mapping).
  void error(const std::string& key, const std::string& message);
  /// Records that the required `key` is absent: "missing required key (`what`)". Not reported when
  /// this mapping had the wrong type; withdrawn by finish() when an unknown key is a typo of it.
  void missing(const std::string& key, const std::string& what);
  /// Records an error about this mapping itself.
  void error_here(const std::string& message);
  /// Rejects every key that no getter asked for (with a did-you-mean from the known keys, or the
  /// list of known keys when none is close and there are few) and every key given twice.
  /// `owner` names the mapping in messages: "unknown key for a layer of type fc".
  void finish(const std::vector<std::string>& also_known = {}, const std::string& owner = "");

  /// Where `key` (or, when absent, this mapping) is in the input, for errors found after parsing.
  Location location(const std::string& key) const { return loc_of(key); }
  const std::string& path() const { return path_; }
  ReadContext& ctx() { return ctx_; }
  const YAML::Node& node() const { return node_; }

 private:
  std::optional<YAML::Node> scalar(const std::string& key, bool required, const char* what);
  Location loc_of(const std::string& key) const;
  YAML::Node node_;
  std::string path_;
  ReadContext& ctx_;
  Location here_;
  bool wrong_type_ = false;
  std::set<std::string> known_;
  std::set<std::string> missing_;
};

/// What a node is, for messages: "a mapping", "a list", "'x'" (a scalar, escaped and shortened),
/// "nothing" (absent or null).
std::string describe(const YAML::Node& n);

}  // namespace arraysim::config
