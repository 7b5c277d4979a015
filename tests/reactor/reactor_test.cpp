// Both reactor backends against real loopback TCP sockets: every case runs
// for epoll and io_uring (io_uring cases are skipped, with the probe's
// reason, where the kernel or a seccomp policy refuses it).
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "io/accept_policy.hpp"
#include "io/reactor.hpp"
#include "io/socket.hpp"
#include "io/uring_setup.hpp"

using namespace chatd::io;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

// ---- backends -------------------------------------------------------------

struct EpollBackend {
  static constexpr const char* name = "epoll";
  static bool available(std::string&) { return true; }
  static std::unique_ptr<Reactor> make(const ReactorConfig& cfg) { return make_epoll_reactor(cfg); }
};

struct UringBackend {
  static constexpr const char* name = "io_uring";
  static bool available(std::string& why) {
    static const BackendProbe probe = [] {
      BackendProbe p = probe_uring();
      if (p.uring_ok) MESSAGE("io_uring available: " << uring_setup_summary());
      return p;
    }();
    why = probe.why_not;
    return probe.uring_ok;
  }
  static std::unique_ptr<Reactor> make(const ReactorConfig& cfg) { return make_uring_reactor(cfg); }
};

#define SKIP_UNLESS_AVAILABLE(B)                                    \
  do {                                                              \
    std::string why_;                                               \
    if (!B::available(why_)) {                                      \
      MESSAGE((std::string("skipping the ") + B::name + " case: " + why_)); \
      return;                                                       \
    }                                                               \
  } while (0)

// ---- the owner side -------------------------------------------------------

struct ConnState {
  std::string in;                // everything on_data delivered, in order
  std::deque<std::string> out;   // pending output; elements never move
  std::size_t out_off = 0;       // bytes of out.front() already sent
  std::size_t gathered = 0;      // bytes handed out by the last gather
  std::size_t sent_total = 0;
  std::size_t short_writes = 0;
  sockaddr_storage peer{};
  bool reading = true;
  int closed_count = 0;
  int err = -1;
};

// Records everything and checks the contract: no callback for a token after
// close(), no on_data while paused, on_closed at most once, on_sent never
// more than gathered.
class TestHandler final : public ReactorHandler {
 public:
  explicit TestHandler(Reactor& r) : r_(r) {}

  bool echo = false;
  std::function<void(int fd)> accept_hook;                          // before add_connection
  std::function<void(Token, std::span<const char>)> data_hook;      // after recording
  std::function<void(int err)> on_accept_error_hook;
  std::map<Token, ConnState> conns;
  std::vector<Token> accepted;
  std::vector<int> accept_errors;
  std::atomic<int> wakes{0};

  void on_accept(int fd, const sockaddr_storage& peer, std::uint32_t) override {
    if (accept_hook) accept_hook(fd);
    std::uint32_t slot;
    if (!free_slots_.empty()) {
      slot = free_slots_.back();  // reuse slots: exercises stale-completion checks
      free_slots_.pop_back();
    } else {
      slot = next_slot_++;
    }
    const Token t = make_token(slot, ++gen_);
    conns[t].peer = peer;
    accepted.push_back(t);
    r_.add_connection(fd, t);
  }
  void on_accept_error(int err) override {
    accept_errors.push_back(err);
    if (on_accept_error_hook) on_accept_error_hook(err);
  }

  void on_data(Token t, std::span<const char> bytes) override {
    REQUIRE_MESSAGE(!released_.count(t), "on_data after close()");
    auto& c = conns.at(t);
    CHECK_MESSAGE(c.reading, "on_data while paused");
    CHECK_MESSAGE(c.closed_count == 0, "on_data after on_closed");
    CHECK(!bytes.empty());
    c.in.append(bytes.data(), bytes.size());
    if (echo) send(t, std::string(bytes.data(), bytes.size()));
    if (data_hook) data_hook(t, bytes);
  }

  void on_closed(Token t, int err) override {
    REQUIRE_MESSAGE(!released_.count(t), "on_closed after close()");
    auto& c = conns.at(t);
    ++c.closed_count;
    CHECK_MESSAGE(c.closed_count == 1, "on_closed called twice");
    c.err = err;
  }

  std::size_t gather(Token t, std::span<iovec> out) override {
    REQUIRE_MESSAGE(!released_.count(t), "gather after close()");
    auto& c = conns.at(t);
    std::size_t n = 0;
    c.gathered = 0;
    std::size_t off = c.out_off;
    for (auto it = c.out.begin(); it != c.out.end() && n < out.size(); ++it) {
      out[n].iov_base = const_cast<char*>(it->data() + off);
      out[n].iov_len = it->size() - off;
      c.gathered += out[n].iov_len;
      off = 0;
      ++n;
    }
    return n;
  }

  void on_sent(Token t, std::size_t bytes) override {
    REQUIRE_MESSAGE(!released_.count(t), "on_sent after close()");
    auto& c = conns.at(t);
    CHECK(bytes <= c.gathered);
    if (bytes < c.gathered) ++c.short_writes;
    c.sent_total += bytes;
    while (bytes > 0) {
      const std::size_t left = c.out.front().size() - c.out_off;
      if (bytes < left) {
        c.out_off += bytes;
        break;
      }
      bytes -= left;
      c.out.pop_front();
      c.out_off = 0;
    }
  }

  void on_wake() override { wakes.fetch_add(1); }

  // Owner actions, mirrored into the recorded state.
  void send(Token t, std::string s) {
    conns.at(t).out.push_back(std::move(s));
    r_.want_send(t);
  }
  void pause(Token t, bool on) {
    conns.at(t).reading = on;
    r_.set_reading(t, on);
  }
  void close(Token t) {
    r_.close(t);
    released_.insert(t);
    free_slots_.push_back(token_slot(t));
  }
  bool released(Token t) const { return released_.count(t) != 0; }
  std::size_t pending_out(Token t) const {
    std::size_t n = 0;
    for (const auto& s : conns.at(t).out) n += s.size();
    return n - conns.at(t).out_off;
  }

 private:
  Reactor& r_;
  std::set<Token> released_;
  std::vector<std::uint32_t> free_slots_;
  std::uint32_t next_slot_ = 0;
  std::uint32_t gen_ = 0;
};

// ---- sockets --------------------------------------------------------------

struct Server {
  std::unique_ptr<Reactor> reactor;
  UniqueFd listener;
  std::uint16_t port = 0;
  std::unique_ptr<TestHandler> h;

  explicit Server(std::unique_ptr<Reactor> r) : reactor(std::move(r)) {
    REQUIRE(reactor);
    auto addr = parse_address("127.0.0.1:0", nullptr);
    REQUIRE(addr);
    listener = open_listener(*addr, false, 1024);
    sockaddr_in sin{};
    socklen_t len = sizeof sin;
    REQUIRE(::getsockname(listener.get(), reinterpret_cast<sockaddr*>(&sin), &len) == 0);
    port = ntohs(sin.sin_port);
    h = std::make_unique<TestHandler>(*reactor);
    reactor->add_listener(listener.get(), 0);
  }

  // Runs the loop until `pred` holds; false when `limit` passed first.
  template <class Pred>
  bool pump(Pred pred, std::chrono::milliseconds limit = 10s) {
    const auto deadline = Clock::now() + limit;
    while (!pred()) {
      if (Clock::now() > deadline) return false;
      reactor->run_once(*h, 5);
    }
    return true;
  }
  // Runs the loop for `d` regardless.
  void run_for(std::chrono::milliseconds d) {
    const auto end = Clock::now() + d;
    while (Clock::now() < end) reactor->run_once(*h, 5);
  }
};

UniqueFd connect_to(std::uint16_t port, bool nonblocking = true) {
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  REQUIRE(fd);
  sockaddr_in sin{};
  sin.sin_family = AF_INET;
  sin.sin_port = htons(port);
  sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::connect(fd.get(), reinterpret_cast<sockaddr*>(&sin), sizeof sin) == 0);
  if (nonblocking) ::fcntl(fd.get(), F_SETFL, ::fcntl(fd.get(), F_GETFL) | O_NONBLOCK);
  return fd;
}

// Usable from helper threads (no doctest assertions); false on error.
bool try_write_all(int fd, std::string_view s) {
  while (!s.empty()) {
    ssize_t n = ::send(fd, s.data(), s.size(), MSG_NOSIGNAL);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
      std::this_thread::sleep_for(1ms);
      continue;
    }
    if (n <= 0) return false;
    s.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}
void write_all(int fd, std::string_view s) { REQUIRE(try_write_all(fd, s)); }

// Joins a helper thread on every exit path; `unblock` first makes it return
// (e.g. shuts its socket down) when the test bails out early.
class Joiner {
 public:
  Joiner(std::thread& t, std::function<void()> unblock) : t_(t), unblock_(std::move(unblock)) {}
  ~Joiner() {
    if (!t_.joinable()) return;
    unblock_();
    t_.join();
  }
  Joiner(const Joiner&) = delete;
  Joiner& operator=(const Joiner&) = delete;

 private:
  std::thread& t_;
  std::function<void()> unblock_;
};

// Appends what a non-blocking socket has now; false on EOF or error.
bool read_some(int fd, std::string& acc) {
  char buf[65536];
  for (;;) {
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n > 0) {
      acc.append(buf, static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return true;
    return false;
  }
}

std::size_t open_fds() {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator("/proc/self/fd")) ++n;
  return n;
}

// Lowers RLIMIT_NOFILE so that exactly `spare` more descriptors can be
// opened (fds are allocated lowest first); restores it on release().
class FdSqueeze {
 public:
  explicit FdSqueeze(int spare) {
    REQUIRE(::getrlimit(RLIMIT_NOFILE, &old_) == 0);
    const int probe_fd = ::dup(0);  // the lowest free descriptor
    REQUIRE(probe_fd >= 0);
    ::close(probe_fd);
    rlimit tight = old_;
    tight.rlim_cur = static_cast<rlim_t>(probe_fd + spare);
    REQUIRE(::setrlimit(RLIMIT_NOFILE, &tight) == 0);
  }
  ~FdSqueeze() { release(); }
  FdSqueeze(const FdSqueeze&) = delete;
  FdSqueeze& operator=(const FdSqueeze&) = delete;
  void release() {
    if (std::exchange(released_, true)) return;
    ::setrlimit(RLIMIT_NOFILE, &old_);
  }

 private:
  rlimit old_{};
  bool released_ = false;
};

void reset_on_close(int fd) {
  linger lg{1, 0};
  REQUIRE(::setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg) == 0);
}

// Distinct, position-dependent bytes so loss, duplication or reordering
// cannot go unnoticed.
std::string pattern(std::size_t n, unsigned seed) {
  std::string s(n, '\0');
  std::uint32_t x = seed * 2654435761U + 1;
  for (std::size_t i = 0; i < n; ++i) {
    x = x * 1103515245U + 12345U;
    s[i] = static_cast<char>('a' + (x >> 16) % 26);
  }
  return s;
}

}  // namespace

// ---------------------------------------------------------------------------

TEST_CASE_TEMPLATE("accept a connection and echo through gather/on_sent", B, EpollBackend,
                   UringBackend) {
  SKIP_UNLESS_AVAILABLE(B);
  Server s(B::make({}));
  s.h->echo = true;
  UniqueFd c = connect_to(s.port);
  write_all(c.get(), "hello, reactor\n");
  std::string got;
  REQUIRE(s.pump([&] { return read_some(c.get(), got) && got.size() >= 15; }));
  CHECK(got == "hello, reactor\n");
  REQUIRE(s.h->accepted.size() == 1);

  // The peer address is the client's own address.
  sockaddr_in mine{};
  socklen_t len = sizeof mine;
  ::getsockname(c.get(), reinterpret_cast<sockaddr*>(&mine), &len);
  const auto& peer = s.h->conns.at(s.h->accepted[0]).peer;
  REQUIRE(peer.ss_family == AF_INET);
  CHECK(reinterpret_cast<const sockaddr_in&>(peer).sin_port == mine.sin_port);
}

TEST_CASE_TEMPLATE("many connections at once", B, EpollBackend, UringBackend) {
  SKIP_UNLESS_AVAILABLE(B);
  Server s(B::make({}));
  s.h->echo = true;
  constexpr int kClients = 300;
  std::vector<UniqueFd> clients;
  std::vector<std::string> want, got(kClients);
  for (int i = 0; i < kClients; ++i) {
    clients.push_back(connect_to(s.port));
    want.push_back("client " + std::to_string(i) + " " + pattern(200 + i, i) + "\n");
    write_all(clients.back().get(), want.back());
  }
  REQUIRE(s.pump([&] {
    bool done = true;
    for (int i = 0; i < kClients; ++i) {
      read_some(clients[i].get(), got[i]);
      done = done && got[i].size() >= want[i].size();
    }
    return done;
  }));
  for (int i = 0; i < kClients; ++i) CHECK(got[i] == want[i]);
  CHECK(s.h->accepted.size() == kClients);
}

TEST_CASE_TEMPLATE("large writes to a slow reader: short writes, nothing lost", B, EpollBackend,
                   UringBackend) {
  SKIP_UNLESS_AVAILABLE(B);
  Server s(B::make({}));
  // A small send buffer makes short writes certain.
  s.h->accept_hook = [](int fd) {
    int sz = 64 * 1024;
    ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof sz);
  };
  UniqueFd c = connect_to(s.port, false);
  REQUIRE(s.pump([&] { return !s.h->accepted.empty(); }));
  const Token t = s.h->accepted[0];

  // 100 chunks of 40 KiB: more than one gather's worth of iovecs.
  constexpr std::size_t kChunk = 40 * 1024, kChunks = 100;
  std::string all = pattern(kChunk * kChunks, 7);
  for (std::size_t i = 0; i < kChunks / 2; ++i) s.h->send(t, all.substr(i * kChunk, kChunk));

  std::string got;
  std::atomic<bool> reader_done{false};
  std::thread reader([&] {
    timeval tv{10, 0};
    ::setsockopt(c.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    char buf[16384];
    while (got.size() < all.size()) {
      ssize_t n = ::recv(c.get(), buf, sizeof buf, 0);
      if (n <= 0) break;
      got.append(buf, static_cast<std::size_t>(n));
      if (got.size() % (256 * 1024) < sizeof buf) std::this_thread::sleep_for(2ms);  // slow
    }
    reader_done = true;
  });
  Joiner join_reader(reader, [&] { ::shutdown(c.get(), SHUT_RDWR); });
  // Queue the second half while sends are in flight (want_send during a send).
  REQUIRE(s.pump([&] { return s.h->conns.at(t).sent_total > 0; }));
  for (std::size_t i = kChunks / 2; i < kChunks; ++i)
    s.h->send(t, all.substr(i * kChunk, kChunk));
  REQUIRE(s.pump([&] { return reader_done.load(); }, 20s));
  reader.join();
  CHECK(got.size() == all.size());
  CHECK(got == all);
  const auto& cs = s.h->conns.at(t);
  CHECK(cs.sent_total == all.size());
  CHECK(cs.short_writes > 0);
  CHECK(s.h->pending_out(t) == 0);
}

TEST_CASE_TEMPLATE("more output pieces than one gather takes, all written in full", B,
                   EpollBackend, UringBackend) {
  SKIP_UNLESS_AVAILABLE(B);
  // Hundreds of small pieces: every send completes in full (no short
  // write), yet one gather (64 or 128 iovecs) cannot take them all.
  Server s(B::make({}));
  UniqueFd c = connect_to(s.port);
  REQUIRE(s.pump([&] { return !s.h->accepted.empty(); }));
  const Token t = s.h->accepted[0];
  std::string want;
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 300; ++i) {
      std::string piece = "line " + std::to_string(round) + "." + std::to_string(i) + "\n";
      want += piece;
      s.h->send(t, std::move(piece));
    }
    s.reactor->run_once(*s.h, 0);  // a turn between bursts: sends in flight
  }
  std::string got;
  REQUIRE(s.pump([&] { return read_some(c.get(), got) && got.size() >= want.size(); }));
  CHECK(got == want);
  CHECK(s.h->pending_out(t) == 0);
}

TEST_CASE_TEMPLATE("set_reading pause and resume lose nothing", B, EpollBackend, UringBackend) {
  SKIP_UNLESS_AVAILABLE(B);
  Server s(B::make({}));
  UniqueFd c = connect_to(s.port, false);
  REQUIRE(s.pump([&] { return !s.h->accepted.empty(); }));
  const Token t = s.h->accepted[0];

  // More than loopback's socket buffers hold, so a pause must push back.
  const std::string all = pattern(24 * 1024 * 1024, 3);
  std::thread writer([&] { try_write_all(c.get(), all); });
  Joiner join_writer(writer, [&] { ::shutdown(c.get(), SHUT_RDWR); });

  SUBCASE("one long pause") {
    REQUIRE(s.pump([&] { return !s.h->conns.at(t).in.empty(); }));
    s.h->pause(t, false);
    // Paused: no on_data (checked by the handler) while the peer keeps writing.
    s.run_for(300ms);
    const std::size_t at_pause = s.h->conns.at(t).in.size();
    CHECK(at_pause < all.size());  // TCP pushed back
    s.h->pause(t, true);
  }
  SUBCASE("pause on every chunk, resume on the next turn") {
    s.h->data_hook = [&](Token tok, std::span<const char>) { s.h->pause(tok, false); };
  }
  const bool ok = s.pump(
      [&] {
        if (!s.h->conns.at(t).reading) s.h->pause(t, true);
        return s.h->conns.at(t).in.size() >= all.size();
      },
      30s);
  REQUIRE(ok);
  writer.join();
  CHECK(s.h->conns.at(t).in == all);
}

TEST_CASE_TEMPLATE("peer EOF gives on_closed(t, 0); output still flows", B, EpollBackend,
                   UringBackend) {
  SKIP_UNLESS_AVAILABLE(B);
  Server s(B::make({}));
  UniqueFd c = connect_to(s.port);
  write_all(c.get(), "last words");
  ::shutdown(c.get(), SHUT_WR);
  REQUIRE(s.pump([&] {
    return !s.h->accepted.empty() && s.h->conns.at(s.h->accepted[0]).closed_count > 0;
  }));
  const Token t = s.h->accepted[0];
  CHECK(s.h->conns.at(t).in == "last words");
  CHECK(s.h->conns.at(t).err == 0);

  // Half-closed: the reply still reaches the peer, then close() ends it.
  s.h->send(t, "goodbye\n");
  std::string got;
  REQUIRE(s.pump([&] { return read_some(c.get(), got) && got.size() >= 8; }));
  CHECK(got == "goodbye\n");
  s.h->close(t);
  REQUIRE(s.pump([&] { return !read_some(c.get(), got); }));  // our close reached the peer
  s.run_for(50ms);
  CHECK(s.h->conns.at(t).closed_count == 1);
}

TEST_CASE_TEMPLATE("peer RST gives on_closed with an error, once", B, EpollBackend,
                   UringBackend) {
  SKIP_UNLESS_AVAILABLE(B);
  Server s(B::make({}));
  SUBCASE("idle connection") {
    UniqueFd c = connect_to(s.port);
    REQUIRE(s.pump([&] { return !s.h->accepted.empty(); }));
    reset_on_close(c.get());
    c.reset();
  }
  SUBCASE("while a large send is in flight") {
    UniqueFd c = connect_to(s.port);
    REQUIRE(s.pump([&] { return !s.h->accepted.empty(); }));
    const Token t = s.h->accepted[0];
    for (int i = 0; i < 64; ++i) s.h->send(t, pattern(64 * 1024, i));
    REQUIRE(s.pump([&] { return s.h->conns.at(t).sent_total > 0; }));
    s.run_for(20ms);
    reset_on_close(c.get());
    c.reset();
  }
  const Token t = s.h->accepted.at(0);
  REQUIRE(s.pump([&] { return s.h->conns.at(t).closed_count > 0; }));
  s.run_for(50ms);
  CHECK(s.h->conns.at(t).closed_count == 1);
  CHECK(s.h->conns.at(t).err != 0);
  MESSAGE((std::string(B::name) + " reported: " + std::strerror(s.h->conns.at(t).err)));
  s.h->close(t);
  s.run_for(20ms);
}

// A throttled client that resets must not live on until reading resumes
// (its held lines would go on being relayed): the error is reported while
// paused. A FIN is not an error: it waits, behind the data before it.
TEST_CASE_TEMPLATE("a reset while reading is paused gives on_closed with an error at once", B,
                   EpollBackend, UringBackend) {
  SKIP_UNLESS_AVAILABLE(B);
  Server s(B::make({}));
  UniqueFd c = connect_to(s.port);
  REQUIRE(s.pump([&] { return !s.h->accepted.empty(); }));
  const Token t = s.h->accepted[0];
  write_all(c.get(), "before the pause\n");
  REQUIRE(s.pump([&] { return !s.h->conns.at(t).in.empty(); }));

  SUBCASE("idle while paused") {
    s.h->pause(t, false);
    s.run_for(50ms);
  }
  SUBCASE("unread data in the socket") {
    s.h->pause(t, false);
    s.run_for(20ms);
    // Fill our receive buffer and the peer's send buffer: TCP pushes back.
    const std::string chunk = pattern(64 * 1024, 5);
    std::size_t queued = 0;
    for (;;) {
      ssize_t n = ::send(c.get(), chunk.data(), chunk.size(), MSG_NOSIGNAL);
      if (n <= 0) break;
      queued += static_cast<std::size_t>(n);
    }
    REQUIRE(queued > 0);
    s.run_for(50ms);
  }
  SUBCASE("paused, resumed, paused again in one turn, then later") {
    s.h->pause(t, false);
    s.h->pause(t, true);
    s.h->pause(t, false);
    s.reactor->run_once(*s.h, 0);
    s.h->pause(t, true);
    s.reactor->run_once(*s.h, 0);
    s.h->pause(t, false);
    s.run_for(50ms);
  }
  SUBCASE("a FIN while paused (held), then the reset") {
    s.h->pause(t, false);
    write_all(c.get(), "after the pause\n");
    REQUIRE(::shutdown(c.get(), SHUT_WR) == 0);
    s.run_for(100ms);
    CHECK(s.h->conns.at(t).closed_count == 0);  // the EOF waits for the resume
  }
  CHECK(s.h->conns.at(t).closed_count == 0);
  reset_on_close(c.get());
  const auto t0 = Clock::now();
  c.reset();
  REQUIRE(s.pump([&] { return s.h->conns.at(t).closed_count > 0; }, 2s));
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0);
  MESSAGE(std::string(B::name) << ": a paused connection's reset reported after " << took.count() << " ms");
  CHECK(took < 100ms);
  CHECK(s.h->conns.at(t).err != 0);
  CHECK(!s.h->conns.at(t).reading);  // never resumed (on_data while paused fails the handler)
  s.run_for(50ms);
  CHECK(s.h->conns.at(t).closed_count == 1);
  s.h->close(t);
  s.run_for(20ms);
}

TEST_CASE_TEMPLATE("a FIN while paused waits for the resume, after the data before it", B,
                   EpollBackend, UringBackend) {
  SKIP_UNLESS_AVAILABLE(B);
  Server s(B::make({}));
  UniqueFd c = connect_to(s.port);
  REQUIRE(s.pump([&] { return !s.h->accepted.empty(); }));
  const Token t = s.h->accepted[0];
  s.h->pause(t, false);
  s.reactor->run_once(*s.h, 0);
  write_all(c.get(), "line one\nline two\n");
  REQUIRE(::shutdown(c.get(), SHUT_WR) == 0);
  s.run_for(200ms);
  CHECK(s.h->conns.at(t).closed_count == 0);
  CHECK(s.h->conns.at(t).in.empty());
  s.h->pause(t, true);
  REQUIRE(s.pump([&] { return s.h->conns.at(t).closed_count > 0; }));
  CHECK(s.h->conns.at(t).in == "line one\nline two\n");
  CHECK(s.h->conns.at(t).err == 0);
  s.run_for(20ms);
  CHECK(s.h->conns.at(t).closed_count == 1);
}

TEST_CASE_TEMPLATE("close() while paused closes the socket; the slot is reused safely", B,
                   EpollBackend, UringBackend) {
  SKIP_UNLESS_AVAILABLE(B);
  const std::size_t fds_before = open_fds();
  {
    Server s(B::make({}));
    s.h->echo = true;
    UniqueFd a = connect_to(s.port);
    REQUIRE(s.pump([&] { return !s.h->accepted.empty(); }));
    const Token ta = s.h->accepted[0];
    s.h->pause(ta, false);
    s.run_for(20ms);  // the io_uring watch is armed by now
    s.h->close(ta);
    std::string sink;
    REQUIRE(s.pump([&] { return !read_some(a.get(), sink); }));  // our close reached the peer
    reset_on_close(a.get());
    a.reset();  // a reset after close(): nothing may be reported for ta
    // B takes A's slot; A's cancelled watch must not touch it.
    UniqueFd b = connect_to(s.port);
    REQUIRE(s.pump([&] { return s.h->accepted.size() == 2; }));
    CHECK(token_slot(s.h->accepted[1]) == token_slot(ta));
    write_all(b.get(), "still works\n");
    std::string got;
    REQUIRE(s.pump([&] { return read_some(b.get(), got) && got.size() >= 12; }));
    CHECK(got == "still works\n");
    s.run_for(50ms);
    CHECK(s.h->conns.at(s.h->accepted[1]).closed_count == 0);
  }
  CHECK(open_fds() == fds_before);
}

TEST_CASE_TEMPLATE("wake() from other threads", B, EpollBackend, UringBackend) {
  SKIP_UNLESS_AVAILABLE(B);
  Server s(B::make({}));

  // A blocked run_once returns promptly.
  std::thread waker([&] {
    std::this_thread::sleep_for(50ms);
    s.reactor->wake();
  });
  Joiner join_waker(waker, [] {});
  const auto start = Clock::now();
  while (s.h->wakes.load() == 0 && Clock::now() - start < 5s) s.reactor->run_once(*s.h, 5000);
  waker.join();
  CHECK(s.h->wakes.load() >= 1);
  CHECK(Clock::now() - start < 3s);

  // A wake that came before the wait is not lost.
  const int before = s.h->wakes.load();
  s.reactor->wake();
  const auto t0 = Clock::now();
  while (s.h->wakes.load() == before && Clock::now() - t0 < 5s) s.reactor->run_once(*s.h, 5000);
  CHECK(s.h->wakes.load() == before + 1);
  CHECK(Clock::now() - t0 < 3s);
  const int after_first = s.h->wakes.load();

  // A storm from several threads: the loop keeps up, and a final wake after
  // the storm is still seen.
  std::atomic<bool> stop{false};
  std::vector<std::thread> storm;
  for (int i = 0; i < 3; ++i)
    storm.emplace_back([&] {
      for (int k = 0; k < 20000 && !stop; ++k) s.reactor->wake();
    });
  s.run_for(100ms);
  stop = true;
  for (auto& th : storm) th.join();
  CHECK(s.h->wakes.load() > after_first);
  s.run_for(20ms);
  const int after = s.h->wakes.load();
  s.reactor->wake();
  const auto t1 = Clock::now();
  while (s.h->wakes.load() == after && Clock::now() - t1 < 5s) s.reactor->run_once(*s.h, 5000);
  CHECK(s.h->wakes.load() > after);
}

TEST_CASE_TEMPLATE("tiny buffer ring: many senders, nothing lost or reordered", B, EpollBackend,
                   UringBackend) {
  SKIP_UNLESS_AVAILABLE(B);
  ReactorConfig cfg;
  cfg.buf_ring_entries = 2;
  cfg.buf_size = 64;
  Server s(B::make(cfg));
  constexpr int kClients = 64;
  constexpr std::size_t kBytes = 32 * 1024;
  std::vector<UniqueFd> clients;
  std::vector<std::string> want;
  for (int i = 0; i < kClients; ++i) clients.push_back(connect_to(s.port));
  REQUIRE(s.pump([&] { return s.h->accepted.size() == kClients; }));
  // Which token is which client: the first bytes name the client.
  for (int i = 0; i < kClients; ++i) {
    // Appended piecewise: GCC 12 -O3 warns falsely (-Wrestrict) on "#" + ...
    std::string w = "#";
    w += std::to_string(i);
    w += '#';
    w += pattern(kBytes, 100 + static_cast<unsigned>(i));
    want.push_back(std::move(w));
    write_all(clients[i].get(), want.back());
  }
  std::size_t total = 0;
  for (const auto& w : want) total += w.size();
  REQUIRE(s.pump(
      [&] {
        std::size_t n = 0;
        for (const auto& [t, c] : s.h->conns) n += c.in.size();
        return n >= total;
      },
      30s));
  std::set<int> seen;
  for (const auto& [t, c] : s.h->conns) {
    REQUIRE(c.in.size() > 2);
    const int id = std::stoi(c.in.substr(1));
    seen.insert(id);
    CHECK(c.in == want.at(id));
  }
  CHECK(seen.size() == kClients);
}

TEST_CASE_TEMPLATE("close(): no more callbacks, slot reuse is safe", B, EpollBackend,
                   UringBackend) {
  SKIP_UNLESS_AVAILABLE(B);
  Server s(B::make({}));
  s.h->echo = true;

  // A: the owner closes it from inside on_data while more data and a send
  // are pending.
  UniqueFd a = connect_to(s.port);
  s.h->data_hook = [&](Token t, std::span<const char> bytes) {
    if (std::string_view(bytes.data(), bytes.size()).find("quit") != std::string_view::npos)
      s.h->close(t);
  };
  write_all(a.get(), "hello quit and some more " + pattern(100000, 1));
  REQUIRE(s.pump([&] { return !s.h->accepted.empty() && s.h->released(s.h->accepted[0]); }));

  // B: a large send stuck in flight (small send buffer, peer doesn't
  // read), then close(): the owner frees its output right away.
  s.h->accept_hook = [](int fd) {
    int sz = 64 * 1024;
    ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof sz);
  };
  UniqueFd b = connect_to(s.port);
  REQUIRE(s.pump([&] { return s.h->accepted.size() == 2; }));
  const Token tb = s.h->accepted[1];
  CHECK(token_slot(tb) == token_slot(s.h->accepted[0]));  // A's slot, new generation
  for (int i = 0; i < 64; ++i) s.h->send(tb, pattern(64 * 1024, i));
  REQUIRE(s.pump([&] { return s.h->conns.at(tb).sent_total > 0; }));
  s.run_for(30ms);
  REQUIRE(s.h->pending_out(tb) > 0);
  s.h->close(tb);
  s.h->conns.at(tb).out.clear();  // freed, as an owner would

  // C reuses the slot again while B's cancelled ops may still complete.
  UniqueFd c = connect_to(s.port);
  write_all(c.get(), "still works\n");
  std::string got;
  REQUIRE(s.pump([&] { return read_some(c.get(), got) && got.size() >= 12; }));
  CHECK(got == "still works\n");
  CHECK(token_slot(s.h->accepted[2]) == token_slot(tb));
  s.run_for(50ms);

  // A and B see their sockets closed by us.
  std::string sink;
  REQUIRE(s.pump([&] { return !read_some(a.get(), sink); }));
  REQUIRE(s.pump([&] { return !read_some(b.get(), sink); }));
}

TEST_CASE_TEMPLATE("set_accepting(false) holds new connections in the backlog", B, EpollBackend,
                   UringBackend) {
  SKIP_UNLESS_AVAILABLE(B);
  Server s(B::make({}));
  s.reactor->set_accepting(false);
  s.reactor->run_once(*s.h, 0);
  UniqueFd c = connect_to(s.port);
  s.run_for(200ms);
  CHECK(s.h->accepted.empty());
  s.reactor->set_accepting(true);
  REQUIRE(s.pump([&] { return s.h->accepted.size() == 1; }));
  // And again, to check re-arming after a resume.
  s.reactor->set_accepting(false);
  s.reactor->run_once(*s.h, 0);
  UniqueFd d = connect_to(s.port);
  s.run_for(100ms);
  CHECK(s.h->accepted.size() == 1);
  s.reactor->set_accepting(true);
  REQUIRE(s.pump([&] { return s.h->accepted.size() == 2; }));
}

TEST_CASE_TEMPLATE("out of descriptors: on_accept_error, then resume", B, EpollBackend,
                   UringBackend) {
  SKIP_UNLESS_AVAILABLE(B);
  Server s(B::make({}));
  // Like the shard: stop accepting on EMFILE, resume when told.
  s.h->on_accept_error_hook = [&](int) { s.reactor->set_accepting(false); };
  // No run_once before the squeeze: io_uring's accept reads RLIMIT_NOFILE
  // when it is armed (submitted), not at each accept.
  constexpr int kClients = 6;
  std::vector<UniqueFd> clients;
  for (int i = 0; i < kClients; ++i) clients.push_back(connect_to(s.port));

  FdSqueeze squeeze(2);
  REQUIRE(s.pump([&] { return !s.h->accept_errors.empty(); }));
  CHECK(s.h->accept_errors.front() == EMFILE);
  CHECK(s.h->accepted.size() == 2);
  squeeze.release();

  s.reactor->set_accepting(true);
  REQUIRE(s.pump([&] { return s.h->accepted.size() == kClients; }));
}

TEST_CASE_TEMPLATE("an accept error stops the listener even if the owner does nothing", B,
                   EpollBackend, UringBackend) {
  SKIP_UNLESS_AVAILABLE(B);
  Server s(B::make({}));
  // No hook: the reactor itself must not retry (and spin) while out of fds.
  constexpr int kClients = 4;
  std::vector<UniqueFd> clients;
  for (int i = 0; i < kClients; ++i) clients.push_back(connect_to(s.port));

  FdSqueeze squeeze(1);
  REQUIRE(s.pump([&] { return !s.h->accept_errors.empty(); }));
  CHECK(s.h->accept_errors.front() == EMFILE);
  const std::size_t reported = s.h->accept_errors.size();
  s.run_for(200ms);
  CHECK(s.h->accept_errors.size() == reported);  // paused, not retrying
  CHECK(s.h->accepted.size() == 1);
  squeeze.release();
  s.run_for(100ms);
  CHECK(s.h->accepted.size() == 1);  // still paused: only set_accepting(true) resumes

  s.reactor->set_accepting(true);
  REQUIRE(s.pump([&] { return s.h->accepted.size() == kClients; }));
}

TEST_CASE("accept errors: one classification for every backend") {
  // Errors of one new connection: keep accepting, silently.
  for (int err : {ECONNABORTED, EINTR, EAGAIN, EPERM, ETIMEDOUT, EPROTO, ENETDOWN, ENOPROTOOPT,
                  EHOSTDOWN, ENONET, EHOSTUNREACH, EOPNOTSUPP, ENETUNREACH})
    CHECK(classify_accept_error(err) == AcceptOutcome::Retry);
  // Out of descriptors or memory: pause and report.
  for (int err : {EMFILE, ENFILE, ENOBUFS, ENOMEM})
    CHECK(classify_accept_error(err) == AcceptOutcome::Exhausted);
  // Anything else: pause, report and log.
  for (int err : {EBADF, EINVAL, ENOTSOCK, EFAULT})
    CHECK(classify_accept_error(err) == AcceptOutcome::Failed);
}

TEST_CASE("probe_uring explains itself") {
  const BackendProbe p = probe_uring();
  if (p.uring_ok) {
    CHECK(p.why_not.empty());
    MESSAGE(uring_setup_summary());
  } else {
    CHECK(!p.why_not.empty());
    MESSAGE("io_uring unavailable: " << p.why_not);
  }
}

TEST_CASE_TEMPLATE("built on one thread, run on another (shard start-up)", B, EpollBackend,
                   UringBackend) {
  SKIP_UNLESS_AVAILABLE(B);
  // Built and given its listener here, like main() preparing shards; then
  // owned and run by a shard thread. io_uring's single issuer must be that
  // thread, not this one.
  Server s(B::make({}));
  s.h->echo = true;
  std::string got;
  bool ok = false;
  std::thread shard([&] {
    UniqueFd c = connect_to(s.port);
    if (!try_write_all(c.get(), "from the shard\n")) return;
    const auto deadline = Clock::now() + 10s;
    while (Clock::now() < deadline && got.size() < 15) {
      s.reactor->run_once(*s.h, 5);
      read_some(c.get(), got);
    }
    ok = got == "from the shard\n";
    s.reactor.reset();  // destroyed on the thread that ran it
  });
  shard.join();
  CHECK(ok);
}

TEST_CASE_TEMPLATE("close() then teardown from another thread leaks no fd", B, EpollBackend,
                   UringBackend) {
  SKIP_UNLESS_AVAILABLE(B);
  const std::size_t fds_before = open_fds();
  {
    Server s(B::make({}));
    UniqueFd c = connect_to(s.port);
    UniqueFd d = connect_to(s.port);
    // The shard thread accepts, closes one connection and leaves without
    // another loop turn; main destroys the reactor after joining it.
    std::thread shard([&] {
      const auto deadline = Clock::now() + 10s;
      while (Clock::now() < deadline && s.h->accepted.size() < 2) s.reactor->run_once(*s.h, 5);
      if (!s.h->accepted.empty()) s.h->close(s.h->accepted[0]);
    });
    shard.join();
    REQUIRE(s.h->accepted.size() == 2);
    s.reactor.reset();
    // Both server sockets are closed: the one closed by the owner and the
    // one the reactor still owned.
    std::string sink;
    const auto deadline = Clock::now() + 5s;
    bool c_eof = false, d_eof = false;
    while (Clock::now() < deadline && !(c_eof && d_eof)) {
      c_eof = c_eof || !read_some(c.get(), sink);
      d_eof = d_eof || !read_some(d.get(), sink);
      std::this_thread::sleep_for(1ms);
    }
    CHECK(c_eof);
    CHECK(d_eof);
  }
  // Ring teardown is asynchronous in the kernel, but our fds are gone now.
  CHECK(open_fds() == fds_before);
}
