#include "sim/config/arch_config.hpp"

#include <algorithm>
#include <cmath>

namespace arraysim::config {

std::string to_string(ArrayType t) { return t == ArrayType::systolic ? "systolic" : "vector"; }

std::int64_t pe_count(const ArrayConfig& a) { return a.type == ArrayType::systolic ? a.rows * a.cols : a.lanes; }
std::string to_string(GemmLoop l) { return l == GemmLoop::m ? "m" : l == GemmLoop::n ? "n" : "k"; }
std::string to_string(const VectorMapping& m) {
  return "parallel " + to_string(m.parallel) + ", order " + to_string(m.order[0]) + " " + to_string(m.order[1]) + " " +
         to_string(m.order[2]) + ", " + (m.hoist ? "hoist" : "no hoist");
}
std::string to_string(BankMapping m) { return m == BankMapping::interleave ? "interleave" : "block"; }

std::string to_string(Dataflow d) {
  switch (d) {
    case Dataflow::os: return "os";
    case Dataflow::ws: return "ws";
    case Dataflow::is: return "is";
  }
  return "?";
}
std::string to_string(ArrayImpl i) { return i == ArrayImpl::systemc ? "systemc" : "rtl"; }

static const std::vector<std::string> kDtypes{"int8", "int16", "int32", "fp32", "bf16", "fp16", "fp8_e4m3", "fp8_e5m2"};
constexpr std::int64_t kMaxDim = 4096;  // PEs per array side; lanes

std::string to_string(Lowering l) { return l == Lowering::implicit ? "implicit" : "explicit"; }
int winograd_m(Transform t) { return t == Transform::winograd_f2 ? 2 : t == Transform::winograd_f4 ? 4 : 0; }

std::int64_t vector_words_max(std::int64_t bytes, std::int64_t elem_bytes, std::int64_t word_bytes) {
  if (bytes <= 0) return 0;
  const std::int64_t start_max = elem_bytes < word_bytes ? word_bytes - elem_bytes : 0;
  return (start_max + bytes - 1) / word_bytes + 1;
}

std::int64_t default_banks(std::int64_t edge_bytes, std::int64_t elem_bytes, std::int64_t word_bytes,
                           std::int64_t read_ports) {
  const std::int64_t words = vector_words_max(edge_bytes, elem_bytes, word_bytes);
  std::int64_t banks = 1;
  while (banks * read_ports < words && banks < 4096) banks *= 2;
  return banks;
}

/// Bytes the array reads from (ifmap, weight) or writes to (output) a scratchpad in one cycle:
/// one value per PE row or column on the array edge that buffer feeds (docs/memory.md):
///   ifmap  OS, WS: R inputs (left edge);  IS: C inputs (stationary load, top edge)
///   weight OS, WS: C weights (top edge);  IS: R weights (left edge)
///   output all:   C accumulators (bottom edge)
std::int64_t edge_bytes(const ArrayConfig& c, const char* buffer) {
  const std::string b = buffer;
  if (b == "output") return c.cols * ir::dtype_bytes(c.accumulator_dtype);
  const bool rows_edge = (b == "ifmap") != (c.dataflow == Dataflow::is);
  return (rows_edge ? c.rows : c.cols) * ir::dtype_bytes(b == "ifmap" ? c.input_dtype : c.weight_dtype);
}

namespace {
bool is_pow2(std::int64_t v) { return v > 0 && (v & (v - 1)) == 0; }

ScratchpadConfig parse_spad(MapReader r, const ArrayConfig& array, const char* name) {
  ScratchpadConfig s;
  s.path = r.path();
  s.size_location = r.location("size_kib");
  s.size_kib = r.opt_num("size_kib", s.size_kib, 1.0 / 1024, 1024.0 * 1024);
  s.word_bytes = r.opt_int("word_bytes", s.word_bytes, 1, 1024);
  if (!is_pow2(s.word_bytes)) r.error("word_bytes", "must be a power of two, got " + std::to_string(s.word_bytes));
  s.read_ports = r.opt_int("read_ports", s.read_ports, 1, 16);
  s.write_ports = r.opt_int("write_ports", s.write_ports, 1, 16);
  // Default banks: the fewest (a power of two) whose read ports serve any edge vector in one
  // cycle, wherever in a word it starts (a vector of the packed half layouts starts at any
  // element). A vector unit reads up to L words per operand per step: by default as many banks
  // as serve them in one cycle, but fewer are allowed (steps then take more cycles, docs/vector.md).
  const std::int64_t elem = ir::dtype_bytes(std::string(name) == "ifmap"    ? array.input_dtype
                                            : std::string(name) == "weight" ? array.weight_dtype
                                                                            : array.accumulator_dtype);
  const std::int64_t edge = array.type == ArrayType::systolic ? edge_bytes(array, name) : 0;
  const std::int64_t vector_edge = array.type == ArrayType::vector ? array.lanes * elem : 0;
  const std::int64_t banks =
      is_pow2(s.word_bytes) ? default_banks(std::max(edge, vector_edge), elem, s.word_bytes, s.read_ports) : 1;
  s.banks = r.opt_int("banks", banks, 1, 4096);
  if (!is_pow2(s.banks)) {
    r.error("banks", "must be a power of two (bank = word address mod banks), got " + std::to_string(s.banks));
  } else if (is_pow2(s.word_bytes) && s.read_bytes_per_cycle() < edge) {
    r.error("banks", std::to_string(s.banks) + " bank(s) x " + std::to_string(s.read_ports) + " read port(s) x " +
                         std::to_string(s.word_bytes) + " bytes = " + std::to_string(s.read_bytes_per_cycle()) +
                         " bytes per cycle cannot feed the array edge, which needs " + std::to_string(edge) +
                         " bytes per cycle; raise banks, read_ports or word_bytes");
  }
  s.double_buffered = r.opt_bool("double_buffered", s.double_buffered);
  s.bank_mapping = r.opt_choice("bank_mapping", "interleave", {"interleave", "block"}) == "block"
                       ? BankMapping::block
                       : BankMapping::interleave;
  s.interleave_words = r.opt_int("interleave_words", 1, 1, 1 << 20);
  if (!is_pow2(s.interleave_words))
    r.error("interleave_words", "must be a power of two, got " + std::to_string(s.interleave_words));
  else if (s.bank_mapping == BankMapping::block && r.has("interleave_words"))
    r.error("interleave_words", "only with bank_mapping: interleave (block gives each bank one contiguous part)");
  r.finish();
  return s;
}

/// The vector unit's keys of arch.array (docs/config.md): register_entries,
/// reduction_latency_cycles and mapping (`auto` or {parallel, order, hoist}); errors for systolic.
void parse_vector_keys(MapReader& ar, ArrayConfig& c) {
  const bool vec = c.type == ArrayType::vector;
  if (!vec) {
    for (const char* k : {"register_entries", "reduction_latency_cycles", "mapping"}) {
      if (ar.has(k)) ar.error(k, "only meaningful for type: vector (this array is systolic)");
      ar.raw(k);
    }
    return;
  }
  std::int64_t log2_lanes = 0;
  while ((std::int64_t{1} << log2_lanes) < c.lanes) ++log2_lanes;
  c.register_entries = ar.opt_int("register_entries", 3 * c.lanes, 1, std::int64_t{1} << 20);
  c.reduction_latency_cycles = ar.opt_int("reduction_latency_cycles", log2_lanes, 0, 1024);
  c.mapping_auto = true;
  if (!ar.has("mapping")) return;
  const YAML::Node node = ar.node()["mapping"];
  if (node.IsScalar()) {
    ar.opt_choice("mapping", "auto", {"auto"});
    return;
  }
  MapReader mr = ar.child("mapping");
  c.mapping_auto = false;
  auto loop = [](const std::string& s) { return s == "m" ? GemmLoop::m : s == "n" ? GemmLoop::n : GemmLoop::k; };
  c.mapping.parallel = loop(mr.req_choice("parallel", {"m", "n", "k"}));
  c.mapping.hoist = mr.opt_bool("hoist", true);
  if (!mr.has("order")) {
    mr.missing("order", "a list of the loops m, n, k, outermost first, e.g. [m, n, k]");
  } else {
    const YAML::Node o = mr.raw("order");
    bool ok = o.IsSequence() && o.size() == 3;
    std::array<GemmLoop, 3> order{};
    int seen = 0;
    for (std::size_t i = 0; ok && i < 3; ++i) {
      const std::string s = o[i].IsScalar() ? o[i].Scalar() : "";
      if (s != "m" && s != "n" && s != "k")
        ok = false;
      else
        order[i] = loop(s), seen |= 1 << static_cast<int>(order[i]);
    }
    if (!ok || seen != 7)
      mr.error("order",
               "must list each of the loops m, n, k once, outermost first, e.g. [m, n, k]; got " + describe(o));
    else
      c.mapping.order = order;
  }
  mr.finish();
}

}  // namespace

std::optional<LoopOrder> parse_loop_order(const std::string& text) {
  if (text.size() != 3) return std::nullopt;
  LoopOrder o{};
  bool seen[3] = {false, false, false};
  for (std::size_t i = 0; i < 3; ++i) {
    const char c = text[i];
    const int l = c == 'm' ? 0 : c == 'n' ? 1 : c == 'k' ? 2 : -1;
    if (l < 0 || seen[l]) return std::nullopt;
    seen[l] = true;
    o[i] = static_cast<GemmLoop>(l);
  }
  return o;
}

std::string to_string(Mapper m) { return m == Mapper::search ? "search" : "fixed"; }

std::string to_string(MappingObjective o) {
  switch (o) {
    case MappingObjective::cycles: return "cycles";
    case MappingObjective::energy: return "energy";
    case MappingObjective::edp: return "edp";
    case MappingObjective::dram_bytes: return "dram_bytes";
  }
  return "";
}

MappingConfig MappingConfig::over(const MappingConfig& base) const {
  MappingConfig m = base;
  if (mapper) m.mapper = mapper;
  if (objective) m.objective = objective;
  if (tile_m || tile_n || tile_k)
    m.tile_m = tile_m, m.tile_n = tile_n, m.tile_k = tile_k, m.tile_location = tile_location;
  if (loop_order) m.loop_order = loop_order;
  for (int i = 0; i < 3; ++i)
    if (double_buffer[i]) m.double_buffer[i] = double_buffer[i];
  if (confirm) m.confirm = confirm;
  if (!empty()) m.path = path, m.location = location;
  return m;
}

bool MappingConfig::empty() const {
  return !mapper && !objective && !tile_m && !tile_n && !tile_k && !loop_order && !double_buffer[0] &&
         !double_buffer[1] && !double_buffer[2] && !confirm;
}

MappingConfig parse_mapping(MapReader r) {
  MappingConfig m;
  m.path = r.path();
  m.location = r.location("mapper");
  if (r.has("mapper"))
    m.mapper = r.opt_choice("mapper", "search", {"search", "fixed"}) == "fixed" ? Mapper::fixed : Mapper::search;
  if (r.has("objective")) {
    const std::string o = r.opt_choice("objective", "cycles", {"cycles", "energy", "edp", "dram_bytes"});
    for (const MappingObjective x :
         {MappingObjective::cycles, MappingObjective::energy, MappingObjective::edp, MappingObjective::dram_bytes})
      if (o == to_string(x)) m.objective = x;
  }
  if (r.has("tile")) {
    m.tile_location = r.location("tile");
    MapReader t = r.child("tile");
    constexpr std::int64_t kMax = std::int64_t{1} << 40;
    if (t.has("m")) m.tile_m = t.opt_int("m", 1, 1, kMax);
    if (t.has("n")) m.tile_n = t.opt_int("n", 1, 1, kMax);
    if (t.has("k")) m.tile_k = t.opt_int("k", 1, 1, kMax);
    t.finish();
  }
  if (r.has("loop_order")) {
    const std::string o = r.opt_str("loop_order", "mnk");
    m.loop_order = parse_loop_order(o);
    if (!m.loop_order)
      r.error("loop_order", "'" + printable(o, 20) +
                                "' is not an order of the tile loops: the letters m, n and k, "
                                "outermost first, each once (e.g. mnk)");
  }
  if (r.has("double_buffer")) {
    MapReader d = r.child("double_buffer");
    const char* ops[3] = {"ifmap", "weight", "output"};
    for (int i = 0; i < 3; ++i)
      if (d.has(ops[i])) m.double_buffer[i] = d.opt_bool(ops[i], true);
    d.finish();
  }
  if (r.has("confirm")) m.confirm = r.opt_int("confirm", 3, 0, 64);
  r.finish();
  return m;
}

void emit_mapping(YAML::Emitter& out, const MappingConfig& m) {
  out << YAML::BeginMap;
  if (m.mapper) out << YAML::Key << "mapper" << YAML::Value << to_string(*m.mapper);
  if (m.objective) out << YAML::Key << "objective" << YAML::Value << to_string(*m.objective);
  if (m.tile_m || m.tile_n || m.tile_k) {
    out << YAML::Key << "tile" << YAML::Value << YAML::Flow << YAML::BeginMap;
    if (m.tile_m) out << YAML::Key << "m" << YAML::Value << *m.tile_m;
    if (m.tile_n) out << YAML::Key << "n" << YAML::Value << *m.tile_n;
    if (m.tile_k) out << YAML::Key << "k" << YAML::Value << *m.tile_k;
    out << YAML::EndMap;
  }
  if (m.loop_order) {
    std::string w;
    for (const GemmLoop l : *m.loop_order) w += to_string(l);
    out << YAML::Key << "loop_order" << YAML::Value << w;
  }
  if (m.double_buffer[0] || m.double_buffer[1] || m.double_buffer[2]) {
    out << YAML::Key << "double_buffer" << YAML::Value << YAML::Flow << YAML::BeginMap;
    const char* ops[3] = {"ifmap", "weight", "output"};
    for (int i = 0; i < 3; ++i)
      if (m.double_buffer[i]) out << YAML::Key << ops[i] << YAML::Value << *m.double_buffer[i];
    out << YAML::EndMap;
  }
  if (m.confirm) out << YAML::Key << "confirm" << YAML::Value << *m.confirm;
  out << YAML::EndMap;
}

EnergyPerAction energy_per_action(const ArchConfig& a) {
  const EnergyConfig& e = a.energy;
  EnergyPerAction r;
  r.mac_dtype = ir::dtype_bytes(a.array.weight_dtype) > ir::dtype_bytes(a.array.input_dtype) ? a.array.weight_dtype
                                                                                             : a.array.input_dtype;
  r.mac_pj = e.mac_pj.at(r.mac_dtype);
  const ScratchpadConfig* sp[3] = {&a.ifmap, &a.weight, &a.output};
  for (int i = 0; i < 3; ++i) {
    r.sram_read_pj_per_byte[i] = sram_pj_per_byte(e.sram, sp[i]->size_kib, false);
    r.sram_write_pj_per_byte[i] = sram_pj_per_byte(e.sram, sp[i]->size_kib, true);
  }
  r.dram_read_pj_per_byte = e.dram_read_pj_per_byte;
  r.dram_write_pj_per_byte = e.dram_write_pj_per_byte;
  // uW / MHz = 1e-6 J/s / 1e6 cycles/s = 1e-12 J per cycle = pJ per cycle.
  const double kib = a.ifmap.size_kib + a.weight.size_kib + a.output.size_kib;
  const double static_uw =
      static_cast<double>(pe_count(a.array)) * e.static_uw_per_pe.at(r.mac_dtype) + kib * e.static_uw_per_kib;
  r.static_pj_per_cycle = static_uw / a.clock_mhz;
  return r;
}

ArchConfig parse_arch(MapReader& r) {
  ArchConfig a;
  a.name = r.opt_name("name", "arch");
  a.clock_mhz = r.opt_num("clock_mhz", a.clock_mhz, 1e-3, 1e6);

  MapReader ar = r.child("array");
  ArrayConfig& c = a.array;
  c.type =
      ar.opt_choice("type", "systolic", {"systolic", "vector"}) == "vector" ? ArrayType::vector : ArrayType::systolic;
  if (c.type == ArrayType::systolic) {
    c.rows = ar.req_int("rows", 1, kMaxDim);
    c.cols = ar.req_int("cols", 1, kMaxDim);
    if (ar.has("lanes")) ar.error("lanes", "only meaningful for type: vector (this array is systolic)");
    ar.raw("lanes");
  } else {
    c.lanes = ar.req_int("lanes", 1, kMaxDim);
    for (const char* k : {"rows", "cols"}) {
      if (ar.has(k)) ar.error(k, "only meaningful for type: systolic (this array is vector)");
      ar.raw(k);
    }
  }
  parse_vector_keys(ar, c);
  const std::string df = ar.opt_choice("dataflow", "os", {"os", "ws", "is"});
  c.dataflow = df == "ws" ? Dataflow::ws : df == "is" ? Dataflow::is : Dataflow::os;
  c.impl = ar.opt_choice("impl", "systemc", {"systemc", "rtl"}) == "rtl" ? ArrayImpl::rtl : ArrayImpl::systemc;
  c.input_dtype = *ir::parse_dtype(ar.opt_choice("input_dtype", "int8", kDtypes));
  c.weight_dtype = *ir::parse_dtype(ar.opt_choice("weight_dtype", ir::dtype_name(c.input_dtype), kDtypes));
  // The accumulator must hold an exact product of the wider of the two operand types.
  const ir::DType wider =
      ir::dtype_bytes(c.weight_dtype) > ir::dtype_bytes(c.input_dtype) ? c.weight_dtype : c.input_dtype;
  const ir::DType natural = ir::natural_accumulator(wider);
  c.accumulator_dtype =
      *ir::parse_dtype(ar.opt_choice("accumulator_dtype", ir::dtype_name(natural), {"int32", "int64", "fp32"}));
  // Integer operands accumulate in int32/int64; floating-point operands (fp32 and the narrow
  // formats bf16, fp16, fp8_e4m3, fp8_e5m2, which may be mixed) accumulate in fp32 only.
  if (ir::is_integer(c.input_dtype) != ir::is_integer(c.weight_dtype))
    ar.error("weight_dtype",
             std::string(ir::is_integer(c.input_dtype) ? "must be int8, int16 or int32"
                                                       : "must be fp32, bf16, fp16, fp8_e4m3 or fp8_e5m2") +
                 " to match input_dtype " + ir::dtype_name(c.input_dtype));
  else if (ir::is_integer(c.input_dtype) != ir::is_integer(c.accumulator_dtype))
    ar.error("accumulator_dtype", std::string("must be ") +
                                      (ir::is_integer(c.input_dtype) ? "int32 or int64" : "fp32") +
                                      " for input_dtype " + ir::dtype_name(c.input_dtype));
  else if (ir::dtype_bytes(c.accumulator_dtype) < ir::dtype_bytes(natural))
    ar.error("accumulator_dtype", ir::dtype_name(c.accumulator_dtype) + " cannot hold an exact " +
                                      ir::dtype_name(c.input_dtype) + "x" + ir::dtype_name(c.weight_dtype) +
                                      " dot product; use " + ir::dtype_name(natural));
  ar.finish();

  MapReader sp = r.child("scratchpad");
  a.ifmap = parse_spad(sp.child("ifmap"), c, "ifmap");
  a.weight = parse_spad(sp.child("weight"), c, "weight");
  a.output = parse_spad(sp.child("output"), c, "output");
  sp.finish();

  a.dram = parse_dram(r.child("dram"), a.clock_mhz);
  {
    const std::string l = r.opt_choice("lowering", "implicit", {"implicit", "explicit", "winograd_f2", "winograd_f4"});
    a.lowering = l == "explicit" ? Lowering::explicit_ : Lowering::implicit;
    a.transform = l == "winograd_f2"   ? Transform::winograd_f2
                  : l == "winograd_f4" ? Transform::winograd_f4
                                       : Transform::none;
  }
  a.energy = parse_energy(r.child("energy"));
  a.mapping = parse_mapping(r.child("mapping"));
  {
    MapReader pp = r.child("post_processor");
    a.post_processor.lanes = pp.opt_int("lanes", a.post_processor.lanes, 1, kMaxDim);
    a.post_processor.fuse = pp.opt_bool("fuse", a.post_processor.fuse);
    a.post_processor.fold_batch_norm = pp.opt_bool("fold_batch_norm", a.post_processor.fold_batch_norm);
    MapReader lat = pp.child("latency_cycles");
    for (std::size_t i = 0; i < kPostOpClasses.size(); ++i)
      a.post_processor.latency_cycles[i] =
          lat.opt_int(kPostOpClasses[i], a.post_processor.latency_cycles[i], 1, 1'000'000);
    lat.finish();
    pp.finish();
  }
  for (int i = 0; i < 3; ++i) {
    const ScratchpadConfig& sp = i == 0 ? a.ifmap : i == 1 ? a.weight : a.output;
    if (a.mapping.double_buffer[i].value_or(false) && !sp.double_buffered)
      r.error("mapping", std::string("double_buffer.") +
                             (i == 0   ? "ifmap"
                              : i == 1 ? "weight"
                                       : "output") +
                             ": true needs a double-buffered scratchpad (" + sp.path + ".double_buffered is false)");
  }
  r.finish();
  return a;
}

static void emit_spad(YAML::Emitter& out, const char* name, const ScratchpadConfig& s) {
  out << YAML::Key << name << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "size_kib" << YAML::Value << s.size_kib;
  out << YAML::Key << "banks" << YAML::Value << s.banks;
  out << YAML::Key << "word_bytes" << YAML::Value << s.word_bytes;
  out << YAML::Key << "read_ports" << YAML::Value << s.read_ports;
  out << YAML::Key << "write_ports" << YAML::Value << s.write_ports;
  out << YAML::Key << "double_buffered" << YAML::Value << s.double_buffered;
  out << YAML::Key << "bank_mapping" << YAML::Value << to_string(s.bank_mapping);
  if (s.bank_mapping == BankMapping::interleave)
    out << YAML::Key << "interleave_words" << YAML::Value << s.interleave_words;
  out << YAML::EndMap;
}

void emit_arch(YAML::Emitter& out, const ArchConfig& a) {
  out << YAML::BeginMap;
  out << YAML::Key << "name" << YAML::Value << a.name;
  out << YAML::Key << "clock_mhz" << YAML::Value << a.clock_mhz;
  out << YAML::Key << "array" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "type" << YAML::Value << to_string(a.array.type);
  if (a.array.type == ArrayType::systolic) {
    out << YAML::Key << "rows" << YAML::Value << a.array.rows;
    out << YAML::Key << "cols" << YAML::Value << a.array.cols;
  } else {
    out << YAML::Key << "lanes" << YAML::Value << a.array.lanes;
    out << YAML::Key << "register_entries" << YAML::Value << a.array.register_entries;
    out << YAML::Key << "reduction_latency_cycles" << YAML::Value << a.array.reduction_latency_cycles;
    if (a.array.mapping_auto) {
      out << YAML::Key << "mapping" << YAML::Value << "auto";
    } else {
      const VectorMapping& m = a.array.mapping;
      out << YAML::Key << "mapping" << YAML::Value << YAML::Flow << YAML::BeginMap;
      out << YAML::Key << "parallel" << YAML::Value << to_string(m.parallel);
      out << YAML::Key << "order" << YAML::Value << YAML::Flow << YAML::BeginSeq << to_string(m.order[0])
          << to_string(m.order[1]) << to_string(m.order[2]) << YAML::EndSeq;
      out << YAML::Key << "hoist" << YAML::Value << m.hoist;
      out << YAML::EndMap;
    }
  }
  out << YAML::Key << "dataflow" << YAML::Value << to_string(a.array.dataflow);
  out << YAML::Key << "impl" << YAML::Value << to_string(a.array.impl);
  out << YAML::Key << "input_dtype" << YAML::Value << ir::dtype_name(a.array.input_dtype);
  out << YAML::Key << "weight_dtype" << YAML::Value << ir::dtype_name(a.array.weight_dtype);
  out << YAML::Key << "accumulator_dtype" << YAML::Value << ir::dtype_name(a.array.accumulator_dtype);
  out << YAML::EndMap;
  out << YAML::Key << "scratchpad" << YAML::Value << YAML::BeginMap;
  emit_spad(out, "ifmap", a.ifmap);
  emit_spad(out, "weight", a.weight);
  emit_spad(out, "output", a.output);
  out << YAML::EndMap;
  out << YAML::Key << "dram" << YAML::Value;
  emit_dram(out, a.dram);
  out << YAML::Key << "lowering" << YAML::Value
      << (a.transform == Transform::none ? to_string(a.lowering)
                                         : "winograd_f" + std::to_string(winograd_m(a.transform)));
  out << YAML::Key << "energy" << YAML::Value;
  emit_energy(out, a.energy);
  if (!a.mapping.empty()) {
    out << YAML::Key << "mapping" << YAML::Value;
    emit_mapping(out, a.mapping);
  }
  out << YAML::Key << "post_processor" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "lanes" << YAML::Value << a.post_processor.lanes;
  out << YAML::Key << "fuse" << YAML::Value << a.post_processor.fuse;
  out << YAML::Key << "fold_batch_norm" << YAML::Value << a.post_processor.fold_batch_norm;
  out << YAML::Key << "latency_cycles" << YAML::Value << YAML::Flow << YAML::BeginMap;
  for (std::size_t i = 0; i < kPostOpClasses.size(); ++i)
    out << YAML::Key << kPostOpClasses[i] << YAML::Value << a.post_processor.latency_cycles[i];
  out << YAML::EndMap << YAML::EndMap;
  out << YAML::EndMap;
}

}  // namespace arraysim::config
