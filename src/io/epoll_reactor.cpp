// The epoll backend: edge-triggered, read until the kernel buffer is drained,
// vectored writes from the owner's queue, flushed once per loop iteration.
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <system_error>
#include <vector>

#include <spdlog/spdlog.h>

#include "io/accept_policy.hpp"
#include "io/reactor.hpp"
#include "io/socket.hpp"

namespace chatd::io {
namespace {

constexpr std::uint64_t kTagBit = 1ULL << 63;
constexpr std::uint64_t kWakeTag = kTagBit | 0xffffffffULL;
constexpr std::size_t kMaxIov = 1024;  // IOV_MAX: a backlog goes out in few syscalls
constexpr int kReadsPerTurn = 4;  // fairness: a flooding peer yields after this
constexpr int kAcceptsPerTurn = 256;  // ... and a connection storm after this

// Reactor state of one connection slot.
struct Conn {
  Token token = 0;
  int fd = -1;
  bool reading = true;
  bool read_ready = false;   // data may be waiting (edge seen or resumed)
  bool send_queued = false;  // in the dirty list
  bool write_blocked = false;
  bool failed = false;       // an error was reported; no more I/O
  bool hup = false;          // the peer closed: read to the end, short reads included
  bool err_edge = false;     // EPOLLERR came and no read has returned the error yet
  bool eof = false;          // on_closed(t, 0) was reported
  bool hangup_told = false;  // on_peer_hangup was reported (while paused)
};

// Single-threaded except wake(): one instance per shard thread.
class EpollReactor final : public Reactor {
 public:
  explicit EpollReactor(const ReactorConfig& cfg)
      : epfd_(::epoll_create1(EPOLL_CLOEXEC)),
        wakefd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)),
        readbuf_(cfg.buf_size < 4096 ? 65536 : std::max<std::size_t>(cfg.buf_size, 65536)) {
    if (!epfd_ || !wakefd_) throw std::system_error(errno, std::generic_category(), "epoll setup");
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = kWakeTag;
    // Without it wake() would do nothing and the loop would only notice
    // other threads at its next timeout: refuse to start instead.
    if (::epoll_ctl(epfd_.get(), EPOLL_CTL_ADD, wakefd_.get(), &ev) != 0)
      throw std::system_error(errno, std::generic_category(), "epoll_ctl(wake eventfd)");
  }

  ~EpollReactor() override {
    for (auto& c : conns_)
      if (c.fd >= 0) ::close(c.fd);
  }

  std::string_view name() const override { return "epoll"; }

  void add_listener(int fd, std::uint32_t tag) override {
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLEXCLUSIVE;
    ev.data.u64 = kTagBit | listeners_.size();
    if (::epoll_ctl(epfd_.get(), EPOLL_CTL_ADD, fd, &ev) != 0)
      throw std::system_error(errno, std::generic_category(), "epoll_ctl(listener)");
    listeners_.push_back({fd, tag, true});  // only once registered: a throw leaves no trace
  }

  void set_accepting(bool on) override {
    for (std::size_t i = 0; i < listeners_.size(); ++i) set_listener_active(i, on);
  }

  void add_connection(int fd, Token t) override {
    auto slot = token_slot(t);
    if (slot >= conns_.size()) conns_.resize(slot + 1);
    conns_[slot] = Conn{t, fd};
    epoll_event ev{};
    // Both directions, edge-triggered, registered once: no epoll_ctl per write.
    ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
    ev.data.u64 = t;
    if (::epoll_ctl(epfd_.get(), EPOLL_CTL_ADD, fd, &ev) != 0) {
      // Reported to the owner as a failed connection by the next run_once.
      const int err = errno;
      spdlog::warn("epoll: cannot watch connection fd {}: {}", fd, std::strerror(err));
      conns_[slot].failed = true;
      pending_errors_.push_back({t, err});
    }
  }

  void set_reading(Token t, bool on) override {
    Conn* c = find(t);
    if (!c || c->reading == on) return;
    c->reading = on;
    // Edges that came while paused are gone: try a read on resume.
    if (on) ready_.push_back(t);
  }

  void want_send(Token t) override {
    Conn* c = find(t);
    if (!c || c->send_queued || c->write_blocked || c->failed) return;
    c->send_queued = true;
    dirty_.push_back(t);
  }

  void close(Token t) override {
    Conn* c = find(t);
    if (!c) return;
    ::close(c->fd);
    *c = Conn{};
  }

  void run_once(ReactorHandler& h, int timeout_ms) override {
    flush(h);
    for (auto& [t, err] : pending_errors_)
      if (find(t)) h.on_closed(t, err);
    pending_errors_.clear();

    const bool busy = !ready_.empty() || accept_ready_ || !dirty_.empty() || h.has_pending_work();
    std::array<epoll_event, 512> events;
    int n = ::epoll_wait(epfd_.get(), events.data(), static_cast<int>(events.size()),
                         busy ? 0 : timeout_ms);
    if (n < 0) {
      if (errno == EINTR) return;
      throw std::system_error(errno, std::generic_category(), "epoll_wait");
    }
    for (int i = 0; i < n; ++i) {
      const auto& ev = events[static_cast<std::size_t>(i)];
      const std::uint64_t tag = ev.data.u64;
      if (tag == kWakeTag) {
        std::uint64_t v;
        [[maybe_unused]] auto r = ::read(wakefd_.get(), &v, sizeof v);
        h.on_wake();
      } else if (tag & kTagBit) {
        accept_ready_ = true;
      } else if (Conn* c = find(tag)) {
        if (ev.events & EPOLLOUT && c->write_blocked) {
          c->write_blocked = false;
          want_send(tag);
        }
        if (ev.events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) c->hup = true;
        if (ev.events & EPOLLERR) c->err_edge = true;
        if (ev.events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) {
          if (!c->read_ready) {
            c->read_ready = true;
            ready_.push_back(tag);
          }
        }
      }
    }
    if (accept_ready_) accept_all(h);
    read_ready(h);
  }

  void wake() override {
    std::uint64_t one = 1;
    [[maybe_unused]] auto r = ::write(wakefd_.get(), &one, sizeof one);
  }

 private:
  struct Listener {
    int fd;
    std::uint32_t tag;
    bool active;
  };

  Conn* find(Token t) {
    auto slot = token_slot(t);
    if (slot >= conns_.size() || conns_[slot].token != t || conns_[slot].fd < 0) return nullptr;
    return &conns_[slot];
  }

  void fail(ReactorHandler& h, Conn& c, int err) {
    if (c.failed) return;
    c.failed = true;
    c.reading = false;
    h.on_closed(c.token, err);
  }

  // Reading is paused (flood control, back-pressure), so no read will
  // return the error an EPOLLERR edge announced, and edge-triggered epoll
  // will not announce it again: fetch it here, or a reset peer's session
  // would live on until reading resumes. A FIN is no error: the owner hears
  // of it (on_peer_hangup) and decides whether the data before it matters.
  // `c` may dangle after this call.
  void check_paused_peer(ReactorHandler& h, Conn& c) {
    if (c.eof) return;
    if (c.err_edge) {
      c.err_edge = false;
      int err = 0;
      socklen_t len = sizeof err;
      if (::getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
      if (err != 0) return fail(h, c, err);
    }
    if (c.hup && !c.hangup_told && !c.failed) {
      c.hangup_told = true;
      h.on_peer_hangup(c.token);
    }
  }

  void set_listener_active(std::size_t i, bool on) {
    Listener& l = listeners_[i];
    if (l.active == on) return;
    if (on) {
      epoll_event ev{};
      ev.events = EPOLLIN | EPOLLEXCLUSIVE;
      ev.data.u64 = kTagBit | i;
      // EEXIST: a failed pause left it registered, which is what we want.
      if (::epoll_ctl(epfd_.get(), EPOLL_CTL_ADD, l.fd, &ev) != 0 && errno != EEXIST) {
        // Stays inactive, so the next set_accepting(true) tries again.
        spdlog::error("epoll: cannot resume accepting on listening socket fd {}: {}", l.fd,
                      std::strerror(errno));
        return;
      }
      l.active = true;
      accept_ready_ = true;  // connections may have queued meanwhile
    } else {
      l.active = false;
      // If this failed, the listener would keep waking the loop for
      // nothing (accept_all skips it); say so rather than spin quietly.
      if (::epoll_ctl(epfd_.get(), EPOLL_CTL_DEL, l.fd, nullptr) != 0)
        spdlog::error("epoll: cannot pause accepting on listening socket fd {}: {}", l.fd,
                      std::strerror(errno));
    }
  }

  void accept_all(ReactorHandler& h) {
    accept_ready_ = false;
    // Indexes, not references: handlers may add listeners.
    for (std::size_t li = 0; li < listeners_.size(); ++li) {
      // Bounded so a connection storm cannot starve established clients.
      for (int budget = kAcceptsPerTurn; listeners_[li].active; --budget) {
        if (budget == 0) {
          accept_ready_ = true;  // more may be waiting: come back next turn
          break;
        }
        const int lfd = listeners_[li].fd;
        sockaddr_storage peer{};
        socklen_t len = sizeof peer;
        const int fd = ::accept4(lfd, reinterpret_cast<sockaddr*>(&peer), &len,
                                 SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd >= 0) {
          h.on_accept(fd, peer, listeners_[li].tag);
          continue;
        }
        const int err = errno;
        if (err == EAGAIN || err == EWOULDBLOCK) break;  // the backlog is empty
        const AcceptOutcome outcome = classify_accept_error(err);
        if (outcome == AcceptOutcome::Retry) continue;
        set_listener_active(li, false);
        if (outcome == AcceptOutcome::Failed) log_accept_failure(name(), lfd, err);
        h.on_accept_error(err);
        break;
      }
    }
  }

  void read_ready(ReactorHandler& h) {
    scratch_.clear();
    scratch_.swap(ready_);  // handlers may queue new work into ready_
    for (Token t : scratch_) {
      Conn* c = find(t);
      if (!c) continue;
      c->read_ready = false;
      if (c->failed) continue;
      if (!c->reading) {
        check_paused_peer(h, *c);
        continue;
      }
      for (int turn = 0;; ++turn) {
        if (turn == kReadsPerTurn) {
          c->read_ready = true;
          ready_.push_back(t);
          break;
        }
        ssize_t n = ::read(c->fd, readbuf_.data(), readbuf_.size());
        if (n > 0) {
          h.on_data(t, {readbuf_.data(), static_cast<std::size_t>(n)});
          c = find(t);
          if (!c) break;
          if (!c->reading) {
            check_paused_peer(h, *c);  // an error or FIN may have come with this edge
            break;
          }
          // A short read drained the socket; the next arrival raises a new
          // edge. Not so for a FIN that came with the data: no edge follows.
          if (static_cast<std::size_t>(n) < readbuf_.size() && !c->hup) break;
          continue;
        }
        if (n == 0) {
          c->reading = false;
          c->eof = true;
          h.on_closed(t, 0);
        } else if (errno == EINTR) {
          continue;
        } else if (errno != EAGAIN) {
          fail(h, *c, errno);
        } else {
          c->err_edge = false;  // drained: a pending error would have come first
        }
        break;
      }
    }
  }

  void flush(ReactorHandler& h) {
    // Index loop: on_sent may queue more connections while we iterate.
    for (std::size_t i = 0; i < dirty_.size(); ++i) {
      const Token t = dirty_[i];
      Conn* c = find(t);
      if (!c) continue;
      c->send_queued = false;
      while (!c->failed) {
        std::size_t cnt = h.gather(t, iov_);
        if (cnt == 0) break;
        std::size_t want = 0;
        for (std::size_t k = 0; k < cnt; ++k) want += iov_[k].iov_len;
        msghdr msg{};
        msg.msg_iov = iov_.data();
        msg.msg_iovlen = cnt;
        ssize_t n = ::sendmsg(c->fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0) {
          if (errno == EINTR) continue;
          if (errno == EAGAIN) {
            c->write_blocked = true;
          } else {
            fail(h, *c, errno);
          }
          break;
        }
        h.on_sent(t, static_cast<std::size_t>(n));
        c = find(t);
        if (!c) break;
        if (static_cast<std::size_t>(n) < want) {
          c->write_blocked = true;  // EPOLLOUT will tell us when there is room
          break;
        }
      }
    }
    dirty_.clear();
  }

  UniqueFd epfd_;
  UniqueFd wakefd_;
  std::vector<char> readbuf_;
  std::array<iovec, kMaxIov> iov_{};
  std::vector<Conn> conns_;
  std::vector<Listener> listeners_;
  std::vector<Token> dirty_;
  std::vector<Token> ready_;
  std::vector<Token> scratch_;
  std::vector<std::pair<Token, int>> pending_errors_;
  bool accept_ready_ = false;
};

}  // namespace

std::unique_ptr<Reactor> make_epoll_reactor(const ReactorConfig& cfg) {
  return std::make_unique<EpollReactor>(cfg);
}

}  // namespace chatd::io
