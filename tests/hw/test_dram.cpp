/// The DRAM targets and the DMA's transfer unit over TLM-2.0: exact request timing of the simple
/// and the banked model (derivations beside each number), first-fit bus reservations for requests
/// annotated out of order, whole bursts (coalescing, useful bytes, byte enables), the scratchpad
/// write-port limit, and real bytes in and out.
/// Each TEST_CASE elaborates its own modules (one process per case under ctest).
#include <catch2/catch.hpp>

#include <systemc>
#include <yaml-cpp/yaml.h>

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
        dram(hw::make_dram("dram", cfg, 1000, sc_core::sc_time(1, sc_core::SC_NS))),
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

hw::Transfer read(hw::Dma& dma, std::int64_t addr, std::int64_t bytes, double issue, unsigned char* shadow = nullptr) {
  return dma.transfer(false, {{addr, bytes}}, shadow, issue, {});
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
    t.push_back(read(dma, 640, 32, 10));  // ready at 110: its burst fits the idle gap [120, 150)
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
  // A 32-byte read moves its whole 64-byte burst: 4 cycles.
  CHECK(t[2].first_data_cycle == 150);
  CHECK(t[2].dram_done_cycle == 154);
  CHECK(t[3].first_data_cycle == 120);
  CHECK(t[3].dram_done_cycle == 124);
  CHECK(t[3].useful_bytes == 32);
  CHECK(t[3].bytes == 64);
}

TEST_CASE("dram banked model: a transfer's bursts go through the controller in DRAM clocks", "[hw][dram]") {
  // DDR4-3200 (refresh off) behind a 1 GHz core: one DRAM clock is 0.625 core cycles.
  config::ReadContext ctx;
  const config::DramConfig cfg =
      config::parse_dram(config::MapReader(YAML::Load("{model: ddr4_3200, refresh: false}"), "arch.dram", ctx), 1000);
  REQUIRE(ctx.diag.empty());
  std::vector<hw::Transfer> t;
  Bench b("bench", cfg, [&](hw::Dma& dma) {
    t.push_back(read(dma, 0, 128, 0));      // bursts 0 and 1: bank groups 0 and 1 (RoRaCoBaBgCh), row 0
    t.push_back(read(dma, 1024, 64, 100));  // bank group 0, bank 0, column 1: the open row
  });
  hw::start_simulation();
  REQUIRE(t.size() == 2);
  // Both arrive in DRAM clock 0; the DMA's port takes one a clock: burst 0 enters at 0 (ACT 1,
  // RD 23, data [45, 49)), burst 1 at 1 (ACT at 1 + tRRD_S = 5, RD 27, data [49, 53)).
  CHECK(t[0].first_data_cycle == 45 * 0.625);
  CHECK(t[0].dram_done_cycle == 53 * 0.625);
  CHECK(t[0].row_misses == 2);
  CHECK(t[0].first_arrival_tck == 0);
  CHECK(t[0].last_data_end_tck == 53);
  // Issued at core cycle 100 = DRAM clock 160: a row hit, RD at 161, data [183, 187).
  CHECK(t[1].first_data_cycle == 183 * 0.625);
  CHECK(t[1].dram_done_cycle == 187 * 0.625);
  CHECK(t[1].row_hits == 1);
}

TEST_CASE("dma: bytes smaller than a burst move as whole bursts, counted as useful and fetched", "[hw][dram]") {
  config::DramConfig cfg;
  cfg.model = config::DramModel::simple, cfg.bytes_per_cycle = 16, cfg.latency_cycles = 10, cfg.burst_bytes = 64;
  hw::Transfer strided, partial;
  std::vector<unsigned char> shadow(256, 0), after(256, 0);
  Bench b("bench", cfg, [&](hw::Dma& dma) {
    std::vector<unsigned char> image(256, 0xee);
    dma.debug_write(0, image.data(), 256);
    // Every second byte of the first 128: two bursts, 64 useful bytes of 128 fetched.
    std::vector<lower::DramRun> runs;
    for (std::int64_t a = 0; a < 128; a += 2) runs.push_back({a, 1});
    strided = dma.transfer(false, runs, shadow.data(), 0, {});
    // A 4-byte write inside burst 2 moves the whole burst with byte enables: DRAM keeps the rest.
    for (int i = 0; i < 4; ++i) shadow[static_cast<std::size_t>(130 + i)] = static_cast<unsigned char>(i + 1);
    partial = dma.transfer(true, {{130, 4}}, shadow.data(), 10, {});
    dma.debug_read(0, after.data(), 256);
  });
  hw::start_simulation();
  CHECK(strided.bursts == 2);
  CHECK(strided.bytes == 128);
  CHECK(strided.useful_bytes == 64);
  // 2 bursts x 64 bytes at 16 bytes per cycle: ready at 10, on the bus [10, 18): at least
  // bursts x 4 cycles, not 64 useful bytes / 16 = 4 cycles.
  CHECK(strided.dram_done_cycle == 18);
  CHECK(partial.bytes == 64);
  CHECK(partial.useful_bytes == 4);
  CHECK(after[129] == 0xee);
  CHECK(after[130] == 1);
  CHECK(after[133] == 4);
  CHECK(after[134] == 0xee);
  CHECK(after[191] == 0xee);
}

TEST_CASE("dma: real bytes move both ways through the socket", "[hw][dram]") {
  config::DramConfig cfg;
  cfg.model = config::DramModel::simple, cfg.bytes_per_cycle = 64, cfg.latency_cycles = 0, cfg.burst_bytes = 64;
  hw::Transfer t;
  std::vector<unsigned char> shadow(256, 0), after(256, 0xff);
  Bench b("bench", cfg, [&](hw::Dma& dma) {
    // The DRAM's contents go in and come out through the debug transport only.
    std::vector<unsigned char> image(256, 0);
    for (int i = 0; i < 64; ++i) image[static_cast<std::size_t>(i)] = static_cast<unsigned char>(i + 1);
    dma.debug_write(0, image.data(), 256);
    // 64 bytes cross the bus in 1 cycle.
    t = read(dma, 0, 64, 0, shadow.data());
    // Write the bytes back 128 bytes further on.
    for (int i = 0; i < 64; ++i) shadow[static_cast<std::size_t>(128 + i)] = shadow[static_cast<std::size_t>(i)];
    dma.transfer(true, {{128, 64}}, shadow.data(), 1, {});
    dma.debug_read(0, after.data(), 256);
  });
  hw::start_simulation();
  CHECK(t.dram_done_cycle == 1);
  CHECK(t.done_cycle == 1);
  CHECK(shadow[0] == 1);
  CHECK(shadow[63] == 64);
  REQUIRE(after.size() == 256);
  CHECK(after[128] == 1);
  CHECK(after[191] == 64);
  CHECK(after[192] == 0);
}
