#include "resp_reader.hpp"

#include <charconv>

namespace chatd::loadgen {

namespace {
bool to_int(std::string_view s, std::int64_t& v) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc{} && p == s.data() + s.size();
}
}  // namespace

RespReader::Parse RespReader::read_line(std::size_t& pos, std::string_view& line) const {
  const auto end = buf_.find("\r\n", pos);
  if (end == std::string::npos) return buf_.size() - pos > 65536 ? Parse::Error : Parse::Incomplete;
  line = std::string_view(buf_).substr(pos, end - pos);
  pos = end + 2;
  return Parse::Ok;
}

RespReader::Parse RespReader::parse_scalar(std::size_t& pos, char& type, std::string_view& text,
                                           std::int64_t& integer, bool& nil) const {
  std::size_t p = pos;
  if (p >= buf_.size()) return Parse::Incomplete;
  type = buf_[p];
  std::string_view line;
  ++p;
  if (const Parse r = read_line(p, line); r != Parse::Ok) return r;
  switch (type) {
    case '+':
    case '-':
      text = line;
      break;
    case ':':
      if (!to_int(line, integer)) return Parse::Error;
      text = line;
      break;
    case '$': {
      std::int64_t len = 0;
      if (!to_int(line, len)) return Parse::Error;
      if (len < 0) {
        nil = true;
        break;
      }
      const auto n = static_cast<std::size_t>(len);
      if (buf_.size() - p < n + 2) return Parse::Incomplete;
      if (buf_[p + n] != '\r' || buf_[p + n + 1] != '\n') return Parse::Error;
      text = std::string_view(buf_).substr(p, n);
      p += n + 2;
      break;
    }
    default:
      return Parse::Error;
  }
  pos = p;
  return Parse::Ok;
}

RespReader::Parse RespReader::parse_top(std::size_t& pos, RespFrame& fr) const {
  if (pos >= buf_.size()) return Parse::Incomplete;
  if (buf_[pos] != '*') return parse_scalar(pos, fr.type, fr.text, fr.integer, fr.nil);
  std::size_t p = pos + 1;
  std::string_view line;
  if (const Parse r = read_line(p, line); r != Parse::Ok) return r;
  std::int64_t n = 0;
  if (!to_int(line, n)) return Parse::Error;
  fr.type = '*';
  if (n < 0) {
    fr.nil = true;
    pos = p;
    return Parse::Ok;
  }
  // Elements; nested arrays are flattened by counting their elements in.
  std::int64_t remaining = n;
  while (remaining > 0) {
    if (p >= buf_.size()) return Parse::Incomplete;
    if (buf_[p] == '*') {
      std::size_t q = p + 1;
      if (const Parse r = read_line(q, line); r != Parse::Ok) return r;
      std::int64_t m = 0;
      if (!to_int(line, m)) return Parse::Error;
      p = q;
      remaining += (m > 0 ? m : 0) - 1;
      continue;
    }
    char t = 0;
    std::string_view text;
    std::int64_t integer = 0;
    bool nil = false;
    if (const Parse r = parse_scalar(p, t, text, integer, nil); r != Parse::Ok) return r;
    if (fr.n_items < RespFrame::kMaxItems) fr.items[fr.n_items++] = text;
    --remaining;
  }
  pos = p;
  return Parse::Ok;
}

}  // namespace chatd::loadgen
