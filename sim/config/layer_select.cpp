#include "sim/config/layer_select.hpp"

#include <algorithm>
#include <map>
#include <optional>

#include "sim/config/diagnostics.hpp"

namespace arraysim::config {
namespace {

/// A plain decimal number (at most 18 digits, so it fits in 64 bits).
std::optional<std::size_t> decimal(const std::string& s) {
  if (s.empty() || s.size() > 18 || !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return std::nullopt;
  return static_cast<std::size_t>(std::stoull(s));
}

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t"), e = s.find_last_not_of(" \t");
  return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}

}  // namespace

std::vector<std::size_t> select_layers(const ir::Network& net, const std::string& spec) {
  const std::size_t n = net.layers.size();
  const std::string valid = n == 0 ? std::string("the workload has no layers")
                                   : "valid indices are 0.." + std::to_string(n - 1) + " (" + std::to_string(n) +
                                         (n == 1 ? " layer)" : " layers)");
  auto fail = [&](const std::string& what) { throw LayerSpecError("--layers: " + what + "; " + valid); };
  std::map<std::string, std::size_t> by_name;
  std::vector<std::string> names;
  for (std::size_t i = 0; i < n; ++i) by_name.emplace(net.layers[i].name, i), names.push_back(net.layers[i].name);
  if (trim(spec).empty()) fail("empty selection; expected layer names, indices and ranges such as 0-3,7,fc");

  std::vector<bool> chosen(n, false);
  std::size_t start = 0;
  while (start <= spec.size()) {
    const std::size_t comma = std::min(spec.find(',', start), spec.size());
    const std::string raw = spec.substr(start, comma - start), item = trim(raw);
    start = comma + 1;
    const std::string shown = "'" + config::printable(raw, 60) + "'";
    if (item.empty()) fail("empty item in '" + config::printable(spec, 80) + "'");
    auto name = by_name.find(raw);
    if (name == by_name.end()) name = by_name.find(item);
    if (name != by_name.end()) {
      chosen[name->second] = true;
      continue;
    }
    const std::size_t dash = item.find('-');
    const auto lo = decimal(item.substr(0, dash));
    const auto hi = dash == std::string::npos ? lo : decimal(item.substr(dash + 1));
    if (!lo || !hi) {
      // A mistyped range ("3-") is not a near miss of a short layer name.
      const bool numeric = item.find_first_not_of("0123456789-") == std::string::npos;
      const std::string near = numeric ? std::string() : config::closest_match(item, names);
      fail(shown + " is neither a layer of " + net.name + " nor an index or a range" +
           (near.empty() ? std::string() : " (did you mean '" + near + "'?)"));
    }
    if (*lo > *hi)
      fail("range " + shown + " is reversed (write " + std::to_string(*hi) + "-" + std::to_string(*lo) + ")");
    if (*hi >= n) fail("index " + std::to_string(*hi) + " in " + shown + " is out of range");
    for (std::size_t i = *lo; i <= *hi; ++i) chosen[i] = true;
  }
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < n; ++i)
    if (chosen[i]) out.push_back(i);
  return out;
}

}  // namespace arraysim::config
