#!/usr/bin/env python3
"""--rooms-per-minute 3: the 4th /criar within a minute is refused.

The refusal is the rate-limit reply, nothing is created (/salas), the limit is
per connection (another client can still create), and the refused client's
other commands keep working.  Without the limit the 4th room would exist.
"""

from hostile_lib import (PT, PTX, Checks, Client, close_all, daemon, run)


def main(ctx):
    checks = Checks()
    with checks.check("4th /criar in a minute refused with the rate-limit reply"):
        with daemon(ctx, extra=["--rooms-per-minute", "3"]) as d:
            a = Client(d.port, name="Ana").login("Ana")
            b = Client(d.port, name="Bia").login("Bia")
            try:
                for r in ("r1", "r2", "r3"):
                    a.send_line("/criar " + r)
                    a.expect(PT.created(r))
                a.send_line("/criar r4")
                a.expect(PTX.rooms_too_fast)
                a.send_line("/create r5")  # the English alias is the same command
                a.expect(PTX.rooms_too_fast)
                a.send_line("/salas")
                a.expect(PT.rooms(["r1", "r2", "r3"]))
                a.send_line("/entrar r1")  # other commands still work
                a.expect(PT.joined("r1"))
                # per connection: Bia has her own allowance
                for r in ("b1", "b2", "b3"):
                    b.send_line("/criar " + r)
                    b.expect(PT.created(r))
                b.send_line("/criar b4")
                b.expect(PTX.rooms_too_fast)
                b.send_line("/salas")
                b.expect(PT.rooms(["r1", "r2", "r3", "b1", "b2", "b3"]))
                a.expect_nothing(0.2)
            finally:
                close_all([a, b])
    checks.finish()


if __name__ == "__main__":
    run(main)
