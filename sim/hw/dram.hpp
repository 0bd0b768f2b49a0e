#pragma once
/// The DRAM targets (TLM-2.0, blocking transport, loosely timed; docs/memory.md): `Dram` for the
/// ideal and simple models (a data bus of finite bandwidth and a request-to-data latency) and
/// `BankedDram` for the device presets (a memory controller with banks, JEDEC timing, refresh and
/// FR-FCFS, sim/hw/dram_controller.hpp). Both hold the real bytes of the layer's tensors.
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

#include <cstdint>
#include <map>
#include <memory>
#include <vector>

#include "sim/config/arch_config.hpp"
#include "sim/hw/dram_controller.hpp"

namespace arraysim::hw {

/// What the DRAM reports about one transaction, in core cycles since the start of the simulation
/// (a TLM-2.0 extension: an external DRAM model bound instead need not set it).
struct DramTiming : tlm::tlm_extension<DramTiming> {
  double request_cycle = 0;  ///< when the request was issued (time stamp + annotated delay)
  double ready_cycle = 0;    ///< when its data could first cross the bus (request + row + latency)
  double start_cycle = 0;    ///< when its data started to cross the bus (ready, or later if the bus was busy)
  double done_cycle = 0;     ///< when its last byte crossed the bus
  enum class Row { none, hit, miss, conflict } row = Row::none;
  /// Banked models: DRAM clock cycles of the request's arrival at the controller and of the end
  /// of its data (−1 otherwise), and the REF commands the controller issued while scheduling it
  /// (counted with the first burst of a transfer).
  std::int64_t arrival_tck = -1, data_end_tck = -1, refreshes = 0;

  tlm::tlm_extension_base* clone() const override { return new DramTiming(*this); }
  void copy_from(const tlm::tlm_extension_base& other) override { *this = static_cast<const DramTiming&>(other); }
};

/// The bursts of one DMA transfer, announced with each of its bursts (a TLM-2.0 extension): a
/// banked DRAM schedules the whole transfer through its request queue when the first burst
/// (index 0) arrives and answers every burst from that schedule. A target that ignores it serves
/// each burst on its own.
struct DramBatch : tlm::tlm_extension<DramBatch> {
  struct Burst {
    std::uint64_t addr = 0;
    bool write = false;
  };
  const std::vector<Burst>* bursts = nullptr;  ///< every burst of the transfer, in issue order
  std::size_t index = 0;                       ///< this payload's burst in `bursts`

  tlm::tlm_extension_base* clone() const override { return new DramBatch(*this); }
  void copy_from(const tlm::tlm_extension_base& other) override { *this = static_cast<const DramBatch&>(other); }
};

/// The bytes of a DRAM: written by the debug transport (the inputs a run places in DRAM) and by
/// timed writes (honouring byte enables), returned by reads; the store grows to the highest
/// address written by debug transport. While nothing was written that way (timing fidelity),
/// timed requests carry no data.
class DramStorage {
 public:
  /// transport_dbg: the bytes moved.
  unsigned int debug(tlm::tlm_generic_payload& trans);
  /// The data of a timed request; false (an address error) when it lies outside the store.
  bool access(tlm::tlm_generic_payload& trans);

 private:
  std::vector<unsigned char> bytes_;
};

/// The ideal and simple DRAM target. Timing of a request of L bytes issued at cycle t:
///   ideal:   no time at all (ready = start = done = t);
///   simple:  ready = t + latency; then the data occupy the bus for L / bytes_per_cycle cycles
///            in the earliest idle gap at or after `ready` (first fit, so requests annotated out
///            of order do not block earlier ones).
class Dram : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<Dram> socket;

  Dram(sc_core::sc_module_name name, const config::DramConfig& cfg, sc_core::sc_time period);

 private:
  void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
  unsigned int transport_dbg(tlm::tlm_generic_payload& trans) { return storage_.debug(trans); }
  /// Earliest start ≥ `ready` of an idle bus gap of `duration` cycles; reserves it.
  double reserve_bus(double ready, double duration);

  config::DramConfig cfg_;
  sc_core::sc_time period_;
  DramStorage storage_;
  std::map<double, double> busy_;  ///< bus reservations: start -> end (cycles), merged when adjacent
};

/// The banked DRAM target (ddr4_3200, lpddr4_3200, hbm2): every request goes through the memory
/// controller (DramController) in DRAM clocks. A request annotated at core cycle t arrives at the
/// controller in the first DRAM clock at or after t + latency_cycles; its data times come back in
/// core cycles. The bursts of a transfer announced by a DramBatch are scheduled together (the
/// queue holds up to queue_depth of them, and FR-FCFS reorders within it); transfers are scheduled
/// in the order their first bursts arrive.
class BankedDram : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<BankedDram> socket;

  BankedDram(sc_core::sc_module_name name, const config::DramConfig& cfg, double clock_mhz, sc_core::sc_time period);
  const DramController& controller() const { return ctrl_; }

 private:
  void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
  unsigned int transport_dbg(tlm::tlm_generic_payload& trans) { return storage_.debug(trans); }

  config::DramConfig cfg_;
  double tck_cycles_;  ///< core cycles per DRAM clock
  sc_core::sc_time period_;
  DramStorage storage_;
  DramController ctrl_;
  std::vector<DramRequest> batch_;  ///< the schedule of the current transfer
  std::int64_t batch_refreshes_ = 0;
};

/// A memory target as the accelerator holds it: the module and the socket the DMA binds to.
struct DramTarget {
  std::unique_ptr<sc_core::sc_module> module;
  tlm::tlm_target_socket<>* socket = nullptr;
};

/// The DRAM target of `cfg.model` (the one switch over DRAM models), clocked with `period` (one
/// core cycle of `clock_mhz`). Bind its socket to the DMA's.
DramTarget make_dram(const char* name, const config::DramConfig& cfg, double clock_mhz, sc_core::sc_time period);

/// Builds another TLM-2.0 memory target in place of make_dram (SimulateOptions::dram): the
/// module must answer b_transport (its annotated delay is the access time) and transport_dbg.
class DramFactory {
 public:
  virtual ~DramFactory() = default;
  virtual DramTarget make(const char* name, sc_core::sc_time period) = 0;
};

}  // namespace arraysim::hw
