#pragma once
// What a connection from a --web listener needs beyond a line client: the
// HTTP request being read, then the WebSocket decoder and its keep-alive.
// Held behind a pointer, so a line client pays 8 bytes for it.
#include <cstdint>
#include <optional>

#include "web/http_request.hpp"
#include "web/ws_decoder.hpp"

namespace chatd::shard {

// What a listener serves, told to the shard with each accepted connection
// (the reactor's listener tag).
enum class ListenerKind : std::uint32_t {
  Line = 0,  // chat lines (nc, telnet, the original client)
  Web = 1,   // HTTP: the page, /healthz, and the chat over WebSocket at /ws
};

// Owned by its connection, touched only by its shard's thread.
struct WebState {
  std::optional<web::HttpRequestParser> http;  // while speaking HTTP
  std::optional<web::WsDecoder> ws;            // once upgraded
  std::uint64_t ping_sent_ms = 0;  // an unanswered keep-alive ping (0 = none)
  std::uint16_t close_code = 1000; // what our close frame will say
  unsigned requests = 0;           // served on this keep-alive connection
  bool close_sent = false;         // our close frame is queued: send nothing after it
};

}  // namespace chatd::shard
