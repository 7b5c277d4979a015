#!/usr/bin/env python3
"""Accounts (docs/protocol.md "Accounts, history, private messages").

Real chatd, real TCP on 127.0.0.1; one login goes through real `nc`
(netcat-openbsd), the others through raw sockets.  Every sub-check runs
against its own daemon, with --auth-threads 1 and a handful of password
hashes each (an Argon2id hash takes ~100 ms and 64 MiB).

  * unregistered nicknames behave exactly as before (the plain welcome);
  * /register, then reconnecting: "Password for X: " (no newline), a wrong
    password gets the error and the prompt again, an empty or too long one
    is refused without counting, the right one logs in (Identified + the
    usual welcome); three wrong ones end the connection and free the
    nickname;
  * /identify: already logged in, not registered, wrong, right;
  * /password: usage, not logged in, wrong old, changed — the new one works
    at the next login, the old one not;
  * --login-attempts 2: the third attempt within the minute is refused with
    the throttled error and the connection closes, even with the right
    password; --registrations-per-ip and --login-attempts-per-ip count per
    address, across accounts;
  * a registered nickname is never usable without its password (case,
    blanks, control characters, /nick, held during someone's prompt);
  * passwords are taken as typed (any bytes), and lines sent ahead of a
    password check wait for it;
  * the login timeout covers the password step;
  * one whole flow with --lang pt and the Portuguese command words, and the
    Portuguese words in an English daemon.
"""

import time

from chatd_harness import (HOST, Checks, Client, ProcClient, arg_parser, daemon, fail, log,
                           require_tool, run, short)
from identity_harness import (EN, PT_, connect, expect_welcome, give_nick, login_account, quit_,
                              register, to_password_prompt, today_utc)

BASE = ["--auth-threads", "1", "--rate", "0", "--login-timeout", "30"]
HASH_TIMEOUT = 15  # one Argon2id hash on a busy machine (the build may run beside us)


def t_unregistered(ctx, checks):
    with checks.check("unregistered nicknames: the plain welcome, account commands refused politely"):
        T = EN
        with daemon(ctx, lang="en", extra=BASE) as d:
            a = Client(d.port, name="Math")
            b = None
            try:
                a.expect(T.prompt)
                a.expect_nothing(0.2)
                a.send_line("Math")
                # exactly the welcome, no "Logged in" line before it, nothing after
                a.expect(T.welcome("Math"))
                a.expect_nothing(0.3)
                b = connect(d, T, "Nina")
                a.send_line("/identify whatever")
                a.expect(T.not_registered("Math"))
                a.send_line("/identify")
                a.expect(T.usage_identify)
                a.send_line("/register")
                a.expect(T.usage_register)
                a.send_line("/password a b")
                a.expect(T.not_identified)
                a.send_line("/create R")
                a.expect(T.created("R"))
                a.send_line("/join R")
                a.expect(T.joined("R"))
                b.send_line("/join R")
                b.expect(T.joined("R"))
                a.expect(T.joined_other("Nina", "R"))
                b.send_line("hi Math")
                a.expect(T.msg("Nina", "hi Math"))
                a.send_line("/whois Math")
                a.expect(T.whois("Math", room="R", online=True))
                a.send_line("/quit")
                a.expect(T.quit_self)
                a.expect_eof()
                b.expect(T.quit_other("Math", "R"))
                # the nickname is free at once, and still asks no password
                a = connect(d, T, "Math")
                a.expect_nothing(0.3)
            finally:
                a.close()
                if b:
                    b.close()


def t_register_login(ctx, checks):
    with checks.check("/register, then the password prompt at the next login (nc); wrong, invalid, "
                      "right; three wrong close; the nickname is free again"):
        require_tool("nc")
        T = EN
        with daemon(ctx, lang="en", extra=BASE + ["--login-attempts", "0"]) as d:
            cs = []
            try:
                lari = register(d, T, "Lari", "correct horse")  # hash 1
                cs.append(lari)
                lari.send_line("/register another")
                lari.expect(T.already_identified("Lari"))
                lari.send_line("/identify correct horse")
                lari.expect(T.already_identified("Lari"))
                # while Lari is online nobody else gets the nickname, in any case
                for typed in ("Lari", "lari"):
                    x = Client(d.port, name="other-" + typed)
                    cs.append(x)
                    x.expect(T.prompt)
                    x.send_line(typed)
                    x.expect(T.nick_taken(typed) + T.prompt)
                    x.close()
                quit_(lari, T)

                # the next login, through real netcat
                nc = ProcClient(["nc", HOST, str(d.port)], name="nc:Lari")
                cs.append(nc)
                nc.expect(T.prompt)
                nc.send_line("Lari")
                nc.expect(T.password_prompt("Lari"), timeout=5)
                nc.expect_nothing(0.3)  # a prompt: no newline after it
                nc.send_line("wrong one")  # hash 2
                nc.expect(T.wrong_password + T.password_prompt("Lari"), timeout=HASH_TIMEOUT)
                nc.send_line("")  # empty: refused, not counted, nothing hashed
                nc.expect(T.password_invalid + T.password_prompt("Lari"))
                nc.send_line("x" * 129)  # over 128 bytes
                nc.expect(T.password_invalid + T.password_prompt("Lari"))
                nc.send_line("x" * 128)  # the longest acceptable: a wrong password, counted (hash 3)
                nc.expect(T.wrong_password + T.password_prompt("Lari"), timeout=HASH_TIMEOUT)
                nc.send_line("correct horse")  # third attempt, right: hash 4
                nc.expect(T.identified("Lari"), timeout=HASH_TIMEOUT)
                expect_welcome(nc, T, "Lari")
                nc.expect_nothing(0.3)
                nc.send_line("/whois Lari")
                nc.expect(T.whois("Lari", since=today_utc(), online=True))
                nc.send_line("/quit")
                nc.expect(T.quit_self)
                nc.close_stdin()
                nc.wait_exit(5.0)
                nc.expect_eof(2.0)

                # three wrong passwords in a row: the third ends the connection
                c = to_password_prompt(d, T, "Lari", name="guesser")
                cs.append(c)
                for i, guess in enumerate(("guess 1", "guess 2")):  # hashes 5, 6
                    c.send_line(guess)
                    c.expect(T.wrong_password + T.password_prompt("Lari"), timeout=HASH_TIMEOUT)
                c.send_line("guess 3")  # hash 7
                c.expect(T.too_many_attempts, timeout=HASH_TIMEOUT)
                c.expect_eof()

                # the nickname is free again: a new login gets its prompt, not "taken"
                lari = login_account(d, T, "Lari", "correct horse", timeout=HASH_TIMEOUT)  # hash 8
                cs.append(lari)
                quit_(lari, T)
            finally:
                for c in cs:
                    c.close()


def t_identify(ctx, checks):
    with checks.check("/identify: not registered (after /nick), /nick to an account refused, "
                      "case-only /nick leaves the account, wrong, right, already"):
        T = EN
        with daemon(ctx, lang="en", extra=BASE + ["--login-attempts", "0"]) as d:
            cs = []
            try:
                lari = register(d, T, "Lari", "correct horse")  # hash 1
                cs.append(lari)
                lari.send_line("/nick Lara")
                lari.expect(T.nick_changed_self("Lara"))
                lari.send_line("/identify correct horse")  # Lara has no account: nothing hashed
                lari.expect(T.not_registered("Lara"))
                lari.send_line("/IDENTIFICAR correct horse")  # the Portuguese word, any case
                lari.expect(T.not_registered("Lara"))
                lari.send_line("/nick Lari")  # an account's nickname, even one's own: refused
                lari.expect(T.nick_registered("Lari"))
                quit_(lari, T)

                lari = login_account(d, T, "Lari", "correct horse", timeout=HASH_TIMEOUT)  # hash 2
                cs.append(lari)
                lari.send_line("/nick LARI")  # only the case: the same nickname, but the account is left
                lari.expect(T.nick_changed_self("LARI"))
                lari.send_line("/password correct horse new one")
                lari.expect(T.not_identified)
                lari.send_line("/identify wrong")  # hash 3
                lari.expect(T.wrong_password, timeout=HASH_TIMEOUT)
                lari.send_line("/identify correct horse")  # hash 4
                lari.expect(T.identified("LARI"), timeout=HASH_TIMEOUT)
                lari.send_line("/identify correct horse")
                lari.expect(T.already_identified("LARI"))
                lari.send_line("/identify")
                lari.expect(T.already_identified("LARI"))
                quit_(lari, T)
            finally:
                for c in cs:
                    c.close()


def t_password(ctx, checks):
    with checks.check("/password: usage, wrong old, changed; at the next login the new one works, "
                      "the old one not"):
        T = EN
        with daemon(ctx, lang="en", extra=BASE + ["--login-attempts", "0"]) as d:
            cs = []
            try:
                pia = connect(d, T, "Pia")
                cs.append(pia)
                pia.send_line("/registrar velha1")  # the Portuguese word in an English daemon; hash 1
                pia.expect(T.account_registered("Pia"), timeout=HASH_TIMEOUT)
                pia.send_line("/password")
                pia.expect(T.usage_password)
                pia.send_line("/password velha1")
                pia.expect(T.usage_password)
                pia.send_line("/password errada nova")  # hash 2
                pia.expect(T.wrong_password, timeout=HASH_TIMEOUT)
                pia.send_line("/password velha1 nova senha 2")  # blanks inside the new one: kept; hashes 3, 4
                pia.expect(T.password_changed, timeout=HASH_TIMEOUT)
                pia.send_line("/senha velha1 outra")  # the old one is old now (hash 5)
                pia.expect(T.wrong_password, timeout=HASH_TIMEOUT)
                rui = connect(d, T, "Rui")
                cs.append(rui)
                rui.send_line("/password a b")
                rui.expect(T.not_identified)
                quit_(pia, T)

                c = to_password_prompt(d, T, "Pia")
                cs.append(c)
                c.send_line("velha1")  # hash 6
                c.expect(T.wrong_password + T.password_prompt("Pia"), timeout=HASH_TIMEOUT)
                c.send_line("nova senha 2")  # hash 7
                c.expect(T.identified("Pia"), timeout=HASH_TIMEOUT)
                expect_welcome(c, T, "Pia")
                quit_(c, T)
            finally:
                for c in cs:
                    c.close()


def t_throttle(ctx, checks):
    with checks.check("--login-attempts 2: the third attempt within a minute is refused and the "
                      "connection closes (even with the right password)"):
        T = EN
        with daemon(ctx, lang="en", extra=BASE + ["--login-attempts", "2"]) as d:
            cs = []
            try:
                tom = register(d, T, "Tom", "segredo")  # not a login attempt; hash 1
                cs.append(tom)
                quit_(tom, T)
                c = to_password_prompt(d, T, "Tom", name="Tom#2")
                cs.append(c)
                c.send_line("errada")  # attempt 1, hash 2
                c.expect(T.wrong_password + T.password_prompt("Tom"), timeout=HASH_TIMEOUT)
                c.send_line("segredo")  # attempt 2, hash 3
                c.expect(T.identified("Tom"), timeout=HASH_TIMEOUT)
                expect_welcome(c, T, "Tom")
                quit_(c, T)
                c = to_password_prompt(d, T, "Tom", name="Tom#3")
                cs.append(c)
                c.send_line("segredo")  # attempt 3 within the minute: refused unhashed
                c.expect(T.login_throttled)
                c.expect_eof()
                # the nickname is free again (its prompt, not "taken") ...
                c = to_password_prompt(d, T, "Tom", name="Tom#4")
                cs.append(c)
                c.close()
                # ... and other nicknames are untouched by Tom's throttle
                free = connect(d, T, "Livre")
                cs.append(free)
                free.expect_nothing(0.2)
            finally:
                for c in cs:
                    c.close()


def t_per_ip(ctx, checks):
    with checks.check("--registrations-per-ip 2, --login-attempts-per-ip 2: per address, across accounts"):
        T = EN
        extra = BASE + ["--login-attempts", "0", "--registrations-per-ip", "2", "--login-attempts-per-ip", "2"]
        with daemon(ctx, lang="en", extra=extra) as d:
            cs = []
            try:
                ana = register(d, T, "Ana", "pw ana")  # hash 1
                bob = register(d, T, "Bob", "pw bob")  # hash 2
                carl = connect(d, T, "Carl")
                cs += [ana, bob, carl]
                carl.send_line("/register pw carl")  # the third from this address: refused, unhashed
                carl.expect(T.login_throttled)
                carl.send_line("/whois Carl")  # still connected, and still no account
                carl.expect(T.whois("Carl", online=True))
                quit_(ana, T)
                quit_(bob, T)
                for nick in ("Ana", "Bob"):  # attempts 1 and 2 from this address (hashes 3, 4)
                    c = to_password_prompt(d, T, nick, name=nick + "#2")
                    cs.append(c)
                    c.send_line("wrong")
                    c.expect(T.wrong_password + T.password_prompt(nick), timeout=HASH_TIMEOUT)
                    c.close()
                c = to_password_prompt(d, T, "Ana", name="Ana#3")  # attempt 3: refused, even right
                cs.append(c)
                c.send_line("pw ana")
                c.expect(T.login_throttled)
                c.expect_eof()
            finally:
                for c in cs:
                    c.close()


def t_never_without_password(ctx, checks):
    with checks.check("a registered nickname is never usable without its password"):
        T = EN
        with daemon(ctx, lang="en", extra=BASE) as d:
            cs = []
            try:
                ana = register(d, T, "Ana", "segredo")  # hash 1
                cs.append(ana)
                quit_(ana, T)
                # other cases, blanks around, control characters inside: the same nickname
                for raw, shown in ((b"ana\n", "ana"), (b"ANA\r\n", "ANA"), (b"  Ana \t\n", "Ana"),
                                   (b"A\x1bn\x07a\n", "Ana"), (b"An\xc2\x9ba\n", "Ana")):
                    c = Client(d.port, name="as %r" % raw)
                    cs.append(c)
                    c.expect(T.prompt)
                    give_nick(c, T, shown, raw)  # the previous one may still be closing
                    c.expect(T.password_prompt(shown), what="login as %r" % raw)
                    c.close()
                # /nick to it, in any case, is refused
                bob = connect(d, T, "Bob")
                cs.append(bob)
                for n in ("Ana", "aNA"):
                    bob.send_line("/nick " + n)
                    bob.expect(T.nick_registered(n))
                bob.send_line("/whois Bob")
                bob.expect(T.whois("Bob", online=True))
                # during someone's password prompt the nickname is held ...
                x = to_password_prompt(d, T, "Ana", name="at-prompt")
                cs.append(x)
                y = Client(d.port, name="second")
                cs.append(y)
                y.expect(T.prompt)
                y.send_line("Ana")
                y.expect(T.nick_taken("Ana") + T.prompt)
                bob.send_line("/nick Ana")
                bob.expect(T.nick_registered("Ana"))
                # ... and free again when that connection goes
                x.close()
                give_nick(y, T, "Ana")
                y.expect(T.password_prompt("Ana"))
                y.close()
            finally:
                for c in cs:
                    c.close()


def t_as_typed(ctx, checks):
    with checks.check("passwords are taken as typed (any bytes; blanks at a command's ends dropped); "
                      "lines sent ahead of a password check wait for it"):
        T = EN
        with daemon(ctx, lang="en", extra=BASE + ["--login-attempts", "0"]) as d:
            cs = []
            try:
                ana = connect(d, T, "Ana")
                cs.append(ana)
                ana.send_line("/register " + "x" * 129)  # refused before anything hashes it
                ana.expect(T.password_invalid)
                weird = b"p\xc3\x28w\x01d \x1b[x"  # invalid UTF-8 and control characters, kept
                ana.send_raw(b"/register  " + weird + b" \t\n")  # hash 1
                ana.expect(T.account_registered("Ana"), timeout=HASH_TIMEOUT)
                quit_(ana, T)
                c = to_password_prompt(d, T, "Ana")
                cs.append(c)
                # all in one write: a wrong password, the right one, then commands that must
                # wait for the login (hashes 2 and 3)
                c.send_raw(b"wrong\n" + weird + b"\n/create R\n/who\n")
                c.expect(T.wrong_password + T.password_prompt("Ana") + T.identified("Ana"),
                         timeout=2 * HASH_TIMEOUT)
                expect_welcome(c, T, "Ana")
                c.expect(T.created("R") + T.needs_room)
                quit_(c, T)
                # the cleaned form is not the password
                c = to_password_prompt(d, T, "Ana", name="cleaned")
                cs.append(c)
                c.send_raw("p\ufffd(wd [x\n".encode())  # hash 4
                c.expect(T.wrong_password + T.password_prompt("Ana"), timeout=HASH_TIMEOUT)
            finally:
                for c in cs:
                    c.close()


def t_login_timeout(ctx, checks):
    with checks.check("the login timeout covers the password step"):
        T = EN
        with daemon(ctx, lang="en", extra=["--auth-threads", "1", "--login-timeout", "2"]) as d:
            cs = []
            try:
                ana = register(d, T, "Ana", "segredo")  # hash 1
                cs.append(ana)
                quit_(ana, T)
                t0 = time.monotonic()
                c = to_password_prompt(d, T, "Ana")
                cs.append(c)
                c._wait_for(lambda: c.eof, 6.0)
                dt = time.monotonic() - t0
                if not c.eof:
                    fail("still open %.1f s after connecting with --login-timeout 2" % dt)
                if dt < 1.5:
                    fail("closed after %.2f s, before the 2 s login timeout" % dt)
                rest = bytes(c.buf).decode("utf-8", "replace")
                log("closed after %.2f s with %r" % (dt, rest))
                if not (rest.startswith("❌") and rest.endswith("\n") and rest.count("\n") == 1):
                    fail("want one final ❌ line before the close, got %s" % short(rest))
                # the nickname is free again
                c = to_password_prompt(d, T, "Ana", name="again")
                cs.append(c)
            finally:
                for c in cs:
                    c.close()


def t_portuguese(ctx, checks):
    with checks.check("--lang pt: /registrar, /identificar, /senha; 'Senha para ...', Portuguese replies"):
        T = PT_
        with daemon(ctx, lang="pt", extra=BASE + ["--login-attempts", "0"]) as d:
            cs = []
            try:
                lari = connect(d, T, "Lari")
                cs.append(lari)
                lari.send_line("/registrar segredo1")  # hash 1
                lari.expect(T.account_registered("Lari"), timeout=HASH_TIMEOUT)
                lari.send_line("/identificar segredo1")
                lari.expect(T.already_identified("Lari"))
                lari.send_line("/senha")
                lari.expect(T.usage_password)
                lari.send_line("/senha errada nova")  # hash 2
                lari.expect(T.wrong_password, timeout=HASH_TIMEOUT)
                lari.send_line("/Senha segredo1 segredo2")  # hashes 3, 4
                lari.expect(T.password_changed, timeout=HASH_TIMEOUT)
                math = connect(d, T, "Math")
                cs.append(math)
                math.send_line("/identificar algo")
                math.expect(T.not_registered("Math"))
                math.send_line("/identify algo")  # English words work in pt too, answered in pt
                math.expect(T.not_registered("Math"))
                math.send_line("/senha a b")
                math.expect(T.not_identified)
                math.send_line("/register")
                math.expect(T.usage_register)
                math.send_line("/registrar")
                math.expect(T.usage_register)
                math.send_line("/apelido Lari")
                math.expect(T.nick_registered("Lari"))
                lari.send_line("/sair_chat")
                lari.expect(T.quit_self)
                lari.expect_eof()

                # Lari's release travels to the nickname's owner from another
                # shard than the new claim: on several shards the claim may
                # arrive first, for a moment (seen under ASan). Try again then.
                for attempt in range(40):
                    c = Client(d.port, name="Lari#2")
                    cs.append(c)
                    c.expect("Digite seu apelido: ")
                    c.send_line("Lari")
                    first = c.read_until(b": ").decode("utf-8", "replace")
                    if "já está em uso" not in first or attempt == 39:
                        break
                    c.close()
                    time.sleep(0.05)
                if first != "Senha para Lari: ":
                    fail("Lari#2: expected 'Senha para Lari: ' but got %r" % first)
                c.expect_nothing(0.3)
                c.send_line("segredo1")  # hash 5
                c.expect("❌ Senha incorreta.\nSenha para Lari: ", timeout=HASH_TIMEOUT)
                c.send_line("")
                c.expect("⚠️ Senha inválida: use de 1 a 128 bytes.\nSenha para Lari: ")
                c.send_line("segredo2")  # hash 6
                c.expect("✅ Identificado(a): bem-vindo(a) de volta, Lari!\n", timeout=HASH_TIMEOUT)
                expect_welcome(c, T, "Lari")
                c.send_line("/perfil Lari")
                c.expect("👤 Lari — registrado desde %s, online\n" % today_utc())
                c.send_line("/sair_chat")
                c.expect(T.quit_self)
                c.expect_eof()
            finally:
                for c in cs:
                    c.close()


def main(ctx):
    checks = Checks()
    t_unregistered(ctx, checks)
    t_register_login(ctx, checks)
    t_identify(ctx, checks)
    t_password(ctx, checks)
    t_throttle(ctx, checks)
    t_per_ip(ctx, checks)
    t_never_without_password(ctx, checks)
    t_as_typed(ctx, checks)
    t_login_timeout(ctx, checks)
    t_portuguese(ctx, checks)
    checks.finish()


if __name__ == "__main__":
    run(main, arg_parser(__doc__))
