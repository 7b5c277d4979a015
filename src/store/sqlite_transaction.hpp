#pragma once
// A write transaction as a scope: BEGIN IMMEDIATE on construction, ROLLBACK
// on destruction unless commit() succeeded. The three statements are
// prepared once per connection (TransactionStatements) and reused.
// Owned by one thread: its connection's.
#include "store/sqlite_connection.hpp"
#include "store/sqlite_statement.hpp"

namespace chatd::store::sqlite {

struct TransactionStatements {
  explicit TransactionStatements(const Connection& db);
  // IMMEDIATE takes the write lock at BEGIN: a writer that has read first
  // could otherwise fail with SQLITE_BUSY at its first write, in the
  // middle of a batch, with no busy handler help (a WAL snapshot upgrade).
  Statement begin;
  Statement commit;
  Statement rollback;
};

class Transaction {
 public:
  // Rolls back a transaction a failed ROLLBACK left open, then begins.
  Transaction(Connection& db, TransactionStatements& statements);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  // Throws StoreError if COMMIT fails; the destructor then rolls back.
  void commit();

 private:
  Connection& db_;
  TransactionStatements& statements_;
  bool done_ = false;
};

}  // namespace chatd::store::sqlite
