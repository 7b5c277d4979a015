#include "store/password.hpp"

#include <sodium.h>

#include <array>
#include <optional>
#include <stdexcept>

namespace chatd::store {

namespace {

// sodium_init is idempotent and thread-safe itself; the static makes the
// common path a load instead of a lock. Required before crypto_pwhash uses
// the random generator for the salt.
void ensure_sodium() {
  static const int rc = sodium_init();  // 0 first time, 1 if already done
  if (rc < 0) throw std::runtime_error("libsodium could not be initialised");
}

using HashBuffer = std::array<char, crypto_pwhash_STRBYTES>;

// libsodium reads the hash as a NUL-terminated string of at most
// STRBYTES - 1 characters; a string_view is neither, so copy it into one.
// Empty for a string that cannot be a hash.
std::optional<HashBuffer> terminated(std::string_view hash) {
  if (hash.size() >= crypto_pwhash_STRBYTES || hash.find('\0') != std::string_view::npos)
    return std::nullopt;
  HashBuffer buf{};
  hash.copy(buf.data(), hash.size());
  return buf;
}

}  // namespace

PasswordCost PasswordCost::interactive() {
  return {crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE,
          crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE};
}

PasswordCost PasswordCost::moderate() {
  return {crypto_pwhash_argon2id_OPSLIMIT_MODERATE, crypto_pwhash_argon2id_MEMLIMIT_MODERATE};
}

PasswordCost PasswordCost::minimum() {
  return {crypto_pwhash_argon2id_OPSLIMIT_MIN, crypto_pwhash_argon2id_MEMLIMIT_MIN};
}

std::string hash_password(std::string_view password, const PasswordCost& cost) {
  ensure_sodium();
  HashBuffer out{};
  // _argon2id_ by name: the generic crypto_pwhash_str picks the library's
  // default algorithm, which a later libsodium may change.
  if (crypto_pwhash_argon2id_str(out.data(), password.data(), password.size(), cost.opslimit,
                                 cost.memlimit) != 0)
    throw std::runtime_error("password hashing failed (out of memory or cost out of range)");
  return std::string(out.data());
}

bool verify_password(std::string_view hash, std::string_view password) {
  ensure_sodium();
  const auto buf = terminated(hash);
  if (!buf) return false;
  // The generic verify reads the algorithm from the hash ($argon2id$ or
  // $argon2i$), so older hashes still verify.
  return crypto_pwhash_str_verify(buf->data(), password.data(), password.size()) == 0;
}

bool needs_rehash(std::string_view hash, const PasswordCost& cost) {
  ensure_sodium();
  const auto buf = terminated(hash);
  if (!buf) return true;
  // 0: Argon2id at this cost; 1: another cost; -1: not an Argon2id hash.
  return crypto_pwhash_argon2id_str_needs_rehash(buf->data(), cost.opslimit, cost.memlimit) != 0;
}

}  // namespace chatd::store
