#pragma once
// HTTP/1.1 request heads (RFC 9112): the request line and the header fields
// up to the blank line, fed in pieces as they arrive. Bodies are not read.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace chatd::web {

// Incremental parser of one request head. Strict where leniency would let
// two readers disagree: lines end in CRLF (a bare LF or a lone CR is 400),
// no obs-fold (400), no whitespace before a header's colon (400), a method
// that is not a token is refused at its first bad byte. Transfer-Encoding
// is refused (501: this server reads no bodies); Content-Length must be a
// plain number, the same in every copy (400).
// Owned by one connection's thread.
class HttpRequestParser {
 public:
  enum class Status : std::uint8_t { NeedMore, Done, Error };

  static constexpr std::size_t kMaxHeaders = 100;

  // max_head bounds the request line plus the header block, CRLFs included.
  explicit HttpRequestParser(std::size_t max_head = 8192);

  // Consumes bytes of `in` up to and including the blank line and sets
  // `used` to how many it took: the rest belongs to whatever follows (the
  // next pipelined request, WebSocket frames). After Done or Error, further
  // calls take nothing and return the same status until reset().
  Status feed(std::span<const char> in, std::size_t& used);

  Status status() const { return status_; }
  // After Error: 400 (malformed), 431 (head over max_head or more than
  // kMaxHeaders fields), 501 (Transfer-Encoding), 505 (not HTTP/1.x).
  int error_status() const { return error_status_; }
  std::string_view error_reason() const { return error_reason_; }

  // The parsed head; valid after Done until reset() or destruction.
  std::string_view method() const;
  std::string_view target() const;  // as sent, e.g. "/ws?x=1"
  std::string_view path() const;    // target without its query
  int minor_version() const { return minor_; }
  // Case-insensitive; repeated fields are joined with ", " in arrival order
  // (empty copies skipped); the value has no leading or trailing blanks.
  std::optional<std::string_view> header(std::string_view name) const;
  // Whether the comma-separated list in the named field holds `token`
  // (case-insensitive), e.g. has_token("Connection", "upgrade").
  bool has_token(std::string_view header_name, std::string_view token) const;
  // The declared body length (0 without Content-Length). The server reads
  // no bodies, so a request with one ends its connection.
  std::uint64_t content_length() const { return content_length_; }

  // Ready for the next request head on the same connection. Releases a
  // head buffer that grew past a small size.
  void reset();
  // Bytes of heap the parser holds (memory accounting).
  std::size_t held() const;

 private:
  // A slice of buf_ (or, for a repeated field's joined value, of joined_).
  struct Field {
    std::uint32_t name_off = 0, name_len = 0;
    std::uint32_t value_off = 0, value_len = 0;
    bool joined = false;  // value lives in joined_
    bool duplicate = false;  // a later copy of an earlier field: skipped by header()
  };

  Status fail(int status, std::string_view reason);
  // Checks the byte just appended to buf_; NeedMore while the head goes
  // on, Done at its blank line, Error (after fail()) when it cannot belong.
  Status scan_byte(char c);
  Status finish_head();
  bool parse_request_line(std::string_view line);
  bool parse_field(std::string_view line);
  void join_repeated_fields();
  bool check_framing_fields();
  std::string_view slice(std::uint32_t off, std::uint32_t len, bool joined) const;

  std::size_t max_head_;
  std::string buf_;     // the head as received, at most max_head_ bytes
  std::string joined_;  // joined values of repeated fields
  std::vector<Field> fields_;
  Status status_ = Status::NeedMore;
  int error_status_ = 0;
  std::string_view error_reason_;  // always a string literal
  // Scanner state over buf_.
  std::size_t line_start_ = 0;
  std::size_t lines_ = 0;  // complete lines so far (request line included)
  bool in_method_ = true;
  // The request line, as offsets into buf_.
  std::uint32_t method_off_ = 0, method_len_ = 0, target_off_ = 0, target_len_ = 0;
  int minor_ = 0;
  std::uint64_t content_length_ = 0;
};

}  // namespace chatd::web
