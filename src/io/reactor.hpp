#pragma once
// The event-loop interface every backend implements (epoll, io_uring).
// Deliberately narrow: listeners, connections, output, one loop step, wake.
#include <sys/socket.h>
#include <sys/uio.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

namespace chatd::io {

// Names a connection for the reactor and its owner: the low 32 bits are a
// dense slot index (reactors keep per-slot state in a vector), the high 32
// bits a generation that makes stale completions harmless.
using Token = std::uint64_t;
constexpr Token make_token(std::uint32_t slot, std::uint32_t generation) {
  return (static_cast<Token>(generation) << 32) | slot;
}
constexpr std::uint32_t token_slot(Token t) { return static_cast<std::uint32_t>(t); }
constexpr std::uint32_t token_generation(Token t) { return static_cast<std::uint32_t>(t >> 32); }

// Callbacks from a reactor to its owner; only ever called on the thread
// running Reactor::run_once, never reentrantly from Reactor methods.
class ReactorHandler {
 public:
  virtual ~ReactorHandler() = default;
  // A new connected, non-blocking socket from the listener added with
  // `tag` (what the owner serves there: chat lines, the web, ...). The
  // owner either calls Reactor::add_connection or closes it.
  virtual void on_accept(int fd, const sockaddr_storage& peer, std::uint32_t tag) = 0;
  // accept failed in a way that concerns the listener, not one connection
  // (io/accept_policy.hpp; errors of a single new connection, such as
  // ECONNABORTED, are retried silently and never reported): out of
  // descriptors or memory (EMFILE, ENFILE, ENOBUFS, ENOMEM), or anything
  // unexpected (which the reactor also logs). Every backend has already
  // stopped accepting on that listener, so doing nothing cannot spin; the
  // owner usually calls set_accepting(false) to pause every listener, and
  // set_accepting(true) a little later resumes them all.
  virtual void on_accept_error(int err) = 0;
  // Bytes read from a connection; the span is valid only during the call.
  virtual void on_data(Token t, std::span<const char> bytes) = 0;
  // The peer closed its side (err == 0: reading stops, writing may still
  // work) or the connection failed (err = errno value: nothing more will
  // work). May come twice: an EOF, then an error from a later send. The
  // owner calls Reactor::close when it is done with the connection.
  virtual void on_closed(Token t, int err) = 0;
  // While reading is paused, the peer's FIN (or a hangup) was seen; the
  // bytes before it wait unread. The owner may end the session now (a
  // throttled flooder) or do nothing: once reading resumes, those bytes and
  // then on_closed(t, 0) come as usual. At most once per connection.
  virtual void on_peer_hangup(Token) {}
  // Fill `out` with the connection's pending output, oldest first; returns
  // the count used. The memory must stay valid until on_sent reports it.
  virtual std::size_t gather(Token t, std::span<iovec> out) = 0;
  // `bytes` of the gathered output were written (short writes included).
  virtual void on_sent(Token t, std::size_t bytes) = 0;
  // Another thread called Reactor::wake (or a wake was pending).
  virtual void on_wake() = 0;
  // Asked after sending, before waiting: true makes run_once poll instead
  // of sleep (the sends themselves may have produced work, e.g. a close).
  virtual bool has_pending_work() const { return false; }
};

// One per shard thread; every method but wake() is called on that thread.
class Reactor {
 public:
  virtual ~Reactor() = default;
  virtual std::string_view name() const = 0;
  // Accept connections from a listening socket (not owned by the reactor);
  // on_accept reports `tag` with each.
  virtual void add_listener(int fd, std::uint32_t tag) = 0;
  // Stop or restart accepting on every listener (fd limits, shutdown); true
  // also resumes listeners an accept error stopped.
  virtual void set_accepting(bool on) = 0;
  // Take ownership of a connected socket and start reading it.
  virtual void add_connection(int fd, Token t) = 0;
  // Flood control and back-pressure: stop or resume reading a connection.
  virtual void set_reading(Token t, bool on) = 0;
  // Output is pending: gather() and send it before the next wait.
  virtual void want_send(Token t) = 0;
  // Close the connection now; no callbacks for `t` follow, and the owner
  // may free the output it gathered for it at once.
  virtual void close(Token t) = 0;
  // One loop iteration: send what is pending, wait up to timeout_ms
  // (0 = poll, <0 = forever) for events, dispatch them to `h`.
  virtual void run_once(ReactorHandler& h, int timeout_ms) = 0;
  // Thread-safe: make a blocked run_once return and call on_wake.
  virtual void wake() = 0;
};

enum class BackendKind : std::uint8_t { Auto, Uring, Epoll };

// "io_uring", "epoll" (as Reactor::name() says) or "auto".
constexpr std::string_view backend_name(BackendKind k) {
  return k == BackendKind::Uring ? "io_uring" : k == BackendKind::Epoll ? "epoll" : "auto";
}

// Whether this process can run UringReactor here: tries the real thing
// (ring setup, opcodes, a provided-buffer ring, one multishot recv).
// Plain value; probe_uring (like choose_backend) may run on any thread.
struct BackendProbe {
  bool uring_ok = false;
  std::string why_not;  // when !uring_ok: why, in words an operator can act on
};
BackendProbe probe_uring();

// What choose_backend resolved a request to, and why (for the one log line
// at start): "requested", "io_uring available", or "io_uring unavailable
// (<why>); falling back to epoll". Plain value.
struct BackendChoice {
  BackendKind kind = BackendKind::Epoll;  // Uring or Epoll, never Auto
  std::string reason;
};

// Resolves --backend: Epoll as asked; Uring if probe_uring accepts it;
// Auto takes io_uring when available, else epoll. Throws std::runtime_error
// ("--backend uring: <why>", one line) when Uring is requested and refused.
BackendChoice choose_backend(BackendKind requested);

struct ReactorConfig {
  unsigned buf_ring_entries = 256;   // io_uring provided buffers per shard (held only during a read)
  // Bytes per io_uring provided buffer. The kernel takes buffers in ring
  // order, so every one is soon touched and resident: 256 x 1 KiB is
  // 256 KiB per shard (4 KiB buffers cost ~0.13 KiB more per connection
  // at 10,000 idle ones, for no throughput); chat lines are short, and a
  // larger read just spans several buffers.
  unsigned buf_size = 1024;
};

// A reactor of a resolved kind (Uring or Epoll; Auto throws
// std::invalid_argument). Never null: throws std::system_error when the
// kernel refuses (out of memory or descriptors, io_uring setup failing).
std::unique_ptr<Reactor> make_reactor(BackendKind resolved, const ReactorConfig& cfg);
std::unique_ptr<Reactor> make_epoll_reactor(const ReactorConfig& cfg);
std::unique_ptr<Reactor> make_uring_reactor(const ReactorConfig& cfg);

}  // namespace chatd::io
