#include "sim/io/scalesim_cfg.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

namespace arraysim::io::scalesim {

using config::Diagnostics;
using config::Location;

std::string lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

/// Python's int() on a stripped string: optional sign, digits, single underscores between digits.
std::optional<std::int64_t> parse_int(const std::string& s) {
  std::size_t i = 0;
  bool neg = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) neg = s[i++] == '-';
  if (i >= s.size()) return std::nullopt;
  std::int64_t v = 0;
  bool prev_digit = false;
  for (; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '_' && prev_digit && i + 1 < s.size() && std::isdigit(static_cast<unsigned char>(s[i + 1]))) {
      prev_digit = false;
      continue;
    }
    if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
    if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, c - '0', &v)) return std::nullopt;
    prev_digit = true;
  }
  return neg ? -v : v;
}

std::string show(const std::string& s) { return "'" + config::printable(s, 40) + "'"; }

namespace {

// ---- the .cfg file (Python configparser syntax) ----------------------------------------------

struct CfgEntry {
  std::string key, value;
  Location key_loc, value_loc;
};

struct CfgSection {
  std::string name;
  Location loc;
  std::vector<CfgEntry> entries;
};

/// Every section and key SCALE-Sim v2 and v3 read (keys in SCALE-Sim's spelling; configparser
/// compares keys case-insensitively, section names exactly).
const std::vector<std::pair<std::string, std::vector<std::string>>>& known_keys() {
  static const std::vector<std::pair<std::string, std::vector<std::string>>> k{
      {"general", {"run_name"}},
      {"architecture_presets",
       {"ArrayHeight", "ArrayWidth", "IfmapSramSzkB", "FilterSramSzkB", "OfmapSramSzkB", "IfmapOffset", "FilterOffset",
        "OfmapOffset", "Dataflow", "Bandwidth", "MemoryBanks", "ReadRequestBuffer", "WriteRequestBuffer"}},
      {"run_presets", {"InterfaceBandwidth", "UseRamulatorTrace"}},
      {"layout",
       {"IfmapCustomLayout", "IfmapSRAMBankBandwidth", "IfmapSRAMBankNum", "IfmapSRAMBankPort", "FilterCustomLayout",
        "FilterSRAMBankBandwidth", "FilterSRAMBankNum", "FilterSRAMBankPort"}},
      {"sparsity", {"SparsitySupport", "SparseRep", "OptimizedMapping", "BlockSize", "RandomNumberGeneratorSeed"}},
      {"network_presets", {"TopologyCsvLoc"}},
  };
  return k;
}

const std::vector<std::string>* keys_of(const std::string& section) {
  for (const auto& [s, keys] : known_keys())
    if (s == section) return &keys;
  return nullptr;
}

/// The parsed .cfg plus the diagnostics and notes of the import.
class Cfg {
 public:
  Cfg(const std::string& text, std::string file, Diagnostics& diag, std::vector<std::string>& notes)
      : file_(std::move(file)), diag_(diag), notes_(notes) {
    parse(text);
    check_names();
  }

  const std::string& file() const { return file_; }

  /// The entry `key` of `section` (case-insensitive), marked as used; nullptr when absent.
  CfgEntry* get(const std::string& section_name, const std::string& key) {
    CfgSection* s = section(section_name);
    if (!s) return nullptr;
    for (CfgEntry& e : s->entries)
      if (lower(e.key) == lower(key)) return &e;
    return nullptr;
  }

  /// Reports a missing required key (or its missing section, once).
  void missing(const std::string& section_name, const std::string& key, const std::string& what) {
    CfgSection* s = section(section_name);
    if (!s) {
      if (misplaced_.count("[" + section_name + "]")) return;  // reported as a misspelled section
      if (missing_sections_.insert(section_name).second)
        diag_.add({file_, 1, 1}, section_name, "missing required section [" + section_name + "]");
      return;
    }
    if (misplaced_.count(lower(key))) return;  // reported as a typo or a key in the wrong section
    diag_.add(s->loc, section_name + "." + key, "missing required key (" + what + ")");
  }

  CfgEntry* require(const std::string& section_name, const std::string& key, const std::string& what) {
    CfgEntry* e = get(section_name, key);
    if (!e) missing(section_name, key, what);
    return e;
  }

  /// An integer value, or nullopt (reported under `key_path`).
  std::optional<std::int64_t> integer(const CfgEntry& e, const std::string& key_path) {
    const auto v = parse_int(e.value);
    if (!v) diag_.add(e.value_loc, key_path, e.key + ": expected an integer, got " + show(e.value));
    return v;
  }

  Diagnostics& diag() { return diag_; }
  std::vector<std::string>& notes() { return notes_; }

 private:
  CfgSection* section(const std::string& name) {
    for (CfgSection& s : sections_)
      if (s.name == name) return &s;
    return nullptr;
  }

  void parse(const std::string& text) {
    std::size_t pos = 0;
    int line = 0;
    if (text.compare(0, 3, "\xEF\xBB\xBF") == 0) pos = 3;
    while (pos < text.size()) {
      std::size_t end = text.find('\n', pos);
      if (end == std::string::npos) end = text.size();
      std::string raw = text.substr(pos, end - pos);
      pos = end + 1;
      ++line;
      if (!raw.empty() && raw.back() == '\r') raw.pop_back();
      const std::size_t first = raw.find_first_not_of(" \t");
      if (first == std::string::npos || raw[first] == '#' || raw[first] == ';') continue;
      const int col = static_cast<int>(first) + 1;
      const std::string t = trim(raw);
      if (t.front() == '[') {
        if (t.back() != ']' || t.size() < 3) {
          diag_.add({file_, line, col}, "(cfg)", "malformed section header " + show(t) + "; expected [name]");
          current_ = -1;
          continue;
        }
        const std::string name = t.substr(1, t.size() - 2);
        if (section(name)) {
          diag_.add({file_, line, col}, name, "section [" + name + "] appears twice");
          current_ = -1;
          continue;
        }
        sections_.push_back({name, {file_, line, col}, {}});
        current_ = static_cast<int>(sections_.size()) - 1;
        continue;
      }
      const std::size_t delim = raw.find_first_of("=:");
      if (delim == std::string::npos) {
        diag_.add({file_, line, col}, "(cfg)", "expected 'key = value', 'key: value' or '[section]', got " + show(t));
        continue;
      }
      const std::string key = trim(raw.substr(0, delim));
      const std::size_t vstart = raw.find_first_not_of(" \t", delim + 1);
      const int vcol = static_cast<int>(vstart == std::string::npos ? delim + 1 : vstart) + 1;
      if (key.empty()) {
        diag_.add({file_, line, col}, "(cfg)", "a value without a key: " + show(t));
        continue;
      }
      if (sections_.empty()) {
        diag_.add({file_, line, col}, key, "key before the first [section] header");
        continue;
      }
      if (current_ < 0) continue;  // inside a malformed or duplicate section: already reported
      CfgSection& cur = sections_[static_cast<std::size_t>(current_)];
      bool dup = false;
      for (const CfgEntry& e : cur.entries) dup = dup || lower(e.key) == lower(key);
      if (dup) {
        diag_.add({file_, line, col}, cur.name + "." + key,
                  "key appears twice in [" + cur.name + "] (keys are case-insensitive)");
        continue;
      }
      cur.entries.push_back({key, trim(raw.substr(delim + 1)), {file_, line, col}, {file_, line, vcol}});
    }
  }

  /// Unknown sections and keys: an error when they look like a typo of a known one (or a known key
  /// in the wrong section), otherwise a warning note (SCALE-Sim ignores them too).
  void check_names() {
    std::vector<std::string> section_names;
    for (const auto& [s, keys] : known_keys()) section_names.push_back(s);
    for (CfgSection& s : sections_) {
      const std::vector<std::string>* keys = keys_of(s.name);
      if (!keys) {
        const std::string close = config::closest_match(lower(s.name), section_names);
        if (!close.empty()) {
          diag_.add(s.loc, s.name, "unknown section [" + s.name + "] (did you mean [" + close + "]?)");
          misplaced_.insert("[" + close + "]");
        } else {
          warn(s.loc, s.name, "unknown section [" + s.name + "], ignored with its keys");
        }
        continue;
      }
      std::vector<std::string> lowered;
      for (const std::string& k : *keys) lowered.push_back(lower(k));
      for (const CfgEntry& e : s.entries) {
        const std::string lk = lower(e.key);
        if (std::find(lowered.begin(), lowered.end(), lk) != lowered.end()) continue;
        std::string home;
        for (const auto& [other, other_keys] : known_keys())
          for (const std::string& k : other_keys)
            if (lower(k) == lk) home = other;
        const std::string path = s.name + "." + e.key;
        if (!home.empty()) {
          diag_.add(e.key_loc, path, "'" + e.key + "' belongs in [" + home + "], not [" + s.name + "]");
          misplaced_.insert(lk);
          continue;
        }
        const std::string close = config::closest_match(lk, lowered);
        if (!close.empty()) {
          const std::string spelled =
              (*keys)[static_cast<std::size_t>(std::find(lowered.begin(), lowered.end(), close) - lowered.begin())];
          diag_.add(e.key_loc, path, "unknown key (did you mean '" + spelled + "'?)");
          misplaced_.insert(close);
        } else {
          warn(e.key_loc, path, "unknown key, ignored");
        }
      }
    }
  }

  void warn(const Location& loc, const std::string& path, const std::string& message) {
    notes_.push_back("warning: " + loc.file + ":" + std::to_string(loc.line) + ":" + std::to_string(loc.col) + " " +
                     path + ": " + message);
  }

  std::string file_;
  Diagnostics& diag_;
  std::vector<std::string>& notes_;
  std::vector<CfgSection> sections_;
  int current_ = -1;  ///< index of the section being read; -1 inside a rejected header
  std::set<std::string> missing_sections_;
  /// Known keys (lower case) and "[sections]" reported as typos or misplaced: not also missing.
  std::set<std::string> misplaced_;
};

ArchOut read_cfg_entries(Cfg& cfg, OriginMap& origins) {
  ArchOut a;
  const auto origin = [&](const std::string& key_path, const CfgEntry* e) {
    if (e) origins.add(key_path, e->value_loc);
  };

  if (CfgEntry* e = cfg.get("general", "run_name")) {
    std::string v = e->value;
    if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
    a.run_name = v;
    origin("name", e);
  }

  const std::string ap = "architecture_presets";
  if (CfgEntry* e = cfg.require(ap, "ArrayHeight", "ArrayHeight: the number of PE rows, an integer"))
    a.rows = cfg.integer(*e, "arch.array.rows").value_or(0), origin("arch.array.rows", e);
  if (CfgEntry* e = cfg.require(ap, "ArrayWidth", "ArrayWidth: the number of PE columns, an integer"))
    a.cols = cfg.integer(*e, "arch.array.cols").value_or(0), origin("arch.array.cols", e);
  const char* sram_keys[3] = {"IfmapSramSzkB", "FilterSramSzkB", "OfmapSramSzkB"};
  const char* spad_paths[3] = {"arch.scratchpad.ifmap", "arch.scratchpad.weight", "arch.scratchpad.output"};
  for (int i = 0; i < 3; ++i) {
    const std::string path = std::string(spad_paths[i]) + ".size_kib";
    if (CfgEntry* e = cfg.require(ap, sram_keys[i], std::string(sram_keys[i]) + ": SRAM size in KiB, an integer")) {
      a.sram_kb[i] = cfg.integer(*e, path);
      origin(path, e);
      origin(spad_paths[i], e);
    }
  }
  if (CfgEntry* e = cfg.require(ap, "Dataflow", "Dataflow: os, ws or is")) {
    origin("arch.array.dataflow", e);
    if (e->value == "os" || e->value == "ws" || e->value == "is") {
      a.dataflow = e->value;
    } else {
      const std::string close = config::closest_match(lower(e->value), {"os", "ws", "is"});
      cfg.diag().add(e->value_loc, "arch.array.dataflow",
                     "Dataflow: " + show(e->value) + " is not one of os|ws|is" +
                         (close.empty() ? "" : " (did you mean '" + close + "'?)"));
    }
  }

  if (CfgEntry* e = cfg.require("run_presets", "InterfaceBandwidth", "InterfaceBandwidth: USER or CALC")) {
    origin("arch.dram.model", e);
    origin("arch.dram", e);
    if (e->value == "USER" || e->value == "CALC") {
      a.user_bw = e->value == "USER";
    } else {
      const std::string up = lower(e->value) == "user" ? "USER" : lower(e->value) == "calc" ? "CALC" : "";
      cfg.diag().add(e->value_loc, "run_presets.InterfaceBandwidth",
                     "InterfaceBandwidth: " + show(e->value) + " is not USER or CALC" +
                         (up.empty() ? "" : " (SCALE-Sim needs upper case: '" + up + "')"));
    }
  }

  // Bandwidth: a comma-separated list of words per cycle; SCALE-Sim uses the first value.
  CfgEntry* bw = a.user_bw ? cfg.require(ap, "Bandwidth", "Bandwidth: DRAM words per cycle in USER mode, an integer")
                           : cfg.get(ap, "Bandwidth");
  if (bw) {
    origin("arch.dram.bytes_per_cycle", bw);
    std::vector<std::string> parts;
    std::string cur;
    for (const char c : bw->value + ",") {
      if (c == ',')
        parts.push_back(trim(cur)), cur.clear();
      else
        cur += c;
    }
    const auto first = parse_int(parts.front());
    if (first) {
      a.bandwidth = first;
      if (parts.size() > 1)
        cfg.notes().push_back("warning: " + cfg.file() + ":" + std::to_string(bw->value_loc.line) + ":" +
                              std::to_string(bw->value_loc.col) + " " + ap +
                              ".Bandwidth: " + std::to_string(parts.size()) + " values; SCALE-Sim v2 uses the first (" +
                              std::to_string(*first) + ") and so does arraysim");
    } else if (a.user_bw) {
      cfg.diag().add(bw->value_loc, "arch.dram.bytes_per_cycle",
                     "Bandwidth: expected an integer (words per cycle), got " + show(bw->value));
    }
  }

  // v3: in USER mode the ifmap and filter DRAM channels use the [layout] bank bandwidths.
  if (a.user_bw && a.bandwidth) {
    for (const char* k : {"IfmapSRAMBankBandwidth", "FilterSRAMBankBandwidth"}) {
      const CfgEntry* e = cfg.get("layout", k);
      const auto v = e ? parse_int(e->value) : std::nullopt;
      if (v && *v != *a.bandwidth)
        cfg.notes().push_back("warning: " + cfg.file() + ":" + std::to_string(e->value_loc.line) + ":" +
                              std::to_string(e->value_loc.col) + " layout." + k + ": " + std::to_string(*v) +
                              " differs from Bandwidth (" + std::to_string(*a.bandwidth) +
                              "); arraysim has one DRAM bandwidth and uses Bandwidth");
    }
  }
  if (const CfgEntry* e = cfg.get("sparsity", "SparsitySupport"); e && lower(e->value) == "true")
    cfg.notes().push_back("warning: " + cfg.file() + ":" + std::to_string(e->value_loc.line) + ":" +
                          std::to_string(e->value_loc.col) +
                          " sparsity.SparsitySupport: sparsity is not modelled; arraysim simulates dense layers");
  return a;
}

}  // namespace

ArchOut read_cfg(const std::string& text, const std::string& file, Diagnostics& diag, std::vector<std::string>& notes,
                 OriginMap& origins) {
  Cfg cfg(text, file, diag, notes);
  return read_cfg_entries(cfg, origins);
}

}  // namespace arraysim::io::scalesim
