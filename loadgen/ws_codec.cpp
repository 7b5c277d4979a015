#include "ws_codec.hpp"

#include <openssl/evp.h>

#include <array>
#include <cstring>

namespace chatd::loadgen {

namespace {

std::uint64_t splitmix64(std::uint64_t& x) {
  std::uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

// `list` (a comma-separated header value) holds `token`, any case.
bool has_token(std::string_view list, std::string_view token) {
  while (!list.empty()) {
    const auto comma = list.find(',');
    std::string_view t = list.substr(0, comma);
    while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.remove_prefix(1);
    while (!t.empty() && (t.back() == ' ' || t.back() == '\t')) t.remove_suffix(1);
    if (iequals(t, token)) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

}  // namespace

std::string base64_encode(std::span<const unsigned char> in) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= in.size(); i += 3) {
    const std::uint32_t v = (std::uint32_t{in[i]} << 16) | (std::uint32_t{in[i + 1]} << 8) | in[i + 2];
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (i + 1 == in.size()) {
    const std::uint32_t v = std::uint32_t{in[i]} << 16;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += "==";
  } else if (i + 2 == in.size()) {
    const std::uint32_t v = (std::uint32_t{in[i]} << 16) | (std::uint32_t{in[i + 1]} << 8);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

std::string ws_key_from_seed(std::uint64_t seed) {
  std::array<unsigned char, 16> raw{};
  const std::uint64_t a = splitmix64(seed);
  const std::uint64_t b = splitmix64(seed);
  std::memcpy(raw.data(), &a, 8);
  std::memcpy(raw.data() + 8, &b, 8);
  return base64_encode(raw);
}

std::uint32_t ws_mask_from_seed(std::uint64_t seed) {
  seed ^= 0x6d61736b6d61736bULL;  // not the key's stream
  return static_cast<std::uint32_t>(splitmix64(seed) >> 32);
}

std::string ws_accept_for(std::string_view key) {
  static constexpr std::string_view kGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  std::string in(key);
  in += kGuid;
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int n = 0;
  if (EVP_Digest(in.data(), in.size(), md.data(), &n, EVP_sha1(), nullptr) != 1) return {};
  return base64_encode(std::span<const unsigned char>(md.data(), n));
}

void append_upgrade_request(std::string& out, std::string_view host_port, std::string_view path,
                            std::string_view key) {
  out += "GET ";
  out += path;
  out += " HTTP/1.1\r\nHost: ";
  out += host_port;
  out += "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: ";
  out += key;
  out += "\r\n\r\n";
}

std::string check_upgrade_response(std::string_view head, std::string_view accept) {
  auto eol = head.find("\r\n");
  const std::string_view status_line = head.substr(0, eol);
  // "HTTP/1.1 101 Switching Protocols"
  if (!status_line.starts_with("HTTP/1.1 ") || status_line.size() < 12)
    return "not an HTTP/1.1 response: " + std::string(status_line.substr(0, 80));
  if (status_line.substr(9, 3) != "101") return "upgrade refused: " + std::string(status_line.substr(0, 80));
  bool upgrade = false, connection = false, accepted = accept.empty();
  std::string_view rest = eol == std::string_view::npos ? std::string_view() : head.substr(eol + 2);
  while (!rest.empty()) {
    eol = rest.find("\r\n");
    const std::string_view line = rest.substr(0, eol);
    rest = eol == std::string_view::npos ? std::string_view() : rest.substr(eol + 2);
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    const std::string_view name = line.substr(0, colon);
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
    if (iequals(name, "upgrade")) {
      upgrade = iequals(value, "websocket");
    } else if (iequals(name, "connection")) {
      connection = has_token(value, "upgrade");
    } else if (iequals(name, "sec-websocket-accept") && !accept.empty()) {
      accepted = value == accept;
    }
  }
  if (!upgrade) return "101 without Upgrade: websocket";
  if (!connection) return "101 without Connection: Upgrade";
  if (!accepted) return "wrong Sec-WebSocket-Accept";
  return {};
}

void append_client_frame(std::string& out, WsOpcode op, std::string_view payload, std::uint32_t mask_key) {
  const std::size_t n = payload.size();
  std::array<unsigned char, 14> h{};
  std::size_t hl = 2;
  h[0] = static_cast<unsigned char>(0x80 | static_cast<unsigned>(op));
  if (n < 126) {
    h[1] = static_cast<unsigned char>(0x80 | n);
  } else if (n <= 0xffff) {
    h[1] = 0x80 | 126;
    h[2] = static_cast<unsigned char>(n >> 8);
    h[3] = static_cast<unsigned char>(n);
    hl = 4;
  } else {
    h[1] = 0x80 | 127;
    for (int i = 0; i < 8; ++i) h[2 + i] = static_cast<unsigned char>(static_cast<std::uint64_t>(n) >> (56 - 8 * i));
    hl = 10;
  }
  unsigned char key[4];
  std::memcpy(key, &mask_key, 4);
  std::memcpy(h.data() + hl, key, 4);
  hl += 4;
  const std::size_t at = out.size();
  out.resize(at + hl + n);
  char* dst = out.data() + at;
  std::memcpy(dst, h.data(), hl);
  dst += hl;
  const char* src = payload.data();
  std::uint64_t key8;
  std::memcpy(&key8, key, 4);
  std::memcpy(reinterpret_cast<unsigned char*>(&key8) + 4, key, 4);
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) {  // i stays a multiple of 4: the key lines up
    std::uint64_t v;
    std::memcpy(&v, src + i, 8);
    v ^= key8;
    std::memcpy(dst + i, &v, 8);
  }
  for (; i < n; ++i) dst[i] = static_cast<char>(static_cast<unsigned char>(src[i]) ^ key[i & 3]);
}

std::uint16_t ws_close_code(std::string_view p) {
  if (p.size() < 2) return 1005;
  return static_cast<std::uint16_t>((static_cast<unsigned char>(p[0]) << 8) | static_cast<unsigned char>(p[1]));
}

WsReader::Head WsReader::feed_head(std::span<const char>& in) {
  const std::size_t before = buf_.size();
  const std::size_t room = kMaxHead > before ? kMaxHead - before : 0;
  const std::size_t take = std::min(room, in.size());
  buf_.append(in.data(), take);
  const auto end = buf_.find("\r\n\r\n", before >= 3 ? before - 3 : 0);
  if (end == std::string::npos) return take < in.size() || buf_.size() >= kMaxHead ? Head::TooLong : Head::Incomplete;
  head_len_ = static_cast<std::uint32_t>(end + 4);
  const std::size_t used = head_len_ - before;  // bytes of `in` in the head
  in = in.subspan(used);
  return Head::Complete;
}

void WsReader::drop_head() {
  buf_.clear();
  head_len_ = 0;
}

WsReader::FrameHeader WsReader::parse_header(std::string_view s) {
  FrameHeader h;
  if (s.size() < 2) {
    h.need = 2;
    return h;
  }
  const auto b0 = static_cast<unsigned char>(s[0]);
  const auto b1 = static_cast<unsigned char>(s[1]);
  h.fin = (b0 & 0x80) != 0;
  h.opcode = b0 & 0x0f;
  const bool control = (h.opcode & 0x08) != 0;
  const bool known = h.opcode <= 2 || (h.opcode >= 8 && h.opcode <= 10);
  // No extension is negotiated (RSV must be 0); the server never masks.
  if ((b0 & 0x70) != 0 || (b1 & 0x80) != 0 || !known) {
    h.status = FrameHeader::Error;
    return h;
  }
  std::uint64_t len = b1 & 0x7f;
  std::size_t hl = 2;
  if (len == 126) {
    hl = 4;
  } else if (len == 127) {
    hl = 10;
  }
  if (control && (len > 125 || !h.fin)) {
    h.status = FrameHeader::Error;
    return h;
  }
  if (s.size() < hl) {
    h.need = hl;
    return h;
  }
  if (hl > 2) {
    len = 0;
    for (std::size_t i = 2; i < hl; ++i) len = (len << 8) | static_cast<unsigned char>(s[i]);
  }
  if (len > kMaxMessage) {
    h.status = FrameHeader::Error;
    return h;
  }
  h.status = FrameHeader::Ok;
  h.header_len = hl;
  h.total = hl + static_cast<std::size_t>(len);
  return h;
}

}  // namespace chatd::loadgen
