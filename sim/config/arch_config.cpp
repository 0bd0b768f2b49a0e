#include "sim/config/arch_config.hpp"

namespace arraysim::config {

std::string to_string(ArrayType t) { return t == ArrayType::systolic ? "systolic" : "vector"; }
std::string to_string(Dataflow d) {
  switch (d) {
    case Dataflow::os: return "os";
    case Dataflow::ws: return "ws";
    case Dataflow::is: return "is";
  }
  return "?";
}
std::string to_string(ArrayImpl i) { return i == ArrayImpl::systemc ? "systemc" : "rtl"; }

static const std::vector<std::string> kDtypes{"int8", "int16", "int32", "fp32"};
constexpr std::int64_t kMaxDim = 4096;  // PEs per array side; lanes

static ScratchpadConfig parse_spad(MapReader r) {
  ScratchpadConfig s;
  s.size_kib = r.opt_num("size_kib", s.size_kib, 1.0 / 1024, 1024.0 * 1024);
  s.banks = r.opt_int("banks", s.banks, 1, 1024);
  s.word_bytes = r.opt_int("word_bytes", s.word_bytes, 1, 1024);
  if ((s.word_bytes & (s.word_bytes - 1)) != 0) r.error("word_bytes", "must be a power of two, got " + std::to_string(s.word_bytes));
  s.double_buffered = r.opt_bool("double_buffered", s.double_buffered);
  r.finish();
  return s;
}

ArchConfig parse_arch(MapReader& r) {
  ArchConfig a;
  a.name = r.opt_name("name", "arch");
  a.clock_mhz = r.opt_num("clock_mhz", a.clock_mhz, 1e-3, 1e6);

  MapReader ar = r.child("array");
  ArrayConfig& c = a.array;
  c.type = ar.opt_choice("type", "systolic", {"systolic", "vector"}) == "vector" ? ArrayType::vector
                                                                                : ArrayType::systolic;
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
  const std::string df = ar.opt_choice("dataflow", "os", {"os", "ws", "is"});
  c.dataflow = df == "ws" ? Dataflow::ws : df == "is" ? Dataflow::is : Dataflow::os;
  c.impl = ar.opt_choice("impl", "systemc", {"systemc", "rtl"}) == "rtl" ? ArrayImpl::rtl : ArrayImpl::systemc;
  c.input_dtype = *ir::parse_dtype(ar.opt_choice("input_dtype", "int8", kDtypes));
  c.weight_dtype = *ir::parse_dtype(ar.opt_choice("weight_dtype", ir::dtype_name(c.input_dtype), kDtypes));
  // The accumulator must hold an exact product of the wider of the two operand types.
  const ir::DType wider =
      ir::dtype_bytes(c.weight_dtype) > ir::dtype_bytes(c.input_dtype) ? c.weight_dtype : c.input_dtype;
  const ir::DType natural = ir::natural_accumulator(wider);
  c.accumulator_dtype = *ir::parse_dtype(
      ar.opt_choice("accumulator_dtype", ir::dtype_name(natural), {"int32", "int64", "fp32"}));
  if (ir::is_integer(c.input_dtype) != ir::is_integer(c.weight_dtype))
    ar.error("weight_dtype", std::string(ir::is_integer(c.input_dtype) ? "must be int8, int16 or int32"
                                                                        : "must be fp32") +
                                 " to match input_dtype " + ir::dtype_name(c.input_dtype));
  else if (ir::is_integer(c.input_dtype) != ir::is_integer(c.accumulator_dtype))
    ar.error("accumulator_dtype", std::string("must be ") + (ir::is_integer(c.input_dtype) ? "int32 or int64" : "fp32") +
                                      " for input_dtype " + ir::dtype_name(c.input_dtype));
  else if (ir::dtype_bytes(c.accumulator_dtype) < ir::dtype_bytes(natural))
    ar.error("accumulator_dtype", ir::dtype_name(c.accumulator_dtype) + " cannot hold an exact " +
                                      ir::dtype_name(c.input_dtype) + "x" + ir::dtype_name(c.weight_dtype) +
                                      " dot product; use " + ir::dtype_name(natural));
  ar.finish();

  MapReader sp = r.child("scratchpad");
  a.ifmap = parse_spad(sp.child("ifmap"));
  a.weight = parse_spad(sp.child("weight"));
  a.output = parse_spad(sp.child("output"));
  sp.finish();

  MapReader dr = r.child("dram");
  a.dram.model = dr.opt_choice("model", a.dram.model, {"ideal", "simple"});
  a.dram.bytes_per_cycle = dr.opt_num("bytes_per_cycle", a.dram.bytes_per_cycle, 1.0 / 64, 65536);
  a.dram.latency_cycles = dr.opt_int("latency_cycles", a.dram.latency_cycles, 0, 1000000);
  dr.finish();
  r.finish();
  return a;
}

static void emit_spad(YAML::Emitter& out, const char* name, const ScratchpadConfig& s) {
  out << YAML::Key << name << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "size_kib" << YAML::Value << s.size_kib;
  out << YAML::Key << "banks" << YAML::Value << s.banks;
  out << YAML::Key << "word_bytes" << YAML::Value << s.word_bytes;
  out << YAML::Key << "double_buffered" << YAML::Value << s.double_buffered;
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
  out << YAML::Key << "dram" << YAML::Value << YAML::BeginMap;
  out << YAML::Key << "model" << YAML::Value << a.dram.model;
  out << YAML::Key << "bytes_per_cycle" << YAML::Value << a.dram.bytes_per_cycle;
  out << YAML::Key << "latency_cycles" << YAML::Value << a.dram.latency_cycles;
  out << YAML::EndMap;
  out << YAML::EndMap;
}

}  // namespace arraysim::config
