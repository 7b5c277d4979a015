#include "web/ws_decoder.hpp"

#include <algorithm>

namespace chatd::web {

namespace {

constexpr std::uint16_t kProtocolError = 1002;
constexpr std::uint16_t kUnsupportedData = 1003;
constexpr std::uint16_t kInvalidPayload = 1007;
constexpr std::uint16_t kMessageTooBig = 1009;

// Codes a peer may put in a close frame (RFC 6455 §7.4, the IANA registry).
bool valid_close_code(std::uint16_t code) {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
}

}  // namespace

std::uint16_t WsDecoder::feed(std::span<const char> in, WsSink& sink) {
  const char* p = in.data();
  const char* const end = p + in.size();
  while (!done_) {
    if (!in_payload_) {
      if (p == end) break;
      // Header bytes are copied one at a time: 14 at most per frame.
      hdr_[hdr_len_++] = static_cast<std::uint8_t>(*p++);
      if (hdr_len_ == 2) {
        if (const std::uint16_t err = check_first_two_bytes()) return fail(err);
      }
      if (hdr_len_ >= 2 && hdr_len_ == header_size()) {
        if (const std::uint16_t err = start_frame()) return fail(err);
      }
      continue;
    }
    const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, static_cast<std::size_t>(end - p)));
    if (n > 0) {
      if (const std::uint16_t err = take_payload(p, n)) return fail(err);
      p += n;
    }
    if (remaining_ != 0) break;  // input exhausted inside the payload
    if (const std::uint16_t err = finish_frame(sink)) return fail(err);
  }
  return 0;
}

// Everything that can be judged from the first two bytes is, so a hostile
// stream is refused before its length or mask arrive.
std::uint16_t WsDecoder::check_first_two_bytes() const {
  const std::uint8_t b0 = hdr_[0];
  const std::uint8_t b1 = hdr_[1];
  const std::uint8_t op = b0 & 0x0F;
  const bool fin = (b0 & 0x80) != 0;
  if ((b0 & 0x70) != 0) return kProtocolError;  // no extension was negotiated
  if ((b1 & 0x80) == 0) return kProtocolError;  // clients must mask (§5.1)
  switch (op) {
    case 0:
      if (!in_message_) return kProtocolError;
      return 0;
    case 1:
      if (in_message_) return kProtocolError;
      return 0;
    case 2:
      if (in_message_) return kProtocolError;
      return kUnsupportedData;
    case 8: case 9: case 10:
      if (!fin || (b1 & 0x7F) > 125) return kProtocolError;
      return 0;
    default:
      return kProtocolError;
  }
}

std::size_t WsDecoder::header_size() const {
  const std::uint8_t len7 = hdr_[1] & 0x7F;
  if (len7 == 126) return 2 + 2 + 4;
  if (len7 == 127) return 2 + 8 + 4;
  return 2 + 4;
}

std::uint16_t WsDecoder::start_frame() {
  const std::uint8_t len7 = hdr_[1] & 0x7F;
  std::uint64_t len = len7;
  std::size_t at = 2;
  if (len7 == 126) {
    len = (std::uint64_t{hdr_[2]} << 8) | hdr_[3];
    at = 4;
  } else if (len7 == 127) {
    if ((hdr_[2] & 0x80) != 0) return kProtocolError;  // §5.2: the top bit must be 0
    len = 0;
    for (std::size_t i = 2; i < 10; ++i) len = (len << 8) | hdr_[i];
    at = 10;
  }
  std::copy(hdr_ + at, hdr_ + at + 4, mask_);
  opcode_ = hdr_[0] & 0x0F;
  fin_ = (hdr_[0] & 0x80) != 0;
  hdr_len_ = 0;
  if (is_control()) {
    ctrl_start_ = msg_.size();
  } else if (msg_.size() > max_message_ || len > max_message_ - msg_.size()) {
    return kMessageTooBig;
  }
  remaining_ = len;
  mask_pos_ = 0;
  in_payload_ = true;
  return 0;
}

std::uint16_t WsDecoder::take_payload(const char* p, std::size_t n) {
  const std::size_t old = msg_.size();
  if (old + n > msg_.capacity()) {
    // Grow with the bytes that arrive, never past the frame's end: a peer
    // that declares a big frame and then stalls does not get it allocated.
    const std::size_t frame_end = old + static_cast<std::size_t>(remaining_);
    msg_.reserve(std::min(frame_end, std::max(old + n, 2 * msg_.capacity())));
  }
  msg_.resize(old + n);
  char* dst = msg_.data() + old;
  // Unmasked while copied: the one copy out of the read buffer.
  std::size_t k = mask_pos_;
  for (std::size_t i = 0; i < n; ++i, ++k) {
    dst[i] = static_cast<char>(static_cast<std::uint8_t>(p[i]) ^ mask_[k & 3]);
  }
  mask_pos_ = static_cast<std::uint8_t>(k & 3);
  remaining_ -= n;
  if (!is_control() && !utf8_.feed(std::string_view(dst, n))) return kInvalidPayload;
  return 0;
}

std::uint16_t WsDecoder::finish_frame(WsSink& sink) {
  in_payload_ = false;
  switch (opcode_) {
    case 0:
    case 1:
      if (!fin_) {
        in_message_ = true;
        return 0;
      }
      if (!utf8_.complete()) return kInvalidPayload;  // a code point cut at the end
      sink.on_ws_text(msg_);
      release_message();
      return 0;
    case 9:
    case 10: {
      const std::string_view payload = std::string_view(msg_).substr(ctrl_start_);
      if (opcode_ == 9) {
        sink.on_ws_ping(payload);
      } else {
        sink.on_ws_pong(payload);
      }
      msg_.resize(ctrl_start_);
      return 0;
    }
    case 8: {
      const std::string_view payload = std::string_view(msg_).substr(ctrl_start_);
      if (payload.size() == 1) return kProtocolError;
      std::uint16_t code = 1005;
      std::string_view reason;
      if (payload.size() >= 2) {
        code = static_cast<std::uint16_t>((static_cast<std::uint8_t>(payload[0]) << 8) |
                                          static_cast<std::uint8_t>(payload[1]));
        if (!valid_close_code(code)) return kProtocolError;
        reason = payload.substr(2);
        if (!valid_utf8(reason)) return kInvalidPayload;
      }
      done_ = true;
      sink.on_ws_close(code, reason);
      std::string().swap(msg_);
      return 0;
    }
    default:
      return kProtocolError;  // unreachable: check_first_two_bytes() refused it
  }
}

void WsDecoder::release_message() {
  if (msg_.capacity() > kKeepCapacity) {
    std::string().swap(msg_);
  } else {
    msg_.clear();
  }
  utf8_.reset();
  in_message_ = false;
}

std::uint16_t WsDecoder::fail(std::uint16_t code) {
  done_ = true;
  std::string().swap(msg_);
  return code;
}

}  // namespace chatd::web
