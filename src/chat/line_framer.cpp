#include "chat/line_framer.hpp"

#include <cstring>

namespace chatd::chat {

namespace {

// Telnet command bytes (RFC 854).
constexpr unsigned char kIac = 255;
constexpr unsigned char kSb = 250;
constexpr unsigned char kSe = 240;
constexpr unsigned char kWill = 251;
constexpr unsigned char kDont = 254;

// Buffers above this are given back once their line is consumed, so an idle
// connection that once sent a long line does not keep its memory.
constexpr std::size_t kRetain = 256;

// The line's length as the protocol counts it: a final CR belongs to the
// line ending, not to the line.
constexpr std::size_t effective_length(std::size_t size, char last) {
  return size - (size > 0 && last == '\r' ? 1 : 0);
}

void release_if_large(std::string& s) {
  if (s.capacity() > kRetain) std::string().swap(s);
}

}  // namespace

FrameStatus LineFramer::next(std::span<const char>& input) {
  // line() of the previous call is no longer promised to the caller.
  release_if_large(line_);

  const char* p = input.data();
  const char* const end = p + input.size();
  auto consume_to = [&](const char* q) { input = input.subspan(static_cast<std::size_t>(q - input.data())); };

  while (p < end) {
    if (telnet_ != Telnet::Data) {
      if (!telnet_byte(static_cast<unsigned char>(*p++))) {
        consume_to(p);
        return FrameStatus::TooLong;
      }
      continue;
    }

    // Plain data: find the run up to the next LF, then any IAC inside it.
    const auto* lf = static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p)));
    const char* stop = lf != nullptr ? lf : end;
    if (const auto* iac = static_cast<const char*>(std::memchr(p, kIac, static_cast<std::size_t>(stop - p)))) {
      const char* run = p;
      p = iac + 1;
      telnet_ = Telnet::Iac;
      if (!append(run, static_cast<std::size_t>(iac - run))) {
        consume_to(p);
        return FrameStatus::TooLong;
      }
      continue;
    }

    if (lf == nullptr) {
      const bool ok = append(p, static_cast<std::size_t>(end - p));
      consume_to(end);
      return ok ? FrameStatus::NeedMore : FrameStatus::TooLong;
    }

    // A complete line [p, lf).
    const auto n = static_cast<std::size_t>(lf - p);
    const char* run = p;
    p = lf + 1;
    if (discarding_) {
      // The tail of an over-long line, already reported: resume framing.
      discarding_ = false;
      continue;
    }
    consume_to(p);
    return end_line(run, n);
  }

  consume_to(end);
  return FrameStatus::NeedMore;
}

// Appends data bytes of an unfinished line. False when that makes the line
// over-long: it is dropped and the rest up to its LF will be discarded.
// One byte over max_line is tolerated while it is a CR, which may yet turn
// out to be the CR of a CRLF.
bool LineFramer::append(const char* s, std::size_t n) {
  if (discarding_) return true;
  const std::size_t total = partial_.size() + n;
  if (total > max_line_ &&
      (total - max_line_ > 1 || (n > 0 ? s[n - 1] : partial_.back()) != '\r')) {
    std::string().swap(partial_);
    discarding_ = true;
    return false;
  }
  partial_.append(s, n);
  return true;
}

// One byte inside a telnet command. False when it is an escaped 0xFF data
// byte that makes the line over-long (see append).
bool LineFramer::telnet_byte(unsigned char c) {
  switch (telnet_) {
    case Telnet::Iac:
      telnet_ = Telnet::Data;
      if (c == kIac) {
        // IAC IAC is an escaped literal 0xFF data byte.
        const char ff = static_cast<char>(kIac);
        if (!append(&ff, 1)) return false;
      } else if (c >= kWill && c <= kDont) {
        telnet_ = Telnet::Option;
      } else if (c == kSb) {
        telnet_ = Telnet::Sub;
      }
      // Any other command (NOP, GA, AYT, ...) is a single byte: dropped.
      break;
    case Telnet::Option:
      telnet_ = Telnet::Data;
      break;
    case Telnet::Sub:
      if (c == kIac) telnet_ = Telnet::SubIac;
      break;
    case Telnet::SubIac:
      // IAC SE ends the subnegotiation; IAC IAC (an escaped 0xFF inside
      // it) and anything else keep us inside.
      telnet_ = c == kSe ? Telnet::Data : Telnet::Sub;
      break;
    case Telnet::Data:
      break;
  }
  return true;
}

// Completes the line held in partial_ plus the `n` bytes at `run` (its
// LF already consumed): Line, or TooLong if it is over max_line.
FrameStatus LineFramer::end_line(const char* run, std::size_t n) {
  const std::size_t total = partial_.size() + n;
  const char last = n > 0 ? run[n - 1] : (partial_.empty() ? '\0' : partial_.back());
  const std::size_t len = effective_length(total, last);
  if (len > max_line_) {
    std::string().swap(partial_);
    return FrameStatus::TooLong;
  }
  if (partial_.empty()) {
    // Whole line in one read, the common case: one copy, no partial_.
    line_.assign(run, len);
  } else {
    partial_.append(run, n);
    partial_.resize(len);
    line_.swap(partial_);
    partial_.clear();
    release_if_large(partial_);
  }
  return FrameStatus::Line;
}

std::optional<std::string_view> LineFramer::flush_partial() {
  if (discarding_) {
    // The client went quiet inside an over-long line. Clients that never
    // send LF rely on the idle flush to end lines, so it ends this one too.
    discarding_ = false;
    std::string().swap(partial_);
    return std::nullopt;
  }
  if (partial_.empty()) return std::nullopt;
  release_if_large(line_);
  line_.swap(partial_);
  partial_.clear();
  if (line_.back() == '\r') line_.pop_back();
  return std::string_view(line_);
}

}  // namespace chatd::chat
