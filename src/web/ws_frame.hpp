#pragma once
// Server-to-client WebSocket frames (RFC 6455 §5.2): never masked, always FIN.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace chatd::web {

enum class WsOpcode : std::uint8_t { Continuation = 0, Text = 1, Binary = 2, Close = 8, Ping = 9, Pong = 10 };

// Control frame payloads are at most this long (§5.5).
inline constexpr std::size_t kWsMaxControlPayload = 125;

// Appends the header of one final, unmasked frame: 2 bytes for payloads up
// to 125, 4 up to 65535, else 10. The payload is appended by the caller.
void append_ws_header(std::string& out, WsOpcode op, std::size_t payload_len);
std::size_t ws_header_size(std::size_t payload_len);

// A close frame with `code` and `reason`, the reason cut (at a code point
// boundary, so it stays valid UTF-8) to fit the 125-byte payload. Codes
// that must not be sent (1005, 1006, 1015) give an empty close frame.
std::string ws_close_frame(std::uint16_t code, std::string_view reason = {});

// A ping or pong (any control opcode); the payload is cut to 125 bytes.
std::string ws_control_frame(WsOpcode op, std::string_view payload);

// A complete text frame (header + payload).
std::string ws_text_frame(std::string_view text);

}  // namespace chatd::web
