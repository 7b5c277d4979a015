// The Redis link: connections, pipelining, timeouts and reconnects, the
// pause notices, and the mail it takes from the shards. Rooms (sequencing,
// ordered delivery) are in redis_link_rooms.cpp; nicknames, presence, PMs
// and accounts in redis_link_users.cpp. Every reply is handled on this thread.
#include "shard/redis_link.hpp"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <random>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "cluster/keys.hpp"
#include "cluster/resp_command.hpp"
#include "shard/routing.hpp"

namespace chatd::shard {
namespace {

using cluster::lua::Script;
namespace keys = cluster::keys;

constexpr std::uint64_t kCommandTimeoutMs = 5000;  // a reply later than this: the connection is dropped
constexpr std::uint64_t kQueueMs = 10000;          // a command waiting longer for a connection fails
constexpr std::size_t kQueueMax = 100'000;
constexpr std::uint64_t kBackoffMaxMs = 5000;
constexpr io::Token kCmdSlot = 1, kSubSlot = 2;

// Connects within a second (the link thread waits: it serves no client, and
// a shard never waits on it). -1 with errno on failure.
int dial(const cluster::RedisUrl& url) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  if (::getaddrinfo(url.host.c_str(), std::to_string(url.port).c_str(), &hints, &res) != 0 || !res) {
    errno = EHOSTUNREACH;
    return -1;
  }
  int fd = ::socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    ::freeaddrinfo(res);
    return -1;
  }
  int rc = ::connect(fd, res->ai_addr, res->ai_addrlen);
  ::freeaddrinfo(res);
  if (rc != 0 && errno == EINPROGRESS) {
    pollfd p{fd, POLLOUT, 0};
    rc = ::poll(&p, 1, 1000) == 1 ? 0 : -1;
    int err = rc == 0 ? 0 : ETIMEDOUT;
    socklen_t len = sizeof err;
    if (rc == 0) ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0) {
      errno = err;
      rc = -1;
    }
  }
  if (rc != 0) {
    const int err = errno;
    ::close(fd);
    errno = err;
    return -1;
  }
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

}  // namespace

RedisLink::RedisLink(Mesh& mesh, unsigned index, Config cfg, const LiveLimits& limits)
    : ServiceThread(mesh, index, "chatd-redis"), cfg_(std::move(cfg)), limits_(limits) {
  for (auto s : cluster::lua::kAll) shas_.push_back(cluster::lua::sha1_hex(s));
}

unsigned RedisLink::owner(std::string_view key) const { return owner_of(key, cfg_.shards); }

std::string RedisLink::epoch_candidate() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  return fmt::format("{:x}{:x}", rng() & 0xffffffffffull, ++epoch_counter_);
}

// ---------------------------------------------------------------- connections

void RedisLink::connect(Conn& c, bool pubsub, std::uint64_t now_ms) {
  const int fd = dial(cfg_.url);
  if (fd < 0) {
    if (!down_reported_) {
      spdlog::error("cluster: cannot reach Redis at {}:{}: {}; retrying (members keep chatting on this node; "
                    "what cannot be published is reported to its sender)",
                    cfg_.url.host, cfg_.url.port, std::strerror(errno));
      down_reported_ = true;
    }
    backoff_ms_ = std::min(backoff_ms_ * 2, kBackoffMaxMs);
    (pubsub ? sub_retry_ms_ : cmd_retry_ms_) = now_ms + backoff_ms_;
    return;
  }
  c.token = io::make_token(pubsub ? kSubSlot : kCmdSlot, ++generation_);
  c.reader.emplace();
  c.out.clear();
  c.sending.clear();
  c.sent = 0;
  c.answered = false;
  reactor().add_connection(fd, c.token);
  stats_.reconnects.fetch_add(1, std::memory_order_relaxed);
  // Named, so that an operator (or a test) can tell this node's
  // connections in CLIENT LIST and kill just them.
  std::string client_name = fmt::format("chatd-{}-{}", cfg_.node, pubsub ? "sub" : "cmd");
  for (char& ch : client_name)
    if (ch <= ' ' || ch == 0x7f) ch = '_';
  if (pubsub) {
    cluster::append_command(c.out, {"CLIENT", "SETNAME", client_name});  // its +OK is not a pubsub message: ignored
  } else {
    send(c, {"CLIENT", "SETNAME", client_name}, nullptr);
  }
  if (cfg_.url.db != 0 && !pubsub) send(c, {"SELECT", std::to_string(cfg_.url.db)}, nullptr);
  if (pubsub) {
    // Every room followed here, again; each fetches what it missed once
    // its subscription is confirmed (subscribed()).
    for (auto& [name, room] : rooms_) room.subscribed = false;
    std::vector<std::string> args{"SUBSCRIBE", std::string(keys::kRoomsChannel), keys::node_channel(cfg_.node)};
    for (auto& [name, room] : rooms_) args.push_back(keys::room_channel(name));
    cluster::append_command(c.out, std::vector<std::string_view>(args.begin(), args.end()));
    reactor().want_send(c.token);
    spdlog::info("cluster: pubsub connected to Redis {}:{} as node '{}'", cfg_.url.host, cfg_.url.port, cfg_.node);
    return;
  }
  for (auto s : cluster::lua::kAll) send(c, {"SCRIPT", "LOAD", s}, nullptr);
  // Rooms created while this node was away (or before it started).
  send(c, {"ZRANGE", keys::kRoomOrder, "0", "-1"}, [this](const Reply* r) {
    if (!r || !r->is_array()) return;
    for (const Reply& name : r->elements) {
      Envelope a;
      a.kind = Envelope::Kind::ClusterRoomAdded;
      a.name = name.str;
      post(owner(a.name), std::move(a));
    }
  });
  backoff_ms_ = 100;
  down_reported_ = false;
  stats_.up.store(true, std::memory_order_relaxed);
  spdlog::info("cluster: connected to Redis {}:{}", cfg_.url.host, cfg_.url.port);
  // What waited for the connection goes now, in order.
  auto waiting = std::move(waiting_);
  waiting_.clear();
  for (auto& w : waiting) send(cmd_, w.args, std::move(w.done));
  next_check_ms_ = 0;
  next_refresh_ms_ = 0;
}

void RedisLink::lost(Conn& c, const char* why) {
  if (!c.up()) return;
  const bool pubsub = &c == &sub_;
  spdlog::warn("cluster: {} connection to Redis lost ({}); reconnecting", pubsub ? "pubsub" : "command", why);
  reactor().close(c.token);
  c.token = 0;
  c.out.clear();
  c.sending.clear();
  c.sent = 0;
  // Commands in flight have an unknown outcome: their senders hear that
  // they may not have been published.
  auto pending = std::move(c.pending);
  c.pending.clear();
  for (auto& p : pending)
    if (p.done) p.done(nullptr);
  if (!pubsub) stats_.up.store(false, std::memory_order_relaxed);
  (pubsub ? sub_retry_ms_ : cmd_retry_ms_) = now_ms_ + backoff_ms_;
}

void RedisLink::send(Conn& c, const std::vector<std::string>& args, std::function<void(const Reply*)> done) {
  if (!c.up()) {
    if (&c == &cmd_ && waiting_.size() < kQueueMax) {
      waiting_.push_back({now_ms_, args, std::move(done)});
    } else if (done) {
      done(nullptr);
    }
    return;
  }
  cluster::append_command(c.out, std::vector<std::string_view>(args.begin(), args.end()));
  c.pending.push_back({now_ms_ + kCommandTimeoutMs, std::move(done)});
  reactor().want_send(c.token);
}

void RedisLink::send(Conn& c, std::initializer_list<std::string_view> args, std::function<void(const Reply*)> done) {
  send(c, std::vector<std::string>(args.begin(), args.end()), std::move(done));
}

// EVALSHA; when Redis lost the script (NOSCRIPT: restarted or flushed), the
// same again as EVAL, and the scripts are loaded anew.
void RedisLink::script(Script s, std::vector<std::string> args, std::function<void(const Reply*)> done) {
  const auto i = static_cast<unsigned>(s);
  std::vector<std::string> cmd{"EVALSHA", shas_[i]};
  cmd.insert(cmd.end(), args.begin(), args.end());
  send(cmd_, cmd, [this, i, args = std::move(args), done = std::move(done)](const Reply* r) mutable {
    if (r && r->is_error() && r->str.rfind("NOSCRIPT", 0) == 0) {
      for (auto text : cluster::lua::kAll) send(cmd_, {"SCRIPT", "LOAD", text}, nullptr);
      std::vector<std::string> eval{"EVAL", std::string(cluster::lua::kAll[i])};
      eval.insert(eval.end(), args.begin(), args.end());
      return send(cmd_, eval, std::move(done));
    }
    if (r && r->is_error()) spdlog::warn("cluster: Redis refused a script: {}", r->str);
    if (done) done(r && !r->is_error() ? r : nullptr);
  });
}

void RedisLink::on_data(io::Token t, std::span<const char> bytes) {
  Conn& c = t == cmd_.token ? cmd_ : sub_;
  if (t != c.token) return;
  try {
    c.reader->feed(bytes);
    while (auto r = c.reader->next()) {
      c.answered = true;
      if (&c == &sub_) {
        on_pubsub(*r);
        continue;
      }
      if (c.pending.empty()) continue;  // nothing asked: ignore
      Pending p = std::move(c.pending.front());
      c.pending.pop_front();
      if (p.done) p.done(&*r);
      if (!c.up()) return;  // the handler dropped the connection
    }
  } catch (const cluster::RespError& e) {
    lost(c, e.what());
  }
}

void RedisLink::on_closed(io::Token t, int err) {
  if (t == cmd_.token) lost(cmd_, err ? std::strerror(err) : "closed by Redis");
  else if (t == sub_.token) lost(sub_, err ? std::strerror(err) : "closed by Redis");
}

std::size_t RedisLink::gather(io::Token t, std::span<iovec> out) {
  Conn& c = t == cmd_.token ? cmd_ : sub_;
  if (t != c.token || out.empty()) return 0;
  if (c.sent == c.sending.size()) {
    c.sending.clear();
    c.sent = 0;
    c.sending.swap(c.out);
  }
  if (c.sending.size() == c.sent) return 0;
  out[0] = {c.sending.data() + c.sent, c.sending.size() - c.sent};
  return 1;
}

void RedisLink::on_sent(io::Token t, std::size_t bytes) {
  Conn& c = t == cmd_.token ? cmd_ : sub_;
  if (t != c.token) return;
  c.sent += bytes;
  if (c.sent == c.sending.size() && !c.out.empty()) reactor().want_send(c.token);
}

int RedisLink::tick(std::uint64_t now_ms) {
  now_ms_ = now_ms;
  if (!cmd_.up() && now_ms >= cmd_retry_ms_) connect(cmd_, false, now_ms);
  if (!sub_.up() && now_ms >= sub_retry_ms_) connect(sub_, true, now_ms);
  // A reply overdue: Redis is stuck (or gone without a word).
  for (Conn* c : {&cmd_, &sub_})
    if (c->up() && !c->pending.empty() && now_ms > c->pending.front().deadline_ms) lost(*c, "reply timed out");
  notice_pause(now_ms);
  while (!waiting_.empty() && now_ms - waiting_.front().since_ms > kQueueMs) {
    auto w = std::move(waiting_.front());
    waiting_.pop_front();
    if (w.done) w.done(nullptr);
  }
  if (cmd_.up() && now_ms >= next_refresh_ms_) {
    next_refresh_ms_ = now_ms + std::max<std::uint64_t>(cfg_.lease_s * 1000ull / 3, 200);
    refresh();
  }
  if (cmd_.up() && now_ms >= next_check_ms_) {
    next_check_ms_ = now_ms + kCheckEveryMs;
    check_positions();
  }
  int wait = 100;
  if (!cmd_.up() || !sub_.up()) wait = 50;
  return wait;
}

// Members hear that chat across nodes is paused, and then that it resumed,
// by PauseRule: paused once the link has been down a second, resumed per
// room once the link is back and the room's gap is filled. The notices go
// through the room's owner, behind the room's deliveries.
void RedisLink::notice_pause(std::uint64_t now_ms) {
  const bool healthy = cmd_.up() && sub_.up() && cmd_.answered && sub_.answered;
  if (!healthy && pause_.healthy())  // an outage starts: each room is to be read again
    for (auto& [name, room] : rooms_) room.filled = false;
  pause_.link(healthy, now_ms);
  if (pause_.paused() || rooms_told_ > 0) {
    const std::size_t told_before = rooms_told_;
    for (auto& [name, room] : rooms_) {
      if (!room.positioned) continue;  // no member yet: nobody to tell
      const bool filled = room.filled && room.subscribed && !room.seq.fetching() && room.fetches == 0;
      switch (pause_.for_room(room.told_paused, filled)) {
        case cluster::PauseRule::Notice::None: continue;
        case cluster::PauseRule::Notice::Paused:
          room.told_paused = true;
          ++rooms_told_;
          break;
        case cluster::PauseRule::Notice::Resumed:
          room.told_paused = false;
          --rooms_told_;
          break;
      }
      Envelope n;
      n.kind = Envelope::Kind::ClusterPause;
      n.name = name;
      n.ok = room.told_paused;
      post(owner(name), std::move(n));
    }
    if (told_before == 0 && rooms_told_ > 0)
      spdlog::warn("cluster: Redis unreachable for {} ms or more: members of {} room(s) told that chat across "
                   "nodes is paused", cluster::PauseRule::kAfterMs, rooms_told_);
    else if (told_before > 0 && rooms_told_ == 0)
      spdlog::info("cluster: every room's gap is filled: members told that chat across nodes resumed");
  }
  stats_.paused.store(pause_.paused() || rooms_told_ > 0, std::memory_order_relaxed);
}

void RedisLink::drain() {
  for (auto& w : waiting_)
    if (w.done) w.done(nullptr);
  waiting_.clear();
}

// ---------------------------------------------------------------- mail

void RedisLink::handle(Envelope&& e) {
  using K = Envelope::Kind;
  switch (e.kind) {
    case K::ClusterWatch: return watch(e);
    case K::ClusterPublish: return publish(e);
    case K::ClusterCreate: return create(e);
    case K::ClusterNickClaim: return claim(e);
    case K::ClusterNickRelease: return release(e);
    case K::ClusterPmSend: return send_pm(e);
    case K::ClusterPmsTake: return take_pms(e);
    case K::ClusterAccountGet: return account_get(e);
    case K::ClusterAccountWrite: return account_write(e);
    default: return;
  }
}

}  // namespace chatd::shard
