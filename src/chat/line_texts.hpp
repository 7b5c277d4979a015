#pragma once
// Every text a line client can receive, in Portuguese (line-pt, the original
// Python server's bytes) and English (line-en): the tables are in
// line_texts.cpp, and only there. line_dialect.cpp picks one and fills it
// in; only the language-independent pieces (separators, the message and
// history line shapes) live there and in line_dialect.hpp.
#include <string_view>

#include "chat/lang.hpp"

namespace chatd::chat {

// Every text of one language. Those with {} take the event's fields, in the
// order render() passes them; the others are sent as they are.
struct LineTexts {
  std::string_view prompt;  // no newline
  std::string_view welcome;  // nick
  std::string_view help;
  std::string_view room_list;       // the names follow, then "\n"
  std::string_view room_list_none;  // instead of the names
  // The count line after the names, when shown (a filter or page asked, or
  // more than a page). Numbers come with thousands separators.
  std::string_view room_list_page;      // first, last, total, matching ("" or room_list_matching), page, pages
  std::string_view room_list_matching;  // filter
  std::string_view room_list_next;      // the command that shows the next page; then "\n"
  std::string_view room_list_command;   // the /rooms word of this language
  std::string_view room_list_no_match;  // filter: nothing matches (the names said "none")
  std::string_view room_list_past_end;  // page, total, matching, pages: instead of the names
  std::string_view thousands;           // the thousands separator
  std::string_view room_created;    // room
  std::string_view joined_self;     // room
  std::string_view joined;          // nick, room
  std::string_view left_self;
  std::string_view left;       // nick, room
  std::string_view quit_self;
  std::string_view quit;       // nick, room
  // Errors, by ErrorCode.
  std::string_view nick_taken;  // nick
  std::string_view nick_invalid;
  std::string_view room_exists;
  std::string_view room_invalid;
  std::string_view room_limit;
  std::string_view room_rate_limited;
  std::string_view no_such_room;
  std::string_view already_in_room;  // room
  std::string_view not_in_room;
  std::string_view message_outside_room;
  std::string_view usage_create;
  std::string_view usage_join;
  std::string_view unknown_command;  // text (the command word)
  std::string_view line_too_long;    // number (the limit)
  std::string_view login_timeout;
  std::string_view slow_consumer;
  std::string_view shutting_down;
  std::string_view server_full;
  std::string_view too_many_from_ip;
  std::string_view flood;
  std::string_view wrong_password;
  std::string_view too_many_attempts;
  std::string_view login_throttled;
  std::string_view password_invalid;
  std::string_view not_registered;      // nick
  std::string_view already_registered;  // nick
  std::string_view already_identified;  // nick
  std::string_view not_identified;
  std::string_view nick_registered;     // nick
  std::string_view no_such_nick;        // nick
  std::string_view not_in_room_for_command;
  std::string_view storage_unavailable;
  std::string_view usage_register;
  std::string_view usage_identify;
  std::string_view usage_password;
  std::string_view usage_history;
  std::string_view usage_msg;
  std::string_view usage_nick;
  std::string_view usage_whois;
  std::string_view topic_too_long;   // number (the limit)
  std::string_view status_too_long;  // number (the limit)
  std::string_view tls_required;
  std::string_view messages_lost;          // room, number
  std::string_view messages_lost_unknown;  // room
  std::string_view cluster_unavailable;    // text (the message)
  std::string_view cluster_paused;         // (the room is the one the member is in)
  std::string_view cluster_resumed;

  // Accounts, history, private messages (issue 10).
  std::string_view password_prompt;     // nick; no newline
  std::string_view identified;          // nick
  std::string_view account_registered;  // nick
  std::string_view password_changed;
  std::string_view history_empty;       // room
  std::string_view private_from;        // nick, text
  std::string_view private_to;          // nick, text
  std::string_view private_queued;      // nick
  std::string_view member_list;         // room; the members follow, then "\n"
  std::string_view member_list_none;    // instead of the members
  std::string_view member_status;       // nick, status: one member with a status
  std::string_view topic;               // room, text
  std::string_view topic_none;          // room
  std::string_view topic_changed;       // nick, room, text
  std::string_view topic_cleared;       // nick, room
  std::string_view nick_changed;        // nick, other
  std::string_view nick_changed_self;   // nick
  std::string_view status_set;          // text
  std::string_view status_cleared;
  // Whois: whois_head (nick), then the parts that apply, joined by ", ",
  // then "\n".
  std::string_view whois_head;           // nick
  std::string_view whois_since;          // date (YYYY-MM-DD)
  std::string_view whois_no_account;
  std::string_view whois_status;         // status
  std::string_view whois_room;           // room
  std::string_view whois_online;
  std::string_view whois_last_seen;      // date and time (YYYY-MM-DD HH:MM)
  std::string_view whois_offline;        // never seen
};

// The table of `lang`; lives for the whole program.
const LineTexts& line_texts(Lang lang);

}  // namespace chatd::chat
