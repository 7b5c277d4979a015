#!/usr/bin/env python3
"""The original server's bugs, fixed (PROTOCOL.md), over raw TCP with --lang pt.

Each sub-check runs against its own fresh daemon (rooms live until the
server stops), so one failure does not cascade into the others.
"""

import socket
import time

from chatd_harness import (PROMPT_PT, PT, Checks, Client, arg_parser, close_all, daemon, fail,
                           in_room, log, run, sentinel, short, welcome_pt)


def t_quit(ctx, checks):
    with checks.check("/sair_chat really quits (reply, then close; room told)"):
        with daemon(ctx) as d:
            a, b = cs = in_room(d, "R", "Ana", "Bia")
            try:
                a.send_line("/sair_chat")
                a.expect(PT.quit_self)
                a.expect_eof()
                b.expect(PT.quit_other("Ana", "R"))
                b.send_line("/salas")
                b.expect(PT.rooms(["R"]))
            finally:
                close_all(cs)


def t_case(ctx, checks):
    with checks.check("command words are case-insensitive (/Salas, /SAIR_CHAT...)"):
        with daemon(ctx) as d:
            a = Client(d.port, name="Caio").login("Caio")
            b = Client(d.port, name="Duda").login("Duda")
            try:
                a.send_line("/SALAS")
                a.expect(PT.rooms([]))
                a.send_line("/Criar Sala")
                a.expect(PT.created("Sala"))
                a.send_line("/Salas")
                a.expect(PT.rooms(["Sala"]))
                a.send_line("/ENTRAR Sala")
                a.expect(PT.joined("Sala"))
                b.send_line("/EnTrAr Sala")
                b.expect(PT.joined("Sala"))
                a.expect(PT.joined_other("Duda", "Sala"))
                b.send_line("/entrar SALA")  # arguments stay case-sensitive
                b.expect(PT.no_room)
                a.send_line("/SAIR")
                a.expect(PT.left_self)
                b.expect(PT.left_other("Caio", "Sala"))
                b.send_line("/SAIR_CHAT")
                b.expect(PT.quit_self)
                b.expect_eof()
                a.send_line("/Sair_Chat")
                a.expect(PT.quit_self)
                a.expect_eof()
            finally:
                close_all([a, b])


def t_own_room(ctx, checks):
    with checks.check("joining one's own room is an error, not a second membership"):
        with daemon(ctx) as d:
            a, b = cs = in_room(d, "Sala1", "Edu", "Fabi")
            try:
                a.send_line("/entrar Sala1")
                a.expect(PT.already_in("Sala1"))
                b.expect_nothing(0.3)
                a.send_line("uma vez")
                b.expect(PT.msg("Edu", "uma vez"))
                b.expect_nothing(0.3)  # exactly once
                b.send_line("oi Edu")
                a.expect(PT.msg("Fabi", "oi Edu"))
                a.expect_nothing(0.2)
                a.send_line("/sair")
                a.expect(PT.left_self)
                b.expect(PT.left_other("Edu", "Sala1"))
                a.send_line("/sair")  # a single membership: now in no room
                a.expect(PT.not_in_room)
            finally:
                close_all(cs)


def t_unknown(ctx, checks):
    with checks.check("unknown /command gets an error and is not broadcast"):
        with daemon(ctx) as d:
            a, b = cs = in_room(d, "R", "Gil", "Hana")
            try:
                a.send_line("/xyz")
                a.expect(PT.unknown("/xyz"))
                a.send_line("/foo bar baz")
                a.expect(PT.unknown("/foo"))
                sentinel(a, [b])
                b.expect_nothing(0.2)
            finally:
                close_all(cs)


def t_usage(ctx, checks):
    with checks.check("/criar and /entrar without argument get the usage error"):
        with daemon(ctx) as d:
            a, b = cs = in_room(d, "R", "Ivo", "Jo")
            try:
                a.send_line("/criar")
                a.expect(PT.usage_create)
                a.send_line("/criar   ")
                a.expect(PT.usage_create)
                a.send_line("/entrar")
                a.expect(PT.usage_join)
                a.send_line("/entrar \t ")
                a.expect(PT.usage_join)
                a.send_line("/salas")
                a.expect(PT.rooms(["R"]))  # nothing was created
                sentinel(a, [b])  # and nothing was broadcast
            finally:
                close_all(cs)


def t_abrupt(ctx, checks, how):
    with checks.check("abrupt disconnect (%s) is announced to the room" % how):
        with daemon(ctx) as d:
            a, b, c = cs = in_room(d, "X", "Kim", "Lu", "Mia")
            try:
                if how == "close/FIN":
                    a.close()
                else:
                    a.abort()
                want = PT.quit_other("Kim", "X")
                b.expect(want)
                c.expect(want)
                sentinel(b, [c])
                # the nickname is free again (allowing the release a moment in flight)
                k = Client(d.port, name="Kim-again")
                k.expect_prompt()
                wel = welcome_pt("Kim").encode()
                warn = "⚠️".encode()
                deadline = time.monotonic() + 2.0
                while True:
                    k.send_line("Kim")
                    k._wait_for(lambda: len(k.buf) >= len(wel) or
                                (k.buf.startswith(warn) and k.buf.endswith(PROMPT_PT.encode())), 5)
                    if k.buf.startswith(warn) and time.monotonic() < deadline:
                        log("nickname Kim still taken just after the disconnect; retrying")
                        k.buf.clear()
                        time.sleep(0.1)
                        continue
                    k.expect_welcome("Kim")
                    break
                k.close()
            finally:
                close_all(cs)
            d.assert_alive()


def t_dup_nick(ctx, checks):
    with checks.check("duplicate nickname (case-insensitive) rejected, prompted again"):
        with daemon(ctx) as d:
            a = Client(d.port, name="Lari").login("Lari")
            b = Client(d.port, name="b")
            try:
                b.expect_prompt()
                for attempt in ("Lari", "lari", "LARI  "):
                    b.send_line(attempt)
                    line = b.read_line()
                    if not line.startswith("⚠️"):
                        fail("nickname %r: want an error line starting with ⚠️, got %r"
                             % (attempt, line))
                    log("taken %r -> %r" % (attempt, line))
                    b.expect_prompt()
                b.send_line("Lari2")
                b.expect_welcome("Lari2")
                # a still works and is alone with its name
                a.send_line("/criar R")
                a.expect(PT.created("R"))
                # invalid nickname: starts with "/"
                c = Client(d.port, name="c")
                c.expect_prompt()
                c.send_line("/salas")
                line = c.read_line()
                if not line.startswith("⚠️"):
                    fail("nickname '/salas': want an error line starting with ⚠️, got %r" % line)
                c.expect_prompt()
                c.send_line("x" * 33)  # longer than 32 characters
                line = c.read_line()
                if not line.startswith("⚠️"):
                    fail("33-character nickname: want an error starting with ⚠️, got %r" % line)
                c.expect_prompt()
                c.send_line("Çãé" * 10 + "úú")  # 32 characters, 64 bytes: valid
                c.expect_welcome("Çãé" * 10 + "úú")
                c.close()
            finally:
                close_all([a, b])


def t_empty_nick(ctx, checks):
    with checks.check("empty nickname becomes Usuário-<client port>"):
        with daemon(ctx) as d:
            a = Client(d.port, name="empty")
            b = Client(d.port, name="blank")
            try:
                a.expect_prompt()
                a.send_line("")
                na = "Usuário-%d" % a.local_port
                a.expect_welcome(na)
                b.expect_prompt()
                b.send_line(" \t  ")
                nb = "Usuário-%d" % b.local_port
                b.expect_welcome(nb)
                a.send_line("/criar R")
                a.expect(PT.created("R"))
                a.send_line("/entrar R")
                a.expect(PT.joined("R"))
                b.send_line("/entrar R")
                b.expect(PT.joined("R"))
                a.expect(PT.joined_other(nb, "R"))
                a.send_line("olá")
                b.expect(PT.msg(na, "olá"))
            finally:
                close_all([a, b])


def t_en_aliases(ctx, checks):
    with checks.check("English aliases work in pt mode (/rooms /create /join /leave /help /quit)"):
        with daemon(ctx) as d:
            a = Client(d.port, name="Nina").login("Nina")
            b = Client(d.port, name="Otto").login("Otto")
            try:
                a.send_line("/rooms")
                a.expect(PT.rooms([]))
                a.send_line("/create Sala1")
                a.expect(PT.created("Sala1"))
                a.send_line("/create Sala1")
                a.expect(PT.exists)
                a.send_line("/ROOMS")
                a.expect(PT.rooms(["Sala1"]))
                a.send_line("/join nope")
                a.expect(PT.no_room)
                a.send_line("/join Sala1")
                a.expect(PT.joined("Sala1"))
                b.send_line("/Join Sala1")
                b.expect(PT.joined("Sala1"))
                a.expect(PT.joined_other("Otto", "Sala1"))
                a.send_line("/leave")
                a.expect(PT.left_self)
                b.expect(PT.left_other("Nina", "Sala1"))
                a.send_line("/leave")
                a.expect(PT.not_in_room)
                # /help and /ajuda: same non-empty text, not an error
                texts = []
                for cmd in ("/ajuda", "/help", "/HELP"):
                    a.send_line(cmd)
                    a.send_line("/sair")  # not in a room: a known reply closes the help text
                    raw = a.read_until(PT.not_in_room.encode())
                    texts.append(raw[:-len(PT.not_in_room.encode())])
                if not texts[0]:
                    fail("/ajuda gave no text")
                if any(t.startswith(p.encode()) for t in texts for p in ("❌", "⚠️")):
                    fail("/ajuda or /help answered with an error: %s" % short(texts))
                if not (texts[0] == texts[1] == texts[2]):
                    fail("/ajuda, /help and /HELP differ: %s" % short(texts))
                if "/salas".encode() not in texts[0] or "/sair_chat".encode() not in texts[0]:
                    fail("/ajuda does not list /salas and /sair_chat: %s" % short(texts[0]))
                a.send_line("/join Sala1")
                a.expect(PT.joined("Sala1"))
                b.expect(PT.joined_other("Nina", "Sala1"))
                a.send_line("/quit")
                a.expect(PT.quit_self)
                a.expect_eof()
                b.expect(PT.quit_other("Nina", "Sala1"))
                b.send_line("/QUIT")
                b.expect(PT.quit_self)
                b.expect_eof()
            finally:
                close_all([a, b])


def t_outside(ctx, checks):
    with checks.check("message or /sair outside a room"):
        with daemon(ctx) as d:
            a = Client(d.port, name="Pia").login("Pia")
            try:
                a.send_line("alguém aí?")
                a.expect(PT.msg_outside)
                a.send_line("/sair")
                a.expect(PT.not_in_room)
                a.send_line("")  # empty lines are ignored
                a.send_line("   ")
                a.expect_nothing(0.3)
                a.send_line("/entrar nada")
                a.expect(PT.no_room)
            finally:
                a.close()


def t_framing(ctx, checks):
    with checks.check("framing: CRLF, split writes, several lines in one write, telnet IAC"):
        with daemon(ctx) as d:
            a = Client(d.port, name="a")
            try:
                a.expect_prompt()
                # IAC WILL TTYPE, IAC SB TTYPE ... IAC SE, IAC DO ECHO inside the nickname
                a.send_raw(b"\xff\xfb\x18Qu\xff\xfa\x18\x01\xff\xf0in\xff\xfd\x01ta\r\n")
                a.expect_welcome("Quinta")
                b = Client(d.port, name="Rui").login("Rui")
                a.send_raw(b"/criar R\r\n/entrar R\r\n")
                a.expect(PT.created("R") + PT.joined("R"))
                b.send_raw(b"/entr")
                time.sleep(0.05)
                b.send_raw(b"ar R\n")
                b.expect(PT.joined("R"))
                a.expect(PT.joined_other("Rui", "R"))
                a.send_raw("olá\r\nsegunda\nter".encode() + b"\xff\xfb\x01" + "ceira\r\n".encode())
                b.expect(PT.msg("Quinta", "olá") + PT.msg("Quinta", "segunda") +
                         PT.msg("Quinta", "terceira"))
                # split inside a UTF-8 sequence
                e = "é".encode()
                b.send_raw(b"caf" + e[:1])
                time.sleep(0.02)
                b.send_raw(e[1:] + b"\n")
                a.expect(PT.msg("Rui", "café"))
                # no negotiation was ever sent back
                for c in (a, b):
                    if b"\xff" in c.transcript:
                        fail("%s received telnet IAC bytes: %s" % (c.name, short(bytes(c.transcript))))
            finally:
                a.close()


def t_sanitize(ctx, checks):
    with checks.check("control characters and invalid UTF-8 never reach other users"):
        with daemon(ctx) as d:
            a, b = cs = in_room(d, "R", "Sara", "Tom")
            try:
                a.send_raw(b"\x1b[2J\x1b[31mvermelho\x07\x7f\xc2\x9b ok\tfim\n")
                b.expect(PT.msg("Sara", "[2J[31mvermelho ok\tfim"))
                a.send_raw(b"ruim \xfe\xc3 x\n")
                b.expect(PT.msg("Sara", "ruim \ufffd\ufffd x"))
                a.send_raw(b"   espa\xc3\xa7os   \n")
                b.expect(PT.msg("Sara", "espaços"))
            finally:
                close_all(cs)


def t_long_line(ctx, checks):
    with checks.check("a line longer than --max-line is discarded with an error, connection kept"):
        with daemon(ctx, extra=["--max-line", "1024"]) as d:
            a, b = cs = in_room(d, "R", "Ugo", "Vera")
            try:
                a.send_raw(b"y" * 3000)
                time.sleep(0.02)
                a.send_raw(b"z" * 3000 + b"\n")
                line = a.read_line()
                if not line.startswith("⚠️"):
                    fail("over-long line: want an error starting with ⚠️, got %r" % line[:200])
                a.expect_nothing(0.2)
                sentinel(a, [b])  # nothing of the long line was relayed
                a.send_line("x" * 1000)  # below the limit: relayed
                b.expect(PT.msg("Ugo", "x" * 1000))
            finally:
                close_all(cs)


def t_login_timeout(ctx, checks):
    with checks.check("no nickname within --login-timeout: connection closed"):
        with daemon(ctx, extra=["--login-timeout", "1"]) as d:
            a = Client(d.port, name="silent")
            p = Client(d.port, name="partial")
            try:
                t0 = time.monotonic()
                a.expect_prompt()
                p.expect_prompt()
                p.send_raw(b"meio")  # unterminated, but line-idle-flush makes it a line
                p.expect_welcome("meio")
                a._wait_for(lambda: a.eof, 5.0)
                dt = time.monotonic() - t0
                if not a.eof:
                    fail("still open %.1f s after connecting with --login-timeout 1" % dt)
                if dt < 0.8:
                    fail("closed after %.2f s, before the 1 s login timeout" % dt)
                rest = bytes(a.buf)
                if rest and not rest.endswith(b"\n"):
                    fail("final notice not a full line: %s" % short(rest))
                log("closed after %.2f s with %s" % (dt, short(rest)))
                p.expect_nothing(0.5)  # logged-in idle client is not timed out
            finally:
                a.close()
                p.close()


def main(ctx):
    checks = Checks()
    t_quit(ctx, checks)
    t_case(ctx, checks)
    t_own_room(ctx, checks)
    t_unknown(ctx, checks)
    t_usage(ctx, checks)
    t_abrupt(ctx, checks, "close/FIN")
    t_abrupt(ctx, checks, "RST via SO_LINGER 0")
    t_dup_nick(ctx, checks)
    t_empty_nick(ctx, checks)
    t_en_aliases(ctx, checks)
    t_outside(ctx, checks)
    t_framing(ctx, checks)
    t_sanitize(ctx, checks)
    t_long_line(ctx, checks)
    t_login_timeout(ctx, checks)
    checks.finish()


if __name__ == "__main__":
    run(main, arg_parser(__doc__))
