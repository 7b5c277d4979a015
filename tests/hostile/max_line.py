#!/usr/bin/env python3
"""max-line: an over-long line gets one error reply; the connection stays usable.

A member sends 1 MiB without any newline (default max-line 4096): it must get
exactly one "line too long" reply, nothing of it may reach the room, its next
line (once the idle flush has ended the long one) must be relayed normally,
and the other members keep talking meanwhile.  Also: a 1 MiB line that does
end in LF followed by a normal line in the same write (the normal line
survives), and a 1 MiB nickname (error, prompt again, then a normal login).
Without max-line the daemon would buffer the megabyte and relay it.
"""

import threading
import time

from hostile_lib import (PT, PTX, Checks, Client, close_all, daemon, fail, in_room, log, run,
                         sentinel)

MAX_LINE = 4096
MIB = 1 << 20


def t_no_newline(ctx, checks):
    with checks.check("1 MiB without newline: one error, connection usable, others unaffected"):
        with daemon(ctx) as d:
            a, b, c = cs = in_room(d, "R", "Ana", "Bia", "Caio")
            try:
                sent = []

                def blast():
                    a.sock.sendall(b"x" * MIB)
                    sent.append(time.monotonic())

                th = threading.Thread(target=blast, daemon=True)
                th.start()
                # others keep talking while the megabyte streams in
                for i in range(5):
                    b.send_line("b%d" % i)
                    c.expect(PT.msg("Bia", "b%d" % i), timeout=2.0)
                th.join(20)
                if not sent:
                    fail("sending 1 MiB did not finish within 20 s (the daemon stopped reading?)")
                # a gets Bia's 5 lines and, somewhere among them, exactly one error
                want_b = [PT.msg("Bia", "b%d" % i) for i in range(5)]
                got = [a.read_line(timeout=5.0) for _ in range(6)]
                errors = [ln for ln in got if ln == PTX.line_too_long(MAX_LINE)]
                others = [ln for ln in got if ln != PTX.line_too_long(MAX_LINE)]
                if len(errors) != 1 or others != want_b:
                    fail("Ana: want one line-too-long reply among Bia's 5 lines, got %r" % got)
                # nothing of the long line reached anyone, and no second error
                for r in (a, b, c):
                    r.expect_nothing(0.4)
                # the idle flush (150 ms) ended the long line: the next one is normal
                sentinel(a, [b, c], "depois")
                sentinel(b, [a, c], "ainda aqui")
                a.send_line("/salas")
                a.expect(PT.rooms(["R"]))
                d.assert_alive()
            finally:
                close_all(cs)


def t_with_newline(ctx, checks):
    with checks.check("1 MiB line ending in LF + a normal line in the same write"):
        with daemon(ctx) as d:
            a, b = cs = in_room(d, "R", "Duda", "Edu")
            try:
                a.sock.sendall(b"y" * MIB + b"\nnormal\n")
                a.expect(PTX.line_too_long(MAX_LINE), timeout=10.0)
                b.expect(PT.msg("Duda", "normal"), timeout=10.0,
                         what="the line after the long one (nothing of the long one before it)")
                a.expect_nothing(0.3)
                b.expect_nothing(0.2)
                # CRLF: exactly max-line bytes + CR LF is a valid line
                text = "z" * MAX_LINE
                a.send_raw(text.encode() + b"\r\n")
                b.expect(PT.msg("Duda", text), timeout=5.0, what="a line of exactly max-line bytes")
                a.send_raw(b"w" * (MAX_LINE + 1) + b"\n")
                a.expect(PTX.line_too_long(MAX_LINE), what="a line of max-line + 1 bytes")
                sentinel(a, [b])
            finally:
                close_all(cs)


def t_nickname(ctx, checks):
    with checks.check("1 MiB nickname: error, prompt again, then a normal login"):
        with daemon(ctx) as d:
            a = Client(d.port, name="long-nick")
            try:
                a.expect_prompt()
                a.sock.sendall(b"N" * MIB + b"\n")
                a.expect(PTX.line_too_long(MAX_LINE), timeout=10.0)
                a.expect_prompt()
                a.expect_nothing(0.3)
                a.send_line("Fabi")
                a.expect_welcome("Fabi")
                a.send_line("/salas")
                a.expect(PT.rooms([]))
            finally:
                a.close()
            rss, hwm = d.memory_kib()
            log("chatd VmRSS %d KiB, VmHWM %d KiB" % (rss, hwm))


def main(ctx):
    checks = Checks()
    t_no_newline(ctx, checks)
    t_with_newline(ctx, checks)
    t_nickname(ctx, checks)
    checks.finish()


if __name__ == "__main__":
    run(main)
