#pragma once
// Helpers of the WebSocket unit tests: client frames and a recording sink.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "web/ws_decoder.hpp"

namespace ws_test {

// One client frame: masked with `key` (unless !masked), the length in its
// shortest form unless `len_form` forces 126 or 127.
inline std::string client_frame(std::uint8_t opcode, std::string_view payload, bool fin = true,
                                bool masked = true, int len_form = 0, std::uint8_t rsv = 0) {
  const std::uint8_t key[4] = {0x37, 0xfa, 0x21, 0x3d};
  std::string out;
  out.push_back(static_cast<char>((fin ? 0x80 : 0) | rsv | opcode));
  const std::uint8_t m = masked ? 0x80 : 0;
  const std::uint64_t n = payload.size();
  if (len_form == 0 && n <= 125) {
    out.push_back(static_cast<char>(m | n));
  } else if (len_form == 126 || (len_form == 0 && n <= 0xFFFF)) {
    out.push_back(static_cast<char>(m | 126));
    out.push_back(static_cast<char>(n >> 8));
    out.push_back(static_cast<char>(n & 0xFF));
  } else {
    out.push_back(static_cast<char>(m | 127));
    for (int s = 56; s >= 0; s -= 8) out.push_back(static_cast<char>((n >> s) & 0xFF));
  }
  if (masked) out.append(reinterpret_cast<const char*>(key), 4);
  for (std::size_t i = 0; i < payload.size(); ++i) {
    out.push_back(static_cast<char>(static_cast<std::uint8_t>(payload[i]) ^ (masked ? key[i & 3] : 0)));
  }
  return out;
}

inline std::string close_payload(std::uint16_t code, std::string_view reason = {}) {
  std::string p;
  p.push_back(static_cast<char>(code >> 8));
  p.push_back(static_cast<char>(code & 0xFF));
  p.append(reason);
  return p;
}

// Records every callback as one string: "text:...", "ping:...", "pong:...",
// "close:CODE:reason".
class RecordingSink final : public chatd::web::WsSink {
 public:
  void on_ws_text(std::string_view m) override { events.push_back("text:" + std::string(m)); }
  void on_ws_ping(std::string_view p) override { events.push_back("ping:" + std::string(p)); }
  void on_ws_pong(std::string_view p) override { events.push_back("pong:" + std::string(p)); }
  void on_ws_close(std::uint16_t code, std::string_view reason) override {
    events.push_back("close:" + std::to_string(code) + ":" + std::string(reason));
  }
  std::vector<std::string> events;
};

inline std::uint16_t feed(chatd::web::WsDecoder& d, std::string_view bytes, RecordingSink& sink) {
  return d.feed(std::span<const char>(bytes.data(), bytes.size()), sink);
}

}  // namespace ws_test
