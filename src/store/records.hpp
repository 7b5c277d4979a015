#pragma once
// What the store keeps, as plain values: no behaviour, no ownership rules
// beyond those of std::string. Any thread may hold and copy them.
#include <cstdint>
#include <string>

namespace chatd::store {

// One message said in a room. `seq` is the room's sequence number: dense
// from 1, in the order the room's owner serialised the messages.
struct StoredMessage {
  std::string room;
  std::uint64_t seq = 0;
  std::int64_t time_ms = 0;  // wall clock, milliseconds since the epoch
  std::string nick;          // display form of the speaker's nickname
  std::string text;
  bool operator==(const StoredMessage&) const = default;
};

// A registered nickname. `folded` (the case-folded nick) is the key; the
// caller folds, the store compares bytes.
struct Account {
  std::string nick;           // display form, as registered
  std::string folded;         // key
  std::string password_hash;  // crypto_pwhash_str output ($argon2id$...)
  std::int64_t created_ms = 0;
  std::string status;
  std::int64_t last_seen_ms = 0;
  bool operator==(const Account&) const = default;
};

// A room as stored. `last_seq` is the seq of the room's newest message ever
// appended (0 = none); it survives trimming, so numbering resumes from it.
struct RoomRecord {
  std::string name;
  std::string topic;
  std::int64_t created_ms = 0;
  std::uint64_t last_seq = 0;
  bool operator==(const RoomRecord&) const = default;
};

// A private message queued for an account that was offline. `id` grows
// with every message queued and is never reused.
struct PrivateMessage {
  std::uint64_t id = 0;
  std::string to_folded;
  std::string from_nick;
  std::int64_t time_ms = 0;
  std::string text;
  bool operator==(const PrivateMessage&) const = default;
};

}  // namespace chatd::store
