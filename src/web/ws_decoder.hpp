#pragma once
// Client-to-server WebSocket frames (RFC 6455 §5), decoded incrementally
// into whole text messages and control frames.
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "web/utf8.hpp"

namespace chatd::web {

// What the decoder found, called during WsDecoder::feed(). The views are
// valid only during the call. A sink must not destroy or feed the decoder
// from inside a callback.
class WsSink {
 public:
  // A complete text message (fragments reassembled), valid UTF-8.
  virtual void on_ws_text(std::string_view message) = 0;
  virtual void on_ws_ping(std::string_view payload) = 0;
  virtual void on_ws_pong(std::string_view payload) = 0;
  // The peer's close; code 1005 when its frame held no code.
  virtual void on_ws_close(std::uint16_t code, std::string_view reason) = 0;

 protected:
  ~WsSink() = default;
};

// Incremental decoder of one connection's frames. Holds at most one
// partial frame header and one message (never more than max_message bytes
// of data frames plus one control payload in flight); a message buffer that
// grew past 4 KiB is released once delivered, so an idle decoder is a few
// dozen bytes and an empty string.
// Owned by one connection's thread.
class WsDecoder {
 public:
  explicit WsDecoder(std::size_t max_message) : max_message_(max_message) {}

  // Decodes all of `in`, calling `sink` for what completes. Returns 0 while
  // all is well, else the close code to send before closing:
  //   1002 protocol error: unmasked frame, reserved bits, unknown opcode,
  //        control frame fragmented or over 125 bytes, continuation without
  //        a message, a new data frame inside a fragmented one, a 64-bit
  //        length with its top bit set, a close payload of 1 byte or with a
  //        code that may not be sent (< 1000, 1004-1006, 1015-2999, >= 5000);
  //   1003 a binary message (this server speaks text);
  //   1007 invalid UTF-8 in a text message (caught at the first bad byte,
  //        across fragments) or in a close reason;
  //   1009 a message over max_message (caught from the declared frame
  //        length, before its payload is buffered).
  // After on_ws_close or an error, feed() ignores its input and returns 0.
  std::uint16_t feed(std::span<const char> in, WsSink& sink);

  // True after the peer's close frame or an error.
  bool closed() const { return done_; }
  // Bytes of heap the decoder holds (memory accounting).
  std::size_t held() const { return msg_.capacity(); }

 private:
  static constexpr std::size_t kMaxHeader = 14;  // 2 + 8 (length) + 4 (mask)
  static constexpr std::size_t kKeepCapacity = 4096;

  std::uint16_t check_first_two_bytes() const;
  std::size_t header_size() const;
  std::uint16_t start_frame();
  std::uint16_t take_payload(const char* p, std::size_t n);
  std::uint16_t finish_frame(WsSink& sink);
  std::uint16_t fail(std::uint16_t code);
  void release_message();
  bool is_control() const { return (opcode_ & 0x08) != 0; }

  std::size_t max_message_;
  std::uint64_t remaining_ = 0;  // payload bytes of the current frame still to come
  std::size_t ctrl_start_ = 0;   // a control payload sits in msg_ after the message so far
  std::string msg_;              // the text message so far (unmasked), then any control payload
  Utf8Validator utf8_;           // over the text message so far
  std::uint8_t hdr_[kMaxHeader] = {};
  std::uint8_t hdr_len_ = 0;
  std::uint8_t mask_[4] = {};
  std::uint8_t mask_pos_ = 0;  // payload offset mod 4
  std::uint8_t opcode_ = 0;
  bool fin_ = false;
  bool in_payload_ = false;
  bool in_message_ = false;  // a fragmented text message awaits continuations
  bool done_ = false;
};

}  // namespace chatd::web
