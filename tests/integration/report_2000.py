#!/usr/bin/env python3
"""The report's failing case: 2,000 clients in one room, each sends one message.

The original server aborted with broken pipes at 1,500-2,000 connections.
Here, from one Python process with non-blocking sockets and `selectors`:
  1. connect 2,000 clients (at most --inflight connecting at once) and wait
     for every prompt: connections accepted per second;
  2. log every client in ("c0000".."c1999"), check every welcome byte for byte;
  3. c0000 creates room "big", everyone joins it;
  4. everyone sends one message "m <id>"; every client must receive exactly
     the 1,999 others' messages (none lost, none duplicated, never its own)
     and, before them, the join notices of everyone who joined after it;
  5. the daemon must still be up (and answer a new client after all 2,000
     drop at once), and exit 0 on SIGTERM.
Prints wall times, deliveries/s as seen by this client process, and the
daemon's VmRSS / VmHWM.
"""

import errno
import selectors
import socket
import time

from chatd_harness import (HOST, PROMPT_PT, PT, Client, arg_parser, daemon, fail, log, run,
                           welcome_pt)

ROOM = "big"
CONNECTING, PROMPTED, LOGIN, WELCOMED, JOINED = range(5)


class C:
    __slots__ = ("i", "sock", "state", "buf", "msgs", "joins", "seen", "nick", "closed")

    def __init__(self, i):
        self.i = i
        self.sock = None
        self.state = CONNECTING
        self.buf = b""
        self.msgs = 0
        self.joins = 0
        self.seen = None
        self.nick = b"c%04d" % i
        self.closed = False


def main(ctx):
    a = ctx.args
    n = a.clients
    prompt = PROMPT_PT.encode()
    joined_line = PT.joined(ROOM).encode()[:-1]
    join_prefix = "📝 ".encode()
    join_suffix = (" entrou na sala '%s'." % ROOM).encode()
    welcome_end = b"/sair_chat - desconectar\n"
    stats = {}

    with daemon(ctx, lang="pt", log_level="warn") as d:
        sel = selectors.DefaultSelector()
        cs = [C(i) for i in range(n)]
        errors = []
        unexpected = []
        counters = {"prompted": 0, "welcomed": 0, "joined": 0, "done": 0}

        def err(c, msg):
            if len(errors) < 20:
                errors.append("c%04d: %s" % (c.i, msg))

        def on_lines(c, data):
            buf = c.buf + data
            if c.state == CONNECTING:
                if len(buf) < len(prompt):
                    if not prompt.startswith(buf):
                        err(c, "bad prompt %r" % buf)
                    c.buf = buf
                    return
                if not buf.startswith(prompt):
                    err(c, "bad prompt %r" % buf[:80])
                c.state = PROMPTED
                counters["prompted"] += 1
                c.buf = buf[len(prompt):]
                if c.buf:
                    err(c, "unexpected bytes after the prompt: %r" % c.buf[:80])
                return
            if c.state == LOGIN:
                k = buf.find(welcome_end)
                if k < 0:
                    c.buf = buf
                    return
                k += len(welcome_end)
                if buf[:k] != welcome_pt(c.nick.decode()).encode():
                    err(c, "bad welcome %r" % buf[:k])
                c.state = WELCOMED
                counters["welcomed"] += 1
                buf = buf[k:]
            parts = buf.split(b"\n")
            c.buf = parts.pop()
            seen = c.seen
            for line in parts:
                if line[:1] == b"[":
                    if len(line) == 14 and line[6:10] == b"] m " and line[2:6] == line[10:14] \
                            and line[1:2] == b"c":
                        sid = int(line[2:6])
                        if sid == c.i:
                            err(c, "got its own message echoed")
                        elif seen[sid]:
                            err(c, "got c%04d's message twice" % sid)
                        else:
                            seen[sid] = 1
                            c.msgs += 1
                            if c.msgs == n - 1:
                                counters["done"] += 1
                        if c.state != JOINED:
                            err(c, "message before its join confirmation")
                        continue
                elif line.startswith(join_prefix) and line.endswith(join_suffix):
                    if c.msgs:
                        err(c, "join notice after messages: %r" % line)
                    c.joins += 1
                    continue
                elif line == joined_line and c.state == WELCOMED:
                    c.state = JOINED
                    counters["joined"] += 1
                    continue
                elif line == PT.created(ROOM).encode()[:-1] and c.i == 0:
                    counters["created"] = 1
                    continue
                elif c.state == WELCOMED and (line.startswith(b"/ajuda") or line.startswith(b"/help")):
                    continue  # optional extra help lines of the welcome
                if len(unexpected) < 10:
                    unexpected.append((c.i, line))

        def pump(timeout):
            for key, _ in sel.select(timeout):
                c = key.data
                try:
                    data = c.sock.recv(262144)
                except (BlockingIOError, InterruptedError):
                    continue
                except OSError as e:
                    data = b""
                    err(c, "recv: %s" % e)
                if not data:
                    if not c.closed:
                        err(c, "connection closed by the server (state %d)" % c.state)
                        c.closed = True
                        sel.unregister(c.sock)
                    continue
                on_lines(c, data)

        def wait_until(what, pred, timeout):
            deadline = time.monotonic() + timeout
            while not pred():
                if time.monotonic() > deadline:
                    msgs = sorted(c.msgs for c in cs)
                    joins = sum(c.joins for c in cs)
                    fail("%s: timed out after %.0f s (prompted %d, welcomed %d, joined %d, done %d "
                         "of %d); messages received per client: min %d, median %d, max %d, total %d "
                         "of %d; join notices %d of %d; closed by server %d; errors: %s; "
                         "unexpected: %s" % (
                             what, timeout, counters["prompted"], counters["welcomed"],
                             counters["joined"], counters["done"], n, msgs[0], msgs[n // 2],
                             msgs[-1], sum(msgs), n * (n - 1), joins, n * (n - 1) // 2,
                             sum(1 for c in cs if c.closed), errors[:5], unexpected[:5]))
                if not d.alive():
                    d.assert_alive("during " + what)
                if errors and len(errors) >= 20:
                    fail("%s: too many errors: %s" % (what, errors[:10]))
                pump(0.1)

        try:
            # 1. connect
            t0 = time.monotonic()
            next_i = 0
            while counters["prompted"] < n:
                while next_i < n and next_i - counters["prompted"] < a.inflight:
                    c = cs[next_i]
                    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                    s.setblocking(False)
                    rc = s.connect_ex((HOST, d.port))
                    if rc not in (0, errno.EINPROGRESS):
                        fail("connect #%d: %s" % (next_i, errno.errorcode.get(rc, rc)))
                    c.sock = s
                    sel.register(s, selectors.EVENT_READ, c)
                    next_i += 1
                if time.monotonic() - t0 > a.timeout:
                    fail("connect phase: only %d of %d prompts after %.0f s; errors %s"
                         % (counters["prompted"], n, a.timeout, errors[:5]))
                d.assert_alive("during the connect phase")
                pump(0.05)
            t_conn = time.monotonic() - t0
            stats["connect"] = t_conn
            log("connect phase: %d clients prompted in %.3f s = %.0f connections accepted/s"
                % (n, t_conn, n / t_conn))

            # 2. log in
            t1 = time.monotonic()
            for c in cs:
                c.state = LOGIN
                c.sock.send(c.nick + b"\n")
            wait_until("login", lambda: counters["welcomed"] == n, a.timeout)
            stats["login"] = time.monotonic() - t1
            log("login: %d welcomed in %.3f s" % (n, stats["login"]))

            # 3. create and join
            cs[0].sock.send(b"/criar " + ROOM.encode() + b"\n")
            wait_until("create", lambda: counters.get("created"), 10)
            t2 = time.monotonic()
            for c in cs:
                c.seen = bytearray(n)
                c.sock.send(b"/entrar " + ROOM.encode() + b"\n")
            wait_until("join", lambda: counters["joined"] == n, a.timeout)
            stats["join"] = time.monotonic() - t2
            log("join: %d members in %.3f s" % (n, stats["join"]))

            # 4. everyone sends one message
            cpu0 = d.cpu_seconds()
            t3 = time.monotonic()
            for c in cs:
                c.sock.send(b"m %04d\n" % c.i)
            wait_until("messages", lambda: counters["done"] == n, a.timeout)
            t_msg = time.monotonic() - t3
            cpu_us = (d.cpu_seconds() - cpu0) * 1e6 / (n * (n - 1))
            deliveries = n * (n - 1)
            stats["messages"] = t_msg
            rss, hwm = d.memory_kib()
            log("messages: %d deliveries in %.3f s = %.0f deliveries/s (as read by this one "
                "Python process); daemon CPU %.3f us per delivery" % (
                    deliveries, t_msg, deliveries / t_msg, cpu_us))
            # late extras (echoes, duplicates) still in flight
            end = time.monotonic() + 0.5
            while time.monotonic() < end:
                pump(0.05)
            joins_total = sum(c.joins for c in cs)
            if joins_total != n * (n - 1) // 2:
                errors.append("join notices received: %d, want %d (each member sees every later "
                              "joiner)" % (joins_total, n * (n - 1) // 2))
            if errors or unexpected:
                fail("errors: %s\n  unexpected lines: %s" % (errors[:10], unexpected[:10]))
            d.assert_alive()
            wall = time.monotonic() - t0
            print("RESULT report_2000 backend=%s threads=%d clients=%d wall=%.2fs "
                  "connect=%.3fs accepted/s=%.0f login=%.3fs join=%.3fs messages=%.3fs "
                  "deliveries=%d deliveries/s=%.0f daemon_cpu_us/delivery=%.3f "
                  "VmRSS=%d KiB VmHWM=%d KiB"
                  % (ctx.backend, ctx.threads, n, wall, t_conn, n / t_conn, stats["login"],
                     stats["join"], t_msg, deliveries, deliveries / t_msg, cpu_us, rss, hwm),
                  flush=True)
        finally:
            # 5. all drop at once (FIN); the daemon must survive and keep serving
            for c in cs:
                if c.sock is not None:
                    c.sock.close()
            sel.close()
        t4 = time.monotonic()
        probe = Client(d.port, name="after")
        probe.expect_prompt(30)
        probe.send_line("depois")
        probe.expect_welcome("depois", 30)
        probe.send_line("/salas")
        probe.expect(PT.rooms([ROOM]), 30)
        probe.close()
        log("daemon serves a new client %.2f s after the 2,000 dropped" % (time.monotonic() - t4))
        d.assert_alive()
        rss, hwm = d.memory_kib()
        log("after all disconnected: VmRSS=%d KiB VmHWM=%d KiB" % (rss, hwm))


if __name__ == "__main__":
    p = arg_parser(__doc__)
    p.add_argument("--clients", type=int, default=2000)
    p.add_argument("--inflight", type=int, default=1000, help="connects in flight at most")
    p.add_argument("--timeout", type=float, default=120.0, help="seconds per phase at most")
    run(main, p)
