#include "sim/io/npy.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <limits>
#include <optional>
#include <vector>

#include "sim/util/read_file.hpp"
#include "sim/util/write_atomically.hpp"

namespace arraysim::io {
namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr std::size_t kMagicBytes = 6;

/// The header dict: {'descr': STR, 'fortran_order': BOOL, 'shape': (INT, ...)}.
struct Header {
  std::optional<std::string> descr;
  std::optional<bool> fortran_order;
  std::optional<ir::Shape> shape;
};

/// A parser of the header's Python literal, as numpy writes it (and as hand-written files may
/// space it): single- or double-quoted strings, True/False, tuples of non-negative integers.
class HeaderParser {
 public:
  HeaderParser(const std::string& text, const std::string& path) : s_(text), path_(path) {}

  Header parse() {
    Header h;
    expect('{');
    while (true) {
      skip_space();
      if (peek() == '}') break;
      const std::string key = string_literal();
      expect(':');
      if (key == "descr") {
        h.descr = string_literal();
      } else if (key == "fortran_order") {
        h.fortran_order = boolean();
      } else if (key == "shape") {
        h.shape = tuple();
      } else {
        fail("header has the key '" + key + "'; a .npy header has exactly 'descr', 'fortran_order' and 'shape'");
      }
      skip_space();
      if (peek() == ',') ++i_;
    }
    if (!h.descr) fail("header has no 'descr' (the element type)");
    if (!h.fortran_order) fail("header has no 'fortran_order'");
    if (!h.shape) fail("header has no 'shape'");
    return h;
  }

 private:
  [[noreturn]] void fail(const std::string& msg) const { throw NpyError(path_ + ": " + msg); }
  [[noreturn]] void malformed(const std::string& expected) const {
    fail("malformed header at character " + std::to_string(i_ + 1) + ": expected " + expected);
  }
  void skip_space() {
    while (i_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[i_]))) ++i_;
  }
  char peek() const { return i_ < s_.size() ? s_[i_] : '\0'; }
  void expect(char c) {
    skip_space();
    if (peek() != c) malformed(std::string("'") + c + "'");
    ++i_;
  }
  std::string string_literal() {
    skip_space();
    const char q = peek();
    if (q != '\'' && q != '"') malformed("a quoted string");
    const std::size_t end = s_.find(q, i_ + 1);
    if (end == std::string::npos) malformed("the end of a quoted string");
    std::string v = s_.substr(i_ + 1, end - i_ - 1);
    i_ = end + 1;
    return v;
  }
  bool boolean() {
    skip_space();
    for (const auto& [word, value] : {std::pair<const char*, bool>{"True", true}, {"False", false}}) {
      const std::size_t n = std::strlen(word);
      if (s_.compare(i_, n, word) == 0) {
        i_ += n;
        return value;
      }
    }
    malformed("True or False");
  }
  ir::Shape tuple() {
    expect('(');
    ir::Shape shape;
    while (true) {
      skip_space();
      if (peek() == ')') break;
      if (!std::isdigit(static_cast<unsigned char>(peek()))) malformed("a dimension (a non-negative integer) or ')'");
      std::int64_t d = 0;
      while (std::isdigit(static_cast<unsigned char>(peek()))) {
        if (d > (std::numeric_limits<std::int64_t>::max() - 9) / 10) fail("'shape' has a dimension too large");
        d = d * 10 + (s_[i_++] - '0');
      }
      // Python writes a long integer with an L suffix in files from Python 2.
      if (peek() == 'L') ++i_;
      shape.push_back(d);
      skip_space();
      if (peek() == ',') ++i_;
    }
    ++i_;
    return shape;
  }

  const std::string& s_;
  const std::string& path_;
  std::size_t i_ = 0;
};

/// The element type a 'descr' names, or an error naming it.
struct Descr {
  ir::DType dtype;
  bool uint8 = false;
  bool big_endian = false;
  std::size_t file_bytes = 1;  ///< bytes per element in the file
};

Descr parse_descr(const std::string& d, const std::string& path) {
  const std::string supported =
      " (supported: |i1 int8, |u1 uint8, <i2 int16, <i4 int32, <i8 int64, <f4 float32, <f2 float16, '>' for "
      "big-endian)";
  if (d.size() != 3 || std::string("<>=|").find(d[0]) == std::string::npos)
    throw NpyError(path + ": 'descr' is '" + d + "', not an element type arraysim reads" + supported);
  const std::string t = d.substr(1);
  Descr r{ir::DType::int8};
  if (t == "i1") {
    r.dtype = ir::DType::int8;
  } else if (t == "u1") {
    r.dtype = ir::DType::int16, r.uint8 = true;
  } else if (t == "i2") {
    r.dtype = ir::DType::int16, r.file_bytes = 2;
  } else if (t == "i4") {
    r.dtype = ir::DType::int32, r.file_bytes = 4;
  } else if (t == "i8") {
    r.dtype = ir::DType::int64, r.file_bytes = 8;
  } else if (t == "f4") {
    r.dtype = ir::DType::fp32, r.file_bytes = 4;
  } else if (t == "f2") {
    r.dtype = ir::DType::fp16, r.file_bytes = 2;
  } else {
    throw NpyError(path + ": 'descr' is '" + d + "', not an element type arraysim reads" + supported);
  }
  r.big_endian = d[0] == '>' && r.file_bytes > 1;
  return r;
}

std::string shape_tuple(const ir::Shape& s) {
  std::string t = "(";
  for (std::size_t i = 0; i < s.size(); ++i) t += (i ? ", " : "") + std::to_string(s[i]);
  return t + (s.size() == 1 ? ",)" : ")");
}

}  // namespace

NpyArray parse_npy(const std::string& bytes, const std::string& path) {
  if (bytes.size() < kMagicBytes || bytes.compare(0, kMagicBytes, kMagic, kMagicBytes) != 0)
    throw NpyError(path + ": not a .npy file (it does not start with \\x93NUMPY)");
  if (bytes.size() < 10) throw NpyError(path + ": truncated: " + std::to_string(bytes.size()) + " bytes, no header");
  const int major = static_cast<unsigned char>(bytes[6]), minor = static_cast<unsigned char>(bytes[7]);
  if (major < 1 || major > 3 || minor != 0)
    throw NpyError(path + ": .npy format version " + std::to_string(major) + "." + std::to_string(minor) +
                   " (arraysim reads 1.0, 2.0 and 3.0)");
  const std::size_t len_bytes = major == 1 ? 2 : 4, start = 8 + len_bytes;
  if (bytes.size() < start) throw NpyError(path + ": truncated: no header length");
  std::size_t header_len = 0;
  for (std::size_t i = 0; i < len_bytes; ++i)
    header_len |= static_cast<std::size_t>(static_cast<unsigned char>(bytes[8 + i])) << (8 * i);
  if (bytes.size() - start < header_len)
    throw NpyError(path + ": truncated: the header is " + std::to_string(header_len) + " bytes, the file holds " +
                   std::to_string(bytes.size() - start) + " after the preamble");
  const std::string text = bytes.substr(start, header_len);
  const Header h = HeaderParser(text, path).parse();
  const Descr d = parse_descr(*h.descr, path);
  const ir::Shape& shape = *h.shape;
  // Elements and bytes, refusing a product that does not fit before it is used to allocate.
  const std::size_t data_bytes = bytes.size() - start - header_len;
  constexpr std::size_t kTooMany = std::numeric_limits<std::size_t>::max();
  std::size_t n = 1;
  for (const std::int64_t dim : shape) {
    const auto u = static_cast<std::size_t>(dim);
    n = n == kTooMany ? (u == 0 ? 0 : kTooMany) : (u != 0 && n > kTooMany / 8 / u ? kTooMany : n * u);
  }
  if (std::find(shape.begin(), shape.end(), 0) != shape.end()) n = 0;
  if (n == kTooMany || n * d.file_bytes != data_bytes) {
    const std::string need = n == kTooMany ? "more" : std::to_string(n * d.file_bytes);
    throw NpyError(path + ": 'shape' " + shape_tuple(shape) + " of '" + *h.descr + "' needs " + need +
                   " bytes of data; the file holds " + std::to_string(data_bytes));
  }
  NpyArray out{ir::Tensor(d.dtype, shape), d.uint8};
  ir::Tensor& t = out.tensor;
  const unsigned char* src = reinterpret_cast<const unsigned char*>(bytes.data()) + start + header_len;
  if (d.uint8) {
    std::int16_t* dst = t.data<std::int16_t>();
    for (std::size_t i = 0; i < n; ++i) dst[i] = src[i];
  } else {
    if (data_bytes > 0) std::memcpy(t.raw_bytes(), src, data_bytes);  // an empty tensor has no buffer
    if (d.big_endian)
      for (std::size_t i = 0; i < n; ++i)
        std::reverse(t.raw_bytes() + i * d.file_bytes, t.raw_bytes() + (i + 1) * d.file_bytes);
  }
  if (*h.fortran_order && shape.size() > 1) {
    // Fortran order: the first index varies fastest. Element (i0, i1, ...) is at
    // i0 + d0·(i1 + d1·(i2 + ...)) in the file; put it at its row-major place.
    ir::Tensor c(t.dtype(), shape);
    std::vector<std::int64_t> idx(shape.size(), 0);
    for (std::int64_t i = 0; i < static_cast<std::int64_t>(n); ++i) {
      std::int64_t f = 0;
      for (std::size_t a = shape.size(); a-- > 0;) f = f * shape[a] + idx[a];
      c.copy_element(i, t, f);
      for (std::size_t a = shape.size(); a-- > 0;) {
        if (++idx[a] < shape[a]) break;
        idx[a] = 0;
      }
    }
    out.tensor = std::move(c);
  }
  return out;
}

NpyArray read_npy(const std::string& path) {
  try {
    return parse_npy(util::read_input(path, util::kNoSizeLimit), path);
  } catch (const util::FileReadError& e) {
    throw NpyError(e.what());
  }
}

std::string npy_bytes(const ir::Tensor& t, bool uint8) {
  const char* descr = "|i1";
  switch (t.dtype()) {
    case ir::DType::int8: descr = "|i1"; break;
    case ir::DType::int16: descr = uint8 ? "|u1" : "<i2"; break;
    case ir::DType::int32: descr = "<i4"; break;
    case ir::DType::int64: descr = "<i8"; break;
    case ir::DType::fp32: descr = "<f4"; break;
    case ir::DType::fp16: descr = "<f2"; break;
    // numpy has no bfloat16 or fp8: their bit patterns as raw fields of that width (what numpy
    // writes for the ml_dtypes bfloat16 and float8 types).
    case ir::DType::bf16: descr = "|V2"; break;
    case ir::DType::fp8_e4m3:
    case ir::DType::fp8_e5m2: descr = "|V1"; break;
  }
  std::string header =
      std::string("{'descr': '") + descr + "', 'fortran_order': False, 'shape': " + shape_tuple(t.shape()) + ", }";
  // numpy pads the header with spaces and ends it with a newline so that the data starts at a
  // multiple of 64 bytes (numpy.lib.format.ARRAY_ALIGN).
  const std::size_t unpadded = 10 + header.size() + 1;
  header.append((64 - unpadded % 64) % 64, ' ');
  header += '\n';
  std::string out(kMagic, kMagicBytes);
  out += '\x01';
  out += '\x00';
  out += static_cast<char>(header.size() & 0xff);
  out += static_cast<char>((header.size() >> 8) & 0xff);
  out += header;
  if (uint8) {
    if (t.dtype() != ir::DType::int16) throw std::logic_error("npy_bytes: uint8 values are held in int16");
    const std::int16_t* v = t.data<std::int16_t>();
    for (std::int64_t i = 0; i < t.size(); ++i) out += static_cast<char>(static_cast<unsigned char>(v[i]));
  } else {
    if (t.size_bytes() > 0) out.append(reinterpret_cast<const char*>(t.raw_bytes()), t.size_bytes());
  }
  return out;
}

void write_npy(const std::string& path, const ir::Tensor& t, bool uint8) {
  util::write_atomically(path, npy_bytes(t, uint8), util::Durability::rename_only);
}

}  // namespace arraysim::io
