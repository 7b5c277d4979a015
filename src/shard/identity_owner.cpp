// Identity, the owner's side: this shard owns some nicknames (by hash of
// the folded nickname) — who holds each one now, and which are registered
// accounts with their password hashes and profiles. Account changes are
// recorded here only once the store has committed them. With --cluster
// accounts live in Redis: a decision that needs one reads it again first
// (read_account_first), and changes go to the RedisLink, not the store.
#include "io/clock.hpp"
#include "shard/shard.hpp"
#include "shard/store_service.hpp"

namespace chatd::shard {
namespace {

Envelope answer(Envelope::Kind kind, const Envelope& request) {
  Envelope r;
  r.kind = kind;
  r.conn = request.conn;
  r.purpose = request.purpose;
  r.name = request.name;
  return r;
}

}  // namespace

// --cluster: hands the request to the link, which reads the account from
// Redis and sends the request back (own_cluster_account_fresh). True when
// the request went; false when it may be handled now.
bool Shard::read_account_first(Envelope& e) {
  if (!ctx_.cluster || account_fresh_) return false;
  e.write = static_cast<std::uint8_t>(e.kind);
  e.reply_shard = e.from;
  e.kind = Envelope::Kind::ClusterAccountGet;
  mailbox_.post(ctx_.link_index, std::move(e));
  return true;
}

// The account as Redis has it now (or, when Redis could not be read, as
// last seen here): the request goes on as on one node.
void Shard::own_cluster_account_fresh(Envelope& e) {
  if (e.account_status == chat::AccountStatus::Ok) {
    if (e.payload && e.payload->fresh)
      accounts_.put(std::move(*e.payload->fresh));
    else
      accounts_.erase(e.name);
  }
  if (e.payload) e.payload->fresh.reset();
  e.kind = static_cast<Envelope::Kind>(e.write);
  e.write = 0;
  e.from = e.reply_shard;
  e.reply_shard = 0;
  e.account_status = {};
  account_fresh_ = true;
  handle(std::move(e));
  account_fresh_ = false;
}

void Shard::own_nick_claim(Envelope& e) {
  if (read_account_first(e)) return;
  Envelope r = answer(Envelope::Kind::NickResult, e);
  r.ok = e.ok;  // a rename
  const store::Account* account = accounts_.find(e.name);
  if (account && e.ok) {
    r.nick_status = chat::NickStatus::Registered;
  } else if (!nicks_.claim(e.name, {e.from, e.conn, account == nullptr})) {
    r.nick_status = chat::NickStatus::Taken;
  } else if (ctx_.cluster) {
    // Unique on this node; now across nodes: a lease in Redis (SET NX),
    // for accounts too (one login per account across nodes).
    Envelope c = answer(Envelope::Kind::ClusterNickClaim, e);
    c.nick = e.nick;
    c.ok = e.ok;
    c.reply_shard = e.from;
    return mailbox_.post(ctx_.link_index, std::move(c));
  } else if (account) {
    // Held for this connection while it proves it owns the account.
    r.nick_status = chat::NickStatus::NeedsPassword;
    r.extra().hash = account->password_hash;
    r.extra().account.status = account->status;
  } else {
    r.nick_status = chat::NickStatus::Ok;
  }
  mailbox_.post(e.from, std::move(r));
}

void Shard::own_nick_release(Envelope& e) {
  if (!nicks_.release(e.name, {e.from, e.conn})) return;
  if (ctx_.cluster) {
    Envelope c;
    c.kind = Envelope::Kind::ClusterNickRelease;
    c.name = e.name;
    mailbox_.post(ctx_.link_index, std::move(c));
  }
  // A logged-in user left (quit, dropped, renamed): that is when it was
  // last seen.
  store::Account* a = accounts_.find(e.name);
  if (!a) return;
  a->last_seen_ms = io::coarse_wall_ms();
  Envelope w;
  w.kind = Envelope::Kind::StoreWrite;
  w.write = static_cast<std::uint8_t>(WriteKind::SetLastSeen);
  w.name = e.name;
  w.number = static_cast<std::uint64_t>(a->last_seen_ms);
  write_account(std::move(w));
}

// An account change to where accounts are kept: the store, or Redis.
void Shard::write_account(Envelope&& w) {
  if (!ctx_.cluster) return mailbox_.post(ctx_.store_index, std::move(w));
  w.kind = Envelope::Kind::ClusterAccountWrite;
  mailbox_.post(ctx_.link_index, std::move(w));
}

void Shard::own_nick_confirm(Envelope& e) { nicks_.confirm(e.name, {e.from, e.conn}); }

void Shard::own_account_ask(Envelope& e) {
  if (read_account_first(e)) return;
  Envelope r = answer(Envelope::Kind::AccountInfo, e);
  if (const store::Account* a = accounts_.find(e.name)) {
    r.ok = true;
    r.extra().account = *a;
  }
  mailbox_.post(e.from, std::move(r));
}

void Shard::own_account_create(Envelope& e) {
  if (read_account_first(e)) return;
  if (accounts_.find(e.name)) {
    Envelope r = answer(Envelope::Kind::AccountDone, e);
    r.account_status = chat::AccountStatus::AlreadyRegistered;
    return mailbox_.post(e.from, std::move(r));
  }
  Envelope w = answer(Envelope::Kind::StoreWrite, e);
  w.write = static_cast<std::uint8_t>(WriteKind::PutAccount);
  w.ok = true;  // acknowledge: recorded here, and answered, once committed
  w.reply_shard = e.from;
  w.nick = e.nick;
  const std::int64_t now = io::coarse_wall_ms();
  w.extra().account = store::Account{e.nick, e.name, std::move(e.extra().hash), now, {}, now};
  write_account(std::move(w));
}

void Shard::own_account_set(Envelope& e) {
  store::Account* a = accounts_.find(e.name);
  if (!a) return;  // not an account (any more): nothing to record
  Envelope w = answer(Envelope::Kind::StoreWrite, e);
  switch (static_cast<AccountPurpose>(e.purpose)) {
    case AccountPurpose::ChangePassword:
      w.write = static_cast<std::uint8_t>(WriteKind::SetPassword);
      w.ok = true;
      w.reply_shard = e.from;
      w.extra().hash = std::move(e.extra().hash);
      break;
    case AccountPurpose::Status:
      a->status = e.text;
      w.write = static_cast<std::uint8_t>(WriteKind::SetStatus);
      w.text = std::move(e.text);
      break;
    default:
      return;
  }
  write_account(std::move(w));
}

// The store committed (or refused) an account change this shard asked for.
void Shard::own_store_ack(Envelope& e) {
  if (e.account_status == chat::AccountStatus::Ok) {
    if (static_cast<AccountPurpose>(e.purpose) == AccountPurpose::Register)
      accounts_.put(std::move(e.extra().account));
    else if (store::Account* a = accounts_.find(e.name))
      a->password_hash = std::move(e.extra().hash);
  }
  Envelope r = answer(Envelope::Kind::AccountDone, e);
  r.account_status = e.account_status;
  mailbox_.post(e.reply_shard, std::move(r));
}

void Shard::own_pm_send(Envelope& e) {
  Envelope r = answer(Envelope::Kind::PmResult, e);
  r.text = e.text;
  r.payload = std::move(e.payload);  // the recipient's nick as typed
  if (const NickRegistry::Holder* h = nicks_.holder(e.name); h && h->confirmed) {
    Envelope d;
    d.kind = Envelope::Kind::PmDeliver;
    d.conn = h->conn;
    d.nick = e.nick;
    d.text = std::move(e.text);
    d.number = e.number;
    mailbox_.post(h->shard, std::move(d));
  } else if (ctx_.cluster) {
    // Held on another node, perhaps: its node's channel, through Redis;
    // else queued there for an account. The link answers the sender.
    Envelope c;
    c.kind = Envelope::Kind::ClusterPmSend;
    c.name = e.name;
    c.nick = std::move(e.nick);
    c.text = std::move(e.text);
    c.number = e.number;
    c.conn = e.conn;
    c.reply_shard = e.from;
    c.payload = std::move(r.payload);
    return mailbox_.post(ctx_.link_index, std::move(c));
  } else if (accounts_.find(e.name)) {
    Envelope q;
    q.kind = Envelope::Kind::StoreWrite;
    q.write = static_cast<std::uint8_t>(WriteKind::QueuePm);
    q.name = e.name;
    q.nick = std::move(e.nick);
    q.text = std::move(e.text);
    q.number = e.number;
    mailbox_.post(ctx_.store_index, std::move(q));
    r.number = 1;  // queued
  } else {
    r.number = 2;  // nobody
  }
  mailbox_.post(e.from, std::move(r));
}

void Shard::own_whois_ask(Envelope& e) {
  if (read_account_first(e)) return;
  const store::Account* a = accounts_.find(e.name);
  if (const NickRegistry::Holder* h = nicks_.holder(e.name); h && h->confirmed) {
    Envelope l;
    l.kind = Envelope::Kind::WhoisLocal;
    l.conn = h->conn;
    l.number = e.conn;
    l.reply_shard = e.from;
    if (a) l.extra().account = *a;
    return mailbox_.post(h->shard, std::move(l));
  }
  Envelope r = answer(Envelope::Kind::WhoisInfo, e);
  r.name.clear();  // no room: offline
  r.nick = e.nick;
  r.ok = a != nullptr;
  if (a) r.extra().account = *a;
  mailbox_.post(e.from, std::move(r));
}

}  // namespace chatd::shard
