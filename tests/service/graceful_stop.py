#!/usr/bin/env python3
"""SIGTERM with 500 registered clients: every one gets the shutdown notice
line and then EOF, and chatd exits 0 within --shutdown-timeout. A second run
checks the timeout itself: a client that never reads keeps its output
unsent, and chatd still exits within shutdown-timeout (+ slack)."""
from svc_common import Client, Daemon, check, run, SHUTDOWN_EN, PROMPT_EN
import resource
import selectors
import socket
import time

CLIENTS = 500


def raise_fd_limit(need):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < need:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(need, soft)), hard))


def connect_all(port, n):
    """Connects and registers n clients, pipelined so it takes well under a second."""
    socks = []
    for i in range(n):
        s = socket.create_connection(("127.0.0.1", port), timeout=10)
        socks.append(s)
    for i, s in enumerate(socks):
        s.sendall(b"user%d\n" % i)
    bufs = [b""] * n
    sel = selectors.DefaultSelector()
    for i, s in enumerate(socks):
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ, i)
    pending = set(range(n))
    deadline = time.monotonic() + 30
    while pending:
        check(time.monotonic() < deadline, "%d clients not registered after 30 s" % len(pending))
        for key, _ in sel.select(1):
            i = key.data
            data = key.fileobj.recv(65536)
            check(data, "client %d: EOF while registering" % i)
            bufs[i] += data
            if b"/quit - disconnect\n" in bufs[i]:
                pending.discard(i)
    return socks, sel


def main(ctx):
    raise_fd_limit(2 * CLIENTS + 100)
    d = Daemon(ctx, ["--config", ctx.empty_config(), "--listen", "127.0.0.1:0", "--shutdown-timeout", "10"]
               + ctx.daemon_args())
    port = d.port()
    socks, sel = connect_all(port, CLIENTS)
    print("%d clients registered" % CLIENTS)
    # Anything sent so far (welcome tails) is read as part of the final read.
    tail = [b""] * CLIENTS
    eof = [False] * CLIENTS
    t0 = time.monotonic()
    d.signal(15)
    deadline = t0 + 15
    left = CLIENTS
    while left:
        check(time.monotonic() < deadline, "%d clients saw no EOF within 15 s" % left)
        for key, _ in sel.select(1):
            i = key.data
            try:
                data = key.fileobj.recv(65536)
            except ConnectionResetError:
                data = b""
                tail[i] += b"<RST>"
            if data:
                tail[i] += data
                continue
            eof[i] = True
            left -= 1
            sel.unregister(key.fileobj)
    missing = [i for i in range(CLIENTS) if not tail[i].endswith(SHUTDOWN_EN)]
    check(not missing, "%d clients lacked the final notice, e.g. #%d got %r"
          % (len(missing), missing[0] if missing else -1, tail[missing[0]][-200:] if missing else b""))
    rc = d.wait(15)
    took = time.monotonic() - t0
    check(rc == 0, "exit status %s" % rc)
    check(took < 10, "stop took %.1fs with every client reading" % took)
    print("all %d got %r and EOF; exit 0 after %.2fs" % (CLIENTS, SHUTDOWN_EN.decode(), took))
    for s in socks:
        s.close()

    # The timeout: a client that stops reading while a lot is queued for it
    # cannot hold the stop beyond --shutdown-timeout.
    d2 = Daemon(ctx, ["--config", ctx.empty_config(), "--listen", "127.0.0.1:0", "--shutdown-timeout", "2",
                      "--rate", "0", "--max-outbuf", "64M"] + ctx.daemon_args(), name="chatd2")
    port = d2.port()
    stuck = Client(port)
    stuck.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    stuck.register("stuck")
    talker = Client(port)
    talker.register("talker")
    talker.send("/create r\n")
    talker.read_until("created")
    for c in (stuck, talker):
        c.send("/join r\n")
        c.read_until("You joined")
    stuck.sync()
    # Fill the stuck client's socket buffers and its server-side queue.
    line = b"x" * 3000 + b"\n"
    for _ in range(2000):
        talker.send(line)
    time.sleep(0.5)
    t0 = time.monotonic()
    d2.signal(15)
    rc = d2.wait(10)
    took = time.monotonic() - t0
    check(rc == 0, "exit status %s with a stuck client" % rc)
    check(took < 2 + 1.5, "stop took %.1fs with --shutdown-timeout 2" % took)
    print("stuck client: exit 0 after %.2fs (--shutdown-timeout 2)" % took)


if __name__ == "__main__":
    run(main, timeout=120)
