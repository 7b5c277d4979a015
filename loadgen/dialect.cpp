#include "dialect.hpp"

#include <fmt/format.h>

#include <iterator>

namespace chatd::loadgen {

std::unique_ptr<Dialect> make_chatd_dialect();
std::unique_ptr<Dialect> make_irc_dialect();
std::unique_ptr<Dialect> make_redis_dialect();

void Dialect::make_nick(std::string& out, std::string_view prefix, unsigned thread, std::uint32_t id) const {
  fmt::format_to(std::back_inserter(out), "{}{}-{}", prefix, thread, id);
}

std::unique_ptr<Dialect> make_dialect(Proto p) {
  switch (p) {
    case Proto::Chatd: return make_chatd_dialect();
    case Proto::Irc: return make_irc_dialect();
    case Proto::Redis: return make_redis_dialect();
  }
  return make_chatd_dialect();
}

}  // namespace chatd::loadgen
