#include "sim/hw/banked_scratchpad.hpp"

#include <algorithm>

namespace arraysim::hw {

BankedScratchpad::BankedScratchpad(const config::ScratchpadConfig& cfg)
    : banks_(cfg.banks),
      word_bytes_(cfg.word_bytes),
      words_per_bank_(std::max<std::int64_t>(1, cfg.capacity_bytes() / cfg.word_bytes / cfg.banks)),
      interleave_words_(cfg.interleave_words),
      block_(cfg.bank_mapping == config::BankMapping::block),
      load_(static_cast<std::size_t>(cfg.banks), 0) {}

std::int64_t BankedScratchpad::bank_of_word(std::int64_t w) const {
  return block_ ? (w / words_per_bank_) % banks_ : (w / interleave_words_) % banks_;
}

std::int64_t BankedScratchpad::bank_of(std::int64_t addr) const { return bank_of_word(addr / word_bytes_); }

PortCost BankedScratchpad::access_words(const std::vector<std::int64_t>& word_addrs, std::int64_t ports) const {
  std::vector<std::int64_t> words = word_addrs;
  std::sort(words.begin(), words.end());
  words.erase(std::unique(words.begin(), words.end()), words.end());
  std::fill(load_.begin(), load_.end(), 0);
  for (const std::int64_t w : words) ++load_[static_cast<std::size_t>(bank_of_word(w))];
  PortCost c;
  for (const std::int64_t n : load_) {
    c.cycles = std::max(c.cycles, (n + ports - 1) / ports);
    c.conflicts += std::max<std::int64_t>(0, n - ports);
  }
  return c;
}

PortCost BankedScratchpad::access(std::int64_t addr, std::int64_t bytes, std::int64_t ports) const {
  if (bytes <= 0) return {};
  const std::int64_t first = addr / word_bytes_, last = (addr + bytes - 1) / word_bytes_;
  if (!block_ && interleave_words_ == 1 && last - first + 1 <= banks_ * ports)
    return {1, 0};  // consecutive words fall into distinct banks, at most `ports` rounds each
  std::vector<std::int64_t> words;
  for (std::int64_t w = first; w <= last; ++w) words.push_back(w);
  return access_words(words, ports);
}

PortCost BankedScratchpad::access_beyond(const ByteRange* ranges, std::size_t n, std::int64_t ports,
                                         std::int64_t granted_cycles) const {
  const std::int64_t budget = ports * granted_cycles;
  if (!block_ && interleave_words_ == 1) {
    // Low-order interleave one word deep: a range of w consecutive words puts at most ⌈w/banks⌉
    // in any bank, so when these bounds fit the budget nothing waits.
    std::int64_t bound = 0;
    for (std::size_t i = 0; i < n; ++i) {
      if (ranges[i].bytes <= 0) continue;
      const std::int64_t w = (ranges[i].addr + ranges[i].bytes - 1) / word_bytes_ - ranges[i].addr / word_bytes_ + 1;
      bound += (w + banks_ - 1) / banks_;
    }
    if (bound <= budget) return {};
  }
  std::fill(load_.begin(), load_.end(), 0);
  for (std::size_t i = 0; i < n; ++i) {
    if (ranges[i].bytes <= 0) continue;
    const std::int64_t last = (ranges[i].addr + ranges[i].bytes - 1) / word_bytes_;
    for (std::int64_t w = ranges[i].addr / word_bytes_; w <= last; ++w)
      ++load_[static_cast<std::size_t>(bank_of_word(w))];
  }
  PortCost c;
  std::int64_t most = 0;
  for (const std::int64_t l : load_) {
    most = std::max(most, l);
    c.conflicts += std::max<std::int64_t>(0, l - budget);
  }
  c.cycles = std::max<std::int64_t>(0, (most + ports - 1) / ports - granted_cycles);
  return c;
}

PortCost BankedScratchpad::stream(std::int64_t addr, std::int64_t bytes, std::int64_t ports) const {
  if (bytes <= 0) return {};
  const std::int64_t first = addr / word_bytes_, last = (addr + bytes - 1) / word_bytes_;
  const std::int64_t n = last - first + 1, width = banks_ * ports;
  // Low-order interleave one word deep: any banks x ports consecutive words meet every bank
  // exactly `ports` times, so each cycle takes a full width and nothing waits.
  if (!block_ && interleave_words_ == 1) return {(n + width - 1) / width, 0};
  PortCost c;
  std::int64_t w = first;
  while (w <= last) {
    std::fill(load_.begin(), load_.end(), 0);
    std::int64_t taken = 0;
    for (; w <= last && taken < width; ++w, ++taken) {
      std::int64_t& l = load_[static_cast<std::size_t>(bank_of_word(w))];
      if (l == ports) {
        ++c.conflicts;  // this word's bank is full: it and the rest wait for the next cycle
        break;
      }
      ++l;
    }
    ++c.cycles;
  }
  return c;
}

}  // namespace arraysim::hw
