#!/usr/bin/env python3
"""sd_notify protocol, seen from the manager's side: the test owns the
NOTIFY_SOCKET (AF_UNIX datagram) and checks that chatd sends
  READY=1     only once the port accepts and the shards answer,
  STATUS=...  with connections and rooms,
  WATCHDOG=1  about every WATCHDOG_USEC/2 while the shards run,
  RELOADING=1 then READY=1 around a SIGHUP,
  STOPPING=1  on SIGTERM, then exit 0.
"""
from svc_common import Client, Daemon, check, free_port, run, PROMPT_EN, TestFailure
import socket
import time


class Notify:
    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(path)
        self.log = []  # (monotonic time, message)

    def next(self, timeout):
        self.sock.settimeout(timeout)
        try:
            data = self.sock.recv(4096).decode()
        except socket.timeout:
            return None
        self.log.append((time.monotonic(), data))
        return data

    def wait_for(self, field, timeout=10):
        """Returns the first message containing the line `field`."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TestFailure("no %s within %ss; got %r" % (field, timeout, [m for _, m in self.log]))
            msg = self.next(left)
            if msg is not None and field in msg.split("\n"):
                return msg


def main(ctx):
    port = free_port()
    n = Notify(ctx.path("notify"))
    d = Daemon(ctx, ["--config", ctx.empty_config(), "--listen", "127.0.0.1:%d" % port] + ctx.daemon_args(),
               env={"NOTIFY_SOCKET": ctx.path("notify"), "WATCHDOG_USEC": "1000000"})

    # Before READY=1 nothing else may claim readiness; at READY=1 the port
    # must accept and a shard must answer with the prompt at once.
    msg = n.wait_for("READY=1")
    c = Client(port, timeout=2)
    check(c.read_until(PROMPT_EN, timeout=2).endswith(PROMPT_EN), "no prompt right after READY=1")
    before = [m for _, m in n.log[:-1]]
    check(not any("READY=1" in m.split("\n") for m in before), "READY=1 twice: %r" % before)
    print("READY=1 received; port %d accepts and answers" % port)

    # STATUS= reflects a connection and a room.
    c.send("alice\n")
    c.read_until("/quit - disconnect\n")
    c.send("/create lobby\n")
    c.read_until("✅ Room 'lobby' created.\n")
    deadline = time.monotonic() + 5
    while True:
        msg = n.next(max(0.01, deadline - time.monotonic()))
        if msg and "STATUS=1 connections, 1 rooms" in msg:
            break
        check(time.monotonic() < deadline, "no STATUS= with 1 connection and 1 room: %r"
              % [m for _, m in n.log])
    print("STATUS= follows: %r" % msg)

    # Watchdog: WATCHDOG_USEC=1 s -> a ping at least every 0.5 s.
    t0 = time.monotonic()
    pings = []
    while time.monotonic() - t0 < 2.2:
        msg = n.next(0.5)
        if msg and "WATCHDOG=1" in msg.split("\n"):
            pings.append(time.monotonic())
    check(len(pings) >= 4, "only %d WATCHDOG=1 in 2.2 s with WATCHDOG_USEC=1000000" % len(pings))
    gaps = [b - a for a, b in zip(pings, pings[1:])]
    check(max(gaps) < 0.8, "watchdog gap of %.2fs (limit 0.5 s + slack)" % max(gaps))
    print("%d watchdog pings in 2.2 s, largest gap %.2fs" % (len(pings), max(gaps)))

    # SIGHUP: RELOADING=1 (with MONOTONIC_USEC) then READY=1.
    d.signal(1)
    msg = n.wait_for("RELOADING=1")
    check("MONOTONIC_USEC=" in msg, "RELOADING=1 without MONOTONIC_USEC: %r" % msg)
    n.wait_for("READY=1")
    print("SIGHUP: RELOADING=1, then READY=1")

    # SIGTERM: STOPPING=1, the client gets its goodbye, exit 0.
    d.signal(15)
    n.wait_for("STOPPING=1")
    c.read_until("Server shutting down")
    rc = d.wait(15)
    check(rc == 0, "exit status %s after SIGTERM" % rc)
    print("SIGTERM: STOPPING=1, exit 0")


if __name__ == "__main__":
    run(main, timeout=60)
