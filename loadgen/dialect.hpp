#pragma once
// How one kind of server is spoken to: registration, joining a room,
// sending a message, recognising deliveries. One shared, stateless object
// per protocol; each client keeps its small Wire state.
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "line_buffer.hpp"
#include "options.hpp"
#include "resp_reader.hpp"
#include "ws_codec.hpp"

namespace chatd::loadgen {

// Per-connection protocol state.
struct Wire {
  LineBuffer lines;
  RespReader resp;
  WsReader ws;
  std::uint64_t ws_seed = 0;  // WebSocket: derives the key and the mask
  std::uint8_t stage = 0;  // dialect-specific
};

enum class Stage : std::uint8_t { Register, Join, Session };

// What a dialect reports to the client it serves.
class SessionSink {
 public:
  virtual std::string_view nick() = 0;
  virtual std::string_view room() = 0;
  virtual bool is_publisher() = 0;      // Redis publisher connection
  virtual void send(std::string_view bytes) = 0;
  // The server accepted the nickname (chatd: welcome; IRC: 001); a Redis
  // subscriber has nothing to register, so connected. Once per connection,
  // before the join request leaves.
  virtual void registered() = 0;
  virtual void joined() = 0;            // registered and in the room
  virtual void failed(Stage stage, std::string_view why) = 0;
  virtual void delivery(std::string_view text) = 0;  // a relayed message's text
  virtual void publish_ack(std::int64_t receivers) = 0;

 protected:
  ~SessionSink() = default;
};

class Dialect {
 public:
  virtual ~Dialect() = default;
  // The TCP connection is up.
  virtual void on_connected(Wire& w, SessionSink& s) const = 0;
  // Bytes from the server. False: unparseable, close the connection.
  virtual bool on_bytes(Wire& w, std::span<const char> bytes, SessionSink& s) const = 0;
  // Appends the bytes that send `payload` to `room` over the connection
  // whose state is `w` (WebSocket frames are masked per connection).
  virtual void format_message(const Wire& w, std::string_view room, std::string_view payload,
                              std::string& out) const = 0;
  virtual void format_quit(const Wire& w, std::string& out) const = 0;
  // A client receives its own messages (Redis: its subscription does; a
  // web client gets its own room events).
  virtual bool echoes_to_sender() const { return false; }
  // Messages leave through separate publisher connections (Redis).
  virtual bool separate_publishers() const { return false; }
  // Nickname for client `id` (IRC keeps them short).
  virtual void make_nick(std::string& out, std::string_view prefix, unsigned thread, std::uint32_t id) const;
};

std::unique_ptr<Dialect> make_dialect(const Config& cfg);

}  // namespace chatd::loadgen
