/// Sweep results: Pareto front, results.csv, point records, metric paths, progress line
/// (sim/sweep/sweep_results.hpp, sweep_progress.hpp).
#include <catch2/catch.hpp>

#include "sim/sweep/sweep_progress.hpp"
#include "sim/sweep/sweep_results.hpp"
#include "sim/util/csv_field.hpp"

using namespace arraysim::sweep;
namespace util = arraysim::util;
using nlohmann::json;

TEST_CASE("sweep pareto front keeps the rows no other row dominates", "[unit][sweep]") {
  using R = std::vector<std::optional<double>>;
  // (cycles, pes), both minimized: (3, 3) is dominated by (2, 2); (4, 5) by every other complete
  // row; (2, 2) twice: equal rows do not dominate each other.
  const std::vector<R> rows{{1, 5}, {2, 2}, {3, 3}, {5, 1}, {std::nullopt, 1}, {4, 5}, {2, 2}};
  const auto f = pareto_front(rows, {false, false});
  REQUIRE(f.size() == 7);
  CHECK(f[0] == true);
  CHECK(f[1] == true);
  CHECK(f[2] == false);
  CHECK(f[3] == true);
  CHECK_FALSE(f[4].has_value());  // a missing objective: not ranked
  CHECK(f[5] == false);
  CHECK(f[6] == true);
  // Maximize the second objective: (1, 5) dominates every row with cycles >= 1 and pes <= 5.
  const auto g = pareto_front(rows, {false, true});
  CHECK(g[0] == true);
  CHECK(g[1] == false);
  CHECK(g[3] == false);
  CHECK(g[5] == false);
}

TEST_CASE("sweep results csv has one tidy row per point with the front marked", "[unit][sweep]") {
  ResultsLayout l;
  l.axes = {"rows", "dataflow"};
  l.metrics = {"total_cycles", "energy_pj.total"};
  l.objectives = {{"total_cycles", false}, {"rows", false}};
  PointRecord a;
  a.key = "00000000000000aa";
  a.point = 0;
  a.values = {"4", "os"};
  a.status = PointStatus::ok;
  a.wall_s = 0.1234;
  a.run_dir = "runs/00000000000000aa";
  a.metrics = {{"total_cycles", 86}, {"energy_pj.total", 1.5}};
  PointRecord b = a;
  b.key = "00000000000000bb";
  b.point = 1;
  b.values = {"8", "ws"};
  b.metrics = {{"total_cycles", 90}, {"energy_pj.total", nullptr}};  // null: not measured
  PointRecord c = a;
  c.key = "00000000000000cc";
  c.point = 2;
  c.values = {"2", "is"};
  c.status = PointStatus::failed;
  c.error = "exit 2: arraysim: error: layer 'g' exceeded sim.max_cycles (50), \"quoted\"";
  c.metrics = json::object();
  CHECK(results_csv(l, {a, b, c}) ==
        "point,key,rows,dataflow,status,total_cycles,energy_pj.total,pareto,wall_s,run_dir,error\n"
        "0,00000000000000aa,4,os,ok,86,1.5,1,0.123,runs/00000000000000aa,\n"
        "1,00000000000000bb,8,ws,ok,90,,0,0.123,runs/00000000000000aa,\n"
        "2,00000000000000cc,2,is,failed,,,,0.123,runs/00000000000000aa,"
        "\"exit 2: arraysim: error: layer 'g' exceeded sim.max_cycles (50), \"\"quoted\"\"\"\n");
}

TEST_CASE("sweep csv fields are quoted per RFC 4180 and parse back", "[unit][sweep]") {
  CHECK(util::csv_field("plain") == "plain");
  CHECK(util::csv_field("a,b") == "\"a,b\"");
  CHECK(util::csv_field("say \"hi\"") == "\"say \"\"hi\"\"\"");
  CHECK(util::csv_field("two\nlines") == "\"two\nlines\"");
  const auto rows = parse_csv("a,b,c\n1,\"x,y\",\"say \"\"hi\"\"\"\n2,\"two\nlines\",\n");
  REQUIRE(rows.size() == 3);
  CHECK(rows[1] == std::vector<std::string>{"1", "x,y", "say \"hi\""});
  CHECK(rows[2] == std::vector<std::string>{"2", "two\nlines", ""});
  CHECK(parse_csv("a,b") == std::vector<std::vector<std::string>>{{"a", "b"}});  // no final newline
  CHECK_THROWS_WITH(parse_csv("a,\"b\n"), "CSV ends inside a quoted field");
}

TEST_CASE("sweep metric paths reach values and explain what they miss", "[unit][sweep]") {
  const json stats = json::parse(R"({"total_cycles": 86, "dram_read_bytes": {"total": 10, "ifmap": 4},
                                     "layers": [{"name": "g", "total_cycles": 86}], "golden_match": null})");
  std::string why;
  CHECK(*find_metric(stats, "total_cycles", why) == 86);
  CHECK(*find_metric(stats, "dram_read_bytes.total", why) == 10);
  CHECK(*find_metric(stats, "layers.0.name", why) == "g");
  CHECK(find_metric(stats, "golden_match", why)->is_null());
  CHECK(find_metric(stats, "energy_pj.total", why) == nullptr);
  CHECK(why == "stats.json has no 'energy_pj'");
  CHECK(find_metric(stats, "dram_read_bytes.totl", why) == nullptr);
  CHECK(why == "stats.json has no 'dram_read_bytes.totl'");
  CHECK(find_metric(stats, "dram_read_bytes", why) == nullptr);
  CHECK(why == "'dram_read_bytes' in stats.json is an object; name one of its fields: ifmap, total");
  CHECK(find_metric(stats, "layers", why) == nullptr);
  CHECK(why == "'layers' in stats.json is a list of 1; add an index, e.g. layers.0");
  CHECK(find_metric(stats, "layers.1.name", why) == nullptr);
  CHECK(why == "'layers' in stats.json is a list of 1; '1' is not an index into it");
  CHECK(find_metric(stats, "total_cycles.x", why) == nullptr);
  CHECK(why == "'total_cycles' in stats.json is a value, not an object");
  CHECK(metric_text(json(0.25)) == "0.25");
  CHECK(metric_text(json(nullptr)).empty());
  CHECK(metric_text(json("os")) == "os");
  CHECK(metric_text(json(true)) == "true");
}

TEST_CASE("sweep point records round-trip through JSON and damaged ones are refused", "[unit][sweep]") {
  PointRecord r;
  r.key = "0123456789abcdef";
  r.point = 7;
  r.values = {"16", "os"};
  r.status = PointStatus::timeout;
  r.error = "timed out after 2 s (--timeout-s)";
  r.wall_s = 2.01;
  r.run_dir = "runs/0123456789abcdef";
  const auto back = record_from_json(to_json(r));
  REQUIRE(back.has_value());
  CHECK(back->key == r.key);
  CHECK(back->point == 7);
  CHECK(back->values == r.values);
  CHECK(back->status == PointStatus::timeout);
  CHECK(back->error == r.error);
  CHECK(back->wall_s == 2.01);
  CHECK(back->run_dir == r.run_dir);
  json j = to_json(r);
  j["status"] = "exploded";
  CHECK_FALSE(record_from_json(j).has_value());
  j = to_json(r);
  j.erase("metrics");
  CHECK_FALSE(record_from_json(j).has_value());
  CHECK_FALSE(record_from_json(json::array()).has_value());
}

TEST_CASE("sweep progress line shows done failed elapsed and remaining", "[unit][sweep]") {
  // 57 of 200 done, 7 of them in an earlier run: 50 in 12.3 s -> 143 left take 12.3 * 143 / 50 s.
  CHECK(SweepProgress::line(57, 2, 200, 7, 12.3) ==
        "sweep [#####---------------] 57/200 done  2 failed  elapsed 12.3 s  remaining ~35.2 s");
  CHECK(SweepProgress::line(7, 0, 200, 7, 0.5) ==
        "sweep [--------------------] 7/200 done  0 failed  elapsed 0.5 s  remaining ?");
  CHECK(SweepProgress::line(4, 1, 4, 0, 2) ==
        "sweep [####################] 4/4 done  1 failed  elapsed 2.0 s  remaining ~0.0 s");
}
