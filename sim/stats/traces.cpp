#include "sim/stats/traces.hpp"

#include <fmt/format.h>

#include <map>
#include <sstream>
#include <stdexcept>

namespace arraysim::stats {

TraceRequest parse_trace_request(const std::string& units, const std::string& format) {
  TraceRequest t;
  std::istringstream in(units);
  for (std::string u; std::getline(in, u, ',');) {
    if (u == "sram")
      t.sram = true;
    else if (u == "dram")
      t.dram = true;
    else
      throw std::invalid_argument("--trace: '" + u + "' is not one of sram, dram");
  }
  if (format == "scalesim")
    t.scalesim = true;
  else if (format != "csv")
    throw std::invalid_argument("--trace-format: '" + format + "' is not one of csv, scalesim");
  return t;
}

namespace {
bool is_dram(const AccessRecord& a) { return a.unit == "dram"; }

std::string csv(const RunResult& r, bool dram) {
  std::string s = dram ? "layer,cycle,unit,operand,op,address,bytes,issue_cycle,transfer\n"
                       : "layer,cycle,unit,operand,op,address,bytes\n";
  for (const AccessRecord& a : r.accesses) {
    if (is_dram(a) != dram) continue;
    s += fmt::format("{},{},{},{},{},{},{}", a.layer, a.cycle, a.unit, a.operand, a.op, a.address, a.bytes);
    s += dram ? fmt::format(",{},{}\n", a.issue_cycle, a.transfer) : "\n";
  }
  return s;
}

/// Bytes per element of an operand, for expanding a vector access into element addresses.
struct ElementSizes {
  std::int64_t ifmap = 1, weight = 1, output = 4;
  std::int64_t of(const std::string& operand) const {
    return operand == "ifmap" ? ifmap : operand == "weight" ? weight : output;
  }
};
}  // namespace

std::vector<std::pair<std::string, std::string>> trace_files(const RunResult& r, const TraceRequest& t) {
  std::vector<std::pair<std::string, std::string>> files;
  if (!t.scalesim) {
    if (t.sram) files.push_back({"traces/sram.csv", csv(r, false)});
    if (t.dram) files.push_back({"traces/dram.csv", csv(r, true)});
    return files;
  }
  // SCALE-Sim: per layer, per operand, SRAM rows are the array's reads (ifmap, filter) and writes
  // (ofmap); DRAM rows are the DMA's bursts. Element sizes come from the run's data types.
  ElementSizes es;
  es.ifmap = ir::dtype_bytes(r.input_dtype), es.weight = ir::dtype_bytes(r.weight_dtype),
  es.output = ir::dtype_bytes(r.accumulator_dtype);
  const std::map<std::string, std::pair<const char*, std::int64_t>> names{
      {"ifmap", {"IFMAP", 0}}, {"weight", {"FILTER", 10000000}}, {"output", {"OFMAP", 20000000}}};
  for (std::size_t li = 0; li < r.layers.size(); ++li) {
    const std::string& layer = r.layers[li].name;
    // (kind, operand) -> cycle -> addresses
    std::map<std::pair<std::string, std::string>, std::map<std::int64_t, std::vector<std::int64_t>>> rows;
    for (const AccessRecord& a : r.accesses) {
      if (a.layer != layer) continue;
      const bool dram = is_dram(a);
      if (dram ? !t.dram : (!t.sram || a.unit != "pe_array")) continue;
      const std::int64_t e = es.of(a.operand), offset = names.at(a.operand).second;
      std::vector<std::int64_t>& row = rows[{dram ? "DRAM" : "SRAM", a.operand}][a.cycle];
      for (std::int64_t b = 0; b < a.bytes; b += e) row.push_back(offset + (a.address + b) / e);
    }
    for (const char* kind : {"SRAM", "DRAM"}) {
      if (std::string(kind) == "SRAM" ? !t.sram : !t.dram) continue;
      for (const auto& [operand, nm] : names) {
        std::string s;
        auto it = rows.find({kind, operand});
        if (it != rows.end())
          for (const auto& [cycle, addrs] : it->second) {
            s += std::to_string(cycle);
            for (const std::int64_t a : addrs) s += ", " + std::to_string(a);
            s += "\n";
          }
        files.push_back({fmt::format("traces/layer{}/{}_{}_TRACE.csv", li, nm.first, kind), s});
      }
    }
  }
  return files;
}

}  // namespace arraysim::stats
