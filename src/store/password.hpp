#pragma once
// Password hashing with Argon2id (libsodium's crypto_pwhash). Stateless and
// thread-safe: any thread may call these, concurrently. Each call is slow
// and memory-hungry on purpose, so it belongs on the small bounded hashing
// pool, never on a shard. Nothing here logs, and passwords are never copied.
#include <cstddef>
#include <string>
#include <string_view>

namespace chatd::store {

// How expensive a hash is: Argon2id's passes (opslimit) and memory
// (memlimit, bytes). Every hash AND every verification of it allocates
// memlimit for its duration: with interactive(), 64 MiB per call in
// flight, so the caller's pool size bounds memory (4 threads = 256 MiB).
// The cost is recorded in the hash string: verify uses the hash's own
// cost; needs_rehash tells when it differs from the current one.
struct PasswordCost {
  unsigned long long opslimit;
  std::size_t memlimit;

  // crypto_pwhash_OPSLIMIT/MEMLIMIT_INTERACTIVE: 2 passes, 64 MiB; tens of
  // milliseconds per call (bench/store_bench.cpp measures it).
  static PasswordCost interactive();
  // 3 passes, 256 MiB.
  static PasswordCost moderate();
  // The least libsodium accepts (1 pass, 8 KiB): for tests only.
  static PasswordCost minimum();
};

// "$argon2id$v=19$m=...,t=...,p=1$salt$hash", with a fresh random salt.
// Throws std::runtime_error if libsodium cannot start or the hash cannot be
// computed (out of memory, cost outside libsodium's bounds).
std::string hash_password(std::string_view password,
                          const PasswordCost& cost = PasswordCost::interactive());

// True if `password` matches `hash` (any Argon2 hash crypto_pwhash_str
// made, at its own cost). False for a wrong password, and for a malformed
// or over-long hash string.
bool verify_password(std::string_view hash, std::string_view password);

// True if `hash` was not made with Argon2id at exactly `cost` (or is
// malformed): after a successful login, store hash_password(password, cost)
// in its place.
bool needs_rehash(std::string_view hash, const PasswordCost& cost = PasswordCost::interactive());

}  // namespace chatd::store
