#include "sim/io/dram_trace_reader.hpp"

#include <cctype>
#include <limits>
#include <optional>
#include <sstream>

#include "sim/util/read_file.hpp"

namespace arraysim::io {

std::string to_string(DramTraceFormat f) {
  switch (f) {
    case DramTraceFormat::ramulator: return "ramulator";
    case DramTraceFormat::stl: return "stl";
    case DramTraceFormat::arraysim: return "arraysim";
  }
  return "";
}

namespace {

/// Addresses beyond 2^56 bytes are no DRAM's.
constexpr std::uint64_t kMaxAddress = std::uint64_t{1} << 56;
constexpr const char* kArraysimHeader = "layer,cycle,unit,operand,op,address,bytes,issue_cycle,transfer";

/// A whole token as an unsigned number: decimal, or hexadecimal with 0x (`hex_default`: also
/// without it); nullopt when it is not one or exceeds `max`.
std::optional<std::uint64_t> number(const std::string& s, bool hex_default, std::uint64_t max) {
  std::size_t i = 0;
  int base = hex_default ? 16 : 10;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) i = 2, base = 16;
  if (i == s.size()) return std::nullopt;
  std::uint64_t v = 0;
  for (; i < s.size(); ++i) {
    const char c = static_cast<char>(std::tolower(static_cast<unsigned char>(s[i])));
    int d = -1;
    if (c >= '0' && c <= '9') d = c - '0';
    if (base == 16 && c >= 'a' && c <= 'f') d = c - 'a' + 10;
    if (d < 0) return std::nullopt;
    if (v > (max - static_cast<std::uint64_t>(d)) / static_cast<std::uint64_t>(base)) return std::nullopt;
    v = v * static_cast<std::uint64_t>(base) + static_cast<std::uint64_t>(d);
  }
  return v;
}

std::vector<std::string> tokens(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> t;
  for (std::string w; in >> w;) t.push_back(w);
  return t;
}

/// Splits on commas.
std::vector<std::string> fields(const std::string& line) {
  std::vector<std::string> f(1);
  for (const char c : line) {
    if (c == ',')
      f.emplace_back();
    else
      f.back() += c;
  }
  return f;
}

std::string shown(const std::string& s) {
  std::string out;
  for (const char c : s.substr(0, 60))
    out += std::isprint(static_cast<unsigned char>(c)) ? std::string(1, c) : std::string("?");
  return "'" + out + (s.size() > 60 ? "...'" : "'");
}

class Parser {
 public:
  Parser(const std::string& file, DramTrace& trace) : file_(file), trace_(trace) {}

  [[noreturn]] void fail(std::int64_t line, const std::string& msg) const {
    throw DramTraceError(file_ + ":" + std::to_string(line) + ": " + msg);
  }

  void ramulator(const std::string& text, std::int64_t line) {
    const std::vector<std::string> t = tokens(text);
    if (t.size() != 2 || (t[0] != "LD" && t[0] != "ST"))
      fail(line, "expected 'LD ADDRESS' or 'ST ADDRESS' (Ramulator load/store trace), got " + shown(text));
    const auto addr = number(t[1], false, kMaxAddress);
    if (!addr) fail(line, "address " + shown(t[1]) + " is not a number (decimal, or hexadecimal with 0x) below 2^56");
    trace_.accesses.push_back({*addr, t[0] == "ST", 64, 0, 0, line});
  }

  void stl(const std::string& text, std::int64_t line) {
    std::vector<std::string> t = tokens(text);
    const std::string usage = "expected 'CLOCK: read|write ADDRESS' (DRAMSys .stl trace), got " + shown(text);
    if (t.size() < 3 || t[0].size() < 2 || t[0].back() != ':') fail(line, usage);
    const auto clock = number(t[0].substr(0, t[0].size() - 1), false, std::uint64_t{1} << 60);
    if (!clock) fail(line, "clock " + shown(t[0]) + " is not a decimal number followed by ':'");
    std::size_t k = 1;
    std::int64_t bytes = 0;
    if (t[k].front() == '(') {
      const auto len = t[k].size() > 2 && t[k].back() == ')' ? number(t[k].substr(1, t[k].size() - 2), false, 1 << 20)
                                                             : std::nullopt;
      if (!len || *len == 0) fail(line, "length " + shown(t[k]) + " is not '(BYTES)' with 1..1048576 bytes");
      bytes = static_cast<std::int64_t>(*len), ++k;
    }
    if (t[k] != "read" && t[k] != "write") fail(line, "command " + shown(t[k]) + " is not read or write");
    if (k + 1 >= t.size()) fail(line, usage);
    const auto addr = number(t[k + 1], true, kMaxAddress);
    if (!addr) fail(line, "address " + shown(t[k + 1]) + " is not a hexadecimal number below 2^56");
    const auto c = static_cast<std::int64_t>(*clock);
    if (!trace_.accesses.empty() && c < trace_.accesses.back().cycle)
      fail(line, "clock " + std::to_string(c) + " is before the previous access's " +
                     std::to_string(trace_.accesses.back().cycle) + " (timestamps must not decrease)");
    trace_.accesses.push_back({*addr, t[k] == "write", bytes, c, 0, line});
  }

  void arraysim(const std::string& text, std::int64_t line) {
    std::vector<std::string> f = fields(text);
    if (f.size() < 9)
      fail(line, "expected " + std::to_string(9) + " comma-separated fields (" + kArraysimHeader + "), got " +
                     std::to_string(f.size()));
    // The layer name may hold commas: the last eight fields are fixed.
    const std::size_t o = f.size() - 8;
    if (f[o + 1] != "dram") fail(line, "unit " + shown(f[o + 1]) + " is not dram (replay traces/dram.csv)");
    if (f[o + 3] != "read" && f[o + 3] != "write") fail(line, "op " + shown(f[o + 3]) + " is not read or write");
    const auto addr = number(f[o + 4], false, kMaxAddress);
    if (!addr) fail(line, "address " + shown(f[o + 4]) + " is not a decimal number below 2^56");
    const auto bytes = number(f[o + 5], false, 1 << 20);
    if (!bytes || *bytes == 0) fail(line, "bytes " + shown(f[o + 5]) + " is not a number in 1..1048576");
    const auto issue = number(f[o + 6], false, std::uint64_t{1} << 60);
    if (!issue) fail(line, "issue_cycle " + shown(f[o + 6]) + " is not a decimal number");
    const auto transfer = number(f[o + 7], false, std::uint64_t{1} << 60);
    if (!transfer) fail(line, "transfer " + shown(f[o + 7]) + " is not a decimal number");
    trace_.accesses.push_back({*addr, f[o + 3] == "write", static_cast<std::int64_t>(*bytes),
                               static_cast<std::int64_t>(*issue), static_cast<std::int64_t>(*transfer), line});
  }

 private:
  std::string file_;
  DramTrace& trace_;
};

}  // namespace

DramTrace parse_dram_trace(const std::string& text, const std::string& file) {
  DramTrace trace;
  trace.file = file;
  Parser p(file, trace);
  bool known = false;
  std::int64_t line_no = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const std::size_t first = line.find_first_not_of(" \t");
    if (first == std::string::npos || line[first] == '#') continue;
    if (!known) {
      known = true;
      const std::vector<std::string> t = tokens(line);
      if (line == kArraysimHeader) {
        trace.format = DramTraceFormat::arraysim;
        continue;
      }
      if (line.rfind("layer,cycle,unit", 0) == 0)
        p.fail(line_no, std::string("an arraysim trace needs the header '") + kArraysimHeader +
                            "' (traces/dram.csv of arraysim run --trace dram)");
      if (t[0] == "LD" || t[0] == "ST")
        trace.format = DramTraceFormat::ramulator;
      else if (t[0].size() > 1 && t[0].back() == ':')
        trace.format = DramTraceFormat::stl;
      else
        p.fail(line_no,
               "not a DRAM trace: expected 'LD|ST ADDRESS' (Ramulator), 'CLOCK: read|write ADDRESS' "
               "(DRAMSys .stl) or arraysim's dram.csv header, got " +
                   shown(line));
    }
    switch (trace.format) {
      case DramTraceFormat::ramulator: p.ramulator(line, line_no); break;
      case DramTraceFormat::stl: p.stl(line, line_no); break;
      case DramTraceFormat::arraysim: p.arraysim(line, line_no); break;
    }
  }
  if (trace.accesses.empty()) throw DramTraceError(file + ": no accesses (an empty trace)");
  return trace;
}

DramTrace read_dram_trace(const std::string& path) {
  std::string text;
  try {
    text = util::read_file(path, static_cast<std::size_t>(kMaxDramTraceBytes));
  } catch (const util::FileReadError& e) {
    throw DramTraceError(path + ": cannot read the trace: " + e.reason());
  }
  return parse_dram_trace(text, path);
}

}  // namespace arraysim::io
