#pragma once
/// The post-processing unit: runs one non-GEMM graph operator (activation, pooling, element-wise
/// arithmetic, softmax, normalization, (re)quantization, concat, transpose) over the same DMA and
/// TLM-2.0 DRAM as the array (docs/graph.md, "Execution"). Its resident inputs are loaded once,
/// then each chunk of the plan (sim/plan/vector_op.hpp) is loaded into a half of the ifmap
/// scratchpad, computed by the lanes instruction by instruction, and stored from a half of the
/// output scratchpad; loads of the next chunk and stores of the previous one overlap the compute.
#include <cstdint>
#include <vector>

#include <systemc>

#include "models/ir/tensor.hpp"
#include "sim/config/arch_config.hpp"
#include "sim/hw/dma.hpp"
#include "sim/hw/recorder.hpp"
#include "sim/plan/vector_op.hpp"

namespace arraysim::hw {

class PostProcessor : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(PostProcessor);
  PostProcessor(sc_core::sc_module_name name, const config::ArchConfig& arch, Dma& dma, Recorder& rec,
                sc_core::sc_time period);

  /// Starts operator `p` at absolute cycle `base` (the recorder's current layer). Values fidelity:
  /// `inputs` (one per p.inputs, of their types) are placed in DRAM and the unit computes the
  /// output (hw::vector_op_values); null in timing fidelity.
  void start(const plan::VectorOpPlan& p, const std::vector<ir::Tensor>* inputs, std::int64_t base);
  /// The operator's last store is done (or it had no work).
  bool done() const { return done_; }
  /// Absolute cycle after its last cycle (base + total cycles).
  std::int64_t end_cycle() const { return end_; }
  /// Notified when the operator is done.
  const sc_core::sc_event& done_event() const { return done_event_; }
  /// Values fidelity: the output as it lies in DRAM, read back through the debug transport.
  ir::Tensor read_output();
  /// Non-empty when the operator could not run (the values function refused it).
  const std::string& error() const { return error_; }

 private:
  void run();
  /// The lanes' sequencer: the cycle after the last result of chunk `ch` started in cycle `from`.
  std::int64_t compute_chunk(std::int64_t from, const plan::VectorChunk& ch);
  void wait_until(std::int64_t cycle);
  Transfer move(bool write, std::int64_t addr, std::int64_t bytes, plan::Operand op);
  std::int64_t now() const;

  const config::ArchConfig& arch_;
  Dma& dma_;
  Recorder& rec_;
  sc_core::sc_time period_;
  const plan::VectorOpPlan* plan_ = nullptr;
  const std::vector<ir::Tensor>* inputs_ = nullptr;
  std::int64_t base_ = 0, end_ = 0;
  bool done_ = true;
  std::string error_;
  std::vector<std::int64_t> input_addr_;
  std::int64_t output_addr_ = 0;
  std::vector<unsigned char> shadow_;  ///< values: the DMA's copy of the bytes it moved
  sc_core::sc_event start_event_, done_event_;
};

}  // namespace arraysim::hw
