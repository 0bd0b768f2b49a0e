/// models/analytic: the closed-form cycle counts against (1) a per-fold simulation of the timing
/// recurrences of docs/timing.md, (2) a per-PE event simulation of the microarchitecture that
/// checks the recurrences are conflict-free and tight, (3) hand-derived cases, (4) SCALE-Sim v2's
/// formulas.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <tuple>
#include <vector>

#include "models/analytic/systolic.hpp"
#include "models/ir/tensor.hpp"
#include "tests/support.hpp"

using namespace arraysim;
using analytic::Dataflow;

namespace {

using i64 = std::int64_t;

/// Uniform integer in [lo, hi] from a hash stream.
struct Rng {
  std::uint64_t state;
  i64 operator()(i64 lo, i64 hi) {
    state = ir::splitmix64(state);
    return lo + static_cast<i64>(state % static_cast<std::uint64_t>(hi - lo + 1));
  }
};

i64 cdiv(i64 a, i64 b) { return (a + b - 1) / b; }

ir::GemmDims dims(i64 m, i64 n, i64 k, i64 groups = 1) {
  ir::GemmDims g;
  g.m = m, g.n = n, g.k = k, g.groups = groups;
  return g;
}

i64 total(Dataflow df, i64 r, i64 c, i64 m, i64 n, i64 k, i64 groups = 1) {
  return analytic::systolic_cycles(df, r, c, dims(m, n, k, groups)).total_cycles;
}

/// One fold: rows and columns of the array it uses.
struct Fold {
  i64 rows_used, cols_used;
};

/// The fold sequence of the spec: groups one after another; WS n-fold outer / k-fold inner,
/// IS m-fold outer / k-fold inner, OS m-fold outer / n-fold inner.
std::vector<Fold> fold_sequence(Dataflow df, i64 R, i64 C, const ir::GemmDims& g) {
  i64 row_dim = 0, col_dim = 0;  // GEMM dims mapped onto rows and columns
  switch (df) {
    case Dataflow::ws: row_dim = g.k, col_dim = g.n; break;
    case Dataflow::is: row_dim = g.k, col_dim = g.m; break;
    case Dataflow::os: row_dim = g.m, col_dim = g.n; break;
  }
  std::vector<Fold> folds;
  for (i64 grp = 0; grp < g.groups; ++grp) {
    if (df == Dataflow::os) {
      for (i64 r0 = 0; r0 < row_dim; r0 += R)
        for (i64 c0 = 0; c0 < col_dim; c0 += C) folds.push_back({std::min(R, row_dim - r0), std::min(C, col_dim - c0)});
    } else {
      for (i64 c0 = 0; c0 < col_dim; c0 += C)
        for (i64 r0 = 0; r0 < row_dim; r0 += R) folds.push_back({std::min(R, row_dim - r0), std::min(C, col_dim - c0)});
    }
  }
  return folds;
}

/// Streamed length T: WS M, IS N, OS K.
i64 stream_len(Dataflow df, const ir::GemmDims& g) { return df == Dataflow::ws ? g.m : df == Dataflow::is ? g.n : g.k; }

/// Fold start parameters of the recurrences: L_f (weight/input load start) for WS/IS, s_f for OS.
std::vector<i64> recurrence_starts(Dataflow df, i64 R, const ir::GemmDims& g, const std::vector<Fold>& folds) {
  const i64 T = stream_len(df, g);
  std::vector<i64> starts;
  i64 x = 0;  // L_0 = 0 (WS/IS), s_0 = 0 (OS)
  for (const Fold& f : folds) {
    starts.push_back(x);
    if (df == Dataflow::os)
      x += g.k + f.rows_used;  // s_{f+1} = s_f + K + R_f
    else
      x += R + T + f.cols_used - 1;  // L_{f+1} = s_f + T + C_f − 1 with s_f = L_f + R
  }
  return starts;
}

/// Per-fold simulation of the recurrences: index of the last output cycle + 1 (max over folds).
i64 per_fold_total(Dataflow df, i64 R, i64 C, const ir::GemmDims& g) {
  const std::vector<Fold> folds = fold_sequence(df, R, C, g);
  const std::vector<i64> starts = recurrence_starts(df, R, g, folds);
  const i64 T = stream_len(df, g);
  i64 last = -1;
  for (std::size_t f = 0; f < folds.size(); ++f) {
    const i64 Rf = folds[f].rows_used, Cf = folds[f].cols_used;
    if (df == Dataflow::os) {
      const i64 s = starts[f];
      last = std::max(last, s + g.k + Rf - 1 + (Cf - 1) + R - 1);  // d_{C_f−1} + R − 1
    } else {
      const i64 s = starts[f] + R;
      last = std::max(last, s + (T - 1) + (R - 1) + (Cf - 1));
    }
  }
  return last + 1;
}

/// The spec's OS closed form taken literally (last output = last fold's last output).
i64 spec_os_literal(i64 R, i64 C, const ir::GemmDims& g) {
  const i64 fn = cdiv(g.n, C);
  const i64 F = g.groups * cdiv(g.m, R) * fn;
  return F * g.k + g.groups * fn * g.m + (g.n - (fn - 1) * C) + R - 2;
}

/// Per-PE event simulation of the spec's microarchitecture for given fold starts. Records, per
/// resource and cycle, which fold holds it; `conflict` is set when two folds need one resource in
/// one cycle. Resources: WS/IS weight register and psum/MAC slot of each PE, output write port of
/// each column; OS accumulator of each PE (from the first MAC through the end of its drain shift,
/// only cycles in which it holds a real value) and the bottom emission port of each column.
struct EventSim {
  bool conflict = false;
  i64 last_output = -1;
  std::map<std::tuple<int, i64, i64, i64>, std::size_t> owner;  // (resource, i, j, cycle) → fold

  void take(int res, i64 i, i64 j, i64 cycle, std::size_t fold) {
    auto [it, fresh] = owner.emplace(std::make_tuple(res, i, j, cycle), fold);
    if (!fresh && it->second != fold) conflict = true;
  }
  void take_range(int res, i64 i, i64 j, i64 from, i64 to, std::size_t fold) {
    for (i64 c = from; c <= to; ++c) take(res, i, j, c, fold);
  }

  void run(Dataflow df, i64 R, i64 C, const ir::GemmDims& g, const std::vector<Fold>& folds,
           const std::vector<i64>& starts) {
    const i64 T = stream_len(df, g);
    enum { weight = 0, mac = 1, port = 2, acc = 3 };
    for (std::size_t f = 0; f < folds.size(); ++f) {
      const i64 Rf = folds[f].rows_used, Cf = folds[f].cols_used;
      if (df != Dataflow::os) {
        const i64 L = starts[f], s = L + R;
        // A load shifts whole rows down all C columns (zeros where unused): every weight
        // register of row i is busy from L+i (first overwrite) through L+R−1 (last shift).
        for (i64 i = 0; i < R; ++i)
          for (i64 j = Cf; j < C; ++j) take_range(weight, i, j, L + i, L + R - 1, f);
        for (i64 i = 0; i < R; ++i)
          for (i64 j = 0; j < Cf; ++j) {
            // Used columns: then held for rows m of the stream up to s + T−1 + i + j.
            take_range(weight, i, j, L + i, s + T - 1 + i + j, f);
            for (i64 m = 0; m < T; ++m) {
              const i64 at = s + m + i + j;
              REQUIRE(at >= L + R);  // weights loaded before first use
              take(mac, i, j, at, f);
            }
          }
        for (i64 j = 0; j < Cf; ++j)
          for (i64 m = 0; m < T; ++m) {
            const i64 out = s + m + (R - 1) + j;
            take(port, 0, j, out, f);
            last_output = std::max(last_output, out);
          }
      } else {
        const i64 s = starts[f];
        for (i64 j = 0; j < Cf; ++j) {
          const i64 d = s + g.k + Rf - 1 + j;
          for (i64 i = 0; i < R; ++i) {
            if (i < Rf)
              take_range(acc, i, j, s + i + j, d + i, f);  // MACs k = 0..K−1, then own value and
                                                           // the values of rows above pass
            else
              take_range(acc, i, j, d + i - Rf + 1, d + i, f);  // only real values passing down
          }
          for (i64 r = 0; r < Rf; ++r) {
            const i64 out = d + R - 1 - r;
            take(port, 0, j, out, f);
            last_output = std::max(last_output, out);
          }
        }
      }
    }
  }
};

const char* name(Dataflow df) { return analytic::dataflow_name(df); }

/// The per-PE timing grid of docs/timing.md for a tiny layer, drawn from the spec's per-PE rules
/// and the fold starts of the recurrences. Cells: `wX` weight/input load of fold X (WS/IS);
/// `Xm` MAC of fold X with stream index m (WS/IS: row m of A resp. column m of B; OS: k = m);
/// `Xm'` pass-through of a psum in a row unused by fold X (zero weight); `=` OS accumulator
/// holding its result; `sX` OS drain shift of fold X. `out` lines: what leaves column j in that
/// cycle (WS/IS: stream index; OS: row r of the fold's output tile).
std::string timing_grid(Dataflow df, i64 R, i64 C, const ir::GemmDims& g) {
  const std::vector<Fold> folds = fold_sequence(df, R, C, g);
  const std::vector<i64> starts = recurrence_starts(df, R, g, folds);
  const i64 T = stream_len(df, g);
  std::map<std::tuple<i64, i64, i64>, std::string> cell;  // (i, j, cycle); i = R: output line
  i64 last = 0;
  for (std::size_t f = 0; f < folds.size(); ++f) {
    const std::string x(1, static_cast<char>('a' + f));
    const i64 Rf = folds[f].rows_used, Cf = folds[f].cols_used;
    if (df != Dataflow::os) {
      const i64 L = starts[f], s = L + R;
      for (i64 i = 0; i < R; ++i)
        for (i64 j = 0; j < C; ++j)
          for (i64 c = L + i; c < L + R; ++c) cell[{i, j, c}] = "w" + x;
      for (i64 i = 0; i < R; ++i)
        for (i64 j = 0; j < Cf; ++j)
          for (i64 m = 0; m < T; ++m) cell[{i, j, s + m + i + j}] = x + std::to_string(m) + (i < Rf ? "" : "'");
      for (i64 j = 0; j < Cf; ++j)
        for (i64 m = 0; m < T; ++m) {
          cell[{R, j, s + m + R - 1 + j}] = x + std::to_string(m);
          last = std::max(last, s + m + R - 1 + j);
        }
    } else {
      const i64 s = starts[f];
      for (i64 j = 0; j < Cf; ++j) {
        const i64 d = s + g.k + Rf - 1 + j;
        for (i64 i = 0; i < R; ++i)
          for (i64 c = d; c <= d + i; ++c) cell[{i, j, c}] = "s" + x;
        for (i64 i = 0; i < Rf; ++i) {
          for (i64 k = 0; k < g.k; ++k) cell[{i, j, s + k + i + j}] = x + std::to_string(k);
          for (i64 c = s + g.k + i + j; c < d; ++c) cell[{i, j, c}] = "=";
        }
        for (i64 r = 0; r < Rf; ++r) {
          cell[{R, j, d + R - 1 - r}] = x + std::to_string(r);
          last = std::max(last, d + R - 1 - r);
        }
      }
    }
  }
  const char out_dim = df == Dataflow::is ? 'm' : 'n';
  std::string text = "cycle     ";
  char buf[32];
  for (i64 c = 0; c <= last; ++c) std::snprintf(buf, sizeof buf, "%4lld", static_cast<long long>(c)), text += buf;
  for (i64 i = 0; i <= R; ++i)
    for (i64 j = 0; j < C; ++j) {
      if (i < R)
        std::snprintf(buf, sizeof buf, "PE(%lld,%lld)   ", static_cast<long long>(i), static_cast<long long>(j));
      else
        std::snprintf(buf, sizeof buf, "out %c%lld    ", out_dim, static_cast<long long>(j));
      text += "\n" + std::string(buf);
      for (i64 c = 0; c <= last; ++c) {
        auto it = cell.find({i, j, c});
        std::snprintf(buf, sizeof buf, "%4s", it == cell.end() ? "." : it->second.c_str());
        text += buf;
      }
    }
  return text + "\n";
}

}  // namespace

TEST_CASE("analytic: closed forms equal the per-fold recurrences on 3000 random layers", "[unit][analytic]") {
  Rng rng{20240611};
  int r1 = 0, c1 = 0, ragged = 0, smaller = 0, grouped = 0, os_tail = 0;
  const Dataflow dfs[] = {Dataflow::os, Dataflow::ws, Dataflow::is};
  for (int it = 0; it < 3000; ++it) {
    const Dataflow df = dfs[rng(0, 2)];
    const i64 R = rng(0, 4) == 0 ? 1 : rng(1, 33);
    const i64 C = rng(0, 4) == 0 ? 1 : rng(1, 33);
    auto dim = [&](i64 array) { return rng(0, 2) == 0 ? rng(1, array + 2) : rng(1, 97); };
    const i64 M = dim(df == Dataflow::os ? R : C);
    const i64 N = dim(C);
    const i64 K = rng(0, 3) == 0 ? rng(1, 3) : dim(R);
    const i64 G = rng(0, 2) == 0 ? rng(2, 4) : 1;
    const ir::GemmDims g = dims(M, N, K, G);
    INFO(name(df) << " R" << R << " C" << C << " M" << M << " N" << N << " K" << K << " G" << G);

    const analytic::SystolicEstimate e = analytic::systolic_cycles(df, R, C, g);
    REQUIRE(e.total_cycles == per_fold_total(df, R, C, g));
    REQUIRE(e.folds == static_cast<i64>(fold_sequence(df, R, C, g).size()));
    REQUIRE(e.macs == G * M * N * K);
    REQUIRE(e.pe_utilization == Approx(static_cast<double>(e.macs) / static_cast<double>(R * C * e.total_cycles)));
    REQUIRE(e.pe_utilization > 0.0);
    REQUIRE(e.pe_utilization <= 1.0);

    r1 += R == 1;
    c1 += C == 1;
    ragged += M % R != 0 || N % C != 0 || K % R != 0 || M % C != 0;
    smaller += M < R || N < C || K < R || M < C;
    grouped += G > 1;
    if (df == Dataflow::os && e.total_cycles != spec_os_literal(R, C, g)) ++os_tail;
  }
  CHECK(r1 > 300);
  CHECK(c1 > 300);
  CHECK(ragged > 1500);
  CHECK(smaller > 500);
  CHECK(grouped > 500);
  CHECK(os_tail > 20);  // the generator reaches the OS case where fold F−2 emits last
}

TEST_CASE("analytic: the recurrences are conflict-free and tight per PE (event simulation)", "[unit][analytic]") {
  Rng rng{99};
  const Dataflow dfs[] = {Dataflow::os, Dataflow::ws, Dataflow::is};
  for (int it = 0; it < 600; ++it) {
    const Dataflow df = dfs[it % 3];
    const i64 R = rng(1, 5), C = rng(1, 5);
    const ir::GemmDims g = dims(rng(1, 9), rng(1, 9), rng(1, 9), rng(1, 2));
    INFO(name(df) << " R" << R << " C" << C << " M" << g.m << " N" << g.n << " K" << g.k << " G" << g.groups);
    const std::vector<Fold> folds = fold_sequence(df, R, C, g);
    const std::vector<i64> starts = recurrence_starts(df, R, g, folds);

    EventSim ok;
    ok.run(df, R, C, g, folds, starts);
    REQUIRE_FALSE(ok.conflict);
    REQUIRE(ok.last_output + 1 == total(df, R, C, g.m, g.n, g.k, g.groups));

    // Tight: starting any fold one cycle earlier (later folds unchanged) breaks a resource.
    for (std::size_t f = 1; f < folds.size(); ++f) {
      std::vector<i64> early = starts;
      --early[f];
      EventSim bad;
      bad.run(df, R, C, g, folds, early);
      INFO("fold " << f << " one cycle early");
      REQUIRE(bad.conflict);
    }
  }
}

// Hand-derived cases. Notation: F folds, s_f stream/MAC start of fold f, C_f/R_f used columns/rows.
TEST_CASE("analytic: hand-derived WS cases", "[unit][analytic]") {
  const Dataflow ws = Dataflow::ws;
  // 1x1, M=N=K=1: weight load cycle 0, s=1, the one psum leaves PE(0,0) at 1 → 2.
  CHECK(total(ws, 1, 1, 1, 1, 1) == 2);
  // 1x1, M=3 N=2 K=2: F=2·2=4 folds; period R+M−1+C_f = 1+3−1+1 = 4; s_3 = 1+3·4 = 13;
  // last psum s_3 + (M−1) + (R−1) + (C_f−1) = 13+2 = 15 → 16.
  CHECK(total(ws, 1, 1, 3, 2, 2) == 16);
  // 4x4, M=5 N=4 K=4, one full fold: weight load 4 (cycles 0..3) + stream M=5 + skew down R−1=3
  // + across C−1=3 = 15 (= 2R + C + T − 2).
  CHECK(total(ws, 4, 4, 5, 4, 4) == 15);
  // 3x5, M=4 N=7 K=5: Fk=2, Fn=2; folds (n0,k0) C=5, (n0,k1) C=5, (n1,k0) C=2, (n1,k1) C=2;
  // period 3+4−1+C_f = 11, 11, 8; s_0=3, s_3 = 3+11+11+8 = 33; last 33+3+2+1 = 39 → 40.
  CHECK(total(ws, 3, 5, 4, 7, 5) == 40);
  // 1x8, M=2 N=3 K=3: Fk=3, Fn=1, C_f=3; period 1+2−1+3 = 5; s_2 = 1+10 = 11; last 11+1+0+2 = 14 → 15.
  CHECK(total(ws, 1, 8, 2, 3, 3) == 15);
  // 8x1, M=3 N=2 K=10: Fk=2 (8+2 rows, the edge fold still loads and traverses all 8 rows), Fn=2,
  // C_f=1; period 8+3−1+1 = 11; s_3 = 8+33 = 41; last 41+2+7+0 = 50 → 51.
  CHECK(total(ws, 8, 1, 3, 2, 10) == 51);
  // 2x2, M=3 N=3 K=3, G=2: per group (n0,k0) C=2, (n0,k1) C=2, (n1,k0) C=1, (n1,k1) C=1; F=8;
  // periods 2+3−1+C_f = 6,6,5,5,6,6,5; s_7 = 2+39 = 41; last 41+2+1+0 = 44 → 45.
  CHECK(total(ws, 2, 2, 3, 3, 3, 2) == 45);
  // 4x4, M=N=K=1 (everything smaller than the array): load 4, s=4, psum passes 4 rows: 4+3 = 7 → 8.
  CHECK(total(ws, 4, 4, 1, 1, 1) == 8);
  const analytic::SystolicEstimate e = analytic::systolic_cycles(ws, 4, 4, dims(5, 4, 4));
  CHECK(e.folds == 1);
  CHECK(e.macs == 80);
  CHECK(e.pe_utilization == Approx(80.0 / (16.0 * 15.0)));
}

TEST_CASE("analytic: hand-derived IS cases", "[unit][analytic]") {
  const Dataflow is = Dataflow::is;
  // 1x1, M=N=K=1: input load cycle 0, s=1, output at 1 → 2.
  CHECK(total(is, 1, 1, 1, 1, 1) == 2);
  // 4x4, M=4 N=5 K=4, one full fold: input load 4 + stream N=5 + R−1=3 + C−1=3 = 15.
  CHECK(total(is, 4, 4, 4, 5, 4) == 15);
  // 3x5, M=7 N=4 K=5: WS case with M↔N: Fk=2, Fm=2; periods 3+4−1+C_f = 11,11,8; s_3 = 33;
  // last 33+3+2+1 = 39 → 40.
  CHECK(total(is, 3, 5, 7, 4, 5) == 40);
  // 1x8, M=20 N=2 K=2: Fk=2, Fm=3 (8, 8, 4 columns); F=6; periods 1+2−1+C_f = 10,10,10,10,6;
  // s_5 = 1+46 = 47; last 47+1+0+3 = 51 → 52.
  CHECK(total(is, 1, 8, 20, 2, 2) == 52);
  // 8x1, M=2 N=3 K=9: Fk=2 (8+1 rows), Fm=2, C_f=1; period 8+3−1+1 = 11; s_3 = 8+33 = 41;
  // last 41+2+7+0 = 50 → 51.
  CHECK(total(is, 8, 1, 2, 3, 9) == 51);
  // 2x3, M=4 N=2 K=2, G=3: Fk=1, Fm=2 (3, 1 columns); F=6; periods 2+2−1+C_f = 6,4,6,4,6;
  // s_5 = 2+26 = 28; last 28+1+1+0 = 30 → 31.
  CHECK(total(is, 2, 3, 4, 2, 2, 3) == 31);
  // 4x4, M=4 N=1 K=5: edge k-fold of 1 row: Fk=2, C_f=4; period 4+1−1+4 = 8; s_1 = 12;
  // last 12+0+3+3 = 18 → 19.
  CHECK(total(is, 4, 4, 4, 1, 5) == 19);
}

TEST_CASE("analytic: hand-derived OS cases", "[unit][analytic]") {
  const Dataflow os = Dataflow::os;
  // 1x1, M=N=K=1: MAC at 0, drain d=1, emitted at d+R−1 = 1 → 2.
  CHECK(total(os, 1, 1, 1, 1, 1) == 2);
  // 2x2, M=N=2, K=3: last MAC PE(1,1) at 2+1+1 = 4; drain of column 1 d_1 = 0+3+2−1+1 = 5;
  // row 0 leaves the bottom at d_1+R−1 = 6 → 7 (= K + 2R + C − 2).
  CHECK(total(os, 2, 2, 2, 2, 3) == 7);
  // 1x1, M=2 N=3 K=4: F=6, s_{f+1} = s_f + K + R_f = s_f + 5; s_5 = 25; last
  // s_5 + K + R_f + C_f + R − 3 = 25+4+1+1+1−3 = 29 → 30.
  CHECK(total(os, 1, 1, 2, 3, 4) == 30);
  // 3x5, M=7 N=6 K=4: Fm=3 (3,3,1 rows), Fn=2 (5,1 cols); R_f = 3,3,3,3,1,1; s = 0,7,14,21,28,33;
  // fold 5: 33+4+1+1+3−3 = 39; fold 4 (5 cols): 28+4+1+5+3−3 = 38 → 40.
  CHECK(total(os, 3, 5, 7, 6, 4) == 40);
  // 1x8, M=3 N=10 K=2: Fm=3, Fn=2 (8,2 cols); s_f = 3f; the full-width fold 4 emits last:
  // 12+2+1+8+1−3 = 21, fold 5 only 15+2+1+2+1−3 = 18 → 22 (the spec's literal formula gives 19).
  CHECK(total(os, 1, 8, 3, 10, 2) == 22);
  CHECK(spec_os_literal(1, 8, dims(3, 10, 2)) == 19);
  // 1x8, M=1 N=9 K=1: fold 0 column 7 emits at 0+1+1−1+7 = 8, fold 1 (s=2) at 3 → 9 (literal: 4).
  CHECK(total(os, 1, 8, 1, 9, 1) == 9);
  // 8x1, M=10 N=2 K=3: Fm=2 (8,2 rows), Fn=2; R_f = 8,8,2,2; s = 0,11,22,27;
  // last 27+3+2+1+8−3 = 38 → 39.
  CHECK(total(os, 8, 1, 10, 2, 3) == 39);
  // 2x2, M=3 N=3 K=2, G=2: per group R_f = 2,2,1,1, C_f = 2,1,2,1; s steps K+R_f = 4,4,3,3,4,4,3;
  // s_7 = 25; last 25+2+1+1+2−3 = 28 (fold 6: 22+2+1+2+2−3 = 26) → 29.
  CHECK(total(os, 2, 2, 3, 3, 2, 2) == 29);
  // 4x4, M=1 N=1 K=5: PE(0,0) MACs 0..4, d_0 = 5, the value traverses all 4 rows: 5+3 = 8 → 9.
  CHECK(total(os, 4, 4, 1, 1, 5) == 9);
}

TEST_CASE("analytic: SCALE-Sim v2 stall-free cycles", "[unit][analytic]") {
  // OS ⌈M/R⌉·⌈N/C⌉·(K+R+C−2) − 1: 4x4, M=N=K=4: 1·(4+4+4−2) − 1 = 9 (SCALE-Sim#125's example).
  CHECK(analytic::scalesim_v2_cycles(Dataflow::os, 4, 4, dims(4, 4, 4)) == 9);
  // OS 32x32 FC M=1 K=512 N=1024: 1·32·(512+32+32−2) − 1 = 32·574 − 1 = 18367.
  CHECK(analytic::scalesim_v2_cycles(Dataflow::os, 32, 32, dims(1, 1024, 512)) == 18367);
  // WS ⌈K/R⌉·⌈N/C⌉·(2R+C+M−2) − 1: 8x8, M=10 N=20 K=20: 3·3·(16+8+10−2) − 1 = 9·32 − 1 = 287.
  CHECK(analytic::scalesim_v2_cycles(Dataflow::ws, 8, 8, dims(10, 20, 20)) == 287);
  // IS ⌈K/R⌉·⌈M/C⌉·(2R+C+N−2) − 1: 4x6, M=13 N=7 K=9: 3·3·(8+6+7−2) − 1 = 9·19 − 1 = 170.
  CHECK(analytic::scalesim_v2_cycles(Dataflow::is, 4, 6, dims(13, 7, 9)) == 170);
  // Groups extend the fold loop, one final −1: WS 2x2, M=3 N=3 K=3, G=2: 2·2·2·(4+2+3−2) − 1 = 55.
  CHECK(analytic::scalesim_v2_cycles(Dataflow::ws, 2, 2, dims(3, 3, 3, 2)) == 55);
  // A full single fold: arraysim's WS/IS = SCALE-Sim v2 + 1 (no −1), OS = v2 + R + 1 (the extra
  // R-cycle drain through the rows).
  CHECK(total(Dataflow::ws, 4, 4, 5, 4, 4) == analytic::scalesim_v2_cycles(Dataflow::ws, 4, 4, dims(5, 4, 4)) + 1);
  CHECK(total(Dataflow::is, 4, 4, 4, 5, 4) == analytic::scalesim_v2_cycles(Dataflow::is, 4, 4, dims(4, 5, 4)) + 1);
  CHECK(total(Dataflow::os, 4, 4, 4, 4, 4) == analytic::scalesim_v2_cycles(Dataflow::os, 4, 4, dims(4, 4, 4)) + 4 + 1);
}

TEST_CASE("analytic: invalid arguments are rejected", "[unit][analytic]") {
  CHECK_THROWS_AS(analytic::systolic_cycles(Dataflow::os, 0, 4, dims(1, 1, 1)), std::invalid_argument);
  CHECK_THROWS_AS(analytic::systolic_cycles(Dataflow::ws, 4, -1, dims(1, 1, 1)), std::invalid_argument);
  CHECK_THROWS_AS(analytic::systolic_cycles(Dataflow::is, 4, 4, dims(0, 1, 1)), std::invalid_argument);
  CHECK_THROWS_AS(analytic::scalesim_v2_cycles(Dataflow::os, 4, 4, dims(1, 1, 1, 0)), std::invalid_argument);
}

TEST_CASE("analytic: docs/timing.md diagram and comparison table numbers", "[unit][analytic]") {
  // The three timing diagrams of docs/timing.md.
  CHECK(total(Dataflow::ws, 2, 2, 2, 2, 3) == 11);  // WS 2x2, M=2 N=2 K=3: L_1 = 5, s_1 = 7, last 10
  CHECK(total(Dataflow::is, 2, 2, 3, 3, 2) == 12);  // IS 2x2, M=3 N=3 K=2: L_1 = 6, s_1 = 8, last 11
  CHECK(total(Dataflow::os, 2, 2, 4, 2, 3) == 12);  // OS 2x2, M=4 N=2 K=3: s_1 = 5, last 11

  // The diagrams themselves, verbatim.
  std::ifstream in(test::src_path("docs/timing.md"));
  REQUIRE(in.good());
  std::ostringstream doc;
  doc << in.rdbuf();
  for (const std::string& grid :
       {timing_grid(Dataflow::ws, 2, 2, dims(2, 2, 3)), timing_grid(Dataflow::is, 2, 2, dims(3, 3, 2)),
        timing_grid(Dataflow::os, 2, 2, dims(4, 2, 3))}) {
    INFO("docs/timing.md must contain the diagram\n" << grid);
    CHECK(doc.str().find(grid) != std::string::npos);
  }

  // The comparison table: every row, formatted from the functions, must appear verbatim in the doc.
  struct Row {
    const char* layer;
    i64 r, c, m, n, k, g;
  };
  const Row rows[] = {{"gemm 4×4×4", 4, 4, 4, 4, 4, 1},
                      {"gemm 100×100×100", 8, 8, 100, 100, 100, 1},
                      {"conv 3×3, 64→64, 56×56", 32, 32, 3136, 64, 576, 1},
                      {"conv 1×1, 128→128, 28×28", 32, 32, 784, 128, 128, 1},
                      {"fc 512→1024, batch 1", 32, 32, 1, 1024, 512, 1},
                      {"depthwise 3×3, 32 ch, 112×112", 32, 32, 12544, 1, 9, 32}};
  for (const Row& r : rows)
    for (const Dataflow df : {Dataflow::os, Dataflow::ws, Dataflow::is}) {
      const ir::GemmDims g = dims(r.m, r.n, r.k, r.g);
      const analytic::SystolicEstimate e = analytic::systolic_cycles(df, r.r, r.c, g);
      const i64 v2 = analytic::scalesim_v2_cycles(df, r.r, r.c, g);
      char line[256];
      std::snprintf(line, sizeof line,
                    "| %s | %lld×%lld | %lld | %lld | %lld | %lld | %s | %lld | %lld | %lld | %+.1f %% | %.2f %% |",
                    r.layer, static_cast<long long>(r.r), static_cast<long long>(r.c), static_cast<long long>(r.m),
                    static_cast<long long>(r.n), static_cast<long long>(r.k), static_cast<long long>(r.g),
                    analytic::dataflow_name(df), static_cast<long long>(e.folds),
                    static_cast<long long>(e.total_cycles), static_cast<long long>(v2),
                    100.0 * static_cast<double>(e.total_cycles - v2) / static_cast<double>(v2),
                    100.0 * e.pe_utilization);
      INFO("docs/timing.md must contain the row\n" << line);
      CHECK(doc.str().find(line) != std::string::npos);
    }
}
