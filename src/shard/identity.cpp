// Identity, the requester's side: logins, accounts, nickname changes,
// private messages and profiles for this shard's connections. Every step
// that needs someone else — the nickname's owner, the password hasher, the
// store — is a letter; the answers come back to the handlers below.
#include <spdlog/spdlog.h>

#include "chat/sanitize.hpp"
#include "io/clock.hpp"
#include "shard/shard_host.hpp"
#include "shard/store_service.hpp"

namespace chatd::shard {
namespace {

Envelope letter(Envelope::Kind kind, io::Token conn, AccountPurpose purpose = AccountPurpose::None) {
  Envelope e;
  e.kind = kind;
  e.conn = conn;
  e.purpose = static_cast<std::uint8_t>(purpose);
  return e;
}

AccountPurpose purpose_of(const Envelope& e) { return static_cast<AccountPurpose>(e.purpose); }

}  // namespace

unsigned Shard::auth_service() {
  const unsigned n = ctx_.auth_count;
  return ctx_.auth_first + (n > 1 ? next_auth_++ % n : 0);
}

// Counts a password attempt against the client's address and the account;
// false (and the session told) when either is over its limit.
bool Shard::admit_login(Connection& c, const std::string& folded) {
  return ctx_.login_throttle.admit("ip:" + c.ip, lim_.login_attempts_per_ip_minute, now_ms_) &&
         ctx_.login_throttle.admit("acct:" + folded, lim_.login_attempts_per_minute, now_ms_);
}

// ---------------------------------------------------------------- Host

// A refusal decided here is answered through our own mailbox, like any
// answer: the session is in the middle of a call and awaits a result.
void Shard::Host::refuse(AccountPurpose purpose, chat::AccountStatus status) {
  Envelope e = letter(Envelope::Kind::AuthResult, c_.token, purpose);
  e.account_status = status;
  s_.mailbox_.post(s_.index_, std::move(e));
}

void Shard::Host::check_password(std::string_view password) {
  if (!s_.admit_login(c_, chat::fold_case(c_.session.nick())))
    return refuse(AccountPurpose::Login, chat::AccountStatus::Throttled);
  Envelope e = letter(Envelope::Kind::AuthCheck, c_.token, AccountPurpose::Login);
  e.extra().hash = c_.account_scratch().login_hash;
  e.extra().password = Secret(password);
  s_.mailbox_.post(s_.auth_service(), std::move(e));
}

void Shard::Host::register_account(std::string_view password) {
  if (!s_.ctx_.login_throttle.admit("reg:" + c_.ip, s_.lim_.registrations_per_ip_minute, s_.now_ms_))
    return refuse(AccountPurpose::Register, chat::AccountStatus::Throttled);
  Envelope e = letter(Envelope::Kind::AuthHash, c_.token, AccountPurpose::Register);
  e.extra().password = Secret(password);
  s_.mailbox_.post(s_.auth_service(), std::move(e));
}

void Shard::Host::identify(std::string_view password) {
  c_.account_scratch().old_password = Secret(password);
  Envelope e = letter(Envelope::Kind::AccountAsk, c_.token, AccountPurpose::Identify);
  e.name = chat::fold_case(c_.session.nick());
  const unsigned to = s_.owner(e.name);
  s_.mailbox_.post(to, std::move(e));
}

void Shard::Host::change_password(std::string_view old_password, std::string_view new_password) {
  c_.account_scratch().old_password = Secret(old_password);
  c_.account_scratch().new_password = Secret(new_password);
  Envelope e = letter(Envelope::Kind::AccountAsk, c_.token, AccountPurpose::ChangePassword);
  e.name = chat::fold_case(c_.session.nick());
  const unsigned to = s_.owner(e.name);
  s_.mailbox_.post(to, std::move(e));
}

void Shard::Host::change_nick(std::string_view nick) {
  c_.account_scratch().old_nick = c_.session.nick();
  Envelope e = letter(Envelope::Kind::NickClaim, c_.token);
  e.ok = true;  // a rename: a registered nickname is refused, not offered a password
  e.name = chat::fold_case(nick);
  e.nick = std::string(nick);
  if (e.name == chat::fold_case(c_.session.nick())) {
    // Only the case changes: the nickname is ours already.
    e.kind = Envelope::Kind::NickResult;
    e.nick_status = chat::NickStatus::Ok;
    return s_.mailbox_.post(s_.index_, std::move(e));
  }
  const unsigned to = s_.owner(e.name);
  s_.mailbox_.post(to, std::move(e));
}

void Shard::Host::private_message(std::string_view to_nick, std::string_view text) {
  Envelope e = letter(Envelope::Kind::PmSend, c_.token);
  e.name = chat::fold_case(to_nick);
  e.nick = c_.session.nick();
  e.text = std::string(text);
  e.number = static_cast<std::uint64_t>(io::coarse_wall_ms());
  e.extra().account.nick = std::string(to_nick);
  const unsigned to = s_.owner(e.name);
  s_.mailbox_.post(to, std::move(e));
}

void Shard::Host::set_status(std::string_view text) {
  if (c_.session.identified()) {
    Envelope e = letter(Envelope::Kind::AccountSet, c_.token, AccountPurpose::Status);
    e.name = chat::fold_case(c_.session.nick());
    e.text = std::string(text);
    const unsigned to = s_.owner(e.name);
    s_.mailbox_.post(to, std::move(e));
  }
}

void Shard::Host::whois(std::string_view nick) {
  Envelope e = letter(Envelope::Kind::WhoisAsk, c_.token);
  e.name = chat::fold_case(nick);
  e.nick = std::string(nick);
  const unsigned to = s_.owner(e.name);
  s_.mailbox_.post(to, std::move(e));
}

// ---------------------------------------------------------------- answers

void Shard::on_nick_result(Envelope& e) {
  Connection* c = find(e.conn);
  if (!c || (e.ok && c->session.closed())) {
    // Gone. A first claim's release is already on the way (the session
    // sent it), but a /nick's new nickname is ours alone to free.
    if (e.ok && e.nick_status == chat::NickStatus::Ok) {
      Envelope r;
      r.kind = Envelope::Kind::NickRelease;
      r.conn = e.conn;
      r.name = e.name;
      const unsigned to = owner(r.name);
      mailbox_.post(to, std::move(r));
    }
    return;
  }
  Host h(*this, *c);
  if (e.ok) return on_rename_result(*c, e);
  if (e.nick_status == chat::NickStatus::NeedsPassword && e.payload) {
    c->account_scratch().login_hash = e.payload->hash;
    c->session.set_stored_status(e.payload->account.status);
  }
  c->session.nick_result(h, e.nick_status);
  if (c->session.registered() && conn_log_.admit(now_ms_))
    spdlog::info("{}", ctx_.log.registered(c->session.nick(), c->ip, c->port));
  if (c->session.identified()) after_login(*c);
  resume(*c);
}

void Shard::on_rename_result(Connection& c, Envelope& e) {
  Host h(*this, c);
  const std::string old_nick = std::move(c.account_scratch().old_nick);
  c.account_request.reset();
  c.session.nick_change_result(h, e.nick_status);
  if (e.nick_status == chat::NickStatus::Ok && chat::fold_case(old_nick) != e.name) {
    Envelope r;
    r.kind = Envelope::Kind::NickRelease;
    r.conn = c.token;
    r.name = chat::fold_case(old_nick);
    const unsigned to = owner(r.name);
    mailbox_.post(to, std::move(r));
  }
  if (e.nick_status == chat::NickStatus::Ok && c.session.in_room()) {
    Envelope u;
    u.kind = Envelope::Kind::MemberUpdate;
    u.conn = c.token;
    u.ok = true;
    u.room_id = c.session.room_id();
    u.nick = c.session.nick();
    u.text = old_nick;
    mailbox_.post(owner(c.session.room()), std::move(u));
  }
  resume(c);
}

void Shard::on_auth_result(Envelope& e) {
  Connection* c = find(e.conn);
  if (!c) return;
  Host h(*this, *c);
  const auto status = e.account_status;
  switch (purpose_of(e)) {
    case AccountPurpose::Login:
      c->session.password_result(h, status);
      if (!c->session.logging_in()) c->account_request.reset();  // in, or given up: the next try needs none
      if (c->session.registered() && conn_log_.admit(now_ms_))
    spdlog::info("{}", ctx_.log.registered(c->session.nick(), c->ip, c->port));
      if (c->session.identified()) after_login(*c);
      break;
    case AccountPurpose::Identify:
      c->session.account_result(h, status);
      if (c->session.identified()) after_login(*c);
      break;
    case AccountPurpose::Register:
    case AccountPurpose::ChangePassword: {
      if (!e.ok) {
        c->session.account_result(h, status);
        break;
      }
      // Hashed: the nickname's owner records it (and waits for the store).
      Envelope a;
      a.kind = purpose_of(e) == AccountPurpose::Register ? Envelope::Kind::AccountCreate : Envelope::Kind::AccountSet;
      a.purpose = e.purpose;
      a.conn = c->token;
      a.name = chat::fold_case(c->session.nick());
      a.nick = c->session.nick();
      a.extra().hash = std::move(e.extra().hash);
      const unsigned to = owner(a.name);
      mailbox_.post(to, std::move(a));
      return;  // still awaiting
    }
    default:
      break;
  }
  resume(*c);
}

void Shard::on_account_info(Envelope& e) {
  Connection* c = find(e.conn);
  if (!c) return;
  if (!e.ok) {
    c->account_request.reset();
    Host h(*this, *c);
    c->session.account_result(h, chat::AccountStatus::NotRegistered);
    return resume(*c);
  }
  if (!admit_login(*c, e.name)) {
    c->account_request.reset();
    Host h(*this, *c);
    c->session.account_result(h, chat::AccountStatus::Throttled);
    return resume(*c);
  }
  Envelope a;
  a.kind = Envelope::Kind::AuthCheck;
  a.purpose = e.purpose;
  a.conn = c->token;
  Payload& p = a.extra();
  p.hash = std::move(e.extra().account.password_hash);
  p.password = std::move(c->account_scratch().old_password);
  p.new_password = std::move(c->account_scratch().new_password);
  c->account_request.reset();
  if (purpose_of(e) == AccountPurpose::Identify) c->session.set_stored_status(e.extra().account.status);
  mailbox_.post(auth_service(), std::move(a));
}

void Shard::on_account_done(Envelope& e) {
  Connection* c = find(e.conn);
  if (!c) return;
  Host h(*this, *c);
  c->session.account_result(h, e.account_status);
  resume(*c);
}

// Logged in (at the nickname step or by /identify): what was kept for the
// account while it was away.
void Shard::after_login(Connection& c) {
  Envelope confirm;
  confirm.kind = Envelope::Kind::NickConfirm;
  confirm.conn = c.token;
  confirm.name = chat::fold_case(c.session.nick());
  const unsigned to = owner(confirm.name);
  mailbox_.post(to, std::move(confirm));
  Envelope e;
  e.kind = ctx_.cluster ? Envelope::Kind::ClusterPmsTake : Envelope::Kind::StorePms;
  e.conn = c.token;
  e.name = chat::fold_case(c.session.nick());
  mailbox_.post(ctx_.cluster ? ctx_.link_index : ctx_.store_index, std::move(e));
}

void Shard::on_pending_pms(Envelope& e) {
  Connection* c = find(e.conn);
  if (!c || !e.payload || e.payload->pms.empty()) return;
  for (const auto& pm : e.payload->pms) {
    chat::Event ev = chat::Event::of(chat::EventKind::PrivateFrom);
    ev.nick = pm.from_nick;
    ev.text = pm.text;
    ev.time_ms = pm.time_ms;
    emit(*c, ev);
  }
  if (ctx_.cluster) return;  // Redis emptied the queue as it answered
  Envelope d;
  d.kind = Envelope::Kind::StoreWrite;
  d.write = static_cast<std::uint8_t>(WriteKind::DeletePms);
  d.name = e.name;
  d.number = e.payload->pms.back().id;
  mailbox_.post(ctx_.store_index, std::move(d));
}

void Shard::on_pm_deliver(Envelope& e) {
  Connection* c = find(e.conn);
  if (!c) return;
  chat::Event ev = chat::Event::of(chat::EventKind::PrivateFrom);
  ev.nick = e.nick;
  ev.text = e.text;
  ev.time_ms = static_cast<std::int64_t>(e.number);
  emit(*c, ev);
}

void Shard::on_pm_result(Envelope& e) {
  Connection* c = find(e.conn);
  if (!c) return;
  const std::string& to = e.extra().account.nick;
  if (e.number == 2) {
    chat::Event ev = chat::Event::error_of(chat::ErrorCode::NoSuchNick);
    ev.nick = to;
    return emit(*c, ev);
  }
  chat::Event ev = chat::Event::of(e.number == 1 ? chat::EventKind::PrivateQueued : chat::EventKind::PrivateTo);
  ev.nick = to;
  ev.text = e.text;
  emit(*c, ev);
}

// The asked-about nickname is held here: add what only its shard knows.
void Shard::on_whois_local(Envelope& e) {
  Envelope r;
  r.kind = Envelope::Kind::WhoisInfo;
  r.conn = e.number;  // the asker
  r.ok = true;
  r.payload = std::move(e.payload);
  if (Connection* c = find(e.conn); c && c->session.registered()) {
    r.number = 1;  // online
    r.nick = c->session.nick();
    r.name = c->session.in_room() ? c->session.room() : std::string();
    r.text = c->session.status();
  }
  mailbox_.post(e.reply_shard, std::move(r));
}

void Shard::on_whois_info(Envelope& e) {
  Connection* c = find(e.conn);
  if (!c) return;
  const store::Account& a = e.extra().account;
  if (!e.ok) {
    chat::Event ev = chat::Event::error_of(chat::ErrorCode::NoSuchNick);
    ev.nick = e.nick;
    return emit(*c, ev);
  }
  chat::Event ev = chat::Event::of(chat::EventKind::Whois);
  ev.nick = !e.nick.empty() ? std::string_view(e.nick) : std::string_view(a.nick);
  ev.flag = e.number == 1;
  ev.room = e.name;
  ev.text = ev.flag ? std::string_view(e.text) : std::string_view(a.status);
  ev.number = static_cast<std::uint64_t>(a.created_ms);
  ev.time_ms = a.last_seen_ms;
  emit(*c, ev);
}

}  // namespace chatd::shard
