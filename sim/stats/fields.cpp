// Over 500 lines on purpose: declare() is the table of every stats field (about 400 lines), and
// one table is the point (docs/outputs.md is generated from it).
#include "sim/stats/fields.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#include "sim/util/csv_field.hpp"

namespace arraysim::stats {
namespace {

using nlohmann::json;

// ---- values: C++ results <-> JSON ----

json value_json(std::int64_t v) { return v; }
json value_json(double v) { return v; }
json value_json(bool v) { return v; }
json value_json(const std::string& v) { return v; }
json value_json(const ir::Shape& v) { return v; }
template <class T> json value_json(const std::optional<T>& v) { return v ? value_json(*v) : json(nullptr); }

/// Per-operand counts (bytes or words) with their total.
template <class T> json operands_json(const T& o) {
  return {{"ifmap", o.ifmap}, {"weight", o.weight}, {"output", o.output}, {"total", o.total()}};
}
template <class T> T operands_from(const json& v) {
  T o;
  o.ifmap = v.at("ifmap").get<std::int64_t>();
  o.weight = v.at("weight").get<std::int64_t>();
  o.output = v.at("output").get<std::int64_t>();
  return o;
}

json energy_json(const std::optional<EnergyPj>& e) {
  if (!e) return nullptr;
  return {{"mac", e->mac_pj},
          {"sram_ifmap", e->sram_ifmap_pj},
          {"sram_weight", e->sram_weight_pj},
          {"sram_output", e->sram_output_pj},
          {"dram", e->dram_pj},
          {"static", e->static_pj},
          {"total", e->total_pj()}};
}

json sram_rates_json(const SramRates& s) {
  return {
      {"size_kib", s.size_kib}, {"read_pj_per_byte", s.read_pj_per_byte}, {"write_pj_per_byte", s.write_pj_per_byte}};
}
SramRates sram_rates_from(const json& v) {
  return {v.at("size_kib").get<double>(), v.at("read_pj_per_byte").get<double>(),
          v.at("write_pj_per_byte").get<double>()};
}

/// A string that means "not measured" when empty.
json text_or_null(const std::string& s) { return s.empty() ? json(nullptr) : json(s); }

// ---- building the declaration ----

/// Builds one Field; the table below reads as one call chain per field.
class Def {
 public:
  Def(const char* name, FieldType type, FieldLevel level, const char* unit, const char* description) {
    f_.name = name, f_.type = type, f_.level = level, f_.unit = unit, f_.description = description;
  }
  Def& nullable() {
    f_.nullable = true;
    return *this;
  }
  Def& required() {
    f_.required = true;
    return *this;
  }
  Def& members(std::vector<Field> m) {
    f_.members = std::move(m);
    return *this;
  }
  /// One layers.csv column with the field's own name and value.
  Def& csv() {
    f_.csv = {{f_.name, ""}};
    return *this;
  }
  /// Columns NAME_MEMBER for these members.
  Def& csv_members(std::initializer_list<const char*> members) {
    for (const char* m : members) f_.csv.push_back({f_.name + "_" + m, m});
    return *this;
  }
  Def& csv_columns(std::vector<CsvColumn> c) {
    f_.csv = std::move(c);
    return *this;
  }
  Def& run(std::function<json(const RunResult&)> g) {
    f_.of_run = std::move(g);
    return *this;
  }
  Def& layer(std::function<json(const LayerResult&)> g) {
    f_.of_layer = std::move(g);
    return *this;
  }
  Def& read_run(std::function<void(RunResult&, const json&)> s) {
    f_.to_run = std::move(s);
    return *this;
  }
  Def& read_layer(std::function<void(LayerResult&, const json&)> s) {
    f_.to_layer = std::move(s);
    return *this;
  }
  /// A layer member written as it is and read back into it.
  template <class T> Def& layer_member(T LayerResult::*m) {
    f_.of_layer = [m](const LayerResult& l) { return value_json(l.*m); };
    f_.to_layer = [m](LayerResult& l, const json& v) { l.*m = v.get<typename Plain<T>::type>(); };
    return *this;
  }
  /// A run member written as it is and read back into it.
  template <class T> Def& run_member(T RunResult::*m) {
    f_.of_run = [m](const RunResult& r) { return value_json(r.*m); };
    f_.to_run = [m](RunResult& r, const json& v) { r.*m = v.get<typename Plain<T>::type>(); };
    return *this;
  }
  /// A value the run computes from its layers (a total, a ratio); not read back.
  template <class T> Def& run_method(T (RunResult::*f)() const) {
    f_.of_run = [f](const RunResult& r) { return value_json((r.*f)()); };
    return *this;
  }
  /// A value a layer computes from its other fields; not read back.
  template <class T> Def& layer_method(T (LayerResult::*f)() const) {
    f_.of_layer = [f](const LayerResult& l) { return value_json((l.*f)()); };
    return *this;
  }
  /// A memory result (MemoryResult, docs/memory.md): the layer's, and the run's summed over
  /// its layers (RunResult::memory). `g` also gets the MACs it belongs to.
  Def& memory(std::function<json(const MemoryResult&, std::int64_t macs)> g) {
    f_.of_layer = [g](const LayerResult& l) { return g(l.memory, l.macs); };
    f_.of_run = [g](const RunResult& r) { return g(r.memory(), r.macs()); };
    return *this;
  }
  /// A counter of MemoryResult, written as it is; read back into each layer's.
  template <class T> Def& memory_member(T MemoryResult::*m) {
    memory([m](const MemoryResult& x, std::int64_t) { return value_json(x.*m); });
    f_.to_layer = [m](LayerResult& l, const json& v) { l.memory.*m = v.get<typename Plain<T>::type>(); };
    return *this;
  }
  /// Per-operand bytes of MemoryResult: {ifmap, weight, output, total}.
  Def& memory_operands(OperandBytes MemoryResult::*m) {
    memory([m](const MemoryResult& x, std::int64_t) { return operands_json(x.*m); });
    f_.to_layer = [m](LayerResult& l, const json& v) { l.memory.*m = operands_from<OperandBytes>(v); };
    return *this;
  }
  /// Per-operand words of a layer: {ifmap, weight, output, total}.
  Def& layer_operands(OperandWords LayerResult::*m) {
    f_.of_layer = [m](const LayerResult& l) { return operands_json(l.*m); };
    f_.to_layer = [m](LayerResult& l, const json& v) { l.*m = operands_from<OperandWords>(v); };
    return *this;
  }
  operator Field() const { return f_; }

 private:
  /// The type stored in an optional, or the type itself.
  template <class T> struct Plain { using type = T; };
  template <class T> struct Plain<std::optional<T>> { using type = T; };
  Field f_;
};

/// A member of an object field.
Field member(const char* name, FieldType type, bool required = true, const char* unit = "",
             const char* description = "") {
  Field f;
  f.name = name, f.type = type, f.required = required, f.unit = unit, f.description = description;
  return f;
}

/// {ifmap, weight, output, total}: the first three read back, the total derived.
std::vector<Field> operand_members() {
  return {member("ifmap", FieldType::integer), member("weight", FieldType::integer),
          member("output", FieldType::integer), member("total", FieldType::integer, false)};
}

/// {ifmap, weight, output}, each [first, last] or null.
std::vector<Field> window_members() {
  return {member("ifmap", FieldType::integer_list, false), member("weight", FieldType::integer_list, false),
          member("output", FieldType::integer_list, false)};
}
json window_json(const std::optional<AccessWindow>& w) { return w ? json{w->first, w->last} : json(nullptr); }
json windows_json(const AccessWindows& w) {
  return {{"ifmap", window_json(w.ifmap)}, {"weight", window_json(w.weight)}, {"output", window_json(w.output)}};
}
AccessWindows windows_from(const json& v) {
  AccessWindows w;
  auto one = [&v](const char* name, std::optional<AccessWindow>& out) {
    const auto it = v.find(name);
    if (it == v.end() || it->is_null()) return;
    if (it->size() != 2) throw std::runtime_error(std::string(name) + ": expected [first, last]");
    out = AccessWindow{(*it)[0].get<std::int64_t>(), (*it)[1].get<std::int64_t>()};
  };
  one("ifmap", w.ifmap);
  one("weight", w.weight);
  one("output", w.output);
  return w;
}

/// A scratchpad's line of the energy table.
Field sram_rates_member(const char* name, const char* description) {
  Field f = member(name, FieldType::object, true, "KiB, pJ/byte", description);
  f.members = {member("size_kib", FieldType::number), member("read_pj_per_byte", FieldType::number),
               member("write_pj_per_byte", FieldType::number)};
  return f;
}

constexpr FieldType kInt = FieldType::integer, kNum = FieldType::number, kBool = FieldType::boolean,
                    kStr = FieldType::string, kObj = FieldType::object;
constexpr FieldLevel kRun = FieldLevel::run, kLayer = FieldLevel::layer, kBoth = FieldLevel::both;

std::vector<Field> declare() {
  std::vector<Field> v;
  const auto add = [&v](Field f) { v.push_back(std::move(f)); };

  // The run: what ran, on what, how long the host took.
  add(Def("experiment", kStr, kRun, "–", "experiment name").required().run_member(&RunResult::experiment));
  add(Def("arch", kStr, kRun, "–", "architecture name").required().run_member(&RunResult::arch_name));
  add(Def("fidelity", kStr, kRun, "–",
          "`values` (real data in every PE register) or `timing` (same schedule, no data): the fidelity that ran")
          .required()
          .run_member(&RunResult::fidelity));
  add(Def("fidelity_setting", kStr, kRun, "–",
          "`sim.fidelity` as configured: `values`, `timing` or `auto` (then `fidelity` is what it chose, "
          "docs/config.md)")
          .run([](const RunResult& r) { return json(r.fidelity_setting.empty() ? r.fidelity : r.fidelity_setting); })
          .read_run([](RunResult& r, const json& x) { r.fidelity_setting = x.get<std::string>(); }));
  add(Def("layer_selection", kStr, kRun, "–", "the `--layers` spec; null when every layer ran")
          .nullable()
          .run([](const RunResult& r) { return text_or_null(r.layer_selection); })
          .read_run([](RunResult& r, const json& x) { r.layer_selection = x.get<std::string>(); }));
  add(Def("workload_layers", kInt, kRun, "layers", "layers in the workload; `layers` has fewer with `--layers`")
          .run_member(&RunResult::workload_layers));
  add(Def("pe_count", kInt, kRun, "PEs", "rows·cols of a systolic array, `lanes` of a vector unit")
          .required()
          .run_member(&RunResult::pe_count));
  add(Def("clock_mhz", kNum, kRun, "MHz", "core clock (converts cycles to time: seconds = cycles / (clock_mhz·10⁶))")
          .required()
          .run_member(&RunResult::clock_mhz));
  add(Def("simulate_seconds", kNum, kRun, "s", "host wall time inside the SystemC simulation")
          .run_member(&RunResult::simulate_seconds));
  add(Def("golden_seconds", kNum, kRun, "s", "host wall time of the golden model and the comparison")
          .run_member(&RunResult::golden_seconds));

  // A layer: what it is.
  add(Def("name", kStr, kLayer, "–", "layer name").required().csv().layer_member(&LayerResult::name));
  add(Def("type", kStr, kLayer, "–", "layer type: `gemm`, `fc`, `conv2d`")
          .required()
          .csv()
          .layer_member(&LayerResult::type));
  add(Def("input_shape", FieldType::integer_list, kLayer, "elements", "NCHW for conv2d, [M][K] for gemm and fc")
          .required()
          .layer_member(&LayerResult::input_shape));
  add(Def("weight_shape", FieldType::integer_list, kLayer, "elements",
          "[OC][C/g][R][S] for conv2d, [K][N] for gemm and fc")
          .required()
          .layer_member(&LayerResult::weight_shape));
  add(Def("output_shape", FieldType::integer_list, kLayer, "elements",
          "[N][OC][P][Q] for conv2d, [M][N] for gemm and fc")
          .required()
          .layer_member(&LayerResult::output_shape));
  add(Def("gemm_m", kInt, kLayer, "elements", "the GEMM view of one group: M = N·P·Q (conv2d)")
          .required()
          .csv()
          .layer([](const LayerResult& l) { return json(l.gemm.m); })
          .read_layer([](LayerResult& l, const json& x) { l.gemm.m = x.get<std::int64_t>(); }));
  add(Def("gemm_n", kInt, kLayer, "elements", "N = OC/groups (conv2d)")
          .required()
          .csv()
          .layer([](const LayerResult& l) { return json(l.gemm.n); })
          .read_layer([](LayerResult& l, const json& x) { l.gemm.n = x.get<std::int64_t>(); }));
  add(Def("gemm_k", kInt, kLayer, "elements", "K = (C/groups)·R·S (conv2d)")
          .required()
          .csv()
          .layer([](const LayerResult& l) { return json(l.gemm.k); })
          .read_layer([](LayerResult& l, const json& x) { l.gemm.k = x.get<std::int64_t>(); }));
  add(Def("groups", kInt, kLayer, "–", "independent GEMMs of the layer")
          .required()
          .csv()
          .layer([](const LayerResult& l) { return json(l.gemm.groups); })
          .read_layer([](LayerResult& l, const json& x) { l.gemm.groups = x.get<std::int64_t>(); }));

  // Cycles and checks.
  add(Def("macs", kInt, kBoth, "MACs", "gemm_m·gemm_n·gemm_k·groups; the run: Σ over its layers")
          .required()
          .csv()
          .layer_member(&LayerResult::macs)
          .run_method(&RunResult::macs));
  add(Def("total_cycles", kInt, kBoth, "cycles",
          "from the layer's first cycle to the cycle its last output leaves the array, inclusive; the run: Σ over "
          "its layers (they run back to back)")
          .nullable()
          .csv()
          .layer_member(&LayerResult::total_cycles)
          .run_method(&RunResult::total_cycles));
  add(Def("compute_cycles", kInt, kBoth, "cycles",
          "total_cycles − stall_cycles: cycles in which no fold waited (docs/memory.md); the run: Σ over its layers")
          .nullable()
          .csv()
          .layer_member(&LayerResult::compute_cycles)
          .run_method(&RunResult::compute_cycles));
  add(Def("stall_cycles", kInt, kBoth, "cycles",
          "cycles a fold waited for its operands or a buffer half, plus the wait for the final store; the sum of "
          "`stall_cycles_by_cause`; the run: Σ over its layers")
          .nullable()
          .csv()
          .layer_member(&LayerResult::stall_cycles)
          .run_method(&RunResult::stall_cycles));
  add(Def("folds", kInt, kLayer, "folds", "array tiles executed over all groups")
          .nullable()
          .csv()
          .layer_member(&LayerResult::folds));
  add(Def("pe_utilization", kNum, kBoth, "0..1", "macs / (pe_count·total_cycles)")
          .nullable()
          .csv()
          .layer_member(&LayerResult::pe_utilization)
          .run_method(&RunResult::pe_utilization));
  add(Def("analytic_cycles", kInt, kLayer, "cycles",
          "closed form of the tiled fold sequence with operands always ready (`analytic::tiled_cycles`, "
          "docs/timing.md, docs/memory.md)")
          .nullable()
          .csv()
          .layer_member(&LayerResult::analytic_cycles));
  add(Def("analytic_match", kBool, kBoth, "–",
          "total_cycles == analytic_cycles when stall_cycles is 0, total_cycles == analytic_cycles + "
          "stall_cycles_bank_conflict with ideal DRAM, else total_cycles ≥ analytic_cycles; the run: true if every "
          "layer's is; null if not checked")
          .nullable()
          .csv()
          .layer_member(&LayerResult::analytic_match)
          .run_method(&RunResult::analytic_match));
  add(Def("golden_match", kBool, kBoth, "–",
          "outputs equal the golden model (integers bit-exact; fp32 within 2·K·2⁻²⁴·Σ\\|a·b\\| per element); the "
          "run: true if every checked layer matched; null if none was checked (timing fidelity, "
          "`sim.check_golden: false`)")
          .nullable()
          .csv()
          .layer_member(&LayerResult::golden_match)
          .run_method(&RunResult::golden_match));
  add(Def("golden_mismatches", FieldType::object_list, kLayer, "–",
          "up to 5 mismatching output elements: tensor, flat index, the index per dimension, expected and got "
          "values")
          .members({member("tensor", kStr), member("index", kInt), member("where", kStr), member("expected", kStr),
                    member("got", kStr)})
          .layer([](const LayerResult& l) {
            json mm = json::array();
            for (const Mismatch& m : l.mismatches)
              mm.push_back({{"tensor", m.tensor},
                            {"index", m.index},
                            {"where", m.where},
                            {"expected", m.expected},
                            {"got", m.got}});
            return mm;
          })
          .read_layer([](LayerResult& l, const json& x) {
            for (const json& m : x)
              l.mismatches.push_back({m.at("tensor").get<std::string>(), m.at("index").get<std::int64_t>(),
                                      m.at("where").get<std::string>(), m.at("expected").get<std::string>(),
                                      m.at("got").get<std::string>()});
          }));
  add(Def("start_cycle", kInt, kLayer, "cycles", "the layer's first cycle, counted from the start of the run")
          .csv()
          .layer_member(&LayerResult::start_cycle));

  // Memory (docs/memory.md): per layer, and summed over the layers at the top level.
  {
    std::vector<Field> causes;
    std::vector<CsvColumn> columns;
    for (const StallCause& c : kStallCauses) {
      // dram_write_bandwidth came later: a stats.json written before it has none (then 0).
      causes.push_back(member(c.name, kInt, c.cycles != &StallCycles::dram_write_bandwidth));
      columns.push_back({std::string("stall_cycles_") + c.name, c.name});
    }
    add(Def("stall_cycles_by_cause", kObj, kBoth, "cycles",
            "the stall cycles by cause (docs/memory.md defines them); they add up to `stall_cycles`")
            .members(causes)
            .csv_columns(columns)
            .memory([](const MemoryResult& m, std::int64_t) {
              json by_cause = json::object();
              for (const StallCause& c : kStallCauses) by_cause[c.name] = m.stall_cycles.*c.cycles;
              return by_cause;
            })
            .read_layer([](LayerResult& l, const json& x) {
              for (const StallCause& c : kStallCauses)
                l.memory.stall_cycles.*c.cycles = x.value(c.name, std::int64_t{0});
            }));
  }
  add(Def("sram_read_bytes", kObj, kBoth, "bytes",
          "read from each scratchpad (by the array; output: accumulate reads and the store DMA)")
          .members(operand_members())
          .csv_members({"ifmap", "weight", "output"})
          .memory_operands(&MemoryResult::sram_read_bytes));
  add(Def("sram_write_bytes", kObj, kBoth, "bytes",
          "written into each scratchpad (by the load DMA; output: by the array)")
          .members(operand_members())
          .csv_members({"ifmap", "weight", "output"})
          .memory_operands(&MemoryResult::sram_write_bytes));
  add(Def("dram_read_bytes", kObj, kBoth, "bytes", "read from DRAM per operand: whole bursts over the interface")
          .members(operand_members())
          .csv_members({"ifmap", "weight", "output"})
          .memory_operands(&MemoryResult::dram_read_bytes));
  add(Def("dram_write_bytes", kObj, kBoth, "bytes", "written to DRAM per operand: whole bursts over the interface")
          .members(operand_members())
          .csv_members({"ifmap", "weight", "output"})
          .memory_operands(&MemoryResult::dram_write_bytes));
  add(Def("dram_footprint_bytes", kInt, kBoth, "bytes", "distinct DRAM bytes the layer's tensors occupy")
          .csv()
          .memory_member(&MemoryResult::dram_footprint_bytes));
  add(Def("dram_bandwidth_avg_bytes_per_cycle", kNum, kBoth, "bytes/cycle", "DRAM bytes / total_cycles")
          .csv()
          .memory_member(&MemoryResult::dram_bandwidth_avg_bytes_per_cycle));
  add(Def("dram_bandwidth_peak_bytes_per_cycle", kNum, kBoth, "bytes/cycle",
          "the most DRAM bytes in any 1024-cycle window, / 1024; the run: the highest layer's")
          .csv()
          .memory_member(&MemoryResult::dram_bandwidth_peak_bytes_per_cycle));
  add(Def("bank_conflicts", kInt, kBoth, "–",
          "word accesses that found their bank's ports taken: the DMA's writes into the scratchpads, the "
          "array's edge reads and the vector lanes' accesses (from the addresses and the bank mapping, "
          "docs/memory.md)")
          .csv()
          .memory_member(&MemoryResult::bank_conflicts));
  add(Def("dram_row_hits", kInt, kBoth, "bursts",
          "DRAM bursts that found their row open; null without a DRAM bank model (`dram.model: ddr4_3200`, "
          "`lpddr4_3200`, `hbm2`)")
          .nullable()
          .csv()
          .memory_member(&MemoryResult::dram_row_hits));
  add(Def("dram_row_misses", kInt, kBoth, "bursts", "DRAM bursts to a bank with no open row; null without a bank model")
          .nullable()
          .csv()
          .memory_member(&MemoryResult::dram_row_misses));
  add(Def("dram_row_conflicts", kInt, kBoth, "bursts",
          "DRAM bursts to a bank with another row open; null without a bank model")
          .nullable()
          .csv()
          .memory_member(&MemoryResult::dram_row_conflicts));
  add(Def("dram_row_hit_rate", kNum, kBoth, "0..1", "hits / (hits + misses + conflicts); null without a bank model")
          .nullable()
          .csv()
          .memory([](const MemoryResult& m, std::int64_t) { return value_json(m.dram_row_hit_rate()); }));
  add(Def("operational_intensity_macs_per_byte", kNum, kBoth, "MACs/byte",
          "macs / (DRAM bytes read + written); null when no DRAM bytes were counted")
          .nullable()
          .csv()
          .memory([](const MemoryResult& m, std::int64_t macs) {
            const std::int64_t b = m.dram_bytes();
            return b == 0 ? json(nullptr) : json(static_cast<double>(macs) / static_cast<double>(b));
          }));
  add(Def("dram_bytes_per_cycle", kNum, kRun, "bytes/cycle",
          "the roofline's bandwidth roof: `arch.dram.bytes_per_cycle`; null for `dram.model: ideal`")
          .nullable()
          .run_member(&RunResult::dram_bytes_per_cycle));
  add(Def("compulsory_dram_bytes", kInt, kLayer, "bytes",
          "input and weights in their operand types plus the output in the accumulator type, each counted once: the "
          "least DRAM traffic the layer can have")
          .nullable()
          .csv()
          .layer_member(&LayerResult::compulsory_dram_bytes));
  add(Def("attained_macs_per_cycle", kNum, kLayer, "MACs/cycle", "macs / total_cycles: the roofline's y")
          .nullable()
          .csv()
          .layer_method(&LayerResult::attained_macs_per_cycle));

  // Energy and area (docs/energy.md).
  add(Def("energy_pj", kObj, kBoth, "pJ",
          "by component: MACs; each scratchpad's reads and writes; DRAM reads and writes; leakage over the cycles; "
          "their sum. The run: Σ over its layers. Null without an energy table")
          .nullable()
          .members({member("mac", kNum), member("sram_ifmap", kNum), member("sram_weight", kNum),
                    member("sram_output", kNum), member("dram", kNum), member("static", kNum),
                    member("total", kNum, false)})
          .csv_members({"mac", "sram_ifmap", "sram_weight", "sram_output", "dram", "static", "total"})
          .layer([](const LayerResult& l) { return energy_json(l.energy); })
          .run([](const RunResult& r) { return energy_json(r.energy()); })
          .read_layer([](LayerResult& l, const json& x) {
            EnergyPj e;
            e.mac_pj = x.at("mac").get<double>();
            e.sram_ifmap_pj = x.at("sram_ifmap").get<double>();
            e.sram_weight_pj = x.at("sram_weight").get<double>();
            e.sram_output_pj = x.at("sram_output").get<double>();
            e.dram_pj = x.at("dram").get<double>();
            e.static_pj = x.at("static").get<double>();
            l.energy = e;
          }));
  add(Def("energy_pj_per_mac", kNum, kRun, "pJ/MAC", "`energy_pj.total` / `macs`")
          .nullable()
          .run([](const RunResult& r) {
            const std::optional<EnergyPj> e = r.energy();
            return e && r.macs() > 0 ? json(e->total_pj() / static_cast<double>(r.macs())) : json(nullptr);
          }));
  add(Def("energy_table", kObj, kRun, "–",
          "the energy table resolved for this run, the cost of each action (below); null without one")
          .nullable()
          .members({member("source", kStr, true, "–", "`arch.energy.source`, the name of the table"),
                    member("mac_dtype", kStr, true, "–",
                           "the operand type whose MAC energy applied (the wider of input and weight type)"),
                    member("mac_pj", kNum, true, "pJ/MAC", "energy per MAC"),
                    sram_rates_member("sram_ifmap",
                                      "the ifmap scratchpad's capacity and its interpolated energy per byte read and "
                                      "written"),
                    sram_rates_member("sram_weight", "the same for the weight scratchpad"),
                    sram_rates_member("sram_output", "the same for the output scratchpad"),
                    member("dram_read_pj_per_byte", kNum, true, "pJ/byte", "DRAM energy per byte read"),
                    member("dram_write_pj_per_byte", kNum, true, "pJ/byte", "DRAM energy per byte written"),
                    member("static_pj_per_cycle", kNum, true, "pJ/cycle", "the whole accelerator's leakage per cycle")})
          .run([](const RunResult& r) {
            if (!r.energy_rates) return json(nullptr);
            const EnergyRates& e = *r.energy_rates;
            return json{{"source", e.source},
                        {"mac_dtype", e.mac_dtype},
                        {"mac_pj", e.mac_pj},
                        {"sram_ifmap", sram_rates_json(e.sram_ifmap)},
                        {"sram_weight", sram_rates_json(e.sram_weight)},
                        {"sram_output", sram_rates_json(e.sram_output)},
                        {"dram_read_pj_per_byte", e.dram_read_pj_per_byte},
                        {"dram_write_pj_per_byte", e.dram_write_pj_per_byte},
                        {"static_pj_per_cycle", e.static_pj_per_cycle}};
          })
          .read_run([](RunResult& r, const json& x) {
            EnergyRates e;
            e.source = x.at("source").get<std::string>();
            e.mac_dtype = x.at("mac_dtype").get<std::string>();
            e.mac_pj = x.at("mac_pj").get<double>();
            e.sram_ifmap = sram_rates_from(x.at("sram_ifmap"));
            e.sram_weight = sram_rates_from(x.at("sram_weight"));
            e.sram_output = sram_rates_from(x.at("sram_output"));
            e.dram_read_pj_per_byte = x.at("dram_read_pj_per_byte").get<double>();
            e.dram_write_pj_per_byte = x.at("dram_write_pj_per_byte").get<double>();
            e.static_pj_per_cycle = x.at("static_pj_per_cycle").get<double>();
            r.energy_rates = e;
          }));
  {
    Field scratchpad = member("scratchpad", kNum, false, "µm²",
                              "scratchpad KiB × `arch.energy.sram_area_um2_per_kib`; null when the table has no such "
                              "figure (the default)");
    scratchpad.nullable = true;
    Field total = member("total", kNum, false, "µm²", "pe_array + scratchpad; null when either is unknown");
    total.nullable = true;
    add(Def("area_um2", kObj, kRun, "µm²", "area estimate; null without an energy table")
            .nullable()
            .members({member("pe_array", kNum, true, "µm²", "PEs × the multiplier and adder area of one PE"),
                      scratchpad, total})
            .run([](const RunResult& r) {
              if (!r.area_um2) return json(nullptr);
              return json{{"pe_array", r.area_um2->pe_array},
                          {"scratchpad", value_json(r.area_um2->scratchpad)},
                          {"total", value_json(r.area_um2->total())}};
            })
            .read_run([](RunResult& r, const json& x) {
              AreaUm2 a;
              a.pe_array = x.at("pe_array").get<double>();
              if (x.contains("scratchpad") && !x.at("scratchpad").is_null())
                a.scratchpad = x.at("scratchpad").get<double>();
              r.area_um2 = a;
            }));
  }

  // Roofline and vector unit (docs/outputs.md, docs/vector.md).
  add(Def("array_read_words", kObj, kLayer, "words",
          "elements (of the operand's type; the accumulator type for output) the compute array — PEs or vector "
          "lanes — read from the scratchpads; register-file hits and DMA reads are not counted (docs/vector.md)")
          .members(operand_members())
          .csv_members({"ifmap", "weight", "output"})
          .layer_operands(&LayerResult::array_read_words));
  add(Def("array_write_words", kObj, kLayer, "words", "elements the compute array wrote into the output scratchpad")
          .members(operand_members())
          .csv_members({"output"})
          .layer_operands(&LayerResult::array_write_words));
  add(Def("dram_read_words", kObj, kLayer, "words", "DRAM bytes read per operand / its element bytes")
          .members(operand_members())
          .csv_columns({{"dram_read_words", "total"}})
          .layer_operands(&LayerResult::dram_read_words));
  add(Def("dram_write_words", kObj, kLayer, "words", "DRAM bytes written per operand / its element bytes")
          .members(operand_members())
          .csv_columns({{"dram_write_words", "total"}})
          .layer_operands(&LayerResult::dram_write_words));
  add(Def("compute_intensity_macs_per_word", kNum, kLayer, "MACs/word",
          "macs / (array_read_words + array_write_words); null when none were counted")
          .nullable()
          .csv()
          .layer_method(&LayerResult::compute_intensity_macs_per_word));
  add(Def("compute_roof_macs_per_cycle", kNum, kLayer, "MACs/cycle",
          "the roofline's compute roof: `lanes` (vector) or rows·cols (systolic)")
          .nullable()
          .csv()
          .layer_member(&LayerResult::compute_roof_macs_per_cycle));
  add(Def("bandwidth_roof_macs_per_cycle", kNum, kLayer, "MACs/cycle",
          "`dram_bytes_per_cycle` × `operational_intensity_macs_per_byte`; null with `dram.model: ideal` or "
          "without DRAM bytes")
          .nullable()
          .csv()
          .layer_member(&LayerResult::bandwidth_roof_macs_per_cycle));
  add(Def("bound", kStr, kLayer, "–",
          "`memory` when `bandwidth_roof_macs_per_cycle` < `compute_roof_macs_per_cycle`, else `compute` (also with "
          "ideal DRAM)")
          .nullable()
          .csv()
          .layer([](const LayerResult& l) { return text_or_null(l.bound); })
          .read_layer([](LayerResult& l, const json& x) { l.bound = x.get<std::string>(); }));
  add(Def("mapping", kStr, kLayer, "–",
          "systolic array: the mapping that ran, e.g. `tile 128x64x576, order m n k, halves 2 2 2` (tile extents "
          "M×N×K of the GEMM view, loop order over tiles outermost first, halves of the ifmap, weight and output "
          "scratchpads; docs/mapping.md); null for a vector unit")
          .nullable()
          .csv()
          .layer_member(&LayerResult::mapping));
  add(Def("mapper", kStr, kLayer, "–",
          "systolic array: `search` when the mapper chose the mapping, `fixed` when it was given; null for a vector "
          "unit")
          .nullable()
          .csv()
          .layer_member(&LayerResult::mapper));
  add(Def("mappings_considered", kInt, kLayer, "mappings",
          "systolic array: mappings of the mapper's space that fit the scratchpads (1 with `mapper: fixed`); null "
          "for a vector unit")
          .nullable()
          .csv()
          .layer_member(&LayerResult::mappings_considered));
  add(Def("scalesim_v2_cycles", kInt, kLayer, "cycles",
          "systolic array: SCALE-Sim v2's stall-free compute cycles for the layer's GEMM on the array (its closed "
          "form, models/analytic), beside arraysim's own cycles; null for a vector unit")
          .nullable()
          .csv()
          .layer_member(&LayerResult::scalesim_v2_cycles));
  add(Def("vector_mapping", kStr, kLayer, "–",
          "vector unit: the mapping that ran, e.g. `parallel n, order m n k, hoist` (docs/vector.md); null for a "
          "systolic array")
          .nullable()
          .csv()
          .layer_member(&LayerResult::vector_mapping));
  add(Def("vector_mapping_auto", kBool, kLayer, "–",
          "vector unit: `true` when `mapping: auto` chose the mapping; null for a systolic array")
          .nullable()
          .layer_member(&LayerResult::vector_mapping_auto));
  add(Def("vector_steps", kInt, kLayer, "steps", "vector unit: loop-nest steps executed; null for a systolic array")
          .nullable()
          .csv()
          .layer_member(&LayerResult::vector_steps));
  add(Def("stall_cycles_read_bandwidth", kInt, kLayer, "cycles",
          "vector unit: Σ over steps of (cycles per step − 1), the cycles the scratchpad ports rather than the lanes "
          "bound; part of `compute_cycles`, not of `stall_cycles`; null for a systolic array")
          .nullable()
          .csv()
          .layer_member(&LayerResult::stall_cycles_read_bandwidth));
  add(Def("relayout_words", kInt, kLayer, "words",
          "vector unit: words the load DMA wrote transposed because the lane loop is strided in DRAM "
          "(docs/vector.md); null for a systolic array")
          .nullable()
          .csv()
          .layer_member(&LayerResult::relayout_words));
  // Added after the columns earlier versions wrote, so that layers.csv keeps their positions.
  add(Def("dram_useful_read_bytes", kObj, kBoth, "bytes",
          "of `dram_read_bytes`, the bytes the DMA asked for (the rest came with partial bursts)")
          .members(operand_members())
          .csv_members({"ifmap", "weight", "output"})
          .memory_operands(&MemoryResult::dram_useful_read_bytes));
  add(Def("dram_useful_write_bytes", kObj, kBoth, "bytes",
          "of `dram_write_bytes`, the bytes the DMA wrote (the rest of a partial burst is masked)")
          .members(operand_members())
          .csv_members({"ifmap", "weight", "output"})
          .memory_operands(&MemoryResult::dram_useful_write_bytes));
  add(Def("dram_refreshes", kInt, kBoth, "REF commands",
          "all-bank refreshes the DRAM controller issued while it scheduled the layer's requests (every channel); "
          "null without a bank model")
          .nullable()
          .csv()
          .memory_member(&MemoryResult::dram_refreshes));
  add(Def("dram_cycles", kInt, kBoth, "DRAM clocks",
          "from the layer's first DRAM request reaching the controller to the end of its last data transfer (what "
          "`arraysim dram-trace` reports for a trace of the layer); the run: the sum over layers; null without a "
          "bank model")
          .nullable()
          .csv()
          .memory_member(&MemoryResult::dram_cycles));

  // What SCALE-Sim's reports show (COMPUTE_REPORT.csv and the others, docs/import.md).
  add(Def("mapping_efficiency", kNum, kLayer, "0..1",
          "systolic array: mean over the folds of rows_used·cols_used / (rows·cols), the share of the PEs a fold "
          "maps work onto (SCALE-Sim's Mapping Efficiency); null for a vector unit")
          .nullable()
          .csv()
          .layer_member(&LayerResult::mapping_efficiency));
  add(Def("compute_utilization", kNum, kLayer, "0..1",
          "macs / (pe_count·compute_cycles): utilization over the cycles in which no fold waited (SCALE-Sim's "
          "Compute Util); null without cycles")
          .nullable()
          .csv()
          .layer_member(&LayerResult::compute_utilization));
  add(Def("sram_access_cycles", kObj, kLayer, "cycles",
          "systolic array: per operand, [first, last] cycle (from the layer's start, inclusive) in which the array "
          "read the ifmap or weight scratchpad or wrote the output scratchpad; null where none (vector unit)")
          .members(window_members())
          .layer([](const LayerResult& l) { return windows_json(l.sram_access_cycles); })
          .read_layer([](LayerResult& l, const json& x) { l.sram_access_cycles = windows_from(x); }));
  add(Def("dram_access_cycles", kObj, kLayer, "cycles",
          "per operand, [first, last] cycle (from the layer's start) in which one of its DRAM bursts started "
          "crossing the bus; null where the operand moved no DRAM bytes")
          .members(window_members())
          .layer([](const LayerResult& l) { return windows_json(l.dram_access_cycles); })
          .read_layer([](LayerResult& l, const json& x) { l.dram_access_cycles = windows_from(x); }));
  add(Def("vector_ops", kInt, kLayer, "instructions",
          "graph runs, post-processing unit: element instructions executed (units × elements × instructions per "
          "element, plus lane reductions and scalar instructions per unit, docs/graph.md); null for a layer on the "
          "array")
          .nullable()
          .csv()
          .layer_member(&LayerResult::vector_ops));

  add(Def("layers", FieldType::layer_list, kRun, "–", "one object per layer that ran, with the fields of a layer")
          .required());
  return v;
}

bool at_run(const Field& f) { return f.level != FieldLevel::layer; }
bool at_layer(const Field& f) { return f.level != FieldLevel::run; }

json layer_json(const LayerResult& l) {
  json j = json::object();
  for (const Field& f : fields())
    if (at_layer(f)) j[f.name] = f.of_layer(l);
  return j;
}

// ---- reading back ----

[[noreturn]] void fail(const std::string& path, const std::string& problem) {
  throw std::runtime_error((path.empty() ? "(top level)" : path) + ": " + problem);
}

std::string join(const std::string& path, const std::string& key) { return path.empty() ? key : path + "." + key; }

void check_object(const json& j, const std::vector<Field>& members, const std::string& path);

/// Checks the range of a numeric value: every number of stats.json is a count, a size, a time, an
/// energy or a ratio, so none is negative, and a field whose unit is "0..1" is at most 1.
void check_range(const json& v, const Field& f, const std::string& path) {
  const double x = v.get<double>();
  if (x < 0) fail(path, "must not be negative, got " + v.dump());
  if (f.unit == "0..1" && x > 1) fail(path, "must be in 0..1, got " + v.dump());
}

/// Checks a present value `v` of field `f` at `path` against its declared type, range and members.
void check_value(const json& v, const Field& f, const std::string& path) {
  switch (f.type) {
    case FieldType::integer:
      if (!v.is_number_integer()) fail(path, "expected an integer");
      check_range(v, f, path);
      return;
    case FieldType::number:
      if (!v.is_number()) fail(path, "expected a number");
      check_range(v, f, path);
      return;
    case FieldType::boolean:
      if (!v.is_boolean()) fail(path, f.nullable ? "expected true, false or null" : "expected true or false");
      return;
    case FieldType::string:
      if (!v.is_string()) fail(path, "expected a string");
      return;
    case FieldType::integer_list:
      if (!v.is_array() || !std::all_of(v.begin(), v.end(), [](const json& d) { return d.is_number_integer(); }))
        fail(path, "expected a list of integers");
      for (std::size_t i = 0; i < v.size(); ++i) check_range(v[i], f, join(path, std::to_string(i)));
      return;
    case FieldType::object: check_object(v, f.members, path); return;
    case FieldType::object_list:
    case FieldType::layer_list:
      if (!v.is_array()) fail(path, "expected a list");
      if (f.type == FieldType::object_list)
        for (std::size_t i = 0; i < v.size(); ++i) check_object(v[i], f.members, join(path, std::to_string(i)));
      return;
  }
}

/// The value of `f` in object `j` when present and not null; nullptr otherwise, or a failure
/// when `f` is required. A required field's null is checked as a value (and so rejected).
const json* find(const json& j, const Field& f, const std::string& path) {
  const auto it = j.find(f.name);
  if (it == j.end()) {
    if (f.required) fail(join(path, f.name), "missing");
    return nullptr;
  }
  if (it->is_null() && !f.required) return nullptr;
  check_value(*it, f, join(path, f.name));
  return &*it;
}

/// Checks object `j` at `path`: its required members are there, every member present has its type.
void check_object(const json& j, const std::vector<Field>& members, const std::string& path) {
  if (!j.is_object()) fail(path, "expected an object");
  for (const Field& m : members) find(j, m, path);
}

LayerResult layer_from_json(const json& j, const std::string& path) {
  if (!j.is_object()) fail(path, "expected an object");
  LayerResult l;
  // Every declared field is checked, also those derived from others and not read back.
  for (const Field& f : fields())
    if (at_layer(f))
      if (const json* v = find(j, f, path); v && f.to_layer) f.to_layer(l, *v);
  return l;
}

// ---- the CSV ----

std::string csv_cell(const json& v) {
  if (v.is_null()) return "";
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (v.is_number_integer()) return std::to_string(v.get<std::int64_t>());
  if (v.is_number()) return fmt::format("{:.6f}", v.get<double>());
  return util::csv_field(v.get<std::string>());
}

// ---- the docs table ----

std::string type_text(const Field& f) {
  std::string t;
  switch (f.type) {
    case FieldType::integer: t = "integer"; break;
    case FieldType::number: t = "number"; break;
    case FieldType::boolean: t = "bool"; break;
    case FieldType::string: t = "string"; break;
    case FieldType::integer_list: t = "list of integers"; break;
    case FieldType::object: t = "object"; break;
    case FieldType::object_list: t = "list of objects"; break;
    case FieldType::layer_list: t = "list of layers"; break;
  }
  return f.nullable ? t + " or null" : t;
}

/// Rows of `f` (and of its members that have their own description) as `path`.
void markdown_rows(const Field& f, const std::string& path, const std::string& parent_unit, bool with_csv,
                   std::string& out) {
  std::string name = "`" + path + "`";
  std::string listed;
  for (const Field& m : f.members)
    if (m.description.empty()) listed += (listed.empty() ? "" : ", ") + m.name;
  if (!listed.empty()) name += " `{" + listed + "}`";
  const std::string unit = f.unit.empty() ? parent_unit : f.unit;
  out += "| " + name + " | " + type_text(f) + " | " + unit + " |";
  if (with_csv) {
    std::string cols;
    for (const CsvColumn& c : f.csv) cols += (cols.empty() ? "`" : ", `") + c.name + "`";
    out += " " + (cols.empty() ? std::string("–") : cols) + " |";
  }
  out += " " + f.description + " |\n";
  for (const Field& m : f.members)
    if (!m.description.empty()) markdown_rows(m, path + "." + m.name, unit, with_csv, out);
}

std::string markdown_table(FieldLevel level) {
  const bool with_csv = level != FieldLevel::run;
  std::string out = with_csv ? "| field | type | unit | layers.csv | meaning |\n|---|---|---|---|---|\n"
                             : "| field | type | unit | meaning |\n|---|---|---|---|\n";
  for (const Field& f : fields())
    if (f.level == level) markdown_rows(f, f.name, "", with_csv, out);
  return out;
}

// ---- metric paths ----

/// The fields of one object of stats.json: the run's top level (with `layers`) or a layer.
std::vector<const Field*> object_fields(bool run) {
  std::vector<const Field*> v;
  for (const Field& f : fields())
    if (run ? at_run(f) : at_layer(f)) v.push_back(&f);
  return v;
}

bool is_index(const std::string& s) {
  return !s.empty() && s.size() < 10 && s.find_first_not_of("0123456789") == std::string::npos;
}

void collect_paths(const Field& f, const std::string& path, std::size_t layers, std::vector<std::string>& out) {
  if (f.type == FieldType::object) {
    for (const Field& m : f.members) collect_paths(m, path + "." + m.name, layers, out);
    return;
  }
  out.push_back(path);  // a value, or a list (as the stats.json walk sees it)
  if (f.type == FieldType::layer_list)
    for (std::size_t i = 0; i < layers; ++i)
      for (const Field* lf : object_fields(false))
        collect_paths(*lf, path + "." + std::to_string(i) + "." + lf->name, layers, out);
}

}  // namespace

const std::vector<Field>& fields() {
  static const std::vector<Field> table = declare();
  return table;
}

json fields_json(const RunResult& r) {
  json j = json::object();
  for (const Field& f : fields()) {
    if (f.type == FieldType::layer_list) {
      j[f.name] = json::array();
      for (const LayerResult& l : r.layers) j[f.name].push_back(layer_json(l));
    } else if (at_run(f)) {
      j[f.name] = f.of_run(r);
    }
  }
  return j;
}

std::string fields_csv(const RunResult& r) {
  std::string s, header;
  for (const Field& f : fields())
    for (const CsvColumn& c : f.csv) header += (header.empty() ? "" : ",") + c.name;
  s = header + "\n";
  for (const LayerResult& l : r.layers) {
    std::string row;
    bool first = true;
    for (const Field& f : fields()) {
      if (f.csv.empty()) continue;
      const json v = f.of_layer(l);
      for (const CsvColumn& c : f.csv) {
        row += first ? "" : ",";
        first = false;
        row += csv_cell(c.member.empty() || v.is_null() ? v : v.at(c.member));
      }
    }
    s += row + "\n";
  }
  return s;
}

void fields_from_json(const json& j, RunResult& r) {
  if (!j.is_object()) fail("", "expected an object");
  for (const Field& f : fields()) {
    if (!at_run(f)) continue;
    if (f.type == FieldType::layer_list) {
      if (const json* ls = find(j, f, ""))
        for (std::size_t i = 0; i < ls->size(); ++i)
          r.layers.push_back(layer_from_json((*ls)[i], f.name + "." + std::to_string(i)));
    } else if (const json* v = find(j, f, ""); v && f.to_run) {
      f.to_run(r, *v);  // derived fields (totals, ratios) are checked above and not read back
    }
  }
}

std::string fields_markdown() {
  return "### In the run and in each layer\n\n" + markdown_table(FieldLevel::both) +
         "\n### The run only (stats.json top level)\n\n" + markdown_table(FieldLevel::run) +
         "\n### Each layer only (stats.json `layers[i]`, a row of layers.csv)\n\n" + markdown_table(FieldLevel::layer);
}

std::string metric_path_problem(const std::string& path, std::size_t layers) {
  // Walks the declaration as a stats.json is walked: objects by key, lists by index. At each
  // step the path is at an object (`fields` its keys), at a list (`list`), or at a value.
  std::vector<const Field*> fields_here = object_fields(true);
  const Field* list = nullptr;
  bool at_value = false;
  std::string walked;
  for (std::size_t start = 0;;) {
    const std::size_t dot = path.find('.', start);
    const std::string seg = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (at_value) return "'" + walked + "' in stats.json is a value, not an object";
    if (list) {
      const bool layer_list = list->type == FieldType::layer_list;
      if (!is_index(seg) || (layer_list && std::stoul(seg) >= layers))
        return layer_list ? fmt::format("'{}' in stats.json is a list of {}; '{}' is not an index into it", walked,
                                        layers, seg)
                          : fmt::format("'{}' in stats.json is a list; '{}' is not an index into it", walked, seg);
      fields_here.clear();
      if (layer_list) fields_here = object_fields(false);
      for (const Field& m : list->members) fields_here.push_back(&m);
      at_value = list->type == FieldType::integer_list;
      list = nullptr;
    } else {
      const auto it =
          std::find_if(fields_here.begin(), fields_here.end(), [&](const Field* f) { return f->name == seg; });
      if (it == fields_here.end()) return "stats.json has no '" + join(walked, seg) + "'";
      const Field& f = **it;
      fields_here.clear();
      for (const Field& m : f.members) fields_here.push_back(&m);
      const bool is_list =
          f.type == FieldType::integer_list || f.type == FieldType::object_list || f.type == FieldType::layer_list;
      list = is_list ? &f : nullptr;
      at_value = !is_list && f.type != FieldType::object;
    }
    walked = join(walked, seg);
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  if (list)
    return list->type == FieldType::layer_list
               ? fmt::format("'{}' in stats.json is a list of {}; add an index, e.g. {}.0", path, layers, path)
               : fmt::format("'{}' in stats.json is a list; add an index, e.g. {}.0", path, path);
  if (at_value) return "";
  std::vector<std::string> names;
  for (const Field* f : fields_here) names.push_back(f->name);
  std::sort(names.begin(), names.end());  // the order stats.json lists them in
  std::string listed;
  for (const std::string& n : names) listed += (listed.empty() ? "" : ", ") + n;
  return "'" + path + "' in stats.json is an object; name one of its fields: " + listed;
}

std::vector<std::string> metric_paths(std::size_t layers) {
  std::vector<std::string> out;
  for (const Field* f : object_fields(true)) collect_paths(*f, f->name, layers, out);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace arraysim::stats
