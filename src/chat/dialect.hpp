#pragma once
// A Dialect renders events for one kind of client. Stateless and immutable:
// one instance per kind, shared by every thread.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "chat/event.hpp"
#include "chat/lang.hpp"

namespace chatd::chat {

// Dense ids: shards keep small arrays indexed by them (one rendering of a
// room event per dialect present).
enum class DialectId : std::uint8_t { LineEn, LinePt, Json };
inline constexpr std::size_t kDialectCount = 3;

class Dialect {
 public:
  virtual ~Dialect() = default;
  virtual DialectId id() const = 0;
  virtual std::string_view name() const = 0;  // "line-en", "line-pt", "json"
  // Appends the rendering of `e` to `out` (never clears it).
  virtual void render(const Event& e, std::string& out) const = 0;

  std::string render(const Event& e) const {
    std::string out;
    render(e, out);
    return out;
  }
};

const Dialect& dialect(DialectId id);
std::optional<DialectId> parse_dialect(std::string_view name);

// The line dialect in the server's language: line-pt (the original's bytes)
// or line-en.
DialectId line_dialect(Lang lang);

}  // namespace chatd::chat
