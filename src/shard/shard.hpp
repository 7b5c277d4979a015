#pragma once
// One shard: a thread, its reactor, its connections, its slice of rooms and
// nicknames, and its end of the mail mesh.
//
// Where each job lives:
//   shard.cpp        the loop, timers, shutdown, and mail dispatch
//   connection.cpp   accepting, reading, the input pump and its stash, flood control
//   output.cpp       queueing output, sending, and a connection's end (finish,
//                    disconnect, reap, destroy)
//   session_host.cpp what a Session asks of its shard (Shard::Host)
//   room_owner.cpp   the owner's side: nicknames, room creation, joins, leaves,
//                    sequencing and fan-out
//   room_member.cpp  the member's side: delivery to local members, answers
//                    from owners
//   room_extras.cpp  history, topics and member lists
//   identity.cpp     logins, accounts, /nick, private messages, /whois (requester)
//   identity_owner.cpp  the nickname owner's side of the same
//   mailbox.cpp      the queues between shards and the wake handshake
//   web_connection.cpp  HTTP, the WebSocket upgrade, frames, pings
//   tls_connection.cpp  TLS sessions: handshakes, decrypting in, encrypting out
#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "io/reactor.hpp"
#include "io/slot_table.hpp"
#include "shard/bootstrap.hpp"
#include "shard/connection.hpp"
#include "shard/connection_log.hpp"
#include "shard/envelope.hpp"
#include "shard/mailbox.hpp"
#include "shard/room_registry.hpp"
#include "shard/server_context.hpp"
#include "shard/shared_text.hpp"
#include "shard/timer_queue.hpp"
#include "web/http_response.hpp"

namespace chatd::shard {

// A listening socket as a shard adds it to its reactor. Plain value.
struct ShardListener {
  int fd;
  ListenerKind kind;
};

// Everything a shard's thread touches is here; other threads only call
// wake(), inbox_depth() and stats().
class Shard final : public io::ReactorHandler {
 public:
  Shard(ServerContext& ctx, unsigned index, std::unique_ptr<io::Reactor> reactor,
        std::vector<ShardListener> listeners);
  ~Shard() override;

  // Before the thread starts: what the store remembered (see Bootstrap).
  void bootstrap(ShardBootstrap&& b);

  void run();  // the shard thread's body; returns after a clean stop
  void wake() { reactor_->wake(); }
  const ShardStats& stats() const { return stats_; }
  std::size_t inbox_depth() const { return mailbox_.inbound_depth(); }
  unsigned index() const { return index_; }
  std::string_view backend() const { return reactor_->name(); }

  // ReactorHandler
  void on_accept(int fd, const sockaddr_storage& peer, std::uint32_t tag) override;
  void on_accept_error(int err) override;
  void on_data(io::Token t, std::span<const char> bytes) override;
  void on_closed(io::Token t, int err) override;
  void on_peer_hangup(io::Token t) override;
  std::size_t gather(io::Token t, std::span<iovec> out) override;
  void on_sent(io::Token t, std::size_t bytes) override;
  void on_wake() override {}
  bool has_pending_work() const override { return !doomed_.empty() || !slow_.empty() || mailbox_.has_local_mail(); }

 private:
  class Host;
  // Members of one room on this shard.
  struct LocalRoom {
    std::vector<std::uint32_t> members;  // connection slots
    std::array<std::uint32_t, chat::kDialectCount> speakers{};  // members per dialect
  };

  // connection.cpp
  Connection* find(io::Token t);
  void start_line_session(Connection& c);
  void pump(Connection& c, std::span<const char> input);
  void hold(Connection& c, std::span<const char> input);
  void pipeline_join(Connection& c, std::span<const char>& input);
  void resume(Connection& c);
  void end_input(Connection& c);
  void throttle(Connection& c);
  void flush_idle_line(Connection& c);

  // tls_connection.cpp
  bool start_tls(Connection& c, ListenerKind kind);
  void tls_input(Connection& c, std::span<const char> bytes);
  void tls_ready(Connection& c);
  void encrypt_pending(Connection& c);
  void flush_tls(Connection& c, bool notify);
  void close_tls(Connection& c);
  void tls_handshake_timeout(Connection& c);

  // web_connection.cpp
  void start_web(Connection& c);
  void web_input(Connection& c, std::span<const char> bytes);
  void serve_request(Connection& c);
  void respond(Connection& c, int status, std::string_view type, std::string_view body,
               std::span<const web::HttpHeader> extra, bool keep_alive);
  void send_raw(Connection& c, std::string_view bytes, bool keep_alive);
  void queue_bytes(Connection& c, std::string_view bytes);
  void upgrade(Connection& c);
  void websocket_input(Connection& c, std::span<const char> bytes);
  void send_close_frame(Connection& c);
  void web_ping(Connection& c);
  void web_idle(Connection& c);
  std::uint64_t ping_interval_ms() const;

  // output.cpp
  void queue_text(Connection& c, LocalText* l);
  bool output_idle(const Connection& c) const;
  void emit(Connection& c, const chat::Event& e);
  void finish(Connection& c);
  void disconnect(Connection& c, chat::ErrorCode why, const char* reason);
  void doom(Connection& c);
  void reap();
  void drop_slow(Connection& c);
  void destroy(Connection& c);
  std::size_t unsent(const Connection& c) const;
  void give_memory_back();

  // room_owner.cpp
  void own_create(Envelope& e);
  void own_join(Envelope& e);
  void own_leave(Envelope& e);
  void own_publish(Envelope& e);
  void fan_out(RoomRegistry::Room& room, EventRef event, io::Token exclude, unsigned exclude_shard);
  void announce(RoomRegistry::Room& room, chat::EventKind kind, std::string_view nick, io::Token exclude,
                unsigned exclude_shard);
  void deliver_local(RoomRegistry::Room& room, EventRef event, io::Token exclude, unsigned exclude_shard);
  void record(RoomRegistry::Room& room, const EventRef& event);
  RoomRegistry::Room* add_room(const std::string& name);

  // room_cluster.cpp (--cluster: the owner <-> this node's RedisLink)
  void own_cluster_watched(Envelope& e);
  void own_cluster_deliver(Envelope& e);
  void own_cluster_notice(Envelope& e, Envelope::Kind to_members);
  void own_cluster_created(Envelope& e);
  void own_cluster_room_added(Envelope& e);
  void own_cluster_nick_claimed(Envelope& e);
  void own_cluster_pm_in(Envelope& e);
  bool read_account_first(Envelope& e);
  void own_cluster_account_fresh(Envelope& e);
  void on_cluster_failed(Envelope& e);
  void on_room_notice(Envelope& e);

  // room_extras.cpp
  void own_history_ask(Envelope& e);
  void own_topic_ask(Envelope& e);
  void own_members_ask(Envelope& e);
  void own_member_update(Envelope& e);
  void on_history_batch(Envelope& e);
  void show_history(Connection& c, const std::vector<EventRef>& events);
  void on_topic_info(Envelope& e);
  void on_members_info(Envelope& e);

  // identity_owner.cpp
  void own_nick_claim(Envelope& e);
  void own_nick_release(Envelope& e);
  void own_nick_confirm(Envelope& e);
  void own_account_ask(Envelope& e);
  void own_account_create(Envelope& e);
  void own_account_set(Envelope& e);
  void own_store_ack(Envelope& e);
  void own_pm_send(Envelope& e);
  void own_whois_ask(Envelope& e);
  void write_account(Envelope&& w);

  // identity.cpp
  unsigned auth_service();
  bool admit_login(Connection& c, const std::string& folded);
  void on_nick_result(Envelope& e);
  void on_rename_result(Connection& c, Envelope& e);
  void on_auth_result(Envelope& e);
  void on_account_info(Envelope& e);
  void on_account_done(Envelope& e);
  void after_login(Connection& c);
  void on_pending_pms(Envelope& e);
  void on_pm_deliver(Envelope& e);
  void on_pm_result(Envelope& e);
  void on_whois_local(Envelope& e);
  void on_whois_info(Envelope& e);

  // room_member.cpp
  void deliver(Envelope& e);
  LocalText* render_shared(chat::DialectId d, const chat::Event& e);
  void add_member(Connection& c, std::uint32_t room_id);
  void remove_member(Connection& c);
  void on_create_result(Envelope& e);
  void on_join_result(Envelope& e);

  // shard.cpp
  void handle(Envelope&& e);
  void on_timer(io::Token t, TimerKind kind);
  void refresh_limits();
  void resume_accepting_when_due();  // after EMFILE/ENFILE paused accepting
  // Accepted sockets inherit TCP_NODELAY and the keepalive options from
  // their listener: set there once (again when tcp-keepalive is reloaded),
  // not with six setsockopt calls per accepted connection.
  void tune_listeners();
  // A reload that lands while the loop waits is applied before the client
  // data that woke it: whoever saw "reload" logged sees the new values.
  void catch_up_limits() {
    if (ctx_.live.generation() != limits_generation_) refresh_limits();
  }
  int next_timeout_ms() const;
  void begin_shutdown();
  void hand_over_mail();
  bool shutdown_done() const;
  unsigned owner(std::string_view key) const;

  ServerContext& ctx_;
  const unsigned index_;
  std::unique_ptr<io::Reactor> reactor_;
  std::vector<ShardListener> listeners_;
  Mailbox mailbox_;

  io::SlotTable<Connection> conns_;
  std::vector<std::uint32_t> doomed_;  // slots to destroy at the end of the pass
  std::vector<std::uint32_t> slow_;    // slots over max-outbuf, dropped at the end of the pass

  RoomRegistry rooms_;                  // rooms this shard owns
  std::unordered_map<std::string, std::vector<Envelope>> cluster_joins_;  // waiting for the room's position
  NickRegistry nicks_;                  // nicknames this shard owns
  AccountBook accounts_;                // the registered ones among them (--cluster: a cache of Redis)
  bool account_fresh_ = false;          // --cluster: the request being handled has just read its account
  unsigned next_auth_ = 0;              // round robin over the hashing threads
  // /who answers being put together, by asking connection.
  struct WhoGather {
    struct Member {
      std::uint64_t joined_at;
      std::string nick, status;
    };
    std::string room;
    unsigned waiting = 0;  // shards yet to answer
    std::vector<Member> members;
  };
  std::unordered_map<io::Token, WhoGather> who_;
  RoomCatalog catalog_;                 // every room, for /rooms
  std::vector<LocalRoom> local_rooms_;  // by room id: members on this shard
  LocalTextPool texts_;
  std::string scratch_;  // rendering buffer, reused
  std::string frame_header_;  // a WebSocket frame's header for scratch_
  std::string ws_lines_;      // lines decoded from one read of a WebSocket client
  std::string tls_plain_;     // bytes decrypted from one read of a TLS client

  ConnectionLog conn_log_;  // new / registered / gone lines: --log-connections, rate-limited
  TimerQueue timers_;
  Limits lim_{};                              // this pass's snapshot of the live limits
  std::uint64_t limits_generation_ = 0;       // LiveLimits::generation() of lim_
  unsigned listener_keepalive_s_ = ~0u;       // tcp-keepalive the listeners carry (~0u: not yet set)
  std::uint64_t listeners_retuned_ms_ = 0;    // when that last changed after start-up
  std::uint64_t accept_paused_until_ms_ = 0;  // after EMFILE/ENFILE
  std::uint64_t now_ms_ = 0;
  std::uint64_t last_trim_ms_ = 0;  // malloc_trim, at most once a second (output.cpp)
  bool trim_wanted_ = false;       // big output was sent or dropped since
  std::uint64_t stop_deadline_ms_ = 0;
  bool stopping_ = false;
  ShardStats stats_;
};

}  // namespace chatd::shard
