/// The banked scratchpad from addresses: which bank a word is in under each mapping, what one
/// vector access and one in-order stream cost in cycles and port conflicts, with the counts
/// derived beside each number. Plain C++.
#include <catch2/catch.hpp>

#include <algorithm>
#include <vector>

#include "sim/config/experiment.hpp"
#include "sim/hw/banked_scratchpad.hpp"

using namespace arraysim;

namespace {

/// 4 KiB, 8 banks of 4-byte words (128 words per bank), one read and one write port.
config::ScratchpadConfig spad(config::BankMapping m = config::BankMapping::interleave, std::int64_t interleave = 1) {
  config::ScratchpadConfig c;
  c.size_kib = 4, c.banks = 8, c.word_bytes = 4, c.read_ports = 1, c.write_ports = 1;
  c.bank_mapping = m, c.interleave_words = interleave;
  return c;
}

std::vector<std::int64_t> strided(std::int64_t n, std::int64_t stride_words) {
  std::vector<std::int64_t> w;
  for (std::int64_t i = 0; i < n; ++i) w.push_back(i * stride_words);
  return w;
}

}  // namespace

TEST_CASE("banked scratchpad: the bank of an address under each mapping", "[scratchpad]") {
  const hw::BankedScratchpad low(spad());
  CHECK(low.bank_of(0) == 0);
  CHECK(low.bank_of(4) == 1);   // word 1
  CHECK(low.bank_of(7) == 1);   // still word 1
  CHECK(low.bank_of(32) == 0);  // word 8 = 8 mod 8
  CHECK(low.bank_of(44) == 3);  // word 11
  const hw::BankedScratchpad pairs(spad(config::BankMapping::interleave, 2));
  CHECK(pairs.bank_of(4) == 0);  // words 0, 1 in bank 0
  CHECK(pairs.bank_of(8) == 1);  // words 2, 3 in bank 1
  const hw::BankedScratchpad block(spad(config::BankMapping::block));
  CHECK(block.bank_of(511) == 0);  // word 127: the last of bank 0's 128
  CHECK(block.bank_of(512) == 1);  // word 128
  CHECK(block.bank_of(4095) == 7);
}

TEST_CASE("banked scratchpad: a stride that maps every access to one bank serialises exactly", "[scratchpad]") {
  const hw::BankedScratchpad s(spad());
  // Stride 1 word: 8 words in 8 banks, one cycle, no conflict.
  CHECK(s.access_words(strided(8, 1), 1).cycles == 1);
  CHECK(s.access_words(strided(8, 1), 1).conflicts == 0);
  // Stride 8 words: every word in bank 0: 8 cycles on one port, 7 words waited.
  CHECK(s.access_words(strided(8, 8), 1).cycles == 8);
  CHECK(s.access_words(strided(8, 8), 1).conflicts == 7);
  // Two ports per bank serve two a cycle: 4 cycles, 6 waited.
  CHECK(s.access_words(strided(8, 8), 2).cycles == 4);
  CHECK(s.access_words(strided(8, 8), 2).conflicts == 6);
  // Stride 2: banks 0, 2, 4, 6 twice: 2 cycles, 4 waited. Stride 3 (odd): all 8 banks once.
  CHECK(s.access_words(strided(8, 2), 1).cycles == 2);
  CHECK(s.access_words(strided(8, 2), 1).conflicts == 4);
  CHECK(s.access_words(strided(8, 3), 1).cycles == 1);
  CHECK(s.access_words(strided(8, 3), 1).conflicts == 0);
  // A contiguous 32-byte vector is 8 consecutive words: conflict-free; shifted by 2 bytes it
  // touches 9 words, words 0 and 8 both in bank 0: 2 cycles, 1 waited.
  CHECK(s.access(0, 32, 1).cycles == 1);
  CHECK(s.access(2, 32, 1).cycles == 2);
  CHECK(s.access(2, 32, 1).conflicts == 1);
}

TEST_CASE("banked scratchpad: an in-order stream: interleaved banks take banks x ports words a cycle", "[scratchpad]") {
  // 1024 bytes = 256 words. Low-order interleave: 8 banks x 1 port = 8 words a cycle: 32 cycles.
  const hw::BankedScratchpad low(spad());
  CHECK(low.stream(0, 1024, 1).cycles == 32);
  CHECK(low.stream(0, 1024, 1).conflicts == 0);
  // Block mapping: words 0..127 in bank 0, 128..255 in bank 1. A cycle takes one word and stops
  // at the next (same bank, port taken): words 0..126 one a cycle (127 cycles), then 127 and 128
  // together (bank 0 and bank 1), then 129..255 one a cycle (127): 255 cycles; every cycle but the
  // last ended at a conflict: 254.
  const hw::BankedScratchpad block(spad(config::BankMapping::block));
  CHECK(block.stream(0, 1024, 1).cycles == 255);
  CHECK(block.stream(0, 1024, 1).conflicts == 254);
  // Interleave two words deep: runs of 2 words per bank. A cycle takes the run's first word and
  // stops at its second; from the second on it takes the second word and the next run's first:
  // cycle 1 word 0, then {1, 2}, {3, 4}, ... {253, 254}, {255}: 1 + 127 + 1 = 129 cycles, 128
  // of them ended by a conflict.
  const hw::BankedScratchpad pairs(spad(config::BankMapping::interleave, 2));
  CHECK(pairs.stream(0, 1024, 1).cycles == 129);
  CHECK(pairs.stream(0, 1024, 1).conflicts == 128);
}

TEST_CASE("banked scratchpad: the most words a vector touches, against every element-aligned start", "[scratchpad]") {
  // Hand-derived: 128 int8 bytes in 16-byte words touch words 0..7 from byte 0 and 0..8 from
  // byte 15 (15 + 127 = 142 = word 8); 16 int32 bytes from byte 12 of a 16-byte word: 2 words;
  // one byte never crosses; elements of a whole word never start inside one.
  CHECK(config::vector_words_max(128, 1, 16) == 9);
  CHECK(config::vector_words_max(16, 4, 16) == 2);
  CHECK(config::vector_words_max(1, 1, 16) == 1);
  CHECK(config::vector_words_max(64, 8, 4) == 16);
  CHECK(config::vector_words_max(512, 4, 16) == 33);
  // Every start a multiple of the element inside one word, counted word by word.
  for (std::int64_t word = 1; word <= 64; word *= 2)
    for (std::int64_t elem = 1; elem <= 8; elem *= 2)
      for (std::int64_t n = 1; n <= 40; ++n) {
        const std::int64_t bytes = n * elem;
        std::int64_t most = 0;
        for (std::int64_t start = 0; start < std::max(word, elem); start += elem)
          most = std::max(most, (start + bytes - 1) / word - start / word + 1);
        INFO("word " << word << " elem " << elem << " bytes " << bytes);
        CHECK(config::vector_words_max(bytes, elem, word) == most);
      }
}

TEST_CASE("banked scratchpad: default banks serve an edge vector starting anywhere in one access", "[scratchpad]") {
  // 128x128 OS int8, 16-byte words: the ifmap and weight edges are 128 bytes, at most 9 words
  // (above): 16 banks, where 8 would carry the bytes; the output edge is 128 int32 = 512 bytes, at
  // most 33 words: 64 banks. Two read ports halve each.
  const std::string yaml = R"(
arch:
  array: {rows: 128, cols: 128, dataflow: os}
  scratchpad: {weight: {read_ports: 2}}
workload: {layers: [{type: gemm, name: g, m: 8, n: 8, k: 8}]}
)";
  const config::Experiment e = config::load_experiment_text(yaml, "banks.yaml", ".");
  CHECK(e.arch.ifmap.banks == 16);
  CHECK(e.arch.weight.banks == 8);
  CHECK(e.arch.output.banks == 64);
}

TEST_CASE("banked scratchpad: accesses granted several cycles cost only what lies beyond them", "[scratchpad]") {
  const hw::BankedScratchpad s(spad());
  const hw::ByteRange vec{0, 32};  // words 0..7: one in each of the 8 banks
  // One cycle granted, one port: each bank serves its one word: nothing beyond.
  CHECK(s.access_beyond(&vec, 1, 1, 1).cycles == 0);
  CHECK(s.access_beyond(&vec, 1, 1, 1).conflicts == 0);
  // The same words read and written in one step (two ranges): every bank serves 2 words on one
  // port: 2 cycles, 1 beyond the one granted; 8 words (one per bank) waited beyond it.
  const hw::ByteRange rw[2] = {{0, 32}, {0, 32}};
  CHECK(s.access_beyond(rw, 2, 1, 1).cycles == 1);
  CHECK(s.access_beyond(rw, 2, 1, 1).conflicts == 8);
  // Granted 2 cycles (the port bandwidth already asks for them) or 2 ports: nothing beyond.
  CHECK(s.access_beyond(rw, 2, 1, 2).cycles == 0);
  CHECK(s.access_beyond(rw, 2, 1, 2).conflicts == 0);
  CHECK(s.access_beyond(rw, 2, 2, 1).cycles == 0);
  // Shifted by 2 bytes a 32-byte vector touches words 0..8, two of them (0 and 8) in bank 0: 2
  // cycles, 1 beyond, 1 waited.
  const hw::ByteRange shifted{2, 32};
  CHECK(s.access_beyond(&shifted, 1, 1, 1).cycles == 1);
  CHECK(s.access_beyond(&shifted, 1, 1, 1).conflicts == 1);
  // Block mapping: words 0..7 all in bank 0 (128 words per bank): 8 cycles, 7 beyond the one
  // granted, 7 waited; granted 3 cycles: 5 beyond, 5 waited.
  const hw::BankedScratchpad block(spad(config::BankMapping::block));
  CHECK(block.access_beyond(&vec, 1, 1, 1).cycles == 7);
  CHECK(block.access_beyond(&vec, 1, 1, 1).conflicts == 7);
  CHECK(block.access_beyond(&vec, 1, 1, 3).cycles == 5);
  CHECK(block.access_beyond(&vec, 1, 1, 3).conflicts == 5);
  // An empty range costs nothing.
  const hw::ByteRange none{64, 0};
  CHECK(block.access_beyond(&none, 1, 1, 1).cycles == 0);
}
