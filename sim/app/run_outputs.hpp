#pragma once
/// The files one `arraysim run` (or `cosim`) writes besides its standard output: the --out
/// directory, the --timeline file and the --vcd waveform (docs/outputs.md). Their paths are
/// checked before anything is simulated, and when writing any of them fails (or the run fails
/// after the waveform was opened) everything the run wrote is removed again: no half-written run
/// directory is left behind.
#include <string>
#include <vector>

namespace arraysim::app {

/// The names `arraysim run --out DIR` may write directly in DIR ("traces" is a directory).
const std::vector<std::string>& run_dir_outputs();

/// The waveform file `--vcd PATH` writes: PATH for the Verilated array (`rtl`: impl rtl or
/// cosim), else PATH with ".vcd" appended unless it ends so (SystemC's VCD writer appends it).
std::string vcd_file(const std::string& vcd_path, bool rtl);

class RunOutputs {
 public:
  /// `out_dir`, `timeline`, `vcd` and `tensors_dir` (--dump-tensors) may be empty (not written).
  /// Remembers which of them exist.
  RunOutputs(std::string out_dir, std::string timeline, std::string vcd, std::string tensors_dir = "");
  /// Throws std::runtime_error "cannot write 'PATH': REASON" when an output could not be written:
  /// --out exists but is not a directory; an output is not a regular file or a new path, or is an
  /// input of this run (util::output_target); the --dump-tensors directory exists and is not an
  /// empty directory.
  void check() const;
  /// Removes the outputs of an earlier run in the --out directory that this run does not replace
  /// (plots, timeline.json, traces/): called just before the run writes its files.
  void remove_stale();
  /// Removes what this run wrote: the --out directory when the run created it, else (once
  /// remove_stale() ran) the run's files in it; the --timeline and --vcd files when the run
  /// created them; the --dump-tensors directory when the run created it, else its content (it
  /// was empty). Never throws.
  void roll_back() const noexcept;

 private:
  std::string out_dir_, timeline_, vcd_, tensors_dir_;
  bool out_existed_ = false, timeline_existed_ = false, vcd_existed_ = false, tensors_existed_ = false;
  bool writing_ = false;  ///< the run has started to write into the --out directory
};

}  // namespace arraysim::app
