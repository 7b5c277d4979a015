#!/usr/bin/env python3
"""Name limits: nickname at most 32 characters, room name at most 64.

Characters, not bytes, after sanitising: 32 'é' (64 bytes) is a valid
nickname, 33 ASCII letters is not; control characters do not count (they are
removed first).  An over-long nickname gets the error and the prompt again
(the connection stays and can log in); an over-long room name in /criar gets
the invalid-room reply and creates nothing; /entrar with one finds no room.
"""

from hostile_lib import (PT, PTX, Checks, Client, close_all, daemon, fail, in_room, run)


def t_nick(ctx, checks):
    with checks.check("nickname: 33 characters refused, 32 accepted (characters, not bytes)"):
        with daemon(ctx) as d:
            cs = []
            try:
                a = Client(d.port, name="n33")
                cs.append(a)
                a.expect_prompt()
                for bad in ("N" * 33, "é" * 33, "x" * 200, "/barra", "ab" * 17):
                    a.send_line(bad)
                    a.expect(PTX.nick_invalid, what="nickname of %d chars %r..." % (len(bad), bad[:8]))
                    a.expect_prompt()
                ok32 = "N" * 32
                a.send_line(ok32)
                a.expect_welcome(ok32)
                b = Client(d.port, name="e32")
                cs.append(b)
                b.login("é" * 32)  # 64 bytes
                c = Client(d.port, name="ctl")
                cs.append(c)
                c.expect_prompt()
                c.send_raw(("M" * 32).encode() + b"\x1b\x07\x1b\x7f\n")  # controls removed first
                c.expect_welcome("M" * 32)
                # the refused names were never registered; the accepted ones are in use
                e = Client(d.port, name="dup")
                cs.append(e)
                e.expect_prompt()
                e.send_line(ok32.lower())
                line = e.read_line()
                if not line.startswith("⚠️"):
                    fail("a 32-char nickname in use must be refused as taken, got %r" % line)
                e.expect_prompt()
                e.send_line("N" * 33)
                e.expect(PTX.nick_invalid)
                e.expect_prompt()
            finally:
                close_all(cs)


def t_room(ctx, checks):
    with checks.check("room name: 65 characters refused, 64 accepted"):
        with daemon(ctx, extra=["--rooms-per-minute", "0", "--rooms-per-ip-minute", "0"]) as d:
            a, b = cs = in_room(d, "R", "Ana", "Bia")
            try:
                for bad in ("S" * 65, "ç" * 65, "s" * 4000):
                    a.send_line("/criar " + bad)
                    a.expect(PTX.room_invalid, what="room of %d chars" % len(bad))
                    b.send_line("/entrar " + bad)
                    b.expect(PT.no_room, what="join a room of %d chars" % len(bad))
                ok64 = "S" * 64
                a.send_line("/criar " + ok64)
                a.expect(PT.created(ok64))
                a.send_line("/criar " + "ç" * 64)  # 128 bytes
                a.expect(PT.created("ç" * 64))
                a.send_line("/salas")
                a.expect(PT.rooms(["R", ok64, "ç" * 64]))
                b.send_line("/entrar " + ok64)
                b.expect(PT.joined(ok64))
                a.expect(PT.left_other("Bia", "R"))
            finally:
                close_all(cs)


def main(ctx):
    checks = Checks()
    t_nick(ctx, checks)
    t_room(ctx, checks)
    checks.finish()


if __name__ == "__main__":
    run(main)
