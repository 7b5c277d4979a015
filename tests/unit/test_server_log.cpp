// ServerLog: the server's log lines about clients; pt as the original's
// (the report's figures 3-4, checked end to end by tests/integration/replay.py).
#include <doctest/doctest.h>

#include "chat/server_log.hpp"

using chatd::chat::Lang;
using chatd::chat::ServerLog;

TEST_CASE("server log: Portuguese, as the original") {
  const ServerLog pt(Lang::Pt);
  CHECK(pt.listening("127.0.0.1:6789") == "Servidor rodando em 127.0.0.1:6789");
  CHECK(pt.new_connection("127.0.0.1", 58334) == "Nova conexão de ('127.0.0.1', 58334) (aguardando apelido...)");
  CHECK(pt.registered("Lari", "127.0.0.1", 58334) == "Cliente conectado: Lari (('127.0.0.1', 58334))");
  CHECK(pt.disconnected("Lari", "127.0.0.1", 58334, "quit") == "Lari ('127.0.0.1', 58334) desconectou do chat.");
}

TEST_CASE("server log: English, with the reason") {
  const ServerLog en(Lang::En);
  CHECK(en.listening("[::1]:6789") == "listening on [::1]:6789");
  CHECK(en.new_connection("10.0.0.1", 1) == "new connection from 10.0.0.1:1 (waiting for nickname)");
  CHECK(en.registered("Lari", "10.0.0.1", 1) == "client registered: Lari (10.0.0.1:1)");
  CHECK(en.disconnected("Lari", "10.0.0.1", 1, "flood") == "Lari (10.0.0.1:1) disconnected: flood");
}

TEST_CASE("server log: names are inserted verbatim") {
  const ServerLog pt(Lang::Pt);
  CHECK(pt.registered("{}{0}", "127.0.0.1", 2) == "Cliente conectado: {}{0} (('127.0.0.1', 2))");
}
