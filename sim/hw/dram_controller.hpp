#pragma once
/// The memory controller of the banked DRAM models (ddr4_3200, lpddr4_3200, hbm2): per channel a
/// request queue served by FR-FCFS, the bank state machine (closed, opened, refreshing), and the
/// JEDEC timing constraints between the commands ACT, PRE, PREA, RD, WR and REF, each at its
/// scope (bank, bank group, rank, command bus). Plain C++ in DRAM clock cycles: the TLM-2.0
/// target (sim/hw/dram.hpp) and the trace replay (sim/hw/dram_trace.hpp) drive it. docs/memory.md
/// describes every rule with a worked example.
#include <array>
#include <cstdint>
#include <limits>
#include <vector>

#include "sim/config/dram_config.hpp"

namespace arraysim::hw {

/// Where a burst address lives: channel, bank group, bank (flat index in the channel:
/// bank_group × banks_per_group + bank in group) and row.
struct DramCoord {
  std::int32_t channel = 0, bank_group = 0, bank = 0;
  std::int64_t row = 0;
};

/// Decodes byte addresses with the configured address mapping: the burst offset at the bottom,
/// then one field per bit as `DramConfig::address_mapping` lists them, the row above.
class DramAddressMap {
 public:
  explicit DramAddressMap(const config::DramConfig& cfg);
  DramCoord decode(std::uint64_t addr) const;

 private:
  int offset_bits_ = 0;
  std::vector<config::DramField> bits_;
  std::int32_t banks_per_group_ = 1;
};

/// The row-buffer outcome of a request: its row was open (hit), its bank was precharged (miss),
/// or another row had to be closed first (conflict).
enum class RowOutcome : std::uint8_t { none, hit, miss, conflict };

/// One burst request and what the controller did with it, in DRAM clock cycles.
struct DramRequest {
  std::uint64_t addr = 0;
  bool write = false;
  std::int64_t arrival = 0;      ///< first cycle the front end offers it
  std::int64_t enqueue = -1;     ///< cycle it entered its channel's queue (≥ arrival)
  std::int64_t column = -1;      ///< cycle of its RD or WR command
  std::int64_t data_start = -1;  ///< its data on the bus: [data_start, data_end)
  std::int64_t data_end = -1;
  RowOutcome row = RowOutcome::none;
};

/// Counters over every request scheduled so far (all channels).
struct DramControllerStats {
  std::int64_t reads = 0, writes = 0;
  std::int64_t row_hits = 0, row_misses = 0, row_conflicts = 0;
  std::int64_t activates = 0, precharges = 0;  ///< ACT and PRE commands (PREA counts once; auto-precharges too)
  std::int64_t refreshes = 0;                  ///< REF commands
  std::int64_t read_latency_sum = 0;           ///< Σ over reads of data_end − enqueue
};

/// The controller of every channel. Requests are offered in order; each enters its channel's
/// queue (at most `queue_depth` requests, at most one new request per channel per clock or one
/// in all (FrontEnd), never before the request offered before it) and can be served from the next clock on. Each clock
/// a channel issues one command (HBM2: one row and one column command): the oldest request whose column command (a row
/// hit) is legal now, else the oldest whose ACT or PRE is legal now (FR-FCFS). A PRE is held back while a queued
/// request hits the open row. When refresh is due the channel precharges all banks (PREA), issues REF and serves
/// nothing until then.
class DramController {
 public:
  /// How many requests may enter the queues per clock: one per channel (the DMA, a port per
  /// channel) or one in all (a trace player issuing one request per DRAM clock).
  enum class FrontEnd { per_channel, one_per_clock };
  explicit DramController(const config::DramConfig& cfg, FrontEnd front_end = FrontEnd::per_channel);

  /// Schedules `reqs` (arrival non-decreasing) until the last one's column command, and fills in
  /// their cycles and row outcomes. Requests of one call never overtake those of an earlier call:
  /// the controller's time only moves forward.
  void schedule(std::vector<DramRequest>& reqs);
  const DramControllerStats& stats() const { return stats_; }
  const DramAddressMap& address_map() const { return map_; }

 private:
  static constexpr std::int64_t kNever = std::numeric_limits<std::int64_t>::max() / 4;
  struct Bank {
    std::int64_t open_row = -1;
    std::int64_t hits_pending = 0;  ///< queued requests for the open row
    std::int64_t next_act = 0, next_pre = 0, next_rd = 0, next_wr = 0;
  };
  struct Group {
    std::int64_t next_act = 0, next_rd = 0, next_wr = 0;
  };
  /// A queued request as the scheduler scans it (compact: the queue is scanned every command).
  struct Queued {
    std::int32_t index = 0, bank = 0, group = 0;
    bool write = false;
    std::int64_t row = 0, enqueue = 0;
  };
  struct Channel {
    std::vector<Bank> banks;
    std::vector<Group> groups;
    std::int64_t next_act = 0, next_rd = 0, next_wr = 0;                    ///< rank scope
    std::array<std::int64_t, 4> faw{{-kNever, -kNever, -kNever, -kNever}};  ///< the last four ACTs
    int faw_pos = 0;
    std::int64_t row_bus_free = 0, col_bus_free = 0;  ///< next clock a command bus is free
    std::int64_t refresh_due = kNever;
    std::vector<Queued> queue;  ///< in arrival order
    std::int64_t hits = 0;      ///< queued requests whose row is open: Σ banks' hits_pending
    /// The last scan that issued nothing: its first `scanned` entries had no legal command before
    /// `scan_earliest`. Valid until the channel's next command (an arrival only adds to the queue
    /// or holds a precharge back), so a scan woken by an arrival starts after them.
    std::size_t scanned = 0;
    std::int64_t scan_earliest = kNever;
    std::int64_t last_enqueue = -1;
    std::int64_t next_event = kNever;  ///< earliest clock this channel may act
  };
  enum class Cmd { none, act, pre, rd, wr };

  void issue(Channel& ch, std::int64_t now, std::vector<DramRequest>& reqs, std::int64_t& done, bool& freed);
  bool refresh(Channel& ch, std::int64_t now);
  /// The next command of request `i` and the earliest clock it is legal (ignoring the command bus).
  std::pair<Cmd, std::int64_t> next_command(const Channel& ch, const Queued& q) const;
  void do_act(Channel& ch, std::int64_t t, std::int32_t i, DramRequest& r);
  void do_pre(Channel& ch, std::int64_t t, std::int32_t i, DramRequest& r);
  void do_column(Channel& ch, std::int64_t t, std::int32_t i, DramRequest& r);
  void use_bus(Channel& ch, std::int64_t t, bool row_command);

  config::DramConfig cfg_;
  FrontEnd front_end_;
  config::DramTimings t_;
  std::int64_t burst_ = 0;  ///< BL/2
  DramAddressMap map_;
  std::vector<Channel> channels_;
  std::vector<DramCoord> coord_;  ///< per request of the current call
  std::int64_t cursor_ = 0;       ///< the earliest clock the next call may act
  DramControllerStats stats_;
};

}  // namespace arraysim::hw
