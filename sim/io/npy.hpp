#pragma once
/// NumPy .npy files, the format of input tensors and of dumped tensors.
/// The format (numpy.lib.format, versions 1.0, 2.0 and 3.0): the magic "\x93NUMPY", a version,
/// a little-endian header length (2 bytes in 1.0, 4 in 2.0 and 3.0), a header that is a Python
/// dict literal {'descr': ..., 'fortran_order': ..., 'shape': (...)} padded with spaces and a
/// newline, then the elements. Plain C++, no SystemC.
#include <stdexcept>
#include <string>

#include "models/ir/tensor.hpp"

namespace arraysim::io {

/// A .npy file arraysim cannot use. what() is one line, "PATH: message".
class NpyError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// What a .npy file holds.
struct NpyArray {
  ir::Tensor tensor;
  /// The file's elements are uint8 ('|u1'); they are held in an int16 tensor (0..255), as the
  /// golden model holds uint8 (models/golden/ops.hpp).
  bool uint8 = false;
};

/// The array in `bytes`, the content of the .npy file `path` (named in errors). Element types
/// ('descr'): '|i1' int8, '|u1' uint8, 'i2' int16, 'i4' int32, 'i8' int64, 'f4' fp32, in either
/// byte order ('<', '>', '=' or '|' for one byte). C order or Fortran order (reordered to C
/// order). Any other type, a malformed header, or data shorter or longer than the shape says is
/// an NpyError naming the problem (and the header key: 'descr', 'fortran_order', 'shape').
NpyArray parse_npy(const std::string& bytes, const std::string& path);

/// parse_npy of the file at `path`, read as an input of the run (util::read_input).
NpyArray read_npy(const std::string& path);

/// The .npy bytes (version 1.0, C order, little-endian) of `t`; `uint8`: `t` is int16 holding
/// uint8 values (0..255), written as '|u1'.
std::string npy_bytes(const ir::Tensor& t, bool uint8 = false);

/// Writes npy_bytes(`t`, `uint8`) to `path` atomically (util::write_atomically).
void write_npy(const std::string& path, const ir::Tensor& t, bool uint8 = false);

}  // namespace arraysim::io
