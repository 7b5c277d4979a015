// The Redis link's users: nickname leases, room presence, private messages
// (live on a node's channel, queued for an account) and accounts. Runs on
// the link thread (see redis_link.cpp).
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "cluster/keys.hpp"
#include "cluster/pm_text.hpp"
#include "shard/redis_link.hpp"
#include "shard/store_service.hpp"

namespace chatd::shard {
namespace {

using cluster::lua::Script;
using cluster::format_pm;
using cluster::parse_pm;

constexpr std::size_t kPresenceArgsPerScript = 4096;  // presence refreshes batch rooms up to about this many args
namespace keys = cluster::keys;

}  // namespace

// ---------------------------------------------------------------- nicknames, presence, PMs

void RedisLink::claim(Envelope& e) {
  std::vector<std::string> args{"SET", keys::nick(e.name), cfg_.node, "NX", "EX", std::to_string(cfg_.lease_s)};
  auto req = std::make_shared<Envelope>(std::move(e));
  send(cmd_, args, [this, req](const Reply* r) {
    Envelope a;
    a.kind = Envelope::Kind::ClusterNickClaimed;
    a.name = std::move(req->name);
    a.nick = std::move(req->nick);
    a.conn = req->conn;
    a.reply_shard = req->reply_shard;
    a.purpose = req->purpose;
    a.number = req->ok;                           // a rename
    a.ok = r && r->type == Reply::Type::Status;   // OK; nil when another node holds it
    if (a.ok) nicks_.insert(a.name);
    post(req->from, std::move(a));
  });
}

void RedisLink::release(Envelope& e) {
  nicks_.erase(e.name);
  script(Script::ReleaseNick, {"1", keys::nick(e.name), cfg_.node}, nullptr);
}

void RedisLink::send_pm(Envelope& e) {
  const std::string msg = format_pm(e.name, e.nick, e.number, e.text);
  std::vector<std::string> args{"3", keys::nick(e.name), keys::account(e.name), keys::queued_pms(e.name), msg};
  auto req = std::make_shared<Envelope>(std::move(e));
  script(Script::SendPm, std::move(args), [this, req](const Reply* r) {
    Envelope a;
    a.kind = Envelope::Kind::PmResult;
    a.conn = req->conn;
    a.name = std::move(req->name);
    a.text = std::move(req->text);
    a.payload = std::move(req->payload);
    const long long n = r ? r->number() : 0;
    a.number = n > 0 ? 0 : n < 0 ? 1 : 2;  // delivered, queued, or nobody holds it
    post(req->reply_shard, std::move(a));
  });
}

// Logged in: what was queued for the account, to the new session's shard.
void RedisLink::take_pms(Envelope& e) {
  script(Script::TakePms, {"1", keys::queued_pms(e.name)},
         [this, conn = e.conn, name = e.name, to = e.from](const Reply* r) {
           if (!r || !r->is_array() || r->elements.empty()) return;
           Envelope a;
           a.kind = Envelope::Kind::PendingPms;
           a.conn = conn;
           a.name = name;
           auto& pms = a.extra().pms;
           for (const Reply& item : r->elements) {
             auto pm = parse_pm(item.str);
             if (!pm) continue;
             pms.push_back({pms.size() + 1, name, std::string(pm->from), static_cast<std::int64_t>(pm->time_ms),
                            std::string(pm->text)});
           }
           post(to, std::move(a));
         });
}

// ---------------------------------------------------------------- accounts

// A nick owner's request that needs the account: read it, and send the
// request back with it (or, when Redis does not answer, without).
void RedisLink::account_get(Envelope& e) {
  auto req = std::make_shared<Envelope>(std::move(e));
  send(cmd_, {"HMGET", keys::account(req->name), "nick", "hash", "created", "status", "seen"},
       [this, req](const Reply* r) {
         Envelope& a = *req;
         const unsigned to = a.from;
         a.kind = Envelope::Kind::ClusterAccountFresh;
         const bool ok = r && r->is_array() && r->elements.size() == 5;
         a.account_status = ok ? chat::AccountStatus::Ok : chat::AccountStatus::Unavailable;
         if (ok && !r->elements[0].is_nil() && !r->elements[1].is_nil()) {
           const auto& f = r->elements;
           a.extra().fresh = store::Account{f[0].str, a.name, f[1].str, f[2].number(), f[3].str, f[4].number()};
         }
         post(to, std::move(a));
       });
}

// A StoreWrite of an account, made in Redis; the requester hears as from
// the store when it asked to (ok): a StoreAck with the same fields.
void RedisLink::account_write(Envelope& e) {
  std::vector<std::string> args{"1", keys::account(e.name)};
  switch (static_cast<WriteKind>(e.write)) {
    case WriteKind::PutAccount: {
      const store::Account& a = e.extra().account;
      args.insert(args.end(), {"c", a.nick, a.password_hash, std::to_string(a.created_ms),
                               std::to_string(a.last_seen_ms)});
      break;
    }
    case WriteKind::SetPassword: args.insert(args.end(), {"p", e.extra().hash}); break;
    case WriteKind::SetStatus: args.insert(args.end(), {"s", e.text}); break;
    case WriteKind::SetLastSeen: args.insert(args.end(), {"l", std::to_string(e.number)}); break;
    default: return;
  }
  const bool create = static_cast<WriteKind>(e.write) == WriteKind::PutAccount;
  std::function<void(const Reply*)> done;
  if (e.ok) {
    auto req = std::make_shared<Envelope>(std::move(e));
    done = [this, req, create](const Reply* r) {
      Envelope& a = *req;
      const unsigned to = a.from;
      a.kind = Envelope::Kind::StoreAck;
      a.account_status = !r                ? chat::AccountStatus::Unavailable
                         : r->number() > 0 ? chat::AccountStatus::Ok
                         : create          ? chat::AccountStatus::AlreadyRegistered
                                           : chat::AccountStatus::NotRegistered;
      post(to, std::move(a));
    };
  }
  script(Script::AccountWrite, std::move(args), std::move(done));
}

// Leases: this node's nicknames and room presence, again for a whole lease.
void RedisLink::refresh() {
  if (!nicks_.empty()) {
    std::vector<std::string> args{"0", cfg_.node, std::to_string(cfg_.lease_s)};
    for (const auto& n : nicks_) args.push_back(keys::nick(n));
    script(Script::RefreshNicks, std::move(args), nullptr);
  }
  // Many rooms per script: KEYS (the rooms' presence keys), then ARGV.
  std::vector<std::string> keys_part, argv_part;
  auto flush = [&] {
    if (keys_part.empty()) return;
    std::vector<std::string> args{std::to_string(keys_part.size())};
    args.insert(args.end(), std::make_move_iterator(keys_part.begin()), std::make_move_iterator(keys_part.end()));
    args.push_back(std::to_string(cfg_.lease_s * 1000ull));
    args.insert(args.end(), std::make_move_iterator(argv_part.begin()), std::make_move_iterator(argv_part.end()));
    script(Script::RefreshPresence, std::move(args), nullptr);
    keys_part.clear();
    argv_part.clear();
  };
  for (auto& [room, members] : presence_) {
    if (members.empty()) continue;
    keys_part.push_back(keys::room_presence(room));
    argv_part.push_back(room);
    argv_part.push_back(std::to_string(members.size()));
    argv_part.insert(argv_part.end(), members.begin(), members.end());
    if (argv_part.size() >= kPresenceArgsPerScript) flush();
  }
  flush();
}

}  // namespace chatd::shard
