#pragma once
/// Hashes that key sweep points (docs/sweeps.md "Resume and hashing"): SHA-256 (FIPS 180-4) from
/// OpenSSL's libcrypto, stable across platforms, compilers and arraysim builds.
#include <cstddef>
#include <string>

namespace arraysim::sweep {

/// SHA-256 of `data` as 64 lowercase hexadecimal digits.
std::string sha256_hex(const std::string& data);

/// Hexadecimal digits of a point key: the first 64 bits of the SHA-256.
constexpr std::size_t kPointKeyDigits = 16;

/// The key of one sweep point: the first kPointKeyDigits hex digits of
///   SHA-256("arraysim VERSION\nlayers: LAYERS\n" + EFFECTIVE_YAML)
/// where EFFECTIVE_YAML is `arraysim check`'s output for the point and LAYERS the `--layers`
/// selection ("" = every layer). Two points with the same key are the same simulation.
std::string point_key(const std::string& version, const std::string& layers, const std::string& effective_yaml);

}  // namespace arraysim::sweep
