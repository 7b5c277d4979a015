// Room and nickname ownership state of one shard.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <string>
#include <vector>

#include "shard/room_registry.hpp"
#include "chat/sanitize.hpp"

using chatd::chat::fold_case;
using chatd::shard::NickRegistry;
using chatd::shard::RoomCatalog;
using chatd::shard::RoomRegistry;

TEST_CASE("RoomRegistry: create and find by name and id") {
  RoomRegistry reg(4);
  CHECK(reg.size() == 0);
  CHECK(reg.find("REDES") == nullptr);
  CHECK(reg.find(0u) == nullptr);

  RoomRegistry::Room& r = reg.create("REDES", 7);
  CHECK(r.id == 7);
  CHECK(r.name == "REDES");
  CHECK(r.members_on == std::vector<std::uint32_t>{0, 0, 0, 0});
  CHECK(r.events == 0);
  CHECK(reg.size() == 1);

  CHECK(reg.find("REDES") == &r);
  CHECK(reg.find(7u) == &r);
  // Room names are case-sensitive (Figure 7: /entrar redes does not find REDES).
  CHECK(reg.find("redes") == nullptr);
  CHECK(reg.find(8u) == nullptr);

  RoomRegistry::Room& r2 = reg.create("REDES2", 9);
  CHECK(reg.size() == 2);
  CHECK(reg.find("REDES2") == &r2);
  // References stay valid as rooms are added.
  for (std::uint32_t i = 100; i < 1100; ++i) reg.create(fmt::format("room{}", i), i);
  CHECK(reg.find("REDES") == &r);
  CHECK(reg.find(9u) == &r2);
  CHECK(reg.find("room555")->id == 555);
}

TEST_CASE("RoomRegistry: member counts per shard") {
  RoomRegistry reg(3);
  RoomRegistry::Room& r = reg.create("A", 0);
  reg.add_member(r, 0);
  reg.add_member(r, 2);
  reg.add_member(r, 2);
  CHECK(r.members_on == std::vector<std::uint32_t>{1, 0, 2});
  reg.remove_member(r, 2);
  CHECK(r.members_on == std::vector<std::uint32_t>{1, 0, 1});
  // A stray removal does not wrap around.
  reg.remove_member(r, 1);
  CHECK(r.members_on == std::vector<std::uint32_t>{1, 0, 1});
  reg.remove_member(r, 0);
  reg.remove_member(r, 2);
  CHECK(r.members_on == std::vector<std::uint32_t>{0, 0, 0});
  // Rooms live on when empty.
  CHECK(reg.find("A") == &r);
}

TEST_CASE("RoomCatalog: creation order even when announcements arrive out of order") {
  RoomCatalog cat;
  CHECK(cat.size() == 0);
  CHECK(cat.names().empty());
  cat.add(0, "REDES");
  cat.add(2, "C");
  cat.add(1, "REDES2");
  CHECK(cat.names() == std::vector<std::string>{"REDES", "REDES2", "C"});
  cat.add(5, "F");
  cat.add(3, "D");
  cat.add(4, "E");
  CHECK(cat.names() == std::vector<std::string>{"REDES", "REDES2", "C", "D", "E", "F"});
  CHECK(cat.size() == 6);

  RoomCatalog rev;
  for (std::uint32_t i = 50; i-- > 0;) rev.add(i, fmt::format("r{}", i));
  REQUIRE(rev.size() == 50);
  for (std::uint32_t i = 0; i < 50; ++i) CHECK(rev.names()[i] == fmt::format("r{}", i));
}

TEST_CASE("NickRegistry: unique nicknames, compared case-folded") {
  using Holder = NickRegistry::Holder;
  const Holder lari{0, 1};
  const Holder math{1, 2};
  const Holder fox{1, 3};
  NickRegistry nicks;
  CHECK(nicks.claim(fold_case("Lari"), lari));
  CHECK_FALSE(nicks.claim(fold_case("LARI"), math));
  CHECK_FALSE(nicks.claim(fold_case("lari"), fox));
  // A repeated claim by the holder itself succeeds.
  CHECK(nicks.claim(fold_case("lari"), lari));
  CHECK(nicks.claim(fold_case("Math"), math));
  CHECK(nicks.claim(fold_case("Fox Mulder"), fox));
  CHECK(nicks.size() == 3);

  // Only the holder frees a nickname: a loser's late release is ignored.
  nicks.release(fold_case("Lari"), math);
  CHECK(nicks.size() == 3);
  CHECK_FALSE(nicks.claim(fold_case("Lari"), math));
  // Same connection id on another shard is another holder.
  nicks.release(fold_case("Lari"), Holder{1, 1});
  CHECK(nicks.size() == 3);

  nicks.release(fold_case("LaRi"), lari);
  CHECK(nicks.size() == 2);
  CHECK(nicks.claim(fold_case("LARI"), math));
  // Releasing a nickname nobody holds is harmless.
  nicks.release("nobody", lari);
  CHECK(nicks.size() == 3);
}

TEST_CASE("RoomCatalog: a page of the rooms, filtered case-insensitively") {
  RoomCatalog cat;
  for (std::uint32_t i = 0; i < 250; ++i) cat.add(i, fmt::format("{}-{}", i % 2 ? "Sala" : "room", i));
  std::vector<std::string> scratch;

  // Unfiltered: a view into the catalog, no copies.
  RoomCatalog::Page p = cat.page("", 0, 100, scratch);
  CHECK(p.total == 250);
  REQUIRE(p.names.size() == 100);
  CHECK(p.names.front() == "room-0");
  CHECK(p.names.data() == cat.names().data());
  CHECK(scratch.empty());
  p = cat.page("", 200, 100, scratch);
  REQUIRE(p.names.size() == 50);
  CHECK(p.names.front() == "room-200");
  CHECK(p.names.back() == "Sala-249");
  p = cat.page("", 300, 100, scratch);  // past the end
  CHECK(p.names.empty());
  CHECK(p.total == 250);

  // Filtered: the count of all matches, one page of them in creation order.
  p = cat.page("sala", 0, 10, scratch);
  CHECK(p.total == 125);
  REQUIRE(p.names.size() == 10);
  CHECK(p.names[0] == "Sala-1");
  CHECK(p.names[9] == "Sala-19");
  p = cat.page("la-24", 0, 10, scratch);  // Sala-24x
  CHECK(p.total == 5);
  CHECK(std::vector<std::string>(p.names.begin(), p.names.end()) ==
        std::vector<std::string>{"Sala-241", "Sala-243", "Sala-245", "Sala-247", "Sala-249"});
  p = cat.page("la-24", 4, 10, scratch);
  CHECK(std::vector<std::string>(p.names.begin(), p.names.end()) == std::vector<std::string>{"Sala-249"});
  p = cat.page("room-1", 0, 1000, scratch);  // room-1, room-10.., room-100..: only even ids are "room"
  CHECK(p.total == 55);  // 10..18 (5), 100..198 (50); "room-1" itself is odd
  p = cat.page("nothing", 0, 10, scratch);
  CHECK(p.total == 0);
  CHECK(p.names.empty());
  p = cat.page("a-249-and-more-than-the-name", 0, 10, scratch);
  CHECK(p.total == 0);
}
