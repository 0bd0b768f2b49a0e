#include "sim/config/workload_config.hpp"

#include <cstdio>
#include <initializer_list>
#include <limits>
#include <map>
#include <string>
#include <tuple>
#include <vector>

namespace arraysim::config {
namespace {

constexpr std::int64_t kBig = std::int64_t{1} << 40;          // any single dimension
constexpr std::int64_t kMaxDilation = std::int64_t{1} << 16;  // keeps dilation·(kernel-1) far from overflow
constexpr std::int64_t kMaxElements = std::int64_t{1} << 32;  // per operand tensor
constexpr std::int64_t kMaxMacs = std::int64_t{1} << 40;      // per layer

/// Every key some layer type knows: with an unknown or missing `type`, only these are accepted.
const std::vector<std::string> kAllLayerKeys{
    "name",        "type",         "m",           "n",         "k",        "batch",
    "in_features", "out_features", "in_channels", "in_height", "in_width", "out_channels",
    "kernel",      "kernel_h",     "kernel_w",    "stride",    "stride_h", "stride_w",
    "dilation",    "dilation_h",   "dilation_w",  "padding",   "pad_top",  "pad_bottom",
    "pad_left",    "pad_right",    "groups",      "mapping"};

/// a·b, saturating at INT64_MAX (operands are positive).
std::int64_t sat_mul(std::int64_t a, std::int64_t b) {
  std::int64_t r = 0;
  return __builtin_mul_overflow(a, b, &r) ? std::numeric_limits<std::int64_t>::max() : r;
}
std::int64_t sat_mul(std::initializer_list<std::int64_t> xs) {
  std::int64_t r = 1;
  for (const std::int64_t x : xs) r = sat_mul(r, x);
  return r;
}

/// Why a (valid) layer is too large to simulate, or "".
std::string too_large(const ir::Layer& l) {
  std::int64_t in = 0, wt = 0, out = 0, macs = 0;
  switch (l.kind) {
    case ir::LayerKind::gemm:
      in = sat_mul(l.gemm.m, l.gemm.k), wt = sat_mul(l.gemm.k, l.gemm.n), out = sat_mul(l.gemm.m, l.gemm.n);
      macs = sat_mul(out, l.gemm.k);
      break;
    case ir::LayerKind::fc:
      in = sat_mul(l.fc.batch, l.fc.in_features), wt = sat_mul(l.fc.in_features, l.fc.out_features);
      out = sat_mul(l.fc.batch, l.fc.out_features), macs = sat_mul(out, l.fc.in_features);
      break;
    case ir::LayerKind::conv2d: {
      const ir::Conv2dParams& c = l.conv;
      in = sat_mul({c.n, c.c, c.h, c.w});
      wt = sat_mul({c.out_channels, c.c_per_group(), c.kernel_h, c.kernel_w});
      out = sat_mul({c.n, c.out_channels, c.out_h(), c.out_w()});
      macs = sat_mul({out, c.c_per_group(), c.kernel_h, c.kernel_w});
      break;
    }
  }
  auto count = [](std::int64_t v) {
    if (v == std::numeric_limits<std::int64_t>::max()) return std::string("more than 9.2e+18");
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.3g", static_cast<double>(v));
    return std::string(buf);
  };
  const std::pair<const char*, std::int64_t> tensors[] = {{"input", in}, {"weight", wt}, {"output", out}};
  for (const auto& [what, n] : tensors)
    if (n > kMaxElements)
      return std::string("too large to simulate: the ") + what + " tensor has " + count(n) + " elements (at most 2^32)";
  if (macs > kMaxMacs) return "too large to simulate: " + count(macs) + " multiply-accumulates (at most 2^40)";
  return "";
}

/// The key the user wrote for a validated field: the field itself, or the shorthand it came from.
std::string written_key(MapReader& r, const std::string& field) {
  if (r.has(field)) return field;
  static const std::map<std::string, std::string> shorthand{
      {"kernel_h", "kernel"},     {"kernel_w", "kernel"},     {"stride_h", "stride"}, {"stride_w", "stride"},
      {"dilation_h", "dilation"}, {"dilation_w", "dilation"}, {"pad_top", "padding"}, {"pad_bottom", "padding"},
      {"pad_left", "padding"},    {"pad_right", "padding"}};
  const auto it = shorthand.find(field);
  return it != shorthand.end() && r.has(it->second) ? it->second : field;
}

/// Reads a (height, width) pair given either as `short_key` (n or [h, w]) or as the two long keys.
std::pair<std::int64_t, std::int64_t> read_pair(MapReader& r, const std::string& short_key, const std::string& hk,
                                                const std::string& wk, std::int64_t dflt, std::int64_t lo,
                                                std::int64_t hi, bool required) {
  const bool has_short = r.has(short_key), has_long = r.has(hk) || r.has(wk);
  if (has_short && has_long) {
    r.error(short_key, "give either '" + short_key + "' or '" + hk + "'/'" + wk + "', not both");
    r.raw(hk), r.raw(wk), r.raw(short_key);
    return {dflt, dflt};
  }
  if (has_short) {
    auto v = r.opt_int_list(short_key, 2, lo, hi);
    r.raw(hk), r.raw(wk);
    if (!v) return {dflt, dflt};
    return {(*v)[0], v->size() == 2 ? (*v)[1] : (*v)[0]};
  }
  r.raw(short_key);
  if (required && !has_long) {
    r.missing(short_key, "an integer or [height, width]; or '" + hk + "' and '" + wk + "'");
    r.raw(hk), r.raw(wk);
    return {dflt, dflt};
  }
  const std::int64_t h = required ? r.req_int(hk, lo, hi) : r.opt_int(hk, dflt, lo, hi);
  const std::int64_t w = required ? r.req_int(wk, lo, hi) : r.opt_int(wk, dflt, lo, hi);
  return {h, w};
}

void read_padding(MapReader& r, ir::Conv2dParams& c) {
  const char* longs[] = {"pad_top", "pad_bottom", "pad_left", "pad_right"};
  bool has_long = false;
  for (const char* k : longs) has_long = has_long || r.has(k);
  if (r.has("padding") && has_long) {
    r.error("padding", "give either 'padding' or 'pad_top'/'pad_bottom'/'pad_left'/'pad_right', not both");
    for (const char* k : longs) r.raw(k);
    return;
  }
  if (r.has("padding")) {
    for (const char* k : longs) r.raw(k);
    auto v = r.opt_int_list("padding", 4, 0, kBig);
    if (!v) return;
    if (v->size() == 3) {
      r.error("padding",
              "expected 1 value (all sides), 2 ([vertical, horizontal]) or 4 ([top, bottom, left, right]), got 3");
      return;
    }
    const auto& p = *v;
    if (p.size() == 1) c.pad_top = c.pad_bottom = c.pad_left = c.pad_right = p[0];
    if (p.size() == 2) c.pad_top = c.pad_bottom = p[0], c.pad_left = c.pad_right = p[1];
    if (p.size() == 4) c.pad_top = p[0], c.pad_bottom = p[1], c.pad_left = p[2], c.pad_right = p[3];
    return;
  }
  r.raw("padding");
  c.pad_top = r.opt_int("pad_top", 0, 0, kBig);
  c.pad_bottom = r.opt_int("pad_bottom", 0, 0, kBig);
  c.pad_left = r.opt_int("pad_left", 0, 0, kBig);
  c.pad_right = r.opt_int("pad_right", 0, 0, kBig);
}

ir::Layer parse_layer(MapReader& r, std::size_t index, MappingConfig* mapping) {
  ir::Layer l;
  if (r.has("mapping")) {
    const MappingConfig m = parse_mapping(r.child("mapping"));
    if (mapping) *mapping = m;
  }
  const std::size_t before_type = r.ctx().diag.issues().size();
  const std::string type = r.req_choice("type", {"gemm", "fc", "conv2d"});
  const bool type_ok = r.ctx().diag.issues().size() == before_type;
  l.name = r.opt_name("name", type + std::to_string(index));
  if (!type_ok) {  // the other keys depend on the type: only reject keys no layer type knows
    r.finish(kAllLayerKeys);
    return l;
  }
  const std::size_t before = r.ctx().diag.issues().size();
  if (type == "gemm") {
    l.kind = ir::LayerKind::gemm;
    l.gemm.m = r.req_int("m", 1, kBig);
    l.gemm.n = r.req_int("n", 1, kBig);
    l.gemm.k = r.req_int("k", 1, kBig);
  } else if (type == "fc") {
    l.kind = ir::LayerKind::fc;
    l.fc.batch = r.opt_int("batch", 1, 1, kBig);
    l.fc.in_features = r.req_int("in_features", 1, kBig);
    l.fc.out_features = r.req_int("out_features", 1, kBig);
  } else {
    l.kind = ir::LayerKind::conv2d;
    ir::Conv2dParams& c = l.conv;
    c.n = r.opt_int("batch", 1, 1, kBig);
    c.c = r.req_int("in_channels", 1, kBig);
    c.h = r.req_int("in_height", 1, kBig);
    c.w = r.req_int("in_width", 1, kBig);
    c.out_channels = r.req_int("out_channels", 1, kBig);
    std::tie(c.kernel_h, c.kernel_w) = read_pair(r, "kernel", "kernel_h", "kernel_w", 1, 1, kBig, true);
    std::tie(c.stride_h, c.stride_w) = read_pair(r, "stride", "stride_h", "stride_w", 1, 1, kBig, false);
    std::tie(c.dilation_h, c.dilation_w) =
        read_pair(r, "dilation", "dilation_h", "dilation_w", 1, 1, kMaxDilation, false);
    read_padding(r, c);
    c.groups = r.opt_int("groups", 1, 1, kBig);
  }
  r.finish({}, "a layer of type " + type);
  // Cross-field rules only make sense once every field parsed.
  if (r.ctx().diag.issues().size() != before) return l;
  const auto issues = ir::validate(l);
  for (const auto& issue : issues) r.error(written_key(r, issue.field), issue.message);
  if (issues.empty()) {
    const std::string why = too_large(l);
    if (!why.empty()) r.error_here(why);
  }
  return l;
}

}  // namespace

ir::Network parse_workload(MapReader& r, std::vector<MappingConfig>* mappings) {
  ir::Network n;
  n.name = r.opt_name("name", "workload");
  n.seed = static_cast<std::uint64_t>(r.opt_int("seed", 1, 0, std::numeric_limits<std::int64_t>::max()));
  const auto layers = r.req_seq("layers");
  if (r.has("layers") && layers.empty() && r.raw("layers").IsSequence()) r.error("layers", "needs at least one layer");
  if (layers.size() > kMaxLayers) {
    r.error("layers", std::to_string(layers.size()) + " layers; a workload has at most " + std::to_string(kMaxLayers));
    r.finish();
    return n;
  }
  std::map<std::string, std::size_t> seen;
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const std::string p = join_path(join_path(r.path(), "layers"), std::to_string(i));
    if (layers[i].IsNull()) {
      r.ctx().diag.add(r.ctx().sources.locate(p, layers[i].Mark()), p, "empty list entry; expected a layer mapping");
      continue;
    }
    MapReader lr(layers[i], p, r.ctx());
    MappingConfig mapping;
    ir::Layer l = parse_layer(lr, i, &mapping);
    if (mappings) mappings->push_back(mapping);
    auto [it, fresh] = seen.emplace(l.name, i);
    if (!fresh)
      lr.error("name", "duplicate layer name '" + l.name + "' (also layer " + std::to_string(it->second) + ")");
    n.layers.push_back(std::move(l));
  }
  r.finish();
  return n;
}

void emit_layer(YAML::Emitter& out, const ir::Layer& l, const MappingConfig* mapping) {
  out << YAML::BeginMap;
  out << YAML::Key << "name" << YAML::Value << l.name;
  out << YAML::Key << "type" << YAML::Value << ir::layer_kind_name(l.kind);
  auto kv = [&](const char* k, std::int64_t v) { out << YAML::Key << k << YAML::Value << v; };
  switch (l.kind) {
    case ir::LayerKind::gemm: kv("m", l.gemm.m), kv("n", l.gemm.n), kv("k", l.gemm.k); break;
    case ir::LayerKind::fc:
      kv("batch", l.fc.batch), kv("in_features", l.fc.in_features), kv("out_features", l.fc.out_features);
      break;
    case ir::LayerKind::conv2d: {
      const ir::Conv2dParams& c = l.conv;
      kv("batch", c.n), kv("in_channels", c.c), kv("in_height", c.h), kv("in_width", c.w);
      kv("out_channels", c.out_channels), kv("kernel_h", c.kernel_h), kv("kernel_w", c.kernel_w);
      kv("stride_h", c.stride_h), kv("stride_w", c.stride_w);
      kv("pad_top", c.pad_top), kv("pad_bottom", c.pad_bottom), kv("pad_left", c.pad_left),
          kv("pad_right", c.pad_right);
      kv("dilation_h", c.dilation_h), kv("dilation_w", c.dilation_w), kv("groups", c.groups);
      break;
    }
  }
  if (mapping && !mapping->empty()) {
    out << YAML::Key << "mapping" << YAML::Value;
    emit_mapping(out, *mapping);
  }
  out << YAML::EndMap;
}

void emit_workload(YAML::Emitter& out, const ir::Network& n, const std::vector<MappingConfig>* mappings) {
  out << YAML::BeginMap;
  out << YAML::Key << "name" << YAML::Value << n.name;
  out << YAML::Key << "seed" << YAML::Value << n.seed;
  out << YAML::Key << "layers" << YAML::Value << YAML::BeginSeq;
  for (std::size_t i = 0; i < n.layers.size(); ++i)
    emit_layer(out, n.layers[i], mappings && i < mappings->size() ? &(*mappings)[i] : nullptr);
  out << YAML::EndSeq << YAML::EndMap;
}

}  // namespace arraysim::config
