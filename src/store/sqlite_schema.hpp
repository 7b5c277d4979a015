#pragma once
// The chatd schema: which file is a chatd database, its version (PRAGMA
// user_version) and the migrations that bring an older file up to date.
// Free functions on a Connection: the connection's rule applies (owned by
// one thread).
#include <cstdint>

#include "store/sqlite_connection.hpp"

namespace chatd::store::sqlite {

// The schema version this build reads and writes.
inline constexpr std::int64_t kSchemaVersion = 1;
// PRAGMA application_id of a chatd database: "chat" in ASCII, so file(1)
// and we can tell it from other SQLite files.
inline constexpr std::int64_t kApplicationId = 0x63686174;

// Reads the file's identity before anything writes to it. Throws StoreError
// (Database) naming the file if it is not a database (SQLite's "file is not
// a database"), is another application's database, or has a schema newer
// than kSchemaVersion. An empty file or a new one is fine.
void check_identity(Connection& db);

// Creates the schema in an empty database or runs the migrations an older
// one needs, in one transaction. No-op (and no write) when up to date, so
// a read-only file at the current version opens.
void migrate(Connection& db);

}  // namespace chatd::store::sqlite
