/// .npy files (sim/io/npy.hpp) against files numpy wrote (tests/data/npy/make_npy.py, which
/// states every value): each element type, byte order, Fortran order, format 2.0, scalars and
/// empty arrays; the bytes arraysim writes equal numpy's; every refusal is one line naming the
/// file and the problem.
#include <catch2/catch.hpp>

#include <string>

#include "sim/io/npy.hpp"
#include "sim/util/read_file.hpp"
#include "tests/support.hpp"

using namespace arraysim;

namespace {
std::string npy(const std::string& name) { return test::src_path("tests/data/npy/" + name); }

std::string error_of(const std::string& name) {
  try {
    io::read_npy(npy(name));
  } catch (const io::NpyError& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST_CASE("npy: every element type numpy writes is read with its shape and values", "[npy]") {
  const io::NpyArray i8 = io::read_npy(npy("int8_2x3.npy"));
  CHECK(i8.tensor.dtype() == ir::DType::int8);
  CHECK(i8.tensor.shape() == ir::Shape{2, 3});
  CHECK_FALSE(i8.uint8);
  const std::int64_t want_i8[] = {-128, -1, 0, 1, 2, 127};
  for (int i = 0; i < 6; ++i) CHECK(i8.tensor.get_i64(i) == want_i8[i]);

  // uint8 is held in int16: 0, 1, 128, 255 stay non-negative.
  const io::NpyArray u8 = io::read_npy(npy("uint8_4.npy"));
  CHECK(u8.uint8);
  CHECK(u8.tensor.dtype() == ir::DType::int16);
  const std::int64_t want_u8[] = {0, 1, 128, 255};
  for (int i = 0; i < 4; ++i) CHECK(u8.tensor.get_i64(i) == want_u8[i]);

  // Big-endian int16 ('>i2'): the bytes are swapped on reading.
  const io::NpyArray be = io::read_npy(npy("int16_be_2x2.npy"));
  CHECK(be.tensor.dtype() == ir::DType::int16);
  const std::int64_t want_be[] = {-300, 2, 3, 32767};
  for (int i = 0; i < 4; ++i) CHECK(be.tensor.get_i64(i) == want_be[i]);

  // Fortran order: the file holds 1, 4, 2, 5, 3, -6 (columns); read back in row-major order.
  const io::NpyArray f = io::read_npy(npy("int32_fortran_2x3.npy"));
  CHECK(f.tensor.shape() == ir::Shape{2, 3});
  const std::int64_t want_f[] = {1, 2, 3, 4, 5, -6};
  for (int i = 0; i < 6; ++i) CHECK(f.tensor.get_i64(i) == want_f[i]);

  const io::NpyArray s = io::read_npy(npy("int64_scalar.npy"));
  CHECK(s.tensor.dtype() == ir::DType::int64);
  CHECK(s.tensor.shape().empty());
  CHECK(s.tensor.get_i64(0) == -5);

  // arange(8) - 3.5: -3.5, -2.5, ..., 3.5 in shape (1, 2, 2, 2).
  const io::NpyArray fp = io::read_npy(npy("float32_1x2x2x2.npy"));
  CHECK(fp.tensor.dtype() == ir::DType::fp32);
  CHECK(fp.tensor.shape() == ir::Shape{1, 2, 2, 2});
  for (int i = 0; i < 8; ++i) CHECK(fp.tensor.get_f64(i) == i - 3.5);

  const io::NpyArray empty = io::read_npy(npy("float32_empty_0x3.npy"));
  CHECK(empty.tensor.shape() == ir::Shape{0, 3});
  CHECK(empty.tensor.size() == 0);

  // Format version 2.0 (a 4-byte header length).
  const io::NpyArray v2 = io::read_npy(npy("int16_v2_3.npy"));
  CHECK(v2.tensor.shape() == ir::Shape{3});
  CHECK(v2.tensor.get_i64(1) == -8);
}

TEST_CASE("npy: the bytes written equal numpy's for C-order little-endian files", "[npy]") {
  for (const char* name :
       {"int8_2x3.npy", "uint8_4.npy", "int64_scalar.npy", "float32_1x2x2x2.npy", "float32_empty_0x3.npy"}) {
    INFO(name);
    const std::string file = util::read_file(npy(name));
    const io::NpyArray a = io::parse_npy(file, name);
    CHECK(io::npy_bytes(a.tensor, a.uint8) == file);
  }
  // A big-endian or Fortran-order file is written back as numpy writes the same values in C
  // order, little-endian: the same values read again.
  const io::NpyArray f = io::read_npy(npy("int32_fortran_2x3.npy"));
  const io::NpyArray again = io::parse_npy(io::npy_bytes(f.tensor), "again.npy");
  CHECK(again.tensor.shape() == f.tensor.shape());
  for (int i = 0; i < 6; ++i) CHECK(again.tensor.get_i64(i) == f.tensor.get_i64(i));
}

TEST_CASE("npy: files arraysim cannot use are one line naming the file and the problem", "[npy]") {
  const std::string supported =
      " (supported: |i1 int8, |u1 uint8, <i2 int16, <i4 int32, <i8 int64, <f4 float32, <f2 float16, '>' for "
      "big-endian)";
  CHECK(error_of("float64_2.npy") ==
        npy("float64_2.npy") + ": 'descr' is '<f8', not an element type arraysim reads" + supported);
  CHECK(error_of("bool_2.npy") ==
        npy("bool_2.npy") + ": 'descr' is '|b1', not an element type arraysim reads" + supported);
  // float32_1x2x2x2.npy without its last byte: 8 floats need 32 bytes.
  CHECK(error_of("truncated.npy") ==
        npy("truncated.npy") + ": 'shape' (1, 2, 2, 2) of '<f4' needs 32 bytes of data; the file holds 31");
  CHECK(error_of("make_npy.py") == npy("make_npy.py") + ": not a .npy file (it does not start with \\x93NUMPY)");
  CHECK(error_of("absent.npy") == npy("absent.npy") + ": cannot open: No such file or directory");

  // Hand-made headers: the preamble, then the header text, then the data.
  auto file = [](const std::string& header, const std::string& data, char major = 1) {
    std::string f("\x93NUMPY", 6);
    f += major;
    f += '\0';
    f += static_cast<char>(header.size()), f += '\0';
    if (major != 1) f += std::string(2, '\0');
    return f + header + data;
  };
  auto err = [](const std::string& bytes) {
    try {
      io::parse_npy(bytes, "x.npy");
    } catch (const io::NpyError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  CHECK(err(file("{'descr': '|i1', 'shape': (2,), }\n", "ab")) == "x.npy: header has no 'fortran_order'");
  CHECK(err(file("{'descr': '|i1', 'fortran_order': False, 'shape': (2,), 'x': 1}\n", "ab")) ==
        "x.npy: header has the key 'x'; a .npy header has exactly 'descr', 'fortran_order' and 'shape'");
  CHECK(err(file("{'descr': '|i1', 'fortran_order': Maybe, 'shape': (2,)}\n", "ab")) ==
        "x.npy: malformed header at character 35: expected True or False");
  CHECK(err(file("{'descr': '|i1', 'fortran_order': False, 'shape': (-2,)}\n", "ab")) ==
        "x.npy: malformed header at character 52: expected a dimension (a non-negative integer) or ')'");
  CHECK(err(file("{'descr': '|i1', 'fortran_order': False, 'shape': (2,)}\n", "ab", 4)) ==
        "x.npy: .npy format version 4.0 (arraysim reads 1.0, 2.0 and 3.0)");
  CHECK(err(file("{'descr': '|i1', 'fortran_order': False, 'shape': (3,)}\n", "abcd")) ==
        "x.npy: 'shape' (3,) of '|i1' needs 3 bytes of data; the file holds 4");
  // A shape whose element count does not fit is refused before anything is allocated.
  CHECK(err(file("{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296, 16)}\n", "abcd")) ==
        "x.npy: 'shape' (4294967296, 4294967296, 16) of '<f4' needs more bytes of data; the file holds 4");
  // Hand-written spacing and double quotes are accepted.
  const io::NpyArray ok =
      io::parse_npy(file("{ \"descr\":\"|i1\",\"shape\":( 2 , ),\"fortran_order\":True }", "\x01\xff"), "ok.npy");
  CHECK(ok.tensor.shape() == ir::Shape{2});
  CHECK(ok.tensor.get_i64(1) == -1);
}
