// SpscQueue on one thread: FIFO, full/empty edges, ownership of items.
#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <vector>

#include "shard/spsc_queue.hpp"

using chatd::shard::SpscQueue;

namespace {

// Counts live instances so leaks and double destruction show up.
struct Tracked {
  static inline int live = 0;
  int v;
  explicit Tracked(int x) : v(x) { ++live; }
  Tracked(Tracked&& o) noexcept : v(o.v) { ++live; }
  Tracked(const Tracked&) = delete;
  Tracked& operator=(const Tracked&) = delete;
  Tracked& operator=(Tracked&&) = delete;
  ~Tracked() { --live; }
};

// A drain works on the consumer's snapshot of the tail and may return fewer
// items than are queued; the queue is empty only once a drain returns 0.
template <typename T, typename F>
std::size_t drain_all(SpscQueue<T>& q, F&& f) {
  std::size_t total = 0;
  while (const std::size_t n = q.drain(f, 100)) total += n;
  return total;
}

}  // namespace

TEST_CASE("spsc: capacity rounds up to a power of two") {
  CHECK(SpscQueue<int>(1).capacity() == 2);
  CHECK(SpscQueue<int>(2).capacity() == 2);
  CHECK(SpscQueue<int>(3).capacity() == 4);
  CHECK(SpscQueue<int>(1000).capacity() == 1024);
  CHECK(SpscQueue<int>(1024).capacity() == 1024);
}

TEST_CASE("spsc: push, drain in order, full, empty") {
  SpscQueue<int> q(4);
  CHECK(q.empty_approx());
  std::vector<int> got;
  auto take = [&](int&& v) { got.push_back(v); };
  CHECK(q.drain(take, 100) == 0);

  for (int i = 0; i < 4; ++i) CHECK(q.try_push(int{i}));
  CHECK(q.size_approx() == 4);
  int extra = 99;
  CHECK_FALSE(q.try_push(std::move(extra)));
  CHECK(q.size_approx() == 4);

  // Partial drain honours max.
  CHECK(q.drain(take, 3) == 3);
  CHECK(got == std::vector<int>{0, 1, 2});
  CHECK(q.try_push(4));
  CHECK(q.try_push(5));
  CHECK(q.try_push(6));
  CHECK_FALSE(q.try_push(7));
  CHECK(drain_all(q, take) == 4);
  CHECK(got == std::vector<int>{0, 1, 2, 3, 4, 5, 6});
  CHECK(q.empty_approx());
  CHECK(q.drain(take, 100) == 0);
  CHECK(q.drain(take, 0) == 0);

  // Wrap-around many times.
  got.clear();
  int next = 0;
  for (int round = 0; round < 1000; ++round) {
    while (q.try_push(int{next})) ++next;
    q.drain(take, static_cast<std::size_t>(round % 4 + 1));
  }
  drain_all(q, take);
  REQUIRE(got.size() == static_cast<std::size_t>(next));
  for (int i = 0; i < next; ++i) CHECK(got[static_cast<std::size_t>(i)] == i);
}

TEST_CASE("spsc: std::string items are moved through intact") {
  SpscQueue<std::string> q(8);
  const std::string big(1000, 'x');
  std::string a = big;
  std::string b = "short";
  REQUIRE(q.try_push(std::move(a)));
  REQUIRE(q.try_push(std::move(b)));
  std::vector<std::string> got;
  q.drain([&](std::string&& s) { got.push_back(std::move(s)); }, 10);
  CHECK(got == std::vector<std::string>{big, "short"});
}

TEST_CASE("spsc: move-only items and a failed push keeps the item") {
  SpscQueue<std::unique_ptr<int>> q(2);
  CHECK(q.try_push(std::make_unique<int>(1)));
  CHECK(q.try_push(std::make_unique<int>(2)));
  auto kept = std::make_unique<int>(3);
  CHECK_FALSE(q.try_push(std::move(kept)));
  // The caller still owns it, to retry later.
  REQUIRE(kept != nullptr);
  CHECK(*kept == 3);
  std::vector<int> got;
  auto take = [&](std::unique_ptr<int>&& p) { got.push_back(*p); };
  drain_all(q, take);
  CHECK(q.try_push(std::move(kept)));
  drain_all(q, take);
  CHECK(got == std::vector<int>{1, 2, 3});
}

TEST_CASE("spsc: items are destroyed once, including those left at destruction") {
  Tracked::live = 0;
  {
    SpscQueue<Tracked> q(8);
    for (int i = 0; i < 6; ++i) REQUIRE(q.try_push(Tracked(i)));
    CHECK(Tracked::live == 6);
    int sum = 0;
    CHECK(q.drain([&](Tracked&& t) { sum += t.v; }, 2) == 2);
    CHECK(sum == 1);
    CHECK(Tracked::live == 4);
  }
  CHECK(Tracked::live == 0);
}
