#pragma once
// One open SQLite database (sqlite3*), closed on destruction, and the
// error reporting every SQLite call here goes through: a StoreError whose
// message starts with the file's path, on one line.
// Owned by one thread: opened with SQLITE_OPEN_NOMUTEX, so SQLite does not
// lock it either.
#include <memory>
#include <string>
#include <string_view>

struct sqlite3;

namespace chatd::store::sqlite {

class Connection {
 public:
  // Opens (creating if missing, mode 0600: it holds password hashes) the
  // database file at `path`; an empty path opens a private in-memory
  // database. Throws StoreError (Database) naming the file.
  explicit Connection(std::string_view path);

  sqlite3* get() const { return db_.get(); }
  // The path given, or ":memory:": what error messages name.
  const std::string& path() const { return path_; }

  // Throws the StoreError for a failed call that returned `rc`, with
  // SQLite's message: "<path>: <doing>: <sqlite message>". SQLITE_CONSTRAINT
  // codes are Kind::Rejected (a write contradicts the data), the rest
  // Kind::Database.
  [[noreturn]] void fail(int rc, std::string_view doing) const;

  // Runs constant SQL (schema, pragmas) that carries no user data; what
  // does goes through Statement's bound parameters.
  void exec(const char* sql, std::string_view doing);

  // True when the file could only be opened read-only (its mode, the
  // directory's, a read-only mount): every write will fail.
  bool read_only() const;

  // True between BEGIN and COMMIT/ROLLBACK.
  bool in_transaction() const;

 private:
  struct Close {
    void operator()(sqlite3* db) const;
  };
  std::string path_;
  std::unique_ptr<sqlite3, Close> db_;
};

}  // namespace chatd::store::sqlite
