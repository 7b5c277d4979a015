#include "chat/server_log.hpp"

#include <fmt/format.h>

namespace chatd::chat {

std::string ServerLog::listening(std::string_view addr) const {
  if (lang_ == Lang::Pt) return fmt::format("Servidor rodando em {}", addr);
  return fmt::format("listening on {}", addr);
}

std::string ServerLog::new_connection(std::string_view ip, std::uint16_t port) const {
  if (lang_ == Lang::Pt) return fmt::format("Nova conexão de ('{}', {}) (aguardando apelido...)", ip, port);
  return fmt::format("new connection from {}:{} (waiting for nickname)", ip, port);
}

std::string ServerLog::registered(std::string_view nick, std::string_view ip, std::uint16_t port) const {
  if (lang_ == Lang::Pt) return fmt::format("Cliente conectado: {} (('{}', {}))", nick, ip, port);
  return fmt::format("client registered: {} ({}:{})", nick, ip, port);
}

std::string ServerLog::disconnected(std::string_view nick, std::string_view ip, std::uint16_t port,
                                    std::string_view reason) const {
  if (lang_ == Lang::Pt) return fmt::format("{} ('{}', {}) desconectou do chat.", nick, ip, port);
  return fmt::format("{} ({}:{}) disconnected: {}", nick, ip, port, reason);
}

}  // namespace chatd::chat
