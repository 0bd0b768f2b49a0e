/// The vector unit's int32 accumulators wrap around modulo 2^32 like the PE array's
/// (sim/hw/arith.hpp), and so equal the golden model, which sums exactly and keeps the low 32
/// bits. The sums overflow on purpose; the sanitizer build runs this case too, where an
/// overflowing signed addition would stop it (UBSan, halt_on_error).
#include <catch2/catch.hpp>

#include <vector>

#include "models/golden/golden.hpp"
#include "sim/config/experiment.hpp"
#include "sim/hw/accelerator.hpp"
#include "sim/plan/plan.hpp"

using namespace arraysim;

TEST_CASE("vector unit int32 accumulators wrap around exactly like the golden model", "[hw][vector]") {
  const config::Experiment e = config::load_experiment_text(R"(
name: vector_wrap
arch:
  array: {type: vector, lanes: 4, input_dtype: int8}
  dram: {model: ideal}
workload:
  layers:
    - {name: g, type: gemm, m: 1, n: 4, k: 140000}
sim: {fidelity: values}
)",
                                                            "vector_wrap.yaml", ".");
  REQUIRE(e.arch.array.accumulator_dtype == ir::DType::int32);

  // C[1][4] = A[1][K] · B[K][4] with K = 140000 and A = -128 everywhere; 2^31 = 2147483648.
  constexpr std::int64_t K = 140000;
  const ir::Layer& layer = e.workload.layers[0];
  ir::LayerOperands ops{ir::Tensor(ir::DType::int8, {1, K}), ir::Tensor(ir::DType::int8, {K, 4})};
  for (std::int64_t k = 0; k < K; ++k) {
    ops.input.set_i64(k, -128);
    ops.weight.set_i64(k * 4 + 0, -128);                 // each product 16384
    ops.weight.set_i64(k * 4 + 1, 127);                  // each product -16256
    ops.weight.set_i64(k * 4 + 2, k % 2 ? -127 : -128);  // products 16384, 16256 alternating
    ops.weight.set_i64(k * 4 + 3, 1);                    // each product -128: no overflow
  }
  // Exact sums, then modulo 2^32 into [-2^31, 2^31):
  //   140000·16384 = 2293760000 → 2293760000 − 4294967296 = −2001207296
  //   140000·(−16256) = −2275840000 → −2275840000 + 4294967296 = 2019127296
  //   70000·(16384 + 16256) = 2284800000 → 2284800000 − 4294967296 = −2010167296
  //   140000·(−128) = −17920000
  const std::vector<std::int64_t> expected{-2001207296, 2019127296, -2010167296, -17920000};
  const ir::Tensor golden = golden::gemm(ops.input, ops.weight, ir::DType::int32);
  for (std::int64_t n = 0; n < 4; ++n) CHECK(golden.get_i64(n) == expected[static_cast<std::size_t>(n)]);

  // Every way the lanes sum: lane accumulators held over k (parallel n, k innermost, hoist), the
  // output word updated per step (parallel n, n innermost, no hoist), and the adder tree across
  // the lanes into a held accumulator (parallel k, hoist) or into the output word (no hoist).
  // Tiles of 4096 k: 35 tiles, each after the first accumulating onto the partial sums stored.
  using config::GemmLoop;
  const std::vector<config::VectorMapping> mappings{{GemmLoop::n, {GemmLoop::m, GemmLoop::n, GemmLoop::k}, true},
                                                    {GemmLoop::n, {GemmLoop::m, GemmLoop::k, GemmLoop::n}, false},
                                                    {GemmLoop::k, {GemmLoop::m, GemmLoop::n, GemmLoop::k}, true},
                                                    {GemmLoop::k, {GemmLoop::m, GemmLoop::n, GemmLoop::k}, false}};
  const plan::SlotCounts slots{e.arch.ifmap.double_buffered ? 2 : 1, e.arch.weight.double_buffered ? 2 : 1,
                               e.arch.output.double_buffered ? 2 : 1};
  std::vector<plan::LayerPlan> plans;
  for (const config::VectorMapping& m : mappings) {
    plan::LayerPlan p;
    p.layer = layer;
    p.layer.name = "g" + std::to_string(plans.size());
    p.dims = ir::gemm_dims(layer);
    p.vector = true;
    p.schedule = plan::make_vector_schedule(p.dims, plan::TileShape{1, 4, 4096}, slots);
    p.vector_mapping = m;
    p.vector_folds = plan::count_vector_schedule(m, plan::vector_unit_shape(e.arch), p.schedule);
    plans.push_back(std::move(p));
  }
  REQUIRE(plans[0].schedule.tiles.size() == 35);  // ⌈140000 / 4096⌉
  std::vector<hw::LayerProgram> programs;
  for (const plan::LayerPlan& p : plans) programs.push_back({&p, &ops});

  const std::vector<hw::LayerCounters> counters = hw::simulate(e.arch, programs, hw::SimulateOptions{});
  REQUIRE(counters.size() == mappings.size());
  for (std::size_t i = 0; i < counters.size(); ++i) {
    INFO(config::to_string(mappings[i]));
    const ir::Tensor& out = counters[i].output;
    REQUIRE(out.dtype() == ir::DType::int32);
    REQUIRE(out.shape() == ir::Shape{1, 4});
    for (std::int64_t n = 0; n < 4; ++n) CHECK(out.get_i64(n) == expected[static_cast<std::size_t>(n)]);
  }
}
