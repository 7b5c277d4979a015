#pragma once
// RESP (Redis protocol) replies in, as values: a thin wrapper over hiredis's
// redisReader with our own reply objects, so that what the network sends
// cannot make it allocate without bound (a huge array count or bulk length
// is refused, not trusted). Owned by one thread.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

struct redisReader;

namespace chatd::cluster {

// One reply: a tree for arrays. Plain value.
struct RespValue {
  enum class Type : std::uint8_t { String, Array, Integer, Nil, Status, Error };
  Type type = Type::Nil;
  std::string str;       // String, Status, Error
  long long integer = 0;  // Integer
  std::vector<RespValue> elements;  // Array

  bool is_error() const { return type == Type::Error; }
  bool is_nil() const { return type == Type::Nil; }
  bool is_array() const { return type == Type::Array; }
  // A String or Status as text, an Integer in decimal; "" otherwise.
  std::string text() const;
  // An Integer, or a String/Status holding a decimal number; `fallback` otherwise.
  long long number(long long fallback = 0) const;
};

// The peer broke the protocol (or asked for more than the bounds allow):
// the connection cannot be trusted any more and must be closed.
class RespError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class RespReader {
 public:
  static constexpr std::size_t kMaxElements = 1 << 18;  // per array (each level of nesting may hold as many)
  static constexpr std::size_t kMaxBuffered = 64u << 20;      // bytes waiting for a reply's end

  RespReader();
  ~RespReader();
  RespReader(const RespReader&) = delete;
  RespReader& operator=(const RespReader&) = delete;

  // Bytes from the socket. Throws RespError past kMaxBuffered.
  void feed(std::span<const char> bytes);
  // The next complete reply, if the bytes so far hold one. Throws RespError
  // on a protocol error (the reader is then unusable).
  std::optional<RespValue> next();

 private:
  redisReader* r_;
};

}  // namespace chatd::cluster
