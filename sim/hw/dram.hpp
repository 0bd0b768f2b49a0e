#pragma once
/// The DRAM: a TLM-2.0 target (blocking transport, loosely timed) with a data bus of finite
/// bandwidth, a request-to-data latency and, for the banked presets, a row-buffer model
/// (docs/memory.md). It holds the real bytes of the layer's tensors.
#include <systemc>
#include <tlm>
#include <tlm_utils/simple_target_socket.h>

#include <cstdint>
#include <map>
#include <memory>
#include <vector>

#include "sim/config/arch_config.hpp"

namespace arraysim::hw {

/// What the DRAM reports about one transaction, in core cycles since the start of the simulation
/// (a TLM-2.0 extension: an external DRAM model bound instead need not set it).
struct DramTiming : tlm::tlm_extension<DramTiming> {
  double request_cycle = 0;  ///< when the request was issued (time stamp + annotated delay)
  double ready_cycle = 0;    ///< when its data could first cross the bus (request + row + latency)
  double start_cycle = 0;    ///< when its data started to cross the bus (ready, or later if the bus was busy)
  double done_cycle = 0;     ///< when its last byte crossed the bus
  enum class Row { none, hit, miss, conflict } row = Row::none;

  tlm::tlm_extension_base* clone() const override { return new DramTiming(*this); }
  void copy_from(const tlm::tlm_extension_base& other) override { *this = static_cast<const DramTiming&>(other); }
};

/// The DRAM target. Address map (banked models): row-interleaved, i.e. bytes [r·row_bytes,
/// (r+1)·row_bytes) form row r / banks of bank r mod banks, so a stream walks the banks.
/// Timing of a request of L bytes issued at cycle t:
///   ideal:   no time at all (ready = start = done = t);
///   simple:  ready = t + latency;
///   banked:  a row hit is ready at max(t, when the row opened) + latency; a miss or conflict opens
///            the row after the bank's last data left: ready = max(t, bank_free) + row_miss
///            (or row_conflict) + latency;
///   then the data occupy the bus for L / bytes_per_cycle cycles in the earliest idle gap at or
///   after `ready` (first fit, so requests annotated out of order do not block earlier ones).
///
/// Contents: bytes written through the debug transport (the inputs a run places in DRAM) or by
/// timed writes are kept and returned by later reads; the store grows to the highest address
/// written by debug transport. While nothing was ever written this way (timing fidelity), timed
/// requests carry no data and are only timed.
class Dram : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<Dram> socket;

  Dram(sc_core::sc_module_name name, const config::DramConfig& cfg, sc_core::sc_time period);

 private:
  void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
  unsigned int transport_dbg(tlm::tlm_generic_payload& trans);
  /// Earliest start ≥ `ready` of an idle bus gap of `duration` cycles; reserves it.
  double reserve_bus(double ready, double duration);

  config::DramConfig cfg_;
  sc_core::sc_time period_;
  std::vector<unsigned char> storage_;
  std::map<double, double> busy_;  ///< bus reservations: start -> end (cycles), merged when adjacent
  std::vector<std::int64_t> open_row_;
  std::vector<double> bank_free_;  ///< per bank: when its last data left the bus (cycles)
  std::vector<double> row_open_;   ///< per bank: when its open row became ready (cycles)
};

/// A memory target as the accelerator holds it: the module and the socket the DMA binds to.
struct DramTarget {
  std::unique_ptr<sc_core::sc_module> module;
  tlm::tlm_target_socket<>* socket = nullptr;
};

/// The DRAM target of `cfg.model` (the one switch over DRAM models), clocked with `period` (one
/// core cycle). Bind its socket to the DMA's.
DramTarget make_dram(const char* name, const config::DramConfig& cfg, sc_core::sc_time period);

/// Builds another TLM-2.0 memory target in place of make_dram (SimulateOptions::dram): the
/// module must answer b_transport (its annotated delay is the access time) and transport_dbg.
class DramFactory {
 public:
  virtual ~DramFactory() = default;
  virtual DramTarget make(const char* name, sc_core::sc_time period) = 0;
};

}  // namespace arraysim::hw
