#include "sim/stats/scalesim_report.hpp"

#include <fmt/format.h>

#include <optional>

namespace arraysim::stats {

namespace {

/// One report being written: its header and rows in SCALE-Sim's cell layout.
class Report {
 public:
  explicit Report(const std::vector<std::string>& columns) {
    text_ = "LayerID";
    for (const std::string& c : columns) text_ += ", " + c;
    text_ += ",\n";
  }
  void begin_row(std::size_t layer_id) { text_ += std::to_string(layer_id); }
  void cell(const std::string& v) { text_ += ", " + v; }
  void end_row() { text_ += ",\n"; }
  const std::string& text() const { return text_; }

 private:
  std::string text_;
};

std::string num(double v) { return fmt::format("{}", v); }
std::string num(const std::optional<double>& v) { return v ? num(*v) : std::string(); }
std::string integer(const std::optional<std::int64_t>& v) { return v ? std::to_string(*v) : std::string(); }
std::optional<double> percent(const std::optional<double>& share) {
  return share ? std::optional<double>(100 * *share) : std::nullopt;
}

/// `words` per cycle over the layer's total cycles (SCALE-Sim's SRAM bandwidths).
std::optional<double> per_cycle(std::int64_t words, const std::optional<std::int64_t>& cycles) {
  if (!cycles || *cycles <= 0) return std::nullopt;
  return static_cast<double>(words) / static_cast<double>(*cycles);
}

/// `words` per cycle over the operand's DRAM window, last − first + 1 (SCALE-Sim's DRAM
/// bandwidths); 0 when the operand moved no DRAM bytes.
double per_window(std::int64_t words, const std::optional<AccessWindow>& w) {
  if (!w) return 0;
  return static_cast<double>(words) / static_cast<double>(w->last - w->first + 1);
}

/// Start Cycle, Stop Cycle and the count of one operand's accesses (DETAILED_ACCESS_REPORT).
void access_cells(Report& rep, const std::optional<AccessWindow>& w, std::int64_t count) {
  rep.cell(w ? std::to_string(w->first) : "");
  rep.cell(w ? std::to_string(w->last) : "");
  rep.cell(std::to_string(count));
}

}  // namespace

const std::vector<std::string>& scalesim_report_names() {
  static const std::vector<std::string> names{"COMPUTE_REPORT.csv", "BANDWIDTH_REPORT.csv",
                                              "DETAILED_ACCESS_REPORT.csv"};
  return names;
}

std::vector<std::pair<std::string, std::string>> scalesim_reports(const RunResult& r) {
  Report compute({"Total Cycles", "Stall Cycles", "Overall Util %", "Mapping Efficiency %", "Compute Util %"});
  Report bandwidth({"Avg IFMAP SRAM BW", "Avg FILTER SRAM BW", "Avg OFMAP SRAM BW", "Avg IFMAP DRAM BW",
                    "Avg FILTER DRAM BW", "Avg OFMAP DRAM BW"});
  Report detail({"SRAM IFMAP Start Cycle", "SRAM IFMAP Stop Cycle", "SRAM IFMAP Reads", "SRAM Filter Start Cycle",
                 "SRAM Filter Stop Cycle", "SRAM Filter Reads", "SRAM OFMAP Start Cycle", "SRAM OFMAP Stop Cycle",
                 "SRAM OFMAP Writes", "DRAM IFMAP Start Cycle", "DRAM IFMAP Stop Cycle", "DRAM IFMAP Reads",
                 "DRAM Filter Start Cycle", "DRAM Filter Stop Cycle", "DRAM Filter Reads", "DRAM OFMAP Start Cycle",
                 "DRAM OFMAP Stop Cycle", "DRAM OFMAP Writes"});
  for (std::size_t i = 0; i < r.layers.size(); ++i) {
    const LayerResult& l = r.layers[i];
    compute.begin_row(i);
    compute.cell(integer(l.total_cycles));
    compute.cell(integer(l.stall_cycles));
    compute.cell(num(percent(l.pe_utilization)));
    compute.cell(num(percent(l.mapping_efficiency)));
    compute.cell(num(percent(l.compute_utilization)));
    compute.end_row();

    bandwidth.begin_row(i);
    bandwidth.cell(num(per_cycle(l.array_read_words.ifmap, l.total_cycles)));
    bandwidth.cell(num(per_cycle(l.array_read_words.weight, l.total_cycles)));
    bandwidth.cell(num(per_cycle(l.array_write_words.output, l.total_cycles)));
    bandwidth.cell(num(per_window(l.dram_read_words.ifmap, l.dram_access_cycles.ifmap)));
    bandwidth.cell(num(per_window(l.dram_read_words.weight, l.dram_access_cycles.weight)));
    bandwidth.cell(num(per_window(l.dram_write_words.output, l.dram_access_cycles.output)));
    bandwidth.end_row();

    detail.begin_row(i);
    access_cells(detail, l.sram_access_cycles.ifmap, l.array_read_words.ifmap);
    access_cells(detail, l.sram_access_cycles.weight, l.array_read_words.weight);
    access_cells(detail, l.sram_access_cycles.output, l.array_write_words.output);
    access_cells(detail, l.dram_access_cycles.ifmap, l.dram_read_words.ifmap);
    access_cells(detail, l.dram_access_cycles.weight, l.dram_read_words.weight);
    access_cells(detail, l.dram_access_cycles.output, l.dram_write_words.output);
    detail.end_row();
  }
  const auto& names = scalesim_report_names();
  return {{names[0], compute.text()}, {names[1], bandwidth.text()}, {names[2], detail.text()}};
}

}  // namespace arraysim::stats
