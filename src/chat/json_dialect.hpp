#pragma once
// The JSON dialect, for web clients (docs/web-protocol.md): every event is
// one compact JSON object with a "type", without a trailing newline (the
// shard puts each in a WebSocket text frame). Errors carry a stable `code`
// and, as `message`, line-en's text.
#include <string>
#include <string_view>

#include "chat/dialect.hpp"
#include "chat/event.hpp"

namespace chatd::chat {

// Stateless and immutable: one instance, shared by every thread.
class JsonDialect final : public Dialect {
 public:
  constexpr JsonDialect() = default;
  DialectId id() const override { return DialectId::Json; }
  std::string_view name() const override { return "json"; }
  void render(const Event& e, std::string& out) const override;
  using Dialect::render;
};

// The error's `code`: the snake_case of its name ("nick_taken").
std::string_view error_code_name(ErrorCode code);

}  // namespace chatd::chat
