/// Fuzz target: the .npy reader (sim/io/npy.hpp). Errors must be io::NpyError; an accepted file
/// must write back to bytes that read again as the same shape and element bytes.
#include <cstring>

#include "sim/io/npy.hpp"
#include "tests/fuzz/fuzz_target.hpp"

using namespace arraysim;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  io::NpyArray a;
  try {
    a = io::parse_npy(bytes, "fuzz.npy");
  } catch (const io::NpyError&) {
    return 0;
  }
  const io::NpyArray b = io::parse_npy(io::npy_bytes(a.tensor, a.uint8), "again.npy");
  if (b.tensor.shape() != a.tensor.shape() || b.tensor.dtype() != a.tensor.dtype() || b.uint8 != a.uint8 ||
      std::memcmp(b.tensor.raw_bytes(), a.tensor.raw_bytes(), a.tensor.size_bytes()) != 0)
    __builtin_trap();
  return 0;
}
