#pragma once
// The line dialects: the original's text protocol, one line per event
// (several for the welcome and the help), in Portuguese (line-pt, the
// original Python server's bytes) or English (line-en). Every text a line
// client can receive is in line_texts.cpp, and only there.
#include <array>
#include <string>
#include <string_view>

#include "chat/dialect.hpp"
#include "chat/lang.hpp"

namespace chatd::chat {

class LineDialect final : public Dialect {
 public:
  constexpr LineDialect(DialectId id, Lang lang) : id_(id), lang_(lang) {}
  DialectId id() const override { return id_; }
  std::string_view name() const override;
  void render(const Event& e, std::string& out) const override;
  using Dialect::render;
  Lang lang() const { return lang_; }

 private:
  DialectId id_;
  Lang lang_;
};

// A room message in the line dialects, "[nick] text\n", as pieces for
// callers that copy them straight into a buffer of their own.
inline std::array<std::string_view, 5> line_message_parts(std::string_view nick, std::string_view text) {
  return {"[", nick, "] ", text, "\n"};
}

}  // namespace chatd::chat
