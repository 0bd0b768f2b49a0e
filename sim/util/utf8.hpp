#pragma once
/// UTF-8 checks for text read from files and the command line: every name arraysim writes into
/// JSON, CSV or YAML must be valid UTF-8, so invalid bytes are found where they are read.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace arraysim::util {

/// Offset of the first byte of `s` that does not belong to a well-formed UTF-8 sequence
/// (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF, no truncated sequence);
/// nullopt when all of `s` is UTF-8.
std::optional<std::size_t> invalid_utf8_at(std::string_view s);

/// Length in bytes (1..4) of the well-formed UTF-8 sequence that starts at byte `i` of `s`, or 0
/// when none starts there (`i` < s.size()).
std::size_t utf8_sequence_length(std::string_view s, std::size_t i);

/// `s` with every byte that does not belong to a well-formed UTF-8 sequence replaced by
/// `replacement` (for names derived from file names or binary files).
std::string with_valid_utf8(std::string_view s, char replacement = '_');

/// 1-based line and column (in bytes) of byte `offset` of `text`, for FILE:LINE:COL messages.
struct TextPosition {
  int line = 1;
  int col = 1;
};
TextPosition position_of(std::string_view text, std::size_t offset);

}  // namespace arraysim::util
