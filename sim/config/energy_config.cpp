#include "sim/config/energy_config.hpp"

#include <fmt/format.h>

#include <cmath>
#include <stdexcept>

namespace arraysim::config {

double PerDtype::at(ir::DType t) const {
  switch (t) {
    case ir::DType::int8: return int8;
    case ir::DType::int16: return int16;
    case ir::DType::int32: return int32;
    case ir::DType::fp32: return fp32;
    case ir::DType::bf16: return bf16;
    case ir::DType::fp16: return fp16;
    case ir::DType::fp8_e4m3: return fp8_e4m3;
    case ir::DType::fp8_e5m2: return fp8_e5m2;
    case ir::DType::int64: break;
  }
  throw std::invalid_argument("the energy table has no entry for operand type " + ir::dtype_name(t));
}

namespace {

constexpr double kMaxPj = 1e9;    // per action: far above any real figure, below overflow
constexpr double kMaxUw = 1e12;   // static power in microwatts (a megawatt)
constexpr double kMaxUm2 = 1e12;  // a square metre
constexpr double kMaxSizeKib = 1024.0 * 1024 * 1024;

PerDtype parse_per_dtype(MapReader r, PerDtype d, double hi) {
  d.int8 = r.opt_num("int8", d.int8, 0, hi);
  d.int16 = r.opt_num("int16", d.int16, 0, hi);
  d.int32 = r.opt_num("int32", d.int32, 0, hi);
  d.fp32 = r.opt_num("fp32", d.fp32, 0, hi);
  d.bf16 = r.opt_num("bf16", d.bf16, 0, hi);
  d.fp16 = r.opt_num("fp16", d.fp16, 0, hi);
  d.fp8_e4m3 = r.opt_num("fp8_e4m3", d.fp8_e4m3, 0, hi);
  d.fp8_e5m2 = r.opt_num("fp8_e5m2", d.fp8_e5m2, 0, hi);
  r.finish();
  return d;
}

/// `arch.energy.sram`: a list of {size_kib, read_pj_per_byte, write_pj_per_byte} with sizes
/// strictly increasing; absent keeps the default list.
std::vector<SramEnergyPoint> parse_sram(MapReader& r, const std::vector<SramEnergyPoint>& dflt) {
  if (!r.has("sram")) {
    r.raw("sram");
    return dflt;
  }
  const std::vector<YAML::Node> nodes = r.req_seq("sram");
  if (nodes.empty()) {
    if (r.raw("sram").IsSequence())
      r.error("sram", "needs at least one {size_kib, read_pj_per_byte, write_pj_per_byte} point");
    return dflt;
  }
  std::vector<SramEnergyPoint> pts;
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    MapReader pr(nodes[i], join_path(join_path(r.path(), "sram"), std::to_string(i)), r.ctx());
    SramEnergyPoint p;
    if (!pr.has("size_kib")) pr.missing("size_kib", "scratchpad capacity in KiB");
    p.size_kib = pr.opt_num("size_kib", 0, 1.0 / 1024, kMaxSizeKib);
    p.read_pj_per_byte = pr.opt_num("read_pj_per_byte", 0, 0, kMaxPj);
    if (!pr.has("read_pj_per_byte")) pr.missing("read_pj_per_byte", "pJ per byte read");
    // A write costs what a read costs unless given.
    p.write_pj_per_byte = pr.opt_num("write_pj_per_byte", p.read_pj_per_byte, 0, kMaxPj);
    pr.finish();
    if (!pts.empty() && p.size_kib > 0 && p.size_kib <= pts.back().size_kib)
      pr.error("size_kib", fmt::format("must be larger than the previous point's {} KiB (points in increasing size)",
                                       pts.back().size_kib));
    pts.push_back(p);
  }
  return pts;
}

/// A number as its shortest round-trip spelling ("0.3", not 0.29999999999999999).
std::string num(double v) { return fmt::format("{}", v); }

void emit_per_dtype(YAML::Emitter& out, const char* key, const PerDtype& d, const std::string& comment) {
  out << YAML::Key << key << YAML::Value << YAML::Flow << YAML::BeginMap;
  out << YAML::Key << "int8" << YAML::Value << num(d.int8);
  out << YAML::Key << "int16" << YAML::Value << num(d.int16);
  out << YAML::Key << "int32" << YAML::Value << num(d.int32);
  out << YAML::Key << "fp32" << YAML::Value << num(d.fp32);
  out << YAML::Key << "bf16" << YAML::Value << num(d.bf16);
  out << YAML::Key << "fp16" << YAML::Value << num(d.fp16);
  out << YAML::Key << "fp8_e4m3" << YAML::Value << num(d.fp8_e4m3);
  out << YAML::Key << "fp8_e5m2" << YAML::Value << num(d.fp8_e5m2);
  out << YAML::EndMap << YAML::Comment(comment);
}

}  // namespace

EnergyConfig parse_energy(MapReader r) {
  EnergyConfig e;
  e.source = r.opt_name("source", e.source);
  e.mac_pj = parse_per_dtype(r.child("mac_pj"), e.mac_pj, kMaxPj);
  e.sram = parse_sram(r, e.sram);
  e.dram_read_pj_per_byte = r.opt_num("dram_read_pj_per_byte", e.dram_read_pj_per_byte, 0, kMaxPj);
  e.dram_write_pj_per_byte = r.opt_num("dram_write_pj_per_byte", e.dram_write_pj_per_byte, 0, kMaxPj);
  e.static_uw_per_pe = parse_per_dtype(r.child("static_uw_per_pe"), e.static_uw_per_pe, kMaxUw);
  e.static_uw_per_kib = r.opt_num("static_uw_per_kib", e.static_uw_per_kib, 0, kMaxUw);
  e.pe_area_um2 = parse_per_dtype(r.child("pe_area_um2"), e.pe_area_um2, kMaxUm2);
  // `~` (null) states that the table has no scratchpad area, as the default does.
  if (r.has("sram_area_um2_per_kib") && r.raw("sram_area_um2_per_kib").IsNull())
    e.sram_area_um2_per_kib.reset();
  else if (r.has("sram_area_um2_per_kib"))
    e.sram_area_um2_per_kib = r.opt_num("sram_area_um2_per_kib", 0, 0, kMaxUm2);
  r.finish();
  return e;
}

void emit_energy(YAML::Emitter& out, const EnergyConfig& e) {
  out << YAML::BeginMap;
  out << YAML::Key << "source" << YAML::Value << e.source;
  emit_per_dtype(out, "mac_pj", e.mac_pj, "pJ per MAC by operand type (docs/energy.md)");
  out << YAML::Key << "sram" << YAML::Value << YAML::BeginSeq;
  for (const SramEnergyPoint& p : e.sram) {
    out << YAML::Flow << YAML::BeginMap;
    out << YAML::Key << "size_kib" << YAML::Value << num(p.size_kib);
    out << YAML::Key << "read_pj_per_byte" << YAML::Value << num(p.read_pj_per_byte);
    out << YAML::Key << "write_pj_per_byte" << YAML::Value << num(p.write_pj_per_byte);
    out << YAML::EndMap;
  }
  out << YAML::EndSeq;
  out << YAML::Key << "dram_read_pj_per_byte" << YAML::Value << num(e.dram_read_pj_per_byte);
  out << YAML::Key << "dram_write_pj_per_byte" << YAML::Value << num(e.dram_write_pj_per_byte);
  emit_per_dtype(out, "static_uw_per_pe", e.static_uw_per_pe, "leakage per PE, microwatts (an assumption)");
  out << YAML::Key << "static_uw_per_kib" << YAML::Value << num(e.static_uw_per_kib)
      << YAML::Comment("leakage per KiB of scratchpad, microwatts (an assumption)");
  emit_per_dtype(out, "pe_area_um2", e.pe_area_um2, "multiplier + adder area per PE");
  out << YAML::Key << "sram_area_um2_per_kib" << YAML::Value;
  if (e.sram_area_um2_per_kib)
    out << num(*e.sram_area_um2_per_kib);
  else
    out << YAML::Null << YAML::Comment("not in the table: area excludes the scratchpads");
  out << YAML::EndMap;
}

double sram_pj_per_byte(const std::vector<SramEnergyPoint>& points, double size_kib, bool write) {
  if (points.empty()) throw std::invalid_argument("the scratchpad energy table has no points");
  const auto pj = [write](const SramEnergyPoint& p) { return write ? p.write_pj_per_byte : p.read_pj_per_byte; };
  if (size_kib <= points.front().size_kib) return pj(points.front());
  if (size_kib >= points.back().size_kib) return pj(points.back());
  std::size_t i = 1;
  while (points[i].size_kib < size_kib) ++i;
  const SramEnergyPoint& a = points[i - 1];
  const SramEnergyPoint& b = points[i];
  // Linear in log2(size) between the neighbouring points.
  const double t = (std::log2(size_kib) - std::log2(a.size_kib)) / (std::log2(b.size_kib) - std::log2(a.size_kib));
  return pj(a) + t * (pj(b) - pj(a));
}

}  // namespace arraysim::config
