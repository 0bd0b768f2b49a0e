#include "sim/app/run_outputs.hpp"

#include <filesystem>
#include <stdexcept>

#include "sim/stats/plots.hpp"
#include "sim/stats/scalesim_report.hpp"
#include "sim/util/write_atomically.hpp"

namespace arraysim::app {
namespace fs = std::filesystem;

namespace {
bool exists(const std::string& p) {
  std::error_code ec;
  return !p.empty() && fs::exists(fs::symlink_status(p, ec));
}
}  // namespace

const std::vector<std::string>& run_dir_outputs() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> n{"effective_config.yaml", "stats.json", "layers.csv", "summary.txt",
                               "timeline.json",         "traces",     "report.html"};
    for (const std::string& p : stats::plot_file_names()) n.push_back(p);
    for (const std::string& p : stats::scalesim_report_names()) n.push_back(p);
    return n;
  }();
  return names;
}

std::string vcd_file(const std::string& vcd_path, bool rtl) {
  if (vcd_path.empty() || rtl) return vcd_path;
  const bool has_ext = vcd_path.size() > 4 && vcd_path.compare(vcd_path.size() - 4, 4, ".vcd") == 0;
  return has_ext ? vcd_path : vcd_path + ".vcd";
}

RunOutputs::RunOutputs(std::string out_dir, std::string timeline, std::string vcd, std::string tensors_dir)
    : out_dir_(std::move(out_dir)),
      timeline_(std::move(timeline)),
      vcd_(std::move(vcd)),
      tensors_dir_(std::move(tensors_dir)) {
  out_existed_ = exists(out_dir_);
  timeline_existed_ = exists(timeline_);
  vcd_existed_ = exists(vcd_);
  tensors_existed_ = exists(tensors_dir_);
}

void RunOutputs::check() const {
  if (!out_dir_.empty()) {
    std::error_code ec;
    if (out_existed_ && !fs::is_directory(out_dir_, ec))
      throw std::runtime_error("cannot write '" + out_dir_ + "': --out names an existing file, not a directory");
    if (out_existed_)
      for (const std::string& name : run_dir_outputs())
        if (name != "traces") util::output_target((fs::path(out_dir_) / name).string());
  }
  if (!timeline_.empty()) util::output_target(timeline_);
  if (!vcd_.empty()) util::output_target(vcd_);
  if (tensors_existed_) {
    std::error_code ec;
    if (!fs::is_directory(tensors_dir_, ec))
      throw std::runtime_error("cannot write '" + tensors_dir_ +
                               "': --dump-tensors names an existing file, not a directory");
    if (!fs::is_empty(tensors_dir_, ec))
      throw std::runtime_error("cannot write '" + tensors_dir_ +
                               "': --dump-tensors names a directory that is not empty (give a new or empty one)");
  }
}

void RunOutputs::remove_stale() {
  if (out_dir_.empty()) return;
  writing_ = true;
  std::error_code ec;
  fs::remove_all(fs::path(out_dir_) / "traces", ec);
  fs::remove(fs::path(out_dir_) / "timeline.json", ec);
  fs::remove(fs::path(out_dir_) / "report.html", ec);  // of an earlier `arraysim report --html`
  for (const std::string& p : stats::plot_file_names()) fs::remove(fs::path(out_dir_) / p, ec);
}

void RunOutputs::roll_back() const noexcept {
  std::error_code ec;
  if (!out_dir_.empty() && (writing_ || !out_existed_)) {
    if (!out_existed_) {
      fs::remove_all(out_dir_, ec);
    } else {
      for (const std::string& name : run_dir_outputs()) fs::remove_all(fs::path(out_dir_) / name, ec);
      util::remove_stale_temporaries(out_dir_);
    }
  }
  if (!timeline_.empty() && !timeline_existed_) fs::remove(timeline_, ec);
  if (!vcd_.empty() && !vcd_existed_) fs::remove(vcd_, ec);
  if (!tensors_dir_.empty() && !tensors_existed_) {
    fs::remove_all(tensors_dir_, ec);
  } else if (!tensors_dir_.empty()) {
    for (fs::directory_iterator it(tensors_dir_, ec), end; !ec && it != end; it.increment(ec))
      fs::remove_all(it->path(), ec);
  }
}

}  // namespace arraysim::app
