// Store::apply: a batch commits whole or not at all; each contradiction
// of the stored state is reported with its index; user strings are data.
#include <doctest/doctest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "store/apply_dropping_rejected.hpp"
#include "store/sqlite_store.hpp"
#include "store_fixtures.hpp"

using namespace chatd::store;
using namespace chatd::store::testing;

namespace {

// apply(batch) throws Rejected, naming write `index`; returns the message.
std::string check_rejected(Store& s, const std::vector<Write>& batch, std::size_t index) {
  try {
    s.apply(batch);
    FAIL("batch was accepted");
  } catch (const StoreError& e) {
    CAPTURE(e.what());
    CHECK(e.kind() == StoreError::Kind::Rejected);
    CHECK(e.write_index() == index);
    return e.what();
  }
  return {};
}

}  // namespace

TEST_CASE("apply: a rejected write rolls the whole batch back") {
  SqliteStore s("");
  const std::vector<Write> batch = {
      room("lobby"), say("lobby", 1), PutAccount{make_account("Bob", "bob")},
      QueuePm{"bob", "ana", 1, "hello"}, say("lobby", 5),  // not next: rejected
  };
  const std::string what = check_rejected(s, batch, 4);
  CHECK(what.find("seq 5 of room \"lobby\" is not next (last_seq 1)") != std::string::npos);
  CHECK(what.find("[write 4 of 5: AppendMessage]") != std::string::npos);
  CHECK(s.rooms().empty());
  CHECK(s.message_count() == 0);
  CHECK_FALSE(s.account("bob"));
  CHECK(s.pending_pms("bob").empty());

  // The store is usable afterwards, and the same writes minus the bad one
  // commit.
  s.apply(std::span(batch).first(4));
  CHECK(s.rooms().size() == 1);
  CHECK(s.message_count() == 1);
  CHECK(s.account("bob"));
  CHECK(s.pending_pms("bob").size() == 1);
}

TEST_CASE("apply: what each write rejects") {
  SqliteStore s("");
  s.apply(std::vector<Write>{room("lobby"), say("lobby", 1),
                             PutAccount{make_account("Ana", "ana")}});

  CHECK(check_rejected(s, {room("x"), room("lobby")}, 1).find("room \"lobby\" exists") !=
        std::string::npos);
  CHECK(check_rejected(s, {say("nowhere", 1)}, 0).find("no room \"nowhere\"") !=
        std::string::npos);
  check_rejected(s, {say("lobby", 1)}, 0);  // a duplicate
  check_rejected(s, {say("lobby", 3)}, 0);  // a hole
  check_rejected(s, {say("lobby", 0)}, 0);  // seq starts at 1
  check_rejected(s, {say("lobby", std::numeric_limits<std::uint64_t>::max())}, 0);
  check_rejected(s, {say("lobby", 2), say("lobby", 2)}, 1);
  check_rejected(s, {SetTopic{"nowhere", "t"}}, 0);
  CHECK(check_rejected(s, {PutAccount{make_account("ANA", "ana")}}, 0)
            .find("account \"ana\" exists") != std::string::npos);
  CHECK(check_rejected(s, {SetPassword{"bob", "h"}}, 0).find("no account \"bob\"") !=
        std::string::npos);
  check_rejected(s, {SetStatus{"bob", "away"}}, 0);
  check_rejected(s, {SetLastSeen{"bob", 1}}, 0);
  check_rejected(s, {QueuePm{"bob", "ana", 1, "hi"}}, 0);

  // Never rejected: deleting nothing; setting a value to what it was.
  s.apply(std::vector<Write>{DeletePms{"bob", 100}, DeletePms{"ana", 0}});
  s.apply(std::vector<Write>{SetStatus{"ana", ""}, SetStatus{"ana", ""}});
  s.apply(std::vector<Write>{});
  CHECK(s.message_count() == 1);
}

TEST_CASE("apply: a write may depend on an earlier one in the same batch") {
  SqliteStore s("");
  s.apply(std::vector<Write>{room("r"), say("r", 1), say("r", 2), SetTopic{"r", "t"},
                             PutAccount{make_account("A", "a")}, SetStatus{"a", "here"},
                             QueuePm{"a", "b", 1, "x"}, DeletePms{"a", 1000}});
  CHECK(s.rooms() == std::vector<RoomRecord>{{"r", "t", 1, 2}});
  CHECK(s.account("a")->status == "here");
  CHECK(s.pending_pms("a").empty());
}

TEST_CASE("apply: hostile strings are stored and returned verbatim") {
  SqliteStore s("");
  const std::string nick = "'); DROP TABLE messages;--";
  const std::string room_name = "\"quoted\" 'single' `back` \\ %s %n ?1 :x @y $z";
  const std::string text = "caf\xc3\xa9 \xf0\x9f\x98\x80 ; DELETE FROM accounts; -- \t\r end";
  const std::string folded = "robert'); drop table accounts;--";
  Account a{nick, folded, "$argon2id$' OR '1'='1", 7, "\"; DROP TABLE rooms; --", 9};
  s.apply(std::vector<Write>{room(room_name), say(room_name, 1, text, 5, nick),
                             SetTopic{room_name, "?2 ?3 %d"}, PutAccount{a},
                             QueuePm{folded, nick, 3, text}});

  REQUIRE(s.rooms().size() == 1);
  CHECK(s.rooms()[0].name == room_name);
  CHECK(s.rooms()[0].topic == "?2 ?3 %d");
  CHECK(s.history(room_name, 0, 10) ==
        std::vector<StoredMessage>{{room_name, 1, 5, nick, text}});
  CHECK(s.account(folded) == a);
  CHECK_FALSE(s.account("robert"));
  REQUIRE(s.pending_pms(folded).size() == 1);
  CHECK(s.pending_pms(folded)[0].from_nick == nick);
  CHECK(s.pending_pms(folded)[0].text == text);
  CHECK(s.message_count() == 1);  // every table still there
}

TEST_CASE("apply: empty strings are stored as empty, not NULL") {
  SqliteStore s("");
  s.apply(std::vector<Write>{room(""), say("", 1, "", 0, ""), SetTopic{"", ""},
                             PutAccount{Account{"", "", "", 0, "", 0}}});
  CHECK(s.history("", 0, 1) == std::vector<StoredMessage>{{"", 1, 0, "", ""}});
  CHECK(s.account("") == Account{"", "", "", 0, "", 0});
}

TEST_CASE("apply_dropping_rejected: the other writes commit, the rejected are reported") {
  SqliteStore s("");
  s.apply(std::vector<Write>{room("r"), PutAccount{make_account("Ana", "ana")}});
  const std::vector<Write> batch = {
      say("r", 1),
      PutAccount{make_account("ANA", "ana")},  // taken
      say("r", 2),
      say("r", 9),  // hole
      PutAccount{make_account("Bob", "bob")},
      QueuePm{"nobody", "bob", 1, "x"},  // no such account
      say("r", 3),
  };
  const auto rejected = apply_dropping_rejected(s, batch);
  REQUIRE(rejected.size() == 3);
  CHECK(rejected[0].index == 1);
  CHECK(rejected[1].index == 3);
  CHECK(rejected[2].index == 5);
  CHECK(rejected[2].reason.find("no account \"nobody\"") != std::string::npos);
  CHECK(seqs(s.history("r", 0, 10)) == range(1, 3));
  CHECK(s.account("bob"));
  CHECK(s.account("ana")->nick == "Ana");

  CHECK(apply_dropping_rejected(s, std::vector<Write>{say("r", 4)}).empty());
  CHECK(s.message_count() == 4);
}

TEST_CASE("apply: two stores on one file see each other's rooms and seqs") {
  // The writer keeps a copy of each room's last_seq; a commit by another
  // connection (a second process, the sqlite3 tool) must invalidate it.
  TempDir dir;
  SqliteStore a(dir.db());
  SqliteStore b(dir.db());
  a.apply(std::vector<Write>{room("r"), say("r", 1), say("r", 2)});
  b.apply(std::vector<Write>{say("r", 3)});
  check_rejected(a, {say("r", 3)}, 0);
  a.apply(std::vector<Write>{say("r", 4)});
  b.apply(std::vector<Write>{room("s"), say("s", 1)});
  check_rejected(a, {room("s")}, 0);
  a.apply(std::vector<Write>{say("s", 2), say("r", 5)});
  CHECK(seqs(b.history("r", 0, 10)) == range(1, 5));
  CHECK(seqs(b.history("s", 0, 10)) == range(1, 2));
  CHECK(b.rooms() == a.rooms());
}
