/// The SCALE-Sim importer (sim/io/scalesim_import.hpp) and the CSV reader it uses: every mapped
/// field of the sample inputs in tests/data/scalesim/ (copies of ../shared/scalesim files), every
/// file of ../shared/scalesim/ when it exists, and the errors for malformed files.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "sim/io/csv.hpp"
#include "sim/io/scalesim_import.hpp"
#include "tests/support.hpp"

namespace fs = std::filesystem;
using namespace arraysim;
using arraysim::test::src_path;

namespace {

const std::string kData = "tests/data/scalesim/";

config::Experiment import_files(const std::string& cfg, const std::string& topo, bool gemm,
                                const std::vector<std::string>& sets = {}) {
  return io::load_generated(io::import_scalesim(src_path(kData + cfg), src_path(kData + topo), gemm), sets);
}

const char* const kCfg = R"([general]
run_name = t

[architecture_presets]
ArrayHeight:    8
ArrayWidth:     4
IfmapSramSzkB:    16
FilterSramSzkB:   8
OfmapSramSzkB:    4
IfmapOffset:    0
FilterOffset:   10000000
OfmapOffset:    20000000
Dataflow : ws
Bandwidth : 4
MemoryBanks: 1

[run_presets]
InterfaceBandwidth: USER
)";
const char* const kConvHeader =
    "Layer name, IFMAP Height, IFMAP Width, Filter Height, Filter Width, Channels, Num Filter, Strides,\n";
const char* const kConvRow = "c1,8,8,3,3,2,4,1,\n";

/// Every issue of the ConfigError thrown by importing (and loading) the two texts, one per line.
std::string errors_of(const std::string& cfg, const std::string& topo, bool gemm = false) {
  try {
    io::load_generated(io::import_scalesim_text(cfg, "t.cfg", topo, "t.csv", gemm));
  } catch (const config::ConfigError& e) {
    return e.what();
  }
  return "(no error)";
}

/// The notes of a successful import, one per line.
std::string notes_of(const std::string& cfg, const std::string& topo, bool gemm = false) {
  const io::GeneratedExperiment g = io::import_scalesim_text(cfg, "t.cfg", topo, "t.csv", gemm);
  io::load_generated(g);
  std::string s;
  for (const auto& n : g.notes) s += n + "\n";
  return s;
}

std::string replace(std::string s, const std::string& from, const std::string& to) {
  const auto p = s.find(from);
  REQUIRE(p != std::string::npos);
  return s.replace(p, from.size(), to);
}

}  // namespace

// ---- the CSV reader ----------------------------------------------------------------------------

TEST_CASE("import csv reader: fields, positions, quotes, line ends", "[unit][import]") {
  const auto r = io::parse_csv(
      "\xEF\xBB\xBF"
      "a, b ,c,\r\n\n  \n\"x,\"\"y\"\"\", 2\rlast");
  REQUIRE(r.size() == 3);
  REQUIRE(r[0].fields.size() == 4);
  CHECK(r[0].line == 1);
  CHECK(r[0].fields[0].text == "a");
  CHECK(r[0].fields[1].text == "b");
  CHECK(r[0].fields[1].col == 4);
  CHECK(r[0].fields[2].col == 7);
  CHECK(r[0].fields[3].text.empty());  // the trailing comma
  REQUIRE(r[1].fields.size() == 2);
  CHECK(r[1].line == 4);
  CHECK(r[1].fields[0].text == "x,\"y\"");
  CHECK(r[1].fields[0].quoted);
  CHECK(r[1].fields[1].text == "2");
  CHECK(r[1].fields[1].col == 12);
  CHECK(r[2].line == 5);
  CHECK(r[2].fields[0].text == "last");

  const auto multi = io::parse_csv("\"two\nlines\",x\ny");
  REQUIRE(multi.size() == 2);
  CHECK(multi[0].fields[0].text == "two\nlines");
  CHECK(multi[0].fields[1].line == 2);
  CHECK(multi[1].line == 3);
}

TEST_CASE("import csv reader: syntax errors carry line and column", "[unit][import]") {
  const auto err = [](const std::string& text) {
    try {
      io::parse_csv(text);
    } catch (const io::CsvSyntaxError& e) {
      return std::to_string(e.line()) + ":" + std::to_string(e.col()) + " " + e.what();
    }
    return std::string("(no error)");
  };
  CHECK(err("a,b\nc,\"open") == "2:3 quoted field is never closed");
  CHECK(err("a,b\"c") == "1:4 a quote inside an unquoted field (quote the whole field and double the quote)");
  CHECK(err("\"a\"b,c") == "1:4 unexpected text after the closing quote of a field");
}

// ---- the sample inputs -------------------------------------------------------------------------

TEST_CASE("import scalesim cfg in CALC mode: array, SRAMs, ideal DRAM", "[unit][import]") {
  const config::Experiment e = import_files("a32_sram64_calc.cfg", "layers_gemm.csv", true);
  CHECK(e.name == "a32_sram64_calc");  // run_name
  CHECK(e.arch.name == "a32_sram64_calc");
  CHECK(e.arch.array.type == config::ArrayType::systolic);
  CHECK(e.arch.array.rows == 32);  // ArrayHeight
  CHECK(e.arch.array.cols == 32);  // ArrayWidth
  CHECK(e.arch.array.dataflow == config::Dataflow::os);
  CHECK(e.arch.array.input_dtype == ir::DType::int8);  // SCALE-Sim: one word is one byte
  CHECK(e.arch.array.weight_dtype == ir::DType::int8);
  CHECK(e.arch.ifmap.size_kib == 64);
  CHECK(e.arch.weight.size_kib == 64);
  CHECK(e.arch.output.size_kib == 64);
  CHECK(e.arch.ifmap.double_buffered);
  CHECK(e.arch.ifmap.word_bytes == 32);  // one word per array row per access
  // A 32-byte edge vector starting k bytes into a word spans words w and w+1 (k > 0): two banks
  // serve it in one access wherever it starts.
  CHECK(e.arch.ifmap.banks == 2);
  CHECK(e.arch.output.word_bytes == 128);  // 32 int32 accumulators
  CHECK(e.arch.output.banks == 2);
  CHECK(e.arch.dram.model == config::DramModel::ideal);  // CALC: reads never stall
  CHECK(e.arch.dram.bytes_per_cycle == 10);
  CHECK(e.arch.dram.latency_cycles == 1);
}

TEST_CASE("import scalesim cfg in USER mode: Bandwidth words per cycle are bytes per cycle", "[unit][import]") {
  for (const char* cfg : {"c32_sram16_bw2.cfg", "v3_c32_sram16_bw2.cfg"}) {
    INFO(cfg);
    const io::GeneratedExperiment g =
        io::import_scalesim(src_path(kData + cfg), src_path(kData + "layers_gemm.csv"), true);
    CHECK(g.notes.empty());  // v3's [layout], [sparsity] and request buffers are known keys
    const config::Experiment e = io::load_generated(g);
    CHECK(e.name == "c32_sram16_bw2");
    CHECK(e.arch.array.rows == 32);
    CHECK(e.arch.array.cols == 32);
    CHECK(e.arch.ifmap.size_kib == 16);
    CHECK(e.arch.weight.size_kib == 16);
    CHECK(e.arch.output.size_kib == 16);
    CHECK(e.arch.dram.model == config::DramModel::simple);
    CHECK(e.arch.dram.bytes_per_cycle == 2);  // Bandwidth 2 words/cycle x 1 byte/word
    CHECK(e.arch.dram.latency_cycles == 1);
  }
}

TEST_CASE("import scalesim convolution topology: every row with exact shapes", "[unit][import]") {
  const config::Experiment e = import_files("a32_sram64_calc.cfg", "layers_conv.csv", false);
  CHECK(e.workload.name == "layers_conv");
  REQUIRE(e.workload.layers.size() == 12);
  const ir::Layer& c1 = e.workload.layers[0];  // rn18_conv1,224,224,7,7,3,64,2,
  CHECK(c1.name == "rn18_conv1");
  CHECK(c1.kind == ir::LayerKind::conv2d);
  CHECK(c1.conv.n == 1);
  CHECK(c1.conv.h == 224);
  CHECK(c1.conv.w == 224);
  CHECK(c1.conv.kernel_h == 7);
  CHECK(c1.conv.kernel_w == 7);
  CHECK(c1.conv.c == 3);
  CHECK(c1.conv.out_channels == 64);
  CHECK(c1.conv.stride_h == 2);
  CHECK(c1.conv.stride_w == 2);
  CHECK(c1.conv.pad_top + c1.conv.pad_bottom + c1.conv.pad_left + c1.conv.pad_right == 0);
  CHECK(c1.conv.groups == 1);
  CHECK(c1.conv.out_h() == 109);                                // SCALE-Sim: ceil((224 - 7 + 2) / 2) = 110
  const ir::GemmDims g2 = ir::gemm_dims(e.workload.layers[1]);  // rn18_conv2_1a,56,56,3,3,64,64,1,
  CHECK(g2.m == 54 * 54);                                       // no padding: a 56x56 input gives 54x54
  CHECK(g2.k == 3 * 3 * 64);
  CHECK(g2.n == 64);
  const ir::Layer& fc = e.workload.layers[5];  // rn18_fc,1,1,1,1,512,1000,1,
  CHECK(fc.name == "rn18_fc");
  CHECK(ir::gemm_dims(fc).m == 1);
  CHECK(ir::gemm_dims(fc).k == 512);
  CHECK(ir::gemm_dims(fc).n == 1000);
  const ir::Layer& dp = e.workload.layers[9];  // mbv1_conv2_DP,112,112,3,3,32,1,1,
  CHECK(dp.name == "mbv1_conv2_DP");
  CHECK(dp.conv.c == 32);
  CHECK(dp.conv.groups == 32);  // "DP" in the name: depthwise, as SCALE-Sim expands it
  CHECK(dp.conv.out_channels == 32);
  CHECK(ir::macs(dp) == 110 * 110 * 9 * 32);
  const ir::Layer& alex = e.workload.layers[10];  // alex_conv1,224,224,11,11,3,96,4,
  CHECK(alex.conv.stride_h == 4);
  CHECK(alex.conv.out_h() == 54);
  CHECK(e.workload.layers[11].name == "alex_conv2");
}

TEST_CASE("import scalesim GEMM topology: M, N, K are arraysim's m, n, k", "[unit][import]") {
  const config::Experiment e = import_files("c32_sram16_bw2.cfg", "layers_gemm.csv", true);
  REQUIRE(e.workload.layers.size() == 5);
  const std::vector<std::tuple<std::string, std::int64_t, std::int64_t, std::int64_t>> expect{
      {"gpt2_qkt", 1024, 1024, 64},
      {"gpt2_qktv", 1024, 64, 1024},
      {"tfm_ff_a", 128, 512, 2048},
      {"tfm_sd_qk", 128, 64, 128},
      {"ncf_gemv", 128, 1, 2048}};
  for (std::size_t i = 0; i < expect.size(); ++i) {
    const ir::Layer& l = e.workload.layers[i];
    INFO(l.name);
    CHECK(l.name == std::get<0>(expect[i]));
    CHECK(l.kind == ir::LayerKind::gemm);
    CHECK(l.gemm.m == std::get<1>(expect[i]));
    CHECK(l.gemm.n == std::get<2>(expect[i]));
    CHECK(l.gemm.k == std::get<3>(expect[i]));
  }
  // SCALE-Sim's A is M x K and its B is K x N: the MACs are M·N·K.
  CHECK(ir::macs(e.workload.layers[4]) == 128 * 1 * 2048);
}

TEST_CASE("import scalesim notes SCALE-Sim's output size rounding", "[unit][import]") {
  const io::GeneratedExperiment g =
      io::import_scalesim(src_path(kData + "a32_sram64_calc.cfg"), src_path(kData + "layers_conv.csv"), false);
  REQUIRE(g.notes.size() == 1);
  CHECK(g.notes[0] == "note: " + src_path(kData + "layers_conv.csv") +
                          ": 4 layers have (IFMAP - Filter) not a multiple of the stride: SCALE-Sim rounds the "
                          "output size up, arraysim down (as a convolution does): rn18_conv1 110x110 -> 109x109, "
                          "rn18_conv3_s 29x29 -> 28x28, rn18_conv4_1a 14x14 -> 13x13, alex_conv1 55x55 -> 54x54");
}

TEST_CASE("import scalesim --set overrides apply to the imported experiment", "[unit][import]") {
  const config::Experiment e =
      import_files("a32_sram64_calc.cfg", "layers_gemm.csv", true, {"arch.array.dataflow=ws", "workload.layers.0.m=7"});
  CHECK(e.arch.array.dataflow == config::Dataflow::ws);
  CHECK(e.workload.layers[0].gemm.m == 7);
}

/// Imports every .cfg and .csv under ../shared/scalesim (environment ARRAYSIM_SCALESIM_SAMPLES
/// overrides the directory). Without the directory ctest reports the test as skipped
/// (tests/CMakeLists.txt: SKIP_REGULAR_EXPRESSION).
TEST_CASE("import scalesim of every file in ../shared/scalesim", "[unit][import]") {
  const char* env = std::getenv("ARRAYSIM_SCALESIM_SAMPLES");
  const std::string root = env ? env : src_path("../shared/scalesim");
  if (!fs::is_directory(root)) {
    WARN("ARRAYSIM_IMPORT_TEST_SKIPPED: " << root
                                          << " does not exist (the SCALE-Sim sample inputs beside the repository)");
    return;
  }
  struct CfgExpect {
    std::int64_t rows, cols;
    double sram[3];
    const char* dram;
    double bw;
  };
  const std::map<std::string, CfgExpect> cfgs{
      {"configs/a32_sram64_calc.cfg", {32, 32, {64, 64, 64}, "ideal", 10}},
      {"configs/b32_sram64_bw10.cfg", {32, 32, {64, 64, 64}, "simple", 10}},
      {"configs/c32_sram16_bw2.cfg", {32, 32, {16, 16, 16}, "simple", 2}},
      {"configs/d128_sram512_bw64.cfg", {128, 128, {512, 512, 512}, "simple", 64}},
      {"configs/e128_sram512_bw8.cfg", {128, 128, {512, 512, 512}, "simple", 8}},
      {"configs/f8_sram32_bw4.cfg", {8, 8, {32, 32, 32}, "simple", 4}},
      {"configs/g256_google_calc.cfg", {256, 256, {6144, 6144, 2048}, "ideal", 10}},
      {"configs/h12x14_eyeriss_calc.cfg", {12, 14, {36, 36, 36}, "ideal", 10}},
      {"configs/v3/a32_sram64_calc.cfg", {32, 32, {64, 64, 64}, "ideal", 10}},
      {"configs/v3/c32_sram16_bw2.cfg", {32, 32, {16, 16, 16}, "simple", 2}},
  };
  // First layer of each topology: name, then conv (H, W, R, S, C, OC, stride, groups) or GEMM (M, N, K).
  struct TopoExpect {
    std::size_t layers;
    std::string first;
    std::vector<std::int64_t> dims;
  };
  const std::map<std::string, TopoExpect> topos{
      {"topologies/layers_conv.csv", {12, "rn18_conv1", {224, 224, 7, 7, 3, 64, 2, 1}}},
      {"topologies/layers_gemm.csv", {5, "gpt2_qkt", {1024, 1024, 64}}},
      {"topologies/single/conv_alex_conv1.csv", {1, "alex_conv1", {224, 224, 11, 11, 3, 96, 4, 1}}},
      {"topologies/single/conv_alex_conv2.csv", {1, "alex_conv2", {27, 27, 5, 5, 96, 256, 1, 1}}},
      {"topologies/single/conv_mbv1_conv2_DP.csv", {1, "mbv1_conv2_DP", {112, 112, 3, 3, 32, 32, 1, 32}}},
      {"topologies/single/conv_mbv1_conv3_pw.csv", {1, "mbv1_conv3_pw", {112, 112, 1, 1, 32, 64, 1, 1}}},
      {"topologies/single/conv_rn18_conv1.csv", {1, "rn18_conv1", {224, 224, 7, 7, 3, 64, 2, 1}}},
      {"topologies/single/conv_rn18_conv2_1a.csv", {1, "rn18_conv2_1a", {56, 56, 3, 3, 64, 64, 1, 1}}},
      {"topologies/single/conv_rn18_conv3_s.csv", {1, "rn18_conv3_s", {56, 56, 1, 1, 64, 128, 2, 1}}},
      {"topologies/single/conv_rn18_conv4_1a.csv", {1, "rn18_conv4_1a", {28, 28, 3, 3, 128, 256, 2, 1}}},
      {"topologies/single/conv_rn18_conv5_2a.csv", {1, "rn18_conv5_2a", {7, 7, 3, 3, 512, 512, 1, 1}}},
      {"topologies/single/conv_rn18_fc.csv", {1, "rn18_fc", {1, 1, 1, 1, 512, 1000, 1, 1}}},
      {"topologies/single/conv_rn50_cb2a_3.csv", {1, "rn50_cb2a_3", {56, 56, 1, 1, 64, 256, 1, 1}}},
      {"topologies/single/conv_rn50_ib4b_1.csv", {1, "rn50_ib4b_1", {14, 14, 1, 1, 1024, 256, 1, 1}}},
      {"topologies/single/gemm_gpt2_qkt.csv", {1, "gpt2_qkt", {1024, 1024, 64}}},
      {"topologies/single/gemm_gpt2_qktv.csv", {1, "gpt2_qktv", {1024, 64, 1024}}},
      {"topologies/single/gemm_ncf_gemv.csv", {1, "ncf_gemv", {128, 1, 2048}}},
      {"topologies/single/gemm_tfm_ff_a.csv", {1, "tfm_ff_a", {128, 512, 2048}}},
      {"topologies/single/gemm_tfm_sd_qk.csv", {1, "tfm_sd_qk", {128, 64, 128}}},
  };

  std::vector<std::string> cfg_files, csv_files;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    if (!e.is_regular_file()) continue;
    const std::string rel = fs::relative(e.path(), root).string();
    if (e.path().extension() == ".cfg") cfg_files.push_back(rel);
    if (e.path().extension() == ".csv") csv_files.push_back(rel);
  }
  std::sort(cfg_files.begin(), cfg_files.end());
  std::sort(csv_files.begin(), csv_files.end());
  INFO(cfg_files.size() << " configs and " << csv_files.size() << " topologies under " << root);
  CHECK(cfg_files.size() >= 10);
  CHECK(csv_files.size() >= 19);

  const auto is_gemm = [&](const std::string& rel) {
    std::ifstream in(root + "/" + rel);
    std::string header;
    std::getline(in, header);
    return header.find("IFMAP") == std::string::npos;
  };
  // Every config with the first topology, every topology with the first config.
  for (const std::string& cfg : cfg_files) {
    INFO(cfg);
    const std::string topo = "topologies/layers_gemm.csv";
    const io::GeneratedExperiment g = io::import_scalesim(root + "/" + cfg, root + "/" + topo, true);
    for (const auto& n : g.notes) WARN(n);
    CHECK(g.notes.empty());
    const config::Experiment e = io::load_generated(g);
    const auto it = cfgs.find(cfg);
    if (it == cfgs.end()) {
      WARN("no expected values for " << cfg << " (imported without error)");
      continue;
    }
    const CfgExpect& x = it->second;
    CHECK(e.arch.array.rows == x.rows);
    CHECK(e.arch.array.cols == x.cols);
    CHECK(e.arch.array.dataflow == config::Dataflow::os);
    CHECK(e.arch.ifmap.size_kib == x.sram[0]);
    CHECK(e.arch.weight.size_kib == x.sram[1]);
    CHECK(e.arch.output.size_kib == x.sram[2]);
    CHECK(config::to_string(e.arch.dram.model) == x.dram);
    CHECK(e.arch.dram.bytes_per_cycle == x.bw);
  }
  for (const std::string& topo : csv_files) {
    INFO(topo);
    const bool gemm = is_gemm(topo);
    const config::Experiment e =
        io::load_generated(io::import_scalesim(root + "/configs/a32_sram64_calc.cfg", root + "/" + topo, gemm));
    const auto it = topos.find(topo);
    if (it == topos.end()) {
      WARN("no expected values for " << topo << " (imported " << e.workload.layers.size() << " layers without error)");
      continue;
    }
    const TopoExpect& x = it->second;
    REQUIRE(e.workload.layers.size() == x.layers);
    const ir::Layer& l = e.workload.layers[0];
    CHECK(l.name == x.first);
    if (gemm) {
      REQUIRE(l.kind == ir::LayerKind::gemm);
      CHECK(std::vector<std::int64_t>{l.gemm.m, l.gemm.n, l.gemm.k} == x.dims);
    } else {
      REQUIRE(l.kind == ir::LayerKind::conv2d);
      const ir::Conv2dParams& c = l.conv;
      CHECK(std::vector<std::int64_t>{c.h, c.w, c.kernel_h, c.kernel_w, c.c, c.out_channels, c.stride_h, c.groups} ==
            x.dims);
      CHECK(c.stride_w == c.stride_h);
    }
  }
}

// ---- errors ------------------------------------------------------------------------------------

TEST_CASE("import scalesim topology errors name the file, row and column", "[unit][import]") {
  const std::string h = kConvHeader;
  CHECK(errors_of(kCfg, h + kConvRow + "c2,8,8,3,x,2,4,1,\n") ==
        "t.csv:3:10 workload.layers.1.kernel_w: Filter Width: expected an integer, got 'x'");
  CHECK(errors_of(kCfg, h + "c1,8,8,3,\n") ==
        "t.csv:2:1 workload.layers.0: expected 8 columns (Layer name, IFMAP Height, IFMAP Width, Filter Height, "
        "Filter Width, Channels, Num Filter, Strides) and an optional Stride width, got 4");
  CHECK(errors_of(kCfg, h + "c1,8,8,3,3,2,4,1,1,Eh,\n") ==
        "t.csv:2:20 workload.layers.0: unexpected column 10 'Eh'; a convolution row has at most 9 (..., Strides, "
        "Stride width)");
  CHECK(errors_of(kCfg, h + "\"c1,8,8,3,3,2,4,1,\n") == "t.csv:2:1 (csv): quoted field is never closed");
  CHECK(errors_of(kCfg, h) == "t.csv:1:1 workload.layers: no layers: the topology has a header line and no rows");
  CHECK(errors_of(kCfg, "") ==
        "t.csv:1:1 workload.layers: the topology file is empty; expected a header line and one row per layer");
  CHECK(errors_of(kCfg, "Layer,M,N,K,\ng,1,2,3,\n") ==
        "t.csv:1:1 (header): this is a GEMM topology (header 'Layer, M, N, K'): add --gemm");
  CHECK(errors_of(kCfg, h + kConvRow, true) ==
        "t.csv:1:1 (header): this is a convolution topology (IFMAP and Filter columns): remove --gemm");
  CHECK(errors_of(kCfg, "Layer,M,N,K,\ng,1,2,\n", true) ==
        "t.csv:2:1 workload.layers.0: expected 4 columns (Layer, M, N, K), got 3");
  CHECK(errors_of(kCfg, "Layer,M,N,K,\ng,1,2,3,4,\n", true) ==
        "t.csv:2:9 workload.layers.0: unexpected column 5 '4'; a GEMM row has 4 columns (Layer, M, N, K)");
  // Values arraysim rejects are reported where they are in the CSV, with the arraysim key.
  CHECK(errors_of(kCfg, h + "c1,4,8,5,3,2,4,1,\nc2,8,8,3,3,2,4,0,\n") ==
        "t.csv:2:8 workload.layers.0.kernel_h: dilated kernel height 5 exceeds padded input height 4\n"
        "t.csv:3:16 workload.layers.1.stride_h: must be in 1..2^40 (1099511627776), got 0\n"
        "t.csv:3:16 workload.layers.1.stride_w: must be in 1..2^40 (1099511627776), got 0");
  CHECK(errors_of(kCfg, "Layer,M,N,K,\ng,0,2,3,\n", true) ==
        "t.csv:2:3 workload.layers.0.m: must be in 1..2^40 (1099511627776), got 0");
}

TEST_CASE("import scalesim cfg errors name the file, line and key", "[unit][import]") {
  const std::string t = std::string(kConvHeader) + kConvRow;
  CHECK(errors_of(replace(kCfg, "ArrayHeight", "ArrayHieght"), t) ==
        "t.cfg:5:1 architecture_presets.ArrayHieght: unknown key (did you mean 'ArrayHeight'?)");
  CHECK(errors_of(replace(kCfg, "ArrayHeight:    8", "ArrayHeight: eight"), t) ==
        "t.cfg:5:14 arch.array.rows: ArrayHeight: expected an integer, got 'eight'");
  CHECK(errors_of(replace(kCfg, "Dataflow : ws", "Dataflow : WS"), t) ==
        "t.cfg:13:12 arch.array.dataflow: Dataflow: 'WS' is not one of os|ws|is (did you mean 'ws'?)");
  CHECK(errors_of(replace(kCfg, "InterfaceBandwidth: USER", "InterfaceBandwidth: user"), t) ==
        "t.cfg:18:21 run_presets.InterfaceBandwidth: InterfaceBandwidth: 'user' is not USER or CALC (SCALE-Sim "
        "needs upper case: 'USER')");
  CHECK(errors_of(replace(kCfg, "Bandwidth : 4\n", ""), t) ==
        "t.cfg:4:1 architecture_presets.Bandwidth: missing required key (Bandwidth: DRAM words per cycle in USER "
        "mode, an integer)");
  CHECK(errors_of(replace(kCfg, "Bandwidth : 4\n", "") + "Bandwidth : 4\n", t) ==
        "t.cfg:18:1 run_presets.Bandwidth: 'Bandwidth' belongs in [architecture_presets], not [run_presets]");
  CHECK(errors_of(replace(kCfg, "[run_presets]\nInterfaceBandwidth: USER\n", ""), t) ==
        "t.cfg:1:1 run_presets: missing required section [run_presets]");
  CHECK(errors_of(replace(kCfg, "[architecture_presets]", "[architecture_preset]"), t) ==
        "t.cfg:4:1 architecture_preset: unknown section [architecture_preset] (did you mean "
        "[architecture_presets]?)");
  CHECK(errors_of("run_name = x\n" + std::string(kCfg), t) ==
        "t.cfg:1:1 run_name: key before the first [section] header");
  CHECK(errors_of(replace(kCfg, "MemoryBanks: 1", "MemoryBanks 1"), t) ==
        "t.cfg:15:1 (cfg): expected 'key = value', 'key: value' or '[section]', got 'MemoryBanks 1'");
  CHECK(errors_of(replace(kCfg, "MemoryBanks: 1", "arrayheight: 9"), t) ==
        "t.cfg:15:1 architecture_presets.arrayheight: key appears twice in [architecture_presets] (keys are "
        "case-insensitive)");
  // Values arraysim rejects are reported at the .cfg line they came from.
  CHECK(errors_of(replace(kCfg, "ArrayWidth:     4", "ArrayWidth:     5000"), t) ==
        "t.cfg:6:17 arch.array.cols: must be in 1..4096, got 5000");
  CHECK(errors_of(replace(kCfg, "OfmapSramSzkB:    4", "OfmapSramSzkB:    0"), t) ==
        "t.cfg:9:19 arch.scratchpad.output.size_kib: must be in 0.0009765625..1048576, got 0");
  CHECK(errors_of(replace(kCfg, "Bandwidth : 4", "Bandwidth : 0"), t) ==
        "t.cfg:14:13 arch.dram.bytes_per_cycle: must be in 0.0009765625..1048576, got 0");
}

TEST_CASE("import scalesim warns about ignored keys and SCALE-Sim quirks", "[unit][import]") {
  const std::string t = std::string(kConvHeader) + kConvRow;
  CHECK(notes_of(replace(kCfg, "MemoryBanks: 1", "Frobnicate: 1"), t) ==
        "warning: t.cfg:15:1 architecture_presets.Frobnicate: unknown key, ignored\n");
  CHECK(notes_of(std::string(kCfg) + "[my_notes]\nwho = me\n", t) ==
        "warning: t.cfg:19:1 my_notes: unknown section [my_notes], ignored with its keys\n");
  CHECK(notes_of(replace(kCfg, "Bandwidth : 4", "Bandwidth : 4,8,8"), t) ==
        "warning: t.cfg:14:13 architecture_presets.Bandwidth: 3 values; SCALE-Sim v2 uses the first (4) and so "
        "does arraysim\n");
  CHECK(notes_of(std::string(kCfg) + "[sparsity]\nSparsitySupport : true\n", t) ==
        "warning: t.cfg:20:19 sparsity.SparsitySupport: sparsity is not modelled; arraysim simulates dense layers\n");
  CHECK(notes_of(kCfg, "c0,8,8,3,3,2,4,1,\n" + std::string(kConvRow)) ==
        "warning: t.csv:1:1 (header): the first line looks like a layer, but it is read as the header and skipped, "
        "as SCALE-Sim does\n");
  CHECK(notes_of(kCfg, std::string(kConvHeader) + kConvRow + kConvRow) ==
        "warning: t.csv:3:1 workload.layers.1.name: 'c1' is used by an earlier row; renamed to 'c1_2'\n");
}

TEST_CASE("import scalesim rows: optional stride width, no trailing comma, quoted names, CRLF", "[unit][import]") {
  const std::string t =
      std::string(kConvHeader) + "\"a, b\",9,8,3,3,2,4,2,1,\r\nplain,8,8,3,3,2,4,1\r\n,8,8,1,1,2,4,1,,,\r\n";
  const config::Experiment e = io::load_generated(io::import_scalesim_text(kCfg, "t.cfg", t, "t.csv", false));
  REQUIRE(e.workload.layers.size() == 3);
  CHECK(e.workload.layers[0].name == "a, b");
  CHECK(e.workload.layers[0].conv.stride_h == 2);
  CHECK(e.workload.layers[0].conv.stride_w == 1);
  CHECK(e.workload.layers[0].conv.h == 9);
  CHECK(e.workload.layers[1].name == "plain");
  CHECK(e.workload.layers[1].conv.stride_w == 1);
  CHECK(e.workload.layers[2].name == "conv2d2");  // empty name: arraysim's default
  CHECK(e.arch.array.rows == 8);
  CHECK(e.arch.array.cols == 4);
  CHECK(e.arch.array.dataflow == config::Dataflow::ws);
  CHECK(e.arch.ifmap.size_kib == 16);
  CHECK(e.arch.weight.size_kib == 8);
  CHECK(e.arch.output.size_kib == 4);
  CHECK(e.arch.ifmap.word_bytes == 8);
  CHECK(e.arch.dram.bytes_per_cycle == 4);
}

TEST_CASE("import scalesim file errors", "[unit][import]") {
  const std::string missing = src_path(kData + "no_such.cfg");
  try {
    io::import_scalesim(missing, src_path(kData + "layers_conv.csv"), false);
    FAIL("no error");
  } catch (const config::ConfigError& e) {
    CHECK(std::string(e.what()) == missing + ":1:1 (file): cannot read SCALE-Sim config: No such file or directory");
  }
}
