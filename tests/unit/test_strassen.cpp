/// Strassen's GEMM, 1 and 2 levels, in exact integer arithmetic (sim/lower/strassen.hpp): against
/// the golden GEMM on random shapes (odd sizes padded), and the multiplication and addition counts
/// (docs/transforms.md).
#include <catch2/catch.hpp>

#include <random>

#include "models/golden/golden.hpp"
#include "sim/lower/strassen.hpp"

using namespace arraysim;

TEST_CASE("strassen: int8 GEMMs equal the golden GEMM on 100 random shapes per level count", "[strassen]") {
  std::mt19937 rng(5);
  auto pick = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  for (int levels : {1, 2}) {
    for (int trial = 0; trial < 100; ++trial) {
      const std::int64_t m = pick(1, 21), n = pick(1, 21), k = pick(1, 21);
      INFO("levels " << levels << " trial " << trial << ": " << m << "x" << k << " . " << k << "x" << n);
      ir::Tensor a(ir::DType::int8, {m, k}), b(ir::DType::int8, {k, n});
      ir::fill_random(a, 300 + static_cast<std::uint64_t>(trial), 0);
      ir::fill_random(b, 300 + static_cast<std::uint64_t>(trial), 1);
      const ir::Tensor direct = golden::gemm(a, b, ir::DType::int32);
      const ir::Tensor fast = lower::strassen_gemm(a, b, levels, ir::DType::int32);
      REQUIRE(fast.shape() == direct.shape());
      for (std::int64_t i = 0; i < direct.size(); ++i) REQUIRE(fast.get_i64(i) == direct.get_i64(i));
    }
  }
}

TEST_CASE("strassen: multiplication and addition counts", "[strassen]") {
  // 64 x 32 · 32 x 16: direct 64·16·32 = 32,768 MACs.
  const ir::GemmDims d{64, 16, 32, 1};
  const lower::StrassenCounts one = lower::strassen_counts(d, 1);
  // One level: 7 products of 32x16 · 16x8 = 7·4,096 = 28,672 = 7/8 of direct. Additions: A-block
  // sums 5·32·16 = 2,560, B-block sums 5·16·8 = 640, C combination 8·32·8 = 2,048: 5,248.
  CHECK(one.products == 7);
  CHECK(one.block.m == 32);
  CHECK(one.block.k == 16);
  CHECK(one.block.n == 8);
  CHECK(one.direct_macs == 32768);
  CHECK(one.multiplications == 28672);
  CHECK(one.multiplications * 8 == one.direct_macs * 7);
  CHECK(one.additions == 5248);
  // Two levels: 49 products of 16x8 · 8x4 = 49·512 = 25,088 = 49/64 of direct. Additions: the
  // first level's 5,248, then 7 × (5·16·8 + 5·8·4 + 8·16·4) = 7 × 1,312 = 9,184: 14,432.
  const lower::StrassenCounts two = lower::strassen_counts(d, 2);
  CHECK(two.products == 49);
  CHECK(two.multiplications == 25088);
  CHECK(two.multiplications * 64 == two.direct_macs * 49);
  CHECK(two.additions == 14432);
  // Odd sizes are padded: 5 x 3 · 3 x 7 at one level: blocks 3x2 · 2x4, 7·24 = 168 against 105.
  const lower::StrassenCounts odd = lower::strassen_counts({5, 7, 3, 1}, 1);
  CHECK(odd.block.m == 3);
  CHECK(odd.block.k == 2);
  CHECK(odd.block.n == 4);
  CHECK(odd.multiplications == 168);
  CHECK(odd.direct_macs == 105);
}

TEST_CASE("strassen: what it cannot serve is refused", "[strassen]") {
  ir::Tensor a(ir::DType::int8, {4, 4}), b(ir::DType::int8, {4, 4}), c(ir::DType::int8, {3, 4});
  CHECK_THROWS_WITH(lower::strassen_gemm(a, b, 3, ir::DType::int32), "strassen: 3 levels (1 or 2 are provided)");
  CHECK_THROWS_WITH(lower::strassen_gemm(a, c, 1, ir::DType::int32), "strassen: A [M][K] and B [K][N] must agree on K");
  ir::Tensor f(ir::DType::fp32, {4, 4});
  CHECK_THROWS_WITH(lower::strassen_gemm(f, f, 1, ir::DType::fp32), "strassen: integer operands and accumulators only");
}
