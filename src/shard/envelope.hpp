#pragma once
// What shards (and the services beside them) say to each other through
// their SPSC queues.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "chat/session.hpp"
#include "io/reactor.hpp"
#include "shard/shared_event.hpp"
#include "store/records.hpp"

namespace chatd::shard {

// Why an account is looked up, hashed or written: carried through every hop
// of an account request and echoed by each answer, so the requester knows
// what the answer is for.
enum class AccountPurpose : std::uint8_t { None, Login, Identify, Register, ChangePassword, Status };

// A password in transit: wiped when dropped, never logged. Move-only.
class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string_view s) : s_(s) {}
  Secret(Secret&& o) noexcept : s_(std::move(o.s_)) { o.wipe(); }
  Secret& operator=(Secret&& o) noexcept {
    wipe();
    s_ = std::move(o.s_);
    o.wipe();
    return *this;
  }
  ~Secret() { wipe(); }
  std::string_view view() const { return s_; }

 private:
  void wipe();
  std::string s_;
};

// The bulky or rare parts of a letter, kept behind a pointer so that the
// hot path (Publish, Deliver) moves a small Envelope.
struct Payload {
  std::vector<EventRef> events;               // history from an owner's memory, oldest first
  std::vector<store::StoredMessage> stored;   // history from the store, oldest first
  std::vector<store::PrivateMessage> pms;     // queued private messages
  std::vector<std::string> names, details;    // /who: members and their statuses
  std::vector<std::uint64_t> order;           // /who: when each joined (the room's event count)
  store::Account account;                     // lookups, registration, whois
  std::string hash;                           // a password hash
  std::optional<store::Account> fresh;        // ClusterAccountFresh: the account as Redis has it (none: no account)
  Secret password, new_password;
};

// Moved through one SpscQueue from one thread to another. A plain value:
// its event reference and payload travel with it and are released with it.
struct Envelope {
  enum class Kind : std::uint8_t {
    // Nicknames and rooms (owner: by hash of the name).
    NickClaim,     // -> nick owner: name = folded nick, nick; ok = a /nick (rename)
    NickResult,    // <- nick_status; payload.hash when NeedsPassword
    NickRelease,   // -> nick owner: name = folded nick
    NickConfirm,   // -> nick owner: name = folded nick; the holder gave the account's password
    Create,        // -> room owner: name = room, text = the client's address (per-address cap)
    CreateResult,  // <- created
    RoomAdded,     // owner -> every shard: room_id, name (for /rooms)
    Join,          // -> room owner: name = room, nick
    JoinResult,    // <- ok, room_id, name, nick, text = topic; payload.events = recent history
    Leave,         // -> room owner: room_id, nick, leave
    Publish,       // -> room owner: room_id, event (one shard reference)
    Deliver,       // owner -> member shards: room_id, event, conn = excluded member
    // Rooms: asking the owner.
    HistoryAsk,    // -> room owner: room_id, number = how many
    HistoryBatch,  // <- name = room; payload.events / payload.stored
    TopicAsk,      // -> room owner: room_id; ok = set it to text
    TopicInfo,     // <- name = room, text = topic
    MembersAsk,    // -> every shard: room_id (its own members, for a /who)
    MembersInfo,   // <- payload.names/details
    MemberUpdate,  // -> room owner: room_id, nick = new nick, text = old (announce it)
    // Accounts (nick owner keeps the registered nicknames and their hashes).
    AccountAsk,    // -> nick owner: name = folded; number = what for (AccountPurpose)
    AccountInfo,   // <- ok = exists; payload.account; number = purpose
    AccountCreate, // -> nick owner: name = folded, nick; payload.hash
    AccountSet,    // -> nick owner: name = folded; payload.hash (password) or text (status) or number (last seen)
    AccountDone,   // <- account_status; number = purpose
    // Private messages and profiles.
    PmSend,        // -> nick owner(to): name = folded to, nick = from, text
    PmDeliver,     // owner -> holder's shard: conn = recipient, nick = from, text, number = time
    PmResult,      // <- sender: name = to nick, text, number = 0 delivered, 1 queued, 2 no such nick
    WhoisAsk,      // -> nick owner: name = folded
    WhoisLocal,    // owner -> holder's shard: conn = holder, from_conn/from_shard = asker; payload.account
    WhoisInfo,     // <- asker: ok = found; payload.account, name = room, text = status, number = online
    // Services.
    StoreWrite,    // -> store: payload.account etc. per `write`; ack to (from, conn) if ack
    StoreAck,      // <- account_status; number = purpose
    StoreHistory,  // -> store: name = room, number = before seq, room_id = limit; payload.events appended after
    StorePms,      // -> store: name = folded
    PendingPms,    // <- payload.pms
    AuthCheck,     // -> auth: payload.hash, password (and new_password: hash it too); number = purpose
    AuthHash,      // -> auth: payload.password; number = purpose
    AuthResult,    // <- ok; payload.hash (a new hash); number = purpose
    // Cluster (--cluster): the room owner <-> this node's RedisLink.
    ClusterWatch,     // -> link: name = room; number = history wanted (follow the room from now on)
    ClusterWatched,   // <- owner: name, ok (else Redis is unreachable), text = topic; payload.events = history
    ClusterPublish,   // -> link: name = room, event; conn/reply_shard = the sender (left out, told of failure)
    ClusterDeliver,   // <- owner: name, event (seq = the room's offset); conn/reply_shard = sender here, if any
    ClusterLost,      // <- owner: name; number = events that cannot be recovered (0 = unknown)
    ClusterFailed,    // link -> sender's shard: conn, text = a message that could not be published
    RoomNotice,       // owner -> member shards: room_id, number (ClusterLost, for local members)
    ClusterPause,     // <- owner: name; ok = chat across nodes paused, else resumed (PauseRule)
    RoomPause,        // owner -> member shards: room_id, ok (ClusterPause, for local members)
    ClusterCreate,    // -> link: name = room; conn, reply_shard = the requester
    ClusterCreated,   // <- owner: name, created; conn, reply_shard
    ClusterRoomAdded, // <- owner: name (created on some node)
    ClusterNickClaim, // -> link: name = folded, nick; conn, reply_shard (nick owner), ok = rename
    ClusterNickClaimed, // <- nick owner: name, ok = claimed; conn, reply_shard = the claiming shard
    ClusterNickRelease, // -> link: name = folded
    ClusterPmSend,    // -> link: name = folded to, nick = from, text, number = ms; conn, reply_shard = sender
    ClusterPmIn,      // <- nick owner: name = folded to, nick = from, text, number = ms
    // Cluster accounts (they live in Redis; a nick owner's AccountBook is a cache, read again first).
    ClusterAccountGet,   // -> link: a nick owner's request, kind kept in `write`, its `from` in reply_shard
    ClusterAccountFresh, // <- nick owner: the same request back; payload.fresh; account_status Unavailable = not read
    ClusterAccountWrite, // -> link: a StoreWrite (PutAccount, SetPassword, SetStatus, SetLastSeen); StoreAck back if ok
    ClusterPmsTake,      // -> link: name = folded; conn (answered with PendingPms, the queue emptied)
  };
  Kind kind{};
  bool ok = false;
  chat::CreateStatus created{};
  chat::LeaveKind leave{};
  chat::NickStatus nick_status{};
  chat::AccountStatus account_status{};
  std::uint8_t write = 0;           // StoreWrite: which store::Write (see StoreService)
  std::uint8_t purpose = 0;         // accounts: an AccountPurpose, echoed by every answer
  std::uint16_t from = 0;           // sending thread's mesh index
  std::uint16_t reply_shard = 0;    // where the answer goes when not `from`
  std::uint32_t room_id = 0;
  io::Token conn = 0;               // the connection concerned, on shard `from` (or reply_shard)
  std::uint64_t number = 0;
  EventRef event;
  std::string name;
  std::string nick;
  std::string text;
  std::unique_ptr<Payload> payload;

  Payload& extra() {
    if (!payload) payload = std::make_unique<Payload>();
    return *payload;
  }
};

}  // namespace chatd::shard
