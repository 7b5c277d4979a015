#include "dialect.hpp"

#include <fmt/format.h>

#include <iterator>

namespace chatd::loadgen {

std::unique_ptr<Dialect> make_chatd_dialect();
std::unique_ptr<Dialect> make_irc_dialect();
std::unique_ptr<Dialect> make_redis_dialect();
std::unique_ptr<Dialect> make_ws_dialect(const Config& cfg);

void Dialect::make_nick(std::string& out, std::string_view prefix, unsigned thread, std::uint32_t id) const {
  fmt::format_to(std::back_inserter(out), "{}{}-{}", prefix, thread, id);
}

std::unique_ptr<Dialect> make_dialect(const Config& cfg) {
  switch (cfg.proto) {
    case Proto::Chatd: return make_chatd_dialect();
    case Proto::Irc: return make_irc_dialect();
    case Proto::Redis: return make_redis_dialect();
    case Proto::Ws: return make_ws_dialect(cfg);
  }
  return make_chatd_dialect();
}

}  // namespace chatd::loadgen
