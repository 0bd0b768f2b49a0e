/// Constraint expressions of sweep specs (sim/sweep/sweep_expr.hpp).
#include <catch2/catch.hpp>

#include <map>

#include "sim/sweep/sweep_expr.hpp"

using arraysim::sweep::Expr;
using arraysim::sweep::ExprError;
using arraysim::sweep::ExprValue;

namespace {

/// rows = 16, cols = 32, dataflow = "os", arch.array.rows = 16, workload.layers.0.m = 64.
ExprValue lookup(const std::string& name) {
  static const std::map<std::string, std::string> values{
      {"rows", "16"}, {"cols", "32"}, {"dataflow", "os"}, {"arch.array.rows", "16"}, {"workload.layers.0.m", "64"}};
  return ExprValue::from_text(values.at(name));
}

bool truth(const std::string& text) {
  const ExprValue v = Expr::parse(text).eval(lookup);
  REQUIRE(v.type == ExprValue::Type::boolean);
  return v.boolean;
}

double num(const std::string& text) {
  const ExprValue v = Expr::parse(text).eval(lookup);
  REQUIRE(v.type == ExprValue::Type::number);
  return v.number;
}

/// The message and offset of the ExprError that parsing (and evaluating) `text` throws.
std::pair<std::string, std::size_t> error_of(const std::string& text) {
  try {
    Expr::parse(text).eval(lookup);
  } catch (const ExprError& e) {
    return {e.what(), e.offset()};
  }
  FAIL("no error for: " << text);
  return {};
}

}  // namespace

TEST_CASE("sweep expr arithmetic comparison and logic follow C precedence", "[unit][sweep]") {
  CHECK(num("1 + 2 * 3") == 7);
  CHECK(num("(1 + 2) * 3") == 9);
  CHECK(num("10 % 4") == 2);
  CHECK(num("-7 % 4") == -3);  // the sign of the dividend, as in C
  CHECK(num("7 / 2") == 3.5);  // real division
  CHECK(num("-rows + 20") == 4);
  CHECK(num("2 - 3 - 4") == -5);  // left-associative
  CHECK(num("1.5e3 + .5") == 1500.5);
  CHECK(truth("rows * cols <= 16384"));  // 16 * 32 = 512
  CHECK_FALSE(truth("rows * cols > 512"));
  CHECK(truth("rows * cols >= 512 && rows < cols"));
  CHECK(truth("!(rows > cols)"));
  CHECK(truth("dataflow == \"os\" && dataflow != 'ws'"));
  CHECK(truth("true && !false"));
  CHECK(truth("1 < 2 == true"));                          // relational binds tighter than equality
  CHECK(truth("rows == 8 || rows == 16 && cols == 32"));  // && binds tighter than ||
  CHECK(truth("arch.array.rows * 4 == workload.layers.0.m"));
  // && and || short-circuit: the division by zero on the right is never evaluated.
  CHECK(truth("dataflow == \"os\" || 1 / 0 > 0"));
  CHECK_FALSE(truth("dataflow == \"ws\" && 1 / 0 > 0"));
}

TEST_CASE("sweep expr syntax errors name the offending token and its offset", "[unit][sweep]") {
  using P = std::pair<std::string, std::size_t>;
  CHECK(error_of("rows * cols <== 4") == P{"unexpected character '=' (compare with '==')", 14});
  CHECK(error_of("rows & cols") == P{"unexpected character '&' (logical and is '&&')", 5});
  CHECK(error_of("rows | cols") == P{"unexpected character '|' (logical or is '||')", 5});
  CHECK(error_of("rows ^ 2") == P{"unexpected character '^'", 5});
  CHECK(error_of("(rows + 1") == P{"expected ')' to close '(', got end of expression", 9});
  CHECK(error_of("rows +") == P{"expected a number, a string, a name or '(', got end of expression", 6});
  CHECK(error_of("") == P{"expected a number, a string, a name or '(', got end of expression", 0});
  CHECK(error_of("rows cols") == P{"unexpected 'cols'", 5});
  CHECK(error_of("rows > 'os") == P{"unterminated string", 7});
  CHECK(error_of("12ab > 3") == P{"malformed number '12ab'", 0});
  CHECK(error_of("0x10 > 3") == P{"malformed number '0x10'", 0});
  CHECK(error_of("rows * ) 2") == P{"expected a number, a string, a name or '(', got ')'", 7});
}

TEST_CASE("sweep expr type errors and division by zero are reported at the operator", "[unit][sweep]") {
  using P = std::pair<std::string, std::size_t>;
  CHECK(error_of("dataflow * 2") == P{"'*' needs a number on the left, got a string (\"os\")", 9});
  CHECK(error_of("2 < dataflow") == P{"'<' needs a number on the right, got a string (\"os\")", 2});
  CHECK(error_of("rows == \"16\"") == P{"'==' cannot compare a number (16) with a string (\"16\")", 5});
  CHECK(error_of("rows && true") == P{"'&&' needs true or false on the left, got a number (16)", 5});
  CHECK(truth("true || rows"));  // short-circuit: the right side is not looked at
  CHECK(error_of("false || rows") == P{"'||' needs true or false on the right, got a number (16)", 6});
  CHECK(error_of("!rows") == P{"'!' needs true or false after it, got a number (16)", 0});
  CHECK(error_of("-dataflow") == P{"'-' needs a number after it, got a string (\"os\")", 0});
  CHECK(error_of("rows / (cols - 32)") == P{"division by zero in '/'", 5});
  CHECK(error_of("rows % 0") == P{"division by zero in '%'", 5});
}

TEST_CASE("sweep expr lists its names with their offsets", "[unit][sweep]") {
  const Expr e = Expr::parse("rows * arch.array.cols + workload.layers.0.m > rows");
  REQUIRE(e.names().size() == 4);
  CHECK(e.names()[0].name == "rows");
  CHECK(e.names()[0].offset == 0);
  CHECK(e.names()[1].name == "arch.array.cols");
  CHECK(e.names()[1].offset == 7);
  CHECK(e.names()[2].name == "workload.layers.0.m");
  CHECK(e.names()[2].offset == 25);
  CHECK(e.names()[3].name == "rows");
  CHECK(e.names()[3].offset == 47);
  CHECK(Expr::parse("true && 1 < 2").names().empty());  // true/false are literals, not names
}

TEST_CASE("sweep expr values from configuration text", "[unit][sweep]") {
  CHECK(ExprValue::from_text("16").type == ExprValue::Type::number);
  CHECK(ExprValue::from_text("1.5e3").number == 1500);
  CHECK(ExprValue::from_text("-2").number == -2);
  CHECK(ExprValue::from_text("true").type == ExprValue::Type::boolean);
  CHECK(ExprValue::from_text("false").boolean == false);
  for (const char* s : {"os", "0x10", "inf", "nan", "[2, 2]", " 16", "16 ", ""}) {
    INFO(s);
    CHECK(ExprValue::from_text(s).type == ExprValue::Type::string);
  }
  CHECK(ExprValue::from_text("os").describe() == "a string (\"os\")");
  CHECK(ExprValue::from_text("16384").describe() == "a number (16384)");
  CHECK(ExprValue::from_text("0.25").describe() == "a number (0.25)");
}

TEST_CASE("sweep expr refuses nesting deeper than kMaxExprDepth instead of overflowing the stack", "[unit][sweep]") {
  // Issue 14: 10,000 nested parentheses, nested `!`, or 20,000 `+` terms crashed with SIGSEGV.
  const int n = 10000;
  const std::string parens = std::string(n, '(') + "rows > 1" + std::string(n, ')');
  const std::string message = "expression nested too deeply: more than 256 levels of operators and parentheses";
  // The 257th '(' is the first one too many: offset 256.
  CHECK(error_of(parens) == std::make_pair(message, std::size_t{256}));
  CHECK(error_of(std::string(n, '!') + "true") == std::make_pair(message, std::size_t{256}));
  std::string sum = "rows";
  for (int i = 0; i < 2 * n; ++i) sum += " + rows";
  // The 256th '+' makes the tree 257 levels deep; it is at offset 4 + 255 * 7 + 1.
  CHECK(error_of(sum + " > 1") == std::make_pair(message, std::size_t{4 + 255 * 7 + 1}));
  // At the limit everything still works: 255 parentheses around a comparison, 255 additions.
  CHECK(truth(std::string(255, '(') + "rows > 1" + std::string(255, ')')));
  std::string at_limit = "1";
  for (int i = 0; i < 254; ++i) at_limit += " + 1";
  CHECK(num(at_limit) == 255);
}
