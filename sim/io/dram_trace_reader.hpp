#pragma once
/// DRAM address traces as `arraysim dram-trace` replays them (docs/memory.md): Ramulator's
/// load/store trace, DRAMSys's .stl trace and arraysim's own `--trace dram` CSV. Plain data, no
/// SystemC; the format is recognised from the first line that is not blank or a comment.
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace arraysim::io {

/// The formats: `LD 0x...` / `ST 0x...` (Ramulator 2 LoadStoreTrace: one access of 64 bytes per
/// line, issued as fast as the controller accepts), `T: read|write 0x...` (DRAMSys StlPlayer:
/// T the DRAM clock from which the access may be issued, an optional `(L)` length before the
/// command) and arraysim's dram.csv (each DMA transfer at its recorded issue cycle).
enum class DramTraceFormat { ramulator, stl, arraysim };
/// "ramulator", "stl", "arraysim".
std::string to_string(DramTraceFormat f);

/// One access of a trace.
struct DramTraceAccess {
  std::uint64_t addr = 0;
  bool write = false;
  std::int64_t bytes = 0;     ///< bytes from `addr` (0: one burst of the replaying DRAM)
  std::int64_t cycle = 0;     ///< stl: DRAM clock; arraysim: core cycle of its transfer's issue; ramulator: 0
  std::int64_t transfer = 0;  ///< arraysim: the DMA transfer it belongs to; otherwise 0
  std::int64_t line = 0;      ///< 1-based line in the file
};

/// A whole trace.
struct DramTrace {
  std::string file;
  DramTraceFormat format = DramTraceFormat::ramulator;
  std::vector<DramTraceAccess> accesses;
};

/// A malformed trace: the message is one line, `FILE:LINE: what is wrong` (or `FILE: ...` for the
/// file as a whole).
class DramTraceError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Largest trace file read (bytes): beyond it the replay's request list would not fit memory.
constexpr std::int64_t kMaxDramTraceBytes = std::int64_t{256} << 20;

/// Reads and parses a trace file (a regular file of at most kMaxDramTraceBytes). Throws
/// DramTraceError.
DramTrace read_dram_trace(const std::string& path);
/// Parses trace text; `file` names it in messages. Throws DramTraceError.
DramTrace parse_dram_trace(const std::string& text, const std::string& file);

}  // namespace arraysim::io
