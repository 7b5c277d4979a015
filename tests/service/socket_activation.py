#!/usr/bin/env python3
"""Socket activation: `systemd-socket-activate -l PORT chatd ...` hands chatd
one listening socket (LISTEN_FDS=1, fd 3). chatd must serve on it from every
shard, open no listener of its own (its default 127.0.0.1:6789 and any
listen= are ignored), and keep serving new connections after the first.
"""
from svc_common import Client, Daemon, check, free_port, require_tool, run, HOST
import time

CLIENTS = 24


def main(ctx):
    activate = require_tool("systemd-socket-activate")
    port = free_port()
    # listen= in the config must lose to the inherited socket.
    conf = ctx.write("chatd.conf", "listen = 127.0.0.1:1\n")
    d = Daemon(ctx, ["--config", conf] + ctx.daemon_args(),
               prefix=[activate, "-l", "%s:%d" % (HOST, port)])
    # systemd-socket-activate listens first and starts chatd on the first
    # connection: connecting is what launches it.
    deadline = time.monotonic() + 10
    first = None
    while first is None:
        try:
            first = Client(port)
        except OSError:
            check(time.monotonic() < deadline, "systemd-socket-activate never listened on %d" % port)
            time.sleep(0.05)
    d.wait_log(r"socket activation: 1 listening socket")
    d.wait_log(r"listening on 127\.0\.0\.1:%d\b" % port)
    first.register("first")
    log = d.log()
    check("listening on 127.0.0.1:1\n" not in log
          and (port == 6789 or "listening on 127.0.0.1:6789" not in log),
          "chatd opened its own listener besides the inherited one:\n" + log)

    clients = [first]
    for i in range(CLIENTS - 1):
        c = Client(port)
        c.register("user%d" % i)
        clients.append(c)
    first.send("/create hall\n")
    first.read_until("✅ Room 'hall' created.\n")
    for c in clients:
        c.send("/join hall\n")
        c.read_until("✅ You joined room 'hall'.\n")
    for c in clients:
        c.sync()  # drop the join notices
    for i, c in enumerate(clients):
        c.send("hello %d\n" % i)
    # One room, one order for all, but not the order of the sends: collect
    # each member's lines until every other member's message is there.
    for i, c in enumerate(clients):
        want = {"[%s] hello %d" % ("first" if j == 0 else "user%d" % (j - 1), j)
                for j in range(len(clients)) if j != i}
        got = set()
        while not want <= got:
            got.add(c.read_until(b"\n").decode().rstrip("\n"))
        check(got == want, "client %d got unexpected lines: %r" % (i, got - want))
    for c in clients:
        c.close()

    d.signal(15)
    rc = d.wait(20)
    check(rc == 0, "chatd (via systemd-socket-activate) exited %s; log:\n%s" % (rc, d.log()))
    print("%d clients served on the inherited socket by %d shard(s), backend %s"
          % (CLIENTS, ctx.args.threads, ctx.args.backend))


if __name__ == "__main__":
    run(main, timeout=90)
