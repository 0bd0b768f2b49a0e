#pragma once
/// Constraint expressions of sweep specs (docs/sweeps.md), e.g. `rows * cols <= 16384 && dataflow != "is"`.
/// A small, safe evaluator: numbers, strings, booleans, names, + - * / %, comparisons, && || !,
/// parentheses. Nothing else (no calls, no assignment), so a spec can never run code.
#include <cstddef>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace arraysim::sweep {

/// Most levels an expression's syntax tree may have (operators and parentheses nested, or
/// chained like `a + a + ... + a`): parsing, evaluating and freeing recurse once per level.
constexpr int kMaxExprDepth = 256;

/// A value of an expression: a number (IEEE double: integers up to 2^53 are exact), a string or
/// a boolean.
struct ExprValue {
  enum class Type { number, string, boolean };
  Type type = Type::number;
  double number = 0;
  std::string text;  ///< the string of a string value
  bool boolean = false;

  static ExprValue of_number(double v);
  static ExprValue of_string(std::string s);
  static ExprValue of_bool(bool b);
  /// A configuration value's text as an expression value: a decimal number becomes a number,
  /// `true`/`false` a boolean, anything else a string.
  static ExprValue from_text(const std::string& text);
  /// For messages: `a number (16)`, `a string ("os")`, `a boolean (true)`.
  std::string describe() const;
};

/// A syntax or evaluation error; `offset` is the 0-based character offset in the expression text
/// where the problem is (the operator of a type error, the unexpected token of a syntax error).
class ExprError : public std::runtime_error {
 public:
  ExprError(const std::string& message, std::size_t offset) : std::runtime_error(message), offset_(offset) {}
  std::size_t offset() const { return offset_; }

 private:
  std::size_t offset_;
};

/// A parsed expression. Operator precedence, loosest first: `||`, `&&`, `== !=`, `< <= > >=`,
/// `+ -`, `* / %`, unary `! -`. `&&` and `||` short-circuit.
class Expr {
 public:
  /// One name the expression refers to, with its offset in the text.
  struct Name {
    std::string name;
    std::size_t offset = 0;
  };

  /// Parses `text`; throws ExprError for a syntax error.
  static Expr parse(const std::string& text);

  /// Every name the expression refers to, in order of appearance (repeats included).
  const std::vector<Name>& names() const { return names_; }

  /// Evaluates with `lookup` giving the value of each name. Throws ExprError for a type error
  /// (e.g. `"os" * 2`) or a division by zero.
  ExprValue eval(const std::function<ExprValue(const std::string&)>& lookup) const;

  struct Node;

 private:
  std::shared_ptr<const Node> root_;
  std::vector<Name> names_;
};

}  // namespace arraysim::sweep
