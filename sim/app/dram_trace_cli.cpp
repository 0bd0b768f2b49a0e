#include "sim/app/dram_trace_cli.hpp"

#include <iostream>

#include "sim/config/diagnostics.hpp"
#include "sim/config/experiment.hpp"
#include "sim/hw/dram_trace.hpp"
#include "sim/io/dram_trace_reader.hpp"
#include "sim/stats/report.hpp"

namespace arraysim::app {

void add_dram_trace_command(CLI::App& app, DramTraceCommand& c) {
  c.command = app.add_subcommand("dram-trace",
                                 "Replay a DRAM address trace (Ramulator LD/ST, DRAMSys .stl or arraysim's "
                                 "traces/dram.csv) through the configured DRAM model alone");
  c.command->add_option("--arch", c.arch_file, "Architecture file whose arch.dram is a banked model")->required();
  c.command->add_option("trace", c.trace_file, "The trace file")->required();
  c.command->add_option("--out", c.out_dir, "Directory for dram_trace.json");
  c.command->add_option("--set", c.sets, "Override an architecture value: key.path=value (repeatable)")->take_all();
}

int run_dram_trace_command(const DramTraceCommand& c) {
  try {
    const config::ArchConfig arch = config::load_arch(c.arch_file, c.sets, /*banked_dram=*/true);
    const io::DramTrace trace = io::read_dram_trace(c.trace_file);
    const hw::DramTraceResult r = hw::replay_dram_trace(arch, trace);
    std::cout << hw::to_text(r);
    if (!c.out_dir.empty()) {
      stats::write_files(c.out_dir, {{"dram_trace.json", hw::to_json(r)}});
      std::cout << "wrote " << c.out_dir << "/dram_trace.json\n";
    }
    return 0;
  } catch (const config::ConfigError& e) {
    std::cerr << e.what() << "\n";
  } catch (const io::DramTraceError& e) {
    std::cerr << "arraysim: " << e.what() << "\n";
  } catch (const std::invalid_argument& e) {
    std::cerr << "arraysim: " << c.arch_file << ": " << e.what() << "\n";
  }
  return 2;
}

}  // namespace arraysim::app
