/// The DRAM sits behind a real TLM-2.0 boundary: an independent memory target written here (a
/// plain byte array with a fixed access latency, no arraysim code) is bound in place of the
/// built-in models, receives the layer's inputs through the debug transport, serves every DMA
/// burst, and gives back bit-exact outputs and exactly the cycles its latency implies.
/// Each TEST_CASE elaborates its own accelerator (one process per case under ctest).
#include <catch2/catch.hpp>

#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

#include <cstring>
#include <memory>
#include <vector>

#include "models/analytic/systolic.hpp"
#include "models/golden/golden.hpp"
#include "sim/config/experiment.hpp"
#include "sim/hw/accelerator.hpp"
#include "sim/hw/dram.hpp"
#include "sim/plan/plan.hpp"

using namespace arraysim;

namespace {

/// What a FixedLatencyMemory served; owned by the test, so it outlives the simulation's modules.
struct Served {
  std::int64_t transactions = 0, debug_calls = 0;
};

/// A memory of `size` bytes that answers every transaction `latency` cycles after it was
/// requested, however long it is (no bus, no banks), and counts what it served in `served`.
struct FixedLatencyMemory : sc_core::sc_module {
  tlm_utils::simple_target_socket<FixedLatencyMemory> socket;
  FixedLatencyMemory(sc_core::sc_module_name n, std::size_t size, sc_core::sc_time latency, Served& served)
      : sc_core::sc_module(n), socket("socket"), bytes(size, 0), served_(served), latency_(latency) {
    socket.register_b_transport(this, &FixedLatencyMemory::b_transport);
    socket.register_transport_dbg(this, &FixedLatencyMemory::transport_dbg);
  }
  void b_transport(tlm::tlm_generic_payload& p, sc_core::sc_time& delay) {
    if (!copy(p)) return p.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
    ++served_.transactions;
    delay += latency_;
    p.set_response_status(tlm::TLM_OK_RESPONSE);
  }
  unsigned int transport_dbg(tlm::tlm_generic_payload& p) {
    ++served_.debug_calls;
    return copy(p) ? p.get_data_length() : 0;
  }
  bool copy(tlm::tlm_generic_payload& p) {
    const std::uint64_t a = p.get_address(), n = p.get_data_length();
    if (a + n > bytes.size()) return false;
    if (p.is_write())
      std::memcpy(bytes.data() + a, p.get_data_ptr(), n);
    else
      std::memcpy(p.get_data_ptr(), bytes.data() + a, n);
    return true;
  }
  std::vector<unsigned char> bytes;
  Served& served_;
  sc_core::sc_time latency_;
};

/// Hands the accelerator a FixedLatencyMemory and keeps what it served for the checks (the
/// memory itself ends with the simulation).
struct FixedLatencyFactory : hw::DramFactory {
  std::int64_t latency_cycles;
  bool made = false;
  Served served;
  explicit FixedLatencyFactory(std::int64_t l) : latency_cycles(l) {}
  hw::DramTarget make(const char* name, sc_core::sc_time period) override {
    auto m = std::make_unique<FixedLatencyMemory>(name, std::size_t{1} << 20,
                                                  period * static_cast<double>(latency_cycles), served);
    made = true;
    tlm::tlm_target_socket<>* s = &m->socket;
    return {std::move(m), s};
  }
};

/// One layer in values fidelity on `arch_yaml`, with the fixed-latency memory bound.
struct Run {
  plan::ExperimentPlan plan;
  ir::LayerOperands operands;
  std::vector<hw::LayerCounters> counters;
  ir::Tensor golden;
};
Run run(const std::string& yaml, const std::shared_ptr<FixedLatencyFactory>& memory) {
  const config::Experiment e = config::load_experiment_text(yaml, "tlm.yaml", ".");
  Run r;
  r.plan = plan::make_plan(e, {});
  const plan::LayerPlan& p = r.plan.layers.at(0);
  r.operands = ir::make_operands(p.layer, 0, e.workload.seed, e.arch.array.input_dtype, e.arch.array.weight_dtype);
  hw::SimulateOptions so;
  so.fidelity = config::Fidelity::values;
  so.dram = memory;
  r.counters = hw::simulate(e.arch, {hw::LayerProgram{&p, &r.operands}}, so);
  r.golden = golden::run_layer(p.layer, r.operands, e.arch.array.accumulator_dtype);
  return r;
}

bool same_bytes(const ir::Tensor& a, const ir::Tensor& b) {
  return a.size_bytes() == b.size_bytes() && std::memcmp(a.raw_bytes(), b.raw_bytes(), a.size_bytes()) == 0;
}

}  // namespace

TEST_CASE("tlm boundary: a foreign memory target gives bit-exact outputs and the cycles its latency implies",
          "[hw][dram]") {
  // OS 4x4 int8, GEMM M=8 N=8 K=16: A (128 bytes), B (128 bytes) and C (256 bytes) fit the
  // scratchpads in one tile. Scratchpad write ports (4 banks x 16 bytes) absorb a block in
  // ceil(128 / 64) = 2 cycles, far less than the latency L = 40, so both loads issued at cycle 0
  // are in at L; the folds then run as with ideal memory (the closed form T), the last output
  // leaves at L + T - 1, the store is issued at L + T and done L later:
  //   total = L + T + L.
  const std::int64_t L = 40;
  const std::string yaml =
      "arch:\n  name: t\n  array: {rows: 4, cols: 4, dataflow: os, input_dtype: int8}\n"
      "  scratchpad:\n    ifmap: {size_kib: 4, banks: 4, word_bytes: 16}\n    weight: {size_kib: 4, banks: 4, "
      "word_bytes: 16}\n"
      "    output: {size_kib: 4, banks: 4, word_bytes: 16}\n"
      "  dram: {model: simple}\n"
      "  mapping: {mapper: fixed}\n"  // one tile; the mapper does not know the foreign target's latency
      "workload:\n  seed: 11\n  layers:\n    - {type: gemm, m: 8, n: 8, k: 16}\n";
  auto memory = std::make_shared<FixedLatencyFactory>(L);
  const Run r = run(yaml, memory);
  const std::int64_t T = analytic::systolic_cycles(analytic::Dataflow::os, 4, 4, {8, 8, 16, 1}).total_cycles;
  REQUIRE(r.plan.layers[0].schedule.tiles.size() == 1);
  CHECK(r.counters[0].total_cycles == L + T + L);
  CHECK(r.counters[0].stall_cycles == 2 * L);
  CHECK(same_bytes(r.counters[0].output, r.golden));
  // The memory saw the inputs through the debug transport (one write of the layer's image, one
  // read of the output) and every burst of the loads and the store: A and B are two 64-byte
  // bursts each, C (8x8 int32 = 256 bytes) four.
  REQUIRE(memory->made);
  CHECK(memory->served.debug_calls == 2);
  CHECK(memory->served.transactions == 2 + 2 + 4);
  CHECK(r.counters[0].memory.dram_read_bytes.total() == 256);
  CHECK(r.counters[0].memory.dram_write_bytes.output == 256);
  // No row-buffer outcomes come from a target that reports none.
  CHECK_FALSE(r.counters[0].memory.dram_row_hits.has_value());
}

TEST_CASE("tlm boundary: a tiled convolution through a foreign memory target is bit-exact", "[hw][dram]") {
  // A 3x3 convolution whose output scratchpad holds only part of the output: several tiles, loads
  // and stores overlapping with compute, every byte through the foreign target.
  const std::string yaml =
      "arch:\n  name: t\n  array: {rows: 4, cols: 4, dataflow: ws, input_dtype: int8}\n"
      "  scratchpad:\n    output: {size_kib: 1}\n  dram: {model: simple}\n"
      "workload:\n  seed: 5\n  layers:\n    - {type: conv2d, in_channels: 3, in_height: 9, in_width: 9, out_channels: "
      "6, "
      "kernel: 3, padding: 1}\n";
  auto memory = std::make_shared<FixedLatencyFactory>(25);
  const Run r = run(yaml, memory);
  CHECK(r.plan.layers[0].schedule.tiles.size() > 1);
  CHECK(same_bytes(r.counters[0].output, r.golden));
  CHECK(r.counters[0].total_cycles >= r.plan.layers[0].analytic_cycles + 2 * 25);
}
