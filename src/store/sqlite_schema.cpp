#include "store/sqlite_schema.hpp"

#include <fmt/format.h>

#include <string_view>

#include "store/sqlite_statement.hpp"
#include "store/store_error.hpp"

namespace chatd::store::sqlite {

namespace {

// Migration N turns a version N-1 database into version N. Append only:
// a released migration is never edited, since files out there ran it.
struct Migration {
  std::int64_t version;
  const char* sql;
};

constexpr Migration kMigrations[] = {
    {1, R"sql(
-- Rooms in creation order (id). AUTOINCREMENT: an id is never reused, so
-- messages left behind by a deleted room could never surface in a new one.
-- last_seq is bumped in the same transaction as each message insert, and
-- survives trimming, so numbering resumes where it stopped.
CREATE TABLE rooms(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL UNIQUE,
  created_ms INTEGER NOT NULL,
  topic TEXT NOT NULL DEFAULT '',
  position INTEGER NOT NULL DEFAULT 0,
  last_seq INTEGER NOT NULL DEFAULT 0
);

-- Clustered on (room_id, seq): "the last N of a room", "N before seq" and
-- deleting a room's oldest messages are each a range of one b-tree. The
-- room is its integer id, not its name, to keep the key of millions of
-- rows small.
CREATE TABLE messages(
  room_id INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  time_ms INTEGER NOT NULL,
  nick TEXT NOT NULL,
  text TEXT NOT NULL,
  PRIMARY KEY(room_id, seq)
) WITHOUT ROWID;

CREATE TABLE accounts(
  folded TEXT PRIMARY KEY NOT NULL,
  nick TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  status TEXT NOT NULL DEFAULT '',
  last_seen_ms INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

-- AUTOINCREMENT: ids are never reused, so a late "delete up to id N" can
-- not delete a message queued after the ones it was meant for.
CREATE TABLE pms(
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  to_folded TEXT NOT NULL,
  from_nick TEXT NOT NULL,
  time_ms INTEGER NOT NULL,
  text TEXT NOT NULL
);
CREATE INDEX pms_by_recipient ON pms(to_folded, id);
)sql"},
};

static_assert(std::size(kMigrations) == kSchemaVersion,
              "one migration per schema version");

std::int64_t read_int(Connection& db, std::string_view what, std::string_view sql) {
  Statement st(db, what, sql);
  std::int64_t value = 0;
  st.each_row([&](const Row& row) { value = row.int64(0); });
  return value;
}

std::int64_t user_version(Connection& db) {
  return read_int(db, "reading the schema version", "PRAGMA user_version");
}

}  // namespace

void check_identity(Connection& db) {
  // The first read of the file: where SQLite finds out it is not a database.
  const std::int64_t version = user_version(db);
  const std::int64_t app = read_int(db, "reading the application id", "PRAGMA application_id");
  const std::int64_t objects = read_int(db, "reading the schema",
                                        "SELECT count(*) FROM sqlite_schema");
  const bool empty = app == 0 && version == 0 && objects == 0;
  if (!empty && app != kApplicationId)
    throw StoreError(StoreError::Kind::Database,
                     fmt::format("{}: not a chatd database (application_id {:#x}, "
                                 "{} schema objects)",
                                 db.path(), app, objects));
  if (version > kSchemaVersion)
    throw StoreError(StoreError::Kind::Database,
                     fmt::format("{}: schema version {} is newer than this chatd's ({})",
                                 db.path(), version, kSchemaVersion));
}

void migrate(Connection& db) {
  if (user_version(db) == kSchemaVersion) return;
  db.exec("BEGIN IMMEDIATE", "migrating the schema");
  try {
    // Read again under the write lock: another process may have migrated.
    const std::int64_t from = user_version(db);
    for (const Migration& m : kMigrations) {
      if (m.version <= from) continue;
      db.exec(m.sql, fmt::format("migrating the schema to version {}", m.version));
    }
    // PRAGMA takes no bound parameters; these are our own constants.
    db.exec(fmt::format("PRAGMA user_version = {}", kSchemaVersion).c_str(),
            "setting the schema version");
    db.exec(fmt::format("PRAGMA application_id = {}", kApplicationId).c_str(),
            "setting the application id");
    db.exec("COMMIT", "migrating the schema");
  } catch (...) {
    if (db.in_transaction()) sqlite3_exec(db.get(), "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

}  // namespace chatd::store::sqlite
