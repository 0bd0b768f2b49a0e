/// Configuration error handling: every file in tests/data/bad_configs/ must fail with exactly the
/// expected `FILE:LINE:COL key.path: message` lines; the CLI must exit 2 without writing outputs;
/// good configurations (paths or inline, shorthands, --set, the examples in configs/) must load and
/// round-trip; and thousands of mutated experiment texts may only ever raise ConfigError.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <random>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <unistd.h>
#include <vector>
#include <yaml-cpp/yaml.h>

#include "sim/config/diagnostics.hpp"
#include "sim/config/experiment.hpp"
#include "tests/support.hpp"

using namespace arraysim;
namespace fs = std::filesystem;

namespace {

/// The directory of the bad configurations, with a trailing slash.
std::string bad_dir() { return test::src_path("tests/data/bad_configs/"); }

std::string slurp(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> split_lines(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

/// The error lines of loading `path`; fails the test when it loads or throws anything else.
std::vector<std::string> load_errors(const std::string& path, const std::vector<std::string>& overrides = {}) {
  try {
    config::load_experiment(path, overrides);
  } catch (const config::ConfigError& e) {
    std::vector<std::string> lines;
    for (const auto& i : e.issues()) lines.push_back(i.str());
    CHECK(split_lines(e.what()) == lines);  // what() is exactly the issues, one per line
    return lines;
  }
  FAIL("no ConfigError for " << path);
  return {};
}

/// One bad file and its full expected error output. Lines name files relative to bad_configs/
/// and "{D}" stands for that directory where a message quotes a path.
struct BadCase {
  std::string file;
  std::vector<std::string> lines;
};

std::string expand(const std::string& line) {
  std::string s = bad_dir() + line;
  for (std::size_t p; (p = s.find("{D}")) != std::string::npos;) s.replace(p, 3, bad_dir());
  return s;
}

std::set<std::string>& covered() {
  static std::set<std::string> files;
  return files;
}

void check_cases(const std::vector<BadCase>& cases) {
  for (const auto& c : cases) {
    covered().insert(c.file);
    std::vector<std::string> expected;
    for (const auto& l : c.lines) expected.push_back(expand(l));
    INFO("file: " << c.file);
    CHECK(load_errors(bad_dir() + c.file) == expected);
  }
}

const std::vector<BadCase> kUnknownKeys{
    {"unknown_key_top.yaml", {"unknown_key_top.yaml:4:1 simm: unknown key (did you mean 'sim'?)"}},
    {"unknown_key_arch.yaml", {"unknown_key_arch.yaml:3:3 arch.clock_mhx: unknown key (did you mean 'clock_mhz'?)"}},
    // The typo also explains the missing `cols`: only the typo is reported.
    {"unknown_key_array.yaml", {"unknown_key_array.yaml:5:5 arch.array.colums: unknown key (did you mean 'cols'?)"}},
    {"unknown_key_scratchpad_ifmap.yaml",
     {"unknown_key_scratchpad_ifmap.yaml:7:7 arch.scratchpad.ifmap.bank: unknown key (did you mean 'banks'?)"}},
    {"unknown_key_dram.yaml",
     {"unknown_key_dram.yaml:6:5 arch.dram.latency_cycle: unknown key (did you mean 'latency_cycles'?)"}},
    {"unknown_key_sim.yaml", {"unknown_key_sim.yaml:5:3 sim.fidelty: unknown key (did you mean 'fidelity'?)"}},
    {"unknown_key_layer.yaml",
     {"unknown_key_layer.yaml:10:7 workload.layers.0.out_chanels: unknown key for a layer of type conv2d (did you "
      "mean 'out_channels'?)"}},
    {"unknown_key_no_match.yaml",
     {"unknown_key_no_match.yaml:4:3 arch.frobnicate: unknown key; expected one of: array, clock_mhz, dram, energy, "
      "lowering, mapping, name, post_processor, scratchpad"}},
    {"unknown_key_in_referenced_arch.yaml",
     {"parts/bad_arch_unknown_key.yaml:5:3 arch.array.dataflw: unknown key (did you mean 'dataflow'?)"}},
    {"duplicate_key.yaml", {"duplicate_key.yaml:6:5 arch.array.rows: duplicate key (first given on line 4)"}},
};

const std::vector<BadCase> kMissingKeys{
    {"missing_rows.yaml", {"missing_rows.yaml:4:5 arch.array.rows: missing required key (an integer)"}},
    {"missing_layers.yaml", {"missing_layers.yaml:4:3 workload.layers: missing required key (a list)"}},
    {"missing_layer_type.yaml",
     {"missing_layer_type.yaml:5:7 workload.layers.0.type: missing required key (one of gemm|fc|conv2d)"}},
    {"missing_in_channels.yaml",
     {"missing_in_channels.yaml:5:7 workload.layers.0.in_channels: missing required key (an integer)"}},
    {"missing_kernel.yaml",
     {"missing_kernel.yaml:5:7 workload.layers.0.kernel: missing required key (an integer or [height, width]; or "
      "'kernel_h' and 'kernel_w')"}},
    {"missing_arch.yaml",
     {"missing_arch.yaml:2:1 arch: missing required key (a path to an architecture file or an inline mapping)"}},
    {"arch_no_value.yaml",
     {"arch_no_value.yaml:2:1 arch: has no value; expected a path to an architecture file or an inline mapping"}},
};

const std::vector<BadCase> kWrongTypes{
    {"type_string_for_int.yaml", {"type_string_for_int.yaml:4:11 arch.array.rows: expected an integer, got 'eight'"}},
    {"type_list_for_int.yaml", {"type_list_for_int.yaml:5:11 arch.array.cols: expected an integer, got a list"}},
    {"type_mapping_for_scalar.yaml",
     {"type_mapping_for_scalar.yaml:6:15 arch.array.dataflow: expected one of os|ws|is, got a mapping"}},
    {"type_bool_maybe.yaml", {"type_bool_maybe.yaml:5:17 sim.check_golden: expected true or false, got 'maybe'"}},
    {"type_float_for_int.yaml", {"type_float_for_int.yaml:5:32 workload.layers.0.m: expected an integer, got '4.5'"}},
    {"type_arch_scalar_number.yaml",
     {"type_arch_scalar_number.yaml:2:7 arch: cannot read '{D}42': No such file or directory"}},
    {"type_section_is_list.yaml", {"type_section_is_list.yaml:4:9 arch.dram: expected a mapping of keys, got a list"}},
};

const std::vector<BadCase> kOutOfRange{
    {"range_rows_zero.yaml", {"range_rows_zero.yaml:3:17 arch.array.rows: must be in 1..4096, got 0"}},
    {"range_rows_5000.yaml", {"range_rows_5000.yaml:3:17 arch.array.rows: must be in 1..4096, got 5000"}},
    {"range_negative_padding.yaml",
     {"range_negative_padding.yaml:6:17 workload.layers.0.padding: must be in 0..2^40 (1099511627776), got -1"}},
    {"range_latency_negative.yaml",
     {"range_latency_negative.yaml:5:21 arch.dram.latency_cycles: must be in 0..1000000, got -1"}},
    {"range_size_kib_zero.yaml",
     {"range_size_kib_zero.yaml:5:23 arch.scratchpad.ifmap.size_kib: must be in 0.0009765625..1048576, got 0"}},
    {"range_size_kib_negative.yaml",
     {"range_size_kib_negative.yaml:5:24 arch.scratchpad.output.size_kib: must be in 0.0009765625..1048576, got -16"}},
    {"range_bandwidth_zero.yaml",
     {"range_bandwidth_zero.yaml:4:42 arch.dram.bytes_per_cycle: must be in 0.0009765625..1048576, got 0"}},
    {"range_burst_bytes_48.yaml",
     {"range_burst_bytes_48.yaml:4:23 arch.dram.burst_bytes: must be a power of two, got 48"}},
    {"range_word_bytes_3.yaml",
     {"range_word_bytes_3.yaml:6:19 arch.scratchpad.weight.word_bytes: must be a power of two, got 3"}},
    {"range_huge_number.yaml",
     {"range_huge_number.yaml:5:32 workload.layers.0.m: expected an integer, got '99999999999999999999999'"}},
    {"range_fraction.yaml",
     {"range_fraction.yaml:5:23 arch.scratchpad.ifmap.size_kib: must be in "
      "0.0009765625..1048576, got 0"}},
    {"range_layer_too_large.yaml",
     {"range_layer_too_large.yaml:5:7 workload.layers.0: too large to simulate: 8e+12 multiply-accumulates (at "
      "most 2^40)"}},
};

const std::vector<BadCase> kBadChoices{
    {"choice_dram_model.yaml",
     {"choice_dram_model.yaml:4:17 arch.dram.model: 'ddr5' is not one of ideal|simple|ddr4_3200|lpddr4_3200|hbm2"}},
    {"choice_lowering.yaml",
     {"choice_lowering.yaml:4:13 arch.lowering: 'toeplitz' is not one of implicit|explicit|winograd_f2|winograd_f4"}},
    {"choice_dataflow_xs.yaml",
     {"choice_dataflow_xs.yaml:3:39 arch.array.dataflow: 'xs' is not one of os|ws|is (did you mean 'os'?)"}},
    {"choice_dtype_int9.yaml",
     {"choice_dtype_int9.yaml:6:18 arch.array.input_dtype: 'int9' is not one of "
      "int8|int16|int32|fp32|bf16|fp16|fp8_e4m3|fp8_e5m2 "
      "(did you mean 'int8'?)"}},
    // An unknown type hides the type-specific checks: no missing m/n/k, no unknown in_channels.
    {"choice_layer_type_conv3d.yaml",
     {"choice_layer_type_conv3d.yaml:5:24 workload.layers.0.type: 'conv3d' is not one of gemm|fc|conv2d (did you "
      "mean 'conv2d'?)"}},
};

const std::vector<BadCase> kCrossField{
    {"cross_banks_not_pow2.yaml",
     {"cross_banks_not_pow2.yaml:5:21 arch.scratchpad.weight.banks: must be a power of two (bank = word address mod "
      "banks), got 3"}},
    // 16 columns x 4-byte accumulators = 64 bytes per cycle leave the array.
    {"cross_banks_cannot_feed_edge.yaml",
     {"cross_banks_cannot_feed_edge.yaml:5:21 arch.scratchpad.output.banks: 1 bank(s) x 1 read port(s) x 16 bytes = "
      "16 bytes per cycle cannot feed the array edge, which needs 64 bytes per cycle; raise banks, read_ports or "
      "word_bytes"}},
    // DDR4: 4 bank groups, 4 banks, 8192 / 64 = 128 bursts per row: 2 bg, 2 ba and 7 co bits.
    {"cross_dram_address_mapping_bits.yaml",
     {"cross_dram_address_mapping_bits.yaml:4:45 arch.dram.address_mapping: this organisation needs 2 x bg (got 1), "
      "2 x ba (got 0), 7 x co (got 1); every bit above the list selects the row"}},
    {"removed_dram_banks.yaml",
     {"removed_dram_banks.yaml:4:35 arch.dram.banks: is no longer a key; the banked models take bank_groups x "
      "banks_per_group"}},
    {"cross_row_bytes_on_simple.yaml",
     {"cross_row_bytes_on_simple.yaml:4:36 arch.dram.row_bytes: only with a banked model (ddr4_3200, lpddr4_3200, "
      "hbm2); model simple has no banks"}},
    {"cross_kernel_larger_than_padded_input.yaml",
     {"cross_kernel_larger_than_padded_input.yaml:11:15 workload.layers.0.kernel: dilated kernel height 7 exceeds "
      "padded input height 6",
      "cross_kernel_larger_than_padded_input.yaml:11:15 workload.layers.0.kernel: dilated kernel width 7 exceeds "
      "padded input width 6"}},
    {"cross_dilated_kernel_larger_than_input.yaml",
     {"cross_dilated_kernel_larger_than_input.yaml:11:15 workload.layers.0.kernel: dilated kernel height 9 exceeds "
      "padded input height 8"}},
    {"cross_groups_in_channels.yaml",
     {"cross_groups_in_channels.yaml:12:15 workload.layers.0.groups: groups (4) must divide in_channels (6)"}},
    {"cross_groups_out_channels.yaml",
     {"cross_groups_out_channels.yaml:12:15 workload.layers.0.groups: groups (8) must divide out_channels (12)"}},
    {"cross_zero_stride.yaml",
     {"cross_zero_stride.yaml:6:20 workload.layers.0.stride.1: must be in 1..2^40 (1099511627776), got 0"}},
    {"cross_stride_twice.yaml",
     {"cross_stride_twice.yaml:12:15 workload.layers.0.stride: give either 'stride' or 'stride_h'/'stride_w', not "
      "both"}},
    {"cross_padding_three_values.yaml",
     {"cross_padding_three_values.yaml:12:16 workload.layers.0.padding: expected 1 value (all sides), 2 ([vertical, "
      "horizontal]) or 4 ([top, bottom, left, right]), got 3"}},
    {"cross_int8_with_fp32_weights.yaml",
     {"cross_int8_with_fp32_weights.yaml:7:19 arch.array.weight_dtype: must be int8, int16 or int32 to match "
      "input_dtype int8"}},
    {"cross_bf16_int32_accumulator.yaml",
     {"cross_bf16_int32_accumulator.yaml:7:24 arch.array.accumulator_dtype: must be fp32 for input_dtype bf16"}},
    {"cross_fp8_with_int8_weights.yaml",
     {"cross_fp8_with_int8_weights.yaml:7:19 arch.array.weight_dtype: must be fp32, bf16, fp16, fp8_e4m3 or fp8_e5m2 "
      "to match input_dtype fp8_e4m3"}},
    {"cross_accumulator_too_narrow.yaml",
     {"cross_accumulator_too_narrow.yaml:7:24 arch.array.accumulator_dtype: int32 cannot hold an exact int16xint16 "
      "dot product; use int64"}},
    {"cross_lanes_on_systolic.yaml",
     {"cross_lanes_on_systolic.yaml:7:12 arch.array.lanes: only meaningful for type: vector (this array is "
      "systolic)"}},
    {"cross_fault_pe_outside_array.yaml",
     {"cross_fault_pe_outside_array.yaml:5:19 sim.fault_stuck_pe: PE [0, 4] is outside the 4x4 array"}},
    {"cross_rows_on_vector.yaml",
     {"cross_rows_on_vector.yaml:6:11 arch.array.rows: only meaningful for type: systolic (this array is vector)"}},
    {"duplicate_layer_names.yaml",
     {"duplicate_layer_names.yaml:7:14 workload.layers.2.name: duplicate layer name 'a' (also layer 0)"}},
    {"empty_layers.yaml", {"empty_layers.yaml:5:11 workload.layers: needs at least one layer"}},
    {"empty_layer_entry.yaml",
     {"empty_layer_entry.yaml:6:5 workload.layers.0: empty list entry; expected a layer mapping"}},
};

const std::vector<BadCase> kFilesAndSyntax{
    {"arch_missing_file.yaml",
     {"arch_missing_file.yaml:2:7 arch: cannot read '{D}parts/no_such_arch.yaml': No such file or directory"}},
    {"arch_is_directory.yaml", {"arch_is_directory.yaml:2:7 arch: cannot read '{D}parts': is a directory, not a file"}},
    {"arch_file_is_list.yaml", {"parts/bad_arch_list.yaml:1:1 arch: expected a mapping of keys, got a list"}},
    {"arch_file_empty.yaml", {"parts/bad_empty.yaml:1:1 arch: file is empty; expected a mapping"}},
    {"workload_file_not_yaml.yaml",
     {"parts/bad_workload_not_yaml.yaml:4:1 workload: not valid YAML: end of map flow not found"}},
    {"not_yaml_brackets.yaml", {"not_yaml_brackets.yaml:2:1 (yaml): not valid YAML: end of map flow not found"}},
    {"not_yaml_tabs.yaml", {"not_yaml_tabs.yaml:2:7 (yaml): not valid YAML: illegal map value"}},
    // Its first byte that is not UTF-8 is 0xb0, the 25th byte of the first line.
    {"not_yaml_binary.yaml",
     {"not_yaml_binary.yaml:1:25 (yaml): not valid UTF-8 (byte 0xb0); arraysim reads YAML files encoded as UTF-8"}},
    {"empty_file.yaml",
     {"empty_file.yaml:1:1 (top-level): file is empty; expected a mapping with arch, workload and sim"}},
    {"comment_only.yaml",
     {"comment_only.yaml:1:1 (top-level): file is empty; expected a mapping with arch, workload and sim"}},
    {"top_scalar.yaml", {"top_scalar.yaml:1:1 (top-level): expected a mapping of keys, got 'just a sentence'"}},
    {"top_list.yaml", {"top_list.yaml:1:1 (top-level): expected a mapping of keys, got a list"}},
    {"odd_keys.yaml",
     {"odd_keys.yaml:4:1 ?: a key must be a plain name, got a list",
      "odd_keys.yaml:5:1 with\\x20space: unknown key; expected one of: arch, name, sim, workload",
      "odd_keys.yaml:6:7 name: expected a non-empty single-line name, got 'two\\x0alines\\x0a'"}},
};

// Every error of a file, in file order (not in the order the checks run).
const std::vector<BadCase> kSeveral{
    {"several_errors.yaml",
     {"several_errors.yaml:4:14 arch.clock_mhz: expected a number, got 'fast'",
      "several_errors.yaml:6:11 arch.array.rows: must be in 1..4096, got 0",
      "several_errors.yaml:8:15 arch.array.dataflow: 'xs' is not one of os|ws|is (did you mean 'os'?)",
      "several_errors.yaml:10:21 arch.dram.latency_cycles: must be in 0..1000000, got -5",
      "several_errors.yaml:13:7 workload.layers.0.k: missing required key (an integer)",
      "several_errors.yaml:14:110 workload.layers.1.groups: groups (3) must divide in_channels (4)",
      "several_errors.yaml:14:110 workload.layers.1.groups: groups (3) must divide out_channels (8)",
      "several_errors.yaml:15:14 workload.layers.2.name: duplicate layer name 'a' (also layer 0)",
      "several_errors.yaml:17:13 sim.fidelity: 'exact' is not one of values|timing|auto",
      "several_errors.yaml:18:3 sim.colour: unknown key; expected one of: check_analytic, check_golden, "
      "fault_stuck_pe, fidelity, max_cycles, max_memory_mib"}},
    {"several_errors_unordered.yaml",
     {"several_errors_unordered.yaml:3:15 sim.max_cycles: must be >= 1, got 0",
      "several_errors_unordered.yaml:6:11 arch.array.rows: expected an integer, got 'many'",
      "several_errors_unordered.yaml:7:11 arch.array.cols: must be in 1..4096, got 0"}},
    {"several_files.yaml",
     {"several_files.yaml:4:23 workload.layers.0.m: must be in 1..2^40 (1099511627776), got 0",
      "parts/bad_arch_unknown_key.yaml:5:3 arch.array.dataflw: unknown key (did you mean 'dataflow'?)"}},
};

/// Runs the CLI; stdout and stderr.
test::CliResult cli(const std::string& args) { return test::run_cli(args); }

/// Issue 14: inputs that were accepted silently or reported wrongly.
const std::vector<BadCase> kHostile{
    {"second_document.yaml",
     {"second_document.yaml:4:1 (yaml): a second YAML document starts here; arraysim reads one document per file "
      "(remove the '---' line and what follows, or split the file)"}},
    {"invalid_utf8_name.yaml",
     {"invalid_utf8_name.yaml:2:11 (yaml): not valid UTF-8 (byte 0xff); arraysim reads YAML files encoded as UTF-8"}},
    // The second `arch:` key is text of the experiment, not of the file the first one names.
    {"duplicate_include_key.yaml", {"duplicate_include_key.yaml:4:1 arch: duplicate key (first given on line 2)"}},
    // 25.6 GB/s = 25.6e9 bytes/s at 0.001 MHz = 1000 cycles/s: 25.6e6 bytes per cycle > 2^20.
    {"derived_bandwidth_slow_clock.yaml",
     {"derived_bandwidth_slow_clock.yaml:6:17 arch.dram.bytes_per_cycle: ddr4_3200 (25.6 GB/s) at arch.clock_mhz "
      "0.001 gives 25600000 bytes per cycle, outside 0.0009765625..1048576; change arch.clock_mhz, or tck_ns, "
      "channels or bus_bytes"}},
    {"range_above_2_40.yaml",
     {"range_above_2_40.yaml:5:23 workload.layers.0.m: must be in 1..2^40 (1099511627776), got 2199023255552"}},
};

}  // namespace

TEST_CASE("config errors: issue 14 (second documents, UTF-8, duplicate keys, derived values, 2^40)",
          "[unit][config][hostile]") {
  check_cases(kHostile);
}

TEST_CASE("config errors: --set values are UTF-8 and one YAML document", "[unit][config][hostile]") {
  const std::string ok = bad_dir() + "parts/ok_experiment.yaml";
  CHECK(load_errors(ok, {"name=bad\xff"}) ==
        std::vector<std::string>{"<--set>:1:1 name: not valid UTF-8 (byte 0xff at character 9 of the override)"});
  CHECK(load_errors(ok, {"arch.array.rows=4", "sim.max_cycles=5\n---\n6"}) ==
        std::vector<std::string>{"<--set>:2:1 sim.max_cycles: value holds more than one YAML document ('---'); give "
                                 "one value"});
}

TEST_CASE("config errors: unknown keys (did-you-mean, no near match, duplicates)", "[unit][config]") {
  check_cases(kUnknownKeys);
}

TEST_CASE("config errors: missing required keys", "[unit][config]") { check_cases(kMissingKeys); }

TEST_CASE("config errors: wrong types", "[unit][config]") { check_cases(kWrongTypes); }

TEST_CASE("config errors: values out of range", "[unit][config]") { check_cases(kOutOfRange); }

TEST_CASE("config errors: values not among the choices", "[unit][config]") { check_cases(kBadChoices); }

TEST_CASE("config errors: cross-field rules", "[unit][config]") { check_cases(kCrossField); }

TEST_CASE("config errors: files, YAML syntax and top-level shape", "[unit][config]") { check_cases(kFilesAndSyntax); }

TEST_CASE("config errors: every error of a file is reported, in file order", "[unit][config]") {
  check_cases(kSeveral);
}

TEST_CASE("config errors: every bad config file has its expected errors asserted", "[unit][config]") {
  for (const auto* group : {&kUnknownKeys, &kMissingKeys, &kWrongTypes, &kOutOfRange, &kBadChoices, &kCrossField,
                            &kFilesAndSyntax, &kSeveral, &kHostile})
    for (const auto& c : *group) covered().insert(c.file);
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(bad_dir()))
    if (e.is_regular_file() && e.path().extension() == ".yaml") files.push_back(e.path().filename().string());
  CHECK(files.size() >= 25);
  for (const auto& f : files) {
    INFO("tests/data/bad_configs/" << f << " has no expected errors in test_bad_configs.cpp");
    CHECK(covered().count(f) == 1);
  }
  for (const auto& f : covered()) {
    INFO(f << " is listed but missing");
    CHECK(fs::exists(bad_dir() + f));
  }
}

TEST_CASE("config errors: a missing or unreadable experiment file", "[unit][config]") {
  CHECK(load_errors(bad_dir() + "no_such_file.yaml") ==
        std::vector<std::string>{bad_dir() + "no_such_file.yaml:1:1 (file): cannot read experiment: No such file or "
                                             "directory"});
  CHECK(load_errors(bad_dir() + "parts") ==
        std::vector<std::string>{bad_dir() + "parts:1:1 (file): cannot read experiment: is a directory, not a file"});
  test::TempDir tmp;
  const std::string f = tmp.path() + "/locked.yaml";
  std::ofstream(f) << "arch: x\n";
  fs::permissions(f, fs::perms::none);
  if (access(f.c_str(), R_OK) != 0)  // root reads anything: then there is nothing to test
    CHECK(load_errors(f) == std::vector<std::string>{f + ":1:1 (file): cannot read experiment: Permission denied"});
}

TEST_CASE("config errors: --set problems are located at <--set>:N:1", "[unit][config]") {
  const std::string ok = bad_dir() + "parts/ok_experiment.yaml";
  CHECK(load_errors(ok, {"sim.fidelity=timing", "workload.layers.3.m=64"}) ==
        std::vector<std::string>{"<--set>:2:1 workload.layers.3.m: 'workload.layers' is a list of 1 element; '3' is "
                                 "not an index into it (0..0)"});
  CHECK(load_errors(ok, {"noequals"}) ==
        std::vector<std::string>{"<--set>:1:1 (--set): expected key.path=value, got 'noequals'"});
  CHECK(load_errors(ok, {"=5"}) == std::vector<std::string>{"<--set>:1:1 (--set): expected key.path=value, got '=5'"});
  CHECK(load_errors(ok, {"arch..rows=5"}) ==
        std::vector<std::string>{"<--set>:1:1 arch..rows: malformed key path (empty segment)"});
  CHECK(load_errors(ok, {"arch.array.rowz=4"}) ==
        std::vector<std::string>{"<--set>:1:1 arch.array.rowz: unknown key (did you mean 'rows'?)"});
  CHECK(load_errors(ok, {"arch.array.rows=0"}) ==
        std::vector<std::string>{"<--set>:1:1 arch.array.rows: must be in 1..4096, got 0"});
  CHECK(
      load_errors(ok, {"arch.array.rows=[1"}) ==
      std::vector<std::string>{"<--set>:1:1 arch.array.rows: value is not valid YAML: end of sequence flow not found"});
  CHECK(load_errors(ok, {"arch.nosuch.x=1"}) ==
        std::vector<std::string>{"<--set>:1:1 arch.nosuch: unknown key; expected one of: array, clock_mhz, dram, "
                                 "energy, lowering, mapping, name, post_processor, scratchpad"});
  CHECK(load_errors(ok, {"arch.name.x=1"}) ==
        std::vector<std::string>{"<--set>:1:1 arch.name.x: 'arch.name' is 'os_4x4', not a mapping"});
  // Problems in the file and in overrides are reported together, the overrides last.
  CHECK(load_errors(bad_dir() + "range_rows_zero.yaml", {"sim.fidelity=exact"}) ==
        std::vector<std::string>{bad_dir() + "range_rows_zero.yaml:3:17 arch.array.rows: must be in 1..4096, got 0",
                                 "<--set>:1:1 sim.fidelity: 'exact' is not one of values|timing|auto"});
  // A whole section replaced by a path: errors inside the named file point into that file.
  CHECK(load_errors(ok, {"arch=bad_arch_unknown_key.yaml"}) ==
        std::vector<std::string>{bad_dir() + "parts/bad_arch_unknown_key.yaml:5:3 arch.array.dataflw: unknown key "
                                             "(did you mean 'dataflow'?)"});
  CHECK(load_errors(ok, {"arch=nothing.yaml"}) ==
        std::vector<std::string>{"<--set>:1:1 arch: cannot read '" + bad_dir() +
                                 "parts/nothing.yaml': No such file or directory"});
}

TEST_CASE("config CLI: a bad config exits 2 with the exact error lines and writes nothing", "[unit][config][cli]") {
  test::TempDir tmp;
  const std::string out = tmp.path() + "/out";
  const std::string vcd = tmp.path() + "/run.vcd";
  for (const auto& c : kSeveral) {
    const auto r = cli("run " + bad_dir() + c.file + " --out " + out + " --vcd " + vcd);
    std::string expected;
    for (const auto& l : c.lines) expected += expand(l) + "\n";
    CHECK(r.exit_code == 2);
    CHECK(r.err == expected);
    CHECK(r.out.empty());
    CHECK_FALSE(fs::exists(out));
    CHECK_FALSE(fs::exists(vcd));
  }
  const auto r = cli("check " + bad_dir() + "unknown_key_array.yaml");
  CHECK(r.exit_code == 2);
  CHECK(r.err == bad_dir() + "unknown_key_array.yaml:5:5 arch.array.colums: unknown key (did you mean 'cols'?)\n");
  CHECK(r.out.empty());

  const auto missing = cli("run " + tmp.path() + "/nope.yaml --out " + out);
  CHECK(missing.exit_code == 2);
  CHECK(missing.err == tmp.path() + "/nope.yaml:1:1 (file): cannot read experiment: No such file or directory\n");
  CHECK_FALSE(fs::exists(out));
}

TEST_CASE("config CLI: --set errors print <--set>:N:1 and exit 2", "[unit][config][cli]") {
  test::TempDir tmp;
  const std::string out = tmp.path() + "/out";
  struct SetCase {
    std::string sets;
    std::string err;
  };
  const std::vector<SetCase> cases{
      {"--set workload.layers.9.m=64",
       "<--set>:1:1 workload.layers.9.m: 'workload.layers' is a list of 3 elements; '9' is not an index into it "
       "(0..2)\n"},
      {"--set workload.layers.x.m=64",
       "<--set>:1:1 workload.layers.x.m: 'workload.layers' is a list of 3 elements; 'x' is not an index into it "
       "(0..2)\n"},
      {"--set noequals", "<--set>:1:1 (--set): expected key.path=value, got 'noequals'\n"},
      {"--set sim.fidelity=timing --set arch.array.rowz=4",
       "<--set>:2:1 arch.array.rowz: unknown key (did you mean 'rows'?)\n"},
      {"--set sim.fidelity=timing arch.array.rows=many",
       "<--set>:2:1 arch.array.rows: expected an integer, got 'many'\n"},
      {"--set workload.layers.2.in_feature=3",
       "<--set>:1:1 workload.layers.2.in_feature: unknown key for a layer of type fc (did you mean "
       "'in_features'?)\n"},
  };
  for (const auto& c : cases) {
    INFO(c.sets);
    const auto r = cli("run builtin --out " + out + " " + c.sets);
    CHECK(r.exit_code == 2);
    CHECK(r.err == c.err);
    CHECK_FALSE(fs::exists(out));
  }
}

TEST_CASE("config: path and inline arch/workload give the same effective config", "[unit][config]") {
  const std::string dir = test::src_path("configs/experiments");
  const config::Experiment by_path = config::load_experiment(dir + "/quickstart.yaml");
  YAML::Node root = YAML::LoadFile(dir + "/quickstart.yaml");
  root["arch"] = YAML::LoadFile(test::src_path("configs/arch/os_8x8_int8.yaml"));
  root["workload"] = YAML::LoadFile(test::src_path("configs/workloads/conv_small.yaml"));
  YAML::Emitter em;
  em << root;
  test::TempDir tmp;  // no relative paths remain: any base directory works
  const config::Experiment inline_ = config::load_experiment_text(em.c_str(), "inline.yaml", tmp.path());
  CHECK(config::effective_yaml(inline_) == config::effective_yaml(by_path));
  CHECK(by_path.workload.layers.size() == 6);
}

TEST_CASE("config: --set overrides values in referenced files and list elements", "[unit][config]") {
  const std::string q = test::src_path("configs/experiments/quickstart.yaml");
  const config::Experiment base = config::load_experiment(q);
  const config::Experiment e = config::load_experiment(
      q, {"arch.array.rows=4", "arch.array.dataflow=ws", "workload.layers.0.out_channels=24",
          "workload.layers.1.kernel=[5, 3]", "sim.fidelity=timing", "arch.scratchpad.ifmap.banks=8"});
  CHECK(base.arch.array.rows == 8);
  CHECK(e.arch.array.rows == 4);
  CHECK(e.arch.array.cols == 8);
  CHECK(e.arch.array.dataflow == config::Dataflow::ws);
  CHECK(e.workload.layers[0].conv.out_channels == 24);
  CHECK(e.workload.layers[1].conv.kernel_h == 5);
  CHECK(e.workload.layers[1].conv.kernel_w == 3);
  CHECK(e.sim.fidelity == config::Fidelity::timing);
  CHECK(e.arch.ifmap.banks == 8);
  // A later override wins; a whole section can be replaced by another file.
  CHECK(config::load_experiment(q, {"arch.array.rows=4", "arch.array.rows=16"}).arch.array.rows == 16);
  const config::Experiment swapped = config::load_experiment(q, {"arch=../arch/ws_4x4_fp32.yaml"});
  CHECK(swapped.arch.name == "ws_4x4_fp32");
  CHECK(swapped.arch.array.input_dtype == ir::DType::fp32);
  CHECK(swapped.arch.array.accumulator_dtype == ir::DType::fp32);
}

TEST_CASE("config: `arraysim check` output re-loads to the same effective config", "[unit][config][cli]") {
  for (const std::string& which :
       std::vector<std::string>{"builtin", test::src_path("configs/experiments/quickstart.yaml")}) {
    const auto r = cli("check " + which + " --set arch.clock_mhz=333.3 --set arch.dram.bytes_per_cycle=0.1");
    REQUIRE(r.exit_code == 0);
    CHECK(r.err.empty());
    const config::Experiment e = config::load_experiment_text(r.out, "roundtrip.yaml", ".");
    CHECK(config::effective_yaml(e) == r.out);
    CHECK(e.arch.clock_mhz == 333.3);
    CHECK(e.arch.dram.bytes_per_cycle == 0.1);
  }
}

TEST_CASE("config: conv2d shorthands map to the long keys", "[unit][config]") {
  const std::string arch = "arch: {array: {rows: 4, cols: 4}}\n";
  const std::string shorthand = arch + R"(workload:
  layers:
    - {name: a, type: conv2d, in_channels: 4, in_height: 9, in_width: 9, out_channels: 4, kernel: 3, stride: [2, 1], padding: [1, 2, 3, 4], dilation: 2}
    - {name: b, type: conv2d, in_channels: 4, in_height: 9, in_width: 9, out_channels: 4, kernel: [3, 1], stride: 2, padding: [1, 2]}
    - {name: c, type: conv2d, in_channels: 4, in_height: 9, in_width: 9, out_channels: 4, kernel: 1, padding: 2}
)";
  const std::string longhand = arch + R"(workload:
  layers:
    - {name: a, type: conv2d, in_channels: 4, in_height: 9, in_width: 9, out_channels: 4, kernel_h: 3, kernel_w: 3,
       stride_h: 2, stride_w: 1, pad_top: 1, pad_bottom: 2, pad_left: 3, pad_right: 4, dilation_h: 2, dilation_w: 2}
    - {name: b, type: conv2d, in_channels: 4, in_height: 9, in_width: 9, out_channels: 4, kernel_h: 3, kernel_w: 1,
       stride_h: 2, stride_w: 2, pad_top: 1, pad_bottom: 1, pad_left: 2, pad_right: 2}
    - {name: c, type: conv2d, in_channels: 4, in_height: 9, in_width: 9, out_channels: 4, kernel_h: 1, kernel_w: 1,
       pad_top: 2, pad_bottom: 2, pad_left: 2, pad_right: 2}
)";
  const config::Experiment s = config::load_experiment_text(shorthand, "x.yaml", ".");
  const config::Experiment l = config::load_experiment_text(longhand, "x.yaml", ".");
  CHECK(config::effective_yaml(s) == config::effective_yaml(l));
  const ir::Conv2dParams& a = s.workload.layers[0].conv;
  CHECK((a.kernel_h == 3 && a.kernel_w == 3 && a.stride_h == 2 && a.stride_w == 1));
  CHECK((a.pad_top == 1 && a.pad_bottom == 2 && a.pad_left == 3 && a.pad_right == 4));
  CHECK((a.dilation_h == 2 && a.dilation_w == 2));
  const ir::Conv2dParams& b = s.workload.layers[1].conv;
  CHECK((b.kernel_h == 3 && b.kernel_w == 1 && b.stride_h == 2 && b.stride_w == 2));
  CHECK((b.pad_top == 1 && b.pad_bottom == 1 && b.pad_left == 2 && b.pad_right == 2));
  CHECK(s.workload.layers[2].conv.pad_right == 2);
}

TEST_CASE("config: every example in configs/experiments loads and passes `arraysim check`", "[unit][config][cli]") {
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(test::src_path("configs/experiments")))
    if (e.path().extension() == ".yaml") files.push_back(e.path().string());
  std::sort(files.begin(), files.end());
  REQUIRE(files.size() >= 1);
  CHECK(std::count(files.begin(), files.end(), test::src_path("configs/experiments/quickstart.yaml")) == 1);
  for (const auto& f : files) {
    INFO(f);
    CHECK_NOTHROW(config::load_experiment(f));
    const auto r = cli("check " + f);
    CHECK(r.exit_code == 0);
    CHECK(r.err.empty());
  }
  // Every architecture and workload file under configs/ is valid with any valid partner.
  const std::string arch = test::src_path("configs/arch/os_8x8_int8.yaml");
  const std::string workload = test::src_path("configs/workloads/gemm_small.yaml");
  int checked = 0;
  for (const auto& [dir, key] : {std::pair{"configs/arch", "arch"}, std::pair{"configs/workloads", "workload"}})
    for (const auto& e : fs::recursive_directory_iterator(test::src_path(dir))) {
      if (e.path().extension() != ".yaml") continue;
      INFO(e.path().string());
      const std::string text = std::string("arch: ") + (key == std::string("arch") ? e.path().string() : arch) +
                               "\nworkload: " + (key == std::string("workload") ? e.path().string() : workload) + "\n";
      CHECK_NOTHROW(config::load_experiment_text(text, "probe.yaml", "."));
      ++checked;
    }
  CHECK(checked >= 6);
}

TEST_CASE("config: docs/config.md documents every key the parser accepts", "[unit][config][docs]") {
  const std::string doc = slurp(test::src_path("docs/config.md"));
  // Every key of the effective configuration (long forms) of an experiment using every feature ...
  const config::Experiment e =
      config::load_experiment_text(config::builtin_experiment_yaml(), "doc.yaml", ".",
                                   {"workload.layers.2={type: gemm, m: 1, n: 1, k: 1}", "sim.fault_stuck_pe=[0, 0]"});
  std::set<std::string> keys;
  std::vector<YAML::Node> todo{YAML::Load(config::effective_yaml(e))};
  while (!todo.empty()) {
    const YAML::Node n = todo.back();
    todo.pop_back();
    if (n.IsSequence())
      for (const auto& c : n) todo.push_back(c);
    if (n.IsMap())
      for (const auto& kv : n) keys.insert(kv.first.Scalar()), todo.push_back(kv.second);
  }
  // ... plus the keys that never appear there.
  for (const char* k : {"batch", "in_features", "out_features", "lanes", "kernel", "stride", "dilation", "padding"})
    keys.insert(k);
  CHECK(keys.size() > 40);
  for (const auto& k : keys) {
    INFO("key '" << k << "' is not documented in docs/config.md");
    CHECK(doc.find("`" + k + "`") != std::string::npos);
  }
  for (const char* topic : {"<--set>", "workload.layers.0.m=64", "(top-level)", "| 2    |"})
    CHECK(doc.find(topic) != std::string::npos);
}

namespace {

/// Mutations of valid experiment texts for the robustness test.
class Mutator {
 public:
  explicit Mutator(std::uint32_t seed) : rng_(seed) {}

  std::size_t pick(std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng_); }

  std::string mutate(std::string s) {
    const int rounds = 1 + static_cast<int>(pick(3));
    for (int i = 0; i < rounds && !s.empty(); ++i) {
      const std::size_t p = pick(s.size());
      switch (pick(6)) {
        case 0: s.erase(p, 1 + pick(3)); break;                                     // delete
        case 1: s.insert(p, s.substr(p, 1 + pick(8))); break;                       // duplicate
        case 2: std::swap(s[p], s[pick(s.size())]); break;                          // swap
        case 3: s.insert(p, kInserts[pick(std::size(kInserts))]); break;            // insert YAML syntax
        case 4: s = replace_number(s); break;                                       // extreme numbers
        default: s[p] = static_cast<char>(kChars[pick(sizeof kChars - 1)]); break;  // replace a character
      }
    }
    return s;
  }

  std::string replace_number(const std::string& s) {
    static const std::regex number("-?[0-9]+(\\.[0-9]+)?");
    std::vector<std::pair<std::size_t, std::size_t>> spans;
    for (auto it = std::sregex_iterator(s.begin(), s.end(), number); it != std::sregex_iterator(); ++it)
      spans.emplace_back(static_cast<std::size_t>(it->position()), static_cast<std::size_t>(it->length()));
    if (spans.empty()) return s;
    const auto [pos, len] = spans[pick(spans.size())];
    return s.substr(0, pos) + kNumbers[pick(std::size(kNumbers))] + s.substr(pos + len);
  }

 private:
  static constexpr const char* kInserts[] = {": [{",   "[", "{",  "]", "}",  ": ", "\n",  "\n  ", "- ",    "&a ", "*a",
                                             "!!str ", "'", "\"", "#", "\t", "? ", "|\n", ",",    "---\n", "<<: "};
  static constexpr const char* kNumbers[] = {"-1",
                                             "0",
                                             "4097",
                                             "99999999999999999999",
                                             "1099511627776",
                                             "1099511627777",
                                             "9223372036854775807",
                                             "-9223372036854775808",
                                             "1e999",
                                             "nan",
                                             ".inf",
                                             "0x10",
                                             "1_000",
                                             "0.5",
                                             "65537",
                                             "3.000000001"};
  static constexpr char kChars[] = "abz09:-[]{},#&*!|>'\"%@` \t\n.=_";
  std::mt19937 rng_;
};

}  // namespace

TEST_CASE("config robustness: 2000+ mutated experiments only ever raise well-formed ConfigErrors",
          "[unit][config][fuzz]") {
  const std::string dir = test::src_path("configs/experiments");
  const std::vector<std::string> seeds{config::builtin_experiment_yaml(), slurp(dir + "/quickstart.yaml"),
                                       slurp(dir + "/inline_fp32.yaml"), slurp(bad_dir() + "several_errors.yaml")};
  std::vector<std::pair<std::string, std::vector<std::string>>> inputs;  // text, --set overrides
  const std::string& first = seeds[0];
  for (std::size_t i = 0; i <= first.size(); ++i) inputs.push_back({first.substr(0, i), {}});  // every truncation
  // ARRAYSIM_FUZZ_SEED and ARRAYSIM_FUZZ_COUNT explore further than the default run.
  const char* seed_env = std::getenv("ARRAYSIM_FUZZ_SEED");
  const char* count_env = std::getenv("ARRAYSIM_FUZZ_COUNT");
  Mutator m(seed_env ? static_cast<std::uint32_t>(std::strtoul(seed_env, nullptr, 10)) : 20240601u);
  const long count = count_env ? std::strtol(count_env, nullptr, 10) : 2400;
  for (long i = 0; i < count; ++i) inputs.push_back({m.mutate(seeds[m.pick(seeds.size())]), {}});
  const std::vector<std::string> sets{"arch.array.rows=8", "workload.layers.0.kernel=[3, 3]", "sim.fidelity=timing",
                                      "workload.layers.1.padding=[0, 1, 0, 1]", "arch=../arch/ws_4x4_fp32.yaml"};
  for (int i = 0; i < 300; ++i)
    inputs.push_back({seeds[m.pick(2)], {m.mutate(sets[m.pick(sets.size())]), sets[m.pick(sets.size())]}});
  REQUIRE(inputs.size() >= 2000);

  const std::regex line_format("^[^:]+:[0-9]+:[0-9]+ [^ ]+: .+$");
  int loaded = 0, rejected = 0;
  std::vector<std::string> failures;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const auto& [text, overrides] = inputs[i];
    auto fail = [&](const std::string& why) {
      if (failures.size() < 10) failures.push_back("input " + std::to_string(i) + ": " + why + "\n---\n" + text);
    };
    try {
      const config::Experiment e = config::load_experiment_text(text, "fuzz.yaml", dir, overrides);
      ++loaded;
      // Whatever is accepted must also round-trip.
      const std::string eff = config::effective_yaml(e);
      if (config::effective_yaml(config::load_experiment_text(eff, "fuzz.yaml", dir)) != eff)
        fail("effective config does not round-trip");
    } catch (const config::ConfigError& e) {
      ++rejected;
      if (e.issues().empty()) fail("ConfigError without issues");
      const auto lines = split_lines(e.what());
      if (lines.size() != e.issues().size()) fail("an issue spans several lines: " + std::string(e.what()));
      for (const auto& l : lines)
        if (!std::regex_match(l, line_format)) fail("badly formatted line: " + l);
    } catch (const std::exception& e) {
      fail(std::string("unexpected exception: ") + e.what());
    } catch (...) {
      fail("unexpected non-standard exception");
    }
  }
  INFO("loaded " << loaded << ", rejected " << rejected);
  for (const auto& f : failures) UNSCOPED_INFO(f);
  CHECK(failures.empty());
  CHECK(rejected > 1000);
  CHECK(loaded > 50);
}
