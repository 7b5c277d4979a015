// libFuzzer target over src/web's HTTP side: the input is fed to an
// HttpRequestParser whole and in pieces (the split sizes come from the
// input), pipelined requests are parsed one after the other, and each
// complete head goes through check_ws_upgrade().
//
// Invariants checked (abort() = a finding):
//   * every feed takes at most what it was given, and all the pieces of one
//     head add up to the same bytes however the input is split;
//   * a split never changes the outcome: status, bytes taken, error status,
//     method, target, version and the fields read back are the same;
//   * a head never exceeds max_head, Done heads have a tchar method, a
//     visible-ASCII target whose path() is a prefix, minor version 0..9, and
//     every field read back has no CR, LF or NUL and no blank at its ends;
//   * errors are 400, 431, 501 or 505 with a reason;
//   * check_ws_upgrade() says 0, 400, 403 or 426, and 0 only for a GET with
//     a 24-character key, whose accept key is 28 characters of base64.
//
// Input layout: byte 0 = max_head (64 + 32 * value), byte 1 = the seed of
// the split sizes, then the bytes of the connection.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "web/http_request.hpp"
#include "web/ws_handshake.hpp"

namespace {

using chatd::web::HttpRequestParser;
using Status = HttpRequestParser::Status;

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "fuzz_http: invariant violated: %s\n", what);
    std::abort();
  }
}

constexpr std::string_view kNames[] = {"Host", "Upgrade", "Connection", "Sec-WebSocket-Key",
                                       "Sec-WebSocket-Version", "Origin", "Content-Length", "X"};

// What one parsed head (or failure) looked like, for comparing two runs.
struct Outcome {
  Status status = Status::NeedMore;
  std::size_t taken = 0;
  int error_status = 0;
  std::string method, target;
  int minor = 0;
  std::vector<std::optional<std::string>> fields;
  int upgrade = 0;
  bool operator==(const Outcome&) const = default;
};

bool is_tchar(char c) {
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos || (c >= '0' && c <= '9') ||
         (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

void check_done(const HttpRequestParser& p, Outcome& o) {
  const std::string_view m = p.method();
  const std::string_view t = p.target();
  check(!m.empty(), "empty method");
  for (char c : m) check(is_tchar(c), "method not a token");
  check(!t.empty(), "empty target");
  for (char c : t) check(c > 0x20 && c < 0x7F, "target not visible ASCII");
  check(t.starts_with(p.path()), "path not a prefix of the target");
  check(p.minor_version() >= 0 && p.minor_version() <= 9, "minor version");
  o.method = m;
  o.target = t;
  o.minor = p.minor_version();
  for (std::string_view name : kNames) {
    const auto v = p.header(name);
    if (v) {
      check(v->find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos, "CR/LF/NUL in a field");
      check(v->empty() || (v->front() != ' ' && v->back() != ' ' && v->front() != '\t' && v->back() != '\t'),
            "field value not trimmed");
      o.fields.emplace_back(std::string(*v));
    } else {
      o.fields.emplace_back(std::nullopt);
    }
  }
  const std::string origins[] = {"http://localhost:8080"};
  const auto up = chatd::web::check_ws_upgrade(p, origins);
  check(up.status == 0 || up.status == 400 || up.status == 403 || up.status == 426, "upgrade status");
  check(up.status == 0 || !up.why.empty(), "upgrade refusal without a reason");
  if (up.status == 0) {
    check(m == "GET", "upgrade accepted for a non-GET");
    const auto key = p.header("Sec-WebSocket-Key");
    check(key && key->size() == 24, "upgrade accepted with a bad key");
    check(chatd::web::ws_accept_key(*key).size() == 28, "accept key length");
  }
  o.upgrade = up.status;
}

// Parses up to 8 pipelined heads from `in`, fed in pieces whose sizes come
// from `seed` (0 = whole). Returns one Outcome per head tried.
std::vector<Outcome> run(std::string_view in, std::size_t max_head, std::uint32_t seed) {
  std::vector<Outcome> out;
  HttpRequestParser p(max_head);
  std::uint32_t rng = seed * 2654435761u + 1;
  std::size_t pos = 0;
  for (int req = 0; req < 8 && pos < in.size(); ++req) {
    Outcome o;
    Status st = Status::NeedMore;
    while (st == Status::NeedMore && pos < in.size()) {
      std::size_t n = in.size() - pos;
      if (seed != 0) {
        rng ^= rng << 13;
        rng ^= rng >> 17;
        rng ^= rng << 5;
        n = std::min<std::size_t>(n, 1 + rng % 97);
      }
      std::size_t used = 12345;
      st = p.feed(std::span<const char>(in.data() + pos, n), used);
      check(used <= n, "took more than given");
      check(st != Status::NeedMore || used == n, "NeedMore without taking everything");
      pos += used;
      o.taken += used;
    }
    o.status = st;
    check(o.taken <= max_head, "head over max_head");
    if (st == Status::Done) {
      check_done(p, o);
    } else if (st == Status::Error) {
      const int e = p.error_status();
      check(e == 400 || e == 431 || e == 501 || e == 505, "error status");
      check(!p.error_reason().empty(), "error without a reason");
      o.error_status = e;
      out.push_back(o);
      break;
    }
    out.push_back(std::move(o));
    if (st != Status::Done) break;
    p.reset();
    check(p.held() <= 2 * max_head + 4096, "reset kept too much");
  }
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const std::size_t max_head = 64 + 32 * std::size_t{data[0]};
  const std::string_view in(reinterpret_cast<const char*>(data) + 2, size - 2);
  const auto whole = run(in, max_head, 0);
  const auto split = run(in, max_head, data[1] + 1u);
  check(whole == split, "a split changed the outcome");
  return 0;
}
