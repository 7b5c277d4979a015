// The login: the nickname step and, for a nickname that belongs to an
// account, its password. An unregistered nickname goes straight from the
// claim to the welcome, exactly as in the original.
#include "chat/password_input.hpp"
#include "chat/sanitize.hpp"
#include "chat/session.hpp"

namespace chatd::chat {

void Session::on_nickname(SessionHost& host, std::string_view raw) {
  std::string nick = sanitize(raw);
  // The original named silent users after their port; so do we.
  if (nick.empty()) nick = default_nick(lang_, peer_port_);
  if (nick.front() == '/' || utf8_length(nick) > kMaxNickChars) {
    host.send(Event::error_of(ErrorCode::NickInvalid));
    host.send(Event::of(EventKind::Prompt));
    return;
  }
  nick_ = std::move(nick);
  phase_ = Phase::ClaimingNick;
  host.claim_nick(nick_);
}

void Session::nick_result(SessionHost& host, NickStatus status) {
  if (phase_ != Phase::ClaimingNick) return;
  switch (status) {
    case NickStatus::Ok:
      registered_ = true;
      phase_ = Phase::Chat;
      host.send({.kind = EventKind::Welcome, .nick = nick_});
      return;
    case NickStatus::NeedsPassword:
      if (!secure_) {
        // Not even asked for: a password typed here would cross the network in clear.
        host.release_nick();
        host.send({.kind = EventKind::Error, .error = ErrorCode::TlsRequired, .nick = nick_});
        host.send(Event::of(EventKind::Prompt));
        nick_.clear();
        phase_ = Phase::Nickname;
        return;
      }
      wrong_passwords_ = 0;
      phase_ = Phase::Password;
      prompt_password(host);
      return;
    case NickStatus::Taken:
    case NickStatus::Registered:  // meant for /nick; here it can only mean "not yours"
      host.send({.kind = EventKind::Error, .error = ErrorCode::NickTaken, .nick = nick_});
      host.send(Event::of(EventKind::Prompt));
      nick_.clear();
      phase_ = Phase::Nickname;
      return;
  }
}

void Session::prompt_password(SessionHost& host) {
  host.send({.kind = EventKind::PasswordPrompt, .nick = nick_});
}

void Session::on_login_password(SessionHost& host, std::string_view raw) {
  const std::string_view password = without_line_end(raw);
  // A password that cannot be right is refused before anyone hashes it, and
  // does not count as an attempt: only wrong passwords do.
  if (!acceptable_password(password)) {
    host.send(Event::error_of(ErrorCode::PasswordInvalid));
    prompt_password(host);
    return;
  }
  phase_ = Phase::CheckingPassword;
  host.check_password(password);
}

void Session::password_result(SessionHost& host, AccountStatus status) {
  if (phase_ != Phase::CheckingPassword) return;
  switch (status) {
    case AccountStatus::Ok:
      wrong_passwords_ = 0;
      registered_ = true;
      identified_ = true;
      phase_ = Phase::Chat;
      host.send({.kind = EventKind::Identified, .nick = nick_});
      host.send({.kind = EventKind::Welcome, .nick = nick_});
      return;
    case AccountStatus::WrongPassword:
      if (++wrong_passwords_ >= kMaxPasswordAttempts) {
        close_login(host, ErrorCode::TooManyAttempts);
        return;
      }
      phase_ = Phase::Password;
      host.send(Event::error_of(ErrorCode::WrongPassword));
      prompt_password(host);
      return;
    case AccountStatus::Throttled:
      close_login(host, ErrorCode::LoginThrottled);
      return;
    case AccountStatus::NotRegistered:
    case AccountStatus::AlreadyRegistered:
    case AccountStatus::Unavailable:
      // Not a login answer (or the check failed): a login that cannot be
      // checked does not let anyone in.
      close_login(host, ErrorCode::StorageUnavailable);
      return;
  }
}

void Session::close_login(SessionHost& host, ErrorCode why) {
  host.send(Event::error_of(why));
  host.release_nick();  // nick() still names it, for the host's log
  phase_ = Phase::Closed;
  host.finish();
}

}  // namespace chatd::chat
