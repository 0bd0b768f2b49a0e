/// bf16, fp16, fp8_e4m3 and fp8_e5m2 operands with fp32 accumulation end to end through the CLI
/// (docs/numerics.md, "The narrow formats as operands"): a GEMM and a convolution on a 4x4
/// systolic array (OS and WS) and on an 8-lane vector unit, golden_match true, and the simulated
/// outputs equal bit for bit to sums computed here from the dumped operands; timing fidelity gives
/// the values run's cycles and bytes, and the byte counts use the real element sizes. One
/// simulation per process: every run is an `arraysim run` subprocess.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <cmath>
#include <cstring>
#include <nlohmann/json.hpp>

#include "models/ir/tensor.hpp"
#include "models/numeric/float_formats.hpp"
#include "sim/io/npy.hpp"
#include "tests/support.hpp"

using namespace arraysim;

namespace {

const char* const kTypes[] = {"bf16", "fp16", "fp8_e4m3", "fp8_e5m2"};

/// The experiment: a GEMM with K = 11 (three row folds of a 4-row WS array) and a 3x3 convolution
/// with padding (K = 27), on `array` (a YAML flow mapping body without the dtype).
std::string experiment(const std::string& array, const std::string& dtype, const std::string& fidelity = "values") {
  return fmt::format(R"(arch:
  array: {{{}, input_dtype: {}}}
  dram: {{model: ideal}}
workload:
  seed: 5
  layers:
    - {{type: gemm, name: g, m: 5, n: 6, k: 11}}
    - {{type: conv2d, name: c, in_channels: 3, in_height: 5, in_width: 4, out_channels: 5, kernel: 3, padding: 1}}
sim: {{fidelity: {}}}
)",
                     array, dtype, fidelity);
}

/// The values of a dumped operand, decoded from the .npy file's raw element bits here (numpy has
/// no bf16 or fp8; arraysim writes them as raw fields, fp16 as <f2).
std::vector<float> operand_values(const std::string& path, const std::string& dtype) {
  const std::string f = test::read_text(path);
  REQUIRE(f.size() > 10);
  const std::size_t header = static_cast<unsigned char>(f[8]) | (static_cast<std::size_t>(f[9]) << 8);
  const std::string descr = dtype == "fp16" ? "'<f2'" : dtype == "bf16" ? "'|V2'" : "'|V1'";
  CHECK(f.substr(10, header).find(descr) != std::string::npos);
  const std::size_t width = dtype == "bf16" || dtype == "fp16" ? 2 : 1;
  std::vector<float> v;
  for (std::size_t at = 10 + header; at + width <= f.size(); at += width) {
    const auto lo = static_cast<unsigned char>(f[at]);
    const std::uint16_t bits = width == 2 ? static_cast<std::uint16_t>(lo | static_cast<unsigned char>(f[at + 1]) << 8)
                                          : static_cast<std::uint16_t>(lo);
    if (dtype == "bf16") v.push_back(numeric::bf16_to_fp32(bits));
    if (dtype == "fp16") v.push_back(numeric::fp16_to_fp32(bits));
    if (dtype == "fp8_e4m3") v.push_back(numeric::e4m3_to_fp32(static_cast<std::uint8_t>(bits)));
    if (dtype == "fp8_e5m2") v.push_back(numeric::e5m2_to_fp32(static_cast<std::uint8_t>(bits)));
  }
  return v;
}

std::uint32_t bits_of(float f) {
  std::uint32_t b;
  std::memcpy(&b, &f, 4);
  return b;
}

/// Runs `text` with --dump-tensors; returns stats.json.
nlohmann::json run(const test::TempDir& d, const std::string& name, const std::string& text) {
  const std::string exp = test::write_text(d.path() + "/" + name + ".yaml", text);
  const test::CliResult r = test::run_cli("run " + exp + " --no-plots --out " + d.path() + "/" + name +
                                          (text.find("fidelity: values") != std::string::npos
                                               ? " --dump-tensors " + d.path() + "/" + name + "_t"
                                               : std::string()));
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  return nlohmann::json::parse(test::read_text(d.path() + "/" + name + "/stats.json"));
}

/// Checks the dumped GEMM and convolution outputs of run `name` against fp32 sums in ascending k
/// computed here from the dumped operands: bit for bit.
void check_outputs(const test::TempDir& d, const std::string& name, const std::string& dtype) {
  const std::string t = d.path() + "/" + name + "_t/";
  // GEMM g: A [5][11], B [11][6], C [5][6].
  const std::vector<float> a = operand_values(t + "0_g.input.npy", dtype);
  const std::vector<float> b = operand_values(t + "0_g.weight.npy", dtype);
  REQUIRE(a.size() == 55);
  REQUIRE(b.size() == 66);
  const ir::Tensor c = io::read_npy(t + "0_g.output.npy").tensor;
  REQUIRE(c.dtype() == ir::DType::fp32);
  REQUIRE(c.shape() == ir::Shape{5, 6});
  for (int i = 0; i < 5; ++i)
    for (int j = 0; j < 6; ++j) {
      float sum = 0;
      for (int k = 0; k < 11; ++k) sum += a[i * 11 + k] * b[k * 6 + j];
      INFO("C[" << i << "][" << j << "]");
      CHECK(bits_of(c.data<float>()[i * 6 + j]) == bits_of(sum));
    }
  // Convolution c: X [1][3][5][4], W [5][3][3][3], padding 1, stride 1: Y [1][5][5][4].
  const std::vector<float> x = operand_values(t + "1_c.input.npy", dtype);
  const std::vector<float> w = operand_values(t + "1_c.weight.npy", dtype);
  REQUIRE(x.size() == 60);
  REQUIRE(w.size() == 135);
  const ir::Tensor y = io::read_npy(t + "1_c.output.npy").tensor;
  REQUIRE(y.shape() == ir::Shape{1, 5, 5, 4});
  for (int oc = 0; oc < 5; ++oc)
    for (int oh = 0; oh < 5; ++oh)
      for (int ow = 0; ow < 4; ++ow) {
        float sum = 0;
        for (int ch = 0; ch < 3; ++ch)
          for (int r = 0; r < 3; ++r)
            for (int s = 0; s < 3; ++s) {
              const int ih = oh - 1 + r, iw = ow - 1 + s;
              if (ih < 0 || ih >= 5 || iw < 0 || iw >= 4) continue;
              sum += x[(ch * 5 + ih) * 4 + iw] * w[((oc * 3 + ch) * 3 + r) * 3 + s];
            }
        INFO("Y[0][" << oc << "][" << oh << "][" << ow << "]");
        CHECK(bits_of(y.data<float>()[(oc * 5 + oh) * 4 + ow]) == bits_of(sum));
      }
}

}  // namespace

TEST_CASE("narrow float operands: GEMM and convolution bit-exact on OS, WS and vector units", "[system][dtype]") {
  test::TempDir d;
  const std::pair<const char*, const char*> units[] = {{"os", "rows: 4, cols: 4, dataflow: os"},
                                                       {"ws", "rows: 4, cols: 4, dataflow: ws"},
                                                       {"vec", "type: vector, lanes: 8"}};
  for (const char* dtype : kTypes)
    for (const auto& u : units) {
      const std::string name = std::string(u.first) + "_" + dtype;
      INFO(name);
      const nlohmann::json j = run(d, name, experiment(u.second, dtype));
      REQUIRE(j["layers"].size() == 2);
      for (const auto& l : j["layers"]) CHECK(l["golden_match"] == true);
      check_outputs(d, name, dtype);
    }
}

TEST_CASE("narrow float operands: timing fidelity gives the values cycles; bytes use the element sizes",
          "[system][dtype]") {
  test::TempDir d;
  const std::string ws = "rows: 4, cols: 4, dataflow: ws";
  const nlohmann::json int8 = run(d, "int8", experiment(ws, "int8"));
  for (const char* dtype : kTypes) {
    INFO(dtype);
    const nlohmann::json v = run(d, std::string("v_") + dtype, experiment(ws, dtype));
    const nlohmann::json t = run(d, std::string("t_") + dtype, experiment(ws, dtype, "timing"));
    const std::int64_t e = ir::dtype_bytes(*ir::parse_dtype(dtype));
    for (std::size_t i = 0; i < 2; ++i) {
      const nlohmann::json &lv = v["layers"][i], &lt = t["layers"][i];
      CHECK(lv["total_cycles"] == lt["total_cycles"]);
      CHECK(lv["dram_read_bytes"] == lt["dram_read_bytes"]);
      CHECK(lv["dram_write_bytes"] == lt["dram_write_bytes"]);
    }
    // Footprint: A, B at e bytes per element, C in fp32 (4 bytes).
    // GEMM 5x11 · 11x6: (55 + 66)·e + 30·4; conv: X 60, W 135, Y 100 elements: (60 + 135)·e + 100·4.
    CHECK(v["layers"][0]["dram_footprint_bytes"] == 121 * e + 120);
    CHECK(v["layers"][1]["dram_footprint_bytes"] == 195 * e + 400);
    if (e == 1) {
      // fp8 operands with fp32 sums move exactly the bytes of int8 operands with int32 sums
      // (1 and 4 bytes each), in the same cycles.
      for (std::size_t i = 0; i < 2; ++i) {
        CHECK(v["layers"][i]["total_cycles"] == int8["layers"][i]["total_cycles"]);
        CHECK(v["layers"][i]["dram_read_bytes"] == int8["layers"][i]["dram_read_bytes"]);
        CHECK(v["layers"][i]["dram_write_bytes"] == int8["layers"][i]["dram_write_bytes"]);
      }
    }
  }
}

TEST_CASE("narrow float operands: a 1x3 . 3x1 fp16 GEMM whose fp32 sum depends on the order", "[system][dtype]") {
  // The input row is given (--input, an fp16 .npy); the weights come from seed 1 and are read back
  // from the dump: W = [0.828125, 0.46875, -0.8359375] (fp16 0x3AA0, 0x3780, 0xBAB0; k/128 - 1 for
  // k = 234, 188, 21). X = [1024, 2^-15, -2^-15] (fp16 0x6400, 0x0200 and 0x8200, subnormals).
  // Products, exact in fp32: p0 = 848 = 1.65625 * 2^9, p1 = 0.46875 * 2^-15, p2 = 0.8359375 * 2^-15.
  // fp32's last place at 848 is 2^9 * 2^-23 = 2^-14, half of it 2^-15: p1 and p2 are each below
  // it, their sum 1.3046875 * 2^-15 is above it.
  // Ascending k (the PEs and the golden model): 848 + p1 -> 848, + p2 -> 848:
  //   848 = 2^9 * 1.65625: exponent 9 + 127 = 136 = 0x88, mantissa 0.65625 * 2^23 = 0x540000,
  //   bits 0x88 << 23 | 0x540000 = 0x44540000.
  // The small products first: p1 + p2 = 1.3046875 * 2^-15 (exact), 848 + that rounds up one
  // place: 0x44540001. The exact sum rounds to 0x44540001 too.
  test::TempDir d;
  ir::Tensor x(ir::DType::fp16, {1, 3});
  x.set_f64(0, 1024.0);
  x.set_f64(1, std::ldexp(1.0, -15));
  x.set_f64(2, -std::ldexp(1.0, -15));
  const std::string in = d.path() + "/x.npy";
  io::write_npy(in, x);
  for (const char* unit : {"dataflow: os", "dataflow: ws", "type: vector, lanes: 4"}) {
    INFO(unit);
    const std::string name = std::string("hand_") + (unit[0] == 't' ? "vec" : unit + 10);
    const std::string array = unit[0] == 't' ? std::string(unit) : std::string("rows: 4, cols: 4, ") + unit;
    const std::string exp = test::write_text(
        d.path() + "/" + name + ".yaml",
        fmt::format("arch:\n  array: {{{}, input_dtype: fp16}}\n  dram: {{model: ideal}}\n"
                    "workload:\n  seed: 1\n  layers:\n    - {{type: gemm, name: g, m: 1, n: 1, k: 3}}\n"
                    "sim: {{fidelity: values}}\n",
                    array));
    const test::CliResult r = test::run_cli("run " + exp + " --no-plots --input " + in + " --out " + d.path() + "/" +
                                            name + " --dump-tensors " + d.path() + "/" + name + "_t");
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    const std::string t = d.path() + "/" + name + "_t/";
    REQUIRE(operand_values(t + "0_g.weight.npy", "fp16") == std::vector<float>{0.828125f, 0.46875f, -0.8359375f});
    REQUIRE(operand_values(t + "0_g.input.npy", "fp16") ==
            std::vector<float>{1024.0f, std::ldexp(1.0f, -15), -std::ldexp(1.0f, -15)});
    const float got = io::read_npy(t + "0_g.output.npy").tensor.data<float>()[0];
    CHECK(bits_of(got) == 0x44540000u);
    // The order is what decides: the small products first would give the next fp32 value up.
    const float p0 = 848.0f, p1 = 0.46875f * std::ldexp(1.0f, -15), p2 = 0.8359375f * std::ldexp(1.0f, -15);
    CHECK(bits_of(p0 + (p1 + p2)) == 0x44540001u);
    CHECK(bits_of((p0 + p1) + p2) == 0x44540000u);
  }
}
