#!/usr/bin/env python3
"""Half-closed sockets: lines, then shutdown(SHUT_WR) -> every reply, then EOF.

A client writes its nickname and a batch of commands and messages in one go
and shuts its sending side down at once (what `nc -N` or a script piping a
file does).  The daemon must process every line, send every reply, announce
the departure to the room like a quit, and only then close: the client reads
the complete transcript followed by EOF.  Also: a last line without newline
before the FIN still counts, and a client that half-closes right after an
unfinished nickname still gets its welcome before the close.
"""

import socket

from hostile_lib import (PT, Checks, Client, close_all, daemon, fail, in_room, log, run)


def t_batch(ctx, checks):
    with checks.check("batch of lines then SHUT_WR: all replies, then EOF; room told"):
        # The re-join at the end of the batch would show the room's history
        # first (--history-on-join); this test is about the half-close.
        with daemon(ctx, extra=["--history-on-join", "0"]) as d:
            (w,) = in_room(d, "R", "Vigia")
            h = Client(d.port, name="half")
            try:
                h.expect_prompt()
                n_msgs = 60
                batch = ["Meio", "/salas", "/criar S2", "/entrar R", "/ajuda"]
                batch += ["msg %d" % i for i in range(n_msgs)]
                batch += ["/salas", "/sair", "/sair", "/entrar R", "fim"]
                h.send_raw("".join(x + "\n" for x in batch).encode())
                h.sock.shutdown(socket.SHUT_WR)
                h.expect_welcome("Meio", timeout=10)
                h.expect(PT.rooms(["R"]))
                h.expect(PT.created("S2"))
                h.expect(PT.joined("R"))
                help_line = h.read_line()
                if not help_line.startswith("Comandos"):
                    fail("half: want the help text after /ajuda, got %r" % help_line)
                while True:  # the rest of the help text: "/..." lines
                    if h.buf.startswith(b"/"):
                        h.read_line()
                        continue
                    if not h.buf and not h.eof and h._fill(__import__("time").monotonic() + 2):
                        continue
                    break
                h.expect(PT.rooms(["R", "S2"]))
                h.expect(PT.left_self)
                h.expect(PT.not_in_room)
                h.expect(PT.joined("R"))
                h.expect_eof(timeout=10)
                # the watcher saw it all, then the departure (announced like a quit)
                w.expect(PT.joined_other("Meio", "R"))
                for i in range(n_msgs):
                    w.expect(PT.msg("Meio", "msg %d" % i))
                w.expect(PT.left_other("Meio", "R"))
                w.expect(PT.joined_other("Meio", "R"))
                w.expect(PT.msg("Meio", "fim"))
                w.expect(PT.quit_other("Meio", "R"))
                w.expect_nothing(0.3)
                d.assert_alive()
            finally:
                close_all([w, h])


def t_last_line_without_newline(ctx, checks):
    with checks.check("last line without newline before FIN still counts"):
        with daemon(ctx) as d:
            (w,) = in_room(d, "R", "Vigia2")
            h = Client(d.port, name="half2")
            try:
                h.expect_prompt()
                h.send_raw(b"Semfim\n/entrar R\nultima sem newline")
                h.sock.shutdown(socket.SHUT_WR)
                h.expect_welcome("Semfim")
                h.expect(PT.joined("R"))
                h.expect_eof()
                w.expect(PT.joined_other("Semfim", "R"))
                w.expect(PT.msg("Semfim", "ultima sem newline"))
                w.expect(PT.quit_other("Semfim", "R"))
            finally:
                close_all([w, h])


def t_nick_then_fin(ctx, checks):
    with checks.check("unfinished nickname then FIN: welcome, then EOF"):
        with daemon(ctx) as d:
            h = Client(d.port, name="half3")
            try:
                h.expect_prompt()
                h.send_raw(b"SoNome")
                h.sock.shutdown(socket.SHUT_WR)
                h.expect_welcome("SoNome")
                h.expect_eof()
                # the nickname is free again afterwards
                k = Client(d.port, name="again").login("SoNome")
                k.close()
            finally:
                h.close()


def t_many(ctx, checks):
    with checks.check("20 clients at once: commands then SHUT_WR, each gets its replies then EOF"):
        with daemon(ctx) as d:
            cs = []
            try:
                for i in range(20):
                    c = Client(d.port, name="h%02d" % i)
                    cs.append(c)
                for i, c in enumerate(cs):
                    c.send_raw(("h%02d\n/criar sala%02d\n/entrar sala%02d\noi\n/sair\n" % (i, i, i)).encode())
                    c.sock.shutdown(socket.SHUT_WR)
                for i, c in enumerate(cs):
                    c.expect_prompt()
                    c.expect_welcome("h%02d" % i)
                    c.expect(PT.created("sala%02d" % i))
                    c.expect(PT.joined("sala%02d" % i))
                    c.expect(PT.left_self)
                    c.expect_eof()
                log("20 half-closed clients each got their full transcript and EOF")
            finally:
                close_all(cs)


def main(ctx):
    checks = Checks()
    t_batch(ctx, checks)
    t_last_line_without_newline(ctx, checks)
    t_nick_then_fin(ctx, checks)
    t_many(ctx, checks)
    checks.finish()


if __name__ == "__main__":
    run(main)
