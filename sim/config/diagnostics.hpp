#pragma once
/// Configuration errors: every problem carries FILE:LINE:COL, the dotted key path and a message.
#include <stdexcept>
#include <string>
#include <vector>

namespace arraysim::config {

/// Where a value came from. Lines and columns are 1-based; a `--set` override is reported as file
/// `<--set>`, line = the override's position on the command line (1-based), column 1.
struct Location {
  std::string file;
  int line = 1;
  int col = 1;
};

/// One problem: prints as `FILE:LINE:COL key.path: message`. The key path never contains a
/// space and the message never contains a line break (Diagnostics::add escapes them), so every
/// issue is exactly one line.
struct ConfigIssue {
  Location loc;
  std::string key_path;
  std::string message;
  std::string str() const;
};

/// Thrown (before any SystemC object exists) with every problem found in the input.
class ConfigError : public std::runtime_error {
 public:
  explicit ConfigError(std::vector<ConfigIssue> issues);
  const std::vector<ConfigIssue>& issues() const { return issues_; }

 private:
  static std::string join(const std::vector<ConfigIssue>& issues);
  std::vector<ConfigIssue> issues_;
};

/// Collects issues; throw_if_any() turns them into one ConfigError.
class Diagnostics {
 public:
  /// Records a problem. Control characters, bytes that are not UTF-8 (and, in the key path,
  /// spaces) are escaped as \xNN;
  /// an empty key path becomes "(top-level)".
  void add(Location loc, std::string key_path, std::string message);
  /// Forgets every issue about exactly `key_path` (a missing-key report superseded by a better one).
  void drop(const std::string& key_path);
  bool empty() const { return issues_.empty(); }
  const std::vector<ConfigIssue>& issues() const { return issues_; }
  /// Lists the issues of `file` (the experiment file) before those of any other file.
  void set_main_file(const std::string& file) { main_file_ = file; }
  /// Throws a ConfigError with every issue, ordered by file (the main file first, then in order of
  /// first appearance, `--set` overrides last), then line and column; exact duplicates once.
  void throw_if_any() const;

 private:
  std::vector<ConfigIssue> issues_;
  std::string main_file_;
};

/// Levenshtein distance, for did-you-mean suggestions.
std::size_t edit_distance(const std::string& a, const std::string& b);
/// The closest candidate to `word` when it is plausibly a typo of it, else "".
std::string closest_match(const std::string& word, const std::vector<std::string>& candidates);
/// `s` for a message: control characters and bytes that are not UTF-8 escaped as \xNN, cut to
/// `max_len` bytes ("...").
std::string printable(const std::string& s, std::size_t max_len = 60);

}  // namespace arraysim::config
