#pragma once
// The client side of RFC 6455: the upgrade request and the check of its
// answer, masked client frames, and an incremental reader of the server's
// (unmasked) frames. Pure: no I/O.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace chatd::loadgen {

enum class WsOpcode : std::uint8_t { Continuation = 0, Text = 1, Binary = 2, Close = 8, Ping = 9, Pong = 10 };

// A random Sec-WebSocket-Key (16 bytes, base64) from a per-connection seed:
// the same seed gives the same key, so the key need not be kept until the
// answer arrives.
std::string ws_key_from_seed(std::uint64_t seed);
// The mask key the connection with `seed` uses for every frame it sends.
std::uint32_t ws_mask_from_seed(std::uint64_t seed);
// Sec-WebSocket-Accept for `key`: base64(SHA-1(key + RFC 6455 GUID)).
std::string ws_accept_for(std::string_view key);
std::string base64_encode(std::span<const unsigned char> bytes);

// Appends "GET path HTTP/1.1" with Host, Upgrade, Connection,
// Sec-WebSocket-Version: 13 and Sec-WebSocket-Key.
void append_upgrade_request(std::string& out, std::string_view host_port, std::string_view path,
                            std::string_view key);
// Checks a response head (status line to the blank line): 101, Upgrade:
// websocket, Connection: upgrade, and Sec-WebSocket-Accept when `accept`
// is not empty. Empty when fine, else what is wrong.
std::string check_upgrade_response(std::string_view head, std::string_view accept);

// Appends one final, masked frame. `payload` must not point into `out`.
// The mask is applied 8 bytes at a time.
void append_client_frame(std::string& out, WsOpcode op, std::string_view payload, std::uint32_t mask_key);

// A close frame's payload → its status code (1005 when it has none).
std::uint16_t ws_close_code(std::string_view payload);

struct WsMessage {
  WsOpcode opcode;           // Text, Binary, Close, Ping or Pong (never Continuation)
  std::string_view payload;  // valid during the callback only
};

// Reads server frames: complete frames within one chunk are handed out in
// place; only an unfinished frame is copied, and a fragmented message is
// reassembled. Owned by one thread (lives in a client's Wire).
class WsReader {
 public:
  static constexpr std::size_t kMaxMessage = 16u << 20;
  static constexpr std::size_t kMaxHead = 16u << 10;

  enum class Head : std::uint8_t { Incomplete, Complete, TooLong };
  // Collects the HTTP response head. On Complete, head() holds it (until
  // drop_head()) and `in` is narrowed to the bytes that follow it.
  Head feed_head(std::span<const char>& in);
  std::string_view head() const { return std::string_view(buf_).substr(0, head_len_); }
  void drop_head();

  // Calls f(const WsMessage&) for each complete message and control frame.
  // False on a protocol error (masked or reserved bits, unknown opcode,
  // oversized or fragmented control frame, stray continuation, a message
  // over kMaxMessage): the stream cannot be trusted any further.
  template <class F>
  bool feed(std::span<const char> in, F&& f) {
    std::string_view s(in.data(), in.size());
    // First finish the frame left over from the previous chunk.
    while (!buf_.empty()) {
      const FrameHeader h = parse_header(buf_);
      if (h.status == FrameHeader::Error) return false;
      const std::size_t goal = h.status == FrameHeader::Incomplete ? h.need : h.total;
      const std::size_t take = std::min(goal - buf_.size(), s.size());
      buf_.append(s.substr(0, take));
      s.remove_prefix(take);
      if (buf_.size() < goal) return true;  // the chunk is used up
      if (h.status == FrameHeader::Incomplete) continue;
      const bool ok = on_frame(h, std::string_view(buf_).substr(h.header_len), f);
      buf_.clear();
      if (!ok) return false;
    }
    while (!s.empty()) {
      const FrameHeader h = parse_header(s);
      if (h.status == FrameHeader::Error) return false;
      if (h.status == FrameHeader::Incomplete || s.size() < h.total) {
        buf_.assign(s);
        return true;
      }
      if (!on_frame(h, s.substr(h.header_len, h.total - h.header_len), f)) return false;
      s.remove_prefix(h.total);
    }
    return true;
  }

 private:
  struct FrameHeader {
    enum Status : std::uint8_t { Ok, Incomplete, Error } status = Incomplete;
    bool fin = false;
    std::uint8_t opcode = 0;
    std::size_t header_len = 0;
    std::size_t need = 0;   // Incomplete: bytes needed to read the header
    std::size_t total = 0;  // Ok: header + payload
  };
  static FrameHeader parse_header(std::string_view s);

  template <class F>
  bool on_frame(const FrameHeader& h, std::string_view payload, F& f) {
    const auto op = static_cast<WsOpcode>(h.opcode);
    switch (op) {
      case WsOpcode::Close:
      case WsOpcode::Ping:
      case WsOpcode::Pong:
        f(WsMessage{op, payload});  // control frames: final and short (parse_header checked)
        return true;
      case WsOpcode::Text:
      case WsOpcode::Binary:
        if (in_message_) return false;
        if (h.fin) {
          f(WsMessage{op, payload});
          return true;
        }
        in_message_ = true;
        message_opcode_ = op;
        message_.assign(payload);
        return true;
      case WsOpcode::Continuation:
        if (!in_message_ || message_.size() + payload.size() > kMaxMessage) return false;
        message_.append(payload);
        if (h.fin) {
          in_message_ = false;
          f(WsMessage{message_opcode_, message_});
          std::string().swap(message_);
        }
        return true;
    }
    return false;
  }

  std::string buf_;      // an unfinished frame, or the response head
  std::string message_;  // a fragmented message so far
  std::uint32_t head_len_ = 0;
  WsOpcode message_opcode_ = WsOpcode::Text;
  bool in_message_ = false;
};

}  // namespace chatd::loadgen
