// The Redis link: connections, pipelining, timeouts and reconnects; room
// sequencing and ordered delivery (with RoomSequence); nick leases,
// presence and PMs. Every reply is handled on this thread.
#include "shard/redis_link.hpp"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <memory>
#include <random>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "cluster/event_codec.hpp"
#include "cluster/keys.hpp"
#include "cluster/resp_command.hpp"
#include "io/clock.hpp"
#include "shard/routing.hpp"
#include "shard/store_service.hpp"

namespace chatd::shard {
namespace {

using cluster::RoomEventKind;
using cluster::lua::Script;
namespace keys = cluster::keys;

constexpr std::uint64_t kCommandTimeoutMs = 5000;  // a reply later than this: the connection is dropped
constexpr std::uint64_t kQueueMs = 10000;          // a command waiting longer for a connection fails
constexpr std::size_t kQueueMax = 100'000;
constexpr std::uint64_t kBackoffMaxMs = 5000;
constexpr std::uint64_t kCheckEveryMs = 1000;      // position checks and the dead-node sweep
constexpr std::size_t kRangeMax = 10000;           // entries per fetch (the script's COUNT)
constexpr io::Token kCmdSlot = 1, kSubSlot = 2;

RoomEventKind to_wire(chat::EventKind k) {
  switch (k) {
    case chat::EventKind::Joined: return RoomEventKind::Joined;
    case chat::EventKind::Left: return RoomEventKind::Left;
    case chat::EventKind::Quit: return RoomEventKind::Quit;
    case chat::EventKind::TopicChanged: return RoomEventKind::Topic;
    case chat::EventKind::NickChanged: return RoomEventKind::NickChanged;
    default: return RoomEventKind::Message;
  }
}

chat::EventKind from_wire(RoomEventKind k) {
  switch (k) {
    case RoomEventKind::Joined: return chat::EventKind::Joined;
    case RoomEventKind::Left: return chat::EventKind::Left;
    case RoomEventKind::Quit: return chat::EventKind::Quit;
    case RoomEventKind::Topic: return chat::EventKind::TopicChanged;
    case RoomEventKind::NickChanged: return chat::EventKind::NickChanged;
    case RoomEventKind::Message: break;
  }
  return chat::EventKind::Message;
}

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

// A PM as published on a node's channel (and queued for an account):
// "<to length> <to><from length> <from><time ms> <text>".
struct PmText {
  std::string_view to, from, text;
  std::uint64_t time_ms = 0;
};

std::string format_pm(std::string_view to, std::string_view from, std::uint64_t time_ms, std::string_view text) {
  return fmt::format("{} {}{} {}{} {}", to.size(), to, from.size(), from, time_ms, text);
}

std::optional<PmText> parse_pm(std::string_view s) {
  auto field = [&s](std::string_view& out) {
    const auto sp = s.find(' ');
    if (sp == std::string_view::npos) return false;
    std::size_t n = 0;
    if (std::from_chars(s.data(), s.data() + sp, n).ec != std::errc() || n > s.size() - sp - 1) return false;
    out = s.substr(sp + 1, n);
    s.remove_prefix(sp + 1 + n);
    return true;
  };
  PmText p;
  if (!field(p.to) || !field(p.from)) return std::nullopt;
  const auto sp = s.find(' ');
  if (sp == std::string_view::npos) return std::nullopt;
  std::from_chars(s.data(), s.data() + sp, p.time_ms);
  p.text = s.substr(sp + 1);
  return p;
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

// ---------------------------------------------------------------- rooms

void RedisLink::watch(Envelope& e) {
  auto [it, fresh] = rooms_.try_emplace(e.name);
  it->second.history = std::max<std::size_t>(it->second.history, e.number);
  watchers_[e.name].push_back(std::move(e));
  if (!fresh) {
    if (it->second.positioned) position(it->first, true);  // another asker: answer it too
    return;
  }
  if (sub_.up()) {
    cluster::append_command(sub_.out, {"SUBSCRIBE", keys::room_channel(it->first)});
    reactor().want_send(sub_.token);
  }
}

// The subscription is live: from here on pubsub brings every new event, so
// the position read now is where delivery starts (or resumes).
void RedisLink::subscribed(const std::string& name) {
  auto it = rooms_.find(name);
  if (it == rooms_.end()) return;
  it->second.subscribed = true;
  if (!it->second.positioned) return position(name, true);
  apply(name, it->second.seq.on_resubscribed());
}

void RedisLink::position(const std::string& name, bool first) {
  const std::size_t history = first ? rooms_[name].history : 0;
  script(Script::Position, {"2", keys::room_meta(name), keys::room_stream(name), std::to_string(history)},
         [this, name, first](const Reply* r) {
           auto it = rooms_.find(name);
           if (it == rooms_.end()) return;
           Room& room = it->second;
           const bool ok = r && r->is_array() && r->elements.size() == 4;
           if (!first) {
             if (!ok) return;
             room.filled = true;
             apply(name, room.seq.on_position(static_cast<std::uint64_t>(r->elements[0].number()),
                                              r->elements[1].str));
             return;
           }
           auto waiting = std::move(watchers_[name]);
           watchers_.erase(name);
           if (ok && !room.positioned) {
             room.seq.reset(static_cast<std::uint64_t>(r->elements[0].number()), r->elements[1].str);
             room.positioned = true;
             room.filled = true;
           }
           for (Envelope& w : waiting) {
             Envelope a;
             a.kind = Envelope::Kind::ClusterWatched;
             a.name = name;
             a.ok = ok;
             if (ok) {
               a.text = r->elements[2].str;
               auto& events = a.extra().events;
               const auto& entries = r->elements[3].elements;
               for (auto e = entries.rbegin(); e != entries.rend(); ++e) {
                 if (e->elements.size() != 2 || e->elements[1].elements.size() != 2) continue;
                 auto off = cluster::offset_of_entry_id(e->elements[0].str);
                 auto v = cluster::decode_event(e->elements[1].elements[1].str);
                 if (!off || !v || v->kind != RoomEventKind::Message || *off > room.seq.last()) continue;
                 SharedEvent* ev = SharedEvent::create(chat::EventKind::Message, v->nick, name, v->text, v->time_ms);
                 ev->set_seq(*off);
                 events.emplace_back(ev);
               }
               const std::size_t want = w.number;
               if (events.size() > want)
                 events.erase(events.begin(), events.end() - static_cast<std::ptrdiff_t>(want));
             }
             post(w.from, std::move(a));
           }
         });
}

void RedisLink::fetch(const std::string& name, cluster::RoomSequence::Range range) {
  if (auto it = rooms_.find(name); it != rooms_.end()) ++it->second.fetches;
  const std::string to = range.to == cluster::RoomSequence::kOpenEnd ? "+" : fmt::format("{}-1", range.to);
  script(Script::Range, {"2", keys::room_meta(name), keys::room_stream(name), fmt::format("{}-1", range.from), to},
         [this, name, range](const Reply* r) {
           auto it = rooms_.find(name);
           if (it == rooms_.end()) return;
           --it->second.fetches;
           if (!r || !r->is_array() || r->elements.size() != 2) {
             it->second.filled = false;  // the next position check asks again
             return it->second.seq.on_fetch_failed();
           }
           it->second.filled = true;
           std::vector<cluster::RoomSequence::Entry> entries;
           for (const Reply& e : r->elements[1].elements) {
             if (e.elements.size() != 2 || e.elements[1].elements.size() != 2) continue;
             auto off = cluster::offset_of_entry_id(e.elements[0].str);
             if (off) entries.push_back({*off, e.elements[1].elements[1].str});
           }
           stats_.gaps_filled.fetch_add(1, std::memory_order_relaxed);
           auto asked = range;
           // A range bigger than one fetch: the rest is asked for by the next check.
           if (entries.size() >= kRangeMax && asked.to != cluster::RoomSequence::kOpenEnd)
             asked.to = entries.back().offset;
           apply(name, it->second.seq.on_range(r->elements[0].str, asked, std::move(entries)));
         });
}

// Hands a step's events to the room's owner, in order, then asks for what is missing.
void RedisLink::apply(const std::string& name, cluster::RoomSequence::Step step) {
  const unsigned to = owner(name);
  for (auto& item : step.deliver) {
    if (item.lost) {
      stats_.lost.fetch_add(1, std::memory_order_relaxed);
      spdlog::warn("cluster: room '{}': events from offset {} could not be recovered ({})", name, item.offset,
                   item.lost == cluster::RoomSequence::kUnknownLoss ? std::string("Redis lost the room's data")
                                                                    : fmt::format("{} trimmed", item.lost));
      Envelope l;
      l.kind = Envelope::Kind::ClusterLost;
      l.name = name;
      l.number = item.lost == cluster::RoomSequence::kUnknownLoss ? 0 : item.lost;
      post(to, std::move(l));
      continue;
    }
    auto v = cluster::decode_event(item.payload);
    if (!v) continue;
    Envelope d;
    d.kind = Envelope::Kind::ClusterDeliver;
    d.name = name;
    SharedEvent* ev = SharedEvent::create(from_wire(v->kind), v->nick, name, v->text, v->time_ms);
    ev->set_seq(item.offset);
    d.event = EventRef(ev);
    d.reply_shard = static_cast<std::uint16_t>(cfg_.shards);  // nobody to leave out...
    if (v->origin_node == cfg_.node) {  // ...unless the sender is here
      d.reply_shard = static_cast<std::uint16_t>(v->origin_shard);
      d.conn = v->origin_conn;
    }
    stats_.delivered.fetch_add(1, std::memory_order_relaxed);
    post(to, std::move(d));
  }
  if (step.fetch) fetch(name, *step.fetch);
}

void RedisLink::on_pubsub(const Reply& r) {
  if (!r.is_array() || r.elements.size() < 3) return;
  const std::string& type = r.elements[0].str;
  const std::string& channel = r.elements[1].str;
  if (type == "subscribe") {
    if (channel.rfind(keys::kRoomChannelPrefix, 0) == 0 && channel != keys::kRoomsChannel)
      subscribed(channel.substr(keys::kRoomChannelPrefix.size()));
    return;
  }
  if (type != "message") return;
  const std::string& msg = r.elements[2].str;
  if (channel == keys::kRoomsChannel) {
    const auto sp = msg.find(' ');
    if (sp == std::string::npos) return;
    Envelope a;
    a.kind = Envelope::Kind::ClusterRoomAdded;
    a.name = msg.substr(sp + 1);
    return post(owner(a.name), std::move(a));
  }
  if (channel == keys::node_channel(cfg_.node)) {
    auto pm = parse_pm(msg);
    if (!pm) return;
    Envelope p;
    p.kind = Envelope::Kind::ClusterPmIn;
    p.name = std::string(pm->to);
    p.nick = std::string(pm->from);
    p.number = pm->time_ms;
    p.text = std::string(pm->text);
    return post(owner(p.name), std::move(p));
  }
  if (channel.rfind(keys::kRoomChannelPrefix, 0) != 0) return;
  const std::string name = channel.substr(keys::kRoomChannelPrefix.size());
  auto it = rooms_.find(name);
  if (it == rooms_.end() || !it->second.positioned) return;  // its position read comes after
  auto p = cluster::decode_published(msg);
  if (!p) return;
  apply(name, it->second.seq.on_live(p->offset, p->epoch, std::string(p->blob)));
}

void RedisLink::publish(Envelope& e) {
  const chat::Event v = e.event->view();
  const RoomEventKind kind = to_wire(v.kind);
  const cluster::Origin origin{cfg_.node, e.reply_shard, e.conn};
  std::string blob = cluster::encode_event(kind, v.time_ms, v.nick,
                                           kind == RoomEventKind::NickChanged ? v.other : v.text, &origin);
  const std::string room(v.room);
  std::string other(kind == RoomEventKind::NickChanged ? v.other : v.text);
  // This node's members, for the presence it refreshes.
  switch (kind) {
    case RoomEventKind::Joined: presence_[room].insert(std::string(v.nick)); break;
    case RoomEventKind::Left:
    case RoomEventKind::Quit: presence_[room].erase(std::string(v.nick)); break;
    case RoomEventKind::NickChanged:
      presence_[room].erase(std::string(v.nick));
      presence_[room].insert(other);
      break;
    default: break;
  }
  std::function<void(const Reply*)> done;
  if (kind == RoomEventKind::Message) {
    done = [this, shard = e.reply_shard, conn = e.conn, text = std::string(v.text)](const Reply* r) {
      if (r) return stats_.published.fetch_add(1, std::memory_order_relaxed), void();
      stats_.publish_failures.fetch_add(1, std::memory_order_relaxed);
      Envelope f;
      f.kind = Envelope::Kind::ClusterFailed;
      f.conn = conn;
      f.text = text;
      post(shard, std::move(f));
    };
  }
  script(Script::Publish,
         {"3", keys::room_meta(room), keys::room_stream(room), keys::room_presence(room), keys::room_channel(room),
          std::move(blob), epoch_candidate(), std::to_string(std::max<std::size_t>(cfg_.history_keep, 1)),
          std::string(1, static_cast<char>(kind)), std::string(v.nick), std::move(other),
          std::to_string(cfg_.lease_s * 1000ull), room},
         std::move(done));
}

void RedisLink::create(Envelope& e) {
  script(Script::CreateRoom, {"0", e.name},
         [this, name = e.name, conn = e.conn, shard = e.reply_shard, from = e.from](const Reply* r) {
           Envelope a;
           a.kind = Envelope::Kind::ClusterCreated;
           a.name = name;
           a.conn = conn;
           a.reply_shard = shard;
           a.ok = r != nullptr;
           a.created = !r ? chat::CreateStatus::Limit
                          : r->number() > 0 ? chat::CreateStatus::Created : chat::CreateStatus::Exists;
           post(from, std::move(a));
         });
}

// Every room followed here: its position, to catch a newest event lost on
// pubsub; and the sweep of members whose node died.
void RedisLink::check_positions() {
  for (auto& [name, room] : rooms_)
    if (room.positioned && room.subscribed && !room.seq.fetching()) position(name, false);
  script(Script::Sweep, {"0", std::to_string(std::max<std::size_t>(cfg_.history_keep, 1)), epoch_candidate()},
         nullptr);
}

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
  for (auto& [room, members] : presence_) {
    if (members.empty()) continue;
    std::vector<std::string> args{"1", keys::room_presence(room), std::to_string(cfg_.lease_s * 1000ull), room};
    args.insert(args.end(), members.begin(), members.end());
    script(Script::RefreshPresence, std::move(args), nullptr);
  }
}

}  // namespace chatd::shard
