#include "sim/plan/dataflow.hpp"

#include <algorithm>
#include <utility>

namespace arraysim::plan {

TraceLayout scratchpad_halves(const config::ArchConfig& arch) {
  return {arch.ifmap.tile_budget_bytes(),
          arch.weight.tile_budget_bytes(),
          arch.output.tile_budget_bytes(),
          static_cast<std::int64_t>(ir::dtype_bytes(arch.array.input_dtype)),
          static_cast<std::int64_t>(ir::dtype_bytes(arch.array.weight_dtype)),
          static_cast<std::int64_t>(ir::dtype_bytes(arch.array.accumulator_dtype))};
}

TraceLayout tile_halves(const TraceLayout& halves, const Tile& t) {
  TraceLayout l = halves;
  l.a_base *= t.a_slot, l.b_base *= t.b_slot, l.c_base *= t.c_slot;
  return l;
}

const char* operand_name(Operand op) {
  switch (op) {
    case Operand::a: return "ifmap";
    case Operand::b: return "weight";
    case Operand::c: return "output";
  }
  return "";
}

FoldWords Dataflow::words(const Fold& f) const {
  FoldWords w;
  std::tie(w.a_read, w.b_read) = operand_words(f);
  w.c_write = output_words(f);
  w.c_read = f.accumulate ? w.c_write : 0;
  return w;
}

namespace {

std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return (a + b - 1) / b; }

/// Fold `j` of tile `t` (group, index and k-accumulation from the tile).
Fold make_fold(const Tile& t, std::int64_t j, std::int64_t m0, std::int64_t ml, std::int64_t n0, std::int64_t nl,
               std::int64_t k0, std::int64_t kl, std::int64_t rows_used, std::int64_t cols_used,
               std::int64_t stream_len) {
  Fold f;
  f.index = t.fold_begin + j;
  f.group = t.group;
  f.m0 = m0, f.m_len = ml, f.n0 = n0, f.n_len = nl, f.k0 = k0, f.k_len = kl;
  f.rows_used = rows_used, f.cols_used = cols_used, f.stream_len = stream_len;
  f.accumulate = k0 > 0;
  return f;
}

/// Output stationary: rows map m, columns n, time streams k (docs/timing.md §3).
class OutputStationary final : public Dataflow {
 public:
  config::Dataflow kind() const override { return config::Dataflow::os; }
  bool stationary() const override { return false; }
  Granules granules(std::int64_t rows, std::int64_t cols) const override { return {rows, cols, 1}; }

  std::int64_t folds_in(const Tile& t, std::int64_t rows, std::int64_t cols) const override {
    return ceil_div(t.m_len, rows) * ceil_div(t.n_len, cols);
  }
  Fold fold_at(const Tile& t, std::int64_t rows, std::int64_t cols, std::int64_t j) const override {
    const std::int64_t fn = ceil_div(t.n_len, cols), m0 = j / fn * rows, n0 = j % fn * cols;
    const std::int64_t ml = std::min(rows, t.m_len - m0), nl = std::min(cols, t.n_len - n0);
    return make_fold(t, j, t.m0 + m0, ml, t.n0 + n0, nl, t.k0, t.k_len, ml, nl, t.k_len);
  }

  /// A[m0+i][k] enters row i at s + k + i and B[k][n0+j] column j at s + k + j; column j drains
  /// from d_j = s + K + R_f − 1 + j, row r leaving at d_j + R − 1 − r; PE(0,0) is free again at
  /// s + K + R_f, where the next fold starts.
  FoldStep step(const Fold& f, std::int64_t s, std::int64_t R) const override {
    const std::int64_t T = f.stream_len, Rf = f.rows_used, Cf = f.cols_used;
    FoldStep r;
    r.timing.load_start = r.timing.stream_start = s;
    r.timing.last_output = s + T + Rf - 1 + (Cf - 1) + (R - 1);
    r.next_start = s + T + Rf;
    r.last_read_a = s + T - 1 + Rf - 1;  // row i reads its last A value at s + T-1 + i
    r.last_read_b = s + T - 1 + Cf - 1;
    return r;
  }

  FoldFeed feed(const Fold& f, const Tile& t, std::int64_t /*rows*/) const override {
    const std::int64_t dm = f.m0 - t.m0, dn = f.n0 - t.n0, dk = f.k0 - t.k0, T = f.stream_len;
    FoldFeed fd;
    // Row i takes A[m0+i][k0+t]; column j takes B[k0+t][n0+j]; both skewed by their lane.
    fd.left = {Operand::a, f.rows_used, 0, T, 1, false, dm * t.k_len + dk, t.k_len, 1};
    fd.top = {Operand::b, f.cols_used, 0, T, 1, false, dk * t.n_len + dn, 1, t.n_len};
    fd.drain_after = T + f.rows_used - 1;
    return fd;
  }

  /// Column j emits rows R−1 … 0 of its chain; the unused rows R_f.. carry no valid value, so the
  /// q-th valid output is row R_f − 1 − q.
  FoldCapture capture(const Fold& f, const Tile& t) const override {
    const std::int64_t dm = f.m0 - t.m0, dn = f.n0 - t.n0;
    return {f.cols_used, f.rows_used, (dm + f.rows_used - 1) * t.n_len + dn, 1, -t.n_len};
  }

  /// Buffer layouts (docs/memory.md): A [k][m], B [k][n], C [m][n] inside a half.
  void trace(const Fold& f, const Tile& t, const FoldTiming& ft, std::int64_t R, const TraceLayout& l,
             const AccessSink& sink) const override {
    const std::int64_t dm = f.m0 - t.m0, dn = f.n0 - t.n0, dk = f.k0 - t.k0;
    const std::int64_t T = f.stream_len, Rf = f.rows_used, Cf = f.cols_used, st = ft.stream_start;
    for (std::int64_t k = 0; k < T; ++k) {
      sink(st + k, Operand::a, "read", l.a_base + ((dk + k) * t.m_len + dm) * l.a_elem, Rf * l.a_elem);
      sink(st + k, Operand::b, "read", l.b_base + ((dk + k) * t.n_len + dn) * l.b_elem, Cf * l.b_elem);
    }
    // Row i of the fold leaves the bottom row R−1−i cycles after the drain starts.
    const char* kind = f.accumulate ? "update" : "write";
    for (std::int64_t i = 0; i < Rf; ++i)
      sink(st + T + Rf - 1 + (R - 1 - i), Operand::c, kind, l.c_base + ((dm + i) * t.n_len + dn) * l.c_elem,
           Cf * l.c_elem);
  }

  /// A and B: k = 0..T−1 at st + k. C: row i at st + T + R_f − 1 + (R − 1 − i), i = R_f − 1 .. 0.
  std::array<AccessSpan, 3> access_spans(const Fold& f, const FoldTiming& ft, std::int64_t R) const override {
    const std::int64_t T = f.stream_len, Rf = f.rows_used, st = ft.stream_start;
    return {AccessSpan{st, st + T - 1}, AccessSpan{st, st + T - 1}, AccessSpan{st + T + R - 1, st + T + Rf + R - 2}};
  }

 protected:
  std::pair<std::int64_t, std::int64_t> operand_words(const Fold& f) const override {
    return {f.rows_used * f.stream_len, f.cols_used * f.stream_len};
  }
  std::int64_t output_words(const Fold& f) const override { return f.rows_used * f.cols_used; }
};

/// What WS and IS share: a stationary tile loaded through the columns in R cycles (row r takes
/// the value fed R−1−r cycles after the load starts), a streamed operand through the rows, and
/// partial sums down the columns (docs/timing.md §1, §2). The load starts at L, streaming at
/// s = L + R; the next load may start once row 0 is done: L' = s + T + C_f − 1.
class Stationary : public Dataflow {
 public:
  bool stationary() const override { return true; }

  FoldStep step(const Fold& f, std::int64_t L, std::int64_t R) const override {
    const std::int64_t T = f.stream_len, Rf = f.rows_used, Cf = f.cols_used;
    FoldStep r;
    r.timing.load_start = L;
    r.timing.stream_start = L + R;
    r.timing.last_output = r.timing.stream_start + (T - 1) + (R - 1) + (Cf - 1);
    r.next_start = r.timing.stream_start + T + Cf - 1;
    const std::int64_t streamed = r.timing.stream_start + T - 1 + Rf - 1, loaded = r.timing.stream_start - 1;
    r.last_read_a = streams_a() ? streamed : loaded;
    r.last_read_b = streams_a() ? loaded : streamed;
    return r;
  }

  /// Buffer layouts (docs/memory.md): WS A [m][k], B [k][n], C [m][n]; IS the same with m and n,
  /// A and B swapped: A [k][m], B [n][k], C [n][m]. The stationary rows are read during the load
  /// (row r at L + R − 1 − r), the streamed operand and the outputs during the stream.
  void trace(const Fold& f, const Tile& t, const FoldTiming& ft, std::int64_t R, const TraceLayout& l,
             const AccessSink& sink) const override {
    const bool ws = streams_a();
    const std::int64_t dm = f.m0 - t.m0, dn = f.n0 - t.n0, dk = f.k0 - t.k0;
    const std::int64_t ds = ws ? dm : dn, dc = ws ? dn : dm;  // streamed and column offsets
    const std::int64_t cols = ws ? t.n_len : t.m_len;         // the column dimension of the tile
    const Operand held = ws ? Operand::b : Operand::a, streamed = ws ? Operand::a : Operand::b;
    const std::int64_t held_base = ws ? l.b_base : l.a_base, held_elem = ws ? l.b_elem : l.a_elem;
    const std::int64_t str_base = ws ? l.a_base : l.b_base, str_elem = ws ? l.a_elem : l.b_elem;
    const std::int64_t T = f.stream_len, Rf = f.rows_used, Cf = f.cols_used, st = ft.stream_start;
    for (std::int64_t r = 0; r < Rf; ++r)
      sink(ft.load_start + (R - 1 - r), held, "read", held_base + ((dk + r) * cols + dc) * held_elem, Cf * held_elem);
    const char* kind = f.accumulate ? "update" : "write";
    for (std::int64_t x = 0; x < T; ++x) {
      sink(st + x, streamed, "read", str_base + ((ds + x) * t.k_len + dk) * str_elem, Rf * str_elem);
      sink(st + x + R - 1, Operand::c, kind, l.c_base + ((ds + x) * cols + dc) * l.c_elem, Cf * l.c_elem);
    }
  }

  /// Held: row r at L + R − 1 − r, r = R_f − 1 .. 0. Streamed: x = 0..T−1 at st + x. C: st + x + R − 1.
  std::array<AccessSpan, 3> access_spans(const Fold& f, const FoldTiming& ft, std::int64_t R) const override {
    const std::int64_t T = f.stream_len, Rf = f.rows_used, st = ft.stream_start, L = ft.load_start;
    const AccessSpan held{L + R - Rf, L + R - 1}, streamed{st, st + T - 1};
    return {streams_a() ? streamed : held, streams_a() ? held : streamed, AccessSpan{st + R - 1, st + T + R - 2}};
  }

 protected:
  /// WS streams A (B stationary); IS streams B (A stationary).
  virtual bool streams_a() const = 0;
  std::pair<std::int64_t, std::int64_t> operand_words(const Fold& f) const override {
    const std::int64_t streamed = f.stream_len * f.rows_used, loaded = f.rows_used * f.cols_used;
    return streams_a() ? std::make_pair(streamed, loaded) : std::make_pair(loaded, streamed);
  }
  std::int64_t output_words(const Fold& f) const override { return f.stream_len * f.cols_used; }
};

/// Weight stationary: rows map k, columns n, B stationary, time streams m.
class WeightStationary final : public Stationary {
 public:
  config::Dataflow kind() const override { return config::Dataflow::ws; }
  Granules granules(std::int64_t rows, std::int64_t cols) const override { return {1, cols, rows}; }

  std::int64_t folds_in(const Tile& t, std::int64_t rows, std::int64_t cols) const override {
    return ceil_div(t.n_len, cols) * ceil_div(t.k_len, rows);
  }
  Fold fold_at(const Tile& t, std::int64_t rows, std::int64_t cols, std::int64_t j) const override {
    const std::int64_t fk = ceil_div(t.k_len, rows), n0 = j / fk * cols, k0 = j % fk * rows;
    const std::int64_t nl = std::min(cols, t.n_len - n0), kl = std::min(rows, t.k_len - k0);
    return make_fold(t, j, t.m0, t.m_len, t.n0 + n0, nl, t.k0 + k0, kl, kl, nl, t.m_len);
  }

  FoldFeed feed(const Fold& f, const Tile& t, std::int64_t R) const override {
    const std::int64_t dm = f.m0 - t.m0, dn = f.n0 - t.n0, dk = f.k0 - t.k0;
    FoldFeed fd;
    // Load: in cycle L+u' column j takes B[k0+r][n0+j] for row r = R−1−u', i.e. t = (R−1) − (c−L).
    fd.top = {Operand::b, f.cols_used, R - 1, f.rows_used, 0, true, dk * t.n_len + dn, 1, t.n_len};
    fd.top_is_load = true;
    // Row i takes A[m0+t][k0+i] from the stream start, skewed by i.
    fd.left = {Operand::a, f.rows_used, 0, f.stream_len, 1, false, dm * t.k_len + dk, 1, t.k_len};
    return fd;
  }

  FoldCapture capture(const Fold& f, const Tile& t) const override {
    const std::int64_t dm = f.m0 - t.m0, dn = f.n0 - t.n0;
    return {f.cols_used, f.stream_len, dm * t.n_len + dn, 1, t.n_len};
  }

 protected:
  bool streams_a() const override { return true; }
};

/// Input stationary: rows map k, columns m, Aᵀ stationary, time streams n.
class InputStationary final : public Stationary {
 public:
  config::Dataflow kind() const override { return config::Dataflow::is; }
  Granules granules(std::int64_t rows, std::int64_t cols) const override { return {cols, 1, rows}; }

  std::int64_t folds_in(const Tile& t, std::int64_t rows, std::int64_t cols) const override {
    return ceil_div(t.m_len, cols) * ceil_div(t.k_len, rows);
  }
  Fold fold_at(const Tile& t, std::int64_t rows, std::int64_t cols, std::int64_t j) const override {
    const std::int64_t fk = ceil_div(t.k_len, rows), m0 = j / fk * cols, k0 = j % fk * rows;
    const std::int64_t ml = std::min(cols, t.m_len - m0), kl = std::min(rows, t.k_len - k0);
    return make_fold(t, j, t.m0 + m0, ml, t.n0, t.n_len, t.k0 + k0, kl, kl, ml, t.n_len);
  }

  FoldFeed feed(const Fold& f, const Tile& t, std::int64_t R) const override {
    const std::int64_t dm = f.m0 - t.m0, dn = f.n0 - t.n0, dk = f.k0 - t.k0;
    FoldFeed fd;
    // Load: column j takes A[m0+j][k0+r] for row r = (R−1) − (c−L).
    fd.top = {Operand::a, f.cols_used, R - 1, f.rows_used, 0, true, dm * t.k_len + dk, t.k_len, 1};
    fd.top_is_load = true;
    // Row i takes B[k0+i][n0+t] from the stream start, skewed by i.
    fd.left = {Operand::b, f.rows_used, 0, f.stream_len, 1, false, dk * t.n_len + dn, t.n_len, 1};
    return fd;
  }

  FoldCapture capture(const Fold& f, const Tile& t) const override {
    const std::int64_t dm = f.m0 - t.m0, dn = f.n0 - t.n0;
    return {f.cols_used, f.stream_len, dm * t.n_len + dn, t.n_len, 1};
  }

 protected:
  bool streams_a() const override { return false; }
};

}  // namespace

const Dataflow& dataflow(config::Dataflow df) {
  static const OutputStationary os;
  static const WeightStationary ws;
  static const InputStationary is;
  switch (df) {
    case config::Dataflow::os: return os;
    case config::Dataflow::ws: return ws;
    case config::Dataflow::is: return is;
  }
  return os;
}

}  // namespace arraysim::plan
