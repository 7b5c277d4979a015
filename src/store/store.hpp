#pragma once
// Where chatd keeps what outlives the process: rooms and their history,
// accounts, queued private messages. Synchronous: every call does its I/O
// before it returns, so only a thread that may block calls it (the writer
// thread, or a reader thread with its own Store), never a shard.
//
// Owned by one thread: a Store is not safe to call from two threads, even
// one at a time without a handover that orders memory (a queue does).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "store/records.hpp"
#include "store/store_error.hpp"
#include "store/writes.hpp"

namespace chatd::store {

class Store {
 public:
  virtual ~Store() = default;

  // Applies the writes in order and commits them together: when apply
  // returns, all of them are stored; when it throws StoreError, none is
  // (the transaction was rolled back) and the store is usable again.
  //   kind() == Rejected: batch[*write_index()] contradicts the stored state;
  //     the caller reports it (e.g. "nick taken") and applies the others.
  //   kind() == Database: the database failed (disk full, read-only, I/O);
  //     the caller logs it and retries the batch later or gives it up.
  // Durability: see the implementation (SqliteStore: docs/storage.md).
  virtual void apply(std::span<const Write> batch) = 0;

  // Every room, in creation order.
  virtual std::vector<RoomRecord> rooms() = 0;

  // Up to `limit` messages of `room` with seq < before_seq (0 = the newest
  // ones), oldest first. Empty for an unknown room.
  virtual std::vector<StoredMessage> history(std::string_view room,
                                             std::uint64_t before_seq,
                                             std::size_t limit) = 0;

  virtual std::optional<Account> account(std::string_view folded) = 0;
  // Every account (read once at start: the nickname owners keep them).
  virtual std::vector<Account> accounts() = 0;

  // The account's queued private messages, oldest (lowest id) first.
  virtual std::vector<PrivateMessage> pending_pms(std::string_view to_folded) = 0;

  // Messages stored, all rooms together.
  virtual std::uint64_t message_count() = 0;

  // Retention. In each room, deletes the oldest messages so that at most
  // keep_per_room remain (0 = no count limit) and none older than
  // min_time_ms remains (0 = no age limit). Only a prefix of a room's
  // history is ever deleted, so what remains has no hole: a message newer
  // than min_time_ms shields the ones after it even if the clock went back.
  // A room's last_seq is kept. Returns the number of messages deleted.
  // Throws StoreError (Database) when the database fails; what was already
  // deleted stays deleted.
  virtual std::uint64_t trim(std::size_t keep_per_room,
                             std::int64_t min_time_ms) = 0;
};

}  // namespace chatd::store
