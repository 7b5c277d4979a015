#pragma once
// A statement prepared once and run many times with bound parameters: the
// only way SQL meets user data here. Each run binds ?1..?N from its
// arguments, steps, and resets the statement before returning (also when
// it throws), so no statement keeps a read snapshot open between runs.
// Owned by one thread: its connection's.
#include <sqlite3.h>

#include <concepts>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>

#include "store/sqlite_connection.hpp"

namespace chatd::store::sqlite {

// One result row, valid only inside the each_row callback.
class Row {
 public:
  explicit Row(sqlite3_stmt* stmt) : stmt_(stmt) {}
  bool is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  std::int64_t int64(int col) const { return sqlite3_column_int64(stmt_, col); }
  // Negative values (never stored by us) read as 0.
  std::uint64_t uint64(int col) const;
  // The bytes as stored (the length is taken, so nothing is cut at a NUL).
  std::string text(int col) const;

 private:
  sqlite3_stmt* stmt_;
};

class Statement {
 public:
  // `what` names the statement in error messages ("insert message").
  Statement(const Connection& db, std::string_view what, std::string_view sql);

  // Binds args to ?1..?N, steps until done; returns the rows changed.
  template <typename... Args>
  int run(const Args&... args) {
    Runner r(*this);
    bind_all(args...);
    while (step()) {
    }
    return sqlite3_changes(sqlite3_db_handle(stmt_.get()));
  }

  // Binds args to ?1..?N and calls on_row(const Row&) for each row.
  template <typename OnRow, typename... Args>
  void each_row(OnRow&& on_row, const Args&... args) {
    Runner r(*this);
    bind_all(args...);
    while (step()) on_row(Row(stmt_.get()));
  }

 private:
  // Resets and unbinds on scope exit. Text is bound without a copy
  // (SQLITE_STATIC), which is sound because the arguments outlive the run.
  struct Runner {
    explicit Runner(Statement& s) : s(s) {}
    ~Runner() {
      sqlite3_reset(s.stmt_.get());
      sqlite3_clear_bindings(s.stmt_.get());
    }
    Runner(const Runner&) = delete;
    Runner& operator=(const Runner&) = delete;
    Statement& s;
  };
  struct Finalize {
    void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
  };

  template <typename... Args>
  void bind_all(const Args&... args) {
    int index = 1;
    (bind(index++, args), ...);
  }
  template <typename T>
  void bind(int index, const T& value) {
    if constexpr (std::is_same_v<T, bool>) {
      bind_int64(index, value ? 1 : 0);
    } else if constexpr (std::signed_integral<T>) {
      bind_int64(index, value);
    } else if constexpr (std::unsigned_integral<T>) {
      bind_uint64(index, value);
    } else {
      static_assert(std::is_convertible_v<const T&, std::string_view>,
                    "bind integers or text");
      bind_text(index, std::string_view(value));
    }
  }
  void bind_int64(int index, std::int64_t value);
  // Above INT64_MAX is rejected (SQLite integers are signed 64-bit).
  void bind_uint64(int index, std::uint64_t value);
  void bind_text(int index, std::string_view value);
  // True for a row, false when done; throws StoreError on failure.
  bool step();

  const Connection* db_;
  std::string what_;
  std::unique_ptr<sqlite3_stmt, Finalize> stmt_;
};

}  // namespace chatd::store::sqlite
