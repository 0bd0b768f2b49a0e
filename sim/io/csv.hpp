#pragma once
/// A small RFC 4180 CSV reader that keeps the line and column of every field, for error messages
/// that point into the file.
#include <stdexcept>
#include <string>
#include <vector>

namespace arraysim::io {

struct CsvField {
  std::string text;  ///< unquoted fields: trimmed of spaces and tabs; quoted: the content, "" -> "
  int line = 1;      ///< 1-based line of the field's first character
  int col = 1;       ///< 1-based column (bytes) of the field's first non-blank character
  bool quoted = false;
};

struct CsvRecord {
  std::vector<CsvField> fields;
  int line = 1;  ///< 1-based line where the record starts
};

/// A syntax error at `line`:`col` (1-based): a quote inside an unquoted field, text after a closing
/// quote, or a quoted field that never ends.
class CsvSyntaxError : public std::runtime_error {
 public:
  CsvSyntaxError(int line, int col, const std::string& message) : std::runtime_error(message), line_(line), col_(col) {}
  int line() const { return line_; }
  int col() const { return col_; }

 private:
  int line_, col_;
};

/// Splits CSV text into records: fields separated by commas; records ended by LF, CRLF or CR, or
/// the end of the text; a field in double quotes may contain commas, line breaks and "" (one
/// quote). Blank lines (nothing but spaces and tabs) are skipped. A UTF-8 byte order mark at the
/// start is skipped. A trailing comma gives an empty last field: the caller decides what it means.
std::vector<CsvRecord> parse_csv(const std::string& text);

}  // namespace arraysim::io
