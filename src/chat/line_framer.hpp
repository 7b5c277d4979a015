#pragma once
// Bytes in, lines out: LF/CRLF framing, telnet IAC removal, max-line.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace chatd::chat {

// Outcome of pulling one line from the input.
enum class FrameStatus : std::uint8_t {
  Line,      // a complete line is in the framer (line())
  TooLong,   // a line exceeded max-line; it is being discarded up to its LF
  NeedMore,  // input exhausted; a partial line (if any) is kept
};

// Per-connection framing state; owned by the connection's shard thread.
class LineFramer {
 public:
  explicit LineFramer(std::size_t max_line = 4096) : max_line_(max_line) {}

  // Consumes bytes from the front of `input` until one line is complete,
  // an over-long line is detected, or `input` is exhausted. Telnet IAC
  // sequences are removed (IAC IAC yields a literal 0xFF byte), a CR right
  // before LF is dropped. After Line, line() is valid until the next call.
  // TooLong is reported once per over-long line, when it passes max_line.
  FrameStatus next(std::span<const char>& input);

  // The line completed by the last next() that returned Line (without LF).
  std::string_view line() const { return line_; }

  // True when bytes of an unfinished line are held (idle flush applies).
  bool has_partial() const { return !partial_.empty() && !discarding_; }
  // True when an idle flush would end something: a partial line, or an
  // over-long one being discarded (a client that never sends LF must not
  // lose every later line to one long message).
  bool idle_pending() const { return !partial_.empty() || discarding_; }
  // Nothing of a line is held: the next input's bytes up to an LF (no IAC,
  // shorter than max-line) come out of next() as they are, a final CR dropped.
  bool at_line_start() const { return partial_.empty() && !discarding_ && telnet_ == Telnet::Data; }

  // Takes the held partial line as a complete line (idle flush). Returns
  // nullopt when there is none. A pending CR at its end is dropped.
  std::optional<std::string_view> flush_partial();

  void set_max_line(std::size_t n) { max_line_ = n; }
  std::size_t max_line() const { return max_line_; }
  // Bytes held for an unfinished line (memory accounting).
  std::size_t held() const { return partial_.capacity() + line_.capacity(); }

 private:
  enum class Telnet : std::uint8_t { Data, Iac, Option, Sub, SubIac };

  // The steps of next().
  bool append(const char* s, std::size_t n);
  bool telnet_byte(unsigned char c);
  FrameStatus end_line(const char* run, std::size_t n);

  std::size_t max_line_;
  std::string partial_;
  std::string line_;
  Telnet telnet_ = Telnet::Data;
  bool discarding_ = false;
};

}  // namespace chatd::chat
