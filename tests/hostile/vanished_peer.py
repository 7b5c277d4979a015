#!/usr/bin/env python3
"""A peer that vanishes without FIN or RST (cable pulled, laptop closed, NAT
entry dropped) is found by --tcp-keepalive and announced as gone.

For real: the test runs in a private network namespace of its own (unshare
-n), with a second namespace joined to it by a veth pair. chatd listens on
both sides' link; the peer connects from the second namespace, joins a
room, and then its end of the link goes down, so every packet to it is
dropped. With --tcp-keepalive 2 the daemon's probes go unanswered and the
room hears the peer quit within seconds; with keepalive off it does not.
Needs root (network namespaces); exits 77 where they cannot be made.
"""

import os
import shutil
import subprocess
import sys
import time

IN_NS = "CHATD_VANISH_IN_NS"

if os.environ.get(IN_NS) != "1":
    # Re-run this very test in a private network namespace; nothing it does
    # to links and addresses touches the machine's own.
    if shutil.which("unshare") is None or shutil.which("ip") is None:
        print("SKIP: unshare or ip (iproute2) not installed", flush=True)
        sys.exit(77)
    probe = subprocess.run(["unshare", "-n", "true"], capture_output=True)
    if probe.returncode != 0:
        print("SKIP: cannot make a network namespace here (needs root): %s"
              % probe.stderr.decode(errors="replace").strip(), flush=True)
        sys.exit(77)
    env = dict(os.environ, **{IN_NS: "1"})
    os.execvpe("unshare", ["unshare", "-n", sys.executable] + sys.argv, env)

from hostile_lib import PT, TestSkip, daemon, fail, log, run  # noqa: E402
from chatd_harness import spawn, terminate  # noqa: E402

SERVER_IP, PEER_IP = "10.213.0.1", "10.213.0.2"


def sh(*argv, setup=False):
    r = subprocess.run(list(argv), capture_output=True, text=True)
    if r.returncode != 0:
        if setup:  # the machine will not let us build the network: nothing to test here
            raise TestSkip("cannot set up the test network (%s: %s)" % (" ".join(argv), r.stderr.strip()))
        fail("%s: %s" % (" ".join(argv), r.stderr.strip()))


class PeerNamespace:
    """A second namespace linked to ours by a veth pair; removed on exit."""

    rounds = 0

    def __init__(self):
        # Names unique per round too: a namespace is torn down by the kernel
        # asynchronously, so the last round's veth may still exist.
        PeerNamespace.rounds += 1
        tag = "%d%s" % (os.getpid(), "abcdefgh"[PeerNamespace.rounds % 8])
        self.name = "chatd-vanish-%s" % tag
        self.ours, self.peer = "vs" + tag, "vp" + tag

    def __enter__(self):
        sh("ip", "link", "set", "lo", "up", setup=True)
        sh("ip", "netns", "add", self.name, setup=True)
        sh("ip", "link", "add", self.ours, "type", "veth", "peer", "name", self.peer, setup=True)
        sh("ip", "link", "set", self.peer, "netns", self.name, setup=True)
        sh("ip", "addr", "add", SERVER_IP + "/24", "dev", self.ours, setup=True)
        sh("ip", "link", "set", self.ours, "up", setup=True)
        self.run("ip", "addr", "add", PEER_IP + "/24", "dev", self.peer, setup=True)
        self.run("ip", "link", "set", self.peer, "up", setup=True)
        return self

    def run(self, *argv, setup=False):
        sh("ip", "netns", "exec", self.name, *argv, setup=setup)

    def cut(self):
        """The peer's end goes down: whatever is sent to it is lost, nothing comes back."""
        self.run("ip", "link", "set", self.peer, "down")

    def __exit__(self, *exc):
        subprocess.run(["ip", "link", "del", self.ours], capture_output=True)  # both ends go
        subprocess.run(["ip", "netns", "del", self.name], capture_output=True)


PEER_SCRIPT = r"""
import socket, sys, time
s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=5)
s.sendall(b"Sumido\n/entrar sala\n")
time.sleep(120)
"""


def vanish(ctx, ns, keepalive, wait_s):
    """Returns the seconds until the room heard the peer quit (None: not within wait_s)."""
    port2 = 20000 + os.getpid() % 20000
    with daemon(ctx, extra=["--tcp-keepalive", str(keepalive), "--listen", "%s:%d" % (SERVER_IP, port2)]) as d:
        obs = d.client("Obs").login("Obs")
        obs.send_line("/criar sala")
        obs.send_line("/entrar sala")
        obs.expect(PT.created("sala"))
        obs.expect(PT.joined("sala"))
        peer = spawn(["ip", "netns", "exec", ns.name, sys.executable, "-c", PEER_SCRIPT, SERVER_IP, str(port2)],
                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            obs.expect(PT.joined_other("Sumido", "sala"), timeout=10, what="the peer from the other namespace joins")
            ns.cut()
            t0 = time.monotonic()
            try:
                obs.expect(PT.quit_other("Sumido", "sala"), timeout=wait_s)
                return time.monotonic() - t0
            except Exception:
                return None
            finally:
                obs.close()
        finally:
            terminate(peer, 2.0)


def main(ctx):
    with PeerNamespace() as ns:
        took = vanish(ctx, ns, keepalive=2, wait_s=15)
        if took is None:
            fail("--tcp-keepalive 2: the vanished peer was not announced within 15 s")
        log("ok   --tcp-keepalive 2: the vanished peer's quit came %.1f s after its link went down" % took)
    with PeerNamespace() as ns:
        took = vanish(ctx, ns, keepalive=0, wait_s=6)
        if took is not None:
            fail("--tcp-keepalive 0: the peer was announced after %.1f s; the test proves nothing" % took)
        log("ok   --tcp-keepalive 0: without probes the vanished peer stays (6 s)")


if __name__ == "__main__":
    run(main)
