#pragma once
// Incremental reader for the RESP2 replies a pub/sub client sees: simple
// strings, errors, integers, bulk strings and flat arrays of those (the
// "subscribe" and "message" pushes). Nested arrays are flattened.
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace chatd::loadgen {

struct RespFrame {
  char type = 0;               // '+', '-', ':', '$' or '*'
  std::string_view text;       // simple string, error, bulk (not arrays)
  std::int64_t integer = 0;    // ':' frames
  static constexpr std::size_t kMaxItems = 4;
  std::array<std::string_view, kMaxItems> items{};  // array elements (text)
  std::size_t n_items = 0;     // elements stored (extra ones are dropped)
  bool nil = false;            // "$-1" or "*-1"
};

class RespReader {
 public:
  // Calls f(const RespFrame&) for each complete top-level frame; views are
  // valid during the call. Returns false on a protocol error (the stream
  // cannot be resynchronised; close the connection).
  template <class F>
  bool feed(std::span<const char> in, F&& f) {
    buf_.append(in.data(), in.size());
    std::size_t pos = start_;
    for (;;) {
      RespFrame fr;
      const Parse r = parse_top(pos, fr);
      if (r == Parse::Error) return false;
      if (r == Parse::Incomplete) break;
      f(static_cast<const RespFrame&>(fr));
    }
    start_ = pos;
    if (start_ == buf_.size()) {
      buf_.clear();
      start_ = 0;
    } else if (start_ > 65536) {
      buf_.erase(0, start_);
      start_ = 0;
    }
    return true;
  }

 private:
  enum class Parse { Ok, Incomplete, Error };
  Parse parse_top(std::size_t& pos, RespFrame& fr) const;
  // One scalar element at pos: text and integer; advances pos on Ok.
  Parse parse_scalar(std::size_t& pos, char& type, std::string_view& text, std::int64_t& integer,
                     bool& nil) const;
  Parse read_line(std::size_t& pos, std::string_view& line) const;

  std::string buf_;
  std::size_t start_ = 0;
};

}  // namespace chatd::loadgen
