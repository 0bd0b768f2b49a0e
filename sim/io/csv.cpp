#include "sim/io/csv.hpp"

namespace arraysim::io {

std::vector<CsvRecord> parse_csv(const std::string& text) {
  std::vector<CsvRecord> records;
  std::size_t i = 0;
  const std::size_t n = text.size();
  int line = 1;
  std::size_t line_start = 0;  // offset of the current line's first byte
  if (text.compare(0, 3, "\xEF\xBB\xBF") == 0) i = line_start = 3;

  const auto col_of = [&](std::size_t pos) { return static_cast<int>(pos - line_start) + 1; };
  const auto is_blank = [](char c) { return c == ' ' || c == '\t'; };
  const auto is_eol = [](char c) { return c == '\n' || c == '\r'; };
  // Consumes one line break at `i` (CRLF counts as one).
  const auto eat_eol = [&]() {
    if (text[i] == '\r' && i + 1 < n && text[i + 1] == '\n') ++i;
    ++i;
    ++line;
    line_start = i;
  };

  while (i < n) {
    // Skip a blank line.
    std::size_t j = i;
    while (j < n && is_blank(text[j])) ++j;
    if (j == n) break;
    if (is_eol(text[j])) {
      i = j;
      eat_eol();
      continue;
    }

    CsvRecord rec;
    rec.line = line;
    for (;;) {  // one field per iteration
      while (i < n && is_blank(text[i])) ++i;
      CsvField f;
      f.line = line;
      f.col = col_of(i);
      if (i < n && text[i] == '"') {
        f.quoted = true;
        const int open_line = line, open_col = col_of(i);
        ++i;
        for (;;) {
          if (i >= n) throw CsvSyntaxError(open_line, open_col, "quoted field is never closed");
          const char c = text[i];
          if (c == '"') {
            if (i + 1 < n && text[i + 1] == '"') {
              f.text += '"';
              i += 2;
              continue;
            }
            ++i;
            break;
          }
          if (is_eol(c)) {
            f.text += c == '\r' && i + 1 < n && text[i + 1] == '\n' ? "\r\n" : std::string(1, c);
            eat_eol();
            continue;
          }
          f.text += c;
          ++i;
        }
        while (i < n && is_blank(text[i])) ++i;
        if (i < n && text[i] != ',' && !is_eol(text[i]))
          throw CsvSyntaxError(line, col_of(i), "unexpected text after the closing quote of a field");
      } else {
        const std::size_t start = i;
        while (i < n && text[i] != ',' && !is_eol(text[i])) {
          if (text[i] == '"')
            throw CsvSyntaxError(line, col_of(i),
                                 "a quote inside an unquoted field (quote the whole field and double the quote)");
          ++i;
        }
        std::size_t end = i;
        while (end > start && is_blank(text[end - 1])) --end;
        f.text = text.substr(start, end - start);
      }
      rec.fields.push_back(std::move(f));
      if (i < n && text[i] == ',') {
        ++i;
        continue;
      }
      if (i < n) eat_eol();
      break;
    }
    records.push_back(std::move(rec));
  }
  return records;
}

}  // namespace arraysim::io
