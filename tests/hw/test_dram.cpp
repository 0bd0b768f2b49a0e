/// The DRAM target and the DMA's transfer unit over TLM-2.0: exact request timing of the simple
/// and the banked model (derivations beside each number), first-fit bus reservations for requests
/// annotated out of order, the scratchpad write-port limit, and real bytes in and out.
/// Each TEST_CASE elaborates its own modules (one process per case under ctest).
#include <catch2/catch.hpp>

#include <systemc>

#include <functional>
#include <vector>

#include "sim/hw/dma.hpp"
#include "sim/hw/dram.hpp"
#include "sim/hw/sanitizer_stack.hpp"

using namespace arraysim;

namespace {

/// A DMA bound to a DRAM, and a thread that runs `body` at time 0.
struct Bench : sc_core::sc_module {
  SC_HAS_PROCESS(Bench);
  Bench(sc_core::sc_module_name n, const config::DramConfig& cfg, std::function<void(hw::Dma&)> body)
      : sc_core::sc_module(n),
        dram(hw::make_dram("dram", cfg, sc_core::sc_time(1, sc_core::SC_NS))),
        dma("dma", cfg.burst_bytes, sc_core::sc_time(1, sc_core::SC_NS)),
        body_(std::move(body)) {
    dma.socket.bind(*dram.socket);
    SC_THREAD(run);
  }
  void run() { body_(dma); }
  hw::DramTarget dram;
  hw::Dma dma;
  std::function<void(hw::Dma&)> body_;
};

hw::Transfer read(hw::Dma& dma, std::int64_t addr, std::int64_t bytes, double issue, unsigned char* shadow = nullptr,
                  double sram_bytes_per_cycle = 0, std::int64_t word = 1) {
  return dma.transfer(false, {{addr, bytes}}, shadow, issue, sram_bytes_per_cycle, word, {});
}

}  // namespace

TEST_CASE("dram simple model: latency, bus bandwidth and first-fit ordering", "[hw][dram]") {
  config::DramConfig cfg;
  cfg.model = config::DramModel::simple, cfg.bytes_per_cycle = 16, cfg.latency_cycles = 100, cfg.burst_bytes = 64;
  std::vector<hw::Transfer> t;
  Bench b("bench", cfg, [&](hw::Dma& dma) {
    t.push_back(read(dma, 0, 256, 0));    // 4 bursts of 64 bytes, each 4 cycles on the bus
    t.push_back(read(dma, 256, 64, 0));   // behind them on the bus
    t.push_back(read(dma, 512, 32, 50));  // ready at 150, after the bus went idle at 120
    t.push_back(read(dma, 640, 32, 10));  // ready at 110: fits the idle gap [120, 150)
  });
  hw::start_simulation();
  REQUIRE(t.size() == 4);
  // Bursts ready at 0 + 100; on the bus [100,104) [104,108) [108,112) [112,116).
  CHECK(t[0].first_ready_cycle == 100);
  CHECK(t[0].first_data_cycle == 100);
  CHECK(t[0].dram_done_cycle == 116);
  CHECK(t[0].bursts == 4);
  CHECK(t[0].bytes == 256);
  // Ready at 100, the bus is busy until 116: [116, 120).
  CHECK(t[1].first_ready_cycle == 100);
  CHECK(t[1].first_data_cycle == 116);
  CHECK(t[1].dram_done_cycle == 120);
  // 32 bytes = 2 cycles.
  CHECK(t[2].first_data_cycle == 150);
  CHECK(t[2].dram_done_cycle == 152);
  CHECK(t[3].first_data_cycle == 120);
  CHECK(t[3].dram_done_cycle == 122);
}

TEST_CASE("dram banked model: row hits misses and conflicts", "[hw][dram]") {
  config::DramConfig cfg;
  cfg.model = config::DramModel::ddr4_3200, cfg.bytes_per_cycle = 64, cfg.latency_cycles = 5, cfg.burst_bytes = 64;
  cfg.banks = 2, cfg.row_bytes = 1024, cfg.row_miss_cycles = 10, cfg.row_conflict_cycles = 20;
  std::vector<hw::Transfer> t;
  Bench b("bench", cfg, [&](hw::Dma& dma) {
    t.push_back(read(dma, 0, 64, 0));     // row index 0: bank 0, row 0, closed: miss
    t.push_back(read(dma, 64, 64, 0));    // same row: hit
    t.push_back(read(dma, 1024, 64, 0));  // row index 1: bank 1, row 0: miss
    t.push_back(read(dma, 2048, 64, 0));  // row index 2: bank 0, row 1 while row 0 is open: conflict
  });
  hw::start_simulation();
  REQUIRE(t.size() == 4);
  // miss: ready = 0 + 10 + 5 = 15, one cycle on the bus.
  CHECK(t[0].first_ready_cycle == 15);
  CHECK(t[0].dram_done_cycle == 16);
  // hit: ready = max(0, row open at 10) + 5 = 15; the bus is busy until 16.
  CHECK(t[1].first_ready_cycle == 15);
  CHECK(t[1].first_data_cycle == 16);
  CHECK(t[1].dram_done_cycle == 17);
  // miss in bank 1: ready 15; the bus is busy until 17.
  CHECK(t[2].first_data_cycle == 17);
  CHECK(t[2].dram_done_cycle == 18);
  // conflict: bank 0's last data left at 17; ready = 17 + 20 + 5 = 42.
  CHECK(t[3].first_ready_cycle == 42);
  CHECK(t[3].dram_done_cycle == 43);
  // The DRAM reports each burst's row outcome; the DMA counts them per transfer.
  CHECK((t[0].row_misses == 1 && t[0].row_hits == 0 && t[0].row_conflicts == 0));
  CHECK((t[1].row_hits == 1 && t[1].row_misses == 0));
  CHECK((t[2].row_misses == 1 && t[2].row_hits == 0));
  CHECK((t[3].row_conflicts == 1 && t[3].row_hits == 0 && t[3].row_misses == 0));
}

TEST_CASE("dma: scratchpad write ports limit a fast transfer and real bytes move both ways", "[hw][dram]") {
  config::DramConfig cfg;
  cfg.model = config::DramModel::simple, cfg.bytes_per_cycle = 64, cfg.latency_cycles = 0, cfg.burst_bytes = 64;
  hw::Transfer limited;
  std::vector<unsigned char> shadow(256, 0), after(256, 0xff);
  Bench b("bench", cfg, [&](hw::Dma& dma) {
    // The DRAM's contents go in and come out through the debug transport only.
    std::vector<unsigned char> image(256, 0);
    for (int i = 0; i < 64; ++i) image[static_cast<std::size_t>(i)] = static_cast<unsigned char>(i + 1);
    dma.debug_write(0, image.data(), 256);
    // 64 bytes cross the bus in 1 cycle; a scratchpad absorbing 8 bytes (one 8-byte word) per
    // cycle needs 8: the transfer is done at 8 and 8 - 1 = 7 word writes waited for a port.
    limited = read(dma, 0, 64, 0, shadow.data(), 8, 8);
    // Write the bytes back 128 bytes further on.
    for (int i = 0; i < 64; ++i) shadow[static_cast<std::size_t>(128 + i)] = shadow[static_cast<std::size_t>(i)];
    dma.transfer(true, {{128, 64}}, shadow.data(), 1, 0, 1, {});
    dma.debug_read(0, after.data(), 256);
  });
  hw::start_simulation();
  CHECK(limited.dram_done_cycle == 1);
  CHECK(limited.done_cycle == 8);
  CHECK(limited.bank_conflicts == 7);
  CHECK(shadow[0] == 1);
  CHECK(shadow[63] == 64);
  REQUIRE(after.size() == 256);
  CHECK(after[128] == 1);
  CHECK(after[191] == 64);
  CHECK(after[192] == 0);
}
