#include "sim/io/scalesim_import.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <map>
#include <optional>
#include <set>

#include "sim/config/arch_config.hpp"
#include "sim/config/workload_config.hpp"
#include "sim/io/csv.hpp"
#include "sim/io/scalesim_cfg.hpp"
#include "sim/util/utf8.hpp"

namespace arraysim::io {
namespace {

using namespace scalesim;

namespace fs = std::filesystem;
using config::Diagnostics;
using config::Location;

// ---- the topology CSV ------------------------------------------------------------------------

/// One generated layer with the CSV locations of its fields.
struct LayerOut {
  ir::Layer layer;
  bool has_name = false;
  std::vector<std::pair<std::string, Location>> fields;  // arraysim key -> CSV location
  Location row;
};

const char* const kConvColumns[] = {"Layer name", "IFMAP Height", "IFMAP Width", "Filter Height", "Filter Width",
                                    "Channels",   "Num Filter",   "Strides",     "Stride width"};
const char* const kGemmColumns[] = {"Layer", "M", "N", "K"};

bool looks_like_gemm_header(const CsvRecord& h) {
  if (h.fields.size() < 4) return false;
  return lower(h.fields[1].text) == "m" && lower(h.fields[2].text) == "n" && lower(h.fields[3].text) == "k";
}

bool looks_like_conv_header(const CsvRecord& h) {
  for (const CsvField& f : h.fields)
    if (lower(f.text).find("ifmap") != std::string::npos || lower(f.text).find("filter") != std::string::npos)
      return true;
  return false;
}

std::vector<LayerOut> read_topology(const std::string& text, const std::string& file, bool gemm, Diagnostics& diag,
                                    std::vector<std::string>& notes) {
  std::vector<CsvRecord> records;
  try {
    records = parse_csv(text);
  } catch (const CsvSyntaxError& e) {
    diag.add({file, e.line(), e.col()}, "(csv)", e.what());
    return {};
  }
  if (records.empty()) {
    diag.add({file, 1, 1}, "workload.layers",
             "the topology file is empty; expected a header line and one row per layer");
    return {};
  }
  const CsvRecord& header = records.front();
  const Location hloc{file, header.line, 1};
  if (!gemm && looks_like_gemm_header(header)) {
    diag.add(hloc, "(header)", "this is a GEMM topology (header 'Layer, M, N, K'): add --gemm");
    return {};
  }
  if (gemm && looks_like_conv_header(header)) {
    diag.add(hloc, "(header)", "this is a convolution topology (IFMAP and Filter columns): remove --gemm");
    return {};
  }
  if (header.fields.size() > 1 && parse_int(header.fields[1].text))
    notes.push_back("warning: " + file + ":" + std::to_string(header.line) +
                    ":1 (header): the first line looks like a layer, but it is read as the header and skipped, "
                    "as SCALE-Sim does");
  if (records.size() == 1) {
    diag.add(hloc, "workload.layers", "no layers: the topology has a header line and no rows");
    return {};
  }

  if (records.size() - 1 > config::kMaxLayers) {
    diag.add({file, records[config::kMaxLayers + 1].line, 1}, "workload.layers",
             "more than " + std::to_string(config::kMaxLayers) + " rows (" + std::to_string(records.size() - 1) +
                 "); a workload has at most " + std::to_string(config::kMaxLayers) + " layers");
    return {};
  }
  const std::size_t min_cols = gemm ? 4 : 8, max_cols = gemm ? 4 : 9;
  std::string columns;
  for (std::size_t c = 0; c < min_cols; ++c)
    columns += std::string(c ? ", " : "") + (gemm ? kGemmColumns[c] : kConvColumns[c]);

  std::vector<LayerOut> out;
  for (std::size_t r = 1; r < records.size(); ++r) {
    const CsvRecord& rec = records[r];
    const std::size_t index = r - 1;
    const std::string path = "workload.layers." + std::to_string(index);
    std::vector<CsvField> f = rec.fields;
    // SCALE-Sim rows end with a comma (it drops the last field); trailing empty fields are ignored.
    while (!f.empty() && f.back().text.empty() && !f.back().quoted) f.pop_back();
    const Location row{file, rec.line, rec.fields.front().col};
    if (f.size() < min_cols) {
      diag.add(row, path,
               "expected " + std::to_string(min_cols) + " columns (" + columns + ")" +
                   (gemm ? "" : " and an optional Stride width") + ", got " + std::to_string(f.size()));
      continue;
    }
    if (f.size() > max_cols) {
      const CsvField& extra = f[max_cols];
      diag.add({file, extra.line, extra.col}, path,
               "unexpected column " + std::to_string(max_cols + 1) + " " + show(extra.text) + "; a " +
                   (gemm ? "GEMM row has 4 columns (Layer, M, N, K)"
                         : "convolution row has at most 9 (..., Strides, Stride width)"));
      continue;
    }

    LayerOut lo;
    lo.row = row;
    ir::Layer& l = lo.layer;
    l.name = f[0].text;
    lo.has_name = !l.name.empty();
    bool ok = true;
    std::vector<std::int64_t> v(f.size(), 0);
    for (std::size_t c = 1; c < f.size(); ++c) {
      const auto x = parse_int(f[c].text);
      const char* column = gemm ? kGemmColumns[c] : kConvColumns[c];
      if (!x) {
        static const char* const conv_keys[] = {"name",        "in_height",    "in_width", "kernel_h", "kernel_w",
                                                "in_channels", "out_channels", "stride_h", "stride_w"};
        static const char* const gemm_keys[] = {"name", "m", "n", "k"};
        diag.add({file, f[c].line, f[c].col}, path + "." + (gemm ? gemm_keys[c] : conv_keys[c]),
                 std::string(column) + ": expected an integer, got " + show(f[c].text));
        ok = false;
        continue;
      }
      v[c] = *x;
    }
    if (!ok) continue;
    const auto loc = [&](std::size_t c) { return Location{file, f[c].line, f[c].col}; };
    lo.fields.push_back({"name", loc(0)});
    if (gemm) {
      l.kind = ir::LayerKind::gemm;
      l.gemm.m = v[1], l.gemm.n = v[2], l.gemm.k = v[3];
      lo.fields.insert(lo.fields.end(), {{"m", loc(1)}, {"n", loc(2)}, {"k", loc(3)}});
    } else {
      l.kind = ir::LayerKind::conv2d;
      ir::Conv2dParams& c = l.conv;
      c.h = v[1], c.w = v[2], c.kernel_h = v[3], c.kernel_w = v[4], c.c = v[5], c.out_channels = v[6];
      c.stride_h = v[7], c.stride_w = f.size() == 9 ? v[8] : v[7];
      // SCALE-Sim expands a layer whose name contains "DP" into Channels single-channel layers of
      // Num Filter filters each: a grouped convolution with groups = Channels.
      if (l.name.find("DP") != std::string::npos) {
        c.groups = c.c;
        std::int64_t oc = 0;
        c.out_channels = __builtin_mul_overflow(c.c, v[6], &oc) ? std::numeric_limits<std::int64_t>::max() : oc;
        lo.fields.push_back({"groups", loc(0)});
      }
      lo.fields.insert(lo.fields.end(), {{"in_height", loc(1)},
                                         {"in_width", loc(2)},
                                         {"kernel_h", loc(3)},
                                         {"kernel_w", loc(4)},
                                         {"in_channels", loc(5)},
                                         {"out_channels", loc(6)},
                                         {"stride_h", loc(7)},
                                         {"stride_w", loc(f.size() == 9 ? 8 : 7)}});
    }
    out.push_back(std::move(lo));
  }
  return out;
}

/// Layers whose output size SCALE-Sim rounds up: ceil((H − R + s) / s) instead of floor((H − R) / s) + 1.
void note_rounding(const std::vector<LayerOut>& layers, const std::string& file, std::vector<std::string>& notes) {
  std::vector<std::string> diffs;
  for (const LayerOut& lo : layers) {
    const ir::Conv2dParams& c = lo.layer.conv;
    if (lo.layer.kind != ir::LayerKind::conv2d || c.stride_h < 1 || c.stride_w < 1 || c.h < c.kernel_h ||
        c.w < c.kernel_w)
      continue;
    const auto ss = [](std::int64_t in, std::int64_t k, std::int64_t s) { return (in - k + s + s - 1) / s; };
    const auto ours = [](std::int64_t in, std::int64_t k, std::int64_t s) { return (in - k) / s + 1; };
    const std::int64_t sh = ss(c.h, c.kernel_h, c.stride_h), sw = ss(c.w, c.kernel_w, c.stride_w);
    const std::int64_t ah = ours(c.h, c.kernel_h, c.stride_h), aw = ours(c.w, c.kernel_w, c.stride_w);
    if (sh != ah || sw != aw)
      diffs.push_back(lo.layer.name + " " + std::to_string(sh) + "x" + std::to_string(sw) + " -> " +
                      std::to_string(ah) + "x" + std::to_string(aw));
  }
  if (diffs.empty()) return;
  std::string list;
  for (std::size_t i = 0; i < diffs.size() && i < 6; ++i) list += (i ? ", " : "") + diffs[i];
  if (diffs.size() > 6) list += ", ...";
  notes.push_back("note: " + file + ": " + std::to_string(diffs.size()) +
                  (diffs.size() == 1 ? " layer has" : " layers have") +
                  " (IFMAP - Filter) not a multiple of the stride: SCALE-Sim rounds the output size up, "
                  "arraysim down (as a convolution does): " +
                  list);
}

/// Smallest power of two >= v (v >= 1).
std::int64_t pow2_at_least(std::int64_t v) {
  std::int64_t p = 1;
  while (p < v) p *= 2;
  return p;
}

std::string stem(const std::string& path) { return util::with_valid_utf8(fs::path(path).stem().string()); }

/// `s` with control characters replaced (for a YAML comment).
std::string one_line(std::string s) {
  for (char& c : s)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '_';
  return s;
}

}  // namespace

GeneratedExperiment import_scalesim_text(const std::string& cfg_text, const std::string& cfg_name,
                                         const std::string& topology_text, const std::string& topology_name,
                                         bool gemm) {
  GeneratedExperiment g;
  g.display_name = "<import:scalesim>";
  g.base_dir = ".";
  Diagnostics diag;
  diag.set_main_file(cfg_name);
  // Names (run_name, layer names) go into YAML, JSON and CSV: the texts must be UTF-8.
  for (const auto& [text, name] : {std::pair{&cfg_text, &cfg_name}, std::pair{&topology_text, &topology_name}}) {
    if (const auto bad = util::invalid_utf8_at(*text)) {
      const util::TextPosition p = util::position_of(*text, *bad);
      char byte[8];
      std::snprintf(byte, sizeof byte, "0x%02x", static_cast<unsigned char>((*text)[*bad]));
      diag.add({*name, p.line, p.col}, "(file)",
               std::string("not valid UTF-8 (byte ") + byte + "); arraysim reads SCALE-Sim files encoded as UTF-8");
    }
  }
  diag.throw_if_any();

  g.origins.add("", config::Location{cfg_name, 1, 1});
  g.origins.add("arch", config::Location{cfg_name, 1, 1});
  const ArchOut a = read_cfg(cfg_text, cfg_name, diag, g.notes, g.origins);

  std::vector<LayerOut> layers = read_topology(topology_text, topology_name, gemm, diag, g.notes);
  diag.throw_if_any();
  if (!gemm) note_rounding(layers, topology_name, g.notes);

  // Unique layer names (arraysim requires them; SCALE-Sim does not).
  std::set<std::string> used;
  for (const LayerOut& lo : layers)
    if (lo.has_name) used.insert(lo.layer.name);
  std::set<std::string> taken;
  for (std::size_t i = 0; i < layers.size(); ++i) {
    LayerOut& lo = layers[i];
    if (!lo.has_name) lo.layer.name = ir::layer_kind_name(lo.layer.kind) + std::to_string(i);
    if (taken.count(lo.layer.name)) {
      std::string n;
      for (int k = 2;; ++k)
        if (n = lo.layer.name + "_" + std::to_string(k); !taken.count(n) && !used.count(n)) break;
      g.notes.push_back("warning: " + topology_name + ":" + std::to_string(lo.row.line) + ":" +
                        std::to_string(lo.row.col) + " workload.layers." + std::to_string(i) + ".name: '" +
                        config::printable(lo.layer.name) + "' is used by an earlier row; renamed to '" +
                        config::printable(n) + "'");
      lo.layer.name = n;
    }
    taken.insert(lo.layer.name);
  }

  g.origins.add("workload", config::Location{topology_name, 1, 1});
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const std::string p = "workload.layers." + std::to_string(i);
    g.origins.add(p, layers[i].row);
    for (const auto& [key, loc] : layers[i].fields) g.origins.add(p + "." + key, loc);
  }

  // The experiment. Values that failed to parse were reported above, so everything here is set.
  YAML::Emitter out;
  out << YAML::BeginMap;
  out << YAML::Key << "name" << YAML::Value << (a.run_name.empty() ? stem(cfg_name) : a.run_name);
  out << YAML::Key << "arch" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "name" << YAML::Value << stem(cfg_name);
  out << YAML::Key << "array" << YAML::Value << YAML::Flow << YAML::BeginMap;
  out << YAML::Key << "type" << YAML::Value << "systolic";
  out << YAML::Key << "rows" << YAML::Value << a.rows;
  out << YAML::Key << "cols" << YAML::Value << a.cols;
  out << YAML::Key << "dataflow" << YAML::Value << a.dataflow;
  out << YAML::Key << "input_dtype" << YAML::Value << "int8";  // SCALE-Sim: 1 word = 1 byte
  out << YAML::EndMap;
  // One SRAM access delivers a value to every array row or column (SCALE-Sim has no port
  // limit): one word spans the array edge (the output edge carries 4-byte accumulators).
  const std::int64_t edge = pow2_at_least(std::clamp<std::int64_t>(std::max(a.rows, a.cols), 1, 4096));
  out << YAML::Key << "scratchpad" << YAML::Value << YAML::BeginMap;
  const char* spads[3] = {"ifmap", "weight", "output"};
  for (int i = 0; i < 3; ++i) {
    const std::int64_t elem = i == 2 ? 4 : 1, edge_bytes = edge * elem;
    const std::int64_t word = std::min<std::int64_t>(edge_bytes, 1024);
    // As many banks as serve an edge vector that starts anywhere in a word (it then spans one
    // word more) in one access: twice the words of the edge.
    const std::int64_t banks = config::default_banks(edge_bytes, elem, word, 1);
    out << YAML::Key << spads[i] << YAML::Value << YAML::Flow << YAML::BeginMap;
    out << YAML::Key << "size_kib" << YAML::Value << a.sram_kb[i].value_or(64);
    out << YAML::Key << "banks" << YAML::Value << banks;
    out << YAML::Key << "word_bytes" << YAML::Value << word;
    out << YAML::Key << "double_buffered" << YAML::Value << true;
    out << YAML::EndMap;
  }
  out << YAML::EndMap;
  out << YAML::Key << "dram" << YAML::Value << YAML::Flow << YAML::BeginMap;
  out << YAML::Key << "model" << YAML::Value << (a.user_bw ? "simple" : "ideal");
  if (a.bandwidth) out << YAML::Key << "bytes_per_cycle" << YAML::Value << *a.bandwidth;  // × 1-byte words
  out << YAML::Key << "latency_cycles" << YAML::Value << 1;
  out << YAML::EndMap;
  out << YAML::EndMap;

  out << YAML::Key << "workload" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "name" << YAML::Value << stem(topology_name);
  out << YAML::Key << "layers" << YAML::Value << YAML::BeginSeq;
  for (const LayerOut& lo : layers) {
    const ir::Layer& l = lo.layer;
    const auto kv = [&](const char* k, std::int64_t v) { out << YAML::Key << k << YAML::Value << v; };
    out << YAML::Flow << YAML::BeginMap;
    out << YAML::Key << "name" << YAML::Value << l.name;
    out << YAML::Key << "type" << YAML::Value << ir::layer_kind_name(l.kind);
    if (l.kind == ir::LayerKind::gemm) {
      kv("m", l.gemm.m), kv("n", l.gemm.n), kv("k", l.gemm.k);
    } else {
      const ir::Conv2dParams& c = l.conv;
      kv("in_channels", c.c), kv("in_height", c.h), kv("in_width", c.w), kv("out_channels", c.out_channels);
      kv("kernel_h", c.kernel_h), kv("kernel_w", c.kernel_w), kv("stride_h", c.stride_h), kv("stride_w", c.stride_w);
      kv("padding", 0);  // SCALE-Sim never pads: IFMAP Height/Width are the (already padded) input
      if (c.groups != 1) kv("groups", c.groups);
    }
    out << YAML::EndMap;
  }
  out << YAML::EndSeq << YAML::EndMap;
  out << YAML::EndMap;

  g.yaml = "# arraysim experiment imported from SCALE-Sim " + one_line(cfg_name) + " and " + one_line(topology_name) +
           (gemm ? " (GEMM)" : "") + "; field mapping: docs/import.md\n" + out.c_str() + "\n";
  g.layers = layers.size();
  return g;
}

GeneratedExperiment import_scalesim(const std::string& cfg_path, const std::string& topology_path, bool gemm) {
  Diagnostics diag;
  std::string cfg_text, topo_text;
  try {
    cfg_text = read_input_file(cfg_path, "SCALE-Sim config");
  } catch (const config::ConfigError& e) {
    for (const auto& i : e.issues()) diag.add(i.loc, i.key_path, i.message);
  }
  try {
    topo_text = read_input_file(topology_path, "SCALE-Sim topology");
  } catch (const config::ConfigError& e) {
    for (const auto& i : e.issues()) diag.add(i.loc, i.key_path, i.message);
  }
  diag.throw_if_any();
  return import_scalesim_text(cfg_text, cfg_path, topo_text, topology_path, gemm);
}

}  // namespace arraysim::io
