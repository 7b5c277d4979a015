// Accounts (insert, duplicate, lookup, password/status/last-seen changes)
// and the private-message queue.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "store/sqlite_store.hpp"
#include "store_fixtures.hpp"

using namespace chatd::store;
using namespace chatd::store::testing;

TEST_CASE("accounts: insert, look up by folded key, refuse a duplicate") {
  SqliteStore s("");
  const Account ana{"Ana", "ana", "$argon2id$h1", 100, "", 0};
  s.apply(std::vector<Write>{PutAccount{ana}});
  CHECK(s.account("ana") == ana);
  CHECK_FALSE(s.account("Ana"));  // the key is the folded form, compared as bytes
  CHECK_FALSE(s.account("an"));
  CHECK_FALSE(s.account(""));

  try {
    s.apply(std::vector<Write>{PutAccount{Account{"ANA", "ana", "$argon2id$h2", 200, "", 0}}});
    FAIL("duplicate accepted");
  } catch (const StoreError& e) {
    CHECK(e.kind() == StoreError::Kind::Rejected);
    CHECK(e.write_index() == 0);
  }
  CHECK(s.account("ana") == ana);  // the first registration stands
}

TEST_CASE("accounts: password, status and last seen change in place") {
  SqliteStore s("");
  s.apply(std::vector<Write>{PutAccount{make_account("Ana", "ana", "old")},
                             PutAccount{make_account("Bob", "bob", "bobs")}});
  s.apply(std::vector<Write>{SetPassword{"ana", "new"}, SetStatus{"ana", "away: lunch"},
                             SetLastSeen{"ana", 123456789}});
  const auto a = s.account("ana");
  REQUIRE(a);
  CHECK(a->password_hash == "new");
  CHECK(a->status == "away: lunch");
  CHECK(a->last_seen_ms == 123456789);
  CHECK(a->nick == "Ana");
  CHECK(a->created_ms == 5);
  CHECK(s.account("bob")->password_hash == "bobs");  // only the one row
}

TEST_CASE("pms: queued per recipient in order, deleted up to an id, ids never reused") {
  SqliteStore s("");
  s.apply(std::vector<Write>{PutAccount{make_account("Bob", "bob")},
                             PutAccount{make_account("Cy", "cy")}});
  s.apply(std::vector<Write>{QueuePm{"bob", "Ana", 1, "one"}, QueuePm{"cy", "Ana", 2, "for cy"},
                             QueuePm{"bob", "Dee", 3, "two"}, QueuePm{"bob", "Ana", 4, "three"}});

  auto bob = s.pending_pms("bob");
  REQUIRE(bob.size() == 3);
  CHECK(bob[0] == PrivateMessage{bob[0].id, "bob", "Ana", 1, "one"});
  CHECK(bob[1].text == "two");
  CHECK(bob[2].text == "three");
  CHECK(bob[0].id < bob[1].id);
  CHECK(bob[1].id < bob[2].id);
  CHECK(s.pending_pms("nobody").empty());

  // Shown the first two: delete up to the second id. Cy's stays.
  s.apply(std::vector<Write>{DeletePms{"bob", bob[1].id}});
  auto left = s.pending_pms("bob");
  REQUIRE(left.size() == 1);
  CHECK(left[0].text == "three");
  CHECK(s.pending_pms("cy").size() == 1);

  // Empty the table, queue again: the new id is above every old one, so a
  // late DeletePms{"bob", bob[2].id} cannot take the new message.
  s.apply(std::vector<Write>{DeletePms{"bob", bob[2].id}, DeletePms{"cy", 1'000'000}});
  s.apply(std::vector<Write>{QueuePm{"bob", "Ana", 5, "four"}});
  s.apply(std::vector<Write>{DeletePms{"bob", bob[2].id}});
  auto fresh = s.pending_pms("bob");
  REQUIRE(fresh.size() == 1);
  CHECK(fresh[0].id > bob[2].id);
  CHECK(fresh[0].text == "four");
}
