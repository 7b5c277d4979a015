// The Redis link's rooms: following a room (subscribe, position), gap
// fills from the room's stream, ordered delivery through RoomSequence,
// publishing and creating. Runs on the link thread (see redis_link.cpp).
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "cluster/event_codec.hpp"
#include "cluster/keys.hpp"
#include "cluster/pm_text.hpp"
#include "cluster/resp_command.hpp"
#include "shard/redis_link.hpp"

namespace chatd::shard {
namespace {

using cluster::RoomEventKind;
using cluster::lua::Script;
using cluster::parse_pm;
namespace keys = cluster::keys;

constexpr std::size_t kRangeMax = 10000;  // entries per fetch (the script's COUNT)
constexpr std::size_t kPositionsPerScript = 256;  // rooms per periodic position check script

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

}  // namespace

void RedisLink::watch(Envelope& e) {
  auto [it, fresh] = rooms_.try_emplace(e.name);
  it->second.history = std::max<std::size_t>(it->second.history, e.number);
  watchers_[e.name].push_back(std::move(e));
  if (!fresh) {
    if (it->second.positioned) position(it->first);  // another asker: answer it too
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
  if (!it->second.positioned) return position(name);
  apply(name, it->second.seq.on_resubscribed());
}

void RedisLink::position(const std::string& name) {
  const std::size_t history = rooms_[name].history;
  script(Script::Position, {"2", keys::room_meta(name), keys::room_stream(name), std::to_string(history)},
         [this, name](const Reply* r) {
           auto it = rooms_.find(name);
           if (it == rooms_.end()) return;
           Room& room = it->second;
           const bool ok = r && r->is_array() && r->elements.size() == 4;
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
  auto step = it->second.seq.on_live(p->offset, p->epoch, std::string(p->blob));
  if (!step.fetch && !step.epoch_changed) it->second.heard_live = true;
  apply(name, std::move(step));
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

// Every room followed here that was quiet since the last check (a live
// event in order proves the position): its position, to catch a newest
// event lost on pubsub, many rooms per script. Then the sweep of members
// whose node died (one node a period runs it).
void RedisLink::check_positions() {
  std::vector<std::string> batch;
  for (auto& [name, room] : rooms_) {
    if (!room.positioned || !room.subscribed || room.seq.fetching()) continue;
    if (room.heard_live && room.filled) {
      room.heard_live = false;
      continue;
    }
    batch.push_back(name);
    if (batch.size() == kPositionsPerScript) check_positions(std::move(batch));
  }
  if (!batch.empty()) check_positions(std::move(batch));
  script(Script::Sweep,
         {"0", std::to_string(std::max<std::size_t>(cfg_.history_keep, 1)), epoch_candidate(),
          std::to_string(kCheckEveryMs * 9 / 10)},
         nullptr);
}

void RedisLink::check_positions(std::vector<std::string> names) {
  std::vector<std::string> args{std::to_string(names.size())};
  for (const std::string& n : names) args.push_back(keys::room_meta(n));
  script(Script::Positions, std::move(args), [this, names = std::move(names)](const Reply* r) {
    if (!r || !r->is_array() || r->elements.size() != names.size()) return;
    for (std::size_t i = 0; i < names.size(); ++i) {
      auto it = rooms_.find(names[i]);
      const Reply& at = r->elements[i];
      if (it == rooms_.end() || !at.is_array() || at.elements.size() != 2) continue;
      it->second.filled = true;
      apply(names[i], it->second.seq.on_position(static_cast<std::uint64_t>(at.elements[0].number()),
                                                 at.elements[1].str));
    }
  });
}

}  // namespace chatd::shard
