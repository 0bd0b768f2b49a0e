#pragma once
/// SCALE-Sim's .cfg files (Python configparser syntax, v2 and v3 keys) read into the values the
/// importer needs, with every problem reported at its file, line and column (docs/import.md), and
/// the text helpers the topology reader shares.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/config/diagnostics.hpp"
#include "sim/io/import.hpp"

namespace arraysim::io::scalesim {

/// `s` in lower case (ASCII).
std::string lower(std::string s);
/// `s` without leading and trailing blanks and tabs.
std::string trim(const std::string& s);
/// Python's int() on a stripped string: optional sign, digits, single underscores between digits;
/// empty on anything else or on overflow.
std::optional<std::int64_t> parse_int(const std::string& s);
/// `s` quoted for a message, control characters escaped, at most 40 characters.
std::string show(const std::string& s);

/// What the importer takes from a .cfg.
struct ArchOut {
  std::string run_name;
  std::int64_t rows = 0, cols = 0;
  std::optional<std::int64_t> sram_kb[3];  ///< ifmap, filter (weight), ofmap (output), in KiB
  std::string dataflow = "os";
  bool user_bw = false;                   ///< InterfaceBandwidth: USER (else CALC)
  std::optional<std::int64_t> bandwidth;  ///< words (= bytes) per cycle
};

/// Reads the .cfg text of `file`: errors go to `diag`, warnings and notes to `notes`, and the
/// place each arch key came from to `origins`.
ArchOut read_cfg(const std::string& text, const std::string& file, config::Diagnostics& diag,
                 std::vector<std::string>& notes, OriginMap& origins);

}  // namespace arraysim::io::scalesim
