// The account commands: /register, /identify, /password, and their answers.
// Passwords are read from the raw line as typed (see password_input.hpp),
// handed to the host and forgotten: no event carries one, no member keeps
// one.
#include <optional>

#include "chat/command.hpp"
#include "chat/password_input.hpp"
#include "chat/session.hpp"

namespace chatd::chat {
namespace {

std::string_view trim_blanks(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The command as typed, arguments unsanitised. The sanitised line said it
// is a `kind` command; when the raw line does not (control characters in
// or before the command word), there is no telling which bytes were meant
// as the password: nullopt.
std::optional<Command> typed_command(std::string_view raw, CommandKind kind) {
  const Command typed = parse_command(trim_blanks(without_line_end(raw)));
  if (typed.kind != kind) return std::nullopt;
  return typed;
}

ErrorCode error_for(AccountStatus status) {
  switch (status) {
    case AccountStatus::WrongPassword:
      return ErrorCode::WrongPassword;
    case AccountStatus::Throttled:
      return ErrorCode::LoginThrottled;
    case AccountStatus::NotRegistered:
      return ErrorCode::NotRegistered;
    case AccountStatus::AlreadyRegistered:
      return ErrorCode::AlreadyRegistered;
    case AccountStatus::Ok:  // not an error; never asked
    case AccountStatus::Unavailable:
      break;
  }
  return ErrorCode::StorageUnavailable;
}

}  // namespace

void Session::on_register(SessionHost& host, std::string_view raw) {
  if (identified_) {
    host.send({.kind = EventKind::Error, .error = ErrorCode::AlreadyIdentified, .nick = nick_});
    return;
  }
  if (!secure_) return host.send(Event::error_of(ErrorCode::TlsRequired));
  const std::optional<Command> typed = typed_command(raw, CommandKind::Register);
  if (typed && typed->arg.empty()) {
    host.send(Event::error_of(ErrorCode::UsageRegister));
    return;
  }
  if (!typed || !acceptable_password(typed->arg)) {
    host.send(Event::error_of(ErrorCode::PasswordInvalid));
    return;
  }
  account_request_ = AccountRequest::Register;
  phase_ = Phase::AwaitingAccount;
  host.register_account(typed->arg);
}

void Session::on_identify(SessionHost& host, std::string_view raw) {
  if (identified_) {
    host.send({.kind = EventKind::Error, .error = ErrorCode::AlreadyIdentified, .nick = nick_});
    return;
  }
  if (!secure_) return host.send(Event::error_of(ErrorCode::TlsRequired));
  const std::optional<Command> typed = typed_command(raw, CommandKind::Identify);
  if (typed && typed->arg.empty()) {
    host.send(Event::error_of(ErrorCode::UsageIdentify));
    return;
  }
  if (!typed || !acceptable_password(typed->arg)) {
    host.send(Event::error_of(ErrorCode::PasswordInvalid));
    return;
  }
  account_request_ = AccountRequest::Identify;
  phase_ = Phase::AwaitingAccount;
  host.identify(typed->arg);
}

void Session::on_change_password(SessionHost& host, std::string_view raw) {
  // First: on a plaintext connection under --require-tls-for-login nobody
  // can be identified, and the password must not be typed here at all.
  if (!secure_) return host.send(Event::error_of(ErrorCode::TlsRequired));
  if (!identified_) {
    host.send(Event::error_of(ErrorCode::NotIdentified));
    return;
  }
  // The old password is the first word, the new one the rest: an old
  // password with blanks in it cannot be given here.
  const std::optional<Command> typed = typed_command(raw, CommandKind::Password);
  if (typed && (typed->first.empty() || typed->rest.empty())) {
    host.send(Event::error_of(ErrorCode::UsagePassword));
    return;
  }
  if (!typed || !acceptable_password(typed->first) || !acceptable_password(typed->rest)) {
    host.send(Event::error_of(ErrorCode::PasswordInvalid));
    return;
  }
  account_request_ = AccountRequest::ChangePassword;
  phase_ = Phase::AwaitingAccount;
  host.change_password(typed->first, typed->rest);
}

void Session::account_result(SessionHost& host, AccountStatus status) {
  if (phase_ != Phase::AwaitingAccount) return;
  phase_ = Phase::Chat;
  if (status != AccountStatus::Ok) {
    host.send({.kind = EventKind::Error, .error = error_for(status), .nick = nick_});
    return;
  }
  switch (account_request_) {
    case AccountRequest::Register:
      identified_ = true;
      host.send({.kind = EventKind::AccountRegistered, .nick = nick_});
      return;
    case AccountRequest::Identify:
      identified_ = true;
      host.send({.kind = EventKind::Identified, .nick = nick_});
      return;
    case AccountRequest::ChangePassword:
      host.send(Event::of(EventKind::PasswordChanged));
      return;
  }
}

}  // namespace chatd::chat
