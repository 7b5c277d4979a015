#include "web/ws_frame.hpp"

namespace chatd::web {

std::size_t ws_header_size(std::size_t payload_len) {
  if (payload_len <= 125) return 2;
  if (payload_len <= 0xFFFF) return 4;
  return 10;
}

void append_ws_header(std::string& out, WsOpcode op, std::size_t payload_len) {
  out.push_back(static_cast<char>(0x80 | static_cast<unsigned>(op)));
  if (payload_len <= 125) {
    out.push_back(static_cast<char>(payload_len));
  } else if (payload_len <= 0xFFFF) {
    out.push_back(static_cast<char>(126));
    out.push_back(static_cast<char>((payload_len >> 8) & 0xFF));
    out.push_back(static_cast<char>(payload_len & 0xFF));
  } else {
    out.push_back(static_cast<char>(127));
    const auto n = static_cast<std::uint64_t>(payload_len);
    for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>((n >> shift) & 0xFF));
  }
}

std::string ws_close_frame(std::uint16_t code, std::string_view reason) {
  std::string out;
  if (code == 1005 || code == 1006 || code == 1015) {
    append_ws_header(out, WsOpcode::Close, 0);
    return out;
  }
  constexpr std::size_t kMaxReason = kWsMaxControlPayload - 2;
  if (reason.size() > kMaxReason) {
    std::size_t cut = kMaxReason;
    // Back off over continuation bytes so no code point is split.
    while (cut > 0 && (static_cast<unsigned char>(reason[cut]) & 0xC0) == 0x80) --cut;
    reason = reason.substr(0, cut);
  }
  out.reserve(4 + reason.size());
  append_ws_header(out, WsOpcode::Close, 2 + reason.size());
  out.push_back(static_cast<char>(code >> 8));
  out.push_back(static_cast<char>(code & 0xFF));
  out.append(reason);
  return out;
}

std::string ws_control_frame(WsOpcode op, std::string_view payload) {
  payload = payload.substr(0, kWsMaxControlPayload);
  std::string out;
  out.reserve(2 + payload.size());
  append_ws_header(out, op, payload.size());
  out.append(payload);
  return out;
}

std::string ws_text_frame(std::string_view text) {
  std::string out;
  out.reserve(ws_header_size(text.size()) + text.size());
  append_ws_header(out, WsOpcode::Text, text.size());
  out.append(text);
  return out;
}

}  // namespace chatd::web
