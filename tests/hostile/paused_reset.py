#!/usr/bin/env python3
"""A throttled flooder that resets or closes its connection is gone at once (issue 13).

--rate 5 --burst 5: the flooder sends 2,000 lines (~72 KB) in one go, so the
daemon stops reading it (flood control) and relays its lines at 5 a second
from what it already read.
1. The flooder resets (SO_LINGER 0).  The watcher in the room must hear it
   quit within 1 s, and no line of the flooder may reach the watcher later
   than 1 s after the reset; those that came are in order, without gaps.
   Without the fix the reset of a paused socket went unseen and the held
   lines kept coming for minutes.
2. The same for a FIN (the flooder shuts its sending side down): the lines
   it sent but the daemon holds go with it, as an IRC server drops a
   departed client's receive queue.
"""

import socket
import time

from hostile_lib import PT, Checks, close_all, daemon, fail, in_room, log, msg_bytes, reader_of, run

RATE_ARGS = ["--rate", "5", "--burst", "5"]
LINES = 2000
PAD = "." * 30


def line(i):
    return "f%04d %s" % (i, PAD)


def throttled(d):
    """A flooder and a watcher in room R; the flood is on and throttled."""
    f, w = cs = in_room(d, "R", "Flood", "Watcher")
    rw = reader_of(w)
    f.send_raw(b"".join(line(i).encode() + b"\n" for i in range(LINES)))
    is_flood = lambda ln: ln.startswith(b"[Flood] ")  # noqa: E731
    # the burst at once, then 5 a second: wait until it is clearly throttled
    if not rw.wait_count(10, 10.0, match=is_flood):
        fail("the watcher got %d of the flooder's lines within 10 s"
             % sum(1 for _, ln in rw.lines if is_flood(ln)))
    got = sum(1 for _, ln in rw.lines if is_flood(ln))
    if got > 5 + 5 * 3 + 5:
        fail("%d lines delivered already: the flooder is not throttled" % got)
    return f, w, cs, rw, is_flood


def in_order(rw, is_flood, who):
    msgs = [ln for _, ln in rw.lines if is_flood(ln)]
    if msgs != [msg_bytes("Flood", line(i)) for i in range(len(msgs))]:
        fail("%s: the flooder's lines came out of order or with gaps" % who)
    return msgs


def t_gone(ctx, checks, how):
    """`how` is "reset" (SO_LINGER 0) or "FIN" (shutdown of its sending side)."""
    with checks.check("a throttled flooder's %s: quit within 1 s, no held line relayed after" % how):
        with daemon(ctx, extra=RATE_ARGS) as d:
            f, w, cs, rw, is_flood = throttled(d)
            try:
                before = sum(1 for _, ln in rw.lines if is_flood(ln))
                t_gone = time.monotonic()
                if how == "reset":
                    f.abort()
                else:
                    f.sock.shutdown(socket.SHUT_WR)
                quit_notice = PT.quit_other("Flood", "R").encode()[:-1]
                if rw.wait_line(quit_notice, 5.0) is None:
                    fail("the watcher did not hear the flooder quit within 5 s of its %s "
                         "(%d of its lines so far)" % (how, sum(1 for _, ln in rw.lines if is_flood(ln))))
                t_quit = next(t for t, ln in rw.lines if ln == quit_notice) - t_gone
                time.sleep(2.0)  # would any held line still come?
                late = [(t - t_gone, ln) for t, ln in rw.lines if is_flood(ln) and t - t_gone > 1.0]
                msgs = in_order(rw, is_flood, "Watcher")
                log("%s after %d relayed lines; quit heard after %.3f s; %d of %d lines relayed "
                    "in all, %d more than 1 s after it"
                    % (how, before, t_quit, len(msgs), LINES, len(late)))
                if t_quit > 1.0:
                    fail("the quit came %.2f s after the %s (more than 1 s)" % (t_quit, how))
                if late:
                    fail("%d of the flooder's lines reached the watcher more than 1 s after its "
                         "%s, the last %.2f s after" % (len(late), how, late[-1][0]))
                if rw.lines and rw.lines[-1][1] != quit_notice:
                    fail("the watcher's last line must be the quit, got %r" % rw.lines[-1][1])
                d.assert_alive()
                rw.stop()
            finally:
                close_all(cs)


def main(ctx):
    checks = Checks()
    t_gone(ctx, checks, "reset")
    t_gone(ctx, checks, "FIN")
    checks.finish()


if __name__ == "__main__":
    run(main)
