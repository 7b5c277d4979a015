#!/usr/bin/env python3
"""Slowloris: clients that trickle one byte a second stall no one; --login-timeout closes idlers.

Daemon 1 (--login-timeout 2, default idle flush):
  * 10 registered members of room "lenta" trickle one byte a second; with the
    150 ms idle flush each byte is a line, relayed in order to a watcher;
  * 10 connections trickle "/" at the nickname step (an invalid nickname each
    time) and 5 connect and send nothing: all 15 get the login-timeout notice
    and are closed after ~2 s (not before 1.8 s, not after 4 s);
  * a client that sends its nickname after 1.5 s is not closed;
  * meanwhile two members of room "rapida" exchange 20 messages, each
    delivered within 0.5 s.
Daemon 2 (--login-timeout 2 --line-idle-flush 0): bytes of an unfinished line
accumulate; members trickling "abc\\n" get it relayed whole; connections
trickling their nickname ("Lento\\n") never finish it in time and are closed.
"""

import threading
import time

from hostile_lib import (PROMPT_PT, PT, PTX, Checks, Client, close_all, daemon, fail, in_room,
                         log, msg_bytes, reader_of, run)


class Trickler(threading.Thread):
    """Every `interval` s sends the next byte of data[i] to socks[i] (errors end that socket)."""

    def __init__(self, socks, data, interval=1.0):
        super().__init__(daemon=True)
        self.socks = list(socks)
        self.data = data
        self.interval = interval
        self.halt = threading.Event()

    def run(self):
        pos = [0] * len(self.socks)
        dead = [False] * len(self.socks)
        while not self.halt.is_set():
            for i, s in enumerate(self.socks):
                if dead[i] or pos[i] >= len(self.data[i]):
                    continue
                try:
                    s.send(self.data[i][pos[i]:pos[i] + 1])
                    pos[i] += 1
                except OSError:
                    dead[i] = True
            if all(dead[i] or pos[i] >= len(self.data[i]) for i in range(len(self.socks))):
                return
            self.halt.wait(self.interval)


def ping_pong(p, q, n, max_latency=0.5):
    lat = []
    for i in range(n):
        a, b = (p, q) if i % 2 == 0 else (q, p)
        t = time.monotonic()
        a.send_line("pp%d" % i)
        b.expect(PT.msg(a.name, "pp%d" % i), timeout=3.0)
        lat.append(time.monotonic() - t)
        time.sleep(0.2)
    log("ping-pong during the slowloris: %d messages, max latency %.3f s" % (n, max(lat)))
    if max(lat) > max_latency:
        fail("messages delayed by the slow clients: max latency %.3f s" % max(lat))


def check_login_timeout(r, t_connect, who):
    """LineReader r of a connection that never registered: notice last, then EOF in 1.8..4 s."""
    if not r.wait_eof(6.0):
        fail("%s: still open 6 s after connecting (--login-timeout 2)" % who)
    t_eof = time.monotonic() - t_connect
    last = r.lines[-1][1] if r.lines else b""
    want = (PROMPT_PT + PTX.login_timeout[:-1]).encode()
    if not last.endswith(PTX.login_timeout[:-1].encode()):
        fail("%s: want the login-timeout notice as its last line, got %r" % (who, last))
    if r.partial:
        fail("%s: unexpected bytes after the notice: %r" % (who, bytes(r.partial)))
    t_notice = r.lines[-1][0] - t_connect
    if not 1.8 <= t_notice <= 4.0:
        fail("%s: login-timeout notice %.2f s after connecting (want ~2 s)" % (who, t_notice))
    return last == want, t_eof


def t_default(ctx, checks):
    with checks.check("trickling clients stall no one; --login-timeout 2 closes unregistered ones"):
        with daemon(ctx, extra=["--login-timeout", "2"]) as d:
            p, q = fast = in_room(d, "rapida", "Pam", "Quim")
            slow_nicks = ["s%02d" % i for i in range(10)]
            slow = in_room(d, "lenta", "Vigia", *slow_nicks)
            watcher, slow = slow[0], slow[1:]
            cs = fast + [watcher] + slow
            try:
                rw = reader_of(watcher)
                t0 = time.monotonic()
                nickers = [Client(d.port, name="nick%d" % i) for i in range(10)]
                silent = [Client(d.port, name="mudo%d" % i) for i in range(5)]
                late = Client(d.port, name="late")
                cs += nickers + silent + [late]
                readers = [reader_of(c) for c in nickers + silent]
                tr = Trickler([c.sock for c in slow] + [c.sock for c in nickers],
                              [b"abcdef"] * len(slow) + [b"//////"] * len(nickers))
                tr.start()
                time.sleep(1.5)
                late.expect_prompt()
                late.send_line("Tardio")
                late.expect_welcome("Tardio")
                ping_pong(p, q, 20)
                for i, r in enumerate(readers):
                    exact, t_eof = check_login_timeout(r, t0, r.name)
                    if i >= len(nickers) and not exact:
                        fail("%s: want exactly the prompt then the notice, got %r" % (r.name, r.lines))
                log("15 unregistered connections closed with the login-timeout notice")
                late.send_line("/salas")
                late.expect(PT.rooms(["rapida", "lenta"]))
                tr.join(10)
                want = {n: [msg_bytes(n, ch) for ch in "abcdef"] for n in slow_nicks}
                ok = rw.wait_count(60, 5.0)
                got = {n: [ln for _, ln in rw.lines if ln.startswith(("[%s] " % n).encode())]
                       for n in slow_nicks}
                if not ok or got != want:
                    fail("watcher: want each trickler's bytes as lines a..f in order; got %r"
                         % {n: got[n] for n in slow_nicks if got[n] != want[n]})
                log("each byte of the 10 registered tricklers was relayed as a line, in order")
                d.assert_alive()
                rw.stop()
            finally:
                close_all(cs)


def t_no_idle_flush(ctx, checks):
    with checks.check("--line-idle-flush 0: trickled lines arrive whole; trickled nicknames time out"):
        with daemon(ctx, extra=["--login-timeout", "2", "--line-idle-flush", "0"]) as d:
            p, q = fast = in_room(d, "rapida", "Pam", "Quim")
            slow_nicks = ["t%02d" % i for i in range(5)]
            slow = in_room(d, "lenta", "Vigia", *slow_nicks)
            watcher, slow = slow[0], slow[1:]
            cs = fast + [watcher] + slow
            try:
                rw = reader_of(watcher)
                t0 = time.monotonic()
                nickers = [Client(d.port, name="lento%d" % i) for i in range(5)]
                cs += nickers
                readers = [reader_of(c) for c in nickers]
                tr = Trickler([c.sock for c in slow] + [c.sock for c in nickers],
                              [b"abc\n"] * len(slow) + [b"Lento\n"] * len(nickers))
                tr.start()
                ping_pong(p, q, 10)
                for r in readers:
                    exact, _ = check_login_timeout(r, t0, r.name)
                    if not exact:
                        fail("%s: want exactly the prompt then the notice, got %r" % (r.name, r.lines))
                tr.join(10)
                want = sorted(msg_bytes(n, "abc") for n in slow_nicks)
                if not rw.wait_count(len(want), 5.0):
                    fail("watcher got %r, want the 5 whole lines %r" % ([ln for _, ln in rw.lines], want))
                got = sorted(ln for _, ln in rw.lines)
                if got != want:
                    fail("watcher got %r, want the 5 whole lines %r" % (got, want))
                rw.stop()
            finally:
                close_all(cs)


def main(ctx):
    checks = Checks()
    t_default(ctx, checks)
    t_no_idle_flush(ctx, checks)
    checks.finish()


if __name__ == "__main__":
    run(main)
