#include "shard/auth_service.hpp"

#include <spdlog/spdlog.h>

#include "store/password.hpp"

namespace chatd::shard {

void AuthService::handle(Envelope&& e) {
  if (e.kind != Envelope::Kind::AuthCheck && e.kind != Envelope::Kind::AuthHash) return;
  Envelope r;
  r.kind = Envelope::Kind::AuthResult;
  r.purpose = e.purpose;
  r.conn = e.conn;
  r.name = std::move(e.name);
  r.nick = std::move(e.nick);
  Payload& in = e.extra();
  Payload& out = r.extra();
  try {
    if (e.kind == Envelope::Kind::AuthHash) {
      out.hash = store::hash_password(in.password.view());
      r.ok = true;
    } else {
      r.ok = store::verify_password(in.hash, in.password.view());
      if (r.ok && !in.new_password.view().empty()) out.hash = store::hash_password(in.new_password.view());
    }
    r.account_status = r.ok ? chat::AccountStatus::Ok : chat::AccountStatus::WrongPassword;
  } catch (const std::exception& err) {
    spdlog::error("auth: password hashing failed: {}", err.what());
    r.ok = false;
    r.account_status = chat::AccountStatus::Unavailable;
  }
  done_.fetch_add(1, std::memory_order_relaxed);
  post(e.from, std::move(r));
}

}  // namespace chatd::shard
