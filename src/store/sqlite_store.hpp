#pragma once
// Store on one SQLite file (DIR/chatd.db) in WAL mode, or in memory.
// Owned by one thread. A second thread that wants to read concurrently
// opens its own SqliteStore on the same file: WAL lets it read while this
// one commits (an in-memory store is private to its object). Several
// stores may even write one file: each notices the others' commits.
//
// What holds after a crash (docs/storage.md has the reasoning):
//   * apply() is atomic: a batch is stored whole or not at all.
//   * Process crash (kill -9, abort): every batch apply() returned from is
//     stored. The commit is in the WAL file in the kernel's page cache,
//     which outlives the process.
//   * Power loss or kernel crash: a batch holding PutAccount or SetPassword
//     (needs_durable_commit) is on disk when apply() returns, and so is
//     every batch committed before it (its fsync of the append-only WAL
//     covers them). Other batches are fsynced at the next checkpoint or
//     durable commit, so the last ones committed before the power cut may
//     be lost: always a suffix of the commit order, whole batches.
//   * Either way a room's stored history has no hole: messages are
//     accepted only in seq order (AppendMessage is rejected unless seq ==
//     last_seq + 1), last_seq is updated in the same transaction, and
//     losing a suffix of transactions loses a suffix of each room.
//   SqliteOptions::sync_every_commit makes every batch durable instead.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "store/store.hpp"

namespace chatd::store {

struct SqliteOptions {
  // fsync every commit (PRAGMA synchronous=FULL), not only the batches
  // that need_durable_commit: no batch is lost to a power cut, at the cost
  // of one fsync per batch.
  bool sync_every_commit = false;
  // How long a statement waits for another connection's lock (a reader's
  // checkpoint, a backup with the sqlite3 tool) before SQLITE_BUSY.
  std::chrono::milliseconds busy_timeout{5000};
  // PRAGMA quick_check at open: reads every page, so it costs about the
  // time to read the file (see bench/store_bench.cpp); finds corruption
  // anywhere, not only in the pages that opening reads.
  bool check_integrity = false;
};

class SqliteStore final : public Store {
 public:
  // Opens `path`, creating the file (mode 0600) and the schema if missing
  // and migrating an older schema; an empty path opens an in-memory
  // database. Throws StoreError (Database) with a one-line message naming
  // the file when it cannot: not a database, another program's database,
  // a newer schema, corrupt, unreadable.
  explicit SqliteStore(std::string_view path, const SqliteOptions& options = {});
  ~SqliteStore() override;
  SqliteStore(const SqliteStore&) = delete;
  SqliteStore& operator=(const SqliteStore&) = delete;

  void apply(std::span<const Write> batch) override;
  std::vector<RoomRecord> rooms() override;
  std::vector<StoredMessage> history(std::string_view room, std::uint64_t before_seq,
                                     std::size_t limit) override;
  std::optional<Account> account(std::string_view folded) override;
  std::vector<Account> accounts() override;
  std::vector<PrivateMessage> pending_pms(std::string_view to_folded) override;
  // Counted from each room's first and last seq (history has no holes),
  // so it costs two index lookups per room, not a scan of the messages.
  std::uint64_t message_count() override;
  // Deletes in transactions of at most kTrimChunk messages, so the writer
  // thread that calls it is never busy long and the WAL stays small.
  std::uint64_t trim(std::size_t keep_per_room, std::int64_t min_time_ms) override;

  static constexpr std::uint64_t kTrimChunk = 10'000;

  // The file as given (":memory:" for an in-memory store).
  const std::string& path() const;
  // True when the file could only be opened read-only (file or directory
  // mode, read-only mount): reads work, every apply() fails. Worth a
  // warning at startup.
  bool read_only() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace chatd::store
