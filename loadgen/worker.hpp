#pragma once
// One load-generator thread: its own reactor, its share of the clients,
// their connects (on its own epoll), protocol, sends and bookkeeping.
#include <cstdint>
#include <deque>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "connector.hpp"
#include "counters.hpp"
#include "dialect.hpp"
#include "histogram.hpp"
#include "io/reactor.hpp"
#include "plan.hpp"
#include "seq_tracker.hpp"
#include "shared_state.hpp"
#include "tls_client.hpp"

namespace chatd::loadgen {

class Worker final : public io::ReactorHandler {
 public:
  Worker(unsigned index, const Plan& plan, SharedState& shared, std::unique_ptr<io::Reactor> reactor);
  ~Worker() override;
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // The thread body: returns when the controller sets Phase::Done.
  void run();
  io::Reactor& reactor() { return *reactor_; }

 private:
  enum class Role : std::uint8_t { Member, Slow, Churner, Publisher };
  enum class State : std::uint8_t { Idle, Connecting, Handshake, Joined, Quitting, Closed };

  struct Client {
    std::uint32_t slot = 0;
    std::uint32_t gen = 0;
    std::uint32_t id = 0;     // members [0, clients); churners above; publishers: pool index
    std::uint32_t room = 0;
    std::uint32_t seq = 0;    // next message number
    std::uint64_t received = 0;  // deliveries to this reader
    Role role = Role::Member;
    State state = State::Idle;
    bool in_reactor = false;
    int fd = -1;  // owned by the reactor while in_reactor; kept for the slow members' reopen
    bool want = false;         // want_send issued, gather not yet called
    bool reader_counted = false;
    bool close_requested = false;
    bool setup_pending = false;  // counts toward in-flight setup
    std::uint64_t t0_ns = 0;   // connect start; churners: join time
    std::uint64_t t_reg_ns = 0;  // registered (welcome; Redis: connected)
    std::size_t inflight_bytes = 0;
    std::size_t off = 0;
    std::string sending;       // gathered by the reactor; stable until on_sent
    std::string pending;       // appended while a send is in flight
    Wire wire;
    SeqTracker seqs;
    std::unique_ptr<TlsClient> tls;  // --tls: `pending` is plaintext, `sending` ciphertext
  };
  class Sink;

  // ReactorHandler
  void on_accept(int fd, const sockaddr_storage& peer, std::uint32_t tag) override;
  void on_accept_error(int) override {}
  void on_data(io::Token t, std::span<const char> bytes) override;
  void on_closed(io::Token t, int err) override;
  std::size_t gather(io::Token t, std::span<iovec> out) override;
  void on_sent(io::Token t, std::size_t bytes) override;
  void on_wake() override {}

  static io::Token token(const Client& c) { return io::make_token(c.slot, c.gen); }
  Client* lookup(io::Token t);
  Client& new_client(Role role, std::uint32_t id);

  // Phases.
  void enter(Phase p, std::uint64_t now);
  void enter_run(std::uint64_t now);
  void enter_reopen();
  void enter_quit(std::uint64_t now);
  void abandon_setup();
  void finish_quit();

  // Connections.
  void start_setup(std::uint64_t now);
  void start_connect(Client& c, std::uint64_t now);
  void on_connect_done(std::uint64_t key, Fd fd, int err);
  void connected(Client& c, Fd fd);
  void connect_failed(Client& c, int err);
  void close_client(Client& c);
  void setup_finished(Client& c);
  // --tls: decrypts `bytes` into tls_plain_; false when the session failed
  // (the client is closed then).
  bool tls_open(Client& c, std::span<const char> bytes);
  void tls_failed(Client& c, std::string_view why);
  void refill(Client& c);  // the next block to send, from `pending`

  // Protocol events (through Sink).
  void registered(Client& c);
  void joined(Client& c);
  void failed(Client& c, Stage stage, std::string_view why);
  void delivery(Client& c, std::string_view text);
  void queue(Client& c, std::string_view bytes);
  void arm(Client& c);

  // Load.
  void send_message(Client& sender, std::uint64_t stamp_ns);
  void drive_sends(std::uint64_t now);
  void drive_churn(std::uint64_t now);
  int timeout_ms(std::uint64_t now) const;
  void publish(std::uint64_t now, bool force);
  void note_error(std::string_view what);

  unsigned index_;
  const Plan& plan_;
  const Config& cfg_;
  SharedState& shared_;
  WorkerReport& report_;
  std::unique_ptr<io::Reactor> reactor_;
  Connector connector_;
  std::unique_ptr<TlsClientContext> tls_;  // --tls
  std::string tls_plain_;                  // decrypted input of the current on_data
  Phase phase_ = Phase::Setup;

  // Addressed by slot (members_, senders_, ... hold slots). Not an
  // io::SlotTable: a closed client keeps its record for the end-of-run
  // accounting, and only churner slots are reused (reset in place, next
  // generation).
  std::deque<Client> clients_;
  std::vector<std::uint32_t> free_slots_;
  std::vector<std::uint32_t> members_;     // slots, in start order
  std::vector<std::uint32_t> publishers_;  // slots
  std::vector<std::uint32_t> senders_;     // slots of members that send
  std::vector<std::uint32_t> holding_;     // churners in their room
  std::size_t next_start_ = 0;             // into setup_order_
  std::vector<std::uint32_t> setup_order_; // publishers first, then members
  std::size_t next_sender_ = 0;
  unsigned inflight_limit_ = 1;
  unsigned inflight_ = 0;
  std::size_t setup_left_ = 0;
  std::uint64_t open_ = 0;

  std::uint64_t measure_start_ns_ = 0;
  std::uint64_t send_end_ns_ = 0;
  std::uint64_t next_send_ns_ = 0;
  std::uint64_t send_interval_ns_ = 0;
  std::uint64_t next_churn_ns_ = 0;
  std::uint64_t churn_interval_ns_ = 0;
  std::uint64_t churn_hold_ns_ = 0;
  std::uint32_t churn_count_ = 0;
  std::uint64_t quit_deadline_ns_ = 0;
  bool sending_ = false;
  bool send_done_ = false;
  bool quit_done_ = false;

  std::uint64_t now_ns_ = 0;  // clock at the current on_data
  std::uint64_t last_publish_ns_ = 0;
  std::uint64_t last_hist_publish_ns_ = 0;
  Counters counters_;
  Histogram latency_;
  Histogram setup_;
  Histogram register_;  // connect start → registered
  Histogram join_;      // registered (join request sent) → joined
  std::uint64_t last_join_ns_ = 0;
  std::string first_error_;
  std::string nick_;
  std::string payload_;
};

}  // namespace chatd::loadgen
