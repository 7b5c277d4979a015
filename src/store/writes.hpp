#pragma once
// The writes a Store applies, one small struct each, and the Write variant
// that carries any of them in a batch. Plain values: any thread may build
// them; the writer thread hands a batch of them to Store::apply.
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "store/records.hpp"

namespace chatd::store {

// Appends message.seq to message.room. Rejected unless the room exists and
// message.seq == the room's last_seq + 1: history never gets a hole.
struct AppendMessage {
  StoredMessage message;
};

// Rejected if a room of that name exists.
struct CreateRoom {
  std::string name;
  std::int64_t created_ms = 0;
  // Where the room stands in the server's creation order (chatd's room id):
  // rooms() lists rooms by it. Rooms created at once on several shards may
  // reach the store in another order than the server gave them.
  std::uint64_t position = 0;
};

// Rejected if the room does not exist.
struct SetTopic {
  std::string room;
  std::string topic;
};

// Registers an account. Rejected if account.folded is taken.
struct PutAccount {
  Account account;
};

// The three below are rejected if no account has that key.
struct SetPassword {
  std::string folded;
  std::string password_hash;
};

struct SetStatus {
  std::string folded;
  std::string status;
};

struct SetLastSeen {
  std::string folded;
  std::int64_t last_seen_ms = 0;
};

// Queues a private message for an account. Rejected if no account has the
// key to_folded (mail to nobody would never be collected).
struct QueuePm {
  std::string to_folded;
  std::string from_nick;
  std::int64_t time_ms = 0;
  std::string text;
};

// Deletes the account's queued messages with id <= up_to_id (those it was
// shown). Never rejected: deleting nothing is fine.
struct DeletePms {
  std::string to_folded;
  std::uint64_t up_to_id = 0;
};

using Write = std::variant<AppendMessage, CreateRoom, SetTopic, PutAccount,
                           SetPassword, SetStatus, SetLastSeen, QueuePm,
                           DeletePms>;

// "AppendMessage", "PutAccount", ...: for log lines and error messages.
std::string_view write_name(const Write& w);

// True for the writes that must survive a power loss once apply returns
// (accounts and passwords: losing one locks a user out or resurrects an old
// password). A batch holding one is committed with an fsync; the rest of
// the traffic is committed without.
bool needs_durable_commit(const Write& w);

}  // namespace chatd::store
