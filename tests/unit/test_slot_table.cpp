// io::SlotTable and the Token layout helpers.
#include <doctest/doctest.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "io/slot_table.hpp"

using chatd::io::make_token;
using chatd::io::SlotTable;
using chatd::io::Token;
using chatd::io::token_generation;
using chatd::io::token_slot;

namespace {

struct Item {
  Item(Token t, std::string n) : token(t), name(std::move(n)) {}
  Token token;
  std::string name;
};

// Counts destructions, to see erase() really destroys.
struct Counted {
  Counted(Token t, int* d) : token(t), dtors(d) {}
  ~Counted() { ++*dtors; }
  Counted(const Counted&) = delete;
  Counted& operator=(const Counted&) = delete;
  Token token;
  int* dtors;
};

struct Throws {
  Throws(Token, bool fail) {
    if (fail) throw std::runtime_error("no");
  }
};

}  // namespace

TEST_CASE("token layout: slot low, generation high") {
  constexpr Token t = make_token(7, 3);
  static_assert(token_slot(t) == 7);
  static_assert(token_generation(t) == 3);
  CHECK(t == ((std::uint64_t{3} << 32) | 7));
  CHECK(token_slot(make_token(0xffffffffu, 0xffffffffu)) == 0xffffffffu);
  CHECK(token_generation(make_token(0xffffffffu, 0xffffffffu)) == 0xffffffffu);
}

TEST_CASE("emplace passes the token first and find returns the object") {
  SlotTable<Item> table;
  CHECK(table.empty());
  Item& a = table.emplace("a");
  Item& b = table.emplace(std::string("b"));
  CHECK(table.size() == 2);
  CHECK(token_slot(a.token) == 0);
  CHECK(token_slot(b.token) == 1);
  CHECK(token_generation(a.token) != 0);
  CHECK(table.find(a.token) == &a);
  CHECK(table.find(b.token)->name == "b");
  CHECK(table.at_slot(1) == &b);
  CHECK(table.at_slot(2) == nullptr);
  CHECK(table.find(make_token(5, 1)) == nullptr);
  CHECK(table.find(Token{0}) == nullptr);  // generation 0 is never live
}

TEST_CASE("a stale token finds nothing, not the slot's next occupant") {
  SlotTable<Item> table;
  const Token old = table.emplace("first").token;
  CHECK(table.erase(old));
  CHECK(table.size() == 0);
  CHECK(table.find(old) == nullptr);
  CHECK(table.at_slot(token_slot(old)) == nullptr);
  CHECK_FALSE(table.erase(old));

  Item& next = table.emplace("second");
  CHECK(token_slot(next.token) == token_slot(old));  // the slot is reused
  CHECK(next.token != old);
  CHECK(table.find(old) == nullptr);
  CHECK_FALSE(table.erase(old));  // does not erase the new occupant
  CHECK(table.find(next.token) == &next);
  CHECK(table.slot_count() == 1);
}

TEST_CASE("references stay valid while the table grows") {
  SlotTable<Item> table;
  Item& first = table.emplace("first");
  for (int i = 0; i < 1000; ++i) table.emplace(std::to_string(i));
  CHECK(first.name == "first");
  CHECK(table.find(first.token) == &first);
  CHECK(table.size() == 1001);
}

TEST_CASE("erase destroys the object") {
  int dtors = 0;
  {
    SlotTable<Counted> table;
    const Token a = table.emplace(&dtors).token;
    table.emplace(&dtors);
    table.erase(a);
    CHECK(dtors == 1);
  }
  CHECK(dtors == 2);  // the table owns what is left
}

TEST_CASE("for_each visits live objects in slot order and may erase") {
  SlotTable<Item> table;
  std::vector<Token> tokens;
  for (const char* n : {"a", "b", "c", "d"}) tokens.push_back(table.emplace(n).token);
  table.erase(tokens[1]);

  std::string seen;
  table.for_each([&](Item& it) { seen += it.name; });
  CHECK(seen == "acd");

  // Erasing the visited object as the last use of it is allowed.
  table.for_each([&](Item& it) {
    if (it.name != "c") table.erase(it.token);
  });
  CHECK(table.size() == 1);
  seen.clear();
  const auto& ctable = table;
  ctable.for_each([&](const Item& it) { seen += it.name; });
  CHECK(seen == "c");
}

TEST_CASE("a throwing constructor leaves the table unchanged") {
  SlotTable<Throws> table;
  table.emplace(false);
  CHECK_THROWS_AS(table.emplace(true), std::runtime_error);
  CHECK(table.size() == 1);
  table.emplace(false);  // the slot the failed emplace took is usable
  CHECK(table.size() == 2);
  CHECK(table.slot_count() == 2);
}
