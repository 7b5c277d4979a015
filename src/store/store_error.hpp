#pragma once
// The one exception the store throws. Immutable once built: any thread may
// read it.
#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

namespace chatd::store {

class StoreError : public std::runtime_error {
 public:
  enum class Kind {
    // One write of the batch contradicts the stored state (duplicate
    // account or room, unknown account or room, message out of seq order).
    // write_index() names it. The rest of the batch is fine: drop that
    // write and apply the others (see apply_dropping_rejected).
    Rejected,
    // The database could not do it: disk full, read-only file, I/O error,
    // corrupt file, locked by another process, newer schema. Nothing in the
    // batch blames a write; retrying the same batch later may succeed.
    // write_index() is set when the error came while executing that write,
    // empty when it came from BEGIN or COMMIT (or outside apply).
    Database,
  };

  StoreError(Kind kind, std::string message, int sqlite_code = 0,
             std::optional<std::size_t> write_index = std::nullopt)
      : std::runtime_error(std::move(message)),
        kind_(kind),
        sqlite_code_(sqlite_code),
        write_index_(write_index) {}

  Kind kind() const { return kind_; }
  // The extended SQLite result code (SQLITE_FULL, SQLITE_READONLY, ...), 0
  // when the error is the store's own (e.g. a rejected seq).
  int sqlite_code() const { return sqlite_code_; }
  // Position in the batch given to apply() of the write that failed.
  std::optional<std::size_t> write_index() const { return write_index_; }

 private:
  Kind kind_;
  int sqlite_code_;
  std::optional<std::size_t> write_index_;
};

}  // namespace chatd::store
