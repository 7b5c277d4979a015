#!/usr/bin/env python3
"""Out of file descriptors: a daemon with `ulimit -n 64` and 100 clients trying to connect.

The daemon runs with RLIMIT_NOFILE 64 (set in the child before exec).  Ten
members of a room are logged in; then 100 clients connect at once -- more
than the daemon has descriptors for.  Checks:
  * the daemon survives and keeps serving the ten: they exchange messages,
    each delivered within 1 s, while the newcomers wait in the backlog;
  * it does not spin on the listener it cannot serve (CPU time over 2 s of
    EMFILE stays low);
  * it recovers: as clients leave, the waiting ones are accepted and get the
    prompt, until all 100 have been served (within 30 s).
"""

import resource
import socket
import time

from hostile_lib import (H, PROMPT_PT, PT, Checks, CpuWatch, Daemon, close_all, fail, in_room,
                         log, run)

NOFILE = 64
NEWCOMERS = 100


def limit_fds():
    H._pdeathsig()
    resource.setrlimit(resource.RLIMIT_NOFILE, (NOFILE, NOFILE))


class LowFdDaemon(Daemon):
    """A harness Daemon whose process starts with RLIMIT_NOFILE = NOFILE."""

    def start(self, *a, **kw):
        real_spawn = H.spawn

        def spawn(argv, **skw):
            skw["preexec_fn"] = limit_fds
            return real_spawn(argv, **skw)

        H.spawn = spawn
        try:
            return super().start(*a, **kw)
        finally:
            H.spawn = real_spawn


def fd_count(pid):
    import os
    return len(os.listdir("/proc/%d/fd" % pid))


def main(ctx):
    checks = Checks()
    with checks.check("ulimit -n 64: existing clients served, no spinning, recovers"):
        d = LowFdDaemon(ctx)
        d.start()
        members = []
        newcomers = []
        try:
            with open("/proc/%d/limits" % d.pid) as f:
                lim = [ln for ln in f if ln.startswith("Max open files")]
            log("chatd %s; %d descriptors open at start" % (lim[0].strip() if lim else "?", fd_count(d.pid)))
            members = in_room(d, "R", *["m%d" % i for i in range(10)])
            base_fds = fd_count(d.pid)
            for i in range(NEWCOMERS):
                s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                s.setblocking(False)
                try:
                    s.connect(("127.0.0.1", d.port))
                except BlockingIOError:
                    pass
                newcomers.append(s)
            time.sleep(0.5)
            log("100 newcomers connecting; chatd holds %d descriptors (limit %d)" % (fd_count(d.pid), NOFILE))
            d.assert_alive("when it ran out of descriptors")

            cpu = CpuWatch(d)
            lat = []
            for i in range(10):
                a, b = members[i % 10], members[(i + 1) % 10]
                t = time.monotonic()
                a.send_line("oi %d" % i)
                for m in members:
                    if m is not a:
                        m.expect(PT.msg(a.name, "oi %d" % i), timeout=3.0)
                lat.append(time.monotonic() - t)
                time.sleep(0.2)
            used, wall = cpu.result()
            log("members' messages while out of descriptors: max latency %.3f s; chatd used %.3f CPU-s "
                "in %.1f s" % (max(lat), used, wall))
            if max(lat) > 1.0:
                fail("messages between existing members delayed by %.2f s" % max(lat))
            if used > 0.5 * wall:
                fail("chatd used %.2f CPU-s in %.1f s while out of descriptors (spinning?)" % (used, wall))

            # Recovery: newcomers that got the prompt leave; the others must get theirs.
            prompt = PROMPT_PT.encode()
            got = {}
            served_early = None
            deadline = time.monotonic() + 30.0
            import select
            while len(got) < NEWCOMERS and time.monotonic() < deadline:
                waiting = [s for s in newcomers if s.fileno() not in got and s.fileno() >= 0]
                r, _, _ = select.select(waiting, [], [], 0.2)
                for s in r:
                    try:
                        data = s.recv(4096)
                    except OSError as e:
                        fail("a newcomer's connection failed: %s" % e)
                    if not data:
                        fail("a newcomer was closed without the prompt")
                    if not data.startswith(prompt[:len(data)]):
                        fail("a newcomer got %r instead of the prompt" % data)
                    got[s.fileno()] = True
                    s.close()  # leave: frees a descriptor for the next one
                if served_early is None:
                    served_early = len(got)
            log("newcomers served: %d at once, %d in the end" % (served_early, len(got)))
            if len(got) < NEWCOMERS:
                fail("only %d of %d newcomers were ever accepted (no recovery)" % (len(got), NEWCOMERS))
            if served_early >= NEWCOMERS:
                log("note: all newcomers fit at once; descriptors never ran out?")
            # after the storm: everything back to normal
            members[0].send_line("/salas")
            members[0].expect(PT.rooms(["R"]))
            n = H.Client(d.port, name="late").login("Tarde")
            n.close()
            log("chatd holds %d descriptors after the storm (%d before it)" % (fd_count(d.pid), base_fds))
            d.stop()
        finally:
            for s in newcomers:
                try:
                    s.close()
                except OSError:
                    pass
            close_all(members)
            if d.alive():
                print("--- chatd log tail ---\n%s\n---" % d.log_tail(), flush=True)
                d.kill()
    checks.finish()


if __name__ == "__main__":
    run(main)
