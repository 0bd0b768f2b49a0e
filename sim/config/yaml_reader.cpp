#include "sim/config/yaml_reader.hpp"

#include <algorithm>
#include <cstdio>
#include <cmath>
#include <iomanip>
#include <iterator>
#include <limits>
#include <map>
#include <sstream>

#include <yaml-cpp/eventhandler.h>

#include "sim/util/utf8.hpp"

namespace arraysim::config {

namespace {

/// Thrown by NodeCounter to stop the event parser early.
struct StopParsing {
  std::string message;
  YAML::Mark mark;
};

/// Counts the nodes of the first document and stops at a second one or at too many nodes.
class NodeCounter : public YAML::EventHandler {
 public:
  explicit NodeCounter(std::size_t max_nodes) : max_nodes_(max_nodes) {}
  void OnDocumentStart(const YAML::Mark& mark) override {
    if (++documents_ > 1)
      throw StopParsing{
          "a second YAML document starts here; arraysim reads one document per file (remove the "
          "'---' line and what follows, or split the file)",
          mark};
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t) override { node(mark); }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override { node(mark); }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t, const std::string&) override { node(mark); }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
    node(mark);
  }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {
    node(mark);
  }
  void OnMapEnd() override {}

 private:
  void node(const YAML::Mark& mark) {
    if (++nodes_ > max_nodes_)
      throw StopParsing{"more than " + std::to_string(max_nodes_) +
                            " YAML values (scalars, lists and mappings); arraysim reads configurations up to that size",
                        mark};
  }
  std::size_t max_nodes_;
  std::size_t nodes_ = 0;
  int documents_ = 0;
};

}  // namespace

YamlShape yaml_shape(const std::string& text, std::size_t max_nodes) {
  try {
    std::istringstream in(text);
    YAML::Parser parser(in);
    NodeCounter counter(max_nodes);
    while (parser.HandleNextDocument(counter)) {
    }
    return YamlShape::one_document;
  } catch (const StopParsing& e) {
    return e.message.rfind("a second", 0) == 0 ? YamlShape::several_documents : YamlShape::too_many_nodes;
  } catch (const YAML::Exception&) {
    return YamlShape::invalid;
  }
}

bool load_yaml(const std::string& text, const std::string& file, const std::string& key_path, YAML::Node& out,
               Diagnostics& diag, std::size_t max_nodes) {
  const std::string where = key_path.empty() ? "(yaml)" : key_path;
  if (const auto bad = util::invalid_utf8_at(text)) {
    const util::TextPosition p = util::position_of(text, *bad);
    char byte[8];
    std::snprintf(byte, sizeof byte, "0x%02x", static_cast<unsigned char>(text[*bad]));
    diag.add({file, p.line, p.col}, where,
             std::string("not valid UTF-8 (byte ") + byte + "); arraysim reads YAML files encoded as UTF-8");
    return false;
  }
  const auto located = [&](const YAML::Mark& mark) {
    const bool known = !mark.is_null();
    return Location{file, known ? mark.line + 1 : 1, known ? mark.column + 1 : 1};
  };
  try {
    std::istringstream in(text);
    YAML::Parser parser(in);
    NodeCounter counter(max_nodes);
    while (parser.HandleNextDocument(counter)) {
    }
    out.reset(YAML::Load(text));
    return true;
  } catch (const StopParsing& e) {
    diag.add(located(e.mark), where, e.message);
  } catch (const YAML::Exception& e) {
    // yaml-cpp's depth guard (2000 levels) reports "bad file"; text from memory is never a bad stream.
    const std::string why = e.msg == YAML::ErrorMsg::BAD_FILE ? "nested too deeply" : e.msg;
    diag.add(located(e.mark), where, "not valid YAML: " + why);
  }
  return false;
}

static bool is_prefix(const std::string& prefix, const std::string& path) {
  if (prefix.empty()) return true;
  return path == prefix ||
         (path.size() > prefix.size() && path.compare(0, prefix.size(), prefix) == 0 && path[prefix.size()] == '.');
}

void Sources::add_file(const std::string& key_path, const std::string& file) {
  files_[key_path] = file;
  for (auto it = overrides_.begin(); it != overrides_.end();)
    it = is_prefix(key_path, it->first) ? overrides_.erase(it) : std::next(it);
}
void Sources::add_override(const std::string& key_path, int index) { overrides_[key_path] = index; }

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
  return "'" + printable(n.Scalar(), 40) + "'";
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
    if (child.IsDefined() && !child.IsNull()) return ctx_.sources.locate(join_path(path_, key), child.Mark());
    if (child.IsDefined()) {  // a null value is marked where the next token starts: use its key
      for (auto it = n.begin(); it != n.end(); ++it) {
        const YAML::Node k = it->first;
        if (k.IsScalar() && k.Scalar() == key) return ctx_.sources.locate(join_path(path_, key), k.Mark());
      }
    }
  }
  return ctx_.sources.locate(path_, n.Mark());
}

void MapReader::error(const std::string& key, const std::string& message) {
  ctx_.diag.add(loc_of(key), join_path(path_, key), message);
}

void MapReader::missing(const std::string& key, const std::string& what) {
  known_.insert(key);
  if (wrong_type_) return;  // the mapping itself is wrong: its keys cannot be checked
  missing_.insert(key);
  ctx_.diag.add(here_, join_path(path_, key), "missing required key (" + what + ")");
}

void MapReader::error_here(const std::string& message) {
  ctx_.diag.add(here_, path_, message);  // the root prints as "(top-level)"
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
    if (required) missing(key, what);
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

/// "in LO..HI" ("in 1..2^40 (1099511627776)" for a power of two from 2^20 on), or ">= LO" when
/// there is no upper limit (HI = INT64_MAX).
static std::string range_str(std::int64_t lo, std::int64_t hi) {
  if (hi == std::numeric_limits<std::int64_t>::max()) return ">= " + std::to_string(lo);
  std::string h = std::to_string(hi);
  if (hi >= (std::int64_t{1} << 20) && (hi & (hi - 1)) == 0)
    h = "2^" + std::to_string(__builtin_ctzll(hi)) + " (" + h + ")";
  return "in " + std::to_string(lo) + ".." + h;
}

std::int64_t MapReader::req_int(const std::string& key, std::int64_t lo, std::int64_t hi) {
  auto n = scalar(key, true, "an integer");
  if (!n) return lo;
  auto v = parse_int(n->Scalar());
  if (!v) {
    error(key, "expected an integer, got '" + printable(n->Scalar(), 40) + "'");
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
    error(key, "expected a number, got '" + printable(n->Scalar(), 40) + "'");
    return dflt;
  }
  if (*v < lo || *v > hi) {
    std::ostringstream o;
    o << std::setprecision(10) << "must be in " << lo << ".." << hi << ", got " << *v;
    error(key, o.str());
    return dflt;
  }
  return *v;
}

bool MapReader::opt_bool(const std::string& key, bool dflt) {
  auto n = scalar(key, false, "true or false");
  if (!n) return dflt;
  const std::string& s = n->Scalar();
  // YAML 1.2 core and YAML 1.1 spellings.
  for (const char* t : {"true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON"})
    if (s == t) return true;
  for (const char* f : {"false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF"})
    if (s == f) return false;
  error(key, "expected true or false, got '" + printable(s, 40) + "'");
  return dflt;
}

std::string MapReader::opt_str(const std::string& key, const std::string& dflt) {
  auto n = scalar(key, false, "a string");
  return n ? n->Scalar() : dflt;
}

std::string MapReader::opt_name(const std::string& key, const std::string& dflt) {
  auto n = scalar(key, false, "a name");
  if (!n) return dflt;
  const std::string& s = n->Scalar();
  const bool control =
      std::any_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
  if (s.empty() || control) {
    error(key, "expected a non-empty single-line name, got '" + printable(s, 40) + "'");
    return dflt;
  }
  return s;
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
  std::string msg = "'" + printable(s, 40) + "' is not one of " + join_choices(allowed);
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
    error(key, "expected an integer or a list of 1.." + std::to_string(max_len) + " integers, got " + describe(child));
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
  MapReader c(raw(key), join_path(path_, key), ctx_, here_);
  c.wrong_type_ = c.wrong_type_ || wrong_type_;  // an absent section of a wrong-typed mapping
  return c;
}

std::vector<YAML::Node> MapReader::req_seq(const std::string& key) {
  const YAML::Node n = raw(key);
  if (!n.IsDefined()) {
    missing(key, "a list");
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

void MapReader::finish(const std::vector<std::string>& also_known, const std::string& owner) {
  for (const auto& k : also_known) known_.insert(k);
  const std::vector<std::string> candidates(known_.begin(), known_.end());
  std::map<std::string, YAML::Mark> seen;  // key -> where it was first given
  for (auto it = node_.begin(); it != node_.end(); ++it) {
    const YAML::Node k = it->first;  // a copy: *it is a temporary
    if (!k.IsScalar()) {
      const std::string p = join_path(path_, "?");
      ctx_.diag.add(ctx_.sources.locate(p, k.Mark()), p, "a key must be a plain name, got " + describe(k));
      continue;
    }
    const std::string key = k.Scalar();
    const std::string p = join_path(path_, key.empty() ? "\"\"" : printable(key, 60));
    if (!seen.emplace(key, k.Mark()).second) {
      // The key is text of this mapping's file (not of a file the key's value may name).
      ctx_.diag.add(ctx_.sources.locate(path_, k.Mark()), p,
                    "duplicate key (first given on line " + std::to_string(seen[key].line + 1) + ")");
      continue;
    }
    if (known_.count(key)) continue;
    std::string msg = owner.empty() ? "unknown key" : "unknown key for " + owner;
    const std::string near = closest_match(key, candidates);
    if (!near.empty()) {
      msg += " (did you mean '" + near + "'?)";
      if (missing_.count(near)) ctx_.diag.drop(join_path(path_, near));  // the typo explains it
    } else if (!candidates.empty() && candidates.size() <= 12) {
      std::string list;
      for (const auto& c : candidates) list += (list.empty() ? "" : ", ") + c;
      msg += "; expected one of: " + list;
    }
    ctx_.diag.add(ctx_.sources.locate(p, k.Mark()), p, msg);
  }
}

}  // namespace arraysim::config
