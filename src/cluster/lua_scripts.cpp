#include "cluster/lua_scripts.hpp"

#include <openssl/evp.h>

#include <array>

namespace chatd::cluster::lua {

std::string sha1_hex(std::string_view script) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int len = 0;
  if (EVP_Digest(script.data(), script.size(), digest.data(), &len, EVP_sha1(), nullptr) != 1) return {};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < len; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 15];
  }
  return out;
}

}  // namespace chatd::cluster::lua
