#include "store/sqlite_connection.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "store/store_error.hpp"

namespace chatd::store::sqlite {

namespace {

// SQLite creates a missing file with mode 0644; the accounts table holds
// password hashes, which are worth an offline attack, so the file is made
// first, 0600. SQLite gives the -wal and -shm files the database's mode.
void create_private_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd >= 0) ::close(fd);
  // Any failure (EEXIST, a missing directory, EACCES) is left for
  // sqlite3_open_v2 to report, with its own message.
}

}  // namespace

void Connection::Close::operator()(sqlite3* db) const {
  // _v2: if a statement outlived us by mistake, the close is deferred
  // until it is finalized instead of failing with SQLITE_BUSY.
  sqlite3_close_v2(db);
}

Connection::Connection(std::string_view path)
    : path_(path.empty() ? std::string(":memory:") : std::string(path)) {
  if (!path.empty()) create_private_file(path_);
  sqlite3* raw = nullptr;
  const int rc = sqlite3_open_v2(
      path_.c_str(), &raw,
      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX |
          SQLITE_OPEN_EXRESCODE,
      nullptr);
  db_.reset(raw);  // sqlite3_open_v2 may return a handle even on failure
  if (rc != SQLITE_OK) {
    if (!raw) throw StoreError(StoreError::Kind::Database,
                               fmt::format("{}: open: out of memory", path_), rc);
    fail(rc, "open");
  }
  sqlite3_extended_result_codes(raw, 1);
}

void Connection::fail(int rc, std::string_view doing) const {
  std::string message = fmt::format("{}: {}: {}", path_, doing,
                                    db_ ? sqlite3_errmsg(db_.get()) : sqlite3_errstr(rc));
  // For a failure to open or read the file, the OS's reason is the useful
  // part ("Permission denied", "No space left on device").
  const int primary = rc & 0xff;
  if (db_ && (primary == SQLITE_CANTOPEN || primary == SQLITE_IOERR)) {
    if (const int os = sqlite3_system_errno(db_.get()); os != 0)
      message += fmt::format(" ({})", std::strerror(os));
  }
  const auto kind = primary == SQLITE_CONSTRAINT ? StoreError::Kind::Rejected
                                                 : StoreError::Kind::Database;
  throw StoreError(kind, std::move(message), rc);
}

void Connection::exec(const char* sql, std::string_view doing) {
  const int rc = sqlite3_exec(db_.get(), sql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) fail(rc, doing);
}

bool Connection::read_only() const {
  return sqlite3_db_readonly(db_.get(), "main") == 1;
}

bool Connection::in_transaction() const {
  return sqlite3_get_autocommit(db_.get()) == 0;
}

}  // namespace chatd::store::sqlite
