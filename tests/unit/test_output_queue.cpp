// OutputQueue: what gather() hands out, what consume() frees, and what
// drop_unsent() and clear() keep or drop, with LocalTextPool counting the
// references.
#include <doctest/doctest.h>

#include <sys/uio.h>

#include <string>
#include <string_view>
#include <vector>

#include "shard/output_queue.hpp"
#include "shard/shared_text.hpp"

using chatd::shard::LocalText;
using chatd::shard::LocalTextPool;
using chatd::shard::OutputQueue;
using chatd::shard::SharedText;

namespace {

struct Queue {
  LocalTextPool pool;
  OutputQueue q;

  ~Queue() { q.clear(pool); }

  // A text queued once; the queue holds its only reference.
  void push(std::string_view text) { q.push(pool.adopt(SharedText::create(text), 1)); }

  // What a send of at most `max_iov` entries would write.
  std::string gather(std::size_t max_iov = 64) {
    std::vector<iovec> v(max_iov);
    const std::size_t n = q.gather(v);
    std::string out;
    for (std::size_t i = 0; i < n; ++i) out.append(static_cast<const char*>(v[i].iov_base), v[i].iov_len);
    return out;
  }

  // A send that wrote `n` of the gathered bytes.
  void sent(std::size_t n) { q.consume(n, pool); }

  // Everything pending, without pinning anything (reads the entries the way
  // gather does, then reports a zero-byte send).
  std::string pending() {
    std::string s = gather();
    sent(0);
    return s;
  }
};

}  // namespace

TEST_CASE("empty: nothing to gather, no memory") {
  Queue t;
  CHECK(t.q.empty());
  CHECK(t.q.bytes() == 0);
  CHECK(t.gather() == "");
  t.sent(0);
  t.q.drop_unsent(t.pool);
  CHECK(t.q.empty());
}

TEST_CASE("gather hands out the oldest entries, in order, at most as many as asked") {
  Queue t;
  t.push("one\n");
  t.push("two\n");
  t.push("three\n");
  CHECK_FALSE(t.q.empty());
  CHECK(t.q.bytes() == 14);
  CHECK(t.gather(2) == "one\ntwo\n");
  CHECK(t.gather() == "one\ntwo\nthree\n");
  CHECK(t.gather(0) == "");
}

TEST_CASE("consume") {
  Queue t;
  t.push("one\n");
  t.push("two\n");
  t.push("three\n");
  CHECK(t.pool.in_use() == 3);

  SUBCASE("part of the first entry: the rest goes out next") {
    t.gather();
    t.sent(2);
    CHECK(t.q.bytes() == 12);
    CHECK(t.gather() == "e\ntwo\nthree\n");
    CHECK(t.pool.in_use() == 3);
  }

  SUBCASE("across entries: what is fully sent is released") {
    t.gather();
    t.sent(6);  // "one\n" and "tw"
    CHECK(t.pool.in_use() == 2);
    CHECK(t.q.bytes() == 8);
    CHECK(t.gather() == "o\nthree\n");
    t.sent(2);  // the rest of "two\n", exactly
    CHECK(t.pool.in_use() == 1);
    CHECK(t.gather() == "three\n");
  }

  SUBCASE("everything: empty, every reference dropped") {
    t.gather();
    t.sent(14);
    CHECK(t.q.empty());
    CHECK(t.q.bytes() == 0);
    CHECK(t.pool.in_use() == 0);
    CHECK(t.gather() == "");
  }

  SUBCASE("more than is queued stops at empty") {
    t.gather();
    t.sent(1000);
    CHECK(t.q.empty());
    CHECK(t.pool.in_use() == 0);
  }
}

TEST_CASE("a text shared by two queues lives until both have sent it") {
  LocalTextPool pool;
  OutputQueue a, b;
  LocalText* l = pool.adopt(SharedText::create("hello\n"), 2);
  a.push(l);
  b.push(l);
  CHECK(pool.in_use() == 1);
  a.consume(6, pool);
  CHECK(a.empty());
  CHECK(l->refs == 1);
  CHECK(pool.in_use() == 1);
  b.consume(6, pool);
  CHECK(pool.in_use() == 0);
}

TEST_CASE("drop_unsent: a slow consumer's backlog goes, what is on its way stays") {
  Queue t;
  t.push("one\n");
  t.push("two\n");
  t.push("three\n");
  t.push("four\n");

  SUBCASE("nothing sent, nothing in flight: all of it goes") {
    t.q.drop_unsent(t.pool);
    CHECK(t.q.empty());
    CHECK(t.q.bytes() == 0);
    CHECK(t.pool.in_use() == 0);
  }

  SUBCASE("a partly sent entry is kept whole, so no half line is lost") {
    t.gather();
    t.sent(2);
    t.q.drop_unsent(t.pool);
    CHECK(t.pool.in_use() == 1);
    CHECK(t.q.bytes() == 2);
    CHECK(t.pending() == "e\n");
  }

  SUBCASE("entries handed to an in-flight send stay until consume()") {
    CHECK(t.gather(2) == "one\ntwo\n");
    t.q.drop_unsent(t.pool);  // the kernel may still be reading those two
    CHECK(t.pool.in_use() == 2);
    CHECK(t.q.bytes() == 8);
    t.sent(8);
    CHECK(t.q.empty());
    CHECK(t.pool.in_use() == 0);
  }

  SUBCASE("in flight and partly sent before: the pinned entries stay") {
    t.gather();
    t.sent(2);                            // "on" went out
    CHECK(t.gather(3) == "e\ntwo\nthree\n");  // a new send has these
    t.q.drop_unsent(t.pool);
    CHECK(t.pool.in_use() == 3);  // "four\n" dropped
    t.sent(12);
    CHECK(t.q.empty());
    CHECK(t.pool.in_use() == 0);
  }

  SUBCASE("consume() ends the pin: then only the partly sent entry stays") {
    t.gather(3);
    t.sent(6);  // "one\n" and "tw"; the send is over
    t.q.drop_unsent(t.pool);
    CHECK(t.pool.in_use() == 1);
    CHECK(t.pending() == "o\n");
  }

  SUBCASE("a fresh push after a drop goes out after what was kept") {
    t.gather();
    t.sent(1);
    t.q.drop_unsent(t.pool);
    t.push("bye\n");
    CHECK(t.pending() == "ne\nbye\n");
    CHECK(t.q.bytes() == 7);
  }
}

TEST_CASE("clear drops everything, sent or not, pinned or not") {
  Queue t;
  t.push("one\n");
  t.push("two\n");
  t.gather(1);
  t.sent(1);
  t.gather(2);  // pinned, as if a send were in flight (clear comes after Reactor::close)
  t.q.clear(t.pool);
  CHECK(t.q.empty());
  CHECK(t.q.bytes() == 0);
  CHECK(t.pool.in_use() == 0);
  // Usable again, from a clean start.
  t.push("again\n");
  CHECK(t.pending() == "again\n");
}

TEST_CASE("the ring keeps order while it wraps around and grows") {
  Queue t;
  std::string want;
  int next = 0, sent = 0;
  auto push = [&](int n) {
    for (int i = 0; i < n; ++i) {
      const std::string s = std::to_string(next++) + "\n";
      t.push(s);
      want += s;
    }
  };
  push(3);          // capacity 4
  t.gather();
  t.sent(4);        // "0\n1\n": head moves
  want.erase(0, 4);
  push(3);          // wraps, then grows with head != 0
  CHECK(t.pending() == want);
  for (int round = 0; round < 50; ++round) {
    push(round % 7);
    const std::string all = t.pending();
    CHECK(all == want);
    const std::size_t n = all.size() / 2;
    t.gather();
    t.sent(n);
    want.erase(0, n);
    sent += static_cast<int>(n);
  }
  CHECK(t.pending() == want);
  CHECK(sent > 0);
}

TEST_CASE("a burst past 64 entries drains to empty and the queue works on") {
  Queue t;
  std::string want;
  for (int i = 0; i < 1000; ++i) {
    const std::string s = "line " + std::to_string(i) + "\n";
    t.push(s);
    want += s;
  }
  CHECK(t.q.bytes() == want.size());
  std::string got;
  while (!t.q.empty()) {
    const std::string part = t.gather(16);
    got += part;
    t.sent(part.size());
  }
  CHECK(got == want);
  CHECK(t.pool.in_use() == 0);
  // After the shrink: small again, same behaviour.
  t.push("a\n");
  t.push("b\n");
  CHECK(t.pending() == "a\nb\n");
  t.q.drop_unsent(t.pool);
  CHECK(t.q.empty());
  CHECK(t.pool.in_use() == 0);
}
