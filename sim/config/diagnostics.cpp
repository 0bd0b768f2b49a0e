#include "sim/config/diagnostics.hpp"

#include <algorithm>

namespace arraysim::config {

std::string ConfigIssue::str() const {
  return loc.file + ":" + std::to_string(loc.line) + ":" + std::to_string(loc.col) + " " + key_path + ": " +
         message;
}

ConfigError::ConfigError(std::vector<ConfigIssue> issues)
    : std::runtime_error(join(issues)), issues_(std::move(issues)) {}

std::string ConfigError::join(const std::vector<ConfigIssue>& issues) {
  std::string s;
  for (const auto& i : issues) s += (s.empty() ? "" : "\n") + i.str();
  return s;
}

void Diagnostics::add(Location loc, std::string key_path, std::string message) {
  issues_.push_back({std::move(loc), std::move(key_path), std::move(message)});
}

void Diagnostics::throw_if_any() const {
  if (!issues_.empty()) throw ConfigError(issues_);
}

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j)
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

std::string closest_match(const std::string& word, const std::vector<std::string>& candidates) {
  std::string best;
  std::size_t best_d = std::max<std::size_t>(2, word.size() / 3) + 1;
  for (const auto& c : candidates) {
    const std::size_t d = edit_distance(word, c);
    if (d < best_d) best_d = d, best = c;
  }
  return best;
}

}  // namespace arraysim::config
