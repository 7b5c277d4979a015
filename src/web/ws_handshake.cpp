#include "web/ws_handshake.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <string>

#include "web/http_response.hpp"

namespace chatd::web {

namespace {

constexpr std::string_view kGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

bool is_base64_char(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
}

// 16 bytes encode to 22 base64 characters and "==".
bool is_base64_16_bytes(std::string_view key) {
  return key.size() == 24 && key.substr(22) == "==" &&
         std::all_of(key.begin(), key.begin() + 22, is_base64_char);
}

}  // namespace

std::string ws_accept_key(std::string_view client_key) {
  std::string input;
  input.reserve(client_key.size() + kGuid.size());
  input.append(client_key);
  input.append(kGuid);
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int digest_len = 0;
  if (EVP_Digest(input.data(), input.size(), digest.data(), &digest_len, EVP_sha1(), nullptr) != 1) {
    return {};  // only when OpenSSL cannot provide SHA-1 at all; the client then refuses the handshake
  }
  // EVP_EncodeBlock writes 4 characters per 3 bytes and a NUL.
  std::array<unsigned char, 4 * ((EVP_MAX_MD_SIZE + 2) / 3) + 1> text{};
  const int n = EVP_EncodeBlock(text.data(), digest.data(), static_cast<int>(digest_len));
  return std::string(reinterpret_cast<const char*>(text.data()), static_cast<std::size_t>(n));
}

WsUpgradeCheck check_ws_upgrade(const HttpRequestParser& req, std::span<const std::string> allowed_origins) {
  if (req.status() != HttpRequestParser::Status::Done) return {400, "request not parsed"};
  if (req.method() != "GET") return {400, "upgrade needs GET"};
  if (req.minor_version() < 1) return {400, "upgrade needs HTTP/1.1"};
  if (!req.has_token("Upgrade", "websocket")) return {400, "no Upgrade: websocket"};
  if (!req.has_token("Connection", "upgrade")) return {400, "no Connection: upgrade"};
  const auto version = req.header("Sec-WebSocket-Version");
  if (!version || *version != "13") return {426, "Sec-WebSocket-Version is not 13"};
  const auto key = req.header("Sec-WebSocket-Key");
  if (!key || !is_base64_16_bytes(*key)) return {400, "bad Sec-WebSocket-Key"};
  if (!allowed_origins.empty()) {
    if (const auto origin = req.header("Origin")) {
      const bool allowed = std::any_of(allowed_origins.begin(), allowed_origins.end(),
                                       [&](const std::string& o) { return o == *origin; });
      if (!allowed) return {403, "Origin not allowed"};
    }
  }
  return {};
}

std::string ws_switching_protocols(std::string_view accept_key) {
  std::string out =
      "HTTP/1.1 101 Switching Protocols\r\n"
      "Upgrade: websocket\r\n"
      "Connection: Upgrade\r\n"
      "Sec-WebSocket-Accept: ";
  out.append(accept_key);
  out.append("\r\n\r\n");
  return out;
}

std::string ws_upgrade_refusal(const WsUpgradeCheck& check) {
  std::string body(check.why);
  body += '\n';
  if (check.status == 426) {
    const HttpHeader version[] = {{"Sec-WebSocket-Version", "13"}};
    return http_response(426, "text/plain; charset=utf-8", body, version, false);
  }
  return http_response(check.status, "text/plain; charset=utf-8", body, {}, false);
}

}  // namespace chatd::web
