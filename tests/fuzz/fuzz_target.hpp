#pragma once
/// What every fuzz target of tests/fuzz defines (libFuzzer's entry point), and the helpers they
/// share. A target returns 0 for every input it handles as designed (accepted, or refused with the
/// error type its interface documents); anything else (a crash, a sanitizer report, an uncaught
/// exception, a failed invariant through fuzz_require) is a bug. tests/fuzz/README.md says how
/// targets are built, run and replayed.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace arraysim::fuzz {

/// The input as text.
inline std::string text_of(const std::uint8_t* data, std::size_t size) {
  return std::string(reinterpret_cast<const char*>(data), size);
}

/// Aborts (a finding) with `what` when an invariant of the code under test does not hold.
inline void fuzz_require(bool ok, const char* what) {
  if (ok) return;
  std::fprintf(stderr, "fuzz invariant violated: %s\n", what);
  std::abort();
}

}  // namespace arraysim::fuzz
