#include "store/sqlite_transaction.hpp"

namespace chatd::store::sqlite {

TransactionStatements::TransactionStatements(const Connection& db)
    : begin(db, "BEGIN", "BEGIN IMMEDIATE"),
      commit(db, "COMMIT", "COMMIT"),
      rollback(db, "ROLLBACK", "ROLLBACK") {}

Transaction::Transaction(Connection& db, TransactionStatements& statements)
    : db_(db), statements_(statements) {
  if (db_.in_transaction()) statements_.rollback.run();
  statements_.begin.run();
}

Transaction::~Transaction() {
  if (done_ || !db_.in_transaction()) return;  // SQLite may have rolled back already
  try {
    statements_.rollback.run();
  } catch (...) {
    // Left open; the next Transaction rolls it back before it begins.
  }
}

void Transaction::commit() {
  statements_.commit.run();
  done_ = true;
}

}  // namespace chatd::store::sqlite
