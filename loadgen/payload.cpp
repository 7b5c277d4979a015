#include "payload.hpp"

#include <fmt/format.h>

#include <iterator>

namespace chatd::loadgen {

void append_payload(std::string& out, const Payload& p, std::size_t size) {
  const std::size_t start = out.size();
  fmt::format_to(std::back_inserter(out), "L {} {} {} ", p.sender, p.seq, p.sent_ns);
  const std::size_t len = out.size() - start;
  // Padding ends in a visible character: servers trim trailing blanks.
  out.append(size > len ? size - len : 1, 'x');
}

namespace {
// Hand-rolled: this runs once per delivery, millions of times a second.
template <class T>
bool take_number(std::string_view& s, T& v) {
  std::size_t i = 0;
  T acc = 0;
  while (i < s.size() && i < 20 && static_cast<unsigned char>(s[i] - '0') < 10) {
    acc = static_cast<T>(acc * 10 + static_cast<T>(s[i] - '0'));
    ++i;
  }
  if (i == 0) return false;
  v = acc;
  s.remove_prefix(i);
  return true;
}
bool take_space(std::string_view& s) {
  if (s.empty() || s.front() != ' ') return false;
  s.remove_prefix(1);
  return true;
}
}  // namespace

std::optional<Payload> parse_payload(std::string_view s) {
  if (s.size() < 2 || s[0] != 'L' || s[1] != ' ') return std::nullopt;
  s.remove_prefix(2);
  Payload p;
  if (!take_number(s, p.sender) || !take_space(s) || !take_number(s, p.seq) || !take_space(s) ||
      !take_number(s, p.sent_ns))
    return std::nullopt;
  if (!s.empty() && s.front() != ' ') return std::nullopt;
  return p;
}

std::optional<std::string_view> chatd_message_text(std::string_view line) {
  if (line.empty() || line.front() != '[') return std::nullopt;
  const auto close = line.find("] ");
  if (close == std::string_view::npos) return std::nullopt;
  return line.substr(close + 2);
}

std::optional<IrcLine> parse_irc_line(std::string_view s) {
  IrcLine out;
  if (!s.empty() && s.front() == ':') {
    const auto sp = s.find(' ');
    if (sp == std::string_view::npos) return std::nullopt;
    out.prefix = s.substr(1, sp - 1);
    s.remove_prefix(sp + 1);
  }
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  const auto sp = s.find(' ');
  out.command = s.substr(0, sp);
  if (out.command.empty()) return std::nullopt;
  if (sp == std::string_view::npos) return out;
  s.remove_prefix(sp + 1);
  const auto colon = s.starts_with(':') ? 0 : s.find(" :");
  std::string_view middle = s;
  if (colon != std::string_view::npos) {
    out.trailing = s.substr(colon == 0 ? 1 : colon + 2);
    middle = s.substr(0, colon);
  }
  const auto msp = middle.find(' ');
  out.first = middle.substr(0, msp);
  if (out.first.empty() && colon == 0) out.first = out.trailing;
  return out;
}

void append_base36(std::string& out, std::uint64_t v) {
  char buf[16];
  std::size_t n = 0;
  do {
    const auto d = static_cast<unsigned>(v % 36);
    buf[n++] = static_cast<char>(d < 10 ? '0' + d : 'a' + (d - 10));
    v /= 36;
  } while (v != 0);
  while (n > 0) out.push_back(buf[--n]);
}

}  // namespace chatd::loadgen
