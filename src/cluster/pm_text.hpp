#pragma once
// A private message as published on a node's channel and queued for an
// account in Redis: "<to length> <to><from length> <from><time ms> <text>"
// (lengths first, so names and text may hold any byte). Pure.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace chatd::cluster {

// Views into the parsed string: valid while it lives.
struct PmText {
  std::string_view to, from, text;
  std::uint64_t time_ms = 0;
};

std::string format_pm(std::string_view to, std::string_view from, std::uint64_t time_ms, std::string_view text);
// nullopt when `s` is not in that form.
std::optional<PmText> parse_pm(std::string_view s);

}  // namespace chatd::cluster
