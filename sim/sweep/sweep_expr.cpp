#include "sim/sweep/sweep_expr.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>

namespace arraysim::sweep {

ExprValue ExprValue::of_number(double v) {
  ExprValue e;
  e.type = Type::number;
  e.number = v;
  return e;
}

ExprValue ExprValue::of_string(std::string s) {
  ExprValue e;
  e.type = Type::string;
  e.text = std::move(s);
  return e;
}

ExprValue ExprValue::of_bool(bool b) {
  ExprValue e;
  e.type = Type::boolean;
  e.boolean = b;
  return e;
}

ExprValue ExprValue::from_text(const std::string& text) {
  if (text == "true") return of_bool(true);
  if (text == "false") return of_bool(false);
  if (!text.empty() && !std::isspace(static_cast<unsigned char>(text.front()))) {
    char* end = nullptr;
    const double v = std::strtod(text.c_str(), &end);
    // Only plain decimals count: strtod also accepts "inf", "nan" and hexadecimal floats.
    const bool plain = text.find_first_not_of("0123456789+-.eE") == std::string::npos;
    if (end == text.c_str() + text.size() && plain && std::isfinite(v)) return of_number(v);
  }
  return of_string(text);
}

std::string ExprValue::describe() const {
  switch (type) {
    case Type::number: return fmt::format("a number ({})", number);
    case Type::boolean: return std::string("a boolean (") + (boolean ? "true" : "false") + ")";
    case Type::string: break;
  }
  return "a string (\"" + text + "\")";
}

/// One node of the syntax tree: a literal, a name, or an operator applied to one or two operands.
struct Expr::Node {
  enum class Kind { literal, name, unary, binary };
  Kind kind = Kind::literal;
  ExprValue value;     ///< literal
  std::string text;    ///< name, or operator spelling
  std::size_t offset;  ///< where the token starts in the expression text
  int height = 1;      ///< levels of the subtree below and including this node (<= kMaxExprDepth)
  std::shared_ptr<const Node> lhs, rhs;
};

namespace {

using NodePtr = std::shared_ptr<const Expr::Node>;

struct Token {
  enum class Kind { number, string, name, op, end };
  Kind kind = Kind::end;
  std::string text;  ///< operator spelling, name, or string contents
  double number = 0;
  std::size_t offset = 0;
};

/// Describes a token for "unexpected ..." messages.
std::string token_text(const Token& t) {
  switch (t.kind) {
    case Token::Kind::end: return "end of expression";
    case Token::Kind::string: return "string \"" + t.text + "\"";
    default: return "'" + t.text + "'";
  }
}

std::vector<Token> tokenize(const std::string& s) {
  std::vector<Token> out;
  std::size_t i = 0;
  const auto is_name_start = [](char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; };
  const auto is_name_char = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  while (i < s.size()) {
    const char c = s[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
      continue;
    }
    Token t;
    t.offset = i;
    if (std::isdigit(static_cast<unsigned char>(c)) ||
        (c == '.' && i + 1 < s.size() && std::isdigit(static_cast<unsigned char>(s[i + 1])))) {
      char* end = nullptr;
      t.number = std::strtod(s.c_str() + i, &end);
      std::size_t j = static_cast<std::size_t>(end - s.c_str());
      // strtod would read "0x10" as hexadecimal: only decimal numbers are part of the language.
      if (s.compare(i, 2, "0x") == 0 || s.compare(i, 2, "0X") == 0) j = i + 1;
      if (j < s.size() && (is_name_char(s[j]) || s[j] == '.')) {
        while (j < s.size() && (is_name_char(s[j]) || s[j] == '.')) ++j;
        throw ExprError("malformed number '" + s.substr(i, j - i) + "'", i);
      }
      t.kind = Token::Kind::number;
      t.text = s.substr(i, j - i);
      i = j;
    } else if (is_name_start(c)) {
      // A name: identifier segments joined by dots; segments after a dot may start with a digit
      // (workload.layers.0.m).
      std::size_t j = i;
      while (j < s.size() && is_name_char(s[j])) ++j;
      while (j + 1 < s.size() && s[j] == '.' && is_name_char(s[j + 1])) {
        ++j;
        while (j < s.size() && is_name_char(s[j])) ++j;
      }
      t.kind = Token::Kind::name;
      t.text = s.substr(i, j - i);
      i = j;
    } else if (c == '"' || c == '\'') {
      const std::size_t close = s.find(c, i + 1);
      if (close == std::string::npos) throw ExprError("unterminated string", i);
      t.kind = Token::Kind::string;
      t.text = s.substr(i + 1, close - i - 1);
      i = close + 1;
    } else {
      static const char* const two[] = {"||", "&&", "==", "!=", "<=", ">="};
      t.kind = Token::Kind::op;
      for (const char* op : two)
        if (s.compare(i, 2, op) == 0) t.text = op;
      if (t.text.empty()) {
        if (std::string("+-*/%<>!()").find(c) == std::string::npos) {
          std::string hint;
          if (c == '=') hint = " (compare with '==')";
          if (c == '&') hint = " (logical and is '&&')";
          if (c == '|') hint = " (logical or is '||')";
          throw ExprError(fmt::format("unexpected character '{}'{}", c, hint), i);
        }
        t.text = std::string(1, c);
      }
      i += t.text.size();
    }
    out.push_back(std::move(t));
  }
  Token end;
  end.offset = s.size();
  out.push_back(end);
  return out;
}

/// Recursive-descent parser over the token list; one function per precedence level.
class Parser {
 public:
  Parser(std::vector<Token> tokens, std::vector<Expr::Name>& names) : t_(std::move(tokens)), names_(names) {}

  NodePtr parse_all() {
    NodePtr n = parse_or();
    if (peek().kind != Token::Kind::end) throw ExprError("unexpected " + token_text(peek()), peek().offset);
    return n;
  }

 private:
  const Token& peek() const { return t_[pos_]; }
  bool at_op(const char* op) const { return peek().kind == Token::Kind::op && peek().text == op; }

  NodePtr binary(const Token& op, NodePtr lhs, NodePtr rhs) {
    auto n = std::make_shared<Expr::Node>();
    n->kind = Expr::Node::Kind::binary;
    n->text = op.text;
    n->offset = op.offset;
    n->height = 1 + std::max(lhs->height, rhs->height);
    n->lhs = std::move(lhs);
    n->rhs = std::move(rhs);
    check_height(*n);
    return n;
  }

  /// Evaluating and freeing the tree recurse once per level: a chain of 20,000 `+` would
  /// overflow the stack, so trees stay within kMaxExprDepth levels.
  static void check_height(const Expr::Node& n) {
    if (n.height > kMaxExprDepth)
      throw ExprError(
          fmt::format("expression nested too deeply: more than {} levels of operators and parentheses", kMaxExprDepth),
          n.offset);
  }

  /// Parsing recurses once per '(' and unary operator: at most kMaxExprDepth of them open at once.
  void enter(const Token& tok) {
    if (++open_ > kMaxExprDepth)
      throw ExprError(
          fmt::format("expression nested too deeply: more than {} levels of operators and parentheses", kMaxExprDepth),
          tok.offset);
  }

  /// One left-associative level: operands from `next`, joined by any of `ops`.
  template <typename Next> NodePtr level(std::initializer_list<const char*> ops, Next next) {
    NodePtr lhs = (this->*next)();
    for (;;) {
      bool matched = false;
      for (const char* op : ops) {
        if (!at_op(op)) continue;
        const Token tok = t_[pos_++];
        lhs = binary(tok, lhs, (this->*next)());
        matched = true;
        break;
      }
      if (!matched) return lhs;
    }
  }

  NodePtr parse_or() { return level({"||"}, &Parser::parse_and); }
  NodePtr parse_and() { return level({"&&"}, &Parser::parse_equality); }
  NodePtr parse_equality() { return level({"==", "!="}, &Parser::parse_relational); }
  NodePtr parse_relational() { return level({"<=", ">=", "<", ">"}, &Parser::parse_additive); }
  NodePtr parse_additive() { return level({"+", "-"}, &Parser::parse_multiplicative); }
  NodePtr parse_multiplicative() { return level({"*", "/", "%"}, &Parser::parse_unary); }

  NodePtr parse_unary() {
    if (at_op("!") || at_op("-")) {
      const Token tok = t_[pos_++];
      enter(tok);
      auto n = std::make_shared<Expr::Node>();
      n->kind = Expr::Node::Kind::unary;
      n->text = tok.text;
      n->offset = tok.offset;
      n->lhs = parse_unary();
      n->height = 1 + n->lhs->height;
      check_height(*n);
      --open_;
      return n;
    }
    return parse_primary();
  }

  NodePtr parse_primary() {
    const Token tok = peek();
    auto n = std::make_shared<Expr::Node>();
    n->offset = tok.offset;
    switch (tok.kind) {
      case Token::Kind::number:
        ++pos_;
        n->value = ExprValue::of_number(tok.number);
        return n;
      case Token::Kind::string:
        ++pos_;
        n->value = ExprValue::of_string(tok.text);
        return n;
      case Token::Kind::name:
        ++pos_;
        if (tok.text == "true" || tok.text == "false") {
          n->value = ExprValue::of_bool(tok.text == "true");
          return n;
        }
        n->kind = Expr::Node::Kind::name;
        n->text = tok.text;
        names_.push_back({tok.text, tok.offset});
        return n;
      case Token::Kind::op:
        if (tok.text == "(") {
          ++pos_;
          enter(tok);
          NodePtr inner = parse_or();
          if (!at_op(")")) throw ExprError("expected ')' to close '(', got " + token_text(peek()), peek().offset);
          ++pos_;
          --open_;
          return inner;
        }
        break;
      case Token::Kind::end: break;
    }
    throw ExprError("expected a number, a string, a name or '(', got " + token_text(tok), tok.offset);
  }

  std::vector<Token> t_;
  std::size_t pos_ = 0;
  int open_ = 0;  ///< parentheses and unary operators being parsed
  std::vector<Expr::Name>& names_;
};

using LookupFn = std::function<ExprValue(const std::string&)>;

ExprValue eval_node(const Expr::Node& n, const LookupFn& lookup);

/// The boolean operand of `op` (`&&`, `||`, `!`), or a type error.
bool need_bool(const ExprValue& v, const Expr::Node& op, const char* side) {
  if (v.type != ExprValue::Type::boolean)
    throw ExprError(fmt::format("'{}' needs true or false {}, got {}", op.text, side, v.describe()), op.offset);
  return v.boolean;
}

double need_number(const ExprValue& v, const Expr::Node& op, const char* side) {
  if (v.type != ExprValue::Type::number)
    throw ExprError(fmt::format("'{}' needs a number {}, got {}", op.text, side, v.describe()), op.offset);
  return v.number;
}

ExprValue eval_binary(const Expr::Node& n, const LookupFn& lookup) {
  const std::string& op = n.text;
  const ExprValue a = eval_node(*n.lhs, lookup);
  if (op == "&&" || op == "||") {
    const bool l = need_bool(a, n, "on the left");
    if (op == "&&" && !l) return ExprValue::of_bool(false);
    if (op == "||" && l) return ExprValue::of_bool(true);
    return ExprValue::of_bool(need_bool(eval_node(*n.rhs, lookup), n, "on the right"));
  }
  const ExprValue b = eval_node(*n.rhs, lookup);
  if (op == "==" || op == "!=") {
    if (a.type != b.type)
      throw ExprError(fmt::format("'{}' cannot compare {} with {}", op, a.describe(), b.describe()), n.offset);
    bool eq = false;
    switch (a.type) {
      case ExprValue::Type::number: eq = a.number == b.number; break;
      case ExprValue::Type::string: eq = a.text == b.text; break;
      case ExprValue::Type::boolean: eq = a.boolean == b.boolean; break;
    }
    return ExprValue::of_bool(op == "==" ? eq : !eq);
  }
  const double x = need_number(a, n, "on the left"), y = need_number(b, n, "on the right");
  if (op == "<") return ExprValue::of_bool(x < y);
  if (op == "<=") return ExprValue::of_bool(x <= y);
  if (op == ">") return ExprValue::of_bool(x > y);
  if (op == ">=") return ExprValue::of_bool(x >= y);
  if (op == "+") return ExprValue::of_number(x + y);
  if (op == "-") return ExprValue::of_number(x - y);
  if (op == "*") return ExprValue::of_number(x * y);
  if (y == 0) throw ExprError(fmt::format("division by zero in '{}'", op), n.offset);
  if (op == "/") return ExprValue::of_number(x / y);
  return ExprValue::of_number(std::fmod(x, y));  // "%": the remainder with the sign of x, as in C
}

ExprValue eval_node(const Expr::Node& n, const LookupFn& lookup) {
  switch (n.kind) {
    case Expr::Node::Kind::literal: return n.value;
    case Expr::Node::Kind::name: return lookup(n.text);
    case Expr::Node::Kind::unary: {
      const ExprValue v = eval_node(*n.lhs, lookup);
      if (n.text == "!") return ExprValue::of_bool(!need_bool(v, n, "after it"));
      return ExprValue::of_number(-need_number(v, n, "after it"));
    }
    case Expr::Node::Kind::binary: break;
  }
  return eval_binary(n, lookup);
}

}  // namespace

Expr Expr::parse(const std::string& text) {
  Expr e;
  Parser p(tokenize(text), e.names_);
  e.root_ = p.parse_all();
  return e;
}

ExprValue Expr::eval(const std::function<ExprValue(const std::string&)>& lookup) const {
  if (!root_) throw ExprError("empty expression", 0);
  return eval_node(*root_, lookup);
}

}  // namespace arraysim::sweep
