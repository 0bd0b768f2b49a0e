#pragma once
/// Reading a run's stats.json in system tests.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <string>

namespace arraysim::test {

/// The row (element of "layers") of `stats` named `name`; a test failure when there is none.
inline const nlohmann::json& stats_row(const nlohmann::json& stats, const std::string& name) {
  for (const nlohmann::json& l : stats["layers"])
    if (l["name"] == name) return l;
  FAIL("no row " << name);
  static const nlohmann::json none;
  return none;
}

}  // namespace arraysim::test
