// SpscQueue across two threads: every item arrives, once, in order. Kept in
// its own executable so it can run under ThreadSanitizer on its own.
#include <doctest/doctest.h>

#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include "shard/spsc_queue.hpp"

using chatd::shard::SpscQueue;

namespace {
constexpr std::uint64_t kItems = 1'000'000;
}

TEST_CASE("spsc stress: 1,000,000 integers through a small queue") {
  SpscQueue<std::uint64_t> q(1024);
  std::uint64_t full_retries = 0;
  std::thread producer([&] {
    for (std::uint64_t i = 0; i < kItems; ++i) {
      // A full queue is retried, as a shard keeps an overflow list.
      while (!q.try_push(std::uint64_t{i})) {
        ++full_retries;
        std::this_thread::yield();
      }
    }
  });

  std::uint64_t expected = 0;
  std::uint64_t out_of_order = 0;
  while (expected < kItems) {
    const std::size_t n = q.drain(
        [&](std::uint64_t&& v) {
          if (v != expected) ++out_of_order;
          expected = v + 1;
        },
        256);
    if (n == 0) std::this_thread::yield();
  }
  producer.join();
  CHECK(out_of_order == 0);
  CHECK(expected == kItems);
  CHECK(q.empty_approx());
  MESSAGE("producer found the queue full " << full_retries << " times");
}

TEST_CASE("spsc stress: owning items cross threads without loss or leak") {
  SpscQueue<std::unique_ptr<std::string>> q(64);
  constexpr std::uint64_t kOwned = 200'000;
  std::thread producer([&] {
    for (std::uint64_t i = 0; i < kOwned; ++i) {
      auto item = std::make_unique<std::string>(std::to_string(i));
      while (!q.try_push(std::move(item))) std::this_thread::yield();
    }
  });
  std::uint64_t expected = 0;
  bool in_order = true;
  while (expected < kOwned) {
    q.drain(
        [&](std::unique_ptr<std::string>&& s) {
          if (!s || *s != std::to_string(expected)) in_order = false;
          ++expected;
        },
        32);
  }
  producer.join();
  CHECK(in_order);
  CHECK(expected == kOwned);
}
