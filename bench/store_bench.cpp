// store-bench: what the storage layer costs, on this machine's disk.
//   * messages/s committed through SqliteStore::apply in batches of 1, 64
//     and 1024 (a fresh database each, --messages in total)
//   * on the resulting database: open time (with and without quick_check),
//     history(latest 50) and history(50 before a seq) latency,
//     message_count, trim
//   * a durable commit (a batch with SetPassword: synchronous=FULL, fsync)
//   * hash_password and verify_password at the interactive cost
// Figures go to stdout, one per line. Not a test: nothing is asserted.
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <stdlib.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "store/password.hpp"
#include "store/sqlite_store.hpp"

using namespace chatd::store;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

// This thread's CPU time: the machine is shared, so wall-clock rates move
// with the neighbours' load; CPU time much less.
double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return double(ts.tv_sec) + double(ts.tv_nsec) / 1e9;
}

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

std::uintmax_t size_of(const fs::path& p) {
  std::error_code ec;
  const auto n = fs::file_size(p, ec);
  return ec ? 0 : n;
}

std::string room_name(unsigned i) { return fmt::format("room-{:03}", i); }

struct Latencies {
  std::vector<double> us;
  void add(Clock::time_point t0) {
    us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
  }
  std::string summary() {
    std::sort(us.begin(), us.end());
    const auto at = [&](double q) { return us[static_cast<std::size_t>(q * double(us.size() - 1))]; };
    double sum = 0;
    for (double v : us) sum += v;
    return fmt::format("mean {:.1f} us, p50 {:.1f} us, p99 {:.1f} us, max {:.1f} us",
                       sum / double(us.size()), at(0.5), at(0.99), us.back());
  }
};

// Writes `total` messages spread round-robin over `rooms` rooms, `batch`
// per apply(). Returns messages per second of wall time and of CPU time.
struct Rates {
  double wall;
  double cpu;
};
Rates fill(SqliteStore& s, std::uint64_t total, unsigned rooms, std::size_t batch) {
  std::vector<Write> create;
  for (unsigned r = 0; r < rooms; ++r) create.push_back(CreateRoom{room_name(r), 1});
  s.apply(create);
  std::vector<std::uint64_t> next(rooms, 1);
  std::vector<Write> writes;
  writes.reserve(batch);
  const auto t0 = Clock::now();
  const double cpu0 = thread_cpu_seconds();
  for (std::uint64_t i = 0; i < total;) {
    writes.clear();
    for (std::size_t k = 0; k < batch && i < total; ++k, ++i) {
      const unsigned r = static_cast<unsigned>(i % rooms);
      writes.push_back(AppendMessage{StoredMessage{
          room_name(r), next[r]++, 1'700'000'000'000 + static_cast<std::int64_t>(i),
          fmt::format("user{}", i % 5000),
          fmt::format("message {} of the benchmark: about as long as a chat line", i)}});
    }
    s.apply(writes);
  }
  return {double(total) / seconds_since(t0), double(total) / (thread_cpu_seconds() - cpu0)};
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"store-bench: SqliteStore and password hashing figures"};
  std::string dir;
  std::uint64_t messages = 1'000'000;
  unsigned rooms = 100;
  unsigned queries = 10'000;
  bool keep = false;
  app.add_option("--dir", dir, "where the databases go (default: a new directory in $TMPDIR or /tmp)");
  app.add_option("--messages", messages, "messages per batch-size run")->capture_default_str();
  app.add_option("--rooms", rooms, "rooms the messages are spread over")->capture_default_str();
  app.add_option("--queries", queries, "history queries timed")->capture_default_str();
  app.add_flag("--keep", keep, "leave the databases behind");
  CLI11_PARSE(app, argc, argv);

  if (dir.empty()) {
    const char* base = std::getenv("TMPDIR");
    std::string pattern = std::string(base && *base ? base : "/tmp") + "/store-bench-XXXXXX";
    if (!::mkdtemp(pattern.data())) {
      fmt::print(stderr, "mkdtemp failed\n");
      return 1;
    }
    dir = pattern;
  }
  fmt::print("store-bench: {} messages over {} rooms, in {}\n", messages, rooms, dir);

  // 1. Commit throughput per batch size.
  fs::path big;  // the database the read figures use
  for (const std::size_t batch : {std::size_t{1}, std::size_t{64}, std::size_t{1024}}) {
    const fs::path sub = fs::path(dir) / fmt::format("batch-{}", batch);
    fs::create_directories(sub);
    const fs::path db = sub / "chatd.db";
    SqliteStore s(db.string());
    const Rates rate = fill(s, messages, rooms, batch);
    fmt::print("apply, batches of {:>4}: {:>7.0f} messages/s = {:>6.0f} commits/s "
               "(per CPU second: {:.0f} messages); db {:.0f} MiB, wal {:.1f} MiB\n",
               batch, rate.wall, rate.wall / double(batch), rate.cpu,
               double(size_of(db)) / (1 << 20),
               double(size_of(fs::path(db.string() + "-wal"))) / (1 << 20));
    big = db;
  }

  // 2. Opening the database the last run left (page cache warm).
  {
    auto t0 = Clock::now();
    { SqliteStore s(big.string()); }
    fmt::print("open + close, {} messages: {:.2f} ms\n", messages, seconds_since(t0) * 1e3);
    t0 = Clock::now();
    { SqliteStore s(big.string(), SqliteOptions{.check_integrity = true}); }
    fmt::print("open with check_integrity (quick_check): {:.0f} ms\n", seconds_since(t0) * 1e3);
  }

  SqliteStore s(big.string());
  std::mt19937 rng(7);
  {
    const auto t0 = Clock::now();
    const std::uint64_t n = s.message_count();
    fmt::print("message_count() = {}: {:.2f} ms\n", n, seconds_since(t0) * 1e3);
  }
  {
    const auto t0 = Clock::now();
    const auto rs = s.rooms();
    fmt::print("rooms() = {} rooms: {:.2f} ms\n", rs.size(), seconds_since(t0) * 1e3);
  }

  // 3. History latency.
  {
    Latencies latest, before;
    const std::uint64_t per_room = messages / rooms;
    for (unsigned q = 0; q < queries; ++q) {
      const std::string r = room_name(static_cast<unsigned>(rng() % rooms));
      auto t0 = Clock::now();
      const auto h = s.history(r, 0, 50);
      latest.add(t0);
      if (h.size() != std::min<std::uint64_t>(50, per_room)) fmt::print(stderr, "short history\n");
      t0 = Clock::now();
      s.history(r, 1 + rng() % per_room, 50);
      before.add(t0);
    }
    fmt::print("history(latest 50), {} queries: {}\n", queries, latest.summary());
    fmt::print("history(50 before a random seq):    {}\n", before.summary());
  }

  // 4. A durable commit: what an account or password write costs.
  {
    s.apply(std::vector<Write>{PutAccount{Account{"Ana", "ana", "h", 1, "", 0}}});
    Latencies durable, plain;
    for (int i = 0; i < 200; ++i) {
      auto t0 = Clock::now();
      s.apply(std::vector<Write>{SetPassword{"ana", fmt::format("h{}", i)}});
      durable.add(t0);
      t0 = Clock::now();
      s.apply(std::vector<Write>{SetStatus{"ana", fmt::format("s{}", i)}});
      plain.add(t0);
    }
    fmt::print("durable commit (SetPassword, fsync): {}\n", durable.summary());
    fmt::print("plain commit (SetStatus, no fsync):  {}\n", plain.summary());
  }

  // 5. Retention.
  {
    auto t0 = Clock::now();
    std::uint64_t deleted = s.trim(1000, 0);
    fmt::print("trim(keep 1000 per room): {} deleted in {:.0f} ms\n", deleted,
               seconds_since(t0) * 1e3);
    t0 = Clock::now();
    deleted = s.trim(1000, 0);
    fmt::print("trim again (nothing to delete): {} deleted in {:.2f} ms\n", deleted,
               seconds_since(t0) * 1e3);
  }

  // 6. Password hashing at the interactive cost.
  {
    Latencies hash, verify;
    std::string h;
    for (int i = 0; i < 10; ++i) {
      auto t0 = Clock::now();
      h = hash_password("correct horse battery staple");
      hash.add(t0);
      t0 = Clock::now();
      if (!verify_password(h, "correct horse battery staple")) fmt::print(stderr, "verify failed\n");
      verify.add(t0);
    }
    const auto ms = [](Latencies& l) {
      std::sort(l.us.begin(), l.us.end());
      return fmt::format("median {:.1f} ms (min {:.1f}, max {:.1f})", l.us[l.us.size() / 2] / 1e3,
                         l.us.front() / 1e3, l.us.back() / 1e3);
    };
    fmt::print("hash_password (interactive: 2 passes, 64 MiB): {}\n", ms(hash));
    fmt::print("verify_password (same cost):                   {}\n", ms(verify));
  }

  if (!keep) {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  return 0;
}
