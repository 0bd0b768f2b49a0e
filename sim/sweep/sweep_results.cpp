#include "sim/sweep/sweep_results.hpp"

#include <fmt/format.h>

#include <stdexcept>

#include "sim/sweep/sweep_expr.hpp"
#include "sim/util/csv_field.hpp"

namespace arraysim::sweep {

std::string to_string(PointStatus s) {
  switch (s) {
    case PointStatus::ok: return "ok";
    case PointStatus::timeout: return "timeout";
    case PointStatus::failed: break;
  }
  return "failed";
}

nlohmann::json to_json(const PointRecord& r) {
  return {{"key", r.key},     {"point", r.point},   {"values", r.values},   {"status", to_string(r.status)},
          {"error", r.error}, {"wall_s", r.wall_s}, {"run_dir", r.run_dir}, {"metrics", r.metrics}};
}

std::optional<PointRecord> record_from_json(const nlohmann::json& j) {
  try {
    PointRecord r;
    r.key = j.at("key").get<std::string>();
    r.point = j.at("point").get<std::size_t>();
    r.values = j.at("values").get<std::vector<std::string>>();
    const std::string st = j.at("status").get<std::string>();
    if (st == "ok")
      r.status = PointStatus::ok;
    else if (st == "failed")
      r.status = PointStatus::failed;
    else if (st == "timeout")
      r.status = PointStatus::timeout;
    else
      return std::nullopt;
    r.error = j.at("error").get<std::string>();
    r.wall_s = j.at("wall_s").get<double>();
    r.run_dir = j.at("run_dir").get<std::string>();
    r.metrics = j.at("metrics");
    if (!r.metrics.is_object()) return std::nullopt;
    return r;
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
}

const std::vector<std::string>& reserved_columns() {
  static const std::vector<std::string> columns{"point", "key", "status", "pareto", "wall_s", "run_dir", "error"};
  return columns;
}

std::vector<std::string> results_header(const ResultsLayout& layout) {
  std::vector<std::string> h{"point", "key"};
  h.insert(h.end(), layout.axes.begin(), layout.axes.end());
  h.push_back("status");
  h.insert(h.end(), layout.metrics.begin(), layout.metrics.end());
  for (const char* c : {"pareto", "wall_s", "run_dir", "error"}) h.push_back(c);
  return h;
}

std::vector<std::optional<bool>> pareto_front(const std::vector<std::vector<std::optional<double>>>& rows,
                                              const std::vector<bool>& maximize) {
  std::vector<std::optional<bool>> out(rows.size());
  const auto complete = [](const std::vector<std::optional<double>>& r) {
    for (const auto& v : r)
      if (!v) return false;
    return true;
  };
  // a dominates b: at least as good in every objective and strictly better in one.
  const auto dominates = [&](const std::vector<std::optional<double>>& a, const std::vector<std::optional<double>>& b) {
    bool better = false;
    for (std::size_t k = 0; k < a.size(); ++k) {
      const double x = maximize[k] ? -*a[k] : *a[k], y = maximize[k] ? -*b[k] : *b[k];
      if (x > y) return false;
      if (x < y) better = true;
    }
    return better;
  };
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (!complete(rows[i])) continue;
    bool dominated = false;
    for (std::size_t j = 0; j < rows.size() && !dominated; ++j)
      dominated = j != i && complete(rows[j]) && dominates(rows[j], rows[i]);
    out[i] = !dominated;
  }
  return out;
}

std::vector<std::vector<std::string>> parse_csv(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false, any = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c != '"')
        field += c;
      else if (i + 1 < text.size() && text[i + 1] == '"')
        field += '"', ++i;
      else
        quoted = false;
      continue;
    }
    if (c == '"')
      quoted = any = true;
    else if (c == ',')
      row.push_back(std::move(field)), field.clear(), any = true;
    else if (c == '\n') {
      row.push_back(std::move(field));
      field.clear();
      rows.push_back(std::move(row));
      row.clear();
      any = false;
    } else if (c != '\r')
      field += c, any = true;
  }
  if (quoted) throw std::runtime_error("CSV ends inside a quoted field");
  if (any || !field.empty()) {
    row.push_back(std::move(field));
    rows.push_back(std::move(row));
  }
  return rows;
}

std::string results_csv_problem(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  try {
    rows = parse_csv(text);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  if (rows.empty() || rows[0].size() < 2 || rows[0][0] != "point" || rows[0][1] != "key")
    return "no header starting with point,key";
  for (std::size_t i = 1; i < rows.size(); ++i)
    if (rows[i].size() != rows[0].size())
      return fmt::format("row {}: {} fields, the header has {}", i + 1, rows[i].size(), rows[0].size());
  return "";
}

std::string metric_text(const nlohmann::json& v) {
  if (v.is_null()) return "";
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}

namespace {

/// A metric or axis value as a number for the Pareto front (nullopt when not a number).
std::optional<double> as_number(const nlohmann::json& v) {
  if (v.is_number()) return v.get<double>();
  return std::nullopt;
}

}  // namespace

std::string results_csv(const ResultsLayout& layout, const std::vector<PointRecord>& records) {
  // Objective values of every ok row: a metric value or an axis value that is a number.
  std::vector<std::vector<std::optional<double>>> obj(records.size());
  for (std::size_t i = 0; i < records.size(); ++i) {
    const PointRecord& r = records[i];
    if (r.status != PointStatus::ok) {
      obj[i].assign(layout.objectives.size(), std::nullopt);
      continue;
    }
    for (const ObjectiveColumn& o : layout.objectives) {
      std::optional<double> v;
      const auto ax = std::find(layout.axes.begin(), layout.axes.end(), o.column);
      if (ax != layout.axes.end()) {
        const std::size_t a = static_cast<std::size_t>(ax - layout.axes.begin());
        const ExprValue e = ExprValue::from_text(a < r.values.size() ? r.values[a] : "");
        if (e.type == ExprValue::Type::number) v = e.number;
      } else if (r.metrics.contains(o.column)) {
        v = as_number(r.metrics.at(o.column));
      }
      obj[i].push_back(v);
    }
  }
  std::vector<bool> maximize;
  for (const ObjectiveColumn& o : layout.objectives) maximize.push_back(o.maximize);
  const auto front =
      layout.objectives.empty() ? std::vector<std::optional<bool>>(records.size()) : pareto_front(obj, maximize);

  std::string out;
  const auto header = results_header(layout);
  for (std::size_t c = 0; c < header.size(); ++c) out += (c ? "," : "") + util::csv_field(header[c]);
  out += "\n";
  for (std::size_t i = 0; i < records.size(); ++i) {
    const PointRecord& r = records[i];
    std::string line = std::to_string(r.point) + "," + r.key;
    for (std::size_t a = 0; a < layout.axes.size(); ++a)
      line += "," + util::csv_field(a < r.values.size() ? r.values[a] : "");
    line += "," + to_string(r.status);
    for (const std::string& m : layout.metrics)
      line += "," +
              util::csv_field(r.status == PointStatus::ok && r.metrics.contains(m) ? metric_text(r.metrics.at(m)) : "");
    line += "," + std::string(front[i] ? (*front[i] ? "1" : "0") : "");
    line += "," + fmt::format("{:.3f}", r.wall_s);
    line += "," + util::csv_field(r.run_dir) + "," + util::csv_field(r.error) + "\n";
    out += line;
  }
  return out;
}

const nlohmann::json* find_metric(const nlohmann::json& stats, const std::string& path, std::string& why) {
  const nlohmann::json* cur = &stats;
  std::size_t start = 0;
  std::string walked;
  while (start <= path.size()) {
    const std::size_t dot = path.find('.', start);
    const std::string seg = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (cur->is_object()) {
      const auto it = cur->find(seg);
      if (it == cur->end()) {
        why = "stats.json has no '" + (walked.empty() ? seg : walked + "." + seg) + "'";
        return nullptr;
      }
      cur = &*it;
    } else if (cur->is_array()) {
      const bool digits = !seg.empty() && seg.find_first_not_of("0123456789") == std::string::npos && seg.size() < 10;
      if (!digits || std::stoul(seg) >= cur->size()) {
        why = fmt::format("'{}' in stats.json is a list of {}; '{}' is not an index into it", walked, cur->size(), seg);
        return nullptr;
      }
      cur = &(*cur)[std::stoul(seg)];
    } else {
      why = "'" + walked + "' in stats.json is a value, not an object";
      return nullptr;
    }
    walked = walked.empty() ? seg : walked + "." + seg;
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  if (cur->is_object()) {
    std::string fields;
    for (auto it = cur->begin(); it != cur->end(); ++it) fields += (fields.empty() ? "" : ", ") + it.key();
    why = "'" + path + "' in stats.json is an object; name one of its fields: " + fields;
    return nullptr;
  }
  if (cur->is_array()) {
    why = fmt::format("'{}' in stats.json is a list of {}; add an index, e.g. {}.0", path, cur->size(), path);
    return nullptr;
  }
  return cur;
}

}  // namespace arraysim::sweep
