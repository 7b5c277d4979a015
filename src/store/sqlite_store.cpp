#include "store/sqlite_store.hpp"

#include <fmt/format.h>
#include <sqlite3.h>

#include <algorithm>
#include <limits>
#include <variant>

#include "store/room_index.hpp"
#include "store/sqlite_connection.hpp"
#include "store/sqlite_schema.hpp"
#include "store/sqlite_statement.hpp"
#include "store/sqlite_transaction.hpp"

namespace chatd::store {

using sqlite::Connection;
using sqlite::Row;
using sqlite::Statement;

namespace {

constexpr std::int64_t kMaxInt64 = std::numeric_limits<std::int64_t>::max();

std::int64_t clamp_to_int64(std::uint64_t v) {
  return v > static_cast<std::uint64_t>(kMaxInt64) ? kMaxInt64 : static_cast<std::int64_t>(v);
}

[[noreturn]] void reject(const Connection& db, std::string_view why) {
  throw StoreError(StoreError::Kind::Rejected, fmt::format("{}: {}", db.path(), why));
}

// Opens the file and sets the connection up, up to a current schema, so
// that the statements can be prepared against it.
Connection open_database(std::string_view path, const SqliteOptions& options) {
  Connection db(path);
  sqlite3_busy_timeout(db.get(), static_cast<int>(std::clamp<std::chrono::milliseconds::rep>(
                                      options.busy_timeout.count(), 0,
                                      std::numeric_limits<int>::max())));
  // Before anything writes: never turn someone else's file into WAL mode.
  sqlite::check_identity(db);

  // WAL: a commit appends to one file (no rollback journal rewritten per
  // transaction), and readers on other connections do not block the writer.
  std::string mode;
  Statement(db, "setting WAL mode", "PRAGMA journal_mode = WAL")
      .each_row([&](const Row& row) { mode = row.text(0); });
  if (mode != "wal" && mode != "memory" && !db.read_only())
    throw StoreError(StoreError::Kind::Database,
                     fmt::format("{}: cannot use WAL mode (journal_mode is {:?})",
                                 db.path(), mode));
  // NORMAL in WAL mode: a commit writes the WAL without fsync, so a
  // process crash loses nothing committed, and a power loss only the last
  // commits before the next fsync (checkpoint). apply() raises it to FULL
  // for the batches that must be durable.
  db.exec(options.sync_every_commit ? "PRAGMA synchronous = FULL"
                                    : "PRAGMA synchronous = NORMAL",
          "setting synchronous");
  // The integrity rules (a message needs its room, a PM its account) are
  // checked by the write statements themselves; foreign keys would look the
  // parent up a second time per message.
  db.exec("PRAGMA foreign_keys = OFF", "setting foreign_keys");
  // After a checkpoint, cut the WAL back to 64 MiB: one large trim must not
  // leave a huge -wal file behind for good.
  db.exec("PRAGMA journal_size_limit = 67108864", "setting journal_size_limit");

  sqlite::migrate(db);

  if (options.check_integrity) {
    std::string verdict;
    Statement(db, "checking integrity", "PRAGMA quick_check(1)")
        .each_row([&](const Row& row) { verdict = row.text(0); });
    // SQLite's report spans lines; a StoreError message is one.
    std::replace(verdict.begin(), verdict.end(), '\n', ' ');
    if (verdict != "ok")
      throw StoreError(StoreError::Kind::Database,
                       fmt::format("{}: integrity check failed: {}", db.path(), verdict));
  }
  return db;
}

}  // namespace

struct SqliteStore::Impl {
  Impl(std::string_view path, const SqliteOptions& options)
      : options(options), db(open_database(path, options)), sync_full(options.sync_every_commit) {}

  // Writes. Each throws StoreError without a batch index; apply adds it.
  void write(const AppendMessage& w);
  void write(const CreateRoom& w);
  void write(const SetTopic& w);
  void write(const PutAccount& w);
  void write(const SetPassword& w);
  void write(const SetStatus& w);
  void write(const SetLastSeen& w);
  void write(const QueuePm& w);
  void write(const DeletePms& w);
  void require_account(int changed, std::string_view folded);

  // Reloads room_index if another connection committed since we last
  // looked (PRAGMA data_version moves only for other connections' commits).
  // Called under the write lock, so nobody can commit after the check.
  void refresh_room_index();

  void set_sync_full(bool want);

  SqliteOptions options;
  Connection db;
  bool sync_full;  // the connection's current PRAGMA synchronous is FULL
  sqlite::RoomIndex room_index;
  std::optional<std::int64_t> seen_data_version;  // when room_index was loaded

  // Prepared once, here, against the migrated schema; reused for the life
  // of the connection. Declared after `db`: finalized before it closes.
  sqlite::TransactionStatements txn{db};
  Statement sync_full_on{db, "setting synchronous", "PRAGMA synchronous = FULL"};
  Statement sync_full_off{db, "setting synchronous", "PRAGMA synchronous = NORMAL"};

  Statement data_version{db, "reading data_version", "PRAGMA data_version"};
  Statement select_room_index{db, "loading the rooms", "SELECT name, id, last_seq FROM rooms"};
  // Once per room per batch, in the batch's transaction.
  Statement set_last_seq{db, "AppendMessage", "UPDATE rooms SET last_seq = ?2 WHERE id = ?1"};
  Statement insert_message{db, "AppendMessage",
                           "INSERT INTO messages(room_id, seq, time_ms, nick, text) "
                           "VALUES(?1, ?2, ?3, ?4, ?5)"};
  Statement create_room{db, "CreateRoom",
                        "INSERT INTO rooms(name, created_ms, position) VALUES(?1, ?2, ?3) "
                        "ON CONFLICT(name) DO NOTHING"};
  Statement set_topic{db, "SetTopic", "UPDATE rooms SET topic = ?2 WHERE name = ?1"};
  Statement put_account{db, "PutAccount",
                        "INSERT INTO accounts(folded, nick, password_hash, created_ms, status, "
                        "last_seen_ms) VALUES(?1, ?2, ?3, ?4, ?5, ?6) "
                        "ON CONFLICT(folded) DO NOTHING"};
  Statement set_password{db, "SetPassword",
                         "UPDATE accounts SET password_hash = ?2 WHERE folded = ?1"};
  Statement set_status{db, "SetStatus", "UPDATE accounts SET status = ?2 WHERE folded = ?1"};
  Statement set_last_seen{db, "SetLastSeen",
                          "UPDATE accounts SET last_seen_ms = ?2 WHERE folded = ?1"};
  Statement queue_pm{db, "QueuePm",
                     "INSERT INTO pms(to_folded, from_nick, time_ms, text) "
                     "SELECT ?1, ?2, ?3, ?4 WHERE EXISTS "
                     "(SELECT 1 FROM accounts WHERE folded = ?1)"};
  Statement delete_pms{db, "DeletePms", "DELETE FROM pms WHERE to_folded = ?1 AND id <= ?2"};

  Statement select_rooms{db, "rooms",
                         "SELECT name, topic, created_ms, last_seq FROM rooms ORDER BY position, id"};
  // Newest first from the index, reversed by the caller: LIMIT then counts
  // back from before_seq.
  Statement select_history{db, "history",
                           "SELECT seq, time_ms, nick, text FROM messages "
                           "WHERE room_id = (SELECT id FROM rooms WHERE name = ?1) "
                           "AND seq < ?2 ORDER BY seq DESC LIMIT ?3"};
  Statement select_account{db, "account",
                           "SELECT nick, folded, password_hash, created_ms, status, "
                           "last_seen_ms FROM accounts WHERE folded = ?1"};
  Statement select_accounts{db, "accounts",
                            "SELECT nick, folded, password_hash, created_ms, status, "
                            "last_seen_ms FROM accounts ORDER BY folded"};
  Statement select_pms{db, "pending_pms",
                       "SELECT id, to_folded, from_nick, time_ms, text FROM pms "
                       "WHERE to_folded = ?1 ORDER BY id"};
  // One min() or max() per subquery: SQLite answers each from the index
  // edge, where a SELECT of both would scan the room.
  Statement count_messages{db, "message_count",
                           "SELECT COALESCE(SUM("
                           "(SELECT max(seq) FROM messages WHERE room_id = r.id) - "
                           "(SELECT min(seq) FROM messages WHERE room_id = r.id) + 1), 0) "
                           "FROM rooms r"};
  Statement room_ids{db, "trim", "SELECT id FROM rooms ORDER BY id"};
  Statement room_seq_range{db, "trim",
                           "SELECT (SELECT min(seq) FROM messages WHERE room_id = ?1), "
                           "(SELECT max(seq) FROM messages WHERE room_id = ?1)"};
  // Walks the room from `after` in seq order to its first message not older
  // than the limit: rows visited = rows about to be deleted, plus one.
  Statement first_young{db, "trim",
                        "SELECT seq FROM messages WHERE room_id = ?1 AND seq > ?2 "
                        "AND time_ms >= ?3 ORDER BY seq LIMIT 1"};
  Statement delete_prefix{db, "trim", "DELETE FROM messages WHERE room_id = ?1 AND seq <= ?2"};
};

void SqliteStore::Impl::write(const AppendMessage& w) {
  const StoredMessage& m = w.message;
  const auto room = room_index.find(m.room);
  if (!room) reject(db, fmt::format("AppendMessage: no room {:?}", m.room));
  // Only the next seq: the guard against holes.
  if (m.seq != room->last_seq + 1)
    reject(db, fmt::format("AppendMessage: seq {} of room {:?} is not next (last_seq {})",
                           m.seq, m.room, room->last_seq));
  insert_message.run(room->id, m.seq, m.time_ms, m.nick, m.text);
  room_index.stage_append(m.room, m.seq);
}

void SqliteStore::Impl::write(const CreateRoom& w) {
  if (room_index.find(w.name) || create_room.run(w.name, w.created_ms, static_cast<std::int64_t>(w.position)) == 0)
    reject(db, fmt::format("CreateRoom: room {:?} exists", w.name));
  room_index.stage_create(w.name, sqlite3_last_insert_rowid(db.get()));
}

void SqliteStore::Impl::write(const SetTopic& w) {
  if (set_topic.run(w.room, w.topic) == 0)
    reject(db, fmt::format("SetTopic: no room {:?}", w.room));
}

void SqliteStore::Impl::write(const PutAccount& w) {
  const Account& a = w.account;
  if (put_account.run(a.folded, a.nick, a.password_hash, a.created_ms, a.status,
                      a.last_seen_ms) == 0)
    reject(db, fmt::format("PutAccount: account {:?} exists", a.folded));
}

void SqliteStore::Impl::require_account(int changed, std::string_view folded) {
  if (changed == 0) reject(db, fmt::format("no account {:?}", folded));
}

void SqliteStore::Impl::write(const SetPassword& w) {
  require_account(set_password.run(w.folded, w.password_hash), w.folded);
}

void SqliteStore::Impl::write(const SetStatus& w) {
  require_account(set_status.run(w.folded, w.status), w.folded);
}

void SqliteStore::Impl::write(const SetLastSeen& w) {
  require_account(set_last_seen.run(w.folded, w.last_seen_ms), w.folded);
}

void SqliteStore::Impl::write(const QueuePm& w) {
  require_account(queue_pm.run(w.to_folded, w.from_nick, w.time_ms, w.text), w.to_folded);
}

void SqliteStore::Impl::write(const DeletePms& w) {
  delete_pms.run(w.to_folded, clamp_to_int64(w.up_to_id));
}

void SqliteStore::Impl::refresh_room_index() {
  std::int64_t version = 0;
  data_version.each_row([&](const Row& row) { version = row.int64(0); });
  if (seen_data_version == version) return;
  std::vector<std::pair<std::string, sqlite::RoomIndex::Room>> rooms;
  select_room_index.each_row([&](const Row& row) {
    rooms.emplace_back(row.text(0), sqlite::RoomIndex::Room{row.int64(1), row.uint64(2)});
  });
  room_index.reset(std::move(rooms));
  seen_data_version = version;
}

void SqliteStore::Impl::set_sync_full(bool want) {
  if (want == sync_full) return;
  (want ? sync_full_on : sync_full_off).run();
  sync_full = want;
}

SqliteStore::SqliteStore(std::string_view path, const SqliteOptions& options)
    : impl_(std::make_unique<Impl>(path, options)) {}

SqliteStore::~SqliteStore() = default;

const std::string& SqliteStore::path() const { return impl_->db.path(); }

bool SqliteStore::read_only() const { return impl_->db.read_only(); }

void SqliteStore::apply(std::span<const Write> batch) {
  if (batch.empty()) return;
  Impl& s = *impl_;
  // synchronous is read at COMMIT: FULL fsyncs the WAL before COMMIT
  // returns. Switched only when the need changes from one batch to the next.
  s.set_sync_full(s.options.sync_every_commit ||
                  std::any_of(batch.begin(), batch.end(), needs_durable_commit));
  sqlite::Transaction txn(s.db, s.txn);
  try {
    s.refresh_room_index();
    for (std::size_t i = 0; i < batch.size(); ++i) {
      try {
        std::visit([&s](const auto& w) { s.write(w); }, batch[i]);
      } catch (const StoreError& e) {
        throw StoreError(e.kind(),
                         fmt::format("{} [write {} of {}: {}]", e.what(), i, batch.size(),
                                     write_name(batch[i])),
                         e.sqlite_code(), i);
      }
    }
    for (const auto& bump : s.room_index.staged_bumps()) s.set_last_seq.run(bump.id, bump.last_seq);
    txn.commit();
  } catch (...) {
    // ~Transaction rolls the database back; this, the rooms' copy.
    s.room_index.rollback();
    throw;
  }
  s.room_index.commit();
}

std::vector<RoomRecord> SqliteStore::rooms() {
  std::vector<RoomRecord> out;
  impl_->select_rooms.each_row([&](const Row& row) {
    out.push_back({row.text(0), row.text(1), row.int64(2), row.uint64(3)});
  });
  return out;
}

std::vector<StoredMessage> SqliteStore::history(std::string_view room,
                                                std::uint64_t before_seq,
                                                std::size_t limit) {
  std::vector<StoredMessage> out;
  if (limit == 0) return out;
  const std::int64_t before = before_seq == 0 ? kMaxInt64 : clamp_to_int64(before_seq);
  impl_->select_history.each_row(
      [&](const Row& row) {
        out.push_back({std::string(room), row.uint64(0), row.int64(1), row.text(2), row.text(3)});
      },
      room, before, clamp_to_int64(limit));
  std::reverse(out.begin(), out.end());
  return out;
}

std::optional<Account> SqliteStore::account(std::string_view folded) {
  std::optional<Account> out;
  impl_->select_account.each_row(
      [&](const Row& row) {
        out = Account{row.text(0), row.text(1), row.text(2),
                      row.int64(3), row.text(4), row.int64(5)};
      },
      folded);
  return out;
}

std::vector<Account> SqliteStore::accounts() {
  std::vector<Account> out;
  impl_->select_accounts.each_row([&](const Row& row) {
    out.push_back(Account{row.text(0), row.text(1), row.text(2), row.int64(3), row.text(4), row.int64(5)});
  });
  return out;
}

std::vector<PrivateMessage> SqliteStore::pending_pms(std::string_view to_folded) {
  std::vector<PrivateMessage> out;
  impl_->select_pms.each_row(
      [&](const Row& row) {
        out.push_back({row.uint64(0), row.text(1), row.text(2), row.int64(3), row.text(4)});
      },
      to_folded);
  return out;
}

std::uint64_t SqliteStore::message_count() {
  std::uint64_t n = 0;
  impl_->count_messages.each_row([&](const Row& row) { n = row.uint64(0); });
  return n;
}

std::uint64_t SqliteStore::trim(std::size_t keep_per_room, std::int64_t min_time_ms) {
  Impl& s = *impl_;
  if (keep_per_room == 0 && min_time_ms <= 0) return 0;
  // Read the ids first: no read statement stays open across the deletes.
  std::vector<std::int64_t> ids;
  s.room_ids.each_row([&](const Row& row) { ids.push_back(row.int64(0)); });

  std::uint64_t deleted = 0;
  for (const std::int64_t id : ids) {
    std::optional<std::int64_t> first, last;
    s.room_seq_range.each_row(
        [&](const Row& row) {
          if (!row.is_null(0)) first = row.int64(0);
          if (!row.is_null(1)) last = row.int64(1);
        },
        id);
    if (!first || !last) continue;  // no messages
    // Everything with seq <= cutoff goes: always a prefix of the room.
    std::int64_t cutoff = *first - 1;
    const auto stored = static_cast<std::uint64_t>(*last - *first + 1);
    if (keep_per_room > 0 && stored > keep_per_room)
      cutoff = *last - static_cast<std::int64_t>(keep_per_room);
    if (min_time_ms > 0) {
      std::optional<std::int64_t> young;
      s.first_young.each_row([&](const Row& row) { young = row.int64(0); }, id, cutoff,
                             min_time_ms);
      cutoff = young ? *young - 1 : *last;
    }
    for (std::int64_t lo = *first; lo <= cutoff;) {
      const std::int64_t hi =
          std::min<std::int64_t>(cutoff, lo + static_cast<std::int64_t>(kTrimChunk) - 1);
      sqlite::Transaction txn(s.db, s.txn);
      deleted += static_cast<std::uint64_t>(s.delete_prefix.run(id, hi));
      txn.commit();
      lo = hi + 1;
    }
  }
  return deleted;
}

}  // namespace chatd::store
