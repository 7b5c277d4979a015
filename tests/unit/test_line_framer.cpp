// LineFramer: bytes in, lines out, whatever way the bytes are split.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "chat/line_framer.hpp"

using chatd::chat::FrameStatus;
using chatd::chat::LineFramer;
using namespace std::string_literals;

namespace {

constexpr std::string_view kTooLong = "<too long>";

// Feeds one read to the framer and records what it yields; a TooLong shows
// up as kTooLong so sequences can be compared as plain strings.
void feed(LineFramer& f, std::string_view data, std::vector<std::string>& out) {
  std::span<const char> in(data.data(), data.size());
  for (;;) {
    const FrameStatus st = f.next(in);
    if (st == FrameStatus::Line) {
      out.emplace_back(f.line());
    } else if (st == FrameStatus::TooLong) {
      out.emplace_back(kTooLong);
    } else {
      REQUIRE(in.empty());
      return;
    }
  }
}

std::vector<std::string> frame(std::string_view data, std::size_t max_line = 4096) {
  LineFramer f(max_line);
  std::vector<std::string> out;
  feed(f, data, out);
  return out;
}

// The same bytes, cut into reads of at most `chunk` bytes.
std::vector<std::string> frame_chunked(std::string_view data, std::size_t chunk,
                                       std::size_t max_line = 4096) {
  LineFramer f(max_line);
  std::vector<std::string> out;
  for (std::size_t i = 0; i < data.size(); i += chunk) feed(f, data.substr(i, chunk), out);
  return out;
}

using Lines = std::vector<std::string>;

}  // namespace

TEST_CASE("framer: one line, LF and CRLF endings") {
  CHECK(frame("hello\n") == Lines{"hello"});
  CHECK(frame("hello\r\n") == Lines{"hello"});
  CHECK(frame("\n") == Lines{""});
  CHECK(frame("\r\n") == Lines{""});
  CHECK(frame("no newline yet").empty());
}

TEST_CASE("framer: line() excludes the CR; a bare CR inside a line is kept") {
  CHECK(frame("a\rb\n") == Lines{"a\rb"});
  CHECK(frame("a\r\r\n") == Lines{"a\r"});
  CHECK(frame("\ra\r\n") == Lines{"\ra"});
  LineFramer f;
  std::string_view data = "abc\r\n";
  std::span<const char> in(data.data(), data.size());
  REQUIRE(f.next(in) == FrameStatus::Line);
  CHECK(f.line() == "abc");
  CHECK(in.empty());
}

TEST_CASE("framer: many lines in one buffer, stops after each line") {
  LineFramer f;
  const std::string_view data = "one\ntwo\r\n\nthree\nfour";
  std::span<const char> in(data.data(), data.size());
  REQUIRE(f.next(in) == FrameStatus::Line);
  CHECK(f.line() == "one");
  CHECK(in.size() == data.size() - 4);
  REQUIRE(f.next(in) == FrameStatus::Line);
  CHECK(f.line() == "two");
  REQUIRE(f.next(in) == FrameStatus::Line);
  CHECK(f.line() == "");
  REQUIRE(f.next(in) == FrameStatus::Line);
  CHECK(f.line() == "three");
  CHECK(f.next(in) == FrameStatus::NeedMore);
  CHECK(in.empty());
  CHECK(f.has_partial());

  std::string many;
  for (int i = 0; i < 1000; ++i) many += fmt::format("line {}\r\n", i);
  const Lines got = frame(many);
  REQUIRE(got.size() == 1000);
  for (int i = 0; i < 1000; ++i) CHECK(got[static_cast<std::size_t>(i)] == fmt::format("line {}", i));
}

TEST_CASE("framer: whole lines leave no partial line behind") {
  LineFramer f;
  std::vector<std::string> out;
  feed(f, "a\nbb\nccc\n", out);
  CHECK(out == Lines{"a", "bb", "ccc"});
  CHECK_FALSE(f.has_partial());
  CHECK_FALSE(f.flush_partial().has_value());
}

TEST_CASE("framer: a line split across reads") {
  LineFramer f;
  std::vector<std::string> out;
  feed(f, "hel", out);
  CHECK(out.empty());
  CHECK(f.has_partial());
  feed(f, "lo\r", out);
  CHECK(out.empty());
  feed(f, "\nworld\n", out);
  CHECK(out == Lines{"hello", "world"});
  CHECK_FALSE(f.has_partial());
}

TEST_CASE("framer: telnet IAC sequences are removed") {
  // IAC WILL ECHO, IAC DO SGA, IAC DONT LINEMODE, IAC WONT x
  CHECK(frame("\xff\xfb\x01\xff\xfd\x03nick\xff\xfe\x22\xff\xfc\x05\r\n") == Lines{"nick"});
  // IAC IAC is a literal 0xFF byte.
  CHECK(frame("a\xff\xff"
              "b\n") == Lines{"a\xff"
                              "b"});
  // Subnegotiation, with an escaped IAC and a LF inside, is removed whole.
  CHECK(frame("x\xff\xfa\x18\x01\xff\xff\n\x0d\xff\xf0y\n") == Lines{"xy"});
  // Single-byte commands: NOP, AYT, GA, IP.
  CHECK(frame("a\xff\xf1"
              "b\xff\xf6"
              "c\xff\xf9\xff\xf4\n") == Lines{"abc"});
  // An option byte that happens to be LF is not an end of line.
  CHECK(frame("\xff\xfd\n"
              "abc\n") == Lines{"abc"});
  // A CR separated from the LF only by telnet noise still ends the line.
  CHECK(frame("abc\r\xff\xf1\n") == Lines{"abc"});
  // Only IAC noise: an empty line.
  CHECK(frame("\xff\xfb\x01\n") == Lines{""});
}

TEST_CASE("framer: IAC state survives split reads") {
  const std::string data = "\xff\xfb\x01nick\xff\xff!\xff\xfa\x1f\x00\x50\xff\xff\xff\xf0\r\n"s;
  const Lines want{"nick\xff!"};
  CHECK(frame(data) == want);
  for (std::size_t chunk = 1; chunk <= data.size(); ++chunk) {
    CAPTURE(chunk);
    CHECK(frame_chunked(data, chunk) == want);
  }
}

TEST_CASE("framer: split at every byte position gives the same lines") {
  const std::string data =
      "first\r\n"
      "\xff\xfd\x18second \xff\xffx\n"
      "a\rb\r\n"
      "\xff\xfa\x18\x00xterm\xff\xf0third\n"
      "0123456789012345678901234567890123456789\n"  // over-long at max_line 16
      "after\r\n"
      "\r\n"
      "exactly16bytes!!\r\n"
      "tail"s;
  const Lines want{"first", "second \xffx", "a\rb", "third", std::string(kTooLong),
                   "after", "",         "exactly16bytes!!"};
  REQUIRE(frame(data, 16) == want);

  for (std::size_t cut = 0; cut <= data.size(); ++cut) {
    CAPTURE(cut);
    LineFramer f(16);
    Lines out;
    feed(f, std::string_view(data).substr(0, cut), out);
    feed(f, std::string_view(data).substr(cut), out);
    CHECK(out == want);
    const auto rest = f.flush_partial();
    REQUIRE(rest.has_value());
    CHECK(*rest == "tail");
  }
  for (std::size_t a = 0; a <= data.size(); a += 3) {
    for (std::size_t b = a; b <= data.size(); b += 5) {
      LineFramer f(16);
      Lines out;
      const std::string_view d(data);
      feed(f, d.substr(0, a), out);
      feed(f, d.substr(a, b - a), out);
      feed(f, d.substr(b), out);
      CHECK(out == want);
    }
  }
  CHECK(frame_chunked(data, 1, 16) == want);
}

TEST_CASE("framer: idle flush takes the partial line") {
  LineFramer f;
  Lines out;
  // The original client sends the nickname without a newline.
  feed(f, "Lari", out);
  CHECK(out.empty());
  REQUIRE(f.has_partial());
  auto line = f.flush_partial();
  REQUIRE(line.has_value());
  CHECK(*line == "Lari");
  CHECK(f.line() == "Lari");
  CHECK_FALSE(f.has_partial());
  CHECK_FALSE(f.flush_partial().has_value());

  // Framing goes on normally afterwards.
  feed(f, "/criar REDES", out);
  line = f.flush_partial();
  REQUIRE(line.has_value());
  CHECK(*line == "/criar REDES");
  feed(f, "hi\n", out);
  CHECK(out == Lines{"hi"});

  // A pending CR (a CRLF cut in two) is dropped.
  feed(f, "abc\r", out);
  line = f.flush_partial();
  REQUIRE(line.has_value());
  CHECK(*line == "abc");
  // ... and a later LF alone is an empty line of its own.
  feed(f, "\n", out);
  CHECK(out == Lines{"hi", ""});

  // Telnet noise alone is not a partial line.
  LineFramer g;
  feed(g, "\xff\xfb\x01", out);
  CHECK_FALSE(g.has_partial());
  CHECK_FALSE(g.flush_partial().has_value());
}

TEST_CASE("framer: over-long lines") {
  SUBCASE("complete in one read: TooLong once, the next line framed") {
    CHECK(frame("0123456789\nok\n", 8) == Lines{std::string(kTooLong), "ok"});
  }
  SUBCASE("exactly max_line is fine, with or without CR") {
    CHECK(frame("01234567\n", 8) == Lines{"01234567"});
    CHECK(frame("01234567\r\n", 8) == Lines{"01234567"});
    CHECK(frame_chunked("01234567\r\n", 1, 8) == Lines{"01234567"});
    CHECK(frame("012345678\n", 8) == Lines{std::string(kTooLong)});
    CHECK(frame_chunked("012345678\n", 1, 8) == Lines{std::string(kTooLong)});
  }
  SUBCASE("a CR past max_line that is not followed by LF makes it too long") {
    CHECK(frame_chunked("01234567\rx\nok\n", 1, 8) == Lines{std::string(kTooLong), "ok"});
    CHECK(frame("01234567\r\r\nok\n", 8) == Lines{std::string(kTooLong), "ok"});
    CHECK(frame("01234567\r\xff\xff\nok\n", 8) == Lines{std::string(kTooLong), "ok"});
  }
  SUBCASE("reported as soon as it passes max_line, then discarded silently") {
    LineFramer f(8);
    Lines out;
    const std::string_view first = "0123456789";
    std::span<const char> in(first.data(), first.size());
    CHECK(f.next(in) == FrameStatus::TooLong);
    CHECK(f.next(in) == FrameStatus::NeedMore);
    CHECK_FALSE(f.has_partial());
    feed(f, std::string(100000, 'x'), out);
    CHECK(out.empty());
    CHECK_FALSE(f.has_partial());
    CHECK(f.held() < 1024);  // the discarded bytes are not kept
    feed(f, "yyy\r\nnext\n", out);
    CHECK(out == Lines{"next"});
  }
  SUBCASE("fed byte by byte, TooLong is reported exactly once") {
    const std::string data = std::string(5000, 'a') + "\r\nok\r\n" + std::string(4096, 'b') + "\n";
    CHECK(frame_chunked(data, 1) == Lines{std::string(kTooLong), "ok", std::string(4096, 'b')});
    CHECK(frame_chunked(data, 7) == Lines{std::string(kTooLong), "ok", std::string(4096, 'b')});
    CHECK(frame(data) == Lines{std::string(kTooLong), "ok", std::string(4096, 'b')});
  }
  SUBCASE("IAC sequences are still parsed while discarding") {
    // The LF is an option byte here, so it does not end the discarded line.
    CHECK(frame_chunked("0123456789\xff\xfd\nstill discarded\nok\n", 3, 8) ==
          Lines{std::string(kTooLong), "ok"});
  }
  SUBCASE("an idle flush ends the discarding of an unterminated line") {
    // A client that never sends LF relies on the idle flush to end lines.
    LineFramer f(8);
    Lines out;
    feed(f, "0123456789", out);
    CHECK(out == Lines{std::string(kTooLong)});
    CHECK_FALSE(f.flush_partial().has_value());
    feed(f, "next", out);
    const auto line = f.flush_partial();
    REQUIRE(line.has_value());
    CHECK(*line == "next");
  }
  SUBCASE("max_line can be changed") {
    LineFramer f(8);
    f.set_max_line(3);
    CHECK(f.max_line() == 3);
    Lines out;
    feed(f, "abc\nabcd\n", out);
    CHECK(out == Lines{"abc", std::string(kTooLong)});
  }
}

TEST_CASE("framer: memory held by an idle connection stays small") {
  LineFramer f;
  Lines out;
  feed(f, std::string(4000, 'z') + "\n", out);
  REQUIRE(out.size() == 1);
  CHECK(out[0].size() == 4000);
  // The long line is given back on the next read.
  feed(f, "short\n", out);
  CHECK(f.held() < 1024);

  LineFramer g;
  feed(g, std::string(3000, 'z'), out);
  feed(g, "\n", out);
  feed(g, "x", out);
  CHECK(g.held() < 1024);
}

namespace {

// A byte-at-a-time model of the framing rules, slow and obvious, to check
// the real framer against on random input.
class ModelFramer {
 public:
  explicit ModelFramer(std::size_t max_line) : max_(max_line) {}

  void feed(std::string_view data, Lines& out) {
    for (const char ch : data) byte(static_cast<unsigned char>(ch), out);
  }

  std::optional<std::string> flush() {
    const bool had = !partial_.empty() && !discarding_;
    discarding_ = false;
    std::string line;
    line.swap(partial_);
    if (!had) return std::nullopt;
    if (line.back() == '\r') line.pop_back();
    return line;
  }

 private:
  void byte(unsigned char c, Lines& out) {
    switch (state_) {
      case 0:  // data
        if (c == 0xFF) {
          state_ = 1;
        } else {
          data(static_cast<char>(c), out);
        }
        return;
      case 1:  // after IAC
        state_ = 0;
        if (c == 0xFF) data('\xff', out);
        if (c >= 251 && c <= 254) state_ = 2;
        if (c == 250) state_ = 3;
        return;
      case 2:  // option byte
        state_ = 0;
        return;
      case 3:  // inside SB
        if (c == 0xFF) state_ = 4;
        return;
      default:  // IAC inside SB
        state_ = c == 240 ? 0 : 3;
        return;
    }
  }

  void data(char c, Lines& out) {
    if (c == '\n') {
      if (!discarding_) {
        if (!partial_.empty() && partial_.back() == '\r') partial_.pop_back();
        out.push_back(partial_);
      }
      discarding_ = false;
      partial_.clear();
      return;
    }
    if (discarding_) return;
    partial_ += c;
    const std::size_t len = partial_.size() - (partial_.back() == '\r' ? 1 : 0);
    if (len > max_) {
      out.emplace_back(kTooLong);
      discarding_ = true;
      partial_.clear();
    }
  }

  std::size_t max_;
  std::string partial_;
  int state_ = 0;
  bool discarding_ = false;
};

}  // namespace

TEST_CASE("framer: agrees with a byte-at-a-time model on random input") {
  // Bytes that matter to framing, plus filler.
  const std::string alphabet = "ab \r\n\r\n\xff\xff\xff\xfa\xf0\xfb\xfd\xf1\x01"s;
  std::uint64_t seed = 0x9E3779B97F4A7C15ull;
  auto rnd = [&] {
    seed ^= seed << 13;
    seed ^= seed >> 7;
    seed ^= seed << 17;
    return seed;
  };
  for (int iter = 0; iter < 3000; ++iter) {
    const std::size_t max_line = rnd() % 12;
    std::string data(rnd() % 120, '\0');
    for (char& c : data) c = alphabet[rnd() % alphabet.size()];
    CAPTURE(iter);
    CAPTURE(max_line);

    ModelFramer model(max_line);
    LineFramer real(max_line);
    Lines want;
    Lines got;
    std::size_t i = 0;
    while (i < data.size()) {
      const std::size_t n = 1 + rnd() % 16;
      const std::string_view chunk = std::string_view(data).substr(i, n);
      model.feed(chunk, want);
      feed(real, chunk, got);
      i += chunk.size();
      if (rnd() % 8 == 0) {
        // An idle pause: both take the partial line.
        const auto w = model.flush();
        const auto g = real.flush_partial();
        REQUIRE(w.has_value() == g.has_value());
        if (w) CHECK(*w == *g);
      }
      REQUIRE(got == want);
    }
  }
}
