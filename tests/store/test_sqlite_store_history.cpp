// History queries, the no-hole (prefix) property under failing batches and
// under kill -9, and retention.
#include <doctest/doctest.h>
#include <fmt/format.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "store/sqlite_store.hpp"
#include "store_fixtures.hpp"

using namespace chatd::store;
using namespace chatd::store::testing;

namespace {

// Appends messages first..last to `room`, time_ms = seq * 10.
void fill(Store& s, const std::string& room, std::uint64_t first, std::uint64_t last) {
  std::vector<Write> batch;
  for (std::uint64_t q = first; q <= last; ++q)
    batch.push_back(say(room, q, fmt::format("m{}", q), static_cast<std::int64_t>(q) * 10));
  s.apply(batch);
}

// Every room's stored history is seq first..last_seq with no hole, where
// first is 1 unless trimmed; message_count agrees. Returns the total.
std::uint64_t check_no_holes(Store& s, bool trimmed = false) {
  std::uint64_t total = 0;
  for (const RoomRecord& r : s.rooms()) {
    CAPTURE(r.name);
    const auto h = seqs(s.history(r.name, 0, 1'000'000));
    if (h.empty()) {
      CHECK((trimmed || r.last_seq == 0));
      continue;
    }
    CHECK(h.back() == r.last_seq);
    if (!trimmed) CHECK(h.front() == 1);
    CHECK(h == range(h.front(), h.back()));
    total += h.size();
  }
  CHECK(s.message_count() == total);
  return total;
}

}  // namespace

TEST_CASE("history: latest N, N before a seq, oldest first") {
  SqliteStore s("");
  s.apply(std::vector<Write>{room("r"), room("empty")});
  fill(s, "r", 1, 100);

  CHECK(seqs(s.history("r", 0, 5)) == range(96, 100));
  CHECK(seqs(s.history("r", 50, 3)) == range(47, 49));
  CHECK(seqs(s.history("r", 3, 10)) == range(1, 2));
  CHECK(seqs(s.history("r", 1, 10)).empty());
  CHECK(seqs(s.history("r", 1000, 2)) == range(99, 100));
  CHECK(seqs(s.history("r", 0, 1000)) == range(1, 100));
  CHECK(s.history("r", 0, 0).empty());
  CHECK(s.history("empty", 0, 10).empty());
  CHECK(s.history("unknown", 0, 10).empty());
  const auto one = s.history("r", 0, 1);
  REQUIRE(one.size() == 1);
  CHECK(one[0] == StoredMessage{"r", 100, 1000, "ana", "m100"});
}

TEST_CASE("prefix property: failing batches never leave a hole") {
  SqliteStore s("");
  const std::vector<std::string> names = {"a", "b", "c", "d"};
  {
    std::vector<Write> create;
    for (const auto& n : names) create.push_back(room(n));
    s.apply(create);
  }
  std::map<std::string, std::uint64_t> next;  // what the rooms' owners think
  for (const auto& n : names) next[n] = 1;
  std::mt19937 rng(42);
  int failed = 0;
  for (int b = 0; b < 300; ++b) {
    std::vector<Write> batch;
    std::map<std::string, std::uint64_t> after = next;
    const int size = 1 + static_cast<int>(rng() % 20);
    const bool poison = rng() % 4 == 0;  // one write out of order
    const int poison_at = static_cast<int>(rng() % static_cast<unsigned>(size));
    for (int i = 0; i < size; ++i) {
      const std::string& n = names[rng() % names.size()];
      if (poison && i == poison_at) {
        batch.push_back(say(n, after[n] + 1 + rng() % 3));  // skips one or more
      } else {
        batch.push_back(say(n, after[n]++));
      }
    }
    try {
      s.apply(batch);
      next = after;
    } catch (const StoreError& e) {
      REQUIRE(poison);
      CHECK(e.kind() == StoreError::Kind::Rejected);
      CHECK(e.write_index() == static_cast<std::size_t>(poison_at));
      ++failed;
    }
    if (b % 25 == 0) check_no_holes(s);
  }
  CHECK(failed > 0);
  std::uint64_t expected = 0;
  for (const auto& [n, q] : next) expected += q - 1;
  CHECK(check_no_holes(s) == expected);
}

TEST_CASE("prefix property: kill -9 in the middle of writing leaves committed batches whole") {
  TempDir dir;
  { SqliteStore s(dir.db()); s.apply(std::vector<Write>{room("a"), room("b")}); }
  int pipefd[2];
  REQUIRE(::pipe(pipefd) == 0);
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    // The writer: batches of 50 messages over two rooms, reporting each
    // batch once apply() has returned, until it is killed.
    ::close(pipefd[0]);
    try {
      SqliteStore s(dir.db());
      std::uint64_t next_a = 1, next_b = 1;
      for (std::uint32_t batch_no = 1;; ++batch_no) {
        std::vector<Write> batch;
        for (int i = 0; i < 50; ++i)
          batch.push_back(i % 3 ? say("a", next_a++) : say("b", next_b++));
        s.apply(batch);
        if (::write(pipefd[1], &batch_no, sizeof batch_no) != sizeof batch_no) ::_exit(3);
      }
    } catch (...) {
      ::_exit(2);
    }
  }
  ::close(pipefd[1]);
  std::uint32_t reported = 0, got = 0;
  while (reported < 40 && ::read(pipefd[0], &got, sizeof got) == sizeof got) reported = got;
  ::kill(child, SIGKILL);
  int status = 0;
  ::waitpid(child, &status, 0);
  ::close(pipefd[0]);
  REQUIRE(WIFSIGNALED(status));
  REQUIRE(reported >= 40);

  SqliteStore s(dir.db());
  const std::uint64_t total = check_no_holes(s);
  CHECK(total >= std::uint64_t{reported} * 50);  // every batch reported is there
  CHECK(total % 50 == 0);                          // and batches are whole
}

TEST_CASE("trim: by count keeps the newest N of each room and last_seq") {
  SqliteStore s("");
  s.apply(std::vector<Write>{room("big"), room("mid"), room("small"), room("none")});
  fill(s, "big", 1, 100);
  fill(s, "mid", 1, 50);
  fill(s, "small", 1, 10);

  CHECK(s.trim(20, 0) == 80 + 30);
  CHECK(seqs(s.history("big", 0, 1000)) == range(81, 100));
  CHECK(seqs(s.history("mid", 0, 1000)) == range(31, 50));
  CHECK(seqs(s.history("small", 0, 1000)) == range(1, 10));
  CHECK(s.message_count() == 50);
  CHECK(s.trim(20, 0) == 0);
  CHECK(s.trim(0, 0) == 0);  // neither limit: nothing to do

  // Numbering carries on after the trimmed prefix.
  fill(s, "big", 101, 105);
  CHECK(seqs(s.history("big", 0, 1000)) == range(81, 105));
  check_no_holes(s, true);
}

TEST_CASE("trim: by age deletes the prefix older than the limit, never a hole") {
  SqliteStore s("");
  s.apply(std::vector<Write>{room("r"), room("clock")});
  fill(s, "r", 1, 100);  // time_ms = seq * 10

  CHECK(s.trim(0, 305) == 30);  // seq 1..30 are older than 305 ms
  CHECK(seqs(s.history("r", 0, 1000)) == range(31, 100));

  // The clock went back at seq 3: a message newer than the limit (seq 2)
  // shields the older one after it.
  s.apply(std::vector<Write>{say("clock", 1, "x", 10), say("clock", 2, "x", 20),
                             say("clock", 3, "x", 5), say("clock", 4, "x", 30)});
  CHECK(s.trim(0, 15) == 1 + 0);
  CHECK(seqs(s.history("clock", 0, 10)) == range(2, 4));
  check_no_holes(s, true);
}

TEST_CASE("trim: count and age together take the larger cut") {
  SqliteStore s("");
  s.apply(std::vector<Write>{room("r")});
  fill(s, "r", 1, 100);
  CHECK(s.trim(50, 205) == 50);  // count cuts 50, age 20: 50
  CHECK(seqs(s.history("r", 0, 1000)) == range(51, 100));
  CHECK(s.trim(40, 905) == 40);  // count cuts 10, age 40: 40
  CHECK(seqs(s.history("r", 0, 1000)) == range(91, 100));
}

TEST_CASE("trim: everything old goes, the room and its numbering stay") {
  SqliteStore s("");
  s.apply(std::vector<Write>{room("r")});
  fill(s, "r", 1, 30);
  CHECK(s.trim(1000, 1'000'000) == 30);
  CHECK(s.history("r", 0, 10).empty());
  CHECK(s.message_count() == 0);
  CHECK(s.rooms()[0].last_seq == 30);
  fill(s, "r", 31, 31);
  CHECK(seqs(s.history("r", 0, 10)) == range(31, 31));
}

TEST_CASE("trim: a room larger than one chunk is deleted in several transactions") {
  SqliteStore s("");
  s.apply(std::vector<Write>{room("r")});
  const std::uint64_t n = 2 * SqliteStore::kTrimChunk + 500;
  fill(s, "r", 1, n);
  CHECK(s.trim(10, 0) == n - 10);
  CHECK(seqs(s.history("r", 0, 100)) == range(n - 9, n));
  CHECK(s.message_count() == 10);
}
