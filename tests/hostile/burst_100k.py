#!/usr/bin/env python3
"""100,000 lines in one burst from one client.

1. Default flood control (20 lines/s, burst 200): the flooder is throttled --
   the daemon reads its socket less, so TCP pushes back and its writes stall
   (it cannot hand the kernel all 100,000 lines), nothing is dropped (what
   the room gets is f000000, f000001, ... with no gap, in order, about
   burst + rate * elapsed of them), and the other members' messages keep
   arriving promptly (< 1 s), also after the flooder resets its connection.
2. --rate 0 (flood control off): all 100,000 lines reach each of two
   listeners, exactly and in order.
Without flood control (1) would deliver thousands of lines a second.
"""

import select
import threading
import time

from hostile_lib import (Checks, close_all, daemon, fail, in_room, log, msg_bytes, reader_of, run)

N = 100_000
PAD = b" " + b"." * 40


class Flooder(threading.Thread):
    """Writes `payload` with non-blocking sends; `sent` = bytes the kernel took so far."""

    def __init__(self, sock, payload):
        super().__init__(daemon=True)
        self.sock = sock
        self.payload = memoryview(payload)
        self.sent = 0
        self.halt = threading.Event()
        self.error = None

    def run(self):
        self.sock.setblocking(False)
        try:
            while self.sent < len(self.payload) and not self.halt.is_set():
                _, w, _ = select.select([], [self.sock], [], 0.1)
                if not w:
                    continue
                try:
                    self.sent += self.sock.send(self.payload[self.sent:self.sent + (1 << 18)])
                except BlockingIOError:
                    continue
        except OSError as e:
            self.error = e


def t_throttled(ctx, checks):
    with checks.check("default flood control: 100,000-line burst throttled, nothing dropped"):
        with daemon(ctx) as d:
            f, p, l, q = cs = in_room(d, "R", "Flo", "Pam", "Leo", "Quim")
            try:
                rl, rq = reader_of(l), reader_of(q)
                payload = b"".join(b"f%06d%s\n" % (i, PAD) for i in range(N))
                fl = Flooder(f.sock, payload)
                t0 = time.monotonic()
                fl.start()
                lat = []
                for i in range(10):
                    time.sleep(0.3)
                    line = msg_bytes("Pam", "p%d" % i)
                    starts = [len(r.lines) for r in (rl, rq)]
                    ts = time.monotonic()
                    p.send_line("p%d" % i)
                    for r, start in zip((rl, rq), starts):
                        idx = r.wait_line(line, 3.0, start)
                        if idx is None:
                            fail("%s did not get Pam's %r within 3 s of the flood" % (r.name, line))
                        lat.append(r.time_of(idx) - ts)
                elapsed = time.monotonic() - t0
                time.sleep(0.2)
                log("Pam's lines during the flood: max latency %.3f s" % max(lat))
                if max(lat) > 1.0:
                    fail("Pam's messages were delayed by the flood: max latency %.3f s" % max(lat))
                want_prefix = [msg_bytes("Flo", "f%06d%s" % (i, PAD.decode())) for i in range(N)]
                for r in (rl, rq):
                    flo = [ln for _, ln in list(r.lines) if ln.startswith(b"[Flo] ")]
                    if flo != want_prefix[:len(flo)]:
                        bad = next(i for i in range(len(flo)) if flo[i] != want_prefix[i])
                        fail("%s: the flooder's line #%d is %r, want %r (dropped or reordered)"
                             % (r.name, bad, flo[bad], want_prefix[bad]))
                    limit = 200 + 20 * (elapsed + 0.5) + 20
                    log("%s got %d of the flooder's lines in %.1f s (limit %d); flooder's kernel took "
                        "%d of %d bytes" % (r.name, len(flo), elapsed, limit, fl.sent, len(payload)))
                    if len(flo) > limit:
                        fail("%s got %d lines in %.1f s: not throttled to 20/s after a burst of 200"
                             % (r.name, len(flo), elapsed))
                    if len(flo) < 200:
                        fail("%s got only %d lines: the burst of 200 should pass at once" % (r.name, len(flo)))
                if fl.sent >= len(payload):
                    fail("the flooder could write all %d bytes: its reading was not slowed" % len(payload))
                rss, hwm = d.memory_kib()
                log("chatd VmRSS %d KiB, VmHWM %d KiB" % (rss, hwm))
                fl.halt.set()
                fl.join(5)
                # The flooder resets its connection.  (Its lines already read into the
                # daemon keep trickling out at the rate; its departure is announced
                # once they are out, or by --flood-disconnect: not checked here.)
                f.abort()
                starts = [len(r.lines) for r in (rl, rq)]
                p.send_line("fim")
                fim = msg_bytes("Pam", "fim")
                for r, start in zip((rl, rq), starts):
                    if r.wait_line(fim, 3.0, start) is None:
                        fail("%s: Pam's line after the flooder's reset did not arrive within 3 s" % r.name)
                rl.stop()
                rq.stop()
                d.assert_alive()
            finally:
                close_all(cs)


def t_unthrottled(ctx, checks):
    with checks.check("--rate 0: all 100,000 lines delivered in order"):
        with daemon(ctx, extra=["--rate", "0"]) as d:
            f, l, q = cs = in_room(d, "R", "Flo", "Leo", "Quim")
            try:
                rl, rq = reader_of(l), reader_of(q)
                payload = b"".join(b"f%06d\n" % i for i in range(N))
                t0 = time.monotonic()
                fl = Flooder(f.sock, payload)
                fl.start()
                for r in (rl, rq):
                    if not r.wait_count(N, 90.0):
                        fail("%s got %d of %d lines within 90 s" % (r.name, len(r.lines), N))
                dt = time.monotonic() - t0
                want = [msg_bytes("Flo", "f%06d" % i) for i in range(N)]
                for r in (rl, rq):
                    got = [ln for _, ln in r.lines]
                    if got[:N] != want:
                        bad = next(i for i in range(N) if got[i] != want[i])
                        fail("%s: line #%d is %r, want %r" % (r.name, bad, got[bad], want[bad]))
                log("100,000 lines to 2 listeners in %.2f s (%.0f lines/s per listener)" % (dt, N / dt))
                fl.join(5)
                f.send_line("fim")
                for r in (rl, rq):
                    if not r.wait_for(lambda ls: len(ls) > N and ls[N][1] == msg_bytes("Flo", "fim"), 5.0):
                        fail("%s: something other than the 100,000 lines then 'fim': %r"
                             % (r.name, [ln for _, ln in r.lines[N:N + 3]]))
                rss, hwm = d.memory_kib()
                log("chatd VmRSS %d KiB, VmHWM %d KiB" % (rss, hwm))
                rl.stop()
                rq.stop()
            finally:
                close_all(cs)


def main(ctx):
    checks = Checks()
    t_throttled(ctx, checks)
    t_unthrottled(ctx, checks)
    checks.finish()


if __name__ == "__main__":
    run(main)
