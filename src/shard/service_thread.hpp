#pragma once
// A thread on the mail mesh that is not a shard: it does the slow work the
// shards must never wait for (the store's disk, password hashing). Shards
// reach it through the same SPSC queues and wake handshake they use
// between themselves, and it answers the same way.
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include "io/reactor.hpp"
#include "shard/mailbox.hpp"

namespace chatd::shard {

// Its loop, handle() and tick() run on its own thread; other threads only
// call start(), stop() and read what subclasses publish as atomics.
class ServiceThread : private io::ReactorHandler {
 public:
  // `nice`: the thread's scheduling niceness (0 = as the shards; more =
  // yields the CPU to them when both want it).
  ServiceThread(Mesh& mesh, unsigned index, std::string name, int nice = 0);
  ~ServiceThread() override;
  ServiceThread(const ServiceThread&) = delete;
  ServiceThread& operator=(const ServiceThread&) = delete;

  void start();
  // After the shards stopped: handles what is still queued, calls drain(),
  // and joins the thread.
  void stop();
  unsigned index() const { return index_; }

 protected:
  // One letter from a shard.
  virtual void handle(Envelope&& e) = 0;
  // After each batch of letters and on every wake-up; returns how long it
  // may sleep (ms) before it must be called again.
  virtual int tick(std::uint64_t now_ms) = 0;
  // Last work before the thread ends (flush what is pending).
  virtual void drain() {}
  void post(unsigned to, Envelope&& e) { mailbox_.post(to, std::move(e)); }

 private:
  void run();
  // ReactorHandler: this reactor only sleeps and wakes.
  void on_accept(int, const sockaddr_storage&, std::uint32_t) override {}
  void on_accept_error(int) override {}
  void on_data(io::Token, std::span<const char>) override {}
  void on_closed(io::Token, int) override {}
  std::size_t gather(io::Token, std::span<iovec>) override { return 0; }
  void on_sent(io::Token, std::size_t) override {}
  void on_wake() override {}

  const unsigned index_;
  const std::string name_;
  const int nice_;
  std::unique_ptr<io::Reactor> reactor_;
  Mailbox mailbox_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace chatd::shard
