#include "sim/io/import.hpp"

#include "sim/util/read_file.hpp"

namespace arraysim::io {

ImportError::ImportError(const std::vector<std::string>& lines) : std::runtime_error(join(lines)), lines_(lines) {}

std::string ImportError::join(const std::vector<std::string>& lines) {
  std::string s;
  for (const auto& l : lines) s += (s.empty() ? "" : "\n") + l;
  return s;
}

std::optional<Origin> OriginMap::find(const std::string& key_path) const {
  std::string p = key_path;
  for (;;) {
    const auto it = map_.find(p);
    if (it != map_.end()) return it->second;
    if (p.empty()) return std::nullopt;
    const auto dot = p.rfind('.');
    p = dot == std::string::npos ? std::string() : p.substr(0, dot);
  }
}

config::Experiment load_generated(const GeneratedExperiment& g, const std::vector<std::string>& overrides) {
  try {
    return config::load_experiment_text(g.yaml, g.display_name, g.base_dir, overrides);
  } catch (const config::ConfigError& e) {
    std::vector<config::ConfigIssue> issues;
    std::vector<std::string> lines;
    bool located = true;  // every issue has a line and column
    for (config::ConfigIssue issue : e.issues()) {
      if (issue.loc.file == g.display_name) {
        // Key paths in messages are escaped (\x20 for a space); the generated ones never need it.
        const std::string path = issue.key_path == "(top-level)" ? "" : issue.key_path;
        if (const auto o = g.origins.find(path)) {
          if (!o->element.empty()) {
            located = false;
            lines.push_back(o->loc.file + ": " + o->element + ": " + issue.key_path + ": " + issue.message);
            continue;
          }
          issue.loc = o->loc;
        }
      }
      lines.push_back(issue.str());
      issues.push_back(std::move(issue));
    }
    if (!located) throw ImportError(lines);
    throw config::ConfigError(std::move(issues));
  }
}

std::string read_input_file(const std::string& path, const std::string& what, std::size_t max_bytes) {
  try {
    return util::read_input(path, max_bytes);
  } catch (const util::FileReadError& e) {
    config::Diagnostics d;
    d.add({path, 1, 1}, "(file)", "cannot read " + what + ": " + e.reason());
    d.throw_if_any();
    throw;
  }
}

}  // namespace arraysim::io
