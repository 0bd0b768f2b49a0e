#include "sim/config/diagnostics.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <tuple>

#include "sim/util/utf8.hpp"

namespace arraysim::config {

std::string ConfigIssue::str() const {
  return loc.file + ":" + std::to_string(loc.line) + ":" + std::to_string(loc.col) + " " + key_path + ": " + message;
}

ConfigError::ConfigError(std::vector<ConfigIssue> issues)
    : std::runtime_error(join(issues)), issues_(std::move(issues)) {}

std::string ConfigError::join(const std::vector<ConfigIssue>& issues) {
  std::string s;
  for (const auto& i : issues) s += (s.empty() ? "" : "\n") + i.str();
  return s;
}

namespace {

/// Escapes bytes below 0x20, DEL and bytes that are not part of valid UTF-8 (and spaces when
/// `space` is set) as \xNN, so that every message is one line of valid UTF-8.
std::string escape(const std::string& s, bool space) {
  std::string out;
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    const std::size_t len = util::utf8_sequence_length(s, i);
    if (len == 0 || c < 0x20 || c == 0x7f || (space && c == ' ')) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
      ++i;
    } else {
      out.append(s, i, len);
      i += len;
    }
  }
  return out;
}

}  // namespace

std::string printable(const std::string& s, std::size_t max_len) {
  if (s.size() <= max_len) return escape(s, false);
  return escape(s.substr(0, max_len), false) + "...";
}

void Diagnostics::add(Location loc, std::string key_path, std::string message) {
  key_path = key_path.empty() ? "(top-level)" : escape(key_path, true);
  issues_.push_back({std::move(loc), std::move(key_path), escape(message, false)});
}

void Diagnostics::drop(const std::string& key_path) {
  const std::string k = escape(key_path, true);
  issues_.erase(std::remove_if(issues_.begin(), issues_.end(), [&](const ConfigIssue& i) { return i.key_path == k; }),
                issues_.end());
}

void Diagnostics::throw_if_any() const {
  if (issues_.empty()) return;
  std::map<std::string, std::size_t> rank;  // file -> order of first appearance
  if (!main_file_.empty()) rank.emplace(main_file_, 0);
  for (const auto& i : issues_) rank.emplace(i.loc.file, i.loc.file == "<--set>" ? issues_.size() : rank.size());
  std::vector<ConfigIssue> sorted = issues_;
  auto key = [&](const ConfigIssue& i) { return std::make_tuple(rank.at(i.loc.file), i.loc.line, i.loc.col); };
  std::stable_sort(sorted.begin(), sorted.end(),
                   [&](const ConfigIssue& a, const ConfigIssue& b) { return key(a) < key(b); });
  sorted.erase(std::unique(sorted.begin(), sorted.end(),
                           [](const ConfigIssue& a, const ConfigIssue& b) { return a.str() == b.str(); }),
               sorted.end());
  throw ConfigError(std::move(sorted));
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
