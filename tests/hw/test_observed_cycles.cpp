/// In values fidelity the cycle count comes from the hardware model, not from the fold
/// recurrence: an array whose results leave through D extra register stages (the same PEs, the
/// same valid bits, D cycles later) makes a values run exactly D cycles longer than the closed
/// form, while its outputs stay bit-exact. The recurrence (timing fidelity) knows nothing of the
/// extra stages, so this difference is what makes "timing equals values" a comparison of two
/// independent things.
/// Each TEST_CASE elaborates its own accelerator (one process per case under ctest).
#include <catch2/catch.hpp>

#include <cstring>
#include <deque>
#include <memory>
#include <vector>

#include <fmt/format.h>

#include "models/analytic/systolic.hpp"
#include "models/golden/golden.hpp"
#include "sim/config/experiment.hpp"
#include "sim/hw/accelerator.hpp"
#include "sim/hw/pe_array.hpp"
#include "sim/plan/plan.hpp"

using namespace arraysim;

namespace {

/// The SystemC array with `delay` more register stages on its bottom edge (values and valid bits).
class DelayedOutputs final : public hw::PeArray<std::int8_t, std::int32_t> {
 public:
  DelayedOutputs(sc_core::sc_module_name n, std::int64_t rows, std::int64_t cols, hw::ArrayMode mode, int delay)
      : hw::PeArray<std::int8_t, std::int32_t>(n, rows, cols, mode), inner_("inner", rows, cols, mode), delay_(delay) {}
  void reset() override {
    inner_.reset();
    stages_.assign(static_cast<std::size_t>(delay_),
                   Stage{std::vector<std::int32_t>(cols_, 0), std::vector<std::uint8_t>(cols_, 0)});
  }
  void step(const hw::ArrayIn<std::int8_t>& in, hw::ArrayOut<std::int32_t>& out) override {
    hw::ArrayOut<std::int32_t> now;
    inner_.step(in, now);
    stages_.push_back(Stage{std::vector<std::int32_t>(now.bottom, now.bottom + cols_),
                            std::vector<std::uint8_t>(now.valid, now.valid + cols_)});
    leaving_ = std::move(stages_.front());
    stages_.pop_front();
    out.bottom = leaving_.bottom.data();
    out.valid = leaving_.valid.data();
  }
  bool accepts_fold() const override { return inner_.accepts_fold(); }
  bool loading() const override { return inner_.loading(); }

 private:
  struct Stage {
    std::vector<std::int32_t> bottom;
    std::vector<std::uint8_t> valid;
  };
  hw::SystolicArray<std::int8_t, std::int32_t> inner_;
  int delay_;
  std::deque<Stage> stages_;
  Stage leaving_;
};

struct DelayedFactory : hw::PeArrayFactory {
  int delay;
  explicit DelayedFactory(int d) : delay(d) {}
  std::unique_ptr<hw::PeArray<std::int8_t, std::int32_t>> make(const char* name, std::int64_t rows, std::int64_t cols,
                                                               hw::ArrayMode mode, sc_core::sc_time) override {
    return std::make_unique<DelayedOutputs>(name, rows, cols, mode, delay);
  }
};

void check_delayed(const std::string& df, analytic::Dataflow adf) {
  // 4x4 array, GEMM M=8 N=8 K=16 in one scratchpad tile, ideal memory: several folds, each
  // emitting its results 3 cycles late; the next fold's start depends on the PEs, not on the
  // outputs, so only the layer's last output moves: total = closed form + 3.
  const config::Experiment e = config::load_experiment_text(
      fmt::format(
          "arch:\n  name: t\n  array: {{rows: 4, cols: 4, dataflow: {}, input_dtype: int8}}\n"
          "  dram: {{model: ideal}}\nworkload:\n  seed: 9\n  layers:\n    - {{type: gemm, m: 8, n: 8, k: 16}}\n",
          df),
      "delay.yaml", ".");
  const plan::ExperimentPlan p = plan::make_plan(e, {});
  REQUIRE(p.layers[0].schedule.tiles.size() == 1);
  const ir::LayerOperands ops = ir::make_operands(p.layers[0].layer, 0, 9, ir::DType::int8, ir::DType::int8);
  hw::SimulateOptions so;
  so.fidelity = config::Fidelity::values;
  so.array = std::make_shared<DelayedFactory>(3);
  const std::vector<hw::LayerCounters> c = hw::simulate(e.arch, {hw::LayerProgram{&p.layers[0], &ops}}, so);
  const std::int64_t closed = analytic::systolic_cycles(adf, 4, 4, {8, 8, 16, 1}).total_cycles;
  CHECK(c[0].total_cycles == closed + 3);
  CHECK(c[0].stall_cycles == 0);
  const ir::Tensor golden = golden::run_layer(p.layers[0].layer, ops, ir::DType::int32);
  REQUIRE(c[0].output.size_bytes() == golden.size_bytes());
  CHECK(std::memcmp(c[0].output.raw_bytes(), golden.raw_bytes(), golden.size_bytes()) == 0);
}

}  // namespace

TEST_CASE("values fidelity observes the array: three extra output stages make an os layer three cycles longer",
          "[hw][systolic]") {
  check_delayed("os", analytic::Dataflow::os);
}

TEST_CASE("values fidelity observes the array: three extra output stages make a ws layer three cycles longer",
          "[hw][systolic]") {
  check_delayed("ws", analytic::Dataflow::ws);
}
