#!/usr/bin/env python3
"""1,000 clients reset their connections (SO_LINGER 0) in the middle of a broadcast.

1,000 members join room "storm" (nickname and /entrar sent without waiting
for the prompt), plus a broadcaster and two observers.  The broadcaster sends
2,000 numbered messages (--rate 0); once the observers have seen the 500th,
all 1,000 members close with a RST while the broadcast goes on.  Checks:
  * the daemon survives (and exits 0 on SIGTERM at the end);
  * both observers receive all 2,000 messages, in order, none lost;
  * each of the 1,000 resets is announced exactly once (quit notice);
  * both observers see exactly the same sequence (one room order);
  * a new client can log in and talk afterwards.
"""

import threading
import time

from hostile_lib import (PT, Checks, Client, abort_socket, close_all, daemon, fail, in_room, log,
                         msg_bytes, raw_connect, reader_of, run)

N = 1000
MSGS = 2000
ROOM = "storm"


def main(ctx):
    checks = Checks()
    with checks.check("1,000 RSTs in the middle of a broadcast"):
        with daemon(ctx, extra=["--rate", "0"], log_level="warn") as d:
            b, o1, o2 = cs = in_room(d, ROOM, "Bcast", "Obs1", "Obs2")
            victims = []
            try:
                r1, r2 = reader_of(o1), reader_of(o2)
                t0 = time.monotonic()
                for i in range(N):
                    s = raw_connect(d.port)
                    s.sendall(b"v%04d\n/entrar %s\n" % (i, ROOM.encode()))
                    victims.append(s)
                joined = lambda ln: ln.startswith("📝 v".encode()) and ln.endswith(
                    (" entrou na sala '%s'." % ROOM).encode())
                for r in (r1, r2):
                    if not r.wait_count(N, 60.0, match=joined):
                        fail("%s saw %d of %d joins" % (r.name, sum(1 for _, ln in r.lines if joined(ln)), N))
                log("%d members joined in %.1f s" % (N, time.monotonic() - t0))

                def broadcast():
                    for base in range(0, MSGS, 50):
                        b.sock.sendall(b"".join(b"m%04d\n" % i for i in range(base, base + 50)))
                        time.sleep(0.01)

                th = threading.Thread(target=broadcast, daemon=True)
                th.start()
                m500 = msg_bytes("Bcast", "m0500")
                if r1.wait_line(m500, 30.0) is None:
                    fail("Obs1 did not see message 500")
                t_rst = time.monotonic()
                for s in victims:
                    abort_socket(s)
                log("1,000 connections reset in %.2f s" % (time.monotonic() - t_rst))
                th.join(30)
                quit_of = lambda ln: ln.startswith("👋 v".encode())
                msg = lambda ln: ln.startswith(b"[Bcast] ")
                for r in (r1, r2):
                    ok = r.wait_for(lambda ls: sum(1 for _, ln in ls if quit_of(ln)) >= N
                                    and sum(1 for _, ln in ls if msg(ln)) >= MSGS, 60.0)
                    if not ok:
                        fail("%s: %d of %d departures and %d of %d messages within 60 s"
                             % (r.name, sum(1 for _, ln in r.lines if quit_of(ln)), N,
                                sum(1 for _, ln in r.lines if msg(ln)), MSGS))
                d.assert_alive("after the resets")
                time.sleep(0.3)
                seqs = []
                for r in (r1, r2):
                    lines = [ln for _, ln in r.lines]
                    msgs = [ln for ln in lines if msg(ln)]
                    if msgs != [msg_bytes("Bcast", "m%04d" % i) for i in range(MSGS)]:
                        fail("%s: the broadcast is not exactly m0000..m1999 in order" % r.name)
                    quits = sorted(ln for ln in lines if quit_of(ln))
                    want = sorted(PT.quit_other("v%04d" % i, ROOM).encode()[:-1] for i in range(N))
                    if quits != want:
                        fail("%s: the departures are not each of the 1,000 exactly once" % r.name)
                    other = [ln for ln in lines if not (msg(ln) or quit_of(ln) or joined(ln))]
                    if other:
                        fail("%s: unexpected lines %r" % (r.name, other[:3]))
                    first_quit = next(i for i, ln in enumerate(lines) if quit_of(ln))
                    last_msg = max(i for i, ln in enumerate(lines) if msg(ln))
                    log("%s: departures interleaved with the broadcast: first departure at line %d, "
                        "last message at line %d" % (r.name, first_quit, last_msg))
                    seqs.append(lines)
                if seqs[0] != seqs[1]:
                    fail("the observers saw different room orders")
                rss, hwm = d.memory_kib()
                log("chatd VmRSS %d KiB, VmHWM %d KiB" % (rss, hwm))
                n = Client(d.port, name="Novo").login("Novo")
                n.send_line("/entrar " + ROOM)
                n.expect(PT.joined(ROOM))
                n.send_line("ola")
                for r in (r1, r2):
                    want = msg_bytes("Novo", "ola")
                    if r.wait_line(want, 5.0) is None:
                        fail("%s did not get the newcomer's message" % r.name)
                n.close()
                r1.stop()
                r2.stop()
            finally:
                for s in victims:
                    try:
                        s.close()
                    except OSError:
                        pass
                close_all(cs)
    checks.finish()


if __name__ == "__main__":
    run(main)
