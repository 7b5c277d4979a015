#pragma once
// The text every load-generator message carries, and how to find it again
// in what each server delivers:
//   L <sender> <seq> <send-time-ns> <padding>
// sender is the client's global id, seq counts that sender's messages from
// 0, the time is CLOCK_MONOTONIC nanoseconds (system-wide, so the sender
// and receiver may be different processes on one machine).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace chatd::loadgen {

struct Payload {
  std::uint32_t sender = 0;
  std::uint32_t seq = 0;
  std::uint64_t sent_ns = 0;
  bool operator==(const Payload&) const = default;
};

// Appends the payload text, padded with 'x' to `size` bytes when the
// header is shorter (never truncated). No line terminator.
void append_payload(std::string& out, const Payload& p, std::size_t size);

// Parses a payload at the start of `text`; nullopt when it is not one.
std::optional<Payload> parse_payload(std::string_view text);

// chatd relays a message as "[<nick>] <text>": returns <text>, or nullopt
// for any other line (notices, replies). Language-neutral.
std::optional<std::string_view> chatd_message_text(std::string_view line);

// One IRC line split into prefix, command and the trailing parameter (the
// text after " :"), plus the first middle parameter.
struct IrcLine {
  std::string_view prefix;    // without ':'
  std::string_view command;   // "PRIVMSG", "001", ...
  std::string_view first;     // first parameter (without ':' if trailing)
  std::string_view trailing;  // text after " :" (empty when none)
};
std::optional<IrcLine> parse_irc_line(std::string_view line);

// Decimal / base-36 helpers for building names without allocation churn.
void append_base36(std::string& out, std::uint64_t v);

}  // namespace chatd::loadgen
