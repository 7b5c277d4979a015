#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "line_buffer.hpp"

using chatd::loadgen::LineBuffer;

TEST_CASE("lines across chunks, CRLF, and a prompt left partial") {
  LineBuffer b;
  std::vector<std::string> lines;
  auto f = [&](std::string_view l) { lines.emplace_back(l); };
  const std::string a = "one\r\ntw", c = "o\nthree\nEnter your nickname: ";
  b.feed(std::span<const char>(a.data(), a.size()), f);
  b.feed(std::span<const char>(c.data(), c.size()), f);
  CHECK(lines == std::vector<std::string>{"one", "two", "three"});
  CHECK(b.partial() == "Enter your nickname: ");
  b.clear_partial();
  CHECK(b.partial().empty());
}
