#pragma once
/// A banked scratchpad as the hardware sees it: `banks` banks of `word_bytes` words, each with
/// read and write ports, and an address-to-bank mapping (arch.scratchpad.*.bank_mapping). Given
/// the byte addresses of an access it says how many cycles the banks need to serve it and how many
/// word accesses found their bank's ports taken (docs/memory.md, "Scratchpads and banks"). Plain
/// C++; the memory engine asks it for the DMA's writes, the recorder for the array's and the
/// vector unit's accesses.
#include <cstdint>
#include <vector>

#include "sim/config/arch_config.hpp"

namespace arraysim::hw {

/// What serving an access cost.
struct PortCost {
  std::int64_t cycles = 0;     ///< cycles the banks were busy with it (0 for an empty access)
  std::int64_t conflicts = 0;  ///< word accesses that waited at least one cycle for a port of their bank
};

/// The bytes [addr, addr + bytes) of a scratchpad.
struct ByteRange {
  std::int64_t addr = 0, bytes = 0;
};

class BankedScratchpad {
 public:
  explicit BankedScratchpad(const config::ScratchpadConfig& cfg);

  /// The bank holding byte address `addr`.
  std::int64_t bank_of(std::int64_t addr) const;
  /// One access of the words in `word_addrs` (word addresses, duplicates allowed: a word is read
  /// once) presented together, `ports` per bank: cycles = the most words any bank must serve,
  /// divided by `ports` and rounded up; conflicts = Σ over banks of the words beyond `ports`.
  PortCost access_words(const std::vector<std::int64_t>& word_addrs, std::int64_t ports) const;
  /// One access of the bytes [addr, addr + bytes) presented together (one edge vector).
  PortCost access(std::int64_t addr, std::int64_t bytes, std::int64_t ports) const;
  /// Accesses presented together in one step that the ports may take `granted_cycles` cycles to
  /// serve: each range reads or writes each of its words once, and a word two ranges share uses
  /// two ports (a read and a write of it). What serving them costs beyond `granted_cycles`:
  /// cycles = max(0, ⌈most words any bank must serve / ports⌉ − granted_cycles); conflicts =
  /// Σ over banks of the words beyond ports × granted_cycles.
  PortCost access_beyond(const ByteRange* ranges, std::size_t n, std::int64_t ports, std::int64_t granted_cycles) const;
  /// A stream of the bytes [addr, addr + bytes) in address order, as fast as the ports take
  /// them: each cycle takes words from the head, in order, up to banks × ports, and stops at the
  /// first word whose bank has no free port left (which counts one conflict).
  PortCost stream(std::int64_t addr, std::int64_t bytes, std::int64_t ports) const;

 private:
  std::int64_t bank_of_word(std::int64_t w) const;

  std::int64_t banks_, word_bytes_, words_per_bank_, interleave_words_;
  bool block_;
  mutable std::vector<std::int64_t> load_;  ///< scratch: words per bank
};

}  // namespace arraysim::hw
