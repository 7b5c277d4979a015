#include "store/sqlite_statement.hpp"

#include <fmt/format.h>

#include <limits>

#include "store/store_error.hpp"

namespace chatd::store::sqlite {

std::uint64_t Row::uint64(int col) const {
  const std::int64_t v = sqlite3_column_int64(stmt_, col);
  return v < 0 ? 0 : static_cast<std::uint64_t>(v);
}

std::string Row::text(int col) const {
  // column_text before column_bytes: that order gives the UTF-8 length.
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
  const int n = sqlite3_column_bytes(stmt_, col);
  return p ? std::string(p, static_cast<std::size_t>(n)) : std::string();
}

Statement::Statement(const Connection& db, std::string_view what, std::string_view sql)
    : db_(&db), what_(what) {
  sqlite3_stmt* raw = nullptr;
  // PERSISTENT: a hint that the statement lives long (kept out of the
  // lookaside allocator).
  const int rc = sqlite3_prepare_v3(db.get(), sql.data(), static_cast<int>(sql.size()),
                                    SQLITE_PREPARE_PERSISTENT, &raw, nullptr);
  stmt_.reset(raw);
  if (rc != SQLITE_OK) db.fail(rc, fmt::format("prepare {}", what_));
}

void Statement::bind_int64(int index, std::int64_t value) {
  const int rc = sqlite3_bind_int64(stmt_.get(), index, value);
  if (rc != SQLITE_OK) db_->fail(rc, what_);
}

void Statement::bind_uint64(int index, std::uint64_t value) {
  if (value > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
    throw StoreError(StoreError::Kind::Rejected,
                     fmt::format("{}: {}: value {} is out of range", db_->path(), what_, value));
  bind_int64(index, static_cast<std::int64_t>(value));
}

void Statement::bind_text(int index, std::string_view value) {
  // A null pointer would bind SQL NULL, not "": an empty view may have one.
  const char* bytes = value.data() ? value.data() : "";
  const int rc = sqlite3_bind_text64(stmt_.get(), index, bytes, value.size(),
                                     SQLITE_STATIC, SQLITE_UTF8);
  if (rc != SQLITE_OK) db_->fail(rc, what_);
}

bool Statement::step() {
  const int rc = sqlite3_step(stmt_.get());
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  db_->fail(rc, what_);
}

}  // namespace chatd::store::sqlite
