#include "chat/sanitize.hpp"
#include "chat/utf8_sequence.hpp"

namespace chatd::chat {

namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

constexpr bool is_blank(char c) { return c == ' ' || c == '\t'; }

// Printable ASCII or TAB: bytes that pass through unchanged.
constexpr bool is_plain(unsigned char c) { return (c >= 0x20 && c < 0x7F) || c == '\t'; }


std::string_view trim(std::string_view s) {
  std::size_t b = 0;
  std::size_t e = s.size();
  while (b < e && is_blank(s[b])) ++b;
  while (e > b && is_blank(s[e - 1])) --e;
  return s.substr(b, e - b);
}

}  // namespace

std::string sanitize(std::string_view raw) {
  // Fast path: the usual line is printable ASCII and needs only trimming.
  std::size_t i = 0;
  while (i < raw.size() && is_plain(static_cast<unsigned char>(raw[i]))) ++i;
  if (i == raw.size()) return std::string(trim(raw));

  std::string out;
  out.reserve(raw.size() + 8);
  out.append(raw.substr(0, i));
  while (i < raw.size()) {
    const auto c = static_cast<unsigned char>(raw[i]);
    if (c < 0x80) {
      // C0 controls (ESC, BEL, BS, CR, ...) and DEL are dropped; TAB stays.
      if (is_plain(c)) out += static_cast<char>(c);
      ++i;
      continue;
    }
    const int len = utf8_sequence_length(raw.substr(i));
    if (len < 0) {
      out += kReplacement;
      i += static_cast<std::size_t>(-len);
      continue;
    }
    // C1 controls U+0080..U+009F are encoded C2 80..C2 9F.
    const bool c1 = c == 0xC2 && static_cast<unsigned char>(raw[i + 1]) <= 0x9F;
    if (!c1) out.append(raw.substr(i, static_cast<std::size_t>(len)));
    i += static_cast<std::size_t>(len);
  }

  const std::string_view kept = trim(out);
  if (kept.size() != out.size()) {
    const auto lead = static_cast<std::size_t>(kept.data() - out.data());
    out.resize(lead + kept.size());
    out.erase(0, lead);
  }
  return out;
}

std::size_t utf8_length(std::string_view s) {
  std::size_t n = 0;
  for (char c : s)
    if (!is_utf8_continuation(static_cast<unsigned char>(c))) ++n;
  return n;
}

std::string fold_case(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

}  // namespace chatd::chat
