#pragma once
// Password hashing off the shards: Argon2id costs tens of milliseconds and
// 64 MiB per call, so it runs here, one call at a time per AuthService
// thread; the number of threads (--auth-threads) bounds the memory.
#include <atomic>
#include <cstdint>

#include "shard/service_thread.hpp"

namespace chatd::shard {

// Runs on its own thread (see ServiceThread).
class AuthService final : public ServiceThread {
 public:
  // Niceness 10: when hashing and chat compete for a core, chat wins; a
  // login waits a little longer instead of every member's messages.
  AuthService(Mesh& mesh, unsigned index) : ServiceThread(mesh, index, "chatd-auth", 10) {}
  std::uint64_t done() const { return done_.load(std::memory_order_relaxed); }

 private:
  void handle(Envelope&& e) override;
  int tick(std::uint64_t) override { return 1000; }

  std::atomic<std::uint64_t> done_{0};
};

}  // namespace chatd::shard
