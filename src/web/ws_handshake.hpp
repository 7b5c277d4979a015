#pragma once
// The WebSocket opening handshake (RFC 6455 §4.2), server side.
#include <span>
#include <string>
#include <string_view>

#include "web/http_request.hpp"

namespace chatd::web {

// base64(SHA-1(client_key + the RFC's GUID)): the Sec-WebSocket-Accept value.
std::string ws_accept_key(std::string_view client_key);

// Outcome of check_ws_upgrade(). Plain value; `why` is a string literal.
struct WsUpgradeCheck {
  int status = 0;  // 0 = a valid upgrade; else 400, 403 or 426
  std::string_view why;
};

// Checks a parsed request (Status::Done) for a version-13 upgrade: GET,
// HTTP/1.1 or later, Upgrade holds the token websocket, Connection the token
// upgrade, Sec-WebSocket-Key is base64 of 16 bytes (else 400);
// Sec-WebSocket-Version is 13 (else 426); when `allowed_origins` is not
// empty, an Origin field (browsers always send one) must equal one of them
// exactly (else 403). A request without Origin (not a browser) passes.
WsUpgradeCheck check_ws_upgrade(const HttpRequestParser& req, std::span<const std::string> allowed_origins);

// The complete 101 response for the given Sec-WebSocket-Accept value.
std::string ws_switching_protocols(std::string_view accept_key);

// The complete refusal for a failed check (status != 0): a short text body,
// `Connection: close`, and for 426 the `Sec-WebSocket-Version: 13` field.
std::string ws_upgrade_refusal(const WsUpgradeCheck& check);

}  // namespace chatd::web
