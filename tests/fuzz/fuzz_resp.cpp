// libFuzzer over src/cluster's RESP reader wrapper and event codec: bytes as
// Redis might send them, cut into chunks at places the input chooses.
// Invariants: no crash, leak or unbounded allocation; a reply read in one
// piece is the same read in chunks; whatever decodes re-encodes to the same.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cluster/event_codec.hpp"
#include "cluster/resp_reader.hpp"

using namespace chatd::cluster;

namespace {

bool same(const RespValue& a, const RespValue& b) {
  if (a.type != b.type || a.str != b.str || a.integer != b.integer || a.elements.size() != b.elements.size())
    return false;
  for (std::size_t i = 0; i < a.elements.size(); ++i)
    if (!same(a.elements[i], b.elements[i])) return false;
  return true;
}

// Every reply until the input ends or the protocol breaks.
std::vector<RespValue> read_all(std::string_view data, std::size_t chunk, bool& broke) {
  RespReader r;
  std::vector<RespValue> out;
  broke = false;
  try {
    for (std::size_t i = 0; i < data.size(); i += chunk) {
      r.feed({data.data() + i, std::min(chunk, data.size() - i)});
      while (auto v = r.next()) out.push_back(std::move(*v));
    }
  } catch (const RespError&) {
    broke = true;
  }
  return out;
}

void codec(std::string_view s) {
  if (auto v = decode_event(s)) {
    Origin o{std::string(v->origin_node), v->origin_shard, v->origin_conn};
    const std::string again = encode_event(v->kind, v->time_ms, v->nick, v->text, v->origin_node.empty() ? nullptr : &o);
    auto w = decode_event(again);
    if (!w || w->nick != v->nick || w->text != v->text || w->time_ms != v->time_ms) __builtin_trap();
  }
  if (auto p = decode_published(s)) codec(p->blob);
  (void)offset_of_entry_id(s);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t chunk = 1 + data[0] % 16;
  const std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  bool broke_whole = false, broke_chunked = false;
  const auto whole = read_all(in, in.size() + 1, broke_whole);
  const auto chunked = read_all(in, chunk, broke_chunked);
  // Chunking changes nothing up to the first error.
  const std::size_t n = std::min(whole.size(), chunked.size());
  if (!broke_whole && !broke_chunked && whole.size() != chunked.size()) __builtin_trap();
  for (std::size_t i = 0; i < n; ++i)
    if (!same(whole[i], chunked[i])) __builtin_trap();
  for (const auto& v : whole) {
    codec(v.str);
    for (const auto& e : v.elements) codec(e.str);
  }
  codec(in);
  return 0;
}
