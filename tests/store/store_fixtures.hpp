#pragma once
// Helpers shared by the storage tests: a temporary directory removed at the
// end, and short builders for writes. Owned by the test's thread.
#include <stdlib.h>

#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include "store/records.hpp"
#include "store/writes.hpp"

namespace chatd::store::testing {

class TempDir {
 public:
  TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string pattern = std::string(base && *base ? base : "/tmp") + "/chatd-store-XXXXXX";
    if (!::mkdtemp(pattern.data())) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::permissions(path_, std::filesystem::perms::owner_all,
                                 std::filesystem::perm_options::add, ec);
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::string file(const char* name) const { return (path_ / name).string(); }
  std::string db() const { return file("chatd.db"); }

 private:
  std::filesystem::path path_;
};

inline Write room(std::string name, std::int64_t created_ms = 1) {
  return CreateRoom{std::move(name), created_ms};
}

inline Write say(std::string room, std::uint64_t seq, std::string text = "hi",
                 std::int64_t time_ms = 1000, std::string nick = "ana") {
  return AppendMessage{StoredMessage{std::move(room), seq, time_ms, std::move(nick),
                                     std::move(text)}};
}

inline Account make_account(std::string nick, std::string folded,
                            std::string hash = "$argon2id$fake") {
  return Account{std::move(nick), std::move(folded), std::move(hash), 5, "", 0};
}

inline std::vector<std::uint64_t> seqs(const std::vector<StoredMessage>& ms) {
  std::vector<std::uint64_t> out;
  for (const auto& m : ms) out.push_back(m.seq);
  return out;
}

inline std::vector<std::uint64_t> range(std::uint64_t first, std::uint64_t last) {
  std::vector<std::uint64_t> out;
  for (std::uint64_t s = first; s <= last; ++s) out.push_back(s);
  return out;
}

}  // namespace chatd::store::testing
