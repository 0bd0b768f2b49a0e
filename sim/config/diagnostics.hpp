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

/// One problem: prints as `FILE:LINE:COL key.path: message`.
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
  void add(Location loc, std::string key_path, std::string message);
  bool empty() const { return issues_.empty(); }
  const std::vector<ConfigIssue>& issues() const { return issues_; }
  void throw_if_any() const;

 private:
  std::vector<ConfigIssue> issues_;
};

/// Levenshtein distance, for did-you-mean suggestions.
std::size_t edit_distance(const std::string& a, const std::string& b);
/// The closest candidate to `word` when it is plausibly a typo of it, else "".
std::string closest_match(const std::string& word, const std::vector<std::string>& candidates);

}  // namespace arraysim::config
