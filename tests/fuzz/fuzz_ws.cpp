// libFuzzer target over src/web's WebSocket decoder: the input is decoded
// whole and in pieces (the split sizes come from the input) by a WsDecoder
// whose sink checks what it is handed.
//
// Invariants checked (abort() = a finding):
//   * every text message is valid UTF-8 by an independent decoder (no
//     overlongs, surrogates or values past U+10FFFF) and at most
//     max_message bytes; ping and pong payloads at most 125 bytes; a close
//     code is 1005 or one a peer may send, its reason valid UTF-8;
//   * nothing is delivered after the peer's close or an error, and the
//     decoder says closed() after either; an error code is one of 1002,
//     1003, 1007, 1009;
//   * the decoder holds at most about two messages' worth of heap, and
//     almost nothing once a message is delivered (the message buffer is let
//     go past 4 KiB);
//   * a split never changes what is delivered or the code returned.
//
// Input layout: byte 0 = max_message (1 + 16 * value), byte 1 = the seed of
// the split sizes, byte 2 bit 0 = mask for the fuzzer (each frame's payload
// is masked with a zero key, so the mask bit is all it must find), then the
// bytes of the connection.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "web/ws_decoder.hpp"

namespace {

using chatd::web::WsDecoder;

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "fuzz_ws: invariant violated: %s\n", what);
    std::abort();
  }
}

// UTF-8 by code point, written apart from src/web/utf8.cpp on purpose.
bool independent_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    int need = 0;
    long cp = 0, min = 0;
    if (b0 < 0x80) {
      ++i;
      continue;
    } else if ((b0 & 0xE0) == 0xC0) {
      need = 1, cp = b0 & 0x1F, min = 0x80;
    } else if ((b0 & 0xF0) == 0xE0) {
      need = 2, cp = b0 & 0x0F, min = 0x800;
    } else if ((b0 & 0xF8) == 0xF0) {
      need = 3, cp = b0 & 0x07, min = 0x10000;
    } else {
      return false;
    }
    if (i + static_cast<std::size_t>(need) >= s.size()) return false;  // cut
    for (int k = 1; k <= need; ++k) {
      const auto c = static_cast<unsigned char>(s[i + static_cast<std::size_t>(k)]);
      if ((c & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (c & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += static_cast<std::size_t>(need) + 1;
  }
  return true;
}

bool sendable_close_code(std::uint16_t c) {
  return c == 1005 || (c >= 1000 && c <= 1003) || (c >= 1007 && c <= 1014) || (c >= 3000 && c <= 4999);
}

class CheckingSink final : public chatd::web::WsSink {
 public:
  explicit CheckingSink(std::size_t max) : max_(max) {}
  void on_ws_text(std::string_view m) override {
    alive("text");
    check(m.size() <= max_, "text message over max_message");
    check(independent_utf8(m), "text message not valid UTF-8");
    log.push_back("t" + std::string(m));
  }
  void on_ws_ping(std::string_view p) override {
    alive("ping");
    check(p.size() <= 125, "ping payload over 125");
    log.push_back("i" + std::string(p));
  }
  void on_ws_pong(std::string_view p) override {
    alive("pong");
    check(p.size() <= 125, "pong payload over 125");
    log.push_back("o" + std::string(p));
  }
  void on_ws_close(std::uint16_t code, std::string_view reason) override {
    alive("close");
    check(sendable_close_code(code), "close code");
    check(reason.size() <= 123, "close reason over 123");
    check(independent_utf8(reason), "close reason not valid UTF-8");
    check(code != 1005 || reason.empty(), "reason without a code");
    log.push_back("c" + std::to_string(code) + ":" + std::string(reason));
    closed = true;
  }
  void alive(const char*) const { check(!closed && !failed, "delivery after close or error"); }

  std::size_t max_;
  bool closed = false;
  bool failed = false;
  std::vector<std::string> log;
};

// Masking with a zero key changes no byte, so "mask for the fuzzer" only
// sets the MASK bit in what looks like each frame header (a wrong guess is
// just another input); the fuzzer still writes the four key bytes.
std::string add_mask_bits(std::string_view in) {
  std::string out(in);
  std::size_t i = 0;
  while (i + 1 < out.size()) {
    out[i + 1] = static_cast<char>(static_cast<unsigned char>(out[i + 1]) | 0x80);
    const std::size_t len7 = static_cast<unsigned char>(out[i + 1]) & 0x7F;
    std::size_t hdr = 2 + 4;
    std::size_t len = len7;
    if (len7 == 126 && i + 4 <= out.size()) {
      hdr += 2;
      len = (std::size_t{static_cast<unsigned char>(out[i + 2])} << 8) | static_cast<unsigned char>(out[i + 3]);
    } else if (len7 == 127) {
      hdr += 8;
      len = out.size();  // the rest
    }
    i += hdr + len;
  }
  return out;
}

struct Result {
  std::vector<std::string> log;
  std::uint16_t code = 0;
  bool operator==(const Result&) const = default;
};

Result run(std::string_view in, std::size_t max, std::uint32_t seed) {
  WsDecoder d(max);
  CheckingSink sink(max);
  Result r;
  std::uint32_t rng = seed * 2654435761u + 7;
  std::size_t pos = 0;
  while (pos < in.size()) {
    std::size_t n = in.size() - pos;
    if (seed != 0) {
      rng ^= rng << 13;
      rng ^= rng >> 17;
      rng ^= rng << 5;
      n = std::min<std::size_t>(n, 1 + rng % 41);
    }
    const bool was_done = sink.closed || sink.failed;
    const std::uint16_t code = d.feed(std::span<const char>(in.data() + pos, n), sink);
    pos += n;
    check(d.held() <= 2 * max + 2 * 125 + 64, "decoder holds too much");
    if (was_done) check(code == 0, "an error after close or error");
    if (code != 0) {
      check(code == 1002 || code == 1003 || code == 1007 || code == 1009, "unknown error code");
      check(d.closed(), "not closed() after an error");
      check(d.held() < 32, "buffer kept after an error");
      sink.failed = true;
      r.code = code;
    }
    if (sink.closed) check(d.closed(), "not closed() after the peer's close");
  }
  r.log = std::move(sink.log);
  return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 3) return 0;
  const std::size_t max = 1 + 16 * std::size_t{data[0]};
  std::string_view in(reinterpret_cast<const char*>(data) + 3, size - 3);
  std::string masked;
  if ((data[2] & 1) != 0) {
    masked = add_mask_bits(in);
    in = masked;
  }
  const Result whole = run(in, max, 0);
  const Result split = run(in, max, data[1] + 1u);
  check(whole == split, "a split changed the outcome");
  return 0;
}
