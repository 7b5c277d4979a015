#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "resp_reader.hpp"

using namespace chatd::loadgen;

namespace {
struct Seen {
  char type;
  std::vector<std::string> items;
  std::string text;
  std::int64_t integer;
};
std::vector<Seen> feed(RespReader& r, std::string_view bytes, bool* ok = nullptr) {
  std::vector<Seen> out;
  const bool good = r.feed(std::span<const char>(bytes.data(), bytes.size()), [&](const RespFrame& f) {
    Seen s{f.type, {}, std::string(f.text), f.integer};
    for (std::size_t i = 0; i < f.n_items; ++i) s.items.emplace_back(f.items[i]);
    out.push_back(std::move(s));
  });
  if (ok) *ok = good;
  return out;
}
}  // namespace

TEST_CASE("subscribe confirmation and messages") {
  RespReader r;
  auto v = feed(r, "*3\r\n$9\r\nsubscribe\r\n$4\r\nroom\r\n:1\r\n*3\r\n$7\r\nmessage\r\n$4\r\nroom\r\n$9\r\nL 1 2 3 x\r\n");
  REQUIRE(v.size() == 2);
  CHECK(v[0].type == '*');
  CHECK(v[0].items == std::vector<std::string>{"subscribe", "room", "1"});
  CHECK(v[1].items == std::vector<std::string>{"message", "room", "L 1 2 3 x"});
}

TEST_CASE("frames split at every byte boundary") {
  const std::string all = "*3\r\n$7\r\nmessage\r\n$1\r\nr\r\n$5\r\nab\r\nc\r\n:42\r\n+OK\r\n-ERR bad\r\n";
  for (std::size_t cut = 0; cut <= all.size(); ++cut) {
    RespReader r;
    auto a = feed(r, std::string_view(all).substr(0, cut));
    auto b = feed(r, std::string_view(all).substr(cut));
    a.insert(a.end(), b.begin(), b.end());
    REQUIRE(a.size() == 4);
    CHECK(a[0].items[2] == "ab\r\nc");
    CHECK(a[1].type == ':');
    CHECK(a[1].integer == 42);
    CHECK(a[2].text == "OK");
    CHECK(a[3].type == '-');
    CHECK(a[3].text == "ERR bad");
  }
}

TEST_CASE("garbage is a protocol error") {
  RespReader r;
  bool ok = true;
  feed(r, "?what\r\n", &ok);
  CHECK_FALSE(ok);
}
