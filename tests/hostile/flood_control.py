#!/usr/bin/env python3
"""Flood control: --rate 5 --burst 10 slows a sender down without dropping lines.

1. A member sends 50 lines in one write.  The listener receives all 50, in
   order, none lost; the first 10 (the burst) at once, the other 40 at about
   5 a second, so the last one comes ~8 s later (checked loosely: not all
   within 1 s, the last after >= 5 s, all within 15 s).  Another member's
   messages keep arriving promptly meanwhile.
2. --flood-disconnect 2: a member that keeps flooding (200 lines/s, non-stop)
   gets the flood notice and is disconnected after ~2 s of being throttled;
   the room is told it left and sees its delivered lines in order.
Without flood control the 50 lines arrive within milliseconds, and the
flooder of (2) is never disconnected.
"""

import threading
import time

from hostile_lib import (PT, PTX, Checks, close_all, daemon, fail, in_room, log, msg_bytes,
                         reader_of, run)

RATE_ARGS = ["--rate", "5", "--burst", "10"]


def t_spread(ctx, checks):
    with checks.check("50 lines at once: all delivered in order, spread over ~8 s"):
        with daemon(ctx, extra=RATE_ARGS) as d:
            f, p, l = cs = in_room(d, "R", "Fast", "Pam", "Leo")
            try:
                rl = reader_of(l)
                rf = reader_of(f)
                want = [msg_bytes("Fast", "f%02d" % i) for i in range(50)]
                t0 = time.monotonic()
                f.send_raw(b"".join(b"f%02d\n" % i for i in range(50)))
                # meanwhile Pam's lines reach Leo promptly (she has her own bucket)
                lat = []
                for i in range(6):
                    time.sleep(0.5)
                    line = msg_bytes("Pam", "p%d" % i)
                    ts = time.monotonic()
                    p.send_line("p%d" % i)
                    if not rl.wait_for(lambda ls: any(ln == line for _, ln in ls), 3.0):
                        fail("Leo did not get Pam's %r within 3 s during the flood" % line)
                    tr = next(t for t, ln in rl.lines if ln == line)
                    lat.append(tr - ts)
                log("Pam's lines reached Leo during the flood in at most %.3f s" % max(lat))
                if max(lat) > 1.0:
                    fail("Pam's lines were slowed down by Fast's flood: latencies %s"
                         % ["%.3f" % x for x in lat])
                if not rl.wait_count(50, 15.0, match=lambda ln: ln.startswith(b"[Fast] ")):
                    got = sum(1 for _, ln in rl.lines if ln.startswith(b"[Fast] "))
                    fail("only %d of 50 lines delivered within 15 s" % got)
                got = [(t, ln) for t, ln in rl.lines if ln.startswith(b"[Fast] ")]
                if [ln for _, ln in got] != want:
                    fail("Fast's lines not delivered exactly, in order: %r" % [ln for _, ln in got])
                first_sec = sum(1 for t, _ in got if t - t0 <= 1.0)
                last = got[-1][0] - t0
                log("flood of 50 at --rate 5 --burst 10: %d within the first second, last after %.2f s"
                    % (first_sec, last))
                if first_sec >= 50 or first_sec > 10 + 5 + 3:
                    fail("%d of 50 lines within the first second: not throttled" % first_sec)
                if first_sec < 10:
                    fail("only %d lines within the first second: the burst of 10 is not honoured" % first_sec)
                if last < 5.0:
                    fail("the 50th line arrived after %.2f s; at 5 lines/s it takes ~8 s" % last)
                if rf.lines and any(ln.startswith(PTX.flood.encode()[:10]) for _, ln in rf.lines):
                    fail("the sender got a flood notice without --flood-disconnect")
                # the sender was never told off and can still talk normally
                f.send_line("depois")
                if rl.wait_line(msg_bytes("Fast", "depois"), 3.0) is None:
                    fail("Fast cannot talk normally after the flood")
                rl.stop()
                rf.stop()
            finally:
                close_all(cs)


def t_disconnect(ctx, checks):
    with checks.check("--flood-disconnect 2: a non-stop flooder gets the notice and is closed"):
        with daemon(ctx, extra=RATE_ARGS + ["--flood-disconnect", "2"]) as d:
            f, l = cs = in_room(d, "R", "Flood", "Leo")
            try:
                rl = reader_of(l)
                rf = reader_of(f)
                stop = threading.Event()
                sent = [0]

                def flood():
                    i = 0
                    try:
                        while not stop.is_set():
                            f.sock.sendall(b"".join(b"x%05d\n" % (i + k) for k in range(20)))
                            i += 20
                            sent[0] = i
                            time.sleep(0.1)
                    except OSError:
                        pass

                th = threading.Thread(target=flood, daemon=True)
                t0 = time.monotonic()
                th.start()
                notice = PTX.flood.encode()[:-1]
                quit_notice = PT.quit_other("Flood", "R").encode()[:-1]
                ok = rl.wait_for(lambda ls: any(ln == quit_notice for _, ln in ls), 10.0)
                t_quit = time.monotonic() - t0
                if not ok:
                    fail("the flooder was not disconnected within 10 s (sent %d lines)" % sent[0])
                rf.wait_eof(5.0)
                stop.set()
                th.join(5)
                log("flooder disconnected after %.2f s (the room told); it had sent %d lines; "
                    "its connection: eof=%s reset=%s" % (t_quit, sent[0], rf.eof, rf.reset))
                if t_quit < 1.5:
                    fail("disconnected after %.2f s: before --flood-disconnect 2 s" % t_quit)
                if not rf.eof:
                    fail("the flooder's connection is still open")
                got_notice = [ln for _, ln in rf.lines if ln == notice]
                if len(got_notice) != 1 or rf.lines[-1][1] != notice:
                    fail("the flooder's last line must be the flood notice %r; it got %r"
                         % (PTX.flood, [ln for _, ln in rf.lines][-5:]))
                msgs = [ln for _, ln in rl.lines if ln.startswith(b"[Flood] ")]
                if msgs != [msg_bytes("Flood", "x%05d" % i) for i in range(len(msgs))]:
                    fail("the room saw the flooder's lines out of order or with gaps")
                log("the room got %d of its lines, in order, then the departure" % len(msgs))
                if rl.lines[-1][1] != quit_notice:
                    fail("the room's last line must be the departure, got %r" % rl.lines[-1][1])
                d.assert_alive()
                rl.stop()
            finally:
                close_all(cs)


def main(ctx):
    checks = Checks()
    t_spread(ctx, checks)
    t_disconnect(ctx, checks)
    checks.finish()


if __name__ == "__main__":
    run(main)
