/// Vector unit counts (docs/vector.md): the fully connected layer of the lecture example in both
/// mappings, exact, for several M, CHW, L including non-divisible ones; and the analytic closed
/// forms equal to the step walk of sim/plan for every mapping.
#include <catch2/catch.hpp>

#include "models/analytic/vector.hpp"
#include "sim/plan/vector_mapping.hpp"

namespace {
using namespace arraysim;
using config::GemmLoop;

/// Ports wide enough that no step waits: the lanes are the bound.
plan::VectorUnitShape wide_unit(std::int64_t lanes) {
  plan::VectorUnitShape u;
  u.lanes = lanes;
  u.register_entries = 3 * lanes;
  u.ports = {1 << 20, 1 << 20, 1 << 20, 4, 4, 4};
  return u;
}

analytic::VectorUnit analytic_unit(const plan::VectorUnitShape& u) {
  analytic::VectorUnit a;
  a.lanes = u.lanes;
  a.ifmap_bytes_per_cycle = u.ports.ifmap_bytes_per_cycle;
  a.weight_bytes_per_cycle = u.ports.weight_bytes_per_cycle;
  a.output_bytes_per_cycle = u.ports.output_bytes_per_cycle;
  a.a_elem = u.ports.a_elem, a.b_elem = u.ports.b_elem, a.c_elem = u.ports.c_elem;
  return a;
}

analytic::VectorMapping to_analytic(const config::VectorMapping& m) {
  auto l = [](GemmLoop x) {
    return x == GemmLoop::m   ? analytic::VectorLoop::m
           : x == GemmLoop::n ? analytic::VectorLoop::n
                              : analytic::VectorLoop::k;
  };
  return {l(m.parallel), {l(m.order[0]), l(m.order[1]), l(m.order[2])}, m.hoist};
}

std::int64_t cdiv(std::int64_t a, std::int64_t b) { return (a + b - 1) / b; }

/// The lecture's FC: O[m] = Σ_chw I[chw]·F[m, chw] is the GEMM M = 1 (batch), N = M outputs, K = CHW.
struct FcCase {
  std::int64_t outputs, chw, lanes;
};
const FcCase kFcCases[] = {{16, 64, 4}, {16, 64, 8}, {10, 7, 4}, {5, 33, 8}, {1, 1, 1}, {7, 100, 16}, {64, 3, 3}};
}  // namespace

TEST_CASE("vector: FC with lanes across the reduction reads every input and weight once per MAC", "[unit][vector]") {
  // Order m, chw1, chw0 (chw0 across the lanes): GEMM order [m, n, k], parallel k, the output's
  // accumulator held in a register across chw1 and written once per output after the adder tree.
  const config::VectorMapping map{GemmLoop::k, {GemmLoop::m, GemmLoop::n, GemmLoop::k}, true};
  for (const FcCase& c : kFcCases) {
    INFO("M " << c.outputs << " CHW " << c.chw << " L " << c.lanes);
    const plan::VectorUnitShape u = wide_unit(c.lanes);
    const plan::VectorCounts s = plan::count_vector_fold(map, u, 1, c.outputs, c.chw, false);
    const analytic::VectorEstimate a =
        analytic::vector_fold(to_analytic(map), analytic_unit(u), 1, c.outputs, c.chw, false);
    const std::int64_t macs = c.outputs * c.chw;                  // M·CHW
    const std::int64_t steps = c.outputs * cdiv(c.chw, c.lanes);  // M·⌈CHW/L⌉
    for (const auto& [got_macs, got_in, got_w, got_cr, got_cw, got_steps, got_cyc] :
         {std::make_tuple(s.macs, s.a_read_words, s.b_read_words, s.c_read_words, s.c_write_words, s.steps, s.cycles),
          std::make_tuple(a.macs, a.a_read_words, a.b_read_words, a.c_read_words, a.c_write_words, a.steps,
                          a.step_cycles)}) {
      CHECK(got_macs == macs);
      CHECK(got_in == macs);       // input reads  = M·CHW
      CHECK(got_w == macs);        // weight reads = M·CHW
      CHECK(got_cr == 0);          // no output read: a fresh accumulator per output
      CHECK(got_cw == c.outputs);  // one output write per output, after the reduction
      CHECK(got_steps == steps);
      CHECK(got_cyc == steps);  // ports wide enough: one cycle per step
    }
    // Compute intensity over input and weight reads: M·CHW / (2·M·CHW) = 1/2.
    CHECK(static_cast<double>(s.macs) / static_cast<double>(s.a_read_words + s.b_read_words) == Approx(0.5));
  }
}

TEST_CASE("vector: FC with lanes across outputs and the input hoisted reads each input once per lane group",
          "[unit][vector]") {
  // Order m2, chw, m1 (m1 across the lanes): GEMM order [m, n, k], parallel n, input I[chw]
  // hoisted into a broadcast register, the L accumulators held across chw.
  const config::VectorMapping map{GemmLoop::n, {GemmLoop::m, GemmLoop::n, GemmLoop::k}, true};
  for (const FcCase& c : kFcCases) {
    INFO("M " << c.outputs << " CHW " << c.chw << " L " << c.lanes);
    const plan::VectorUnitShape u = wide_unit(c.lanes);
    const plan::VectorCounts s = plan::count_vector_fold(map, u, 1, c.outputs, c.chw, false);
    const analytic::VectorEstimate a =
        analytic::vector_fold(to_analytic(map), analytic_unit(u), 1, c.outputs, c.chw, false);
    const std::int64_t macs = c.outputs * c.chw;           // M·CHW
    const std::int64_t groups = cdiv(c.outputs, c.lanes);  // ⌈M/L⌉ lane groups m2
    for (const auto& [got_macs, got_in, got_w, got_cr, got_cw, got_steps] :
         {std::make_tuple(s.macs, s.a_read_words, s.b_read_words, s.c_read_words, s.c_write_words, s.steps),
          std::make_tuple(a.macs, a.a_read_words, a.b_read_words, a.c_read_words, a.c_write_words, a.steps)}) {
      CHECK(got_macs == macs);
      CHECK(got_in == groups * c.chw);  // input reads = ⌈M/L⌉·CHW (= M·CHW/L when L divides M)
      CHECK(got_w == macs);             // weight reads = M·CHW
      CHECK(got_cr == 0);
      CHECK(got_cw == c.outputs);  // each lane's accumulator written once, after the chw loop
      CHECK(got_steps == groups * c.chw);
    }
    if (c.outputs % c.lanes == 0) {
      // M·CHW / (M·CHW/L + M·CHW) = L/(L+1).
      const double l = static_cast<double>(c.lanes);
      CHECK(static_cast<double>(s.macs) / static_cast<double>(s.a_read_words + s.b_read_words) == Approx(l / (l + 1)));
    }
  }
  // Without hoisting every lane reads the input itself: M·CHW input reads (16 outputs, 64 inputs).
  const config::VectorMapping plain{GemmLoop::n, {GemmLoop::m, GemmLoop::n, GemmLoop::k}, false};
  const plan::VectorCounts p = plan::count_vector_fold(plain, wide_unit(4), 1, 16, 64, false);
  CHECK(p.a_read_words == 16 * 64);
  // ... and each step reads and writes its 4 outputs: writes 16·64, reads 16·(64 − 1).
  CHECK(p.c_write_words == 16 * 64);
  CHECK(p.c_read_words == 16 * 63);
}

TEST_CASE("vector: read ports narrower than the lanes stretch each step", "[unit][vector]") {
  // 8 lanes of 4-byte weights need 32 bytes per step; the weight scratchpad gives 16 bytes per
  // cycle, so a full step takes ⌈32/16⌉ = 2 cycles; the last lane group of 20 outputs has 4
  // lanes (16 bytes, 1 cycle). Parallel n, order [m, n, k], hoist; FC 20 outputs × 12 inputs.
  plan::VectorUnitShape u = wide_unit(8);
  u.ports.weight_bytes_per_cycle = 16;
  const config::VectorMapping map{GemmLoop::n, {GemmLoop::m, GemmLoop::n, GemmLoop::k}, true};
  const plan::VectorCounts s = plan::count_vector_fold(map, u, 1, 20, 12, false);
  CHECK(s.steps == 3 * 12);                // ⌈20/8⌉ lane groups × 12
  CHECK(s.cycles == 2 * 12 * 2 + 1 * 12);  // two full groups at 2 cycles, the last at 1 = 60
  CHECK(s.stall_read_bandwidth_cycles == 60 - 36);
  CHECK(analytic::vector_fold(to_analytic(map), analytic_unit(u), 1, 20, 12, false).step_cycles == 60);
}

TEST_CASE("vector: analytic closed forms equal the step walk for every mapping", "[unit][vector]") {
  const std::int64_t shapes[][3] = {{1, 1, 1}, {3, 5, 7}, {8, 8, 8}, {9, 4, 13}, {2, 17, 3}, {16, 1, 33}};
  for (std::int64_t lanes : {1, 3, 4, 8}) {
    for (std::int64_t narrow : {0, 1}) {
      plan::VectorUnitShape u = wide_unit(lanes);
      if (narrow) u.ports = {4, 8, 8, 1, 2, 4};  // reads bound by the ports
      for (const config::VectorMapping& m : plan::all_vector_mappings())
        for (const auto& sh : shapes)
          for (bool acc : {false, true}) {
            INFO(config::to_string(m) << " L " << lanes << " narrow " << narrow << " m " << sh[0] << " n " << sh[1]
                                      << " k " << sh[2] << " acc " << acc);
            const plan::VectorCounts s = plan::count_vector_fold(m, u, sh[0], sh[1], sh[2], acc);
            const analytic::VectorEstimate a =
                analytic::vector_fold(to_analytic(m), analytic_unit(u), sh[0], sh[1], sh[2], acc);
            CHECK(s.macs == sh[0] * sh[1] * sh[2]);
            CHECK(a.macs == s.macs);
            CHECK(a.steps == s.steps);
            CHECK(a.a_read_words == s.a_read_words);
            CHECK(a.b_read_words == s.b_read_words);
            CHECK(a.c_read_words == s.c_read_words);
            CHECK(a.c_write_words == s.c_write_words);
            CHECK(a.step_cycles == s.cycles);
          }
    }
  }
}

TEST_CASE("vector: register words of a mapping", "[unit][vector]") {
  const std::int64_t L = 8;
  // parallel n, innermost k, hoist: broadcast input (1) + L held accumulators = 9.
  CHECK(plan::vector_register_words({GemmLoop::n, {GemmLoop::m, GemmLoop::n, GemmLoop::k}, true}, L) == 1 + L);
  // parallel k, innermost k: nothing held but the tree's accumulator (1).
  CHECK(plan::vector_register_words({GemmLoop::k, {GemmLoop::m, GemmLoop::n, GemmLoop::k}, true}, L) == 1);
  // parallel m, innermost m: B broadcast and held (1) = 1.
  CHECK(plan::vector_register_words({GemmLoop::m, {GemmLoop::k, GemmLoop::n, GemmLoop::m}, true}, L) == 1);
  // parallel k, innermost n: A held (L lanes of k) = L.
  CHECK(plan::vector_register_words({GemmLoop::k, {GemmLoop::m, GemmLoop::k, GemmLoop::n}, true}, L) == L);
  CHECK(plan::vector_register_words({GemmLoop::n, {GemmLoop::m, GemmLoop::n, GemmLoop::k}, false}, L) == 0);
  CHECK(plan::all_vector_mappings().size() == 36);
}
