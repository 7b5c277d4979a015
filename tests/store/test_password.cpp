// Argon2id hashing: round trip, wrong passwords, malformed hashes, rehash
// advice. At libsodium's minimum cost, to stay fast; interactive cost is
// measured by bench/store_bench.cpp.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "store/password.hpp"

using namespace chatd::store;

namespace {
const PasswordCost kFast = PasswordCost::minimum();
}

TEST_CASE("password: hash and verify round trip; a wrong password fails") {
  const std::string h = hash_password("correct horse battery staple", kFast);
  CHECK(h.rfind("$argon2id$", 0) == 0);
  CHECK(verify_password(h, "correct horse battery staple"));
  CHECK_FALSE(verify_password(h, "correct horse battery stapler"));
  CHECK_FALSE(verify_password(h, "Correct horse battery staple"));
  CHECK_FALSE(verify_password(h, ""));
}

TEST_CASE("password: each hash has its own salt") {
  const std::string a = hash_password("same", kFast);
  const std::string b = hash_password("same", kFast);
  CHECK(a != b);
  CHECK(verify_password(a, "same"));
  CHECK(verify_password(b, "same"));
}

TEST_CASE("password: the whole view is hashed, not a C string") {
  using namespace std::string_view_literals;
  const std::string h = hash_password("a\0b"sv, kFast);
  CHECK(verify_password(h, "a\0b"sv));
  CHECK_FALSE(verify_password(h, "a"));
  const std::string buffer = "secretXXXX";
  const std::string h2 = hash_password(std::string_view(buffer).substr(0, 6), kFast);
  CHECK(verify_password(h2, "secret"));
  CHECK_FALSE(verify_password(h2, buffer));
  CHECK(verify_password(hash_password("", kFast), ""));
  CHECK(verify_password(hash_password("p\xc3\xa4ss \xf0\x9f\x94\x91", kFast),
                        "p\xc3\xa4ss \xf0\x9f\x94\x91"));
}

TEST_CASE("password: malformed hashes never verify") {
  using namespace std::string_view_literals;
  const std::string h = hash_password("pw", kFast);
  CHECK_FALSE(verify_password("", "pw"));
  CHECK_FALSE(verify_password("not a hash", "pw"));
  CHECK_FALSE(verify_password(h.substr(0, h.size() - 4), "pw"));
  CHECK_FALSE(verify_password(h + std::string(200, 'x'), "pw"));  // over-long
  std::string with_nul = h;
  with_nul[5] = '\0';
  CHECK_FALSE(verify_password(with_nul, "pw"));
}

TEST_CASE("password: needs_rehash compares the hash's cost with the wanted one") {
  const std::string h = hash_password("pw", kFast);
  CHECK_FALSE(needs_rehash(h, kFast));
  CHECK(needs_rehash(h, PasswordCost::interactive()));
  CHECK(needs_rehash("garbage", kFast));
  CHECK(needs_rehash("", kFast));
}

TEST_CASE("password: the documented costs") {
  CHECK(PasswordCost::interactive().memlimit == 64u * 1024 * 1024);
  CHECK(PasswordCost::interactive().opslimit == 2);
  CHECK(PasswordCost::moderate().memlimit == 256u * 1024 * 1024);
}

TEST_CASE("password: threads may hash and verify at once") {
  std::vector<std::thread> threads;
  std::vector<int> ok(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([t, &ok] {
      const std::string pw = fmt::format("pw{}", t);
      for (int i = 0; i < 5; ++i) ok[static_cast<std::size_t>(t)] += verify_password(hash_password(pw, kFast), pw);
    });
  }
  for (auto& th : threads) th.join();
  CHECK(ok == std::vector<int>(4, 5));
}
