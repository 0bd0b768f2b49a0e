#include "sim/config/yaml_reader.hpp"

#include <cmath>
#include <sstream>
#include <limits>

namespace arraysim::config {

void Sources::add_file(const std::string& key_path, const std::string& file) { files_[key_path] = file; }
void Sources::add_override(const std::string& key_path, int index) { overrides_[key_path] = index; }

static bool is_prefix(const std::string& prefix, const std::string& path) {
  if (prefix.empty()) return true;
  return path == prefix || (path.size() > prefix.size() && path.compare(0, prefix.size(), prefix) == 0 &&
                            path[prefix.size()] == '.');
}

Location Sources::locate(const std::string& key_path, const YAML::Mark& mark) const {
  // An override wins over the file it replaced a value of.
  const std::pair<const std::string, int>* best_ov = nullptr;
  for (const auto& ov : overrides_)
    if (is_prefix(ov.first, key_path) && (!best_ov || ov.first.size() > best_ov->first.size())) best_ov = &ov;
  if (best_ov) return {"<--set>", best_ov->second, 1};
  const std::pair<const std::string, std::string>* best = nullptr;
  for (const auto& f : files_)
    if (is_prefix(f.first, key_path) && (!best || f.first.size() > best->first.size())) best = &f;
  Location loc{best ? best->second : "<input>", 1, 1};
  if (!mark.is_null()) {
    loc.line = mark.line + 1;
    loc.col = mark.column + 1;
  }
  return loc;
}

std::string join_path(const std::string& parent, const std::string& key) {
  return parent.empty() ? key : parent + "." + key;
}

std::string describe(const YAML::Node& n) {
  if (!n.IsDefined() || n.IsNull()) return "nothing";
  if (n.IsMap()) return "a mapping";
  if (n.IsSequence()) return "a list";
  return "'" + n.Scalar() + "'";
}

MapReader::MapReader(const YAML::Node& node, std::string path, ReadContext& ctx, std::optional<Location> fallback)
    : node_(node.IsDefined() ? node : YAML::Node(YAML::NodeType::Map)), path_(std::move(path)), ctx_(ctx) {
  // Note: yaml-cpp's operator= writes through to the referenced node; reset() rebinds instead.
  const bool absent = !node.IsDefined() || node.IsNull();
  here_ = (fallback && absent) ? *fallback : ctx_.sources.locate(path_, node_.Mark());
  if (absent) {
    node_.reset(YAML::Node(YAML::NodeType::Map));  // an absent section: every getter returns its default
  } else if (!node_.IsMap()) {
    error_here("expected a mapping of keys, got " + describe(node_));
    wrong_type_ = true;  // its keys cannot be checked: do not also report them missing
    node_.reset(YAML::Node(YAML::NodeType::Map));
  }
}

Location MapReader::loc_of(const std::string& key) const {
  const YAML::Node& n = node_;
  if (!key.empty()) {
    const YAML::Node child = static_cast<const YAML::Node&>(n)[key];
    if (child.IsDefined()) return ctx_.sources.locate(join_path(path_, key), child.Mark());
  }
  return ctx_.sources.locate(path_, n.Mark());
}

void MapReader::error(const std::string& key, const std::string& message) {
  ctx_.diag.add(loc_of(key), join_path(path_, key), message);
}

void MapReader::error_here(const std::string& message) {
  ctx_.diag.add(here_, path_.empty() ? "(top level)" : path_, message);
}

bool MapReader::has(const std::string& key) const {
  const YAML::Node& n = node_;
  return static_cast<const YAML::Node&>(n)[key].IsDefined();
}

std::optional<YAML::Node> MapReader::scalar(const std::string& key, bool required, const char* what) {
  known_.insert(key);
  const YAML::Node& n = node_;
  const YAML::Node child = static_cast<const YAML::Node&>(n)[key];
  if (!child.IsDefined()) {
    if (required && !wrong_type_) ctx_.diag.add(here_, join_path(path_, key), std::string("missing required key (") + what + ")");
    return std::nullopt;
  }
  if (child.IsNull()) {
    error(key, std::string("has no value; expected ") + what);
    return std::nullopt;
  }
  if (!child.IsScalar()) {
    error(key, std::string("expected ") + what + ", got " + describe(child));
    return std::nullopt;
  }
  return child;
}

static std::optional<std::int64_t> parse_int(const std::string& s) {
  if (s.empty()) return std::nullopt;
  std::size_t pos = 0;
  std::string t;
  for (char c : s)
    if (c != '_') t += c;  // YAML 1.1 digit separators: 1_000_000
  try {
    const long long v = std::stoll(t, &pos, 10);
    if (pos != t.size()) return std::nullopt;
    return v;
  } catch (...) {
    return std::nullopt;
  }
}

static std::optional<double> parse_num(const std::string& s) {
  if (auto i = parse_int(s)) return static_cast<double>(*i);
  try {
    std::size_t pos = 0;
    const double v = std::stod(s, &pos);
    if (pos != s.size() || !std::isfinite(v)) return std::nullopt;
    return v;
  } catch (...) {
    return std::nullopt;
  }
}

static std::string range_str(std::int64_t lo, std::int64_t hi) {
  if (hi >= (std::int64_t{1} << 40)) return ">= " + std::to_string(lo);
  return "in " + std::to_string(lo) + ".." + std::to_string(hi);
}

std::int64_t MapReader::req_int(const std::string& key, std::int64_t lo, std::int64_t hi) {
  auto n = scalar(key, true, "an integer");
  if (!n) return lo;
  auto v = parse_int(n->Scalar());
  if (!v) {
    error(key, "expected an integer, got '" + n->Scalar() + "'");
    return lo;
  }
  if (*v < lo || *v > hi) {
    error(key, "must be " + range_str(lo, hi) + ", got " + std::to_string(*v));
    return lo;
  }
  return *v;
}

std::int64_t MapReader::opt_int(const std::string& key, std::int64_t dflt, std::int64_t lo, std::int64_t hi) {
  if (!has(key)) {
    known_.insert(key);
    return dflt;
  }
  return req_int(key, lo, hi);
}

double MapReader::opt_num(const std::string& key, double dflt, double lo, double hi) {
  auto n = scalar(key, false, "a number");
  if (!n) return dflt;
  auto v = parse_num(n->Scalar());
  if (!v) {
    error(key, "expected a number, got '" + n->Scalar() + "'");
    return dflt;
  }
  if (*v < lo || *v > hi) {
    std::ostringstream o;
    o << "must be in " << lo << ".." << hi << ", got " << *v;
    error(key, o.str());
    return dflt;
  }
  return *v;
}

bool MapReader::opt_bool(const std::string& key, bool dflt) {
  auto n = scalar(key, false, "true or false");
  if (!n) return dflt;
  const std::string& s = n->Scalar();
  if (s == "true" || s == "True" || s == "yes" || s == "on") return true;
  if (s == "false" || s == "False" || s == "no" || s == "off") return false;
  error(key, "expected true or false, got '" + s + "'");
  return dflt;
}

std::string MapReader::opt_str(const std::string& key, const std::string& dflt) {
  auto n = scalar(key, false, "a string");
  return n ? n->Scalar() : dflt;
}

static std::string join_choices(const std::vector<std::string>& allowed) {
  std::string s;
  for (const auto& a : allowed) s += (s.empty() ? "" : "|") + a;
  return s;
}

std::string MapReader::req_choice(const std::string& key, const std::vector<std::string>& allowed) {
  auto n = scalar(key, true, ("one of " + join_choices(allowed)).c_str());
  if (!n) return allowed.front();
  const std::string& s = n->Scalar();
  for (const auto& a : allowed)
    if (a == s) return s;
  std::string msg = "'" + s + "' is not one of " + join_choices(allowed);
  const std::string near = closest_match(s, allowed);
  if (!near.empty()) msg += " (did you mean '" + near + "'?)";
  error(key, msg);
  return allowed.front();
}

std::string MapReader::opt_choice(const std::string& key, const std::string& dflt,
                                  const std::vector<std::string>& allowed) {
  if (!has(key)) {
    known_.insert(key);
    return dflt;
  }
  return req_choice(key, allowed);
}

std::optional<std::vector<std::int64_t>> MapReader::opt_int_list(const std::string& key, std::size_t max_len,
                                                                  std::int64_t lo, std::int64_t hi) {
  known_.insert(key);
  const YAML::Node& nn = node_;
  const YAML::Node child = static_cast<const YAML::Node&>(nn)[key];
  if (!child.IsDefined()) return std::nullopt;
  if (child.IsScalar()) {
    const std::int64_t v = req_int(key, lo, hi);
    return std::vector<std::int64_t>{v};
  }
  if (!child.IsSequence() || child.size() == 0 || child.size() > max_len) {
    error(key, "expected an integer or a list of 1.." + std::to_string(max_len) + " integers, got " +
                   describe(child));
    return std::nullopt;
  }
  std::vector<std::int64_t> out;
  for (std::size_t i = 0; i < child.size(); ++i) {
    const YAML::Node e = child[i];
    auto v = e.IsScalar() ? parse_int(e.Scalar()) : std::nullopt;
    const std::string p = join_path(join_path(path_, key), std::to_string(i));
    if (!v) {
      ctx_.diag.add(ctx_.sources.locate(p, e.Mark()), p, "expected an integer, got " + describe(e));
      return std::nullopt;
    }
    if (*v < lo || *v > hi) {
      ctx_.diag.add(ctx_.sources.locate(p, e.Mark()), p,
                    "must be " + range_str(lo, hi) + ", got " + std::to_string(*v));
      return std::nullopt;
    }
    out.push_back(*v);
  }
  return out;
}

YAML::Node MapReader::raw(const std::string& key) {
  known_.insert(key);
  const YAML::Node& n = node_;
  return static_cast<const YAML::Node&>(n)[key];
}

MapReader MapReader::child(const std::string& key) {
  return MapReader(raw(key), join_path(path_, key), ctx_, here_);
}

std::vector<YAML::Node> MapReader::req_seq(const std::string& key) {
  const YAML::Node n = raw(key);
  if (!n.IsDefined()) {
    ctx_.diag.add(here_, join_path(path_, key), "missing required key (a list)");
    return {};
  }
  if (!n.IsSequence()) {
    error(key, "expected a list, got " + describe(n));
    return {};
  }
  std::vector<YAML::Node> out;
  for (std::size_t i = 0; i < n.size(); ++i) out.push_back(n[i]);
  return out;
}

void MapReader::finish(const std::vector<std::string>& also_known) {
  for (const auto& k : also_known) known_.insert(k);
  const std::vector<std::string> candidates(known_.begin(), known_.end());
  for (auto it = node_.begin(); it != node_.end(); ++it) {
    const std::string key = it->first.IsScalar() ? it->first.Scalar() : "?";
    if (known_.count(key)) continue;
    std::string msg = "unknown key";
    const std::string near = closest_match(key, candidates);
    if (!near.empty()) msg += " (did you mean '" + near + "'?)";
    const std::string p = join_path(path_, key);
    ctx_.diag.add(ctx_.sources.locate(p, it->first.Mark()), p, msg);
  }
}

}  // namespace arraysim::config
