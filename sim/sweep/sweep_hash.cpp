#include "sim/sweep/sweep_hash.hpp"

#include <openssl/evp.h>

#include <stdexcept>

namespace arraysim::sweep {

std::string sha256_hex(const std::string& data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr) != 1 || len != 32)
    throw std::runtime_error("SHA-256 failed (OpenSSL libcrypto)");
  static const char* const hex = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    out += hex[md[i] >> 4];
    out += hex[md[i] & 15];
  }
  return out;
}

std::string point_key(const std::string& version, const std::string& layers, const std::string& effective_yaml) {
  return sha256_hex("arraysim " + version + "\nlayers: " + layers + "\n" + effective_yaml).substr(0, kPointKeyDigits);
}

}  // namespace arraysim::sweep
