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
