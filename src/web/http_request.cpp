#include "web/http_request.hpp"

#include <algorithm>

#include "web/text_util.hpp"

namespace chatd::web {

using detail::iequals;
using detail::is_tchar;
using detail::trim_ows;

namespace {

// Field values: HTAB, SP, VCHAR and obs-text; no other control byte.
bool valid_field_value(std::string_view v) {
  return std::all_of(v.begin(), v.end(), [](char ch) {
    const auto c = static_cast<unsigned char>(ch);
    return c == '\t' || (c >= 0x20 && c != 0x7F);
  });
}

// A buffer this big after a request is let go rather than kept per idle
// keep-alive connection.
constexpr std::size_t kKeepCapacity = 1024;

}  // namespace

HttpRequestParser::HttpRequestParser(std::size_t max_head) : max_head_(max_head) {}

HttpRequestParser::Status HttpRequestParser::fail(int status, std::string_view reason) {
  status_ = Status::Error;
  error_status_ = status;
  error_reason_ = reason;
  return status_;
}

HttpRequestParser::Status HttpRequestParser::feed(std::span<const char> in, std::size_t& used) {
  used = 0;
  if (status_ != Status::NeedMore) return status_;
  for (const char c : in) {
    if (buf_.size() >= max_head_) {
      return lines_ == 0 ? fail(400, "request line too long") : fail(431, "request head too large");
    }
    if (buf_.size() == buf_.capacity()) {
      buf_.reserve(std::min(max_head_, std::max<std::size_t>(256, 2 * buf_.capacity())));
    }
    buf_.push_back(c);
    ++used;
    const Status st = scan_byte(c);
    if (st != Status::NeedMore) return st;
  }
  return status_;
}

HttpRequestParser::Status HttpRequestParser::scan_byte(char c) {
  const std::size_t i = buf_.size() - 1;
  const bool after_cr = i > line_start_ && buf_[i - 1] == '\r';
  if (c == '\n') {
    if (!after_cr) return fail(400, "bare LF");
    const std::string_view line(buf_.data() + line_start_, i - 1 - line_start_);
    line_start_ = i + 1;
    if (line.empty()) {
      // Empty lines before the request line are skipped (RFC 9112 §2.2).
      if (lines_ == 0) return Status::NeedMore;
      return finish_head();
    }
    ++lines_;
    if (lines_ == 1) {
      method_off_ = static_cast<std::uint32_t>(line.data() - buf_.data());
      return parse_request_line(line) ? Status::NeedMore : status_;
    }
    if (lines_ - 1 > kMaxHeaders) return fail(431, "too many header fields");
    return parse_field(line) ? Status::NeedMore : status_;
  }
  if (after_cr) return fail(400, "CR without LF");
  if (lines_ == 0 && in_method_) {
    // Reject a stream that is not HTTP at its first byte, not after 8 KiB.
    if (c == ' ') {
      if (i == line_start_) return fail(400, "empty method");
      in_method_ = false;
    } else if (!(c == '\r' && i == line_start_) && !is_tchar(c)) {
      return fail(400, "bad method");
    }
  }
  return Status::NeedMore;
}

bool HttpRequestParser::parse_request_line(std::string_view line) {
  const std::size_t sp1 = line.find(' ');
  if (sp1 == std::string_view::npos) return fail(400, "malformed request line"), false;
  method_len_ = static_cast<std::uint32_t>(sp1);
  const std::string_view rest = line.substr(sp1 + 1);
  const std::size_t sp2 = rest.find(' ');
  if (sp2 == 0 || sp2 == std::string_view::npos) return fail(400, "malformed request line"), false;
  const std::string_view target = rest.substr(0, sp2);
  for (const char ch : target) {
    const auto c = static_cast<unsigned char>(ch);
    if (c <= 0x20 || c >= 0x7F) return fail(400, "bad request target"), false;
  }
  target_off_ = static_cast<std::uint32_t>(target.data() - buf_.data());
  target_len_ = static_cast<std::uint32_t>(target.size());
  const std::string_view version = rest.substr(sp2 + 1);
  const auto digit = [](char c) { return c >= '0' && c <= '9'; };
  if (version.size() != 8 || version.substr(0, 5) != "HTTP/" || !digit(version[5]) || version[6] != '.' ||
      !digit(version[7])) {
    return fail(400, "malformed HTTP version"), false;
  }
  if (version[5] != '1') return fail(505, "HTTP version not supported"), false;
  minor_ = version[7] - '0';
  return true;
}

bool HttpRequestParser::parse_field(std::string_view line) {
  if (line.front() == ' ' || line.front() == '\t') return fail(400, "obsolete line folding"), false;
  const std::size_t colon = line.find(':');
  if (colon == 0 || colon == std::string_view::npos) return fail(400, "malformed header field"), false;
  const std::string_view name = line.substr(0, colon);
  if (!std::all_of(name.begin(), name.end(), is_tchar)) return fail(400, "bad header field name"), false;
  const std::string_view value = trim_ows(line.substr(colon + 1));
  if (!valid_field_value(value)) return fail(400, "bad header field value"), false;
  Field f;
  f.name_off = static_cast<std::uint32_t>(name.data() - buf_.data());
  f.name_len = static_cast<std::uint32_t>(name.size());
  f.value_off = static_cast<std::uint32_t>(value.data() - buf_.data());
  f.value_len = static_cast<std::uint32_t>(value.size());
  fields_.push_back(f);
  return true;
}

HttpRequestParser::Status HttpRequestParser::finish_head() {
  join_repeated_fields();
  if (!check_framing_fields()) return status_;
  return status_ = Status::Done;
}

void HttpRequestParser::join_repeated_fields() {
  for (std::size_t i = 0; i < fields_.size(); ++i) {
    Field& first = fields_[i];
    if (first.duplicate) continue;
    const std::string_view name = slice(first.name_off, first.name_len, false);
    bool repeated = false;
    const std::size_t off = joined_.size();
    // Empty copies add nothing to a list (RFC 9110 §5.6.1), and keep the
    // joined value free of blanks at its ends.
    const auto add = [&](const Field& f) {
      const std::string_view v = slice(f.value_off, f.value_len, false);
      if (v.empty()) return;
      if (joined_.size() != off) joined_.append(", ");
      joined_.append(v);
    };
    for (std::size_t j = i + 1; j < fields_.size(); ++j) {
      Field& later = fields_[j];
      if (later.duplicate || !iequals(name, slice(later.name_off, later.name_len, false))) continue;
      if (!repeated) {
        repeated = true;
        add(first);
      }
      add(later);
      later.duplicate = true;
    }
    if (repeated) {
      first.joined = true;
      first.value_off = static_cast<std::uint32_t>(off);
      first.value_len = static_cast<std::uint32_t>(joined_.size() - off);
    }
  }
}

bool HttpRequestParser::check_framing_fields() {
  // No body is ever read, so a chunked one would be taken for the next
  // request: refuse it rather than misread it.
  if (header("Transfer-Encoding")) return fail(501, "Transfer-Encoding not supported"), false;
  const auto cl = header("Content-Length");
  if (!cl) return true;
  std::string_view rest = *cl;
  bool first = true;
  while (true) {
    const std::size_t comma = rest.find(',');
    const std::string_view item = trim_ows(rest.substr(0, comma));
    if (item.empty() || item.size() > 18 ||
        !std::all_of(item.begin(), item.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return fail(400, "bad Content-Length"), false;
    }
    std::uint64_t n = 0;
    for (const char c : item) n = n * 10 + static_cast<std::uint64_t>(c - '0');
    if (!first && n != content_length_) return fail(400, "conflicting Content-Length"), false;
    content_length_ = n;
    first = false;
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return true;
}

std::string_view HttpRequestParser::slice(std::uint32_t off, std::uint32_t len, bool joined) const {
  return std::string_view(joined ? joined_ : buf_).substr(off, len);
}

std::string_view HttpRequestParser::method() const {
  if (status_ != Status::Done) return {};
  return slice(method_off_, method_len_, false);
}

std::string_view HttpRequestParser::target() const {
  if (status_ != Status::Done) return {};
  return slice(target_off_, target_len_, false);
}

std::string_view HttpRequestParser::path() const {
  const std::string_view t = target();
  return t.substr(0, t.find('?'));
}

std::optional<std::string_view> HttpRequestParser::header(std::string_view name) const {
  for (const Field& f : fields_) {
    if (!f.duplicate && iequals(name, slice(f.name_off, f.name_len, false))) {
      return slice(f.value_off, f.value_len, f.joined);
    }
  }
  return std::nullopt;
}

bool HttpRequestParser::has_token(std::string_view header_name, std::string_view token) const {
  const auto value = header(header_name);
  if (!value) return false;
  std::string_view rest = *value;
  while (true) {
    const std::size_t comma = rest.find(',');
    if (iequals(trim_ows(rest.substr(0, comma)), token)) return true;
    if (comma == std::string_view::npos) return false;
    rest.remove_prefix(comma + 1);
  }
}

void HttpRequestParser::reset() {
  if (buf_.capacity() > kKeepCapacity) {
    std::string().swap(buf_);
  } else {
    buf_.clear();
  }
  if (joined_.capacity() > kKeepCapacity) {
    std::string().swap(joined_);
  } else {
    joined_.clear();
  }
  if (fields_.capacity() > 32) {
    std::vector<Field>().swap(fields_);
  } else {
    fields_.clear();
  }
  status_ = Status::NeedMore;
  error_status_ = 0;
  error_reason_ = {};
  line_start_ = 0;
  lines_ = 0;
  in_method_ = true;
  method_off_ = method_len_ = target_off_ = target_len_ = 0;
  minor_ = 0;
  content_length_ = 0;
}

std::size_t HttpRequestParser::held() const {
  return buf_.capacity() + joined_.capacity() + fields_.capacity() * sizeof(Field);
}

}  // namespace chatd::web
