#pragma once
// Splits a byte stream into LF-terminated lines (a CR before the LF is
// dropped). Lines wholly inside one chunk are handed out without copying;
// only a chunk's unfinished tail is kept.
#include <cstddef>
#include <span>
#include <string>
#include <string_view>

namespace chatd::loadgen {

class LineBuffer {
 public:
  // Longest partial line kept; longer input is cut into pieces this long.
  static constexpr std::size_t kMaxLine = 1 << 20;

  // Calls f(std::string_view line) for each complete line; the view is
  // valid only during the call.
  template <class F>
  void feed(std::span<const char> in, F&& f) {
    std::string_view s(in.data(), in.size());
    while (!s.empty()) {
      const auto nl = s.find('\n');
      if (nl == std::string_view::npos) {
        partial_.append(s);
        if (partial_.size() >= kMaxLine) {
          f(std::string_view(partial_));
          partial_.clear();
        }
        return;
      }
      if (partial_.empty()) {
        f(trim_cr(s.substr(0, nl)));
      } else {
        partial_.append(s.substr(0, nl));
        f(trim_cr(partial_));
        partial_.clear();
      }
      s.remove_prefix(nl + 1);
    }
  }

  // Bytes after the last LF (a prompt, for example).
  std::string_view partial() const { return partial_; }
  void clear_partial() { partial_.clear(); }

 private:
  static std::string_view trim_cr(std::string_view l) {
    if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
    return l;
  }
  std::string partial_;
};

}  // namespace chatd::loadgen
